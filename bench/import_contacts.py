"""Import N contacts onto existing customers and compare with a raw insert of the same rows.

    GUANXI_DATA_DIR=/tmp/gx-bench .venv/bin/python bench/import_contacts.py --rows 100000

Setup (not timed): 2,000 customers through the customer import. Each file row
names its customer by the customer's phone (客户手机) and carries a contact with
its own phone, e-mail, title and role; every row goes through ContactForm.
Baseline: the contacts the import wrote, read back and inserted raw into an empty
twin of the table in one transaction (executemany / COPY), in the same run.
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

HEADER = ["客户手机", "联系人", "职务", "角色", "手机", "邮箱", "主要联系人"]


def main() -> None:
    from bench.import_purchases import customers_to_attach_to, raw_twin_insert, rows_argument

    rows_count = rows_argument()
    from django.db import connection
    from tests.imports.files import write_table

    from guanxi.customers.imports import runner
    from guanxi.customers.models import Contact
    from guanxi.demo.batches import CONTACT_COLUMNS

    tmp = Path(os.environ.get("TMPDIR", "/tmp"))
    user = customers_to_attach_to(tmp)
    rng = random.Random(5)
    rows = [
        [f"139{rng.randrange(2000):08d}", f"联系人{i}", "采购经理", "采购", f"137{i:08d}",
         f"c{i}@example.com", "是" if i % 10 == 0 else ""]
        for i in range(rows_count)
    ]  # fmt: skip
    file = write_table(tmp / f"bench-contacts-{rows_count}.csv", HEADER, rows)

    started, cpu_started = time.perf_counter(), time.process_time()
    batch = runner.start_batch(file, user=user, kind="contacts")
    batch = runner.run_batch(batch, user=user)
    import_s, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    raw = raw_twin_insert([(Contact, ("id", *CONTACT_COLUMNS))])

    print(f"database: {connection.vendor}; rows in file: {rows_count}; created: "
          f"{batch.created_count}; rejected: {batch.rejected_count}")  # fmt: skip
    print(f"import: {import_s:.1f} s = {rows_count / import_s:,.0f} rows/s (cpu {cpu:.1f} s)")
    print(f"raw insert of the same contacts: {raw:.2f} s")
    print(f"ratio import / raw: {import_s / raw:.1f}x")
    print(f"load average at the end: {' '.join(open('/proc/loadavg').read().split()[:3])}")


if __name__ == "__main__":
    main()
