"""Who gets in: per-user API tokens, the browser session with CSRF, and clear 401s."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from guanxi.core.actions import create_api_token, revoke_api_token
from guanxi.core.models import ApiToken

from .conftest import ApiClient

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.api.urls")]


def test_it_lets_a_valid_token_in(users: dict[str, Any], api_as: Any) -> None:
    response = api_as("bob").get("/customers")
    assert response.status_code == 200
    assert response.json()["items"] == []


def test_it_answers_401_with_a_json_body_without_credentials(users: dict[str, Any]) -> None:
    response = ApiClient(None).get("/customers")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response.json()["message"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_it_rejects_a_wrong_token(users: dict[str, Any]) -> None:
    for token in ("gx_deadbeef_nope", "not-even-ours", ""):
        response = ApiClient(token).get("/customers")
        assert response.status_code == 401, token
        assert response.json()["code"] == "not_authenticated"


def test_it_rejects_a_revoked_token(users: dict[str, Any]) -> None:
    record, token = create_api_token(users["bob"], "laptop", by=users["bob"])
    assert ApiClient(token).get("/customers").status_code == 200
    revoke_api_token(record, by=users["bob"])
    response = ApiClient(token).get("/customers")
    assert response.status_code == 401
    assert "吊销" in response.json()["message"]


def test_it_rejects_the_token_of_a_deactivated_user(users: dict[str, Any]) -> None:
    _, token = create_api_token(users["bob"], "laptop", by=users["bob"])
    type(users["bob"]).objects.filter(pk=users["bob"].pk).update(is_active=False)
    assert ApiClient(token).get("/customers").status_code == 401


def test_it_stores_only_a_digest_of_the_token(users: dict[str, Any]) -> None:
    record, token = create_api_token(users["bob"], "laptop", by=users["bob"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM core_apitoken")
        rows = cursor.fetchall()
    assert token not in repr(rows)
    assert token.split("_", 2)[2] not in repr(rows)
    assert ApiToken.objects.get(pk=record.pk).digest == ApiToken.digest_of(token)


def test_it_writes_last_used_at_at_most_once_a_minute(
    users: dict[str, Any], django_assert_num_queries: Any
) -> None:
    record, token = create_api_token(users["bob"], "laptop", by=users["bob"])
    client = ApiClient(token)
    client.get("/products")
    first = ApiToken.objects.get(pk=record.pk).last_used_at
    assert first is not None
    # token lookup + products: no write while the last use is fresh
    with django_assert_num_queries(2):
        client.get("/products")
    assert ApiToken.objects.get(pk=record.pk).last_used_at == first
    ApiToken.objects.filter(pk=record.pk).update(last_used_at=first - timedelta(minutes=2))
    client.get("/products")
    assert ApiToken.objects.get(pk=record.pk).last_used_at > first - timedelta(seconds=1)
    assert ApiToken.objects.get(pk=record.pk).last_used_at <= timezone.now()


def test_it_accepts_the_browser_session_for_reads(users: dict[str, Any], client: Client) -> None:
    client.force_login(users["bob"])
    assert client.get("/api/v1/customers").status_code == 200


def test_it_refuses_a_session_write_without_the_csrf_token(users: dict[str, Any]) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(users["alice"])
    body = '{"code": "X-1", "name": "x", "category": "fuel", "unit": "t", "list_price": "1"}'
    response = browser.post("/api/v1/products", body, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"


def test_it_accepts_a_session_write_with_the_csrf_token(users: dict[str, Any]) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(users["alice"])
    browser.get("/api/v1/products")  # any page would do; we only need a CSRF cookie
    from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret

    secret = _get_new_csrf_string()
    browser.cookies["csrftoken"] = secret
    body = '{"code": "X-1", "name": "x", "category": "fuel", "unit": "t", "list_price": "1"}'
    response = browser.post(
        "/api/v1/products",
        body,
        content_type="application/json",
        headers={"X-CSRFToken": _mask_cipher_secret(secret)},
    )
    assert response.status_code == 201, response.content


def test_a_token_needs_no_csrf_token(users: dict[str, Any], api_as: Any) -> None:
    api = api_as("alice")
    api.client = Client(enforce_csrf_checks=True)
    body = {"code": "X-2", "name": "x", "category": "fuel", "unit": "t", "list_price": "1"}
    assert api.post("/products", body).status_code == 201


def test_the_health_probe_needs_no_credentials(db: None) -> None:
    assert ApiClient(None).get("/health").json() == {"status": "ok"}
