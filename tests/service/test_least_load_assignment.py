"""Least-load assignment counts only unfinished tickets, and reads them from a small index."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanxi.core.actions import add_user
from guanxi.service.assignment import open_loads
from guanxi.service.models import AssignmentRule, Ticket

pytestmark = pytest.mark.django_db


def _closed(count: int, agent: Any, customer: Any) -> None:
    Ticket.objects.bulk_create(
        Ticket(ticket_type="inquiry", channel="hotline", status="closed", subject=f"旧{i}",
               customer=customer, assignee=agent)
        for i in range(count)
    )  # fmt: skip


def test_a_long_closed_history_does_not_count_as_load(
    users: dict[str, Any], make_ticket: Any, bob_customer: Any
) -> None:
    carol = users["carol"]
    second = add_user("kelly", "Guanxi-Test-2026!", role="agent", by=None)
    AssignmentRule.objects.create(name="全部", strategy="least_load")
    _closed(30, carol, bob_customer)  # carol is the older agent but has nothing open
    Ticket.objects.create(ticket_type="inquiry", channel="hotline", status="open",
                          subject="未完", customer=bob_customer, assignee=second)  # fmt: skip
    ticket = make_ticket("carol", bob_customer)
    assert ticket.assignee == carol
    assert open_loads([carol.pk, second.pk]) == {carol.pk: 1, second.pk: 1}


def test_every_unfinished_status_of_the_complaint_flow_counts(
    users: dict[str, Any], bob_customer: Any
) -> None:
    carol = users["carol"]
    for status in ("open", "intake", "investigation", "solution", "implementation", "resolved",
                   "feedback", "follow_up", "closed"):  # fmt: skip
        Ticket.objects.create(ticket_type="complaint", channel="hotline", status=status,
                              subject=status, customer=bob_customer, assignee=carol)  # fmt: skip
    assert open_loads([carol.pk]) == {carol.pk: 5}


def test_the_load_query_names_the_unfinished_statuses_so_the_partial_index_applies(
    users: dict[str, Any],
) -> None:
    with CaptureQueriesContext(connection) as queries:
        open_loads([users["carol"].pk])
    (sql,) = [q["sql"] for q in queries.captured_queries]
    assert "IN ('open', 'intake', 'investigation', 'solution', 'implementation')" in sql
    assert "NOT" not in sql and "JOIN" not in sql
    plan = (
        Ticket.objects.unfinished()
        .filter(assignee_id__in=[users["carol"].pk])
        .values("assignee_id")
        .order_by()
        .explain()
    )
    # Either index reads only open rows: the partial one, or (assignee, status) by both keys.
    assert "ticket_open_assignee" in plan or "ticket_assignee" in plan, plan


def test_the_load_counters_follow_assignment_handover_closing_and_reopening(
    users: dict[str, Any], make_ticket: Any, bob_customer: Any
) -> None:
    from guanxi.service import actions
    from guanxi.service.assignment import current_loads
    from guanxi.service.models import AgentLoad

    carol = users["carol"]
    kelly = add_user("kelly", "Guanxi-Test-2026!", role="agent", by=None)
    AssignmentRule.objects.create(name="全部", strategy="least_load")
    first, second, third = (make_ticket("carol", bob_customer) for _ in range(3))
    assert {first.assignee, second.assignee, third.assignee} == {carol, kelly}
    actions.reassign(second, carol if second.assignee == kelly else kelly, by=users["alice"])
    actions.transition(first, "resolved", by=carol)
    actions.transition(first, "open", by=carol)  # reopened
    actions.transition(third, "resolved", by=carol)
    counted = open_loads([carol.pk, kelly.pk])
    stored = dict(AgentLoad.objects.values_list("user_id", "open_tickets"))
    assert {pk: stored[pk] for pk in counted} == counted
    assert current_loads([carol.pk, kelly.pk]) == {
        carol.pk: counted.get(carol.pk, 0),
        kelly.pk: counted.get(kelly.pk, 0),
    }


def test_choosing_an_agent_does_not_count_the_open_backlog(
    users: dict[str, Any], make_ticket: Any, bob_customer: Any
) -> None:
    AssignmentRule.objects.create(name="全部", strategy="least_load")
    make_ticket("carol", bob_customer)  # fills the counters once
    with CaptureQueriesContext(connection) as queries:
        make_ticket("carol", bob_customer)
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
