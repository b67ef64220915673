"""Validation of products and purchases."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from .choices import OrderChannel
from .models import Product

NON_NEGATIVE = MinValueValidator(Decimal("0"), message=_("金额不能为负数。"))


class ProductForm(forms.ModelForm):
    list_price = forms.DecimalField(
        label=_("标准单价"), max_digits=14, decimal_places=2, validators=[NON_NEGATIVE]
    )

    class Meta:
        model = Product
        fields = ["code", "name", "category", "unit", "list_price", "active"]


class PurchaseLineForm(forms.Form):
    product = forms.ModelChoiceField(queryset=Product.objects.filter(active=True), label=_("产品"))
    quantity = forms.DecimalField(
        label=_("数量"),
        max_digits=14,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0.001"), message=_("数量必须大于零。"))],
    )
    unit_price = forms.DecimalField(
        label=_("单价"), max_digits=14, decimal_places=2, required=False, validators=[NON_NEGATIVE]
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        product = cleaned.get("product")
        if product is not None and cleaned.get("unit_price") is None:
            cleaned["unit_price"] = product.list_price
        return cleaned


class PurchaseForm(forms.Form):
    ordered_at = forms.DateTimeField(label=_("下单时间"))
    channel = forms.ChoiceField(
        label=_("渠道"), choices=OrderChannel.choices, initial=OrderChannel.DIRECT
    )
    notes = forms.CharField(label=_("备注"), max_length=255, required=False)


class PurchaseLineFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        if not any(
            form.cleaned_data and not form.cleaned_data.get("DELETE") for form in self.forms
        ):
            raise ValidationError(_("至少需要一条明细。"), code="no_lines")


# No min_num: empty extra rows are allowed and the formset's clean() says
# "至少需要一条明细" once, instead of "required" on every field of the first row.
LineFormSet = forms.formset_factory(PurchaseLineForm, formset=PurchaseLineFormSet, extra=3)
