"""Accuracy on the labelled Chinese test set (guanxi.customers.dedup.synthetic).

Usage: .venv/bin/python bench/dedup_chinese.py [--entities 20000] [--threshold 0.5] [--seed 1] [--no-tf]
Runs the same path as `guanxi dedup find` (CSV → guessed roles → linkage);
`--no-tf` scores without the name-frequency adjustment, for a before/after.
"""

from __future__ import annotations

import argparse
import csv
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
import django  # noqa: E402

django.setup()

from guanxi.customers.dedup import evaluation, synthetic  # noqa: E402
from guanxi.customers.dedup.linkage import link, prepare  # noqa: E402
from guanxi.customers.dedup.people_file import read_people  # noqa: E402


def run(
    entities: int, threshold: float, seed: int, tf: bool = True
) -> tuple[evaluation.Scores, int, float]:
    rows = synthetic.generate(entities, seed=seed)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "people.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            columns = [c for c in synthetic.COLUMNS if c != "entity"]
            writer.writerow(columns)
            writer.writerows([row[c] for c in columns] for row in rows)
        started = time.perf_counter()
        _ids, table, _roles = read_people(path, "rec_id")
        linkage = link(prepare(table), term_frequencies=tf)
        seconds = time.perf_counter() - started
    keep = linkage.probability >= threshold
    pairs = zip(linkage.left[keep].tolist(), linkage.right[keep].tolist(), strict=True)
    truth = evaluation.true_pairs([row["entity"] for row in rows])
    return evaluation.score(pairs, truth), len(rows), seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entities", type=int, default=20000)
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-tf", action="store_true", help="no name-frequency adjustment")
    args = parser.parse_args()
    s, n, seconds = run(args.entities, args.threshold, args.seed, not args.no_tf)
    print("| records | true pairs | precision | recall | F1 | seconds |\n|---|---|---|---|---|---|")
    print(
        f"| {n} | {s.true_pairs} | {s.precision:.4f} | {s.recall:.4f} | {s.f1:.4f} | {seconds:.1f} |"
    )


if __name__ == "__main__":
    main()
