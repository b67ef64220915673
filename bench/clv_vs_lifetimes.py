"""CLV fit speed and agreement: guanxi.analytics.clv vs the `lifetimes` package, same run.

    .venv/bin/python bench/clv_vs_lifetimes.py [--repeat 20]
Both fit BG/NBD and Gamma-Gamma on the same CDNOW calibration summary (2,357
customers, weeks 1–39); prints best-of-N seconds (the two packages' fits
interleaved, so a burst of load from other jobs hits both alike), the speed
ratio, the largest relative parameter difference and the load average. lifetimes 0.11.3 imports in the main
venv (pandas 3.1, numpy 2.4); if it does not in yours, run this script with a
venv that has `pip install lifetimes numpy scipy` and guanxi on PYTHONPATH=src.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
warnings.filterwarnings("ignore")

from analytics.cdnow import cdnow_summary  # noqa: E402
from guanxi.analytics import clv  # noqa: E402


def best_interleaved(fns: list, repeat: int) -> list[tuple[float, object]]:  # type: ignore[type-arg]
    """Best-of-`repeat` seconds and last result of each function, run in turn."""
    times: list[list[float]] = [[] for _ in fns]
    results: list[object] = [None] * len(fns)
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            start = time.perf_counter()
            results[i] = fn()
            times[i].append(time.perf_counter() - start)
    return [(min(t), r) for t, r in zip(times, results, strict=True)]


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    repeat = parser.parse_args().repeat
    import lifetimes
    import pandas as pd

    load_before = load()
    s = cdnow_summary()
    frame = pd.DataFrame({"frequency": s.x, "recency": s.t_x, "T": s.T, "monetary": s.mean_value})
    repeaters = frame[frame["frequency"] > 0]
    (ours_bg_s, ours_bg), (theirs_bg_s, bg) = best_interleaved(
        [
            lambda: clv.fit_bgnbd(s.x, s.t_x, s.T),
            lambda: lifetimes.BetaGeoFitter().fit(frame["frequency"], frame["recency"], frame["T"]),
        ],
        repeat,
    )
    (ours_gg_s, ours_gg), (theirs_gg_s, gg) = best_interleaved(
        [
            lambda: clv.fit_gamma_gamma(s.x, s.mean_value),
            lambda: lifetimes.GammaGammaFitter().fit(repeaters["frequency"], repeaters["monetary"]),
        ],
        repeat,
    )
    pairs = [
        (ours_bg.r, bg.params_["r"]), (ours_bg.alpha, bg.params_["alpha"]),
        (ours_bg.a, bg.params_["a"]), (ours_bg.b, bg.params_["b"]),
        (ours_gg.p, gg.params_["p"]), (ours_gg.q, gg.params_["q"]), (ours_gg.gamma, gg.params_["v"]),
    ]  # fmt: skip
    print(
        json.dumps(
            {
                "customers": int(s.x.size),
                "guanxi_bgnbd_s": round(ours_bg_s, 5),
                "lifetimes_bgnbd_s": round(theirs_bg_s, 5),
                "bgnbd_speedup": round(theirs_bg_s / ours_bg_s, 1),
                "guanxi_gamma_gamma_s": round(ours_gg_s, 5),
                "lifetimes_gamma_gamma_s": round(theirs_gg_s, 5),
                "gamma_gamma_speedup": round(theirs_gg_s / ours_gg_s, 1),
                "max_relative_param_diff": max(abs(a - b) / abs(b) for a, b in pairs),
                "repeat": repeat,
                "lifetimes": lifetimes.__version__,
                "load_before": load_before,
                "load_after": load(),
            }
        )
    )


if __name__ == "__main__":
    main()
