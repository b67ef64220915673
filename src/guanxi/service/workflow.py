"""The state machines: which status a ticket may move to, and the dispute ladder.

Actions call `check_transition` before writing, so a view, the API and a task
all meet the same rule and the same error (`ActionError`, field `status`).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from guanxi.core.actions import ActionError

from .choices import DisputeStage, Status, TicketType
from .models import Ticket

GENERAL: dict[str, tuple[str, ...]] = {
    Status.OPEN: (Status.RESOLVED,),
    Status.RESOLVED: (Status.CLOSED, Status.OPEN),  # reopen if the fix did not hold
    Status.CLOSED: (),
}
# 受理 → 调查 → 方案 → 实施 → 反馈 → 跟踪 → 关闭; a customer unhappy at feedback sends
# the complaint back to a new solution rather than on to follow-up.
COMPLAINT: dict[str, tuple[str, ...]] = {
    Status.INTAKE: (Status.INVESTIGATION,),
    Status.INVESTIGATION: (Status.SOLUTION,),
    Status.SOLUTION: (Status.IMPLEMENTATION,),
    Status.IMPLEMENTATION: (Status.FEEDBACK,),
    Status.FEEDBACK: (Status.FOLLOW_UP, Status.SOLUTION),
    Status.FOLLOW_UP: (Status.CLOSED,),
    Status.CLOSED: (),
}
DISPUTE: dict[str, tuple[str, ...]] = {
    "": (DisputeStage.NEGOTIATION,),
    DisputeStage.NEGOTIATION: (DisputeStage.MEDIATION,),
    DisputeStage.MEDIATION: (DisputeStage.LITIGATION,),
    DisputeStage.LITIGATION: (),
}
# Entering these statuses counts as resolving the matter (the resolution milestone).
RESOLVING = (Status.RESOLVED, Status.FEEDBACK)


def machine(ticket_type: str) -> dict[str, tuple[str, ...]]:
    return COMPLAINT if ticket_type == TicketType.COMPLAINT else GENERAL


def initial_status(ticket_type: str) -> str:
    return Status.INTAKE if ticket_type == TicketType.COMPLAINT else Status.OPEN


def next_statuses(ticket: Ticket) -> tuple[str, ...]:
    return machine(ticket.ticket_type).get(ticket.status, ())


def check_transition(ticket: Ticket, to: str, *, lessons_learned: str = "") -> None:
    allowed = next_statuses(ticket)
    if to not in allowed:
        raise ActionError(
            _("不能从“%(from)s”转到“%(to)s”；可转到：%(allowed)s。")
            % {
                "from": Status(ticket.status).label,
                "to": Status(to).label if to in Status.values else to,
                "allowed": "、".join(str(Status(s).label) for s in allowed) or _("无"),
            },
            code="illegal_transition",
            field="status",
        )
    if ticket.is_complaint and to == Status.CLOSED and not lessons_learned.strip():
        raise ActionError(
            _("投诉关闭前须填写总结（经验教训）。"),
            code="lessons_required",
            field="lessons_learned",
        )


def check_dispute_step(ticket: Ticket, stage: str) -> None:
    if not ticket.is_complaint:
        raise ActionError(_("只有投诉可以进入争议处理。"), code="not_a_complaint", field="status")
    if ticket.status == Status.CLOSED:
        raise ActionError(_("工单已关闭。"), code="closed", field="status")
    if stage not in DISPUTE.get(ticket.dispute_stage, ()):
        current = DisputeStage(ticket.dispute_stage).label if ticket.dispute_stage else _("无")
        raise ActionError(
            _("争议只能逐级升级：协商 → 第三方调解 → 法律诉讼（当前：%(current)s）。")
            % {"current": current},
            code="illegal_transition",
            field="status",
        )
