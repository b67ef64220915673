"""Transcripts: a closed chat joins its customer's timeline; agents link a customer later;
who may read a transcript follows the customer's scope."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from guanxi.chat import actions
from guanxi.chat.queries import transcript_text
from guanxi.core.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(users: dict[str, Any], start_chat: Callable[..., Any]) -> Any:
    conversation = start_chat("张伟", "我的加油卡被锁了")
    actions.accept_conversation(conversation, by=users["carol"])
    actions.post_message(conversation, "请提供卡号后四位。", by=users["carol"])
    actions.post_message(conversation, "5678", by=None)
    return conversation


def test_closing_a_customers_chat_puts_the_transcript_on_the_timeline(
    users: dict[str, Any], answered: Any, bob_customer: Any, login: Callable[[Any], Client]
) -> None:
    actions.link_customer(answered, bob_customer, by=users["carol"])
    actions.close_conversation(answered, by=users["carol"])

    closed = Event.objects.get(verb="chat.closed")
    assert (closed.customer_id, closed.object_type, closed.object_id) == (
        bob_customer.pk,
        "conversation",
        answered.pk,
    )
    assert "3 条消息" in closed.summary
    # Single lines stay off the timeline (audit only).
    assert not Event.objects.filter(verb="chat.message", customer__isnull=False).exists()

    page = login(users["bob"]).get(f"/customers/{bob_customer.pk}/").content.decode()
    assert f"#{answered.pk} 在线客服会话（3 条消息）" in page  # the timeline entry
    # The 360's chat section arrives by htmx, so the page's query count stays pinned.
    section_url = f"/chat/customers/{bob_customer.pk}/conversations/"
    assert f'hx-get="{section_url}"' in page
    section = login(users["bob"]).get(section_url).content.decode()
    assert f"/chat/conversations/{answered.pk}/" in section
    assert login(users["mallory"]).get(section_url).status_code == 404
    transcript = login(users["bob"]).get(f"/chat/conversations/{answered.pk}/").content.decode()
    assert "请提供卡号后四位。" in transcript and "5678" in transcript
    assert "转为工单" not in transcript  # bob reads, but is not on chat duty


def test_linking_a_closed_chat_later_puts_it_on_that_customers_timeline(
    users: dict[str, Any], answered: Any, bob_customer: Any, login: Callable[[Any], Client]
) -> None:
    actions.close_conversation(answered, by=None)
    assert not Event.objects.filter(customer=bob_customer, verb__startswith="chat.").exists()

    carol = login(users["carol"])
    response = carol.post(
        f"/chat/conversations/{answered.pk}/customer/", {"customer_id": bob_customer.pk}
    )
    assert response.status_code == 302
    answered.refresh_from_db()
    assert answered.customer_id == bob_customer.pk
    assert Event.objects.filter(customer=bob_customer, verb="chat.customer_linked").count() == 1

    again = carol.post(
        f"/chat/conversations/{answered.pk}/customer/", {"customer_id": bob_customer.pk}
    )
    assert again.status_code == 302
    assert Event.objects.filter(verb="chat.customer_linked").count() == 1


def test_only_chat_duty_may_link_and_only_to_a_customer_it_can_see(
    users: dict[str, Any], answered: Any, bob_customer: Any, login: Callable[[Any], Client]
) -> None:
    # mona (marketing) reads all chats but does not answer them.
    response = login(users["mona"]).post(
        f"/chat/conversations/{answered.pk}/customer/", {"customer_id": bob_customer.pk}
    )
    assert response.status_code == 404
    # bob may not even see a chat that has no customer of his.
    assert login(users["bob"]).get(f"/chat/conversations/{answered.pk}/").status_code == 404
    assert (
        login(users["carol"]).get(f"/chat/conversations/{answered.pk}/customer/").status_code == 405
    )
    carol = login(users["carol"])
    carol.post(f"/chat/conversations/{answered.pk}/customer/", {"customer_id": 999_999})
    answered.refresh_from_db()
    assert answered.customer_id is None


def test_a_rep_reads_his_customers_transcripts_and_no_one_elses(
    users: dict[str, Any],
    start_chat: Callable[..., Any],
    bob_customer: Any,
    mallory_customer: Any,
    login: Callable[[Any], Client],
) -> None:
    bobs = start_chat("张伟")
    mallorys = start_chat("申能燃气")
    actions.link_customer(bobs, bob_customer, by=users["carol"])
    actions.link_customer(mallorys, mallory_customer, by=users["carol"])
    bob = login(users["bob"])
    assert bob.get(f"/chat/conversations/{bobs.pk}/").status_code == 200
    assert bob.get(f"/chat/conversations/{mallorys.pk}/").status_code == 404
    listing = bob.get("/chat/conversations/").content.decode()
    assert f"#{bobs.pk}<" in listing and f"#{mallorys.pk}<" not in listing


def test_an_analyst_sees_the_visitors_name_and_phone_masked(
    users: dict[str, Any], start_chat: Callable[..., Any], login: Callable[[Any], Client]
) -> None:
    conversation = start_chat("张伟", visitor_phone="+8613812345678")
    page = login(users["frank"]).get(f"/chat/conversations/{conversation.pk}/").content.decode()
    assert "张伟" not in page and "13812345678" not in page
    api = login(users["frank"]).get(f"/api/v1/chat/conversations/{conversation.pk}").json()
    assert api["visitor_name"] != "张伟"


def test_the_transcript_text_names_each_side_in_shanghai_time(
    users: dict[str, Any], answered: Any
) -> None:
    text = transcript_text(answered)
    assert text.splitlines()[0] == f"在线客服会话 #{answered.pk} · 访客：张伟"
    assert "访客 张伟：我的加油卡被锁了" in text
    assert "客服 陈可儿：请提供卡号后四位。" in text
    first = answered.messages.order_by("id").first()
    from django.utils import timezone

    assert timezone.localtime(first.created_at).strftime("[%Y-%m-%d %H:%M:%S]") in text
