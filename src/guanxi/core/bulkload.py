"""Loading many rows into SQLite: build the secondary indexes once, after the rows.

SQLite keeps every index of a table up to date on each INSERT, one b-tree
descent per index and row; with the customer table's seventeen indexes that is
most of a big load's time (2026-12-05, 2-core machine, 1M customer rows:
executemany into the indexed table 38 s even with the whole table in cache;
into the bare table 8 s, then CREATE INDEX for all 17 of them 14.5 s — each
index is one scan and one sort; bench/sqlite_index_strategies.py). Dropping the indexes first and creating them again at
the end is what SQLite's own documentation advises for bulk loads.

Two ways to use it:
- `indexes_built_after`, inside the caller's transaction (the customer import's
  bulk mode, the value and churn score tables): DROP, INSERT and CREATE commit
  together, so a crash rolls back to the indexed table and other connections
  (WAL readers) keep seeing the old, indexed snapshot throughout;
- `DeferredIndexes` across transactions (the demo load): the indexes are gone
  while the load runs and `create` must run in a `finally`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from django.db import connection


class DeferredIndexes:
    """The secondary indexes of some tables, dropped now and created again later."""

    def __init__(self, tables: Iterable[str]) -> None:
        self.tables = tuple(tables)
        self.dropped: list[tuple[str, str]] = []  # (name, CREATE INDEX statement)

    def drop(self) -> None:
        if connection.vendor != "sqlite":
            raise RuntimeError("deferred indexes are for SQLite loads only")
        marks = ", ".join("%s" for _ in self.tables)
        with connection.cursor() as cursor:
            # sql IS NULL: the automatic indexes of UNIQUE constraints, which stay.
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
                f" AND tbl_name IN ({marks}) ORDER BY name",
                list(self.tables),
            )
            for name, sql in cursor.fetchall():
                cursor.execute(f'DROP INDEX "{name}"')
                self.dropped.append((name, sql))

    def create(self, progress: Callable[[int, int], None] | None = None) -> None:
        """Create what `drop` dropped; `progress(done, total)` after each index."""
        total = len(self.dropped)
        with connection.cursor() as cursor:
            while self.dropped:
                cursor.execute(self.dropped[0][1])
                self.dropped.pop(0)
                if progress is not None:
                    progress(total - len(self.dropped), total)


@contextmanager
def indexes_built_after(
    tables: Iterable[str],
    *,
    cache_kib: int,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[None]:
    """SQLite: drop the tables' secondary indexes, let the caller load, build them again.

    Meant for the caller's transaction: on an exception the indexes are not
    rebuilt here, the rollback brings them back. Meanwhile the page cache is
    `cache_kib` KiB, so the loaded pages stay in memory until commit instead of
    spilling to the WAL and being read back; it returns to what it was after.
    Elsewhere (PostgreSQL) it does nothing: DROP INDEX would lock out readers.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        cache = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = -{int(cache_kib)}")
    try:
        indexes = DeferredIndexes(tables)
        indexes.drop()
        yield
        indexes.create(progress)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {cache}")
