"""Service-desk pages: the ticket list, a ticket with its workflow buttons, intake forms,
the public web form and CSAT survey (no login), KPIs and notifications.

Views stay thin: reads go through `restrict` (404 outside the scope), input
through the forms, writes through `actions`.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from guanxi.core.actions import ActionError
from guanxi.core.api import ApiError, decode_time_cursor, encode_time_cursor
from guanxi.core.models import User
from guanxi.core.permissions import CHANGE, can
from guanxi.customers.models import Customer

from . import actions, surveys, workflow
from .choices import Channel, Priority, Status, TicketType
from .forms import (
    DisputeForm,
    MessageForm,
    PublicTicketForm,
    RepairLineForm,
    SurveyForm,
    TicketForm,
    TransitionForm,
)
from .models import Notification, Ticket
from .queries import complaint_rate, service_kpis, targets, ticket_list


def day_range(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, end 00:00) in the display zone."""
    zone = ZoneInfo(settings.TIME_ZONE)
    return datetime.combine(start, time(), zone), datetime.combine(end, time(), zone)


def _ticket(request: HttpRequest, pk: int, action: str = "view") -> Ticket:
    ticket = Ticket.objects.restrict(request.user, action).filter(pk=pk).first()  # type: ignore[arg-type]
    if ticket is None:
        raise Http404
    return ticket


def _changeable(request: HttpRequest, pk: int) -> Ticket:
    """404 unless the user may change this ticket; GET on a write-only route answers 405."""
    _ticket(request, pk)
    if request.method != "POST":
        raise _NotPost
    return _ticket(request, pk, CHANGE)


class _NotPost(Exception):
    pass


def _act(request: HttpRequest, pk: int, do: Any) -> HttpResponse:
    """Run one workflow button: scope check, the action, a message, back to the ticket."""
    try:
        ticket = _changeable(request, pk)
    except _NotPost:
        return HttpResponseNotAllowed(["POST"])
    try:
        do(ticket, request.user)
    except ActionError as exc:
        messages.error(request, exc.message)
    except ValueError as exc:  # a form refused the input
        messages.error(request, str(exc))
    return redirect("service:detail", pk=pk)


def _require_valid(form: Any) -> dict[str, Any]:
    if not form.is_valid():
        raise ValueError("；".join(str(e) for errors in form.errors.values() for e in errors))
    return form.cleaned_data  # type: ignore[no-any-return]


# --- list -----------------------------------------------------------------------------


