"""The review queue of likely duplicate customers: list, compare, merge, dismiss, undo."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from guanxi.core.actions import ActionError
from guanxi.core.choices import Role
from guanxi.customers.dedup.configure import update_settings
from guanxi.customers.dedup.merge import dismiss_candidate, merge_customers, undo_merge
from guanxi.customers.views import apply_action_error

from .forms import DedupSettingsForm
from .models import CandidateStatus, DedupSettings, DuplicateCandidate, Merge
from .queries import QueueFilter, open_pairs, reason_fields

PAGE = 50


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """Open pairs the user may change both sides of, filtered, most likely first."""
    wanted = QueueFilter.from_params(request.GET)
    page = Paginator(open_pairs(request.user, wanted), PAGE).get_page(request.GET.get("page"))  # type: ignore[arg-type]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "pairs": page.object_list,
        "wanted": wanted,
        "fields": reason_fields(),
        "query": query.urlencode(),
        "is_admin": request.user.role == Role.ADMIN,  # type: ignore[union-attr]
        "scanned_at": DedupSettings.current().trained_at,
    }
    return render(request, "dedup/queue.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def dismiss_many(request: HttpRequest) -> HttpResponse:
    """Dismiss the ticked pairs, each through the same action (and event) as one at a time.

    Only pairs the user may change both sides of are touched; ids of others are
    ignored as if they did not exist.
    """
    if request.method == "POST":
        ids = [int(v) for v in request.POST.getlist("pair") if v.isdigit()]
        pairs = DuplicateCandidate.objects.restrict(request.user, "change").filter(
            pk__in=ids, status=CandidateStatus.OPEN
        )
        with transaction.atomic():
            done = [
                dismiss_candidate(p, by=request.user) for p in pairs.select_related("left", "right")
            ]  # type: ignore[arg-type]
        messages.success(request, gettext("已将 %(n)d 对标记为不是重复。") % {"n": len(done)})
    back = request.POST.get("next", "")
    return redirect(f"{reverse('dedup:queue')}?{back}" if back else "dedup:queue")


@login_required
def pair(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(
        DuplicateCandidate.objects.restrict(request.user, "view").select_related("left", "right"),
        pk=pk,
    )
    last_merge = (
        Merge.objects.filter(
            survivor__in=[candidate.left_id, candidate.right_id],
            loser__in=[candidate.left_id, candidate.right_id],
            undone_at__isnull=True,
        )
        .order_by("-merged_at")
        .first()
    )
    rows = [
        (gettext("名称"), candidate.left.name, candidate.right.name),
        (gettext("电话"), candidate.left.phone_display, candidate.right.phone_display),
        (gettext("电子邮箱"), candidate.left.email, candidate.right.email),
        (gettext("出生日期"), candidate.left.birth_date or "", candidate.right.birth_date or ""),
        (gettext("地区"), candidate.left.location, candidate.right.location),
        (gettext("客户经理"), candidate.left.owner or "", candidate.right.owner or ""),
        (gettext("购买次数"), candidate.left.purchase_count, candidate.right.purchase_count),
    ]
    context = {"pair": candidate, "rows": rows, "last_merge": last_merge}
    return render(request, "dedup/pair.html", context)


def _changeable(request: HttpRequest, pk: int) -> DuplicateCandidate:
    """The pair, if the user may change both customers; 404 otherwise (also for GET)."""
    return get_object_or_404(
        DuplicateCandidate.objects.restrict(request.user, "change").select_related("left", "right"),
        pk=pk,
    )


@login_required
@require_http_methods(["GET", "POST"])
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = _changeable(request, pk)
    if request.method == "GET":
        return redirect("dedup:pair", pk=pk)
    keep = request.POST.get("survivor")
    if keep not in ("left", "right"):
        raise Http404
    survivor, loser = (
        (candidate.left, candidate.right) if keep == "left" else (candidate.right, candidate.left)
    )
    try:
        merge_customers(survivor, loser, by=request.user)
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect("dedup:pair", pk=pk)
    messages.success(request, gettext("已合并，可撤销。"))
    return redirect("dedup:pair", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = _changeable(request, pk)
    if request.method == "POST":
        dismiss_candidate(candidate, by=request.user)
        messages.success(request, gettext("已标记为不是重复。"))
        return redirect("dedup:queue")
    return redirect("dedup:pair", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def undo(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = _changeable(request, pk)
    if request.method == "POST":
        last = (
            Merge.objects.filter(
                survivor__in=[candidate.left_id, candidate.right_id],
                loser__in=[candidate.left_id, candidate.right_id],
                undone_at__isnull=True,
            )
            .order_by("-merged_at")
            .first()
        )
        if last is None:
            raise Http404
        try:
            undo_merge(last, by=request.user)
        except ActionError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, gettext("已撤销合并。"))
    return redirect("dedup:pair", pk=pk)


@login_required
@require_POST
def start_scan(request: HttpRequest) -> HttpResponse:
    """An admin re-scans now (e.g. after an import) instead of waiting for the night."""
    if request.user.role != Role.ADMIN:  # type: ignore[union-attr]
        raise Http404
    from .tasks import duplicate_scan_for

    duplicate_scan_for(request.user.pk)
    messages.success(request, gettext("已开始扫描疑似重复客户，完成后审核队列会自动更新。"))
    return redirect("dedup:queue")


@login_required
@require_http_methods(["GET", "POST"])
def settings_form(request: HttpRequest) -> HttpResponse:
    """Admins set the warning, review and auto-merge thresholds (404 for everyone else)."""
    if request.user.role != Role.ADMIN:  # type: ignore[union-attr]
        raise Http404
    config = DedupSettings.current()
    form = DedupSettingsForm(request.POST or None, instance=config)
    if request.method == "POST" and form.is_valid():
        try:
            update_settings(form.cleaned_data, by=request.user)  # type: ignore[arg-type]
        except ActionError as exc:
            apply_action_error(form, exc)
        else:
            messages.success(request, gettext("已保存数据清洗设置。"))
            return redirect("dedup:settings")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "trained_at": config.trained_at}
    return render(request, "dedup/settings.html", context, status=status)
