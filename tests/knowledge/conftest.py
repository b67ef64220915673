"""Knowledge-base fixtures: articles written through the real form and action."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture
def make_article(users: dict[str, Any]) -> Callable[..., Any]:
    """An article by `by` (carol, the service agent, unless told), validated by ArticleForm."""
    from guanxi.knowledge.actions import create_article
    from guanxi.knowledge.forms import ArticleForm

    def make(
        title: str, body: str = "正文内容，足够长。", *, by: str = "carol", publish: bool = True,
        visibility: str = "internal", **fields: Any,
    ) -> Any:  # fmt: skip
        data = {"title": title, "body": body, "visibility": visibility, **fields}
        form = ArticleForm(data=data)
        assert form.is_valid(), form.errors.as_json()
        return create_article(form.cleaned_data, by=users[by], publish=publish)

    return make