@login_required
def ticket_list_view(request: HttpRequest) -> HttpResponse:
    filters = {
        k: request.GET.get(k, "")
        for k in ("status", "ticket_type", "priority", "channel", "open", "mine", "customer_id")
    }
    qs = ticket_list(request.user, filters)  # type: ignore[arg-type]
    cursor = request.GET.get("cursor")
    if cursor:
        try:
            when, last = decode_time_cursor(cursor)
        except ApiError:
            raise Http404 from None
        from django.db.models import Q

        qs = qs.filter(Q(created_at__lt=when) | Q(created_at=when, pk__lt=last))
    size = settings.GUANXI_PAGE_SIZE
    rows = list(qs.order_by("-created_at", "-id")[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        next_cursor = encode_time_cursor(rows[-1].created_at, rows[-1].pk)
    query = request.GET.copy()
    query.pop("cursor", None)
    return render(request, "service/list.html", {
        "tickets": rows, "filters": filters, "next_cursor": next_cursor, "query": query.urlencode(),
        "statuses": Status.choices, "types": TicketType.choices, "priorities": Priority.choices,
        "channels": Channel.choices, "can_create": can(request.user, CHANGE),  # type: ignore[arg-type]
    })  # fmt: skip


# --- create ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def ticket_create(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if not can(user, CHANGE):
        raise PermissionDenied
    customer = None
    customer_id = request.POST.get("customer_id") or request.GET.get("customer_id") or ""
    if customer_id:
        customer = (
            Customer.objects.restrict(user, CHANGE)
            .filter(pk=int(customer_id) if customer_id.isdigit() else 0)
            .first()
        )
        if customer is None:
            raise Http404
    form = TicketForm(
        data=request.POST or None,
        initial={
            "channel": Channel.HOTLINE,
            "received_at": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        },
    )
    form.has_customer = customer is not None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            ticket = actions.create_ticket(
                d,
                by=user,
                customer=customer,
                bay=d.get("bay"),
                appointment_day=d.get("appointment_day"),
            )
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("工单 #%(id)s 已受理。") % {"id": ticket.pk})
            return redirect("service:detail", pk=ticket.pk)
    return render(request, "service/form.html", {"form": form, "customer": customer})


# --- detail and workflow buttons ------------------------------------------------------


@login_required
def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _ticket(request, pk)
    ticket = (
        Ticket.objects.restrict(request.user, "view")  # type: ignore[arg-type]
        .select_related("customer", "assignee", "sla_policy", "created_by")
        .prefetch_related(
            "messages__author",
            "status_changes__changed_by",
            "dispute_steps",
            "attachments",
            "repair_lines",
            "revisits",
        )
        .get(pk=ticket.pk)
    )
    can_change = Ticket.objects.restrict(request.user, CHANGE).filter(pk=pk).exists()  # type: ignore[arg-type]
    return render(request, "service/detail.html", {
        "ticket": ticket, "can_change": can_change,
        "next_statuses": [(s, Status(s).label) for s in workflow.next_statuses(ticket)],
        "dispute_next": workflow.DISPUTE.get(ticket.dispute_stage, ()) if ticket.is_complaint else (),
        "agents": list(User.objects.filter(is_active=True, role__in=["agent", "admin"]).order_by("id")) if can_change else [],
        "repair_total": sum((line.amount for line in ticket.repair_lines.all()), 0),
        "survey": getattr(ticket, "survey", None) if hasattr(ticket, "survey") else None,
    })  # fmt: skip


@login_required
def ticket_message(request: HttpRequest, pk: int) -> HttpResponse:
    def do(ticket: Ticket, user: User) -> None:
        d = _require_valid(MessageForm(request.POST))
        actions.add_message(ticket, d["body"], kind=d["kind"], by=user)

    return _act(request, pk, do)


@login_required
def ticket_status(request: HttpRequest, pk: int) -> HttpResponse:
    def do(ticket: Ticket, user: User) -> None:
        d = _require_valid(TransitionForm(request.POST))
        actions.transition(
            ticket,
            d["status"],
            by=user,
            note=d["note"],
            resolution=d["resolution"],
            lessons_learned=d["lessons_learned"],
        )

    return _act(request, pk, do)


@login_required
def ticket_handover(request: HttpRequest, pk: int) -> HttpResponse:
    def do(ticket: Ticket, user: User) -> None:
        raw = request.POST.get("assignee_id", "")
        assignee = User.objects.filter(pk=int(raw) if raw.isdigit() else 0, is_active=True).first()
        if assignee is None:
            raise ValueError(_("请选择处理人。"))
        actions.reassign(ticket, assignee, by=user)

    return _act(request, pk, do)


@login_required
def ticket_waiting(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, lambda t, u: actions.wait_on_customer(t, by=u))


@login_required
def ticket_resume(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda t, u: actions.resume(
            t, by=u, customer_message=request.POST.get("customer_message", "")
        ),
    )


@login_required
def ticket_dispute(request: HttpRequest, pk: int) -> HttpResponse:
    def do(ticket: Ticket, user: User) -> None:
        d = _require_valid(DisputeForm(request.POST))
        actions.escalate_dispute(
            ticket, d["stage"], by=user, counterpart=d["counterpart"], record=d["record"]
        )

    return _act(request, pk, do)


@login_required
def ticket_repair_line(request: HttpRequest, pk: int) -> HttpResponse:
    def do(ticket: Ticket, user: User) -> None:
        actions.add_repair_line(ticket, _require_valid(RepairLineForm(request.POST)), by=user)

    return _act(request, pk, do)


@login_required
def ticket_attachment(request: HttpRequest, pk: int) -> HttpResponse:
    def do(ticket: Ticket, user: User) -> None:
        upload = request.FILES.get("file")
        if upload is None:
            raise ValueError(_("请选择文件。"))
        actions.attach_file(ticket, upload, by=user)

    return _act(request, pk, do)


@login_required
def ticket_revisit(request: HttpRequest, pk: int) -> HttpResponse:
    def do(ticket: Ticket, user: User) -> None:
        task = ticket.revisits.filter(done_at__isnull=True).first()
        if task is None:
            raise ValueError(_("没有待完成的回访。"))
        actions.complete_revisit(task, request.POST.get("outcome", ""), by=user)

    return _act(request, pk, do)


# --- KPIs and notifications -----------------------------------------------------------


@login_required
def kpis(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    try:
        start = (
            date.fromisoformat(request.GET.get("start", ""))
            if request.GET.get("start")
            else today.replace(day=1) - timedelta(days=150)
        )
        end = (
            date.fromisoformat(request.GET.get("end", ""))
            if request.GET.get("end")
            else today + timedelta(days=1)
        )
    except ValueError:
        start, end = today.replace(day=1) - timedelta(days=150), today + timedelta(days=1)
    group = request.GET.get("group", "month")
    if group not in ("month", "week", "day", "team", "agent"):
        group = "month"
    begin, finish = day_range(start.replace(day=1) if group == "month" else start, end)
    rows = service_kpis(request.user, begin, finish, group)  # type: ignore[arg-type]
    chart = {
        "labels": [(r.group.strftime("%Y-%m-%d") if hasattr(r.group, "strftime") else str(r.group or "—")) for r in rows],
        "resolution_rate": [r.resolution_rate for r in rows],
        "sla_attainment": [r.sla_attainment for r in rows],
        "satisfaction": [r.satisfaction for r in rows],
        "first_response_hours": [r.first_response_hours for r in rows],
        "first_handling_hours": [r.first_handling_hours for r in rows],
        "targets": targets(),
        "names": {"resolution_rate": _("解决率"), "sla_attainment": _("SLA 达成率"), "satisfaction": _("满意度"),
                  "first_response_hours": _("首次响应（小时）"), "first_handling_hours": _("首次处理意见（小时）")},
    }  # fmt: skip
    return render(request, "service/kpis.html", {
        "rows": rows, "chart": chart, "start": start, "end": end, "group": group,
        "complaint_rate": complaint_rate(request.user, begin, finish),  # type: ignore[arg-type]
    })  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request: HttpRequest) -> HttpResponse:
    mine = Notification.objects.restrict(request.user, "view").filter(user=request.user)  # type: ignore[arg-type]
    if request.method == "POST":
        actions.mark_notifications_read(request.user)  # type: ignore[arg-type]
        return redirect("service:notifications")
    return render(
        request,
        "service/notifications.html",
        {"notifications": list(mine.select_related("ticket")[:100])},
    )


# --- public: web form and survey (no login) -------------------------------------------


def _client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "0.0.0.0"


@require_http_methods(["GET", "POST"])
def public_ticket(request: HttpRequest) -> HttpResponse:
    """The public 在线提交 form: honeypot field, and at most N tickets per address per hour."""
    form = PublicTicketForm(data=request.POST or None, initial={"ticket_type": TicketType.INQUIRY})
    if request.method == "POST":
        ip = _client_ip(request)
        if form.is_spam():
            # Answer as if it worked: a bot learns nothing from a refusal.
            return render(request, "service/public_thanks.html", {"ticket": None})
        recent = Ticket.objects.filter(
            submitter_ip=ip, created_at__gte=timezone.now() - timedelta(hours=1)
        ).count()
        if recent >= settings.GUANXI_PUBLIC_FORM_PER_HOUR:
            return render(
                request, "service/public_form.html", {"form": form, "throttled": True}, status=429
            )
        if form.is_valid():
            data = {**form.cleaned_data, "channel": Channel.WEB_FORM}
            ticket = actions.create_ticket(data, by=None, submitter_ip=ip)
            return render(request, "service/public_thanks.html", {"ticket": ticket})
    return render(request, "service/public_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    ticket_id = surveys.ticket_id_from(token)
    if ticket_id is None:
        raise Http404
    # The signed token is the credential: it names the one ticket it may answer for.
    ticket = (
        Ticket.objects.filter(pk=ticket_id, status=Status.CLOSED).select_related("survey").first()
    )
    if ticket is None:
        raise Http404
    answered = hasattr(ticket, "survey")
    form = SurveyForm(data=request.POST or None)
    if request.method == "POST" and not answered and form.is_valid():
        try:
            actions.submit_survey(
                ticket.pk, form.cleaned_data["score"], form.cleaned_data["comment"]
            )
        except ActionError as exc:
            form.add_error("score", exc.message)
        else:
            answered = True
    return render(
        request, "service/survey.html", {"ticket": ticket, "form": form, "answered": answered}
    )
