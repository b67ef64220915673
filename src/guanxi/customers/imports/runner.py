"""Running a customer import: chunks that commit whole, resume, duplicates, bulk writes.

A chunk of rows is validated and encoded in Python (`prepare_chunk`, no
database), then written in ONE transaction together with the batch's new
`rows_done` (`write_chunk`). A crash at any point leaves either the whole chunk
or none of it, and the next run of the same file (same sha256) starts after
`rows_done`. The batch row is locked and `rows_done` compared first, so two
runners of the same file cannot both write a chunk.

Bulk mode (SQLite, a file at least as large as the customer table and at least
GUANXI_IMPORT_BULK_ROWS rows): the whole file is ONE transaction in which the
customer table's secondary indexes are dropped, the chunks written (each a
savepoint) and the indexes created again — a million rows in a fraction of the
time that keeping seventeen indexes up to date takes (core/bulkload.py). A
crash rolls everything back, indexes included, and the next run starts over
from the first row; progress is published to a side file (imports/live.py)
because the batch row's own counters stay invisible until the commit.

Writes are multi-row inserts (executemany on SQLite, COPY on PostgreSQL) as in
demo/bulk.py: the ORM's per-row save would take an hour for a million rows.
"""

from __future__ import annotations

import collections
import functools
import itertools
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from guanxi.core import crypto, events
from guanxi.core.actions import ActionError
from guanxi.core.bulkload import indexes_built_after
from guanxi.core.choices import Role, Scope
from guanxi.core.models import Region, User
from guanxi.core.permissions import ADD, CHANGE, scope_for
from guanxi.customers import actions as customer_actions
from guanxi.customers.dedup.queue import queue_pairs
from guanxi.customers.models import Address, Customer
from guanxi.demo.batches import ADDRESS_COLUMNS, CUSTOMER_COLUMNS
from guanxi.imports import live
from guanxi.imports.models import (
    ImportBatch,
    ImportedRecord,
    ImportKind,
    ImportRejection,
    ImportStatus,
    OnDuplicate,
)

from . import mapping, reading, rows
from .references import REF_FIELDS
from .rows import Context
from .sealing import Sealer, cached_pinyin, sealer

RECORD_COLUMNS = ("batch_id", "row_number", "object_id", "duplicate_of_id")
# Page cache during a bulk load (KiB): the load stays in one transaction, and a
# cache that holds it spares SQLite spilling dirty pages to the WAL mid-load.
BULK_CACHE_KIB = 1_048_576
Progress = Callable[[ImportBatch], None]


class ImportRefused(ActionError):
    """The import cannot start (no right to import, unknown owner, unmapped name…)."""


@dataclass
class Prepared:
    """One chunk, validated and encoded: rows ready to insert once ids are known."""

    first_row: int
    end_row: int
    customers: list[tuple[Any, ...]] = field(default_factory=list)  # without the id
    addresses: list[tuple[Any, ...] | None] = field(default_factory=list)  # without customer_id
    keys: list[tuple[str, str, str]] = field(default_factory=list)  # phone, id, credit code
    row_numbers: list[int] = field(default_factory=list)
    cleaned: list[dict[str, Any]] = field(default_factory=list)  # kept for updates only
    rejected: list[tuple[int, list[str], str]] = field(default_factory=list)
    # The chunk's file rows, for the report of rows skipped as duplicates. A worker
    # process does not send them back: the writer still holds them (`_prepared`).
    source: list[list[str]] = field(default_factory=list)

    def cells(self, number: int) -> list[str]:
        return self.source[number - self.first_row]


@dataclass
class Writing:
    """Per-import constants of the written rows (owner, team, region, clock)."""

    owner_id: int
    team_id: int | None
    owner_region_id: int | None
    forced_region_id: int | None  # a regional manager's imports stay in their region
    region_by_prefix: dict[str, int]
    now: str
    tz_suffix: str
    keep_cleaned: bool


def stamp(value: datetime, suffix: str) -> str:
    if timezone.is_aware(value):
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(sep=" ") + suffix


