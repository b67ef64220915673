"""Service desk speed: API ticket creation p99 with many tickets stored, and the SLA scan.

Fresh database in GUANXI_DATA_DIR (SQLite file by default, or GUANXI_DATABASE_URL):

    GUANXI_DEBUG=0 GUANXI_DATA_DIR=/tmp/gx-bench-service BENCH_TICKETS=1000000 \
      .venv/bin/python bench/service_tickets.py

1. Bulk-loads BENCH_TICKETS closed tickets (spread over a year, 1,000 customers).
2. Times BENCH_ROUNDS POST /api/v1/tickets through the Django test client with a
   Bearer token: form validation, SLA policy and working-calendar due times,
   assignment rule (least load), status change, event, confirmation mail queued.
3. Opens 100,000 more tickets and times `escalation.scan()` twice: the steady
   state (nothing due: two empty index range reads) and the worst case (all
   100,000 overdue at once: breach marks, notifications, events, mail batches).
"""

from __future__ import annotations

import json
import os
import statistics
import time
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
os.environ.setdefault("GUANXI_DEBUG", "0")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

N = int(os.environ.get("BENCH_TICKETS", "1000000"))
OPEN = int(os.environ.get("BENCH_OPEN", "100000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "500"))
OUT = Path(__file__).resolve().parent / "out"


def main() -> None:
    call_command("migrate", verbosity=0)
    from django.conf import settings

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from guanxi.core.actions import add_user, create_api_token
    from guanxi.customers.models import Customer
    from guanxi.service.escalation import scan
    from guanxi.service.models import AssignmentRule, Ticket

    agent = add_user(f"agent{time.time_ns()}", "Bench-Password-1", role="agent", by=None)
    AssignmentRule.objects.get_or_create(name="bench", defaults={"strategy": "least_load"})
    if Customer.objects.count() < 1000:
        Customer.objects.bulk_create(
            [Customer(kind="person", name=f"客户{i}", owner=agent) for i in range(1000)],
            batch_size=1000,
        )
    customer_ids = list(Customer.objects.values_list("id", flat=True)[:1000])
    now = timezone.now()
    have = Ticket.objects.count()
    t0 = time.perf_counter()
    batch: list[Ticket] = []
    for i in range(have, N):
        when = now - timedelta(minutes=(i * 7) % 525_600)
        batch.append(Ticket(
            ticket_type="inquiry", channel="hotline", status="closed", subject=f"咨询{i}",
            customer_id=customer_ids[i % len(customer_ids)], received_at=when, created_at=when,
            closed_at=when, resolved_at=when, first_responded_at=when, assignee=agent,
        ))  # fmt: skip
        if len(batch) == 10_000:
            Ticket.objects.bulk_create(batch)
            batch = []
    if batch:
        Ticket.objects.bulk_create(batch)
    load_s = time.perf_counter() - t0
    stored = Ticket.objects.count()

    _, token = create_api_token(agent, "bench", by=None)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    body = {"ticket_type": "complaint", "channel": "hotline", "subject": "油号不符",
            "contact_phone": "13812345678", "contact_email": "c@example.cn"}  # fmt: skip
    times = []
    for i in range(ROUNDS + 20):
        payload = json.dumps({**body, "customer_id": customer_ids[i % len(customer_ids)]})
        t = time.perf_counter()
        response = client.post("/api/v1/tickets", payload, content_type="application/json")
        elapsed = (time.perf_counter() - t) * 1000
        assert response.status_code == 201, response.content
        if i >= 20:
            times.append(elapsed)
    times.sort()
    p50, p99 = statistics.median(times), times[int(len(times) * 0.99) - 1]

    # 100k open tickets, due in a day: the steady-state scan finds nothing to do.
    due = now + timedelta(days=1)
    opened = [
        Ticket(
            ticket_type="inquiry",
            channel="hotline",
            status="open",
            subject=f"待办{i}",
            customer_id=customer_ids[i % len(customer_ids)],
            received_at=now,
            assignee=agent,
            first_response_due=due,
            resolution_due=due + timedelta(days=2),
            warn_at=due - timedelta(hours=2),
            escalate_at=due,
        )  # fmt: skip
        for i in range(OPEN)
    ]
    Ticket.objects.bulk_create(opened, batch_size=10_000)
    t = time.perf_counter()
    idle = scan(now)
    idle_s = time.perf_counter() - t
    t = time.perf_counter()
    worst = scan(due + timedelta(minutes=1))
    worst_s = time.perf_counter() - t
    result = {
        "vendor": connection.vendor, "tickets_stored": stored, "load_s": round(load_s, 1),
        "create_p50_ms": round(p50, 1), "create_p99_ms": round(p99, 1), "rounds": ROUNDS,
        "open_tickets": OPEN, "scan_idle_s": round(idle_s, 3), "scan_all_overdue_s": round(worst_s, 1),
        "escalated": worst.escalated, "warned_idle": idle.warned,
    }  # fmt: skip
    OUT.mkdir(exist_ok=True)
    (OUT / f"service-{connection.vendor}.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
