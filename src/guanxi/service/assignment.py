"""Who gets a new ticket: the first matching `AssignmentRule`, then its strategy."""

from __future__ import annotations

from django.db.models import Count, Q

from guanxi.core.choices import Role
from guanxi.core.models import User

from .choices import AssignStrategy
from .models import DONE, AssignmentRule, Ticket


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
        loads = dict(
            User.objects.filter(pk__in=[u.pk for u in people])
            .annotate(load=Count("assigned_tickets", filter=~Q(assigned_tickets__status__in=DONE)))
            .values_list("pk", "load")
        )
        chosen = min(people, key=lambda u: (loads.get(u.pk, 0), u.pk))
    rule.last_assignee = chosen
    rule.save(update_fields=["last_assignee"])
    return chosen