def _row_tuple(
    cleaned: dict[str, Any], w: Writing, seal: Sealer
) -> tuple[tuple[Any, ...], tuple[Any, ...] | None]:
    """The customer row (CUSTOMER_COLUMNS without id) and its address row, if any."""
    pinyin, initials = cached_pinyin(cleaned["name"])
    phone = cleaned["phone"]
    id_number = cleaned["id_number"]
    province = cleaned["province_code"]
    region = w.forced_region_id or (
        w.region_by_prefix.get(province[:2], w.owner_region_id) if province else w.owner_region_id
    )
    birth = cleaned["birth_date"]
    revenue, energy = cleaned["annual_revenue"], cleaned["energy_consumption"]
    customer = (
        cleaned["kind"], cleaned["name"], pinyin, initials, cleaned["gender"],
        birth.isoformat() if birth else None, cleaned["occupation"],
        seal.encrypt(id_number) if id_number else "",
        seal.blind_index(id_number, "id_number") if id_number else "",
        cleaned["credit_code"],
        seal.encrypt(phone) if phone else "",
        seal.blind_index(phone, "phone") if phone else "",
        seal.blind_index(phone[-4:], "phone4") if phone else "",
        cleaned["email"], cleaned["wechat_id"], cleaned["industry"], cleaned["employees"],
        str(revenue) if revenue is not None else None,
        str(energy) if energy is not None else None,
        cleaned["energy_unit"], region, province, cleaned["city_code"],
        cleaned["district_code"], cleaned["source_channel"],
        stamp(cleaned["collected_at"], w.tz_suffix), None, w.owner_id, w.team_id,
        cleaned["value_class"], cleaned["stage"], cleaned["preferences"], cleaned["notes"],
        0, 0, None, None, None, w.now, w.now,
    )  # fmt: skip
    address = cleaned.get("address")
    if address is None:
        return customer, None
    return customer, (
        address["kind"], address["province_code"], address["city_code"],
        address["district_code"], address["detail"], address["postal_code"], True,
    )  # fmt: skip


def prepare_chunk(
    first_row: int,
    chunk: list[list[str]],
    columns: dict[str, int],
    ctx: Context,
    w: Writing,
) -> Prepared:
    """Validate and encode a chunk; pure Python, so it can run in a worker process."""
    out = Prepared(first_row, first_row + len(chunk), source=chunk)
    seal = sealer()  # once per chunk: in a worker process too
    for offset, cells in enumerate(chunk):
        number = first_row + offset
        data = rows.customer_input(cells, columns, ctx)
        cleaned, error = rows.validate_customer(data, ctx)
        if cleaned is None:
            out.rejected.append((number, cells, error))
            continue
        customer, address = _row_tuple(cleaned, w, seal)
        out.customers.append(customer)
        out.addresses.append(address)
        # The blind indexes sit in the tuple already (phone 11, ID number 8): reuse them.
        out.keys.append((customer[11], customer[8], cleaned["credit_code"]))
        out.row_numbers.append(number)
        if w.keep_cleaned:
            out.cleaned.append(cleaned)
    return out


# ---- database side ----------------------------------------------------------------


def reserve_ids(count: int, table: str = Customer._meta.db_table) -> list[int]:
    """Ids of `table` for the chunk: the sequence on PostgreSQL; on SQLite the next ids
    AUTOINCREMENT would give (the chunk's transaction holds SQLite's write lock, so
    nobody else inserts). Not max(id)+1: that hands out again the id of a deleted last
    row, which old events, import records and merges still name."""
    if not count:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        # Explicit ids written by executemany move sqlite_sequence on as well.
        cursor.execute(
            f'SELECT MAX(COALESCE((SELECT MAX(id) FROM "{table}"), 0), '
            "COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
            [table],
        )
        first = cursor.fetchone()[0] + 1
        return list(range(first, first + count))


def insert_rows(table: str, columns: Iterable[str], data: list[tuple[Any, ...]]) -> None:
    """Plain tuples in `columns` order, adapted already: executemany on SQLite, COPY on PG."""
    if not data:
        return
    names = ", ".join(columns)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                for row in data:
                    copy.write_row(row)
        return
    marks = ", ".join("?" * len(data[0]))
    connection.ensure_connection()
    # The raw sqlite3 connection: Django's wrapper would rewrite %s per statement.
    connection.connection.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', data)


