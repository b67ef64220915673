"""Who gets a new ticket: the first matching `AssignmentRule`, then its strategy."""

from __future__ import annotations

from django.db.models import Count, F

from guanxi.core.choices import Role
from guanxi.core.models import User

from .choices import AssignStrategy
from .models import AgentLoad, AssignmentRule, Ticket


def matching_rule(ticket: Ticket) -> AssignmentRule | None:
    for rule in AssignmentRule.objects.filter(active=True):
        if rule.ticket_type and rule.ticket_type != ticket.ticket_type:
            continue
        if rule.skill and rule.skill != ticket.skill:
            continue
        return rule
    return None


def candidates(rule: AssignmentRule) -> list[User]:
    users = User.objects.filter(is_active=True, role=Role.AGENT)
    if rule.team_id:
        users = users.filter(team_id=rule.team_id)
    if rule.skill:
        users = users.filter(service_skills__skill=rule.skill)
    return list(users.order_by("id"))


def open_loads(user_ids: list[int]) -> dict[int, int]:
    """Unfinished tickets per agent, counted (from the partial index `ticket_open_assignee`).

    The truth the `AgentLoad` counters are filled and repaired from; not on the
    create path, where it would grow with the open backlog.
    """
    rows = (
        Ticket.objects.unfinished()
        .filter(assignee_id__in=user_ids)
        .values("assignee_id")
        .annotate(load=Count("id"))
        .order_by()
        .values_list("assignee_id", "load")
    )
    return dict(rows)


def current_loads(user_ids: list[int]) -> dict[int, int]:
    """The agents' counters, creating the missing ones from a count (first use only)."""
    loads = dict(
        AgentLoad.objects.filter(user_id__in=user_ids).values_list("user_id", "open_tickets")
    )
    missing = [pk for pk in user_ids if pk not in loads]
    if missing:
        counted = open_loads(missing)
        AgentLoad.objects.bulk_create(
            [AgentLoad(user_id=pk, open_tickets=counted.get(pk, 0)) for pk in missing],
            ignore_conflicts=True,
        )
        loads.update({pk: counted.get(pk, 0) for pk in missing})
    return loads


def shift_load(user_id: int | None, delta: int) -> None:
    """Move an agent's counter; call it before or after the ticket write, in the same transaction.

    A user without a counter gets none here: `current_loads` counts them when they
    first become a candidate, which already includes this change.
    """
    if user_id is not None and delta:
        AgentLoad.objects.filter(user_id=user_id).update(open_tickets=F("open_tickets") + delta)


def recount_loads() -> int:
    """Rebuild every counter from the tickets (after bulk loads, or to repair drift)."""
    counted = open_loads(list(User.objects.values_list("pk", flat=True)))
    AgentLoad.objects.all().delete()
    AgentLoad.objects.bulk_create(
        AgentLoad(user_id=pk, open_tickets=n) for pk, n in counted.items()
    )
    return len(counted)


def pick_assignee(ticket: Ticket) -> User | None:
    """Must run inside the creating transaction: the round-robin pointer is locked and moved."""
    rule = matching_rule(ticket)
    if rule is None:
        return None
    # Lock the rule so two tickets created at once do not both go to the same agent.
    rule = AssignmentRule.objects.select_for_update().get(pk=rule.pk)
    people = candidates(rule)
    if not people:
        return None
    if rule.strategy == AssignStrategy.ROUND_ROBIN:
        after = [u for u in people if rule.last_assignee_id is None or u.pk > rule.last_assignee_id]
        chosen = (after or people)[0]
    else:
        loads = current_loads([u.pk for u in people])
        chosen = min(people, key=lambda u: (loads.get(u.pk, 0), u.pk))
    rule.last_assignee = chosen
    rule.save(update_fields=["last_assignee"])
    return chosen
