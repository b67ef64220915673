"""Speed of duplicate detection over the customers table (read only unless --write).

Usage: GUANXI_DATA_DIR=/tmp/gx-bench-dedup .venv/bin/python bench/dedup_scan.py
           [--limit N] [--no-tf] [--sample 20] [--json bench/out/dedup-scan.jsonl]
       GUANXI_DATA_DIR=/tmp/gx-bench-dedup .venv/bin/python bench/dedup_scan.py --write
           (the real `guanxi dedup scan` path: writes the queue and the name counts;
            only on a copy, after `guanxi manage migrate dedup`)

Prints each stage's seconds, the pairs compared, pairs ≥ 0.5, peak RSS and load
averages; then what the likely pairs agree on (which fields carry them) and the
top pairs with their reasons, so a run on data without planted duplicates can be
judged by eye. `--no-tf` scores without the name-frequency adjustment (the
engine before it), on the same load, for a before/after on one database.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import resource
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402

from guanxi.customers.dedup.frequency import value_counts  # noqa: E402
from guanxi.customers.dedup.linkage import link  # noqa: E402
from guanxi.customers.dedup.population import (  # noqa: E402
    default_m,
    default_model,
    load_customers,
)
from guanxi.customers.models import Customer  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--no-tf", action="store_true", help="no name-frequency adjustment")
    parser.add_argument("--sample", type=int, default=20, help="top pairs printed")
    parser.add_argument("--json", type=Path, default=None, help="append a JSON line of figures")
    parser.add_argument("--write", action="store_true", help="run queue.scan() and write")
    args = parser.parse_args()
    if args.write:
        write_scan()
        return
    load_before = os.getloadavg()
    t0 = time.perf_counter()
    ids, cols = load_customers(limit=args.limit)
    t1 = time.perf_counter()
    print(f"load + normalise: {len(ids)} customers in {t1 - t0:.1f} s", flush=True)
    linkage = link(
        cols,
        max_block=300,
        m_prior=list(default_m()),
        u_prior=list(default_model().u),
        term_frequencies=not args.no_tf,
    )
    t2 = time.perf_counter()
    for r in linkage.blocking:
        print(
            f"  rule {r.rule}: {r.pairs} pairs, {r.skipped_blocks} blocks skipped "
            f"({r.skipped_records} records)"
        )
    likely = np.flatnonzero(linkage.probability >= 0.5)
    print(
        f"block + compare + EM + score: {len(linkage.left)} pairs in {t2 - t1:.1f} s; "
        f"{len(likely)} pairs ≥ 0.5 (tf adjustment {'off' if args.no_tf else 'on'})"
    )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"total {t2 - t0:.1f} s on {os.cpu_count()} cores; peak RSS {rss:.0f} MiB")
    names = value_counts(cols["full_name"])
    bags = value_counts(cols["full_name_bag"])
    print(f"names held by ≥ 2 customers: {len(names)}; pinyin bags: {len(bags)}")

    # What carries the likely pairs: the set of fields at their top level.
    carried: collections.Counter[str] = collections.Counter()
    tops = [c.n_levels - 1 for c in linkage.comparisons]
    for k in likely:
        agree = [
            c.name for n, c in enumerate(linkage.comparisons) if linkage.gamma[k, n] == tops[n]
        ]
        carried["+".join(agree) or "(none exact)"] += 1
    print("pairs ≥ 0.5 by the fields that agree exactly:")
    for key, count in carried.most_common(12):
        print(f"  {count:7d}  {key}")

    order = likely[np.argsort(-linkage.probability[likely], kind="stable")]
    step = max(len(order) // args.sample, 1) if len(order) > args.sample else 1
    sample = order[::step][: args.sample]
    names_by_id = dict(
        Customer.objects.filter(
            pk__in=[int(ids[i]) for k in sample for i in (linkage.left[k], linkage.right[k])]
        ).values_list("pk", "name")
    )
    print(f"every {step}th pair ≥ 0.5 from the most likely down:")
    for k in sample:
        a, b = int(ids[linkage.left[k]]), int(ids[linkage.right[k]])
        why = "; ".join(f"{f}:{lbl} {w:+.1f}" for f, lbl, w in linkage.reasons(int(k)))
        print(f"  {linkage.probability[k]:.3f} {names_by_id.get(a)} / {names_by_id.get(b)} — {why}")
    load_after = os.getloadavg()
    print(f"load average before {load_before}, after {load_after}")
    if args.json:
        figures = {
            "customers": len(ids), "tf": not args.no_tf, "pairs": len(linkage.left),
            "likely": len(likely), "load_s": round(t1 - t0, 1), "link_s": round(t2 - t1, 1),
            "total_s": round(t2 - t0, 1), "peak_rss_mib": round(rss),
            "load_before": load_before, "load_after": load_after,
            "carried": carried.most_common(12),
        }  # fmt: skip
        with args.json.open("a") as f:
            f.write(json.dumps(figures, ensure_ascii=False) + "\n")


def write_scan() -> None:
    """The whole `guanxi dedup scan`: train, store model and name counts, refill the queue."""
    from guanxi.customers.dedup.queue import scan
    from guanxi.dedup.models import DuplicateCandidate, NameFrequency

    load_before = os.getloadavg()
    result = scan()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"scan with writes: {result.customers} customers, {result.pairs_compared} pairs, "
        f"{result.candidates} queued in {result.seconds:.1f} s; "
        f"queue rows {DuplicateCandidate.objects.count()}, "
        f"name-count rows {NameFrequency.objects.count()}; peak RSS {rss:.0f} MiB; "
        f"load average before {load_before}, after {os.getloadavg()}"
    )


if __name__ == "__main__":
    main()
