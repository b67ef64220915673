"""Intake, workflow, SLA clocks, scan, survey and the pages/API, with the named users."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from guanxi.core.actions import ActionError
from guanxi.core.models import Event
from guanxi.service import actions, surveys
from guanxi.service.choices import Status
from guanxi.service.escalation import scan
from guanxi.service.models import (
    AgentSkill,
    AssignmentRule,
    Notification,
    RevisitTask,
    ServiceBay,
    SlaPolicy,
    Ticket,
)

SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def test_intake_records_the_matter_and_mails_the_customer_after_commit(
    make_ticket: Any, bob_customer: Any, smtp: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket("carol", bob_customer, contact_email="zhang@example.cn")
    assert ticket.status == Status.OPEN and ticket.contact_name == "张先生"
    mail = smtp.to("zhang@example.cn")
    assert len(mail) == 1 and f"#{ticket.pk}" in str(mail[0]["Subject"])
    assert Event.objects.filter(verb="ticket.created", customer=bob_customer).exists()


def test_the_seeded_inquiry_policy_gives_24_hours_for_the_first_reply(
    make_ticket: Any, bob_customer: Any
) -> None:
    received = datetime(2026, 2, 15, 10, tzinfo=SH)  # 春节 holiday: calendar hours still run
    ticket = make_ticket("carol", bob_customer, received_at=received)
    assert ticket.first_response_due == received + timedelta(hours=24)


def test_the_seeded_complaint_policy_gives_48_hours_for_the_first_handling_opinion(
    make_ticket: Any, bob_customer: Any
) -> None:
    received = datetime(2026, 11, 23, 9, tzinfo=SH)
    ticket = make_ticket("carol", bob_customer, ticket_type="complaint", received_at=received)
    assert ticket.status == Status.INTAKE
    assert ticket.first_response_due == received + timedelta(hours=48)


def test_a_working_hours_policy_skips_national_day(make_ticket: Any, bob_customer: Any) -> None:
    SlaPolicy.objects.create(name="投诉（工作时间）", ticket_type="complaint", value_class="general",
                             first_response_hours=16, resolution_hours=40, clock="working")  # fmt: skip
    ticket = make_ticket("carol", bob_customer, ticket_type="complaint",
                         received_at=datetime(2026, 9, 30, 17, 30, tzinfo=SH))  # fmt: skip
    assert ticket.first_response_due == datetime(2026, 10, 9, 17, 30, tzinfo=SH)


def test_a_rep_may_not_open_a_ticket_for_another_reps_customer(
    make_ticket: Any, mallory_customer: Any
) -> None:
    with pytest.raises(ActionError):
        make_ticket("bob", mallory_customer)
    assert not Ticket.objects.exists()


def test_the_complaint_walks_its_whole_workflow_and_closes_only_with_lessons(
    make_ticket: Any, users: dict[str, Any], bob_customer: Any
) -> None:
    carol = users["carol"]
    ticket = make_ticket("carol", bob_customer, ticket_type="complaint")
    for step in ("investigation", "solution", "implementation", "feedback", "follow_up"):
        ticket = actions.transition(ticket, step, by=carol, note=f"{step} 记录")
    assert ticket.first_responded_at is not None and ticket.resolved_at is not None
    with pytest.raises(ActionError) as refused:
        actions.transition(ticket, "closed", by=carol)
    assert refused.value.field == "lessons_learned"
    ticket = actions.transition(ticket, "closed", by=carol, lessons_learned="计量器每季度校准")
    assert ticket.status == Status.CLOSED and ticket.closed_at is not None
    assert [c.to_status for c in ticket.status_changes.all()] == [
        "intake", "investigation", "solution", "implementation", "feedback", "follow_up", "closed"]  # fmt: skip
    assert RevisitTask.objects.filter(ticket=ticket, assignee=carol).exists()


def test_an_illegal_transition_is_refused_on_the_status_field(
    make_ticket: Any, users: dict[str, Any], bob_customer: Any
) -> None:
    ticket = make_ticket("carol", bob_customer, ticket_type="complaint")
    with pytest.raises(ActionError) as refused:
        actions.transition(ticket, "implementation", by=users["carol"])
    assert refused.value.field == "status" and refused.value.code == "illegal_transition"
    assert Ticket.objects.get(pk=ticket.pk).status == Status.INTAKE


def test_a_dispute_climbs_one_rung_at_a_time_with_dates(
    make_ticket: Any, users: dict[str, Any], bob_customer: Any
) -> None:
    carol = users["carol"]
    ticket = make_ticket("carol", bob_customer, ticket_type="complaint")
    with pytest.raises(ActionError):
        actions.escalate_dispute(ticket, "litigation", by=carol)
    first = actions.escalate_dispute(ticket, "negotiation", by=carol, record="双方面谈")
    actions.escalate_dispute(ticket, "mediation", by=carol, counterpart="消费者协会")
    first.refresh_from_db()
    assert first.ended_at is not None
    assert Ticket.objects.get(pk=ticket.pk).dispute_stage == "mediation"


def test_waiting_on_the_customer_pauses_the_clock_and_resume_gives_the_time_back(
    make_ticket: Any, users: dict[str, Any], bob_customer: Any
) -> None:
    carol = users["carol"]
    ticket = make_ticket("carol", bob_customer, received_at=timezone.now())
    due = ticket.first_response_due
    actions.wait_on_customer(ticket, by=carol)
    Ticket.objects.filter(pk=ticket.pk).update(waiting_since=timezone.now() - timedelta(hours=5))
    assert Ticket.objects.get(pk=ticket.pk).escalate_at is None
    ticket = actions.resume(
        Ticket.objects.get(pk=ticket.pk), by=carol, customer_message="照片已补发"
    )
    assert (
        timedelta(hours=4, minutes=59)
        < ticket.first_response_due - due
        < timedelta(hours=5, minutes=1)
    )
    assert ticket.escalate_at == ticket.first_response_due


def test_the_scan_warns_then_escalates_once_in_app_and_by_mail(
    make_ticket: Any, users: dict[str, Any], bob_customer: Any, smtp: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    carol = users["carol"]
    carol.email = "carol@example.cn"
    carol.save(update_fields=["email"])
    AssignmentRule.objects.create(name="全部", strategy="least_load")
    ticket = make_ticket("carol", bob_customer, received_at=timezone.now() - timedelta(hours=23))
    assert ticket.assignee == carol
    with django_capture_on_commit_callbacks(execute=True):
        assert scan().warned == 1
    assert scan().warned == 0  # once only
    assert Notification.objects.filter(user=carol, kind="sla_warning").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        result = scan(now=timezone.now() + timedelta(hours=2))
    assert result.escalated == 1
    ticket.refresh_from_db()
    assert ticket.response_breached and ticket.escalation_level == 1
    assert ticket.escalate_at == ticket.resolution_due
    assert Notification.objects.filter(user=carol, kind="sla_breach").count() == 1
    assert Event.objects.filter(verb="ticket.escalated", object_id=ticket.pk).count() == 1
    assert len(smtp.to("carol@example.cn")) == 2


def test_the_scan_of_many_tickets_costs_a_fixed_number_of_queries(
    make_ticket: Any, bob_customer: Any, django_assert_max_num_queries: Any
) -> None:
    for _ in range(30):
        make_ticket("carol", bob_customer, received_at=timezone.now() - timedelta(days=2))
    with django_assert_max_num_queries(20):
        assert scan().escalated == 30


def test_round_robin_deals_tickets_in_turn_among_skilled_agents(
    make_ticket: Any, users: dict[str, Any], bob_customer: Any
) -> None:
    from guanxi.core.actions import add_user

    dan = add_user("dan", "x-Password-1", role="agent", by=None)
    for person in (users["carol"], dan):
        AgentSkill.objects.create(user=person, skill="油品")
    AssignmentRule.objects.create(name="油品", skill="油品", strategy="round_robin")
    got = [make_ticket("carol", bob_customer, skill="油品").assignee for _ in range(3)]
    assert got == [users["carol"], dan, users["carol"]]


def test_a_bay_day_takes_no_more_appointments_than_its_capacity(
    make_ticket: Any, bob_customer: Any
) -> None:
    bay = ServiceBay.objects.create(name="1号工位", daily_capacity=2)
    day = date(2026, 11, 25)
    for _ in range(2):
        make_ticket("carol", bob_customer, ticket_type="maintenance", bay=bay, appointment_day=day)
    with pytest.raises(ActionError) as refused:
        make_ticket("carol", bob_customer, ticket_type="maintenance", bay=bay, appointment_day=day)
    assert refused.value.code == "fully_booked"
    assert Ticket.objects.filter(ticket_type="maintenance").count() == 2


def test_attachments_are_checked_for_size_and_type(
    make_ticket: Any, users: dict[str, Any], bob_customer: Any, settings: Any, tmp_path: Any
) -> None:
    settings.GUANXI_ATTACHMENT_DIR = tmp_path
    settings.GUANXI_ATTACHMENT_MAX_BYTES = 1024
    ticket = make_ticket("carol", bob_customer)
    ok = actions.attach_file(
        ticket, SimpleUploadedFile("发票.pdf", b"%PDF-1.4 x"), by=users["carol"]
    )
    assert (tmp_path / ok.stored_as).read_bytes() == b"%PDF-1.4 x"
    for upload, code in (
        (SimpleUploadedFile("a.exe", b"MZ"), "bad_type"),
        (SimpleUploadedFile("fake.png", b"not a png"), "bad_content"),
        (SimpleUploadedFile("big.pdf", b"%PDF-" + b"x" * 2000), "too_large"),
    ):
        with pytest.raises(ActionError) as refused:
            actions.attach_file(ticket, upload, by=users["carol"])
        assert refused.value.code == code and refused.value.field == "file"


def test_closing_a_repair_sends_the_survey_link_that_records_csat_without_login(
    make_ticket: Any, users: dict[str, Any], bob_customer: Any, client: Any, smtp: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    carol = users["carol"]
    ticket = make_ticket("carol", bob_customer, ticket_type="repair", contact_email="zhang@example.cn",
                         asset_identifier="LSVAU2180N2183294")  # fmt: skip
    actions.add_repair_line(
        ticket, {"kind": "part", "description": "滤清器", "quantity": 1, "unit_price": 80}, by=carol
    )
    actions.transition(ticket, "resolved", by=carol, resolution="更换滤清器")
    with django_capture_on_commit_callbacks(execute=True):
        actions.transition(ticket, "closed", by=carol)
    body = smtp.to("zhang@example.cn")[-1].get_content()
    token = body.split("/service/survey/")[1].split("/")[0]
    assert surveys.ticket_id_from(token) == ticket.pk
    response = client.post(
        reverse("service:survey", args=[token]), {"score": "5", "comment": "很好"}
    )
    assert (
        response.status_code == 200 and ticket.__class__.objects.get(pk=ticket.pk).survey.score == 5
    )
    assert client.get(reverse("service:survey", args=[token + "x"])).status_code == 404
    assert RevisitTask.objects.filter(ticket=ticket).count() == 1


def test_the_public_form_files_a_ticket_and_drops_bots_and_floods(
    client: Any, settings: Any, users: dict[str, Any]
) -> None:
    settings.GUANXI_PUBLIC_FORM_PER_HOUR = 2
    form = {
        "ticket_type": "inquiry",
        "subject": "发票怎么开",
        "contact_name": "访客",
        "contact_email": "v@example.cn",
    }
    assert (
        client.post(
            reverse("service:public_ticket"), {**form, "website": "http://spam"}
        ).status_code
        == 200
    )
    assert not Ticket.objects.exists()
    for _ in range(2):
        assert client.post(reverse("service:public_ticket"), form).status_code == 200
    assert client.post(reverse("service:public_ticket"), form).status_code == 429
    assert Ticket.objects.filter(channel="web_form", customer=None).count() == 2


def test_the_api_creates_lists_and_refuses_an_illegal_move(
    login: Any, users: dict[str, Any], bob_customer: Any, mallory_customer: Any
) -> None:
    client = login(users["bob"])
    body = {"ticket_type": "complaint", "channel": "hotline", "customer_id": bob_customer.pk,
            "subject": "油号不符", "contact_phone": "13812345678"}  # fmt: skip
    created = client.post("/api/v1/tickets", json.dumps(body), content_type="application/json")
    assert created.status_code == 201, created.content
    tid = created.json()["id"]
    moved = client.post(
        f"/api/v1/tickets/{tid}/transitions",
        json.dumps({"status": "closed"}),
        content_type="application/json",
    )
    assert moved.status_code == 400 and moved.json()["errors"][0]["field"] == "status"
    bad = client.post(
        "/api/v1/tickets",
        json.dumps({**body, "contact_phone": "12"}),
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "contact_phone"
    other = client.post(
        "/api/v1/tickets",
        json.dumps({**body, "customer_id": mallory_customer.pk}),
        content_type="application/json",
    )
    assert other.status_code == 404
    assert [t["id"] for t in client.get("/api/v1/tickets").json()["items"]] == [tid]


def test_the_ticket_list_page_costs_the_same_queries_for_many_tickets(
    login: Any,
    users: dict[str, Any],
    make_ticket: Any,
    bob_customer: Any,
    django_assert_max_num_queries: Any,
) -> None:
    client = login(users["carol"])
    make_ticket("carol", bob_customer)
    with django_assert_max_num_queries(6):
        assert client.get(reverse("service:list")).status_code == 200
    for _ in range(20):
        make_ticket("carol", bob_customer)
    with django_assert_max_num_queries(6):
        assert client.get(reverse("service:list")).status_code == 200


def test_kpis_count_resolution_satisfaction_and_complaints(
    login: Any, users: dict[str, Any], make_ticket: Any, bob_customer: Any
) -> None:
    carol = users["carol"]
    done = make_ticket("carol", bob_customer)
    actions.add_message(done, "已为您查询", kind="reply", by=carol)
    actions.transition(done, "resolved", by=carol)
    actions.transition(done, "closed", by=carol)
    actions.submit_survey(done.pk, 4)
    make_ticket("carol", bob_customer, ticket_type="complaint")
    response = login(users["alice"]).get(reverse("service:kpis"), {"group": "month"})
    row = response.context["rows"][-1]
    assert (row.tickets, row.resolution_rate, row.satisfaction, row.complaints) == (
        2,
        50.0,
        100.0,
        1,
    )
    assert row.first_response_hours is not None and response.context["complaint_rate"] == 100.0
    api = login(users["alice"]).get(
        "/api/v1/service/kpis", {"start": "2026-01-01", "end": "2027-01-01"}
    )
    assert api.status_code == 200 and api.json()["targets"]["satisfaction"] == 80.0


def test_the_customer_360_shows_tickets_with_their_csat(
    login: Any, users: dict[str, Any], make_ticket: Any, bob_customer: Any
) -> None:
    ticket = make_ticket("carol", bob_customer, subject="加油卡挂失")
    page = login(users["bob"]).get(reverse("customers:detail", args=[bob_customer.pk]))
    assert "加油卡挂失" in page.content.decode() and ticket.pk
