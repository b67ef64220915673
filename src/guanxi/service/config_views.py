"""Service-desk configuration pages (admins): SLA policies, the working calendar,
service bays and KPI targets.

These are the numbers the manuals give as defaults (24 h inquiry answer, 48 h
complaint opinion, 90 % resolution…): data an admin edits, not constants. Rows
are read through `restrict(user, "configure")` (404 for any other role), input
through the forms in `forms.py`, writes through `actions` (one event each).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from guanxi.core.actions import ActionError
from guanxi.core.models import User
from guanxi.core.permissions import CONFIGURE, can

from . import actions
from .forms import (
    CalendarDayForm,
    ReseedYearForm,
    ServiceBayForm,
    ServiceTargetForm,
    SlaPolicyForm,
)
from .models import CalendarDay, ServiceBay, ServiceTarget, SlaPolicy


def _admin(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not can(user, CONFIGURE):
        raise PermissionDenied
    return user


def _row(request: HttpRequest, model: type[Model], pk: int) -> Any:
    """One settings row through the gate: 404 for a role that may not configure."""
    row = model.objects.restrict(request.user, CONFIGURE).filter(pk=pk).first()  # type: ignore[attr-defined]
    if row is None:
        raise Http404
    return row


def _form_page(
    request: HttpRequest,
    form_class: type[forms.ModelForm],
    instance: Model | None,
    save: Callable[[dict[str, Any], User], Any],
    *,
    title: str,
    back: str,
) -> HttpResponse:
    """GET shows the form; a valid POST saves through the action and returns to `back`."""
    user = _admin(request)
    form = form_class(data=request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data, user)
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("已保存。"))
            return redirect(back)
    return render(
        request,
        "service/config/form.html",
        {"form": form, "title": title, "back": back, "instance": instance},
    )


@login_required
def config_index(request: HttpRequest) -> HttpResponse:
    _admin(request)
    return render(request, "service/config/index.html")


# --- SLA policies ---------------------------------------------------------------------


@login_required
def sla_policies(request: HttpRequest) -> HttpResponse:
    user = _admin(request)
    rows = SlaPolicy.objects.restrict(user, CONFIGURE).order_by(
        "-active", *SlaPolicy._meta.ordering
    )
    return render(request, "service/config/sla_policies.html", {"policies": rows})


@login_required
@require_http_methods(["GET", "POST"])
def sla_policy_add(request: HttpRequest) -> HttpResponse:
    return _form_page(
        request, SlaPolicyForm, None, lambda d, u: actions.save_sla_policy(None, d, by=u),
        title=_("新建 SLA 策略"), back="service:sla_policies",
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def sla_policy_edit(request: HttpRequest, pk: int) -> HttpResponse:
    policy = _row(request, SlaPolicy, pk)
    return _form_page(
        request, SlaPolicyForm, policy, lambda d, u: actions.save_sla_policy(policy, d, by=u),
        title=_("编辑 SLA 策略"), back="service:sla_policies",
    )  # fmt: skip


@login_required
def sla_policy_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    policy = _row(request, SlaPolicy, pk)  # 404 before 405: a probe learns nothing
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        actions.deactivate_sla_policy(policy, by=_admin(request))
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已停用：%(name)s") % {"name": policy.name})
    return redirect("service:sla_policies")


# --- working calendar -----------------------------------------------------------------


@login_required
def calendar(request: HttpRequest) -> HttpResponse:
    """One year's exceptions by month: 法定节假日 and 调休上班, each editable."""
    user = _admin(request)
    raw = request.GET.get("year", "")
    year = int(raw) if raw.isdigit() and 1900 < int(raw) < 3000 else timezone.localdate().year
    rows = list(CalendarDay.objects.restrict(user, CONFIGURE).filter(day__year=year))
    months: dict[int, list[CalendarDay]] = {}
    for row in rows:
        months.setdefault(row.day.month, []).append(row)
    return render(request, "service/config/calendar.html", {
        "year": year, "months": sorted(months.items()), "rows": rows,
        "holidays": sum(1 for r in rows if r.kind == "holiday"),
        "workdays": sum(1 for r in rows if r.kind == "workday"),
        "reseed_form": ReseedYearForm(initial={"year": year}),
    })  # fmt: skip


