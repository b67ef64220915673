"""Every URL and every API route, walked with every role.

The routes come from Django's URL resolver and from the OpenAPI document, so a
new page or endpoint is covered the day it is added. The records all belong to
mallory (a rep in 上海, team 上海一组, region 华东); who may see and change them is
written out below by hand rather than computed with restrict(), so a bug in
restrict() cannot hide itself.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from guanxi.core.models import Event

ROLES = ["alice", "erin", "dave", "bob", "mallory", "carol", "mona", "frank"]
# mallory's customer: who may read it, change it, reassign it.
SEES = {"alice", "mallory", "carol", "mona", "frank"}
CHANGES = {"alice", "mallory", "carol"}
ASSIGNS = {"alice"}
# Products are a shared catalogue: everyone reads, only admins write.
PRODUCT_WRITERS = {"alice"}
WRITE_WORDS = ("new", "edit", "assign", "add", "create", "delete", "merge", "dismiss", "undo",
               "publish", "archive", "restore")  # fmt: skip
# The service desk's public web form and CSAT link need no login (the link's signed
# token is its credential).
PUBLIC_WEB = {"login", "logout", "set_language", "javascript-catalog", "public_ticket", "survey",
              "help", "help_category", "help_article", "help_vote",
              "visitor", "visitor_leave"}  # fmt: skip
# The knowledge base: every staff role reads published articles; admins and service
# agents write them and alone see the version history and edit the categories.
ARTICLE_WRITERS = {"alice", "carol"}
# Tickets follow their customer's scope (agents: all; reps: their own customers').
# Reads that are audited (a record opened, a list downloaded) write an event but change no data.
READ_AUDITS = ("customer.viewed", "export.downloaded")
# An import batch is private to who uploaded it; admins see all (its owner alone runs it).
BATCH_READERS = {"alice", "mallory"}


@pytest.fixture
def mallory_world(users: dict[str, Any], mallory_customer: Any, product: Any) -> dict[str, Any]:
    from guanxi.customers.actions import add_address, add_contact
    from guanxi.sales.actions import record_purchase

    mallory = users["mallory"]
    contact = add_contact(
        mallory_customer,
        {"name": "赵六", "role": "purchasing", "phone": "+8613900002222"},
        by=mallory,
    )
    address = add_address(
        mallory_customer,
        {
            "kind": "office",
            "province_code": "310000",
            "city_code": "310000",
            "district_code": "310115",
            "detail": "张江路1号",
        },
        by=mallory,
    )
    order = record_purchase(
        mallory_customer,
        {"channel": "direct"},
        [{"product": product, "quantity": 2, "unit_price": product.list_price}],
        by=mallory,
    )
    from guanxi.imports.models import ImportBatch

    # mallory's import batch, waiting at the column-mapping step (the wizard's pages).
    upload = Path(tempfile.mkdtemp()) / "客户.csv"
    upload.write_text("客户名称,手机\n上海石化,13900001111\n", encoding="utf-8")
    batch = ImportBatch.objects.create(
        kind="customers", sha256="0" * 64, file_name=upload.name, file_path=str(upload),
        mapping={"name": "客户名称", "phone": "手机"}, source_channel="internal",
        owner=mallory, user=mallory,
    )  # fmt: skip
    from guanxi.service.actions import create_ticket

    ticket = create_ticket(
        {"ticket_type": "complaint", "channel": "hotline", "subject": "加油站计量投诉"},
        by=mallory,
        customer=mallory_customer,
    )
    from guanxi.knowledge.actions import create_article, save_category

    # A public, published knowledge-base article in its own category.
    shelf = save_category({"name": "走查分类", "position": 1}, by=users["alice"])
    article = create_article(
        {"title": "发票开具说明", "body": "在订单页申请开票。", "visibility": "public",
         "category": shelf}, by=users["carol"], publish=True,
    )  # fmt: skip
    from guanxi.customers.actions import create_customer
    from guanxi.dedup.models import DuplicateCandidate

    # A queued duplicate pair of two of mallory's customers (the dedup review pages).
    twin = create_customer(
        {"kind": mallory_customer.kind, "name": mallory_customer.name + "（上海）"}, by=mallory
    )
    pair = DuplicateCandidate.objects.create(
        left=mallory_customer, right=twin, probability=0.9, match_weight=5.0, reasons=[]
    )
    from guanxi.engagement.actions import create_win_back_task

    # mallory's open win-back task on her customer (the task buttons and API).
    task, _created = create_win_back_task(mallory_customer, by=mallory)
    from guanxi.service.models import CalendarDay, ServiceBay, ServiceTarget, SlaPolicy

    # Service-desk settings (admins only): a policy, a calendar day, a bay, a KPI target.
    service_settings = {
        "sla_policy": SlaPolicy.objects.first(), "calendar_day": CalendarDay.objects.first(),
        "bay": ServiceBay.objects.create(name="走查工位"), "target": ServiceTarget.objects.first(),
    }  # fmt: skip
    from guanxi.crisis.actions import create_crisis, link_customers

    # A crisis (company-wide: all read it) that affects mallory's customer.
    crisis = create_crisis({"kind": "product_recall", "title": "走查召回", "risk_level": "3",
                            "owner": users["alice"]}, by=users["alice"])  # fmt: skip
    link_customers(crisis, by=users["alice"], codes=[str(mallory_customer.pk)])
    service_settings["crisis"] = crisis
    from guanxi.chat.actions import link_customer, start_conversation

    # A live-chat conversation linked to mallory's customer (transcript pages and API).
    conversation = start_conversation({"visitor_name": "赵六", "body": "在吗"}, ip="127.0.0.1")
    link_customer(conversation, mallory_customer, by=users["alice"])
    return {
        "conversation": conversation,
        "article": article,
        "article_version": article.versions.get(),
        "article_category": shelf,
        "task": task,
        "pair": pair,
        "batch": batch,
        "ticket": ticket,
        "customer": mallory_customer,
        "contact": contact,
        "address": address,
        "product": product,
        "order": order,
        **service_settings,
    }


# ---------------------------------------------------------------- web pages


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else (entry.name or "")
            yield prefix + str(entry.pattern), name


def web_routes() -> list[tuple[str, str]]:
    return [
        (route, name)
        for route, name in _walk(get_resolver().url_patterns)
        if not route.startswith("api/")
    ]


PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")
KIND_WORDS = {
    "articles": "article", "versions": "article_version", "categories": "article_category",
    "customers": "customer", "contacts": "contact", "addresses": "address",
    "products": "product", "purchases": "order", "orders": "order",
    "tickets": "ticket", "survey": "ticket", "pairs": "pair", "imports": "batch",
    "tasks": "task", "conversations": "conversation",
    "sla-policies": "sla_policy", "calendar": "calendar_day", "bays": "bay", "targets": "target",
    "crisis": "crisis",
}  # fmt: skip
# Service-desk settings: admins alone read and change them.
SETTINGS_KINDS, CONFIGURERS = {"sla_policy", "calendar_day", "bay", "target"}, {"alice"}
# Crises are company-wide news every role reads; admins, regional managers, managers
# and service agents run the response (customer rows inside stay customer-scoped).
CRISIS_RESPONDERS = {"alice", "erin", "dave", "carol"}


def _kind_before(route: str, position: int) -> str:
    words = [w for w in route[:position].split("/") if w and not w.startswith("<")]
    for word in reversed(words):
        if word in KIND_WORDS:
            return KIND_WORDS[word]
    raise AssertionError(f"route {route!r}: add its collection word to KIND_WORDS")


def object_kind(route: str) -> str | None:
    """The kind of record a route acts on: the collection word before its last id."""
    matches = list(PARAM.finditer(route))
    return _kind_before(route, matches[-1].start()) if matches else None


def fill(route: str, world: dict[str, Any]) -> str:
    """Each id gets mallory's record of the kind its collection word names."""

    def value(match: re.Match[str]) -> str:
        if match.group("conv") in (None, "int"):
            return str(world[_kind_before(route, match.start())].pk)
        return "110000"

    return "/" + PARAM.sub(value, route)


