"""Churn pages: the warning list (流失预警) with filters, export and one-click win-back tasks,
and the classifier page where an analyst trains the model and reads its AUC and calibration.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.core import events
from guanxi.core.actions import ActionError
from guanxi.core.models import Region, Team, User
from guanxi.core.permissions import CHANGE, can, sees_masked
from guanxi.core.validators import mask_name
from guanxi.customers.choices import ValueClass
from guanxi.customers.models import Customer, Industry
from guanxi.customers.queries import owner_choices
from guanxi.engagement import actions as engagement
from guanxi.engagement.queries import win_back_rate
from guanxi.exports.cells import safe_cell
from guanxi.exports.files import csv_chunks

from .actions import update_assessment_config
from .choices import ChurnReason, RiskLevel
from .churn_actions import DEFAULT_HORIZON_DAYS, train_churn_model
from .churn_explain import reasons, win_back_notes
from .forms import ChurnConfigForm, ChurnTrainForm
from .models import MODEL_READERS, AssessmentConfig, ChurnScore
from .queries import (
    CHURN_READERS,
    WARNING_FILTERS,
    InvalidFilter,
    churn_warnings,
    latest_churn_model,
    level_counts,
    risk_page,
)

PAGE_SIZE = 50
# One click may task at most this many rows (a page's worth, twice over).
WIN_BACK_BATCH = 100


def _readers_only(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if user.role not in CHURN_READERS:
        raise Http404
    return user


def _filters(request: HttpRequest) -> dict[str, str]:
    return {name: request.GET.get(name, "") for name in WARNING_FILTERS}


@login_required
def churn_list(request: HttpRequest) -> HttpResponse:
    """流失预警: customers in scope by churn risk, each with the reasons that raised it."""
    user = _readers_only(request)
    filters = _filters(request)
    config = AssessmentConfig.current()
    try:
        rows, next_cursor = risk_page(
            churn_warnings(user, filters), request.GET.get("cursor"), PAGE_SIZE
        )
        error = None
    except InvalidFilter as exc:
        rows, next_cursor, error = [], None, exc
    masked = sees_masked(user)
    for row in rows:
        row.explained = reasons(row, config)  # type: ignore[attr-defined]
        customer = row.customer
        row.display_name = (  # type: ignore[attr-defined]
            mask_name(customer.name) if masked and not customer.is_organization else customer.name
        )
    query = urlencode({k: v for k, v in filters.items() if v})
    return render(
        request,
        "analytics/churn_list.html",
        {
            "rows": rows,
            "next_cursor": next_cursor,
            "filters": filters,
            "query": query,
            "error": error,
            "counts": level_counts(user),
            "levels": RiskLevel.choices,
            "value_classes": ValueClass.choices,
            "reasons": ChurnReason.choices,
            # the customer list's owner filter: only account managers in the user's reach
            "owners": owner_choices(user) if user.role != "rep" else [],
            "teams": Team.objects.order_by("name"),
            "regions": Region.objects.order_by("name"),
            "industries": Industry.objects.order_by("name"),
            "can_task": can(user, CHANGE),
            "win_back": win_back_rate(user),
            "is_model_reader": user.role in MODEL_READERS,
        },
    )


@login_required
@require_POST
def churn_win_back(request: HttpRequest) -> HttpResponse:
    """One click (or one per selected row): a win-back task for each customer's owner.

    Customers outside the user's change scope are skipped, not an error for
    the rest; a customer with an open win-back task keeps it (idempotent).
    """
    user = _readers_only(request)
    ids = [int(v) for v in request.POST.getlist("customer") if v.isdigit()][:WIN_BACK_BATCH]
    customers = Customer.objects.restrict(user, CHANGE).filter(pk__in=ids).select_related("owner")
    scores = {
        s.customer_id: s for s in ChurnScore.objects.restrict(user, "view").filter(
            customer_id__in=ids
        )
    }  # fmt: skip
    config = AssessmentConfig.current()
    created = existing = 0
    for customer in customers:
        score = scores.get(customer.pk)
        notes = win_back_notes(score, config) if score is not None else ""
        try:
            _task, new = engagement.create_win_back_task(
                customer,
                by=user,
                title=_("客户挽回：%(name)s") % {"name": customer.name},
                notes=notes,
            )
        except ActionError as exc:
            messages.error(request, exc.message)
            continue
        created, existing = created + new, existing + (not new)
    if created:
        messages.success(request, _("已创建 %(n)s 个挽回任务。") % {"n": created})
    if existing:
        messages.info(
            request, _("%(n)s 位客户已有未完成的挽回任务，未重复创建。") % {"n": existing}
        )
    if not created and not existing:
        messages.error(request, _("没有可创建任务的客户。"))
    back = request.POST.get("query", "")
    return redirect(reverse("analytics:churn") + (f"?{back}" if back else ""))


EXPORT_HEADER = [
    "客户名称", "客户经理", "价值分类", "流失风险", "风险等级", "预警原因", "距上次接触天数",
    "近期投诉", "平均满意度", "存活概率", "计算时间",
]  # fmt: skip


def _export_rows(user: User, filters: dict[str, str]) -> Iterator[list[str]]:
    from django.conf import settings

    config = AssessmentConfig.current()
    masked = sees_masked(user)
    yield EXPORT_HEADER
    qs = churn_warnings(user, filters)[: settings.GUANXI_EXPORT_ROW_CAP]
    for row in qs.iterator(chunk_size=2000):
        customer = row.customer
        name = (
            mask_name(customer.name) if masked and not customer.is_organization else customer.name
        )
        cells: list[Any] = [
            name,
            str(customer.owner) if customer.owner_id else "",
            customer.get_value_class_display(),
            row.risk,
            row.get_level_display(),
            "；".join(f"{r.label} {r.points:.0f}（{r.detail}）" for r in reasons(row, config)),
            row.days_since_contact,
            row.complaints,
            "" if row.csat is None else f"{row.csat:.1f}",
            "" if row.p_alive is None else f"{row.p_alive:.3f}",
            row.computed_at.isoformat(),
        ]
        yield [safe_cell(c) for c in cells]


@login_required
def churn_export(request: HttpRequest) -> HttpResponse:
    """The filtered warning list as CSV (restricted, masked for analysts, formula-safe, audited)."""
    user = _readers_only(request)
    filters = _filters(request)
    try:
        churn_warnings(user, filters)
    except InvalidFilter as exc:
        return render(
            request, "exports/refused.html", {"field": exc.field, "error": exc.message}, status=400
        )
    events.record(
        user,
        "export.downloaded",
        summary="流失预警列表（csv）",
        changes={"filters": {k: v for k, v in filters.items() if v}},
    )
    response = StreamingHttpResponse(
        csv_chunks(_export_rows(user, filters)), content_type="text/csv; charset=utf-8"
    )
    name = f"churn-{timezone.localdate():%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- the classifier -----------------------------------------------------------------------


@login_required
def churn_model_page(request: HttpRequest) -> HttpResponse:
    """The latest training: holdout AUC, Brier score and the reliability chart; train again."""
    user: User = request.user  # type: ignore[assignment]
    if user.role not in MODEL_READERS:
        raise Http404
    run = latest_churn_model(user)
    form = ChurnTrainForm(initial={"horizon_days": DEFAULT_HORIZON_DAYS})
    chart = {"calibration": run.calibration} if run is not None and run.calibration else None
    return render(request, "analytics/churn_model.html", {"run": run, "form": form, "chart": chart})


@login_required
@require_POST
def churn_train(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if user.role not in MODEL_READERS:
        raise Http404
    form = ChurnTrainForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("analytics:churn_model")
    try:
        run = train_churn_model(by=user, horizon_days=form.cleaned_data["horizon_days"])
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect("analytics:churn_model")
    if run.error:
        messages.error(request, run.error)
    else:
        messages.success(request, _("模型已训练，下次价值评估时用于流失评分。"))
    return redirect("analytics:churn_model")


@login_required
def churn_settings(request: HttpRequest) -> HttpResponse:
    """The churn signals' weights, windows, thresholds and level cut-offs (admins)."""
    user: User = request.user  # type: ignore[assignment]
    if user.role != "admin":
        raise Http404
    config = AssessmentConfig.current()
    form = ChurnConfigForm(request.POST or None, instance=config)
    if request.method == "POST" and form.is_valid():
        update_assessment_config(form.cleaned_data, by=user)
        messages.success(request, _("流失预警规则已保存，下次价值评估时生效。"))
        return redirect("analytics:churn_settings")
    return render(request, "analytics/churn_settings.html", {"form": form})
