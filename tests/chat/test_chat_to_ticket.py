"""A chat becomes a service ticket: channel 在线客服, the transcript in its description."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from guanxi.chat import actions
from guanxi.service.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(users: dict[str, Any], start_chat: Callable[..., Any], bob_customer: Any) -> Any:
    conversation = start_chat("张伟", "加油机多扣了200元", visitor_email="zw@example.com")
    actions.accept_conversation(conversation, by=users["carol"])
    actions.post_message(conversation, "已记录，我们会核查。", by=users["carol"])
    actions.link_customer(conversation, bob_customer, by=users["carol"])
    return conversation


def test_an_agent_turns_a_chat_into_a_ticket_that_carries_the_transcript(
    users: dict[str, Any], conversation: Any, bob_customer: Any, login: Callable[[Any], Client]
) -> None:
    response = login(users["carol"]).post(
        f"/chat/conversations/{conversation.pk}/ticket/",
        {"ticket_type": "complaint", "subject": "加油机多扣款"},
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/service/tickets/{ticket.pk}/"
    assert (ticket.channel, ticket.ticket_type, ticket.customer_id) == (
        "live_chat",
        "complaint",
        bob_customer.pk,
    )
    assert (ticket.contact_name, ticket.contact_email) == ("张伟", "zw@example.com")
    assert (
        "加油机多扣了200元" in ticket.description and "已记录，我们会核查。" in ticket.description
    )
    assert ticket.received_at == conversation.started_at
    conversation.refresh_from_db()
    assert conversation.ticket_id == ticket.pk

    # Once is enough: a second ticket is refused and nothing is written.
    login(users["carol"]).post(
        f"/chat/conversations/{conversation.pk}/ticket/",
        {"ticket_type": "complaint", "subject": "再来一张"},
    )
    assert Ticket.objects.count() == 1


def test_the_api_turns_a_chat_into_a_ticket_and_refuses_bad_input_by_field(
    users: dict[str, Any], conversation: Any, login: Callable[[Any], Client]
) -> None:
    url = f"/api/v1/chat/conversations/{conversation.pk}/ticket"
    carol = login(users["carol"])
    bad = carol.post(
        url,
        json.dumps({"ticket_type": "maintenance", "subject": ""}),
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"ticket_type", "subject"}
    assert not Ticket.objects.exists()

    mona = Client()
    mona.force_login(users["mona"])
    assert (
        mona.post(
            url,
            json.dumps({"ticket_type": "inquiry", "subject": "x"}),
            content_type="application/json",
        ).status_code
        == 403
    )

    ok = carol.post(
        url,
        json.dumps({"ticket_type": "inquiry", "subject": "充值问题"}),
        content_type="application/json",
    )
    assert ok.status_code == 201
    assert Ticket.objects.get().pk == ok.json()["ticket_id"]


def test_roles_off_chat_duty_cannot_make_tickets_from_chats(
    users: dict[str, Any], conversation: Any, login: Callable[[Any], Client]
) -> None:
    for name in ("bob", "mona", "frank"):
        response = login(users[name]).post(
            f"/chat/conversations/{conversation.pk}/ticket/",
            {"ticket_type": "inquiry", "subject": "越权"},
        )
        assert response.status_code == 404, name
    assert not Ticket.objects.exists()
