"""The crisis API: the shared error shape, field-level messages, scope and the link report."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from guanxi.core.actions import create_api_token
from guanxi.crisis.models import Crisis

pytestmark = pytest.mark.django_db


def api(user: Any) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {create_api_token(user, 't', by=None)[1]}")


def post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def test_a_responder_records_links_moves_and_reads_a_crisis(
    users: dict[str, Any], bob_customer: Any
) -> None:
    client = api(users["carol"])
    created = post(client, "/api/v1/crises", {
        "kind": "supply_interruption", "title": "LNG 接收站检修", "risk_level": "3",
        "response_plan": "协调管道气替代",
    })  # fmt: skip
    assert created.status_code == 201 and created.json()["owner_id"] == users["carol"].pk
    cid = created.json()["id"]
    linked = post(
        client, f"/api/v1/crises/{cid}/customers", {"codes": [str(bob_customer.pk), "777777"]}
    )
    assert linked.json() == {
        "added": 1, "already": 0,
        "not_found": [{"row": 2, "code": "777777", "message": "未找到该客户或无权访问。"}],
    }  # fmt: skip
    assert (
        post(client, f"/api/v1/crises/{cid}/transitions", {"status": "responding"}).status_code
        == 200
    )
    assert post(client, f"/api/v1/crises/{cid}/recovery",
                {"customer_id": bob_customer.pk, "recovery": "responded"}).status_code == 200  # fmt: skip
    detail = client.get(f"/api/v1/crises/{cid}").json()
    assert detail["status"] == "responding" and detail["progress"]["by_state"]["responded"] == 1
    rows = client.get(f"/api/v1/crises/{cid}/customers").json()
    assert rows == [
        {
            "customer_id": bob_customer.pk,
            "customer_name": "张伟",
            "recovery": "responded",
            "note": "",
        }
    ]


def test_bad_input_gets_field_level_errors_and_writes_nothing(users: dict[str, Any]) -> None:
    client = api(users["alice"])
    response = post(client, "/api/v1/crises", {"kind": "recall", "title": "x", "risk_level": "5"})
    body = response.json()
    assert response.status_code == 422 and body["code"] == "validation_error"
    assert {e["field"] for e in body["errors"]} == {"kind", "risk_level"}
    response = post(client, "/api/v1/crises", {"kind": "other", "title": "x", "risk_level": "4",
                                               "owner_id": users["bob"].pk})  # fmt: skip
    assert [e["field"] for e in response.json()["errors"]] == ["owner_id"]
    assert not Crisis.objects.exists()


def test_an_illegal_move_answers_400_on_status(users: dict[str, Any], recall: Any) -> None:
    response = post(
        api(users["alice"]), f"/api/v1/crises/{recall.pk}/transitions", {"status": "closed"}
    )
    assert response.status_code == 200  # identified → closed (a false alarm) is allowed
    response = post(
        api(users["alice"]), f"/api/v1/crises/{recall.pk}/transitions", {"status": "responding"}
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "status", "message": response.json()["message"],
                                          "code": "illegal_transition"}]  # fmt: skip


def test_a_rep_reads_crises_but_may_not_respond(users: dict[str, Any], recall: Any) -> None:
    client = api(users["bob"])
    assert client.get("/api/v1/crises").json()["items"][0]["id"] == recall.pk
    response = post(client, f"/api/v1/crises/{recall.pk}/updates", {"body": "试图记录"})
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert (
        post(
            client, "/api/v1/crises", {"kind": "other", "title": "x", "risk_level": "4"}
        ).status_code
        == 403
    )
    assert client.get("/api/v1/crises/999999").status_code == 404


def test_an_empty_link_request_names_why(users: dict[str, Any], recall: Any) -> None:
    response = post(api(users["alice"]), f"/api/v1/crises/{recall.pk}/customers", {"codes": []})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] is None
    response = post(api(users["alice"]), f"/api/v1/crises/{recall.pk}/customers",
                    {"segment": {"value_class": "vip"}})  # fmt: skip
    assert response.json()["errors"][0]["field"] == "value_class"


def test_a_patch_changes_only_the_fields_sent_and_names_a_bad_one(
    users: dict[str, Any], recall: Any
) -> None:
    client = api(users["dave"])
    url = f"/api/v1/crises/{recall.pk}"
    response = client.patch(url, json.dumps({"risk_level": "1"}), content_type="application/json")
    assert response.status_code == 200 and response.json()["risk_level"] == "1"
    assert response.json()["response_plan"] == recall.response_plan
    response = client.patch(url, json.dumps({"title": ""}), content_type="application/json")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "title"
    assert Crisis.objects.get(pk=recall.pk).title == recall.title
    bob = api(users["bob"]).patch(
        url, json.dumps({"risk_level": "4"}), content_type="application/json"
    )
    assert bob.status_code == 403
