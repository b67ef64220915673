"""Value-assessment pages: overview with the fitted models, the holdout check, recompute."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.core.choices import Role

from .holdout import holdout_check
from .models import MODEL_READERS
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
