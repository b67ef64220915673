"""Every write to crisis records. Views, API and tasks validate input and call these.

Each action checks that the actor may `respond`, writes in one transaction and
records one event. Customer-level writes (linking, contacting, recovery) reach
only the customers inside the actor's `respond` scope, read through `restrict`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core import events
from guanxi.core.actions import ActionError
from guanxi.core.mail import send_after_commit
from guanxi.core.models import User
from guanxi.core.permissions import RESPOND, can
from guanxi.customers.actions import NotFound
from guanxi.customers.models import Customer
from guanxi.customers.queries import InvalidQuery, filtered_customers

from .choices import TRANSITIONS, Channel, CrisisStatus, Recovery
from .models import AffectedCustomer, Communication, CommunicationRecipient, Crisis, ResponseUpdate

CRISIS_FIELDS = ["kind", "title", "description", "risk_level", "owner", "response_plan",
                 "identified_at"]  # fmt: skip
STAGE_STAMPS = {
    CrisisStatus.RESPONDING: "responding_at",
    CrisisStatus.RECOVERING: "recovering_at",
    CrisisStatus.CLOSED: "closed_at",
}
BATCH = 2000
CREDIT_CODE_LENGTH = 18


def check_respond(user: User | None) -> None:
    if not can(user, RESPOND):
        raise ActionError(_("您的角色无权处理危机事件。"), code="permission_denied", field=None)


def _record(by: User, verb: str, crisis: Crisis, summary: str, **kw: Any) -> None:
    events.record(by, verb, crisis, summary=f"{crisis.title}：{summary}"[:255], **kw)


def _locked(crisis: Crisis) -> Crisis:
    return Crisis.objects.select_for_update().get(pk=crisis.pk)


@transaction.atomic
def create_crisis(data: dict[str, Any], *, by: User) -> Crisis:
    """Record an identified crisis (status 已识别)."""
    check_respond(by)
    crisis = Crisis(**{f: data[f] for f in CRISIS_FIELDS if data.get(f) not in (None, "")})
    crisis.created_by = by
    if crisis.identified_at is None:
        crisis.identified_at = timezone.now()
    crisis.save()
    _record(by, "crisis.created", crisis, crisis.get_risk_level_display(),
            changes={"risk_level": [None, crisis.risk_level], "kind": [None, crisis.kind]})  # fmt: skip
    return crisis


@transaction.atomic
def update_crisis(crisis: Crisis, data: dict[str, Any], *, by: User) -> Crisis:
    """Edit the description, risk level, owner or response plan; the event keeps before→after."""
    check_respond(by)
    fields = [f for f in CRISIS_FIELDS if f in data and data[f] is not None]
    stored = Crisis.objects.filter(pk=crisis.pk).values(*[f"{f}_id" if f == "owner" else f
                                                          for f in fields]).get()  # fmt: skip
    crisis = _locked(crisis)
    before = {f: stored.get(f, stored.get(f"{f}_id")) for f in fields}
    for f in fields:
        setattr(crisis, f, data[f])
    crisis.updated_at = timezone.now()
    crisis.save(update_fields=[*fields, "updated_at"])
    after = {f: (crisis.owner_id if f == "owner" else getattr(crisis, f)) for f in fields}
    _record(by, "crisis.changed", crisis, _("修改"), changes=events.diff(before, after, fields))
    return crisis


@transaction.atomic
def move_crisis(crisis: Crisis, to: str, *, by: User, note: str = "") -> Crisis:
    """已识别 → 应对中 → 恢复中 → 已关闭 (恢复中 may fall back to 应对中); other moves are refused."""
    check_respond(by)
    crisis = _locked(crisis)
    before = crisis.status
    if to not in TRANSITIONS.get(before, ()):
        raise ActionError(
            _("不能从“%(a)s”转为“%(b)s”。")
            % {"a": CrisisStatus(before).label, "b": CrisisStatus(to).label if to in CrisisStatus.values else to},
            code="illegal_transition",
            field="status",
        )  # fmt: skip
    if to == CrisisStatus.RESPONDING and not crisis.response_plan.strip():
        raise ActionError(_("开始应对前请先填写应对方案。"), code="plan_required", field="status")
    now = timezone.now()
    crisis.status = to
    fields = ["status", "updated_at"]
    stamp = STAGE_STAMPS.get(to)
    if stamp and getattr(crisis, stamp) is None:
        setattr(crisis, stamp, now)
        fields.append(stamp)
    crisis.updated_at = now
    crisis.save(update_fields=fields)
    if note.strip():
        ResponseUpdate.objects.create(crisis=crisis, happened_at=now, body=note, author=by)
    _record(by, "crisis.status_changed", crisis,
            f"{CrisisStatus(before).label} → {CrisisStatus(to).label}", changes={"status": [before, to]})  # fmt: skip
    return crisis


@dataclass
class LinkReport:
    """What a link request did: how many were added, already there, and the codes not found."""

    added: int = 0
    already: int = 0
    not_found: list[dict[str, Any]] = field(default_factory=list)


def _reachable(by: User) -> Any:
    return Customer.objects.restrict(by, RESPOND).active()


def _resolve_codes(codes: list[str], by: User) -> tuple[set[int], list[dict[str, Any]]]:
    """Ids and credit codes → customer ids the actor reaches; the rest reported by position.

    "Not found" and "outside your scope" are one answer, as everywhere: a probe
    learns nothing about customers it may not see.
    """
    ids = {int(c) for c in codes if c.isdigit() and len(c) < CREDIT_CODE_LENGTH}
    credit = {c.upper() for c in codes if len(c) == CREDIT_CODE_LENGTH}
    found_ids: set[int] = set()
    by_credit: dict[str, int] = {}
    reachable = _reachable(by)
    id_list = sorted(ids)
    for start in range(0, len(id_list), BATCH):
        found_ids |= set(
            reachable.filter(pk__in=id_list[start : start + BATCH]).values_list("pk", flat=True)
        )
    if credit:
        by_credit = dict(reachable.filter(credit_code__in=credit).values_list("credit_code", "pk"))
    result: set[int] = set()
    missing = []
    for row, code in enumerate(codes, 1):
        if code.isdigit() and len(code) < CREDIT_CODE_LENGTH and int(code) in found_ids:
            result.add(int(code))
        elif code.upper() in by_credit:
            result.add(by_credit[code.upper()])
        else:
            missing.append({"row": row, "code": code, "message": _("未找到该客户或无权访问。")})
    return result, missing


@transaction.atomic
def link_customers(
    crisis: Crisis,
    *,
    by: User,
    segment: dict[str, str] | None = None,
    codes: list[str] | None = None,
) -> LinkReport:
    """Mark customers as affected: a segment (the customer list's filters) and/or a pasted list.

    Only customers in the actor's `respond` scope are linked; a customer already
    linked is counted, not duplicated. One event for the whole request.
    """
    check_respond(by)
    crisis = _locked(crisis)
    if crisis.status == CrisisStatus.CLOSED:
        raise ActionError(_("危机已关闭。"), code="closed", field="status")
    report = LinkReport()
    wanted: set[int] = set()
    if codes:
        wanted, report.not_found = _resolve_codes(codes, by)
    if segment:
        try:
            matching = filtered_customers(by, segment) & _reachable(by)
        except InvalidQuery as exc:
            raise ActionError(exc.message, code="invalid_filter", field=exc.field) from None
        wanted |= set(matching.values_list("pk", flat=True))
    existing = set(
        AffectedCustomer.objects.filter(crisis=crisis, customer_id__in=wanted).values_list(
            "customer_id", flat=True
        )
    ) if len(wanted) <= 50_000 else set(
        AffectedCustomer.objects.filter(crisis=crisis).values_list("customer_id", flat=True)
    )  # fmt: skip
    new = sorted(wanted - existing)
    now = timezone.now()
    AffectedCustomer.objects.bulk_create(
        (AffectedCustomer(crisis=crisis, customer_id=pk, added_by=by, added_at=now, updated_at=now)
         for pk in new),
        batch_size=BATCH,
    )  # fmt: skip
    report.added, report.already = len(new), len(wanted & existing)
    _record(by, "crisis.customers_linked", crisis,
            _("关联受影响客户 %(n)s 个") % {"n": report.added},
            changes={"affected_added": [None, report.added], "not_found": [None, len(report.not_found)]})  # fmt: skip
    return report


@transaction.atomic
def log_response(
    crisis: Crisis, body: str, *, by: User, happened_at: datetime | None = None
) -> ResponseUpdate:
    check_respond(by)
    if not body.strip():
        raise ActionError(_("内容不能为空。"), code="required", field="body")
    update = ResponseUpdate.objects.create(
        crisis=crisis, body=body, author=by, happened_at=happened_at or timezone.now()
    )
    _record(by, "crisis.response_logged", crisis, body[:120])
    return update


@transaction.atomic
def send_communication(crisis: Crisis, data: dict[str, Any], *, by: User) -> Communication:
    """Tell the affected customers the actor reaches.

    E-mail goes, after commit, to each customer's own address (customers without
    one are counted as skipped); SMS, phone and WeChat are recorded as contacts
    made. Customers still 待通知 become 已通知.
    """
    check_respond(by)
    crisis = _locked(crisis)
    if crisis.status == CrisisStatus.CLOSED:
        raise ActionError(_("危机已关闭。"), code="closed", field="channel")
    channel = data["channel"]
    rows = list(
        AffectedCustomer.objects.restrict(by, RESPOND)
        .filter(crisis=crisis)
        .values_list("pk", "customer_id", "customer__email", "recovery")
    )
    if channel == Channel.EMAIL:
        reached = [(pk, cid, email) for pk, cid, email, _r in rows if email]
    else:
        reached = [(pk, cid, "") for pk, cid, _e, _r in rows]
    if not reached:
        raise ActionError(_("没有可以送达的受影响客户。"), code="no_recipients", field="channel")
    message = Communication.objects.create(
        crisis=crisis, channel=channel, subject=data.get("subject", ""), content=data["content"],
        recipient_count=len(reached), skipped_count=len(rows) - len(reached), sent_by=by,
    )  # fmt: skip
    CommunicationRecipient.objects.bulk_create(
        (CommunicationRecipient(communication=message, customer_id=cid, address=address)
         for _pk, cid, address in reached),
        batch_size=BATCH,
    )  # fmt: skip
    pending = {pk for pk, _c, _e, recovery in rows if recovery == Recovery.PENDING}
    notified = [pk for pk, _cid, _a in reached if pk in pending]
    for start in range(0, len(notified), BATCH):
        AffectedCustomer.objects.filter(pk__in=notified[start : start + BATCH]).update(
            recovery=Recovery.NOTIFIED, updated_at=timezone.now()
        )
    if channel == Channel.EMAIL:
        send_after_commit([(a, message.subject, message.content) for _p, _c, a in reached])
    _record(by, "crisis.communicated", crisis,
            _("%(channel)s 通知 %(n)s 个客户") % {"channel": message.get_channel_display(), "n": len(reached)},
            changes={"recipients": [None, len(reached)], "skipped": [None, message.skipped_count]})  # fmt: skip
    return message


@transaction.atomic
def set_recovery(
    crisis: Crisis, customer_id: int, recovery: str, *, by: User, note: str = ""
) -> AffectedCustomer:
    """Where one affected customer stands; the event goes on that customer's timeline."""
    check_respond(by)
    row = (
        AffectedCustomer.objects.restrict(by, RESPOND)
        .select_for_update(of=("self",))
        .filter(crisis=crisis, customer_id=customer_id)
        .first()
    )
    if row is None:
        raise NotFound()
    before = row.recovery
    row.recovery, row.note, row.updated_at = recovery, note or row.note, timezone.now()
    row.save(update_fields=["recovery", "note", "updated_at"])
    events.record(
        by, "crisis.recovery_updated", crisis, customer_id=customer_id,
        summary=f"{crisis.title}：{Recovery(before).label} → {Recovery(recovery).label}"[:255],
        changes={"recovery": [before, recovery]},
    )  # fmt: skip
    return row
