"""Shared fixtures: the named users every app's tests use, and factories.

alice  admin                         (sees everything)
erin   regional manager of 华北 (north)
dave   manager of team 北京一组 (bob's team)
bob    rep in 北京一组 (north)
mallory rep in 上海一组 (east) — the "other" rep whose records bob must not see
carol  service agent
mona   marketing
frank  analyst / auditor (masked personal data)
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls the
# tests make around it are ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "Guanxi-Test-2026!"


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """PBKDF2's deliberate slowness protects real passwords, not test fixtures."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _key_file(tmp_path_factory: pytest.TempPathFactory, settings: Any) -> None:
    """Each test session encrypts with its own key file, never the developer's."""
    from guanxi.core import crypto

    path = tmp_path_factory.getbasetemp() / "keys.json"
    if settings.GUANXI_KEY_FILE != path:
        settings.GUANXI_KEY_FILE = path
        crypto.reset_key_ring()


@pytest.fixture(scope="session", autouse=True)
def _allow_event_flush() -> None:
    """Transactional tests flush tables with DELETE on SQLite; events refuse DELETE.

    The flush (test teardown only) drops the append-only triggers, deletes, and
    puts them back, so the triggers still guard everything the tests do.
    """
    from django.db import connection

    from guanxi.core.migrations import _triggers

    if connection.vendor != "sqlite":
        return  # PostgreSQL flushes with TRUNCATE, which row triggers do not see
    DatabaseOperations = type(connection.ops)
    original = DatabaseOperations.sql_flush

    def sql_flush(self: Any, style: Any, tables: Any, **kwargs: Any) -> list[str]:
        statements = original(self, style, tables, **kwargs)
        if "core_event" not in tables:
            return statements
        return [*_triggers.SQLITE_DROP, *statements, *_triggers.SQLITE]

    DatabaseOperations.sql_flush = sql_flush  # type: ignore[method-assign]


def reseed_reference_data() -> None:
    """Run every app's seed data migration again (they are idempotent).

    A transactional test (live server, subprocess CLI) ends with a flush that also
    empties tables filled by data migrations — regions, industries, SLA policies,
    thresholds — and every later test would find them missing.
    """
    from django.apps import apps as global_apps
    from django.db import connection
    from django.db.migrations import RunPython
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(connection, ignore_no_migrations=True)
    ordered: list[tuple[str, str]] = []
    for leaf in loader.graph.leaf_nodes():
        ordered += [key for key in loader.graph.forwards_plan(leaf) if key not in ordered]
    for key in ordered:
        if "seed" not in key[1]:
            continue
        for operation in loader.graph.nodes[key].operations:
            if isinstance(operation, RunPython):
                operation.code(global_apps, None)


@pytest.fixture(scope="session", autouse=True)
def _close_stray_connections(django_db_setup: None, django_db_blocker: Any) -> Any:
    """Let pytest-django drop the PostgreSQL test database at the end.

    Live servers and the chat sockets' worker threads keep their own connections
    (by design: chat reuses one per thread) until the process exits, and
    PostgreSQL refuses to drop a database that has sessions, so the test database
    was left behind after every run. This fixture depends on django_db_setup, so its
    teardown runs first and ends those sessions.
    """
    yield
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )


@pytest.fixture(autouse=True)
def _reseed_after_flush(request: pytest.FixtureRequest, django_db_blocker: Any) -> Any:
    yield
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction"))
    if transactional or {"transactional_db", "live_server"} & set(request.fixturenames):
        with django_db_blocker.unblock():
            reseed_reference_data()


@pytest.fixture
def region_north(db: None) -> Any:
    from guanxi.core.models import Region

    return Region.objects.get(code="north")


@pytest.fixture
def region_east(db: None) -> Any:
    from guanxi.core.models import Region

    return Region.objects.get(code="east")


@pytest.fixture
def users(db: None, region_north: Any, region_east: Any) -> dict[str, Any]:
    from guanxi.core.actions import add_user, set_team_manager
    from guanxi.core.models import Team

    beijing = Team.objects.create(name="北京一组", region=region_north)
    shanghai = Team.objects.create(name="上海一组", region=region_east)
    people = {
        "alice": add_user("alice", PASSWORD, role="admin", by=None, display_name="王爱丽"),
        "erin": add_user(
            "erin",
            PASSWORD,
            role="regional_manager",
            by=None,
            display_name="赵恩琳",
            region=region_north,
        ),
        "dave": add_user(
            "dave", PASSWORD, role="manager", by=None, display_name="刘大伟", team=beijing
        ),
        "bob": add_user("bob", PASSWORD, role="rep", by=None, display_name="李博", team=beijing),
        "mallory": add_user(
            "mallory", PASSWORD, role="rep", by=None, display_name="马丽", team=shanghai
        ),
        "carol": add_user("carol", PASSWORD, role="agent", by=None, display_name="陈可儿"),
        "mona": add_user("mona", PASSWORD, role="marketing", by=None, display_name="孟娜"),
        "frank": add_user("frank", PASSWORD, role="analyst", by=None, display_name="方凡"),
    }
    set_team_manager(beijing, people["dave"], by=None)
    return people


@pytest.fixture
def make_customer(users: dict[str, Any]) -> Callable[..., Any]:
    """Create a customer through the real form and action, as a user would."""
    from guanxi.customers.actions import create_customer
    from guanxi.customers.forms import CustomerForm

    counter = iter(range(1, 1_000_000))

    def make(owner: str = "bob", **fields: Any) -> Any:
        n = next(counter)
        data: dict[str, Any] = {
            "kind": "person",
            "name": f"张三{n}",
            "phone": f"138{n:08d}",
            "source_channel": "internal",
            "collected_at": "2026-01-05 10:00",
            "value_class": "general",
            "stage": "awareness",
            "province_code": "110000",
            "city_code": "110000",
            "district_code": "110105",
        }
        data.update(fields)
        form = CustomerForm(data=data)
        assert form.is_valid(), form.errors.as_json()
        return create_customer(form.cleaned_data, by=users[owner])

    return make


@pytest.fixture
def bob_customer(make_customer: Callable[..., Any]) -> Any:
    return make_customer("bob", name="张伟", phone="13812345678", id_number="11010519491231002X")


@pytest.fixture
def mallory_customer(make_customer: Callable[..., Any]) -> Any:
    return make_customer(
        "mallory",
        kind="org",
        name="上海申能燃气有限公司",
        phone="021-63211234",
        province_code="310000",
        city_code="310000",
        district_code="310115",
    )


@pytest.fixture
def product(users: dict[str, Any]) -> Any:
    from guanxi.sales.actions import create_product

    return create_product(
        {
            "code": "DSL-0",
            "name": "0号柴油",
            "category": "fuel",
            "unit": "t",
            "list_price": "7800.00",
            "active": True,
        },
        by=users["alice"],
    )


@pytest.fixture
def login(client: Any) -> Callable[[Any], Any]:
    def do(user: Any) -> Any:
        client.force_login(user)
        return client

    return do
