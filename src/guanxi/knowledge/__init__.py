"""Knowledge base (知识库): articles, versions, Chinese full-text search, public help page."""