def is_write_route(route: str) -> bool:
    return any(f"/{word}/" in f"/{route}" or route.endswith(f"{word}/") for word in WRITE_WORDS)


def allowed(route: str, role: str) -> bool:
    kind = object_kind(route)
    if kind is None:
        return True
    if kind == "product":
        return role in PRODUCT_WRITERS or not is_write_route(route)
    if kind == "batch":
        return role in BATCH_READERS
    if kind in SETTINGS_KINDS:
        return role in CONFIGURERS
    if kind == "crisis":
        return role in CRISIS_RESPONDERS or not is_write_route(route)
    if kind in ("article", "article_version", "article_category"):
        reads = kind == "article" and not is_write_route(route) and "versions" not in route
        return role in ARTICLE_WRITERS or reads
    if "assign" in route:
        return role in ASSIGNS
    return role in (CHANGES if is_write_route(route) else SEES)


def test_the_walk_finds_the_pages() -> None:
    routes = [r for r, _ in web_routes()]
    assert any(object_kind(r) == "customer" for r in routes), routes


@pytest.mark.parametrize("role", ROLES)
def test_every_page_answers_each_role_within_its_scope(
    role: str, users: dict[str, Any], mallory_world: dict[str, Any]
) -> None:
    client = Client()
    client.force_login(users[role])
    failures = []
    for route, name in web_routes():
        if name.split(":")[-1] in PUBLIC_WEB:
            continue
        path = fill(route, mallory_world)
        events_before = Event.objects.exclude(verb__in=READ_AUDITS).count()
        get = client.get(path)
        if object_kind(route) is not None:
            expected_ok = allowed(route, role)
            if expected_ok and get.status_code == 404:
                failures.append(f"GET {path}: 404 for {role}, expected access")
            if not expected_ok and get.status_code != 404:
                failures.append(f"GET {path}: {get.status_code} for {role}, expected 404")
        elif get.status_code >= 500:
            failures.append(f"GET {path}: {get.status_code}")
        if not allowed(route, role) and object_kind(route) is not None:
            post = client.post(
                path, {"name": "篡改", "phone": "13700000000", "owner": users[role].pk}
            )
            if post.status_code != 404:
                failures.append(f"POST {path}: {post.status_code} for {role}, expected 404")
        if Event.objects.exclude(verb__in=READ_AUDITS).count() != events_before:
            failures.append(f"{path}: a GET or a refused POST changed data for {role}")
    assert not failures, "\n".join(failures)


