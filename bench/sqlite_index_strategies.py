"""How to write a million customer rows into SQLite: keep the indexes, or build them after.

    .venv/bin/python bench/sqlite_index_strategies.py SOURCE.sqlite3 STRATEGY [ROWS]

SOURCE is a Guanxi database holding the rows (e.g. the data dir of a
`bench/import_customers.py --rows 1000000` run). The rows are read into memory
first, then written into a fresh database file with the same table and indexes:

  chunked   5,000-row transactions, all indexes kept (the chunked import)
  chunked-big-cache   the same with a 2 GB page cache
  batched   50,000-row transactions, 2 GB cache
  single    one transaction, 2 GB cache
  rebuild   no secondary indexes while writing (5,000-row transactions), then
            CREATE INDEX for each (the bulk mode)
  rebuild-random   only the six random-key indexes (name, pinyin, initials,
            phone, last four, ID number) dropped and rebuilt; the others, whose
            keys an import appends at one end, kept

Foreign keys are off (the fresh file has no parent tables), so the figures are
the b-tree work alone. PAGE_SIZE=N in the environment sets the fresh file's page
size (SQLite's default, and Guanxi's, is 4096).
"""

from __future__ import annotations

import os
import sqlite3
import sys
import time
from pathlib import Path

RANDOM_KEYS = ('"cust_name"', '"cust_pinyin"', '"cust_initials"', '"cust_phone"',
               '"cust_phone4"', '"cust_idno"')  # fmt: skip
STRATEGIES = {  # chunk rows, cache size, which indexes are dropped and rebuilt
    "chunked": (5_000, -65_536, "none"),
    "chunked-big-cache": (5_000, -2_000_000, "none"),
    "batched": (50_000, -2_000_000, "none"),
    "single": (10**9, -2_000_000, "none"),
    "rebuild": (5_000, -65_536, "all"),
    "rebuild-random": (5_000, -65_536, "random"),
}


def main() -> None:
    source, strategy = sys.argv[1], sys.argv[2]
    limit = int(sys.argv[3]) if len(sys.argv) > 3 else 10**9
    chunk, cache, rebuilt = STRATEGIES[strategy]
    src = sqlite3.connect(source)
    table_sql = src.execute(
        "SELECT sql FROM sqlite_master WHERE name = 'customers_customer'"
    ).fetchone()[0]
    index_sql = [
        row[0]
        for row in src.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index'"
            " AND tbl_name = 'customers_customer' AND sql IS NOT NULL"
        )
    ]
    columns = [row[1] for row in src.execute("PRAGMA table_info(customers_customer)")]
    rows = src.execute(f"SELECT * FROM customers_customer ORDER BY id LIMIT {limit}").fetchall()

    target = Path("/tmp/bench-index-strategies.sqlite3")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    db = sqlite3.connect(target, isolation_level=None)
    db.execute(f"PRAGMA page_size={int(os.environ.get('PAGE_SIZE', '4096'))}")
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", f"cache_size={cache}",
                   "mmap_size=1073741824", "temp_store=MEMORY"):  # fmt: skip
        db.execute("PRAGMA " + pragma)
    db.execute(table_sql)
    if rebuilt == "all":
        later = index_sql
    elif rebuilt == "random":
        later = [sql for sql in index_sql if any(key in sql for key in RANDOM_KEYS)]
    else:
        later = []
    for sql in index_sql:
        if sql not in later:
            db.execute(sql)

    insert = (
        f"INSERT INTO customers_customer ({', '.join(columns)})"
        f" VALUES ({', '.join('?' * len(columns))})"
    )
    started = time.perf_counter()
    for start in range(0, len(rows), chunk):
        db.execute("BEGIN IMMEDIATE")
        db.executemany(insert, rows[start : start + chunk])
        db.execute("COMMIT")
    written = time.perf_counter()
    db.execute("BEGIN IMMEDIATE")
    for sql in later:
        db.execute(sql)
    db.execute("COMMIT")
    done = time.perf_counter()
    print(f"{strategy}: {len(rows):,} rows, {len(index_sql)} indexes ({len(later)} rebuilt)")
    print(f"  insert {written - started:.1f} s, create indexes {done - written:.1f} s, "
          f"total {done - started:.1f} s = {len(rows) / (done - started):,.0f} rows/s")  # fmt: skip
    target.unlink()


if __name__ == "__main__":
    main()
