"""Speed of duplicate detection over the customers table (read only: the queue is not written).

Usage: GUANXI_DATA_DIR=/tmp/gx-bench-sqlite .venv/bin/python bench/dedup_scan.py [LIMIT]
Prints each stage's seconds, the pairs compared, pairs ≥ 0.5 and the peak RSS.
"""

from __future__ import annotations

import os
import resource
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
import django  # noqa: E402

django.setup()

from guanxi.customers.dedup.linkage import link  # noqa: E402
from guanxi.customers.dedup.population import (  # noqa: E402
    default_m,
    default_model,
    load_customers,
)  # noqa: E402


def main() -> None:
    t0 = time.perf_counter()
    limit = int(sys.argv[1]) if len(sys.argv) > 1 else None
    ids, cols = load_customers(limit=limit)
    t1 = time.perf_counter()
    print(f"load + normalise: {len(ids)} customers in {t1 - t0:.1f} s", flush=True)
    linkage = link(cols, max_block=300, m_prior=list(default_m()), u_prior=list(default_model().u))
    t2 = time.perf_counter()
    for r in linkage.blocking:
        print(
            f"  rule {r.rule}: {r.pairs} pairs, {r.skipped_blocks} blocks skipped ({r.skipped_records} records)"
        )
    likely = int((linkage.probability >= 0.5).sum())
    print(
        f"block + compare + EM + score: {len(linkage.left)} pairs in {t2 - t1:.1f} s; {likely} pairs ≥ 0.5"
    )
    print(
        f"total {t2 - t0:.1f} s on {os.cpu_count()} cores; peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
    )


if __name__ == "__main__":
    main()
