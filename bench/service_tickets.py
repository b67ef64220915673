"""Service desk speed: API ticket creation p99 with 1M tickets stored, and the SLA scan.

Fresh database (SQLite file in GUANXI_DATA_DIR by default, or GUANXI_DATABASE_URL):

    GUANXI_DEBUG=0 GUANXI_DATA_DIR=/tmp/gx-bench-svc BENCH_TICKETS=1000000 \\
      BENCH_OPEN=100000 .venv/bin/python bench/service_tickets.py

1. Loads BENCH_TICKETS tickets with raw multi-row inserts (executemany on SQLite,
   COPY on PostgreSQL; not through the actions, which would take hours): all but
   BENCH_OPEN closed, spread over a year; BENCH_OPEN open, due tomorrow, spread
   over BENCH_AGENTS agents, every one a least-load candidate, so each create
   counts all the open tickets.
   Run it from a snapshot of the tree (`git archive HEAD bench src | tar -x -C DIR`,
   then `PYTHONPATH=DIR/src`), so edits made meanwhile are not imported half-way.
2. Times BENCH_ROUNDS `POST /api/v1/tickets` through the Django test client with a
   Bearer token (form, SLA policy and due times, least-load assignment, status
   change, notification, event, confirmation mail queued), and in the same run two
   baselines: `GET /api/v1/health` (no auth, no query) and `GET /api/v1/tickets/{id}`
   (token lookup plus one scoped read).
3. Times the periodic `escalation.scan()` over the BENCH_OPEN open tickets: the
   steady state (nothing due: two empty index range reads) and the worst case
   (all of them overdue in one run: breach marks, notifications, events, mail).

Prints a JSON summary, also written to bench/out/service-<vendor>.json.
"""

from __future__ import annotations

import functools
import json
import os
import statistics
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
os.environ.setdefault("GUANXI_DEBUG", "0")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

N = int(os.environ.get("BENCH_TICKETS", "1000000"))
OPEN = int(os.environ.get("BENCH_OPEN", "100000"))
AGENTS = int(os.environ.get("BENCH_AGENTS", "20"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "500"))
WARMUP = 20
OUT = Path(__file__).resolve().parent / "out"

COLUMNS = (
    "ticket_type", "channel", "priority", "status", "customer_id", "subject", "description",
    "contact_name", "contact_phone", "contact_email", "received_at", "assignee_id", "skill",
    "asset_identifier", "first_response_due", "resolution_due", "first_responded_at",
    "resolved_at", "closed_at", "warn_at", "escalate_at", "escalation_level",
    "response_breached", "resolution_breached", "resolution", "lessons_learned",
    "dispute_stage", "created_at", "updated_at",
)  # fmt: skip


def ticket_rows(
    count: int, start: int, customers: list[int], agents: list[int], now: datetime, due: datetime
) -> Iterator[tuple[Any, ...]]:
    """Closed history first, then the open backlog (the last OPEN of `count`)."""
    closed = count - OPEN
    for i in range(start, count):
        customer = customers[i % len(customers)]
        agent = agents[i % len(agents)]
        if i < closed:
            when = now - timedelta(minutes=(i * 7) % 525_600 + 60)
            yield ("inquiry", "hotline", "normal", "closed", customer, f"咨询{i}", "", "客户", "",
                   "", when, agent, "", "", when, when, when, when, when, None, None, 0, False,
                   False, "已答复", "", "", when, when)  # fmt: skip
        else:
            yield ("inquiry", "hotline", "normal", "open", customer, f"待办{i}", "", "客户", "",
                   "", now, agent, "", "", due, due + timedelta(days=2), None, None, None,
                   due - timedelta(hours=2), due, 0, False, False, "", "", "", now, now)  # fmt: skip


def load(rows: Iterator[tuple[Any, ...]], progress: Callable[[int], None]) -> None:
    """Raw bulk insert: COPY on PostgreSQL, executemany of 10,000-row batches on SQLite."""
    table = "service_ticket"
    names = ", ".join(COLUMNS)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for n, row in enumerate(rows, 1):
                    copy.write_row(row)
                    if n % 100_000 == 0:
                        progress(n)
        return
    # A closed row repeats its one moment five times; convert each moment once.
    adapt = functools.lru_cache(maxsize=4096)(connection.ops.adapt_datetimefield_value)
    marks = ", ".join(["%s"] * len(COLUMNS))
    sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"
    batch: list[tuple[Any, ...]] = []
    done = 0

    def flush() -> None:
        # One transaction per batch: in Django's autocommit mode each row of an
        # executemany would otherwise be its own transaction (2,700 rows/s).
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, batch)

    for row in rows:
        batch.append(tuple(adapt(v) if isinstance(v, datetime) else v for v in row))
        if len(batch) == 10_000:
            flush()
            done += len(batch)
            batch = []
            if done % 100_000 == 0:
                progress(done)
    if batch:
        flush()


def percentile(sorted_ms: list[float], q: float) -> float:
    return round(sorted_ms[max(int(len(sorted_ms) * q) - 1, 0)], 1)