def _existing(keys: list[tuple[str, str, str]], credit_codes: set[str]) -> dict[str, int]:
    """Blind index / credit code → id of an active customer already holding it.

    Exact keys only, on purpose: the probabilistic `dedup.likely_duplicates` costs
    ~13 ms a row (measured 2026-11-23, SQLite, loaded 2-core machine) — 65 s per
    5,000-row chunk, hours for a million rows. The wizard's preview runs it on the
    first rows, and `guanxi dedup scan` finds fuzzy duplicates after a bulk import.
    """
    phones = [k[0] for k in keys if k[0]]
    ids = [k[1] for k in keys if k[1]]
    found: dict[str, int] = {}
    active = Customer.objects.filter(merged_into__isnull=True)
    for column, values in (("phone_bidx", phones), ("id_number_bidx", ids)):
        for start in range(0, len(values), 900):  # under SQLite's host-parameter limit
            part = values[start : start + 900]
            for pk, key in active.filter(**{f"{column}__in": part}).values_list("id", column):
                found.setdefault(key, pk)
    codes = [k[2] for k in keys if k[2] and k[2] in credit_codes]
    for start in range(0, len(codes), 900):
        part = codes[start : start + 900]
        for pk, code in active.filter(credit_code__in=part).values_list("id", "credit_code"):
            found.setdefault(code, pk)
    return found


def _known_keys() -> dict[str, int]:
    """Every active customer's blind indexes and credit code → id, for bulk mode.

    With the indexes dropped, `_existing`'s per-chunk lookups would scan the
    table; bulk mode runs only when the table is no larger than the file, so
    holding its keys in memory costs no more than the file's own.
    """
    known: dict[str, int] = {}
    rows = (
        Customer.objects.filter(merged_into__isnull=True)
        .order_by("id")
        .values_list("id", "phone_bidx", "id_number_bidx", "credit_code")
    )
    for pk, *keys in rows.iterator(chunk_size=10_000):
        for key in keys:
            if key:
                known.setdefault(key, pk)
    return known


@dataclass
class Outcome:
    """What writing one chunk did; `rejections` holds refused and skipped rows alike."""

    created: int = 0
    updated: int = 0
    skipped: int = 0
    rejected: int = 0  # rows refused by validation (skipped ones are counted apart)
    rejections: list[ImportRejection] = field(default_factory=list)


class KindImport(Protocol):
    """A kind of record the runner imports besides customers (contacts, purchases).

    `write` validates and writes one chunk inside the chunk's transaction (it may
    query: these kinds look up their customers and products); the runner does the
    locking, the batch's counters, the rejected rows and the chunk's event.
    """

    #: Column whose equal, adjacent values must stay in one chunk (an order's lines).
    boundary: int | None

    def write(self, first_row: int, rows: list[list[str]]) -> Outcome: ...


def commit_chunk(
    batch: ImportBatch, user: User, first_row: int, end_row: int, write: Callable[[], Outcome]
) -> Outcome:
    """Run `write` and move the batch past the chunk in ONE transaction.

    The batch row is locked and `rows_done` compared first, so two runners of the
    same file cannot both write a chunk; a crash anywhere undoes the whole chunk.
    """
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.rows_done != first_row - 1:
            raise ImportRefused("另一个导入进程正在处理此文件。", code="import_busy")
        out = write()
        ImportRejection.objects.bulk_create(out.rejections, batch_size=500)
        batch.rows_done = end_row - 1
        batch.created_count = locked.created_count + out.created
        batch.updated_count = locked.updated_count + out.updated
        batch.skipped_count = locked.skipped_count + out.skipped
        batch.rejected_count = locked.rejected_count + out.rejected
        batch.status = ImportStatus.RUNNING
        batch.save(
            update_fields=[
                "rows_done", "created_count", "updated_count", "skipped_count",
                "rejected_count", "status",
            ]
        )  # fmt: skip
        events.record(
            user,
            "import.chunk_committed",
            batch,
            summary=f"{batch.file_name}: 第 {first_row}–{end_row - 1} 行，"
            f"新增 {out.created}，更新 {out.updated}，跳过 {out.skipped}，拒绝 {out.rejected}",
        )
    return out


DUPLICATE_SKIPPED = "与已有客户重复，已跳过。"


@dataclass
class Verdict:
    """What becomes of a chunk's valid rows (indexes into its `keys`)."""

    new: list[int] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (row index, reason)
    updates: list[tuple[int, int]] = field(default_factory=list)  # (row index, existing id)
    flagged: dict[int, int] = field(default_factory=dict)  # merge-review: row index → existing id


