"""The wizard's forms: the file to upload, and which column holds which field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.customers.choices import SourceChannel
from guanxi.customers.imports.mapping import HEADERS
from guanxi.customers.imports.runner import ON_DUPLICATE, REQUIRED

from .models import ImportKind, OnDuplicate

# Import fields that are not model fields of the same name (the rest take the model's label).
EXTRA_LABELS = {
    "province": _("省份"),
    "city": _("城市"),
    "district": _("区县"),
    "address": _("详细地址"),
    "postal_code": _("邮编"),
    "industry": _("行业"),
    # Contacts and purchases: how the row names its customer, and the order's fields.
    "customer_id": _("客户编号"),
    "customer_credit_code": _("客户的统一社会信用代码"),
    "customer_phone": _("客户手机"),
    "number": _("订单号"),
    "ordered_at": _("下单时间"),
    "product": _("产品（编码或名称）"),
    "quantity": _("数量"),
    "unit": _("单位"),
    "unit_price": _("单价"),
    "amount": _("金额"),
    "channel": _("渠道"),
}
MODELS = {"customers": "customers.Customer", "contacts": "customers.Contact"}


def field_label(kind: str, name: str) -> str:
    if name in EXTRA_LABELS:
        return str(EXTRA_LABELS[name])
    if kind in MODELS:
        from django.apps import apps

        try:
            return str(apps.get_model(MODELS[kind])._meta.get_field(name).verbose_name)
        except Exception:  # noqa: BLE001 — an import-only field
            return name
    if name == "notes":
        return str(_("备注"))
    return name


class UploadForm(forms.Form):
    # Not required: a form without it (older bookmarks, scripts) imports customers.
    kind = forms.ChoiceField(
        label=_("导入内容"), choices=ImportKind.choices, initial=ImportKind.CUSTOMERS,
        required=False,
    )  # fmt: skip
    file = forms.FileField(label=_("文件（CSV 或 Excel .xlsx）"))


class MappingForm(forms.Form):
    """One select per importable field, listing the file's columns; plus the run options."""

    source_channel = forms.ChoiceField(label=_("信息来源"), choices=SourceChannel.choices)
    on_duplicate = forms.ChoiceField(label=_("遇到已有客户时"), choices=OnDuplicate.choices)
    save_as = forms.CharField(label=_("保存此对应关系为"), max_length=64, required=False)

    def __init__(self, *args: Any, kind: str, header: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        choices = [("", "—")] + [(h, h) for h in header if h]
        self.column_names = list(HEADERS[kind])
        for name in self.column_names:
            self.fields[f"col_{name}"] = forms.ChoiceField(
                label=field_label(kind, name), choices=choices, required=name in REQUIRED[kind]
            )
        # Only the duplicate rules that make sense for this kind (runner.ON_DUPLICATE).
        self.fields["on_duplicate"].choices = [
            (v, label) for v, label in OnDuplicate.choices if v in ON_DUPLICATE[kind]
        ]
        if kind != ImportKind.CUSTOMERS:
            # The channel describes where customer data was collected; contacts and
            # purchases take their customer's, so the field is not asked.
            self.fields["source_channel"].required = False
            self.fields["source_channel"].widget = forms.HiddenInput()

    def columns(self) -> dict[str, str]:
        return {
            name: self.cleaned_data[f"col_{name}"]
            for name in self.column_names
            if self.cleaned_data.get(f"col_{name}")
        }

    def column_fields(self) -> list[forms.BoundField]:
        return [self[f"col_{name}"] for name in self.column_names]
