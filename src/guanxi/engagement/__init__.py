"""Engagement: follow-up tasks (win-back, contact), later contact plans and care."""
