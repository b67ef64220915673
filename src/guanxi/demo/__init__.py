"""`guanxi demo-data`: realistic demo customers and purchase histories, fast.

The load has three parts: reference rows through the actions (staff, products,
tags — a few dozen), the bulk rows generated in batches and written with
executemany/COPY (customers, contacts, addresses, tags, orders, lines — up to
tens of millions), and one `demo.generated` event with the counts.

Batches are generated in worker processes when there are enough of them to
pay for it (the machine's other cores), while this process writes; batches are
seeded by number, so the data does not depend on how many workers ran.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import deque
from collections.abc import Iterator
from datetime import date
from multiprocessing.pool import AsyncResult
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from guanxi.core import crypto, events
from guanxi.core.models import Region, User
from guanxi.customers.models import Industry

from .batches import Batch, BatchGenerator, Plan
from .bulk import next_ids, writer_for_connection
from .staff import DEMO_PASSWORD, ensure_products, ensure_staff, ensure_tags
from .templates import TEMPLATES

# Customers per batch. Part of the seed: changing it changes the data.
BATCH_CUSTOMERS = 2_000
# Below this many batches a worker pool costs more than it saves.
POOL_MIN_BATCHES = 8

__all__ = ["generate", "DEMO_PASSWORD"]

_generator: BatchGenerator | None = None


def _init_worker(plan: Plan) -> None:
    global _generator
    _generator = BatchGenerator(plan)


def _run_job(job: tuple[int, int, int]) -> Batch:
    assert _generator is not None
    return _generator.batch(*job)


def _batches(plan: Plan, jobs: list[tuple[int, int, int]], workers: int) -> Iterator[Batch]:
    """Batches in job order; with workers, at most two per worker wait in memory.

    `workers` counts generator processes besides this one, which writes: on two
    cores one worker generates while this process writes.
    """
    if workers < 1 or len(jobs) < POOL_MIN_BATCHES:
        generator = BatchGenerator(plan)
        for job in jobs:
            yield generator.batch(*job)
        return
    # fork: workers inherit the loaded key ring and the Django setup; they never
    # touch the database connection (only this process writes).
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=_init_worker, initargs=(plan,)) as pool:
        pending: deque[AsyncResult[Batch]] = deque()
        queue = iter(jobs)
        for job in queue:
            pending.append(pool.apply_async(_run_job, (job,)))
            if len(pending) >= 2 * workers:
                break
        while pending:
            batch = pending.popleft().get()
            job = next(queue, None)
            if job is not None:
                pending.append(pool.apply_async(_run_job, (job,)))
            yield batch


def _region_map() -> dict[str, int]:
    mapping = {
        prefix: region.pk for region in Region.objects.all() for prefix in region.province_prefixes
    }
    from .places import PROVINCE_WEIGHTS

    missing = sorted(code for code in PROVINCE_WEIGHTS if code[:2] not in mapping)
    if missing:
        raise RuntimeError(f"no sales region covers provinces {', '.join(missing)}")
    return mapping


def _progress(enabled: bool) -> Any:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rows]:,} rows · {task.fields[rate]:,.0f} rows/s"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        disable=not enabled,
    )


def generate(
    *,
    industry: str,
    customers: int,
    seed: int = 1,
    orders_per_customer: float = 6.0,
    workers: int | None = None,
    progress: bool = True,
    today: date | None = None,
) -> str:
    """Add `customers` demo customers with histories; return a summary to print."""
    template = TEMPLATES[industry]
    crypto.key_ring()  # load (or create) the keys once, before any worker forks
    owners = ensure_staff()
    admin = User.objects.get(username="admin")
    writer = writer_for_connection(customers)
    plan = Plan(
        template=industry,
        seed=seed,
        orders_per_customer=orders_per_customer,
        today=today or timezone.localdate(),
        product_ids=ensure_products(template, by=admin),
        industry_ids=dict(Industry.objects.values_list("code", "id")),
        region_by_prefix=_region_map(),
        reps_by_region=owners,
        tag_ids=ensure_tags(template),
        tz_suffix=writer.tz_suffix,
    )
    first_customer, next_order = next_ids()
    jobs = [
        (number, first_customer + start, min(BATCH_CUSTOMERS, customers - start))
        for number, start in enumerate(range(0, customers, BATCH_CUSTOMERS))
    ]
    if workers is None:
        workers = max(1, (os.cpu_count() or 1) - 1)
    counts = {"customers": 0, "contacts": 0, "addresses": 0, "tags": 0, "orders": 0, "lines": 0}
    classes: dict[str, int] = {}
    started = time.monotonic()
    with _progress(progress) as bar, writer:
        task = bar.add_task(f"demo-data {industry}", total=customers, rows=0, rate=0.0)
        for batch in _batches(plan, jobs, workers):
            writer.write(batch, next_order)
            next_order += len(batch.orders)
            for key in counts:
                counts[key] += len(getattr(batch, key))
            for value_class, n in batch.value_classes.items():
                classes[value_class] = classes.get(value_class, 0) + n
            rows = sum(counts.values())
            bar.update(
                task,
                advance=len(batch.customers),
                rows=rows,
                rate=rows / max(1e-9, time.monotonic() - started),
            )
        writer.finish()
    elapsed = time.monotonic() - started
    rows = sum(counts.values())
    events.record(
        None,
        "demo.generated",
        summary=f"demo-data {industry}: {counts['customers']} customers, {counts['lines']} lines",
        changes={
            **{key: [None, value] for key, value in counts.items()},
            "industry": [None, industry],
            "seed": [None, seed],
        },
    )
    return _summary(industry, counts, classes, rows, elapsed)


def _summary(
    industry: str, counts: dict[str, int], classes: dict[str, int], rows: int, elapsed: float
) -> str:
    db = settings.DATABASES["default"]
    where = db["NAME"] if connection.vendor == "sqlite" else f"PostgreSQL {db['NAME']}"
    lines = [
        f"Demo data ({industry}) written to {where}",
        "  "
        + ", ".join(f"{counts[k]:,} {k}" for k in ("customers", "contacts", "orders", "lines")),
        "  value classes: " + ", ".join(f"{k} {v:,}" for k, v in sorted(classes.items())),
        f"  {rows:,} rows in {elapsed:,.1f} s ({rows / max(elapsed, 1e-9):,.0f} rows/s)",
        "",
        "Start the server with `guanxi serve`, then open http://127.0.0.1:8000/",
        f"  login: admin / {DEMO_PASSWORD}",
        "  (every demo account — rep_east_1, mgr_north, analyst1 … — uses the same password;",
        "   it is a fixed demo password for a local machine: change it with",
        "   `guanxi manage changepassword admin` before anyone else can reach the server)",
    ]
    return "\n".join(lines)
