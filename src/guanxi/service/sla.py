"""SLA targets of a ticket: which policy applies, when each milestone is due, the scan cursors.

Two milestones: the first response (for a complaint, the first handling opinion
处理意见) and the resolution. A clock runs in calendar hours or in working hours
on the official calendar (`calendar.py`), and stops while the ticket waits on
the customer: on resume every pending due moves by the time that was left.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal

from .calendar import WorkingCalendar
from .choices import ClockKind
from .models import SlaPolicy, Ticket


def policy_for(
    ticket_type: str, priority: str, value_class: str, policies: Iterable[SlaPolicy]
) -> SlaPolicy | None:
    """The most specific active policy: each matching criterion beats a blank one.

    Type weighs most, then customer class, then priority, so "complaint, any class"
    is preferred over "any type, high-value class".
    """
    best: tuple[int, int] | None = None
    chosen = None
    for policy in policies:
        if not policy.active:
            continue
        score = 0
        for value, wanted, weight in (
            (policy.ticket_type, ticket_type, 4),
            (policy.value_class, value_class, 2),
            (policy.priority, priority, 1),
        ):
            if value and value != wanted:
                break
            if value:
                score += weight
        else:
            key = (score, -policy.pk)
            if best is None or key > best:
                best, chosen = key, policy
    return chosen


def add_hours(
    start: datetime, hours: Decimal | float, clock: str, cal: WorkingCalendar | None
) -> datetime:
    seconds = float(hours) * 3600
    if clock == ClockKind.WORKING:
        assert cal is not None, "a working-hours clock needs the calendar"
        return cal.add(start, seconds)
    return start + timedelta(seconds=seconds)


def elapsed(start: datetime, stop: datetime, clock: str, cal: WorkingCalendar) -> float:
    if clock == ClockKind.WORKING:
        return cal.between(start, stop)
    return max((stop - start).total_seconds(), 0.0)


def set_targets(
    ticket: Ticket, policy: SlaPolicy | None, cal: WorkingCalendar | None = None
) -> None:
    """Due times from the intake time (not the moment someone typed it in).

    The working calendar is read only for a working-hours policy: a calendar-hours
    policy (the seeded ones) needs no holiday table at all.
    """
    ticket.sla_policy = policy
    if policy is not None and policy.clock == ClockKind.WORKING and cal is None:
        cal = WorkingCalendar.current()
    if policy is None:
        ticket.first_response_due = ticket.resolution_due = None
    else:
        start = ticket.received_at
        ticket.first_response_due = add_hours(start, policy.first_response_hours, policy.clock, cal)
        ticket.resolution_due = add_hours(start, policy.resolution_hours, policy.clock, cal)
    refresh_cursors(ticket, policy)


def pending_due(ticket: Ticket) -> tuple[str, datetime] | None:
    """The milestone the ticket is racing now, if any and not already breached."""
    if (
        ticket.first_responded_at is None
        and ticket.first_response_due
        and not ticket.response_breached
    ):
        return "response", ticket.first_response_due
    if ticket.resolved_at is None and ticket.resolution_due and not ticket.resolution_breached:
        return "resolution", ticket.resolution_due
    return None


def refresh_cursors(ticket: Ticket, policy: SlaPolicy | None) -> None:
    """Point warn_at/escalate_at at the next thing the periodic scan must do."""
    due = pending_due(ticket) if ticket.waiting_since is None and ticket.closed_at is None else None
    if due is None or policy is None:
        ticket.warn_at = ticket.escalate_at = None
        return
    ticket.escalate_at = due[1]
    ticket.warn_at = due[1] - timedelta(minutes=policy.warn_before_minutes)


def resume(ticket: Ticket, now: datetime, cal: WorkingCalendar) -> None:
    """Give back the clock time spent waiting on the customer.

    A milestone keeps the time that was left on it when the wait began; one that
    was already overdue then stays overdue.
    """
    policy = ticket.sla_policy
    paused_at = ticket.waiting_since
    ticket.waiting_since = None
    if policy is None or paused_at is None:
        refresh_cursors(ticket, policy)
        return
    for field, done in (
        ("first_response_due", ticket.first_responded_at),
        ("resolution_due", ticket.resolved_at),
    ):
        due: datetime | None = getattr(ticket, field)
        if done is None and due is not None and due > paused_at:
            left = elapsed(paused_at, due, policy.clock, cal)
            setattr(ticket, field, add_hours(now, Decimal(left) / 3600, policy.clock, cal))
    refresh_cursors(ticket, policy)