# Pages that create a record without naming one: who may create.
CREATORS = {
    "customers:create": {"alice", "erin", "dave", "bob", "mallory"},
    "sales:product_add": {"alice"},
    "service:create": {"alice", "erin", "dave", "bob", "mallory", "carol"},
    "knowledge:create": ARTICLE_WRITERS,
    "service:sla_policy_add": CONFIGURERS,
    "service:calendar_add": CONFIGURERS,
    "service:bay_add": CONFIGURERS,
    "crisis:create": CRISIS_RESPONDERS,
    # Not a creation, but the same question: who may write through an id-less page.
    "dedup:settings": {"alice"},
    "exports:settings": {"alice"},
}


@pytest.mark.parametrize("role", ROLES)
def test_roles_that_may_not_create_are_refused_and_nothing_is_written(
    role: str, users: dict[str, Any], mallory_world: dict[str, Any]
) -> None:
    from guanxi.customers.models import Customer
    from guanxi.sales.models import Product

    names = {name for _, name in web_routes()}
    assert set(CREATORS) <= names, "a creation page was renamed; update CREATORS"
    client = Client()
    client.force_login(users[role])
    for route, name in web_routes():
        if name not in CREATORS or role in CREATORS[name]:
            continue
        before = (Event.objects.count(), Customer.objects.count(), Product.objects.count())
        data = {
            "kind": "person", "name": "越权客户", "source_channel": "internal", "collected_at": "2026-01-01 00:00",
            "value_class": "general", "stage": "awareness", "code": "X1", "category": "fuel", "unit": "t",
            "list_price": "1",
        }  # fmt: skip
        response = client.post("/" + route + "?kind=person", data)
        assert response.status_code in (403, 404), (
            f"POST /{route}: {response.status_code} for {role}"
        )
        assert (Event.objects.count(), Customer.objects.count(), Product.objects.count()) == before


def test_anonymous_visitors_are_sent_to_the_login_page(mallory_world: dict[str, Any]) -> None:
    client = Client()
    failures = []
    for route, name in web_routes():
        if name.split(":")[-1] in PUBLIC_WEB:
            continue
        path = fill(route, mallory_world)
        response = client.get(path)
        if response.status_code not in (301, 302) or "login" not in response.get("Location", ""):
            failures.append(f"GET {path}: {response.status_code} {response.get('Location')}")
    assert not failures, "\n".join(failures)


# ---------------------------------------------------------------- API routes

