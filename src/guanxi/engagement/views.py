"""Follow-up task pages: my tasks, a new task for a customer, complete and cancel buttons.

Views stay thin: reads go through restrict (404 outside the scope), writes
through actions, validation through forms.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from guanxi.core.actions import ActionError
from guanxi.core.permissions import CHANGE
from guanxi.customers.models import Customer

from . import actions
from .choices import TaskStatus
from .forms import OutcomeForm, TaskForm
from .models import FollowUpTask
from .queries import customer_tasks, task_status
from .queries import task_list as my_task_list  # the view below has the URL's name


def _task(request: HttpRequest, pk: int, action: str = "view") -> FollowUpTask:
    task = FollowUpTask.objects.restrict(request.user, action).filter(pk=pk).first()  # type: ignore[arg-type]
    if task is None:
        raise Http404
    return task


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return redirect(target)
    return redirect(fallback)


@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    """我的任务: what is assigned to me, open by default, soonest due first."""
    filters = {"status": request.GET["status"]} if "status" in request.GET else {}
    tasks = list(my_task_list(request.user, filters)[:200])  # type: ignore[arg-type]
    return render(
        request,
        "engagement/tasks.html",
        {"tasks": tasks, "status": task_status(filters), "statuses": TaskStatus.choices},
    )


@login_required
def customer_tasks_section(request: HttpRequest, pk: int) -> HttpResponse:
    """The 360 page's task section (htmx fragment): the customer's tasks within scope."""
    customer = Customer.objects.restrict(request.user, "view").filter(pk=pk).first()  # type: ignore[arg-type]
    if customer is None:
        raise Http404
    can_change = Customer.objects.restrict(request.user, CHANGE).filter(pk=pk).exists()  # type: ignore[arg-type]
    return render(
        request,
        "engagement/_customer_tasks.html",
        {
            "customer": customer,
            "tasks": customer_tasks(request.user, customer),  # type: ignore[arg-type]
            "can_change": can_change,
        },
    )


@login_required
def task_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A new task for one customer (needs change scope on it)."""
    customer = Customer.objects.restrict(request.user, CHANGE).filter(pk=pk).first()  # type: ignore[arg-type]
    if customer is None:
        raise Http404
    form = TaskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.create_task(customer, form.cleaned_data, by=request.user)  # type: ignore[arg-type]
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("任务已创建。"))
            return redirect("customers:detail", pk=customer.pk)
    return render(request, "engagement/task_form.html", {"form": form, "customer": customer})


def _close(request: HttpRequest, pk: int, do: Any) -> HttpResponse:
    _task(request, pk)  # 404 before 405: a probe learns nothing about other scopes
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    task = _task(request, pk, CHANGE)
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("输入有误。"))
    else:
        try:
            do(task, request.user, form.cleaned_data["outcome"])
        except ActionError as exc:
            messages.error(request, exc.message)
    return _back(request, "engagement:tasks")


@login_required
def task_complete(request: HttpRequest, pk: int) -> HttpResponse:
    return _close(
        request,
        pk,
        lambda task, user, outcome: actions.complete_task(task, by=user, outcome=outcome),
    )


@login_required
def task_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _close(
        request, pk, lambda task, user, outcome: actions.cancel_task(task, by=user, outcome=outcome)
    )
