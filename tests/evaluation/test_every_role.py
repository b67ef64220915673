"""Every evaluation page and endpoint, with every role: no errors, nothing written, scope kept.

(tests/test_every_route.py walks the whole site; this walk pins the evaluation
app's own expectations — who gets the targets page, whose figures appear.)
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from guanxi.core.models import Event

from .conftest import bj

ROLES = ["alice", "erin", "dave", "bob", "mallory", "carol", "mona", "frank"]
PAGES = [
    "/evaluation/",
    "/evaluation/?period=h2&year=2025",
    "/evaluation/export.csv?table=region",
    "/evaluation/report/",
    "/evaluation/report/?period=year&year=2025",
    "/evaluation/report.xlsx?period=year&year=2025",
    "/api/v1/kpis?period=year&year=2025",
    "/api/v1/evaluation/report?period=h2&year=2025",
]
AUDITED = ("export.downloaded",)


@pytest.fixture
def world(make_customer: Any, buy: Any) -> Any:
    customer = make_customer("mallory", name="上海申能", province_code="310000",
                             city_code="310000", district_code="310115")  # fmt: skip
    buy(customer, bj(2025, 8, 1), 4321)
    return customer


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reads_the_evaluation_pages_without_errors_or_writes(
    role: str, users: dict[str, Any], world: Any
) -> None:
    client = Client()
    client.force_login(users[role])
    for path in PAGES:
        before = Event.objects.exclude(verb__in=AUDITED).count()
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        assert Event.objects.exclude(verb__in=AUDITED).count() == before, path
    targets = client.get("/evaluation/targets/")
    assert targets.status_code == (200 if role == "alice" else 404)


@pytest.mark.parametrize("role", ROLES)
def test_mallorys_revenue_reaches_exactly_the_roles_that_see_her_customer(
    role: str, users: dict[str, Any], world: Any
) -> None:
    client = Client()
    client.force_login(users[role])
    body = client.get("/api/v1/kpis", {"period": "year", "year": 2025}).json()
    revenue = next(k for k in body["kpis"] if k["key"] == "revenue")["value"]
    sees = role in {"alice", "mallory", "carol", "mona", "frank"}
    assert revenue == (4321.0 if sees else 0.0)


def test_anonymous_visitors_get_the_login_page_or_401(world: Any) -> None:
    client = Client()
    for path in PAGES:
        response = client.get(path)
        if path.startswith("/api/"):
            assert response.status_code == 401
        else:
            assert response.status_code == 302 and "login" in response["Location"]