def _calendar_back(day: date | None) -> str:
    from django.urls import reverse

    year = day.year if day else timezone.localdate().year
    return f"{reverse('service:calendar')}?year={year}"


@login_required
@require_http_methods(["GET", "POST"])
def calendar_add(request: HttpRequest) -> HttpResponse:
    return _form_page(
        request, CalendarDayForm, None, lambda d, u: actions.save_calendar_day(None, d, by=u),
        title=_("新增节假日或调休上班日"), back="service:calendar",
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def calendar_edit(request: HttpRequest, pk: int) -> HttpResponse:
    day = _row(request, CalendarDay, pk)
    user = _admin(request)
    form = CalendarDayForm(data=request.POST or None, instance=day)
    if request.method == "POST" and form.is_valid():
        actions.save_calendar_day(day, form.cleaned_data, by=user)
        messages.success(request, _("已保存。"))
        return redirect(_calendar_back(day.day))
    return render(request, "service/config/form.html", {
        "form": form, "title": _("编辑日历例外"), "back": "service:calendar", "instance": day,
        "delete_url": "service:calendar_delete",
    })  # fmt: skip


@login_required
def calendar_delete(request: HttpRequest, pk: int) -> HttpResponse:
    day = _row(request, CalendarDay, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    when = day.day
    actions.delete_calendar_day(day, by=_admin(request))
    messages.success(request, _("已删除 %(day)s。") % {"day": when.isoformat()})
    return redirect(_calendar_back(when))


@login_required
@require_POST
def calendar_reseed(request: HttpRequest) -> HttpResponse:
    user = _admin(request)
    form = ReseedYearForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("service:calendar")
    year = form.cleaned_data["year"]
    try:
        count = actions.reseed_calendar_year(year, by=user)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("已按 chinese-calendar 重置 %(year)s 年：%(n)s 天。") % {"year": year, "n": count},
        )
    return redirect(_calendar_back(date(year, 1, 1)))


# --- service bays and KPI targets -----------------------------------------------------


@login_required
def bays(request: HttpRequest) -> HttpResponse:
    user = _admin(request)
    rows = ServiceBay.objects.restrict(user, CONFIGURE).order_by("-active", "name")
    return render(request, "service/config/bays.html", {"bays": rows})


@login_required
@require_http_methods(["GET", "POST"])
def bay_add(request: HttpRequest) -> HttpResponse:
    return _form_page(
        request, ServiceBayForm, None, lambda d, u: actions.save_service_bay(None, d, by=u),
        title=_("新建工位"), back="service:bays",
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def bay_edit(request: HttpRequest, pk: int) -> HttpResponse:
    bay = _row(request, ServiceBay, pk)
    return _form_page(
        request, ServiceBayForm, bay, lambda d, u: actions.save_service_bay(bay, d, by=u),
        title=_("编辑工位"), back="service:bays",
    )  # fmt: skip


@login_required
def targets(request: HttpRequest) -> HttpResponse:
    user = _admin(request)
    rows = ServiceTarget.objects.restrict(user, CONFIGURE).order_by("code")
    return render(request, "service/config/targets.html", {"targets": rows})


@login_required
@require_http_methods(["GET", "POST"])
def target_edit(request: HttpRequest, pk: int) -> HttpResponse:
    target = _row(request, ServiceTarget, pk)
    return _form_page(
        request, ServiceTargetForm, target, lambda d, u: actions.save_service_target(target, d, by=u),
        title=_("编辑服务指标目标"), back="service:targets",
    )  # fmt: skip
