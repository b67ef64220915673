"""REST endpoints for crises: /api/v1/crises….

Every role that may view customers reads crisis headers; recording and running
the response needs the `respond` action (403 otherwise). Affected customers,
progress and recovery follow the customer scope: a reader sees the customers of
the crisis that they may see, a responder links and contacts those they reach.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from guanxi.core.api import (
    ERRORS,
    Strict,
    actor,
    clamp_limit,
    form_data,
    form_error,
    newest_first_page,
    require,
    scoped_or_404,
    writable_or_404,
)
from guanxi.core.permissions import RESPOND

from . import actions
from .choices import Channel, CrisisKind, CrisisStatus, Recovery, RiskLevel
from .forms import (
    CommunicationForm,
    CrisisForm,
    LinkCustomersForm,
    RecoveryForm,
    ResponseUpdateForm,
    TransitionForm,
)
from .models import Crisis
from .queries import affected_customers, crisis_list, progress

router = Router(tags=["crisis"])


class CrisisOut(Schema):
    id: int
    kind: str
    title: str
    description: str
    risk_level: str
    status: str
    owner_id: int
    response_plan: str
    identified_at: datetime
    responding_at: datetime | None
    recovering_at: datetime | None
    closed_at: datetime | None


class CrisisListOut(Schema):
    items: list[CrisisOut]
    next_cursor: str | None


class ProgressOut(Schema):
    total: int
    by_state: dict[str, int]
    notified_percent: float | None
    recovered_percent: float | None
    lost_percent: float | None


class CrisisDetailOut(CrisisOut):
    progress: ProgressOut


class CrisisIn(Strict):
    kind: CrisisKind
    title: str
    description: str = ""
    risk_level: RiskLevel
    owner_id: int | None = None
    response_plan: str = ""
    identified_at: datetime | None = None


class CrisisPatch(Strict):
    """Only the fields sent change; status moves through /transitions."""

    kind: CrisisKind | None = None
    title: str | None = None
    description: str | None = None
    risk_level: RiskLevel | None = None
    owner_id: int | None = None
    response_plan: str | None = None
    identified_at: datetime | None = None


class TransitionIn(Strict):
    status: CrisisStatus
    note: str = ""


class SegmentIn(Strict):
    q: str = ""
    value_class: str = ""
    stage: str = ""
    kind: str = ""
    industry: str = ""
    region: str = ""
    owner: str = ""
    tag: str = ""


class LinkIn(Strict):
    segment: SegmentIn | None = None
    codes: list[str] = []


class NotFoundRow(Schema):
    row: int
    code: str
    message: str


class LinkOut(Schema):
    added: int
    already: int
    not_found: list[NotFoundRow]


class AffectedOut(Schema):
    customer_id: int
    customer_name: str
    recovery: str
    note: str


class UpdateIn(Strict):
    body: str
    happened_at: datetime | None = None


class UpdateOut(Schema):
    id: int
    happened_at: datetime
    body: str


class CommunicationIn(Strict):
    channel: Channel
    subject: str = ""
    content: str


class CommunicationOut(Schema):
    id: int
    channel: str
    subject: str
    recipient_count: int
    skipped_count: int
    sent_at: datetime


class RecoveryIn(Strict):
    customer_id: int
    recovery: Recovery
    note: str = ""


FIELDS = ("id", "kind", "title", "description", "risk_level", "status", "owner_id", "response_plan",
          "identified_at", "responding_at", "recovering_at", "closed_at")  # fmt: skip


def crisis_out(crisis: Crisis) -> dict[str, Any]:
    return {f: getattr(crisis, f) for f in FIELDS}


@router.get("/crises", response={200: CrisisListOut, **ERRORS})
def list_crises(
    request: HttpRequest,
    status: CrisisStatus | None = None,
    risk_level: RiskLevel | None = None,
    kind: CrisisKind | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> Any:
    """Newest identified first, by keyset cursor."""
    filters = {"status": status or "", "risk_level": risk_level or "", "kind": kind or ""}
    qs = crisis_list(actor(request), filters)
    rows, next_cursor = newest_first_page(qs, "identified_at", cursor, clamp_limit(limit))
    return {"items": [crisis_out(c) for c in rows], "next_cursor": next_cursor}


@router.post("/crises", response={201: CrisisOut, **ERRORS})
def create_crisis(request: HttpRequest, payload: CrisisIn) -> Any:
    user = actor(request)
    require(user, RESPOND)
    values = payload.model_dump()
    values["owner_id"] = values["owner_id"] or user.pk
    form = CrisisForm(data=form_data(values, {"owner_id": "owner"}))
    if not form.is_valid():
        raise form_error(form, rename={"owner": "owner_id"})
    return Status(201, crisis_out(actions.create_crisis(form.cleaned_data, by=user)))


@router.get("/crises/{id}", response={200: CrisisDetailOut, **ERRORS})
def get_crisis(request: HttpRequest, id: int) -> Any:
    user = actor(request)
    crisis = scoped_or_404(Crisis, user, id)
    return {**crisis_out(crisis), "progress": progress(user, crisis).as_dict()}


@router.patch("/crises/{id}", response={200: CrisisOut, **ERRORS})
def update_crisis(request: HttpRequest, id: int, payload: CrisisPatch) -> Any:
    """Edit the description, risk level, owner or response plan (the event keeps before→after)."""
    user, crisis = writable_or_404(request, Crisis, id, RESPOND)
    current = {f: getattr(crisis, f) for f in ("kind", "title", "description", "risk_level",
                                               "owner_id", "response_plan", "identified_at")}  # fmt: skip
    sent = payload.model_dump(exclude_unset=True)
    form = CrisisForm(data=form_data({**current, **sent}, {"owner_id": "owner"}), instance=crisis)
    if not form.is_valid():
        raise form_error(form, rename={"owner": "owner_id"})
    return crisis_out(actions.update_crisis(crisis, form.cleaned_data, by=user))


@router.post("/crises/{id}/transitions", response={200: CrisisOut, **ERRORS})
def transition(request: HttpRequest, id: int, payload: TransitionIn) -> Any:
    """An illegal move answers 400 `illegal_transition` on `status`."""
    user, crisis = writable_or_404(request, Crisis, id, RESPOND)
    form = TransitionForm(data=form_data(payload.model_dump()))
    if not form.is_valid():
        raise form_error(form)
    d = form.cleaned_data
    return crisis_out(actions.move_crisis(crisis, d["status"], by=user, note=d["note"]))


@router.post("/crises/{id}/customers", response={200: LinkOut, **ERRORS})
def link_customers(request: HttpRequest, id: int, payload: LinkIn) -> Any:
    """Link by `segment` (the customer list's filters) and/or `codes` (ids or credit codes).

    Codes not found (or outside the caller's scope) come back per row in `not_found`.
    """
    user, crisis = writable_or_404(request, Crisis, id, RESPOND)
    data = {
        **(payload.segment.model_dump() if payload.segment else {}),
        "codes": "\n".join(payload.codes),
    }
    form = LinkCustomersForm(data=data)
    if not form.is_valid():
        raise form_error(form)
    report = actions.link_customers(
        crisis, by=user, segment=form.cleaned_data["segment"], codes=form.cleaned_data["code_list"]
    )
    return {"added": report.added, "already": report.already, "not_found": report.not_found}


@router.get("/crises/{id}/customers", response={200: list[AffectedOut], **ERRORS})
def list_affected(
    request: HttpRequest, id: int, recovery: Recovery | None = None, limit: int = 200
) -> Any:
    user = actor(request)
    crisis = scoped_or_404(Crisis, user, id)
    rows = affected_customers(user, crisis, recovery or "", clamp_limit(limit))
    return [
        {
            "customer_id": a.customer_id,
            "customer_name": a.customer.name,
            "recovery": a.recovery,
            "note": a.note,
        }
        for a in rows
    ]


@router.post("/crises/{id}/updates", response={201: UpdateOut, **ERRORS})
def log_response(request: HttpRequest, id: int, payload: UpdateIn) -> Any:
    user, crisis = writable_or_404(request, Crisis, id, RESPOND)
    form = ResponseUpdateForm(data=form_data(payload.model_dump()))
    if not form.is_valid():
        raise form_error(form)
    d = form.cleaned_data
    update = actions.log_response(crisis, d["body"], by=user, happened_at=d["happened_at"])
    return Status(201, {"id": update.pk, "happened_at": update.happened_at, "body": update.body})


@router.post("/crises/{id}/communications", response={201: CommunicationOut, **ERRORS})
def send_communication(request: HttpRequest, id: int, payload: CommunicationIn) -> Any:
    """E-mail is sent after commit to each affected customer's address; other channels are logged."""
    user, crisis = writable_or_404(request, Crisis, id, RESPOND)
    form = CommunicationForm(data=form_data(payload.model_dump()))
    if not form.is_valid():
        raise form_error(form)
    m = actions.send_communication(crisis, form.cleaned_data, by=user)
    return Status(201, {f: getattr(m, f) for f in ("id", "channel", "subject", "recipient_count",
                                                   "skipped_count", "sent_at")})  # fmt: skip


@router.post("/crises/{id}/recovery", response={200: AffectedOut, **ERRORS})
def set_recovery(request: HttpRequest, id: int, payload: RecoveryIn) -> Any:
    user, crisis = writable_or_404(request, Crisis, id, RESPOND)
    form = RecoveryForm(data=form_data(payload.model_dump()))
    if not form.is_valid():
        raise form_error(form)
    d = form.cleaned_data
    row = actions.set_recovery(crisis, d["customer_id"], d["recovery"], by=user, note=d["note"])
    return {"customer_id": row.customer_id, "customer_name": row.customer.name, "recovery": row.recovery,
            "note": row.note}  # fmt: skip