def classify(
    keys: list[tuple[str, str, str]],
    row_numbers: list[int],
    existing: dict[str, int],
    seen: dict[str, int],
    on_duplicate: str,
) -> Verdict:
    """New, skipped, updating or flagged, by the rows' exact keys (blind indexes of phone
    and ID number, credit code) against `existing` customers and the rows `seen` before
    (filled in here). No database: the writer and the dry run both decide with it."""
    out = Verdict()
    for i, keyset in enumerate(keys):
        match = next((existing[k] for k in keyset if k and k in existing), None)
        earlier = next((seen[k] for k in keyset if k and k in seen), None)
        if earlier is not None:
            out.skipped.append((i, f"与文件第 {earlier} 行重复。"))
            continue
        if match is not None and on_duplicate == OnDuplicate.UPDATE:
            out.updates.append((i, match))
            continue
        if match is not None and on_duplicate != OnDuplicate.MERGE_REVIEW:
            out.skipped.append((i, DUPLICATE_SKIPPED))
            continue
        if match is not None:
            out.flagged[i] = match
        for k in keyset:
            if k:
                seen[k] = row_numbers[i]
        out.new.append(i)
    return out


@dataclass
class Runner:
    batch: ImportBatch
    user: User
    ctx: Context
    writing: Writing
    columns: dict[str, int]
    credit_codes: set[str]
    # Bulk mode: existing keys held in memory (see _known_keys); None: query per chunk.
    known: dict[str, int] | None = None

    def write_chunk(self, p: Prepared) -> None:
        commit_chunk(self.batch, self.user, p.first_row, p.end_row, lambda: self._write(p))

    def _write(self, p: Prepared) -> Outcome:
        batch = self.batch
        if self.known is None:
            existing = _existing(p.keys, self.credit_codes)
        else:
            existing = {k: self.known[k] for ks in p.keys for k in ks if k and k in self.known}
        rejected = [
            ImportRejection(batch_id=batch.pk, row_number=n, values=c, reason=r)
            for n, c, r in p.rejected
        ]
        verdict = classify(p.keys, p.row_numbers, existing, {}, batch.on_duplicate)
        updated = 0
        skips = list(verdict.skipped)
        for i, match in verdict.updates:
            if self._update(match, p.cleaned[i]):
                updated += 1
            else:  # the user may not change the customer it duplicates
                skips.append((i, DUPLICATE_SKIPPED))
        for i, reason in skips:
            number = p.row_numbers[i]
            rejected.append(self._skip(number, p.cells(number), reason))
        new_rows, duplicates, skipped = verdict.new, verdict.flagged, len(skips)
        ids = reserve_ids(len(new_rows))
        customers = [(pk, *p.customers[i]) for pk, i in zip(ids, new_rows, strict=True)]
        addresses = [
            (pk, *p.addresses[i])  # type: ignore[misc]
            for pk, i in zip(ids, new_rows, strict=True)
            if p.addresses[i] is not None
        ]
        records = [
            (batch.pk, p.row_numbers[i], pk, duplicates.get(i))
            for pk, i in zip(ids, new_rows, strict=True)
        ]
        insert_rows(Customer._meta.db_table, CUSTOMER_COLUMNS, customers)
        insert_rows(Address._meta.db_table, ADDRESS_COLUMNS, addresses)
        insert_rows(ImportedRecord._meta.db_table, RECORD_COLUMNS, records)
        # In the chunk's transaction (a savepoint in bulk mode), beside the customers the
        # pairs name: a chunk commits with its pairs or rolls back without them, so a
        # resume queues each pair exactly once with no bookkeeping of its own — a pass
        # after the run would need a "queued up to" mark of its own to survive a crash.
        queue_pairs(
            (pk, duplicates[i]) for pk, i in zip(ids, new_rows, strict=True) if i in duplicates
        )
        for pk, i in zip(ids, new_rows, strict=True):
            if p.keys[i][2]:
                self.credit_codes.add(p.keys[i][2])
            if self.known is not None:
                for key in p.keys[i]:
                    if key:
                        self.known.setdefault(key, pk)
        return Outcome(len(new_rows), updated, skipped, len(p.rejected), rejected)

    def _skip(self, number: int, cells: list[str], reason: str) -> ImportRejection:
        return ImportRejection(
            batch_id=self.batch.pk, row_number=number, values=cells, reason=reason
        )

    def _update(self, customer_id: int, cleaned: dict[str, Any]) -> bool:
        """Fill the existing customer with the row's non-empty values, if the user may."""
        customer = Customer.objects.restrict(self.user, CHANGE).filter(pk=customer_id).first()
        if customer is None:
            return False
        data = {
            k: v
            for k, v in cleaned.items()
            if k in customer_actions.CUSTOMER_FIELDS
            and v not in ("", None)
            and k not in ("kind", "source_channel", "collected_at", "stage", "value_class")
        }
        if cleaned["industry"]:
            data["industry_id"] = cleaned["industry"]
            data.pop("industry", None)
        with transaction.atomic():
            customer_actions.update_customer(customer, data, by=self.user)
        return True


