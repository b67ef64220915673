"""Value-assessment pages: overview with the fitted models, the holdout check, recompute,
and the value-class rules an admin edits."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.core.choices import Role

from .actions import update_assessment_config
from .forms import ValueConfigForm
from .holdout import holdout_check
from .models import MODEL_READERS, AssessmentConfig
from .queries import current_config, latest_run


def _readers_only(request: HttpRequest) -> None:
    # Model-level results describe the whole base; other roles are not shown they exist.
    if request.user.role not in MODEL_READERS:  # type: ignore[union-attr]
        raise Http404


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    _readers_only(request)
    run = latest_run(request.user)  # type: ignore[arg-type]
    return render(
        request,
        "analytics/overview.html",
        {
            "run": run,
            "config": current_config(),
            "can_recompute": request.user.role == Role.ADMIN,  # type: ignore[union-attr]
        },
    )


@login_required
@require_POST
def recompute(request: HttpRequest) -> HttpResponse:
    if request.user.role != Role.ADMIN:  # type: ignore[union-attr]
        raise Http404
    from .tasks import value_assessment_for

    value_assessment_for(request.user.pk)
    messages.success(request, _("价值评估已开始，完成后本页显示新结果。"))
    return redirect("analytics:overview")


@login_required
def holdout(request: HttpRequest) -> HttpResponse:
    _readers_only(request)
    weeks = current_config().holdout_weeks
    check = holdout_check(request.user, timezone.now(), weeks)  # type: ignore[arg-type]
    return render(request, "analytics/holdout.html", {"check": check})


@login_required
def value_settings(request: HttpRequest) -> HttpResponse:
    """RFM bins, the 高价值/潜力/一般/流失 rules and the CLV horizon (admins only)."""
    if request.user.role != Role.ADMIN:  # type: ignore[union-attr]
        raise Http404
    form = ValueConfigForm(request.POST or None, instance=AssessmentConfig.current())
    if request.method == "POST" and form.is_valid():
        update_assessment_config(form.cleaned_data, by=request.user)  # type: ignore[arg-type]
        messages.success(request, _("价值评估规则已保存，下次重算时生效。"))
        return redirect("analytics:value_settings")
    return render(request, "analytics/value_settings.html", {"form": form})
