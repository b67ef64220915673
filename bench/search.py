"""In-process latency of the reads that must stay fast at a million customers.

Runs against the database GUANXI_DATA_DIR / GUANXI_DATABASE_URL point at (one
filled by bench/generate.sh) through the same code paths the API and UI use:
`customers.queries.customer_list` for searches and lists, the Django test client
for the list API (Bearer token) and the customer 360 page (session login).
Every figure is also given as a ratio to `/api/v1/health` measured in the same
run, which is the cost of a request that does no work.

    GUANXI_DEBUG=0 GUANXI_DATA_DIR=/tmp/gx-bench-sqlite .venv/bin/python bench/search.py
    GUANXI_DEBUG=0 GUANXI_DATA_DIR=/tmp/gx-bench-postgres \
      GUANXI_DATABASE_URL=postgres://postgres@127.0.0.1:5432/guanxi_bench .venv/bin/python bench/search.py

Writes bench/out/search-<vendor>.json and prints a Markdown table plus the query
plans of the searches.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
os.environ.setdefault("GUANXI_DEBUG", "0")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from guanxi.core.actions import create_api_token  # noqa: E402
from guanxi.core.models import User  # noqa: E402
from guanxi.customers.models import Customer  # noqa: E402
from guanxi.customers.queries import customer_list, filtered_customers  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "300"))
OUT = Path(__file__).resolve().parent / "out"
TARGETS_MS = {
    "phone exact": 10,
    "phone last four": 10,
    "pinyin prefix": 100,
    "name prefix": 100,
    "list high by -total_amount": 50,
    "list high by -total_amount (rep)": 50,
    "API list high by -total_amount": 50,
    "customer 360 page": 100,
}


def timed(fn: Callable[[int], Any], rounds: int = ROUNDS) -> dict[str, float]:
    for i in range(min(10, rounds)):  # warm the page cache and the code paths
        fn(i)
    samples = []
    for i in range(rounds):
        start = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {
        "p50_ms": statistics.median(samples),
        "p99_ms": samples[min(len(samples) - 1, int(len(samples) * 0.99))],
        "mean_ms": statistics.fmean(samples),
        "n": len(samples),
    }


def main() -> None:
    admin = User.objects.get(username="admin")
    rep = User.objects.get(username="rep_east_1")
    rng = random.Random(42)
    top = Customer.objects.order_by("-id").values_list("id", flat=True).first() or 0
    ids = sorted({rng.randint(1, top) for _ in range(400)})
    sample = list(Customer.objects.filter(id__in=ids))
    rng.shuffle(sample)
    people = [c for c in sample if c.kind == "person"] or sample
    _, token = create_api_token(admin, "bench", by=None)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    web = Client()
    web.force_login(admin)

    def page(user: User, params: dict[str, str]) -> int:
        return len(customer_list(user, params).rows)

    cases: dict[str, Callable[[int], Any]] = {
        "health endpoint (baseline)": lambda i: api.get("/api/v1/health"),
        "phone exact": lambda i: page(admin, {"q": sample[i % len(sample)].phone}),
        "phone last four": lambda i: page(admin, {"q": sample[i % len(sample)].phone[-4:]}),
        "pinyin prefix": lambda i: page(admin, {"q": people[i % len(people)].pinyin[:5]}),
        "name prefix": lambda i: page(admin, {"q": sample[i % len(sample)].name[:2]}),
        "list high by -total_amount": lambda i: page(
            admin, {"value_class": "high", "sort": "-total_amount"}
        ),
        "list high by -total_amount (rep)": lambda i: page(
            rep, {"value_class": "high", "sort": "-total_amount"}
        ),
        "API list high by -total_amount": lambda i: api.get(
            "/api/v1/customers", {"value_class": "high", "sort": "-total_amount", "limit": 50}
        ),
        "customer 360 page": lambda i: web.get(f"/customers/{sample[i % len(sample)].pk}/"),
    }
    status = {
        "API": api.get(
            "/api/v1/customers", {"value_class": "high", "sort": "-total_amount", "limit": 50}
        ).status_code,
        "360": web.get(f"/customers/{sample[0].pk}/").status_code,
    }
    vendor = connection.vendor
    print(
        f"## {vendor}: {Customer.objects.count():,} customers, {ROUNDS} rounds; HTTP status {status}"
    )
    print("| read | p50 ms | p99 ms | target p99 | p50 / health p50 |")
    print("|---|---:|---:|---:|---:|", flush=True)
    results: dict[str, dict[str, float]] = {}
    for name, fn in cases.items():
        # Printed as each case finishes, so a slow one leaves the others on record.
        r = results[name] = timed(fn)
        base = results["health endpoint (baseline)"]["p50_ms"]
        target = TARGETS_MS.get(name)
        mark = "" if target is None else ("✓" if r["p99_ms"] <= target else "✗")
        print(
            f"| {name} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | "
            f"{'' if target is None else f'≤ {target} {mark}'} | {r['p50_ms'] / base:.1f} |",
            flush=True,
        )
    OUT.mkdir(exist_ok=True)
    (OUT / f"search-{vendor}.json").write_text(json.dumps(results, indent=2))
    print("\n### query plans")
    plans = {
        "phone exact": {"q": people[0].phone},
        "phone last four": {"q": people[0].phone[-4:]},
        "pinyin prefix": {"q": people[0].pinyin[:5]},
        "list high by -total_amount (rep)": {"value_class": "high"},
    }
    for name, params in plans.items():
        user = rep if "rep" in name else admin
        qs = filtered_customers(user, params).order_by("-total_amount", "-id")[:51]
        options = {"analyze": True} if vendor == "postgresql" else {}
        print(f"\n{name}:\n{qs.explain(**options)}")


if __name__ == "__main__":
    sys.exit(main())