# ---- starting, resuming and running a batch -------------------------------------------


# Per kind: the fields a mapping must name, and what --on-duplicate may be.
# Contacts: a duplicate is a contact of the same customer with the same phone (or,
# without a phone, the same name) — skipped, or filled in with the row's values.
# Purchases: a duplicate is an order number that exists already — always skipped,
# because an order is history: re-importing it must not move the customer's
# totals twice, and a re-run must end with exactly the file's orders.
REQUIRED: dict[str, dict[str, str]] = {
    ImportKind.CUSTOMERS: {"name": "请指定哪一列是客户名称。"},
    ImportKind.CONTACTS: {"name": "请指定哪一列是联系人姓名。"},
    ImportKind.PURCHASES: {
        "number": "请指定哪一列是订单号。",
        "ordered_at": "请指定哪一列是下单时间。",
        "product": "请指定哪一列是产品。",
        "quantity": "请指定哪一列是数量。",
    },
}
ON_DUPLICATE: dict[str, tuple[str, ...]] = {
    ImportKind.CUSTOMERS: (OnDuplicate.SKIP, OnDuplicate.UPDATE, OnDuplicate.MERGE_REVIEW),
    ImportKind.CONTACTS: (OnDuplicate.SKIP, OnDuplicate.UPDATE),
    ImportKind.PURCHASES: (OnDuplicate.SKIP,),
}


def check_options(kind: str, mapped: dict[str, str], on_duplicate: str) -> None:
    """Refuse a mapping that lacks a required field, or a duplicate rule the kind lacks."""
    if kind not in REQUIRED:
        raise ImportRefused("不支持的导入类型。", code="unsupported_kind", field="kind")
    for name, message in REQUIRED[kind].items():
        if not mapped.get(name):
            raise ImportRefused(message, code=f"{name}_unmapped", field=name)
    if kind != ImportKind.CUSTOMERS and not any(mapped.get(f) for f in REF_FIELDS):
        raise ImportRefused(
            "请指定哪一列是客户编号、统一社会信用代码或客户手机。",
            code="customer_unmapped",
            field=REF_FIELDS[0],
        )
    if on_duplicate not in ON_DUPLICATE[kind]:
        allowed = "、".join(str(OnDuplicate(v).label) for v in ON_DUPLICATE[kind])
        raise ImportRefused(
            f"此类导入遇到重复时只能选择：{allowed}。", code="on_duplicate", field="on_duplicate"
        )


def _check_may_import(user: User, owner: User | None, kind: str = ImportKind.CUSTOMERS) -> User:
    if kind != ImportKind.CUSTOMERS:
        # Contacts and purchases attach to customers the user may change (checked per row).
        if scope_for(user, CHANGE) == Scope.NONE:
            raise ImportRefused("你没有修改客户的权限，不能导入。", code="forbidden")
        return user
    if scope_for(user, ADD) == Scope.NONE:
        raise ImportRefused("你没有导入客户的权限。", code="forbidden")
    owner = owner or user
    if owner != user:
        customer_actions._check_assignable(owner, by=user)
    return owner


def start_batch(
    path: Path,
    *,
    user: User,
    kind: str = ImportKind.CUSTOMERS,
    columns: dict[str, str] | None = None,
    source_channel: str = "internal",
    on_duplicate: str = OnDuplicate.SKIP,
    owner: User | None = None,
    file_name: str = "",
) -> ImportBatch:
    """The batch for this file: a new one, or the earlier one to resume (same sha256).

    A resumed batch keeps the mapping and options it started with, so its rows
    mean the same thing before and after the crash.
    """
    if kind not in REQUIRED:
        raise ImportRefused("不支持的导入类型。", code="unsupported_kind")
    owner = _check_may_import(user, owner, kind)
    info = reading.inspect(path)
    existing = ImportBatch.objects.filter(kind=kind, sha256=info.sha256, user=user).first()
    if existing is not None:
        return existing
    header, data_rows = reading.read_rows(path, info)
    mapped = columns or mapping.guess_mapping(kind, header)
    try:
        mapping.column_indexes(mapped, header)
    except KeyError as exc:
        raise ImportRefused(f"文件中没有列“{exc.args[0]}”。", code="unknown_column") from exc
    check_options(kind, mapped, on_duplicate)
    total = sum(1 for _ in data_rows)
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            kind=kind,
            sha256=info.sha256,
            file_name=file_name or path.name,
            file_path=str(path),
            mapping=mapped,
            source_channel=source_channel,
            on_duplicate=on_duplicate,
            owner=owner,
            user=user,
            total_rows=total,
        )
        events.record(user, "import.started", batch, summary=f"{batch.file_name}（{total} 行）")
    return batch


