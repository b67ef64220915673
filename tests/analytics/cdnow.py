"""The CDNOW sample shipped inside the `lifetimes` package, read by path (no import)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from guanxi.analytics import clv

CALIBRATION_END = np.datetime64("1997-09-30")


def cdnow_path() -> Path:
    spec = importlib.util.find_spec("lifetimes")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("the lifetimes package (test extra) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "datasets" / "CDNOW_sample.txt"


def cdnow_transactions() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Columns: customer id, customer id (sample numbering), YYYYMMDD, CDs, dollars."""
    raw = np.loadtxt(cdnow_path(), dtype=str)
    dates = np.array([f"{d[:4]}-{d[4:6]}-{d[6:]}" for d in raw[:, 2]], dtype="datetime64[D]")
    return raw[:, 0].astype(np.int64), dates, raw[:, 4].astype(np.float64)


def cdnow_summary() -> clv.Summary:
    return clv.summarise_transactions(*cdnow_transactions(), CALIBRATION_END)
