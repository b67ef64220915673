"""Cell values that are safe to open in a spreadsheet."""

from __future__ import annotations

# Excel, WPS and LibreOffice treat a cell starting with these as a formula
# (CSV injection: =HYPERLINK(…) or =cmd|… in a customer's name).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """The value as text, with a leading ' when a spreadsheet would run it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