def writing_for(user: User, owner: User | None, keep_cleaned: bool) -> Writing:
    """The constants of `user`'s import of customers for `owner` (default: the user)."""
    owner = owner or user
    forced = user.region_id if user.role == Role.REGIONAL_MANAGER else None
    region_by_prefix: dict[str, int] = {}
    for region in Region.objects.all():
        for prefix in region.province_prefixes or []:
            region_by_prefix.setdefault(prefix, region.pk)
    suffix = "+00" if connection.vendor == "postgresql" else ""
    return Writing(
        owner_id=owner.pk,
        team_id=owner.team_id,
        owner_region_id=owner.region_id,
        forced_region_id=forced,
        region_by_prefix=region_by_prefix,
        now=stamp(timezone.now(), suffix),
        tz_suffix=suffix,
        keep_cleaned=keep_cleaned,
    )


def chunks(
    batch: ImportBatch, size: int, boundary: int | None = None
) -> Iterator[tuple[int, list[list[str]]]]:
    """(first row number, rows) after the batch's committed rows; row 1 is the first data row.

    With `boundary`, a chunk grows past `size` until that column's value changes,
    so the adjacent lines of one order always commit together.
    """
    path = Path(batch.file_path)
    info = reading.inspect(path)
    if info.sha256 != batch.sha256:
        raise ImportRefused("文件已改变，无法继续导入。", code="file_changed")
    _header, data_rows = reading.read_rows(path, info)
    remaining = itertools.islice(data_rows, batch.rows_done, None)
    yield from split(remaining, batch.rows_done + 1, size, boundary)


def split(
    remaining: Iterator[list[str]], number: int, size: int, boundary: int | None = None
) -> Iterator[tuple[int, list[list[str]]]]:
    """Rows → (first row number, chunk); see `chunks`."""
    carry: list[list[str]] = []
    while chunk := carry + list(itertools.islice(remaining, size - len(carry))):
        carry = []
        if boundary is not None:
            last = _cell(chunk[-1], boundary)
            for row in remaining:
                if _cell(row, boundary) != last:
                    carry = [row]
                    break
                chunk.append(row)
        yield number, chunk
        number += len(chunk)


def _cell(row: list[str], index: int) -> str:
    return row[index].strip() if index < len(row) else ""


def count_rows(batch: ImportBatch) -> int:
    """Data rows in the batch's file (the progress bar's total)."""
    path = Path(batch.file_path)
    _header, data_rows = reading.read_rows(path, reading.inspect(path))
    return sum(1 for _ in data_rows)


def header_of(batch: ImportBatch) -> list[str]:
    path = Path(batch.file_path)
    header, data_rows = reading.read_rows(path, reading.inspect(path))
    data_rows.close()  # type: ignore[attr-defined]
    return header


def chunk_rows_setting() -> int:
    return int(settings.GUANXI_IMPORT_CHUNK_ROWS)


def bulk_mode(batch: ImportBatch) -> bool:
    """Whether the rest of this customer batch loads in one transaction (see the module doc).

    Rebuilding an index sorts the whole table, so it pays when the file is at
    least as large as what is there already; below GUANXI_IMPORT_BULK_ROWS (0
    turns bulk mode off) the chunked path's short transactions are kinder to
    the people working beside the import, who wait for the write lock meanwhile.
    """
    threshold = int(settings.GUANXI_IMPORT_BULK_ROWS)
    remaining = batch.total_rows - batch.rows_done
    if connection.vendor != "sqlite" or batch.kind != ImportKind.CUSTOMERS:
        return False
    return bool(threshold) and remaining >= threshold and remaining >= Customer.objects.count()


def default_workers(batch: ImportBatch, size: int) -> int:
    """Processes preparing rows beside the writer: one, for a file of several chunks.

    On two cores one preparer and the writer keep both busy; a second preparer
    only takes CPU from the writer, which is the bound at a million rows
    (2026-12-05: 53 s with one, 61 s with two). Small files stay in-process: a
    worker's start (a spawn sets Django up, ~1 s) would cost more than it saves.
    """
    if (os.cpu_count() or 1) < 2 or batch.total_rows - batch.rows_done < max(4 * size, 20_000):
        return 0
    return 1


