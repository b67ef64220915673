"""Crisis pages: the list, a crisis with its affected customers, log, communications and progress.

Views stay thin: reads through `restrict` (404 outside it), input through the
forms, writes through `actions`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from guanxi.core.actions import ActionError
from guanxi.core.models import User
from guanxi.core.permissions import RESPOND, can

from . import actions
from .choices import TRANSITIONS, Channel, CrisisKind, CrisisStatus, Recovery, RiskLevel
from .forms import (
    SEGMENT_FILTERS,
    CommunicationForm,
    CrisisForm,
    LinkCustomersForm,
    RecoveryForm,
    ResponseUpdateForm,
    TransitionForm,
)
from .models import Crisis
from .queries import affected_customers, crisis_list, crisis_log, progress


def _crisis(request: HttpRequest, pk: int, action: str = "view") -> Crisis:
    crisis = Crisis.objects.restrict(request.user, action).filter(pk=pk).first()
    if crisis is None:
        raise Http404
    return crisis


def _errors(form: Any) -> str:
    return "；".join(str(e) for errors in form.errors.values() for e in errors)


@login_required
def crisis_list_view(request: HttpRequest) -> HttpResponse:
    filters = {k: request.GET.get(k, "") for k in ("status", "risk_level", "kind", "open")}
    rows = list(crisis_list(request.user, filters)[:200])  # type: ignore[arg-type]
    return render(request, "crisis/list.html", {
        "crises": rows, "filters": filters, "statuses": CrisisStatus.choices,
        "levels": RiskLevel.choices, "kinds": CrisisKind.choices,
        "can_respond": can(request.user, RESPOND),  # type: ignore[arg-type]
    })  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def crisis_create(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if not can(user, RESPOND):
        raise PermissionDenied
    form = CrisisForm(data=request.POST or None, initial={"owner": user.pk})
    if request.method == "POST" and form.is_valid():
        crisis = actions.create_crisis(form.cleaned_data, by=user)
        messages.success(request, _("已记录危机事件。"))
        return redirect("crisis:detail", pk=crisis.pk)
    return render(request, "crisis/form.html", {"form": form, "crisis": None})


@login_required
@require_http_methods(["GET", "POST"])
def crisis_edit(request: HttpRequest, pk: int) -> HttpResponse:
    crisis = _crisis(request, pk, RESPOND)
    form = CrisisForm(data=request.POST or None, instance=crisis)
    if request.method == "POST" and form.is_valid():
        actions.update_crisis(crisis, form.cleaned_data, by=request.user)  # type: ignore[arg-type]
        messages.success(request, _("已保存。"))
        return redirect("crisis:detail", pk=pk)
    return render(request, "crisis/form.html", {"form": form, "crisis": crisis})


@login_required
def crisis_detail(request: HttpRequest, pk: int) -> HttpResponse:
    crisis = _crisis(request, pk)
    user: User = request.user  # type: ignore[assignment]
    recovery = request.GET.get("recovery", "")
    updates, sent = crisis_log(user, crisis)
    summary = progress(user, crisis)
    return render(request, "crisis/detail.html", {
        "crisis": crisis, "affected": affected_customers(user, crisis, recovery),
        "recovery_filter": recovery, "progress": summary,
        "updates": updates, "communications": sent,
        "can_respond": can(user, RESPOND), "next_statuses": [(s, CrisisStatus(s).label) for s in TRANSITIONS[crisis.status]],
        "channels": Channel.choices, "recoveries": Recovery.choices,
        "segment_filters": SEGMENT_FILTERS, "link_form": LinkCustomersForm(),
        "report": request.session.pop(f"crisis-link-{pk}", None),
    })  # fmt: skip


def _respond(request: HttpRequest, pk: int, do: Any) -> HttpResponse:
    """A button on the crisis page: 404 outside the scope, 405 for GET, the action, back."""
    _crisis(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    crisis = _crisis(request, pk, RESPOND)
    try:
        do(crisis, request.user)
    except ActionError as exc:
        messages.error(request, exc.message)
    except ValueError as exc:  # a form refused the input
        messages.error(request, str(exc))
    return redirect("crisis:detail", pk=pk)


def _valid(form: Any) -> dict[str, Any]:
    if not form.is_valid():
        raise ValueError(_errors(form))
    return form.cleaned_data  # type: ignore[no-any-return]


@login_required
def crisis_status(request: HttpRequest, pk: int) -> HttpResponse:
    def do(crisis: Crisis, user: User) -> None:
        d = _valid(TransitionForm(request.POST))
        actions.move_crisis(crisis, d["status"], by=user, note=d["note"])

    return _respond(request, pk, do)


@login_required
@require_http_methods(["GET", "POST"])
def crisis_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Link affected customers; the per-row report of codes not found is shown on the page."""
    crisis = _crisis(request, pk, RESPOND)
    form = LinkCustomersForm(data=request.POST or None, initial=request.GET)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = actions.link_customers(
                crisis, by=request.user, segment=form.cleaned_data["segment"],  # type: ignore[arg-type]
                codes=form.cleaned_data["code_list"],
            )  # fmt: skip
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                _("新关联 %(a)s 个客户，已关联 %(b)s 个，未找到 %(c)s 个。")
                % {"a": report.added, "b": report.already, "c": len(report.not_found)},
            )
            if not report.not_found:
                return redirect("crisis:detail", pk=pk)
    return render(request, "crisis/link.html", {"crisis": crisis, "form": form, "report": report})


@login_required
def crisis_update(request: HttpRequest, pk: int) -> HttpResponse:
    def do(crisis: Crisis, user: User) -> None:
        d = _valid(ResponseUpdateForm(request.POST))
        actions.log_response(crisis, d["body"], by=user, happened_at=d["happened_at"])

    return _respond(request, pk, do)


@login_required
def crisis_communication(request: HttpRequest, pk: int) -> HttpResponse:
    def do(crisis: Crisis, user: User) -> None:
        message = actions.send_communication(
            crisis, _valid(CommunicationForm(request.POST)), by=user
        )
        messages.success(request, _("已通知 %(n)s 个客户。") % {"n": message.recipient_count})

    return _respond(request, pk, do)


@login_required
def crisis_recovery(request: HttpRequest, pk: int) -> HttpResponse:
    def do(crisis: Crisis, user: User) -> None:
        d = _valid(RecoveryForm(request.POST))
        actions.set_recovery(crisis, d["customer_id"], d["recovery"], by=user, note=d["note"])

    return _respond(request, pk, do)
