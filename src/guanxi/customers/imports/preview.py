"""Checking a file without writing: the dry run (CLI) and the first rows (the UI's preview)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from django.utils import timezone

from guanxi.core.models import User

from . import mapping, reading, rows
from .rows import Context

if TYPE_CHECKING:
    from guanxi.customers.dedup import Match


@dataclass
class DryRun:
    total: int = 0
    valid: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class PreviewRow:
    number: int
    cells: list[str]
    error: str
    duplicates: list[Match] = field(default_factory=list)


def _open(path: Path, columns: dict[str, str] | None) -> tuple[list[str], dict[str, int], object]:
    info = reading.inspect(path)
    header, data_rows = reading.read_rows(path, info)
    chosen = columns or mapping.guess_mapping("customers", header)
    return header, mapping.column_indexes(chosen, header), data_rows


def dry_run(path: Path, *, user: User, columns: dict[str, str] | None = None) -> DryRun:
    """Validate every row with the import's rules; duplicates are not looked up."""
    _header, indexes, data_rows = _open(path, columns)
    ctx = Context.load("internal", timezone.now())
    result = DryRun()
    for number, cells in enumerate(data_rows, 1):  # type: ignore[call-overload]
        result.total += 1
        cleaned, error = rows.validate_customer(rows.customer_input(cells, indexes, ctx), ctx)
        if cleaned is None:
            result.rejected.append((number, error))
        else:
            result.valid += 1
    return result


def first_rows(
    path: Path, columns: dict[str, str], limit: int = 20, *, user: User | None = None
) -> list[PreviewRow]:
    """The first rows with the reason each would be refused and, given a user, the
    existing customers (that user may see) each valid row probably duplicates."""
    _header, indexes, data_rows = _open(path, columns)
    ctx = Context.load("internal", timezone.now())
    out = []
    for number, cells in enumerate(itertools.islice(data_rows, limit), 1):  # type: ignore[call-overload]
        cleaned, error = rows.validate_customer(rows.customer_input(cells, indexes, ctx), ctx)
        row = PreviewRow(number, cells, error)
        if cleaned is not None and user is not None:
            from guanxi.customers.dedup import likely_duplicates

            row.duplicates = likely_duplicates(cleaned, user=user, limit=3)
        out.append(row)
    data_rows.close()  # type: ignore[attr-defined]
    return out