def run_batch(
    batch: ImportBatch,
    *,
    user: User,
    progress: Progress | None = None,
    chunk_rows: int | None = None,
    workers: int | None = None,
) -> ImportBatch:
    """Import the rows after `rows_done`, one committed chunk at a time (or bulk mode).

    `workers`: processes preparing rows beside the writer (0: the writer prepares
    them itself); None chooses (`default_workers`).
    """
    if batch.status == ImportStatus.DONE:
        return batch
    if batch.user_id != user.pk:
        raise ImportRefused("只能继续自己的导入。", code="not_yours")
    _check_may_import(user, batch.owner, batch.kind)
    size = chunk_rows or chunk_rows_setting()
    header = header_of(batch)
    columns = mapping.column_indexes(batch.mapping, header)
    if batch.kind != ImportKind.CUSTOMERS:
        kind = kind_import(batch, user, columns)
        return _run_kind(batch, user, kind, size, progress, workers)
    ctx = Context.load(batch.source_channel, batch.created_at)
    writing = writing_for(user, batch.owner, batch.on_duplicate == OnDuplicate.UPDATE)
    credit_codes = set(
        Customer.objects.exclude(credit_code="").values_list("credit_code", flat=True)
    )
    runner = Runner(batch, user, ctx, writing, columns, credit_codes)
    crypto.key_ring()  # load keys before any worker forks
    bulk = bulk_mode(batch)
    if workers is None:
        workers = default_workers(batch, size)
    try:
        prepare = functools.partial(prepare_chunk, columns=columns, ctx=ctx, w=writing)
        prepared = (p for _first, _rows, p in _prepared(batch, size, prepare, workers))
        if bulk:
            _run_bulk(runner, prepared, progress)
        else:
            statistics = PlannerStatistics()
            for chunk in prepared:
                runner.write_chunk(chunk)
                statistics.grew(batch.created_count)
                if progress is not None:
                    progress(batch)
    except Exception as exc:
        live.clear(batch.pk)
        _failed(batch, exc)
        raise
    return _finish(batch, user, progress)


class PlannerStatistics:
    """PostgreSQL: ANALYZE the customer table each time a chunked import doubles it.

    The per-chunk duplicate lookups (`_existing`) use the blind-index indexes only
    if the planner knows the table is large. With statistics from when it was
    small — autovacuum off (as on this machine's server) or behind a fast import —
    it scans the whole table for every lookup (2026-12-05, 1M rows: 294 ms a
    lookup at the end, a chunk taking 0.4 s at the start and 1.9 s at the end).
    Sampling ANALYZE costs a fraction of a second, a handful of times per import.
    """

    FIRST = 10_000  # rows: the first ANALYZE, then at every doubling

    def __init__(self) -> None:
        self.active = connection.vendor == "postgresql"
        self.start = Customer.objects.count() if self.active else 0
        self.next = max(self.FIRST, 2 * self.start)

    def grew(self, created: int) -> None:
        if not self.active or self.start + created < self.next:
            return
        with connection.cursor() as cursor:
            cursor.execute(f'ANALYZE "{Customer._meta.db_table}"')
        self.next = 2 * (self.start + created)


def _run_bulk(runner: Runner, prepared: Iterator[Prepared], progress: Progress | None) -> None:
    """All chunks, the dropped and re-created indexes and statistics: one transaction."""
    batch = runner.batch
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.RUNNING)
    batch.status = ImportStatus.RUNNING
    batch.phase = live.ROWS  # type: ignore[attr-defined]
    live.publish(batch)

    def indexed(done: int, total: int) -> None:
        batch.phase = live.INDEXING  # type: ignore[attr-defined]
        batch.indexes_done, batch.indexes_total = done, total  # type: ignore[attr-defined]
        live.publish(batch, live.INDEXING, (done, total))
        if progress is not None:
            progress(batch)

    tables = [Customer._meta.db_table, Address._meta.db_table]  # one address per row at most
    with transaction.atomic():
        # Read under the write lock (BEGIN IMMEDIATE), so no customer saved meanwhile
        # escapes the duplicate check.
        runner.known = _known_keys()
        with indexes_built_after(tables, cache_kib=BULK_CACHE_KIB, progress=indexed):
            for chunk in prepared:
                runner.write_chunk(chunk)
                live.publish(batch)
                if progress is not None:
                    progress(batch)
        with connection.cursor() as cursor:
            # Sampled statistics, so the planner knows the table grew (as the demo does).
            cursor.execute("PRAGMA analysis_limit=1000")
            cursor.execute(f'ANALYZE "{Customer._meta.db_table}"')
    live.clear(batch.pk)


