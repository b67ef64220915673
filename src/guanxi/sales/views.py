"""Products (everyone reads the catalogue, admins edit it) and recording a purchase."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from guanxi.core.actions import ActionError
from guanxi.customers.models import Customer
from guanxi.customers.views import apply_action_error, present_form

from . import actions
from .forms import LineFormSet, ProductForm, PurchaseForm
from .models import Product
from .queries import catalogue


def _can_edit_catalogue(user: Any) -> bool:
    # The same rule as ProductQuerySet.restrict and the product actions: admins only.
    return not Product.objects.restrict(user, "change").query.is_empty()


@login_required
def product_list(request: HttpRequest) -> HttpResponse:
    products = catalogue(request.user)
    return render(
        request,
        "sales/product_list.html",
        {"products": products, "can_edit": _can_edit_catalogue(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def product_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user = request.user
    if not _can_edit_catalogue(user):
        raise Http404
    product = None
    if pk is not None:
        product = get_object_or_404(Product.objects.restrict(user, "change"), pk=pk)
    form = ProductForm(request.POST or None, instance=product)
    if request.method == "POST" and form.is_valid():
        try:
            if product is None:
                actions.create_product(form.cleaned_data, by=user)
            else:
                actions.update_product(product, form.cleaned_data, by=user)
        except ActionError as exc:
            apply_action_error(form, exc)
        else:
            messages.success(request, gettext("已保存产品。"))
            return redirect("sales:products")
    title = gettext("编辑产品") if product else gettext("新建产品")
    status = 400 if request.method == "POST" else 200
    return render(request, "sales/product_form.html", {"form": form, "title": title}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def purchase_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    customer = get_object_or_404(Customer.objects.restrict(user, "change"), pk=pk)
    if request.method == "POST":
        form = present_form(PurchaseForm(request.POST))
        lines = LineFormSet(request.POST, prefix="lines")
        if form.is_valid() and lines.is_valid():
            rows = [f.cleaned_data for f in lines.forms if f.cleaned_data]
            try:
                actions.record_purchase(customer, form.cleaned_data, rows, by=user)
            except ActionError as exc:
                apply_action_error(form, exc)
            else:
                messages.success(request, gettext("已记录购买。"))
                return redirect("customers:detail", pk=customer.pk)
    else:
        form = present_form(PurchaseForm(initial={"ordered_at": timezone.now()}))
        lines = LineFormSet(prefix="lines")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "sales/purchase_form.html",
        {"form": form, "lines": lines, "customer": customer, "title": gettext("记录购买")},
        status=status,
    )
