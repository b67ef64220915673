"""Telling the affected customers: e-mail to each one after commit, other channels logged."""

from __future__ import annotations

from typing import Any

import pytest

from guanxi.core.actions import ActionError
from guanxi.crisis import actions
from guanxi.crisis.models import AffectedCustomer, Communication, CommunicationRecipient

pytestmark = pytest.mark.django_db


@pytest.fixture
def affected(users: dict[str, Any], recall: Any, make_customer: Any) -> dict[str, Any]:
    people = {
        "wang": make_customer("bob", name="王五", email="wang@example.cn"),
        "li": make_customer("bob", name="李四"),  # no e-mail address
        "zhao": make_customer("mallory", name="赵六", email="zhao@example.cn"),
    }
    actions.link_customers(recall, by=users["alice"], codes=[str(c.pk) for c in people.values()])
    return people


def test_an_email_reaches_each_affected_customer_by_their_own_message_after_commit(
    users: dict[str, Any], recall: Any, affected: dict[str, Any], smtp: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = actions.send_communication(
            recall, {"channel": "email", "subject": "92号汽油召回通知", "content": "请到站免费更换。"},
            by=users["carol"],
        )  # fmt: skip
        assert smtp.messages == []  # nothing leaves inside the transaction
    for callback in callbacks:
        callback()
    assert (message.recipient_count, message.skipped_count) == (2, 1)
    assert [str(m["To"]) for m in smtp.to("wang@example.cn")] == ["wang@example.cn"]
    assert len(smtp.to("zhao@example.cn")) == 1 and len(smtp.messages) == 2
    assert "召回" in str(smtp.messages[0]["Subject"])
    states = dict(AffectedCustomer.objects.values_list("customer_id", "recovery"))
    assert states[affected["wang"].pk] == "notified" and states[affected["li"].pk] == "pending"


def test_a_manager_contacts_only_the_affected_customers_of_their_team(
    users: dict[str, Any], recall: Any, affected: dict[str, Any], smtp: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        message = actions.send_communication(
            recall, {"channel": "email", "subject": "通知", "content": "…"}, by=users["dave"]
        )
    assert message.recipient_count == 1 and smtp.to("zhao@example.cn") == []
    assert set(CommunicationRecipient.objects.values_list("customer_id", flat=True)) == {
        affected["wang"].pk
    }


def test_a_phone_round_is_logged_as_contact_with_every_affected_customer(
    users: dict[str, Any], recall: Any, affected: dict[str, Any], smtp: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        message = actions.send_communication(
            recall, {"channel": "phone", "content": "电话告知召回安排"}, by=users["carol"]
        )
    assert message.recipient_count == 3 and smtp.messages == []
    assert not AffectedCustomer.objects.filter(recovery="pending").exists()


def test_without_reachable_customers_nothing_is_recorded(
    users: dict[str, Any], recall: Any
) -> None:
    with pytest.raises(ActionError) as refused:
        actions.send_communication(recall, {"channel": "sms", "content": "x"}, by=users["carol"])
    assert refused.value.code == "no_recipients" and not Communication.objects.exists()


def test_the_page_refuses_an_email_without_subject(
    users: dict[str, Any], recall: Any, affected: dict[str, Any], login: Any
) -> None:
    client = login(users["carol"])
    response = client.post(
        f"/crisis/{recall.pk}/communications/", {"channel": "email", "content": "x"}, follow=True
    )
    assert "电子邮件须填写主题" in response.content.decode()
    assert not Communication.objects.exists()
