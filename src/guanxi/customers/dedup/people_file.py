"""Read an arbitrary CSV of people into role columns, and write scored pairs."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .columns import guess_roles
from .linkage import Linkage


def read_people(
    path: Path, id_column: str
) -> tuple[list[str], dict[str, list[str]], dict[str, str]]:
    """(ids, {role: values}, {role: header}); UTF-8 (with or without BOM) or GB18030."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gb18030")
    reader = csv.reader(text.splitlines(), skipinitialspace=True)
    header = [h.strip() for h in next(reader)]
    if id_column not in header:
        raise ValueError(f"no column {id_column!r} in {path.name}: {', '.join(header)}")
    rows = [row for row in reader if row]
    roles = guess_roles(header, skip=[id_column])
    position = {h: k for k, h in enumerate(header)}
    at = position[id_column]
    ids = [row[at].strip() for row in rows]

    def column(h: str) -> list[str]:
        k = position[h]
        return [row[k].strip() if k < len(row) else "" for row in rows]

    return ids, {role: column(h) for role, h in roles.items()}, roles


def matched_pairs(linkage: Linkage, threshold: float) -> np.ndarray:
    return np.flatnonzero(linkage.probability >= threshold)


def write_pairs(path: Path, ids: Sequence[str], linkage: Linkage, threshold: float) -> int:
    keep = matched_pairs(linkage, threshold)
    keep = keep[np.argsort(-linkage.probability[keep], kind="stable")]
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["id_l", "id_r", "match_probability", "match_weight"])
        weights = linkage.model.match_weights(linkage.gamma[keep])
        for k, w in zip(keep, weights, strict=True):
            writer.writerow(
                [
                    ids[linkage.left[k]],
                    ids[linkage.right[k]],
                    f"{linkage.probability[k]:.6f}",
                    f"{w:.3f}",
                ]
            )
    return len(keep)
