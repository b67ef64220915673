"""Exports of lists a user can see, as CSV (streamed) or Excel (write-only)."""
