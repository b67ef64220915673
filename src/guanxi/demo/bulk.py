"""Fast writers for the demo load: executemany on SQLite, COPY on PostgreSQL.

The ORM's per-row save would spend an hour on ten million lines; here each
batch is one transaction of multi-row writes. Keys are assigned by the
generator (customers) or by the writer (orders, from one running counter), so
rows can reference each other without reading ids back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max

from guanxi.core.bulkload import DeferredIndexes
from guanxi.customers.models import Address, Contact, Customer
from guanxi.sales.models import Order, OrderLine

from .batches import (
    ADDRESS_COLUMNS,
    CONTACT_COLUMNS,
    CUSTOMER_COLUMNS,
    LINE_COLUMNS,
    ORDER_COLUMNS,
    TAG_COLUMNS,
    Batch,
)

Rows = Sequence[tuple[Any, ...]]

TABLES = (
    (Customer._meta.db_table, CUSTOMER_COLUMNS, "customers"),
    (Contact._meta.db_table, CONTACT_COLUMNS, "contacts"),
    (Address._meta.db_table, ADDRESS_COLUMNS, "addresses"),
    (Customer.tags.through._meta.db_table, TAG_COLUMNS, "tags"),
    (Order._meta.db_table, ORDER_COLUMNS, "orders"),
    (OrderLine._meta.db_table, LINE_COLUMNS, "lines"),
)
MODELS = (Customer, Contact, Address, Customer.tags.through, Order, OrderLine)


def next_ids() -> tuple[int, int]:
    """First free customer and order ids, so a second run appends after the first."""
    customer = Customer.objects.aggregate(m=Max("id"))["m"] or 0
    order = Order.objects.aggregate(m=Max("id"))["m"] or 0
    return customer + 1, order + 1


def renumber(batch: Batch, first_order: int) -> dict[str, Rows]:
    """Turn the batch-local order indexes (first column of orders and lines) into ids."""
    return {
        "customers": batch.customers,
        "contacts": batch.contacts,
        "addresses": batch.addresses,
        "tags": batch.tags,
        "orders": [(first_order + row[0], *row[1:]) for row in batch.orders],
        "lines": [(first_order + row[0], *row[1:]) for row in batch.lines],
    }


class BulkWriter:
    """Write batches inside one transaction each; `finish()` leaves the database tidy."""

    tz_suffix = ""

    def __enter__(self) -> BulkWriter:
        connection.ensure_connection()
        self.prepare()
        return self

    def __exit__(self, *exc: object) -> None:
        self.restore()

    def prepare(self) -> None:
        pass

    def restore(self) -> None:
        pass

    def write(self, batch: Batch, first_order: int) -> None:
        tables = renumber(batch, first_order)
        with transaction.atomic():
            for table, columns, key in TABLES:
                if tables[key]:
                    self.write_rows(table, columns, tables[key])

    def write_rows(self, table: str, columns: Sequence[str], rows: Rows) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        """Bring sequences past the ids we chose and refresh planner statistics."""
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), list(MODELS)):
                cursor.execute(statement)


class SqliteWriter(BulkWriter):
    """executemany per table; for big loads the secondary indexes are rebuilt at the end.

    Inserting into twenty b-trees keyed by random values (pinyin, blind indexes)
    is what slows a SQLite load as the file grows; CREATE INDEX over the loaded
    table sorts once instead. Searches are slow while a big load runs.
    """

    def __init__(self, rebuild_indexes: bool = False) -> None:
        self.rebuild_indexes = rebuild_indexes
        self.indexes = DeferredIndexes(table for table, _columns, _key in TABLES)

    def prepare(self) -> None:
        if self.rebuild_indexes and not connection.in_atomic_block:
            self.indexes.drop()
        # SQLite refuses to change the safety level inside a transaction (tests).
        self.relaxed = not connection.in_atomic_block
        with connection.cursor() as cursor:
            if self.relaxed:
                # A crash during the demo load loses only demo rows, so skip the fsyncs.
                cursor.execute("PRAGMA synchronous=OFF")
            # A bigger page cache keeps the index b-trees in memory while they grow.
            cursor.execute("PRAGMA cache_size=-1048576")

    def restore(self) -> None:
        self.indexes.create()  # also after a failed load: the schema must come back whole
        with connection.cursor() as cursor:
            if self.relaxed:
                cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA cache_size=-65536")

    def write_rows(self, table: str, columns: Sequence[str], rows: Rows) -> None:
        marks = ", ".join("?" * len(columns))
        sql = f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({marks})'
        # The raw sqlite3 cursor: Django's wrapper would rewrite %s per statement.
        connection.connection.executemany(sql, rows)

    def finish(self) -> None:
        super().finish()
        self.indexes.create()
        with connection.cursor() as cursor:
            # Sampled statistics (sqlite_stat1) so the planner picks the selective index.
            cursor.execute("PRAGMA analysis_limit=1000")
            cursor.execute("ANALYZE")


class PostgresWriter(BulkWriter):
    tz_suffix = "+00"

    def write_rows(self, table: str, columns: Sequence[str], rows: Rows) -> None:
        with connection.cursor() as cursor:
            raw = cursor.cursor  # the psycopg 3 cursor under Django's wrapper
            with raw.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)

    def finish(self) -> None:
        super().finish()
        with connection.cursor() as cursor:
            for table, _columns, _key in TABLES:
                cursor.execute(f'ANALYZE "{table}"')


def writer_for_connection(rows_expected: int = 0) -> BulkWriter:
    if connection.vendor == "postgresql":
        return PostgresWriter()
    if connection.vendor == "sqlite":
        # Rebuilding costs a full sort of each table, worth it when the load is
        # a large share of what will be there afterwards.
        existing = Customer.objects.count()
        return SqliteWriter(rebuild_indexes=rows_expected >= 50_000 and rows_expected > existing)
    raise RuntimeError(f"demo data supports SQLite and PostgreSQL, not {connection.vendor}")
