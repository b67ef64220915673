"""CPU cost of preparing customer rows (validate, encrypt, index, pinyin) without the database.

    GUANXI_DATA_DIR=/tmp/gx-bench .venv/bin/python bench/import_prepare.py --rows 50000

Times `runner.prepare_chunk` on generated rows with `time.process_time()` (best of
3), which stays meaningful on a machine shared with other jobs. To compare with an
older commit: `git archive <commit> | tar -x -C DIR` and run with PYTHONPATH=DIR/src.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone
    from tests.imports.files import HEADER, customer_rows

    import guanxi
    from guanxi.customers.imports import mapping, runner
    from guanxi.customers.imports.rows import Context

    call_command("migrate", verbosity=0)
    rows = customer_rows(args.rows, seed=7)
    columns = mapping.column_indexes(mapping.guess_mapping("customers", HEADER), HEADER)
    ctx = Context.load("internal", timezone.now())
    writing = runner.Writing(1, None, None, None, {}, "2026-01-01 00:00:00", "", False)
    runner.prepare_chunk(1, rows[:200], columns, ctx, writing)  # warm caches and imports
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        runner.prepare_chunk(1, rows, columns, ctx, writing)
        best = min(best, time.process_time() - start)
    print(f"code: {Path(guanxi.__file__).parent}")
    print(
        f"prepare: {best / len(rows) * 1e6:.1f} CPU-µs a row = {len(rows) / best:,.0f} rows/CPU-s"
    )


if __name__ == "__main__":
    main()