def kind_import(batch: ImportBatch, user: User, columns: dict[str, int]) -> KindImport:
    """The writer of a contacts or purchases batch."""
    if batch.kind == ImportKind.CONTACTS:
        from .contacts import ContactImport

        return ContactImport(batch, user, columns)
    from guanxi.sales.imports import PurchaseImport

    return PurchaseImport(batch, user, columns)


def _run_kind(
    batch: ImportBatch,
    user: User,
    kind: KindImport,
    size: int,
    progress: Progress | None,
    workers: int | None,
) -> ImportBatch:
    """Contacts or purchases, a committed chunk at a time. A kind that can validate without
    the database (`preparer`: purchases) does so in a worker process for a large file,
    beside the writer, as customers do; the others validate inside `write`."""
    preparer = getattr(kind, "preparer", None)
    if workers is None:
        workers = default_workers(batch, size) if preparer is not None else 0
    crypto.key_ring()  # customer keys are blind-indexed: load the keys before any fork
    try:
        if preparer is not None:
            work = _prepared(batch, size, preparer(), workers, kind.boundary)
            writes = ((f, r, lambda p=p: kind.commit(p)) for f, r, p in work)  # type: ignore[attr-defined]
        else:
            writes = (
                (f, r, lambda f=f, r=r: kind.write(f, r))
                for f, r in chunks(batch, size, kind.boundary)
            )
        for first, rows_, write in writes:
            commit_chunk(batch, user, first, first + len(rows_), write)
            if progress is not None:
                progress(batch)
    except Exception as exc:
        _failed(batch, exc)
        raise
    return _finish(batch, user, progress)


def _failed(batch: ImportBatch, exc: Exception) -> None:
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportStatus.FAILED, message=str(exc)[:1000]
    )


def _finish(batch: ImportBatch, user: User, progress: Progress | None) -> ImportBatch:
    with transaction.atomic():
        batch.status = ImportStatus.DONE
        batch.finished_at = timezone.now()
        batch.save(update_fields=["status", "finished_at"])
        events.record(
            user,
            "import.finished",
            batch,
            summary=f"{batch.file_name}: 新增 {batch.created_count}，更新 {batch.updated_count}，"
            f"跳过 {batch.skipped_count}，拒绝 {batch.rejected_count}",
        )
    if progress is not None:
        progress(batch)
    return batch


# What a preparing step does with a chunk: (first row, rows) → validated rows, with no
# database; picklable (a module-level function, or a partial of one), so a worker
# process can run it.
Prepare = Callable[[int, list[list[str]]], Any]


def _prepare_remote(task: tuple[Prepare, int, list[list[str]]]) -> Any:
    prepare, first, chunk = task
    prepared = prepare(first, chunk)
    if isinstance(prepared, Prepared):
        prepared.source = []  # not pickled back: `_prepared` re-attaches the writer's copy
    return prepared


def _prepared(
    batch: ImportBatch, size: int, prepare: Prepare, workers: int, boundary: int | None = None
) -> Iterator[tuple[int, list[list[str]], Any]]:
    """(first row, rows, prepare's result) for each chunk after the committed rows, in
    order; with `workers`, prepared in that many processes while the caller writes."""
    if workers < 1:
        for first, chunk in chunks(batch, size, boundary):
            yield first, chunk, prepare(first, chunk)
        return
    sent: collections.deque[tuple[int, list[list[str]]]] = collections.deque()

    def feed() -> Iterator[tuple[Prepare, int, list[list[str]]]]:  # the pool's feeder thread
        for first, chunk in chunks(batch, size, boundary):
            sent.append((first, chunk))
            yield prepare, first, chunk

    import multiprocessing
    import threading

    # fork: the workers inherit Django's setup and the key ring; they never touch the DB.
    # A threaded parent (the Huey consumer's worker threads) must not fork — another
    # thread may hold a lock the child would inherit locked — so it spawns fresh
    # interpreters that set Django up first.
    if threading.active_count() == 1:
        pool = multiprocessing.get_context("fork").Pool(workers)
    else:
        import django

        # The initializer by reference to django itself: unpickling anything of
        # guanxi's before setup would import models into an unready registry.
        pool = multiprocessing.get_context("spawn").Pool(workers, initializer=django.setup)
    with pool:
        for prepared in pool.imap(_prepare_remote, feed(), chunksize=1):
            first, chunk = sent.popleft()  # imap keeps the order chunks were sent in
            if isinstance(prepared, Prepared):
                prepared.source = chunk
            yield first, chunk, prepared