API_KINDS = {
    "articles": "article",
    "customers": "customer", "contacts": "contact", "addresses": "address",
    "products": "product", "purchases": "order", "tickets": "ticket", "tasks": "task",
    "conversations": "conversation", "crises": "crisis",
}  # fmt: skip


def api_routes() -> list[tuple[str, str]]:
    from guanxi.api import api

    schema = api.get_openapi_schema()
    return [
        (path, method.upper())
        for path, operations in schema["paths"].items()
        for method in operations
        if method in {"get", "post", "patch", "put", "delete"}
    ]


def api_fill(path: str, world: dict[str, Any]) -> tuple[str, str | None]:
    kind = None
    parts = [p for p in path.split("/") if p]
    for index, part in enumerate(parts):
        if part.startswith("{"):
            collection = parts[index - 1]
            assert collection in API_KINDS, f"API path {path}: add {collection!r} to API_KINDS"
            kind = API_KINDS[collection]
            parts[index] = str(world[kind].pk)
            break
    return "/" + "/".join(parts), kind


# Writes whose target customer is in the body rather than the path.
BODY_SCOPED = {"/api/v1/purchases"}


def api_allowed(path: str, method: str, kind: str | None, role: str) -> bool:
    write = method != "GET"
    if kind is None:
        return True
    if kind == "product":
        return role in PRODUCT_WRITERS or not write
    if kind == "article":
        return role in ARTICLE_WRITERS or not (write or path.endswith("/versions"))
    if kind == "crisis":
        return role in CRISIS_RESPONDERS or not write
    if path.endswith("/assign"):
        return role in ASSIGNS
    return role in (CHANGES if write else SEES)


@pytest.fixture
def tokens(users: dict[str, Any]) -> dict[str, str]:
    from guanxi.core.actions import create_api_token

    return {name: create_api_token(user, "walk", by=None)[1] for name, user in users.items()}


def test_the_walk_finds_the_api() -> None:
    paths = {path for path, _ in api_routes()}
    assert any("/customers/{" in p for p in paths), paths


@pytest.mark.parametrize("role", ROLES)
def test_every_api_route_answers_each_role_within_its_scope(
    role: str, tokens: dict[str, str], mallory_world: dict[str, Any]
) -> None:
    client = Client(HTTP_AUTHORIZATION=f"Bearer {tokens[role]}")
    body = {
        "name": "篡改", "phone": "13700000000", "customer_id": mallory_world["customer"].pk,
        "owner_id": mallory_world["customer"].owner_id,
        "lines": [{"product_id": mallory_world["product"].pk, "quantity": "1"}],
    }  # fmt: skip
    failures = []
    for path, method in api_routes():
        url, kind = api_fill(path, mallory_world)
        events_before = Event.objects.count()
        if method == "GET":
            response = client.get(url)
        else:
            response = client.generic(
                method, url, data=__import__("json").dumps(body), content_type="application/json"
            )
        if kind is None and method == "POST" and path in BODY_SCOPED:
            kind = "customer"  # the body names mallory's customer
        ok = api_allowed(path, method, kind, role)
        if response.status_code >= 500:
            failures.append(f"{method} {url}: {response.status_code} for {role}")
        elif kind is not None and not ok and response.status_code not in (403, 404, 422, 400):
            failures.append(f"{method} {url}: {response.status_code} for {role}, expected refusal")
        elif kind is not None and ok and method == "GET" and response.status_code != 200:
            failures.append(f"{method} {url}: {response.status_code} for {role}, expected 200")
        if not ok and Event.objects.count() != events_before:
            failures.append(f"{method} {url}: refused for {role} but data changed")
        if path == "/api/v1/customers" and method == "POST" and role in {"mona", "frank", "carol"}:
            if response.status_code < 400:
                failures.append(
                    f"POST {url}: {role} may not create customers, got {response.status_code}"
                )
    assert not failures, "\n".join(failures)


def test_anonymous_api_calls_are_refused(mallory_world: dict[str, Any]) -> None:
    client = Client()
    failures = []
    for path, method in api_routes():
        if path.endswith("/health") or path.endswith("/openapi.json"):
            continue
        if path.startswith("/api/v1/help/"):  # the public help centre's search
            continue
        url, _ = api_fill(path, mallory_world)
        response = client.generic(method, url, data="{}", content_type="application/json")
        if response.status_code != 401:
            failures.append(f"{method} {url}: {response.status_code}")
    assert not failures, "\n".join(failures)
