"""Validation of the export settings an admin edits."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from .models import ExportSettings

# Above a few million rows a spreadsheet cannot open the file anyway (Excel: 1,048,576).
CAP = [
    MinValueValidator(1, message=_("行数上限须在 1 到 1000000 之间。")),
    MaxValueValidator(1_000_000, message=_("行数上限须在 1 到 1000000 之间。")),
]


class ExportSettingsForm(forms.ModelForm):  # type: ignore[type-arg]
    row_cap = forms.IntegerField(
        label=_("每次导出的最大行数"),
        required=False,
        validators=CAP,
        help_text=_("一次下载最多导出的行数，超出的部分不导出。留空则使用部署时的默认值。"),
    )

    class Meta:
        model = ExportSettings
        fields = ["row_cap"]
