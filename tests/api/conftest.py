"""API test helpers: a token per named user and a JSON client that carries it.

The API tests mount only the API (tests/api/urls.py), so they do not depend on
the web UI's URLs being importable at any given moment.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.urls("tests.api.urls")


class ApiClient:
    """`api.get("/customers")` → the response, with `.json()`; paths are under /api/v1."""

    def __init__(self, token: str | None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def _call(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        url = f"/api/v1{path}"
        send = getattr(self.client, method)
        if method == "get":
            return send(url, params, headers=self.headers)
        return send(
            url, json.dumps(body or {}), content_type="application/json", headers=self.headers
        )

    def get(self, path: str, **params: Any) -> Any:
        return self._call("get", path, **params)

    def post(self, path: str, body: Any = None) -> Any:
        return self._call("post", path, body)

    def patch(self, path: str, body: Any = None) -> Any:
        return self._call("patch", path, body)


@pytest.fixture
def token_of(users: dict[str, Any]) -> Callable[[str], str]:
    from guanxi.core.actions import create_api_token

    tokens: dict[str, str] = {}

    def make(name: str) -> str:
        if name not in tokens:
            tokens[name] = create_api_token(users[name], "tests", by=users["alice"])[1]
        return tokens[name]

    return make


@pytest.fixture
def api_as(token_of: Callable[[str], str]) -> Callable[[str], ApiClient]:
    """`api_as("bob")`: a client authenticated with bob's API token."""
    return lambda name: ApiClient(token_of(name))


def field_errors(response: Any) -> dict[str | None, str]:
    """{field: code} of an error body, for compact assertions."""
    return {e["field"]: e["code"] for e in response.json()["errors"]}
