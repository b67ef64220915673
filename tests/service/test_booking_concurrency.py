"""Eight customers race for the last three places of a bay's day: exactly three win.

Runs with real threads and real transactions on whichever database the suite
uses (SQLite and PostgreSQL in CI).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from guanxi.core.actions import ActionError


@pytest.fixture
def seeded(transactional_db: None) -> None:
    """Reference data back in place even if an earlier transactional test flushed it."""
    from tests.conftest import reseed_reference_data

    reseed_reference_data()


def test_concurrent_bookings_never_overbook_a_bay_day(
    seeded: None, users: dict[str, Any], bob_customer: Any, tmp_path: Path
) -> None:
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        # Shared-cache in-memory SQLite locks whole tables and ignores the busy
        # timeout; the embedded install uses a file in WAL mode, so race on one.
        env = {**os.environ, "GUANXI_TEST_DATABASE_NAME": str(tmp_path / "race.sqlite3")}
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:warnings", f"{__file__}::{test_concurrent_bookings_never_overbook_a_bay_day.__name__}"],
            env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert run.returncode == 0 and "1 passed" in run.stdout, (
            run.stdout[-3000:] + run.stderr[-2000:]
        )
        return
    from guanxi.service.actions import create_ticket
    from guanxi.service.models import BayDay, ServiceBay, Ticket

    bay = ServiceBay.objects.create(name="2号工位", daily_capacity=3)
    day = date(2026, 11, 26)
    start = threading.Barrier(8)
    outcomes: list[str] = []

    def book() -> None:
        try:
            start.wait()
            create_ticket(
                {"ticket_type": "maintenance", "channel": "hotline", "subject": "预约保养"},
                by=users["carol"], customer=bob_customer, bay=bay, appointment_day=day,
            )  # fmt: skip
            outcomes.append("booked")
        except ActionError as exc:
            outcomes.append(exc.code)
        except Exception as exc:  # noqa: BLE001 - reported in the assertion below
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=book) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("booked") == 3, outcomes
    assert set(outcomes) == {"booked", "fully_booked"}
    assert BayDay.objects.get(bay=bay, day=day).booked == 3
    assert Ticket.objects.filter(ticket_type="maintenance").count() == 3