CPU: dict[str, list[float]] = {}


def timed(call: Callable[[int], Any], rounds: int, name: str = "") -> list[float]:
    """Wall-clock ms per call, sorted; this process's CPU ms per call kept in CPU[name].

    On a shared machine the wall clock includes waiting for a core; the CPU time
    of the client process (Django and, for SQLite, the database itself) does not.
    """
    times, cpu = [], []
    for i in range(rounds + WARMUP):
        t, c = time.perf_counter(), time.process_time()
        call(i)
        if i >= WARMUP:
            times.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
    CPU[name] = sorted(cpu)
    return sorted(times)


def summary(times: list[float]) -> dict[str, float]:
    return {"p50_ms": round(statistics.median(times), 1), "p99_ms": percentile(times, 0.99)}


def main() -> None:
    call_command("migrate", verbosity=0)
    from django.conf import settings

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from guanxi.core.actions import add_user, create_api_token
    from guanxi.core.models import User
    from guanxi.customers.models import Customer
    from guanxi.service.assignment import recount_loads
    from guanxi.service.escalation import scan
    from guanxi.service.models import AssignmentRule, Ticket

    # The same agents on a rerun over an already loaded database.
    agents = [
        User.objects.filter(username=f"bench-agent-{k}").first()
        or add_user(f"bench-agent-{k}", "Bench-Password-1", role="agent", by=None)
        for k in range(AGENTS)
    ]
    AssignmentRule.objects.get_or_create(name="bench", defaults={"strategy": "least_load"})
    if Customer.objects.count() < 1000:
        Customer.objects.bulk_create(
            [Customer(kind="person", name=f"客户{i}", owner=agents[0]) for i in range(1000)],
            batch_size=1000,
        )
    customer_ids = list(Customer.objects.order_by("id").values_list("id", flat=True)[:1000])
    now = timezone.now()
    due = now + timedelta(days=1)
    have = Ticket.objects.count()
    t0 = time.perf_counter()
    if have < N:
        rows = ticket_rows(N, have, customer_ids, [a.pk for a in agents], now, due)
        load(rows, lambda n: print(f"  loaded {have + n:,} ({time.perf_counter() - t0:.0f} s)"))
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE service_ticket")
    load_s = time.perf_counter() - t0
    # The raw load went round the actions, so the agents' open-ticket counters are
    # rebuilt from the tickets (what `recount_loads` is for); on a rerun the
    # backlog's SLA clocks are wound back, so the scan has the same 100k to do.
    recount_loads()
    Ticket.objects.filter(status="open", subject__startswith="待办").update(
        first_response_due=due, resolution_due=due + timedelta(days=2),
        warn_at=due - timedelta(hours=2), escalate_at=due, response_breached=False,
        resolution_breached=False, escalation_level=0,
    )  # fmt: skip
    stored = Ticket.objects.count()
    open_now = Ticket.objects.unfinished().count()

    _, token = create_api_token(agents[0], "bench", by=None)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    anonymous = Client()
    some_ticket = Ticket.objects.order_by("-id").values_list("id", flat=True).first()
    health = timed(lambda i: anonymous.get("/api/v1/health"), ROUNDS)
    read = timed(lambda i: client.get(f"/api/v1/tickets/{some_ticket}"), ROUNDS)
    body = {"ticket_type": "complaint", "channel": "hotline", "subject": "油号不符",
            "contact_phone": "13812345678", "contact_email": "c@example.cn"}  # fmt: skip

    def create(i: int) -> None:
        payload = json.dumps({**body, "customer_id": customer_ids[i % len(customer_ids)]})
        response = client.post("/api/v1/tickets", payload, content_type="application/json")
        assert response.status_code == 201, response.content

    created = timed(create, ROUNDS, "create")

    t = time.perf_counter()
    idle = scan(now)
    idle_s = time.perf_counter() - t
    t, c = time.perf_counter(), time.process_time()
    worst = scan(due + timedelta(minutes=1))
    worst_s, worst_cpu = time.perf_counter() - t, time.process_time() - c
    create_stats = summary(created)
    result = {
        "vendor": connection.vendor, "tickets_stored": stored, "open_tickets": open_now,
        "agents": AGENTS, "load_s": round(load_s, 1), "rounds": ROUNDS,
        "health": summary(health), "get_ticket": summary(read), "create": create_stats,
        "create_p99_over_get_p99": round(create_stats["p99_ms"] / summary(read)["p99_ms"], 2),
        "create_cpu": summary(CPU["create"]),
        "scan_idle_s": round(idle_s, 3), "scan_all_overdue_s": round(worst_s, 1),
        "scan_all_overdue_cpu_s": round(worst_cpu, 1),
        "escalated": worst.escalated, "warned": worst.warned + idle.warned,
        "load_average": os.getloadavg(),
    }  # fmt: skip
    OUT.mkdir(exist_ok=True)
    (OUT / f"service-{connection.vendor}.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
