"""Checking a file without writing: the dry run (CLI) and the first rows (the UI's preview)."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from guanxi.core.models import User
from guanxi.core.permissions import CHANGE
from guanxi.customers.models import Customer
from guanxi.imports.models import ImportBatch, ImportKind, OnDuplicate

from . import mapping, reading, rows
from .rows import Context

if TYPE_CHECKING:
    from guanxi.customers.dedup import Match


@dataclass
class DryRun:
    total: int = 0
    valid: int = 0  # rows the run would create
    rejected: list[tuple[int, str]] = field(default_factory=list)
    # Customers only (contacts' and purchases' skips are in `rejected`, as their trial
    # run reports them): duplicates the run would skip, update or queue for review.
    skipped: list[tuple[int, str]] = field(default_factory=list)
    updates: int = 0
    flagged: int = 0


@dataclass
class PreviewRow:
    number: int
    cells: list[str]
    error: str
    duplicates: list[Match] = field(default_factory=list)


def _open(
    path: Path, columns: dict[str, str] | None, kind: str = ImportKind.CUSTOMERS
) -> tuple[list[str], dict[str, int], Iterator[list[str]]]:
    info = reading.inspect(path)
    header, data_rows = reading.read_rows(path, info)
    chosen = columns or mapping.guess_mapping(kind, header)
    return header, mapping.column_indexes(chosen, header), data_rows


def trial(
    kind: str,
    path: Path,
    *,
    user: User,
    columns: dict[str, str] | None = None,
    on_duplicate: str = OnDuplicate.SKIP,
    limit: int | None = None,
) -> tuple[int, list[tuple[int, list[str], str]]]:
    """Contacts or purchases: run the real writer on the rows, then roll everything back.

    Customers, orders and products are looked up exactly as the import will, so
    the refusals (unknown customer, out of scope, existing order number…) are the
    ones the run will report. Returns (rows read, [(row, cells, reason)]).
    """
    from .runner import chunk_rows_setting, kind_import, split

    _header, indexes, data_rows = _open(path, columns, kind)
    rows_iter: Iterator[list[str]] = (
        itertools.islice(data_rows, limit) if limit is not None else data_rows
    )
    total = 0
    refused: list[tuple[int, list[str], str]] = []
    with transaction.atomic():
        # A throwaway batch the rows can point at; rolled back with everything else.
        batch = ImportBatch.objects.create(
            kind=kind, sha256=f"trial-{uuid.uuid4().hex}", file_name=path.name,
            file_path=str(path), mapping=columns or {}, source_channel="internal",
            on_duplicate=on_duplicate, user=user,
        )  # fmt: skip
        writer = kind_import(batch, user, indexes)
        for first, chunk in split(rows_iter, 1, chunk_rows_setting(), writer.boundary):
            total += len(chunk)
            out = writer.write(first, chunk)
            refused.extend((r.row_number, r.values, r.reason) for r in out.rejections)
        transaction.set_rollback(True)
    if limit is not None:
        data_rows.close()  # type: ignore[attr-defined]
    refused.sort(key=lambda r: r[0])
    return total, refused


def dry_run(
    path: Path,
    *,
    user: User,
    columns: dict[str, str] | None = None,
    kind: str = ImportKind.CUSTOMERS,
    on_duplicate: str = OnDuplicate.SKIP,
) -> DryRun:
    """Validate every row with the import's rules and say what the run would do with it.

    Customers: rows validated and keyed as the run does, and classified by the run's
    own `classify` against the customers already there (read only: no write lock is
    held, so a dry run of a million rows does not stop anyone working). Contacts
    and purchases: a full trial run, rolled back.
    """
    if kind != ImportKind.CUSTOMERS:
        total, refused = trial(kind, path, user=user, columns=columns, on_duplicate=on_duplicate)
        return DryRun(total, total - len(refused), [(n, reason) for n, _c, reason in refused])
    from .runner import (
        DUPLICATE_SKIPPED,
        _existing,
        chunk_rows_setting,
        classify,
        prepare_chunk,
        split,
        writing_for,
    )

    _header, indexes, data_rows = _open(path, columns)
    ctx = Context.load("internal", timezone.now())
    writing = writing_for(user, None, keep_cleaned=False)
    result = DryRun()
    # Keys of the rows earlier chunks would create, as the ids they would get (-row):
    # the run looks duplicates up per chunk, so a row repeating one of an earlier
    # chunk meets it as an existing customer (skipped, updated or queued as such),
    # one repeating a row of its own chunk as "与文件第 N 行重复" — the dry run says
    # exactly what the run will do, chunk by chunk.
    created: dict[str, int] = {}
    for first, chunk in split(data_rows, 1, chunk_rows_setting(), None):
        p = prepare_chunk(first, chunk, indexes, ctx, writing)
        result.total += len(chunk)
        result.rejected.extend((n, reason) for n, _cells, reason in p.rejected)
        codes = {k[2] for k in p.keys if k[2]}
        existing = _existing(p.keys, codes)
        for keyset in p.keys:
            existing.update((k, created[k]) for k in keyset if k in created and k not in existing)
        verdict = classify(p.keys, p.row_numbers, existing, {}, on_duplicate)
        changeable = set(
            Customer.objects.restrict(user, CHANGE)
            .filter(pk__in=[m for _i, m in verdict.updates if m > 0])
            .values_list("pk", flat=True)
        )
        result.skipped.extend((p.row_numbers[i], reason) for i, reason in verdict.skipped)
        for i, match in verdict.updates:
            if match < 0 or match in changeable:  # a customer this import creates is the user's
                result.updates += 1
            else:
                result.skipped.append((p.row_numbers[i], DUPLICATE_SKIPPED))
        result.flagged += len(verdict.flagged)
        result.valid += len(verdict.new)
        for i in verdict.new:
            created.update((k, -p.row_numbers[i]) for k in p.keys[i] if k)
    result.skipped.sort()
    return result


def first_rows(
    path: Path,
    columns: dict[str, str],
    limit: int = 20,
    *,
    user: User | None = None,
    kind: str = ImportKind.CUSTOMERS,
    on_duplicate: str = OnDuplicate.SKIP,
) -> list[PreviewRow]:
    """The first rows with the reason each would be refused and, given a user, the
    existing customers (that user may see) each valid row probably duplicates."""
    if kind != ImportKind.CUSTOMERS:
        if user is None:
            return []
        _header, indexes, data_rows = _open(path, columns, kind)
        cells = list(itertools.islice(data_rows, limit))
        data_rows.close()  # type: ignore[attr-defined]
        _total, refused = trial(
            kind, path, user=user, columns=columns, on_duplicate=on_duplicate, limit=limit
        )
        reasons = {n: reason for n, _c, reason in refused}
        return [PreviewRow(n, c, reasons.get(n, "")) for n, c in enumerate(cells, 1)]
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
