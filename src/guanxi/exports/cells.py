"""Cell values that are safe to open in a spreadsheet, and the way back for re-imports."""

from __future__ import annotations

# Excel, WPS and LibreOffice treat a cell starting with these as a formula
# (CSV injection: =HYPERLINK(…) or =cmd|… in a customer's name).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """The value as text, with a leading ' when a spreadsheet would run it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def unsafe_cell(text: str) -> str:
    """The inverse of `safe_cell`: the ' it put before a formula start taken off again.

    A rejected-rows report or an export, fixed and imported again, would otherwise
    bring `'-李四` back instead of `-李四`. Only a ' before a formula start is taken:
    any other leading ' (`'t Hooft`) is the user's own and stays.
    """
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def unsafe_cells(cells: list[str]) -> list[str]:
    """`unsafe_cell` over a row; the row itself when no cell holds a ' (nearly every row).

    One C-level scan of the joined row costs a tenth of calling `unsafe_cell` per
    cell, which a million-row import would otherwise pay for nothing.
    """
    if "'" not in "".join(cells):
        return cells
    return [unsafe_cell(c) for c in cells]
