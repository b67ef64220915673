"""Validation of analytics input: training the churn classifier, the churn settings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AssessmentConfig

CHURN_CONFIG_FIELDS = [
    f.name for f in AssessmentConfig._meta.fields if f.name.startswith(("churn_", "contact_days_"))
]


class ChurnTrainForm(forms.Form):
    horizon_days = forms.IntegerField(
        label=_("观察期（天）：此期间无购买视为流失"), min_value=7, max_value=730
    )


class ChurnConfigForm(forms.ModelForm):
    """The churn signals' weights, windows and thresholds and the level cut-offs."""

    class Meta:
        model = AssessmentConfig
        fields = CHURN_CONFIG_FIELDS

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        high, medium = data.get("churn_high_from"), data.get("churn_medium_from")
        if high is not None and medium is not None and medium > high:
            self.add_error("churn_medium_from", _("中风险起点不能高于高风险起点"))
        return data
