"""The wizard's forms: the file to upload, and which column holds which field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.customers.choices import SourceChannel
from guanxi.customers.imports.mapping import HEADERS

from .models import OnDuplicate

# Import fields that are not model fields of the same name (the rest take the model's label).
EXTRA_LABELS = {
    "province": _("省份"),
    "city": _("城市"),
    "district": _("区县"),
    "address": _("详细地址"),
    "postal_code": _("邮编"),
    "industry": _("行业"),
}


def field_label(kind: str, name: str) -> str:
    if name in EXTRA_LABELS:
        return str(EXTRA_LABELS[name])
    if kind == "customers":
        from guanxi.customers.models import Customer

        try:
            return str(Customer._meta.get_field(name).verbose_name)
        except Exception:  # noqa: BLE001 — an import-only field
            return name
    return name


class UploadForm(forms.Form):
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
                label=field_label(kind, name), choices=choices, required=name == "name"
            )

    def columns(self) -> dict[str, str]:
        return {
            name: self.cleaned_data[f"col_{name}"]
            for name in self.column_names
            if self.cleaned_data.get(f"col_{name}")
        }

    def column_fields(self) -> list[forms.BoundField]:
        return [self[f"col_{name}"] for name in self.column_names]
