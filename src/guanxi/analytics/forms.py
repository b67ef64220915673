"""Validation of analytics input: the value-class rules, the churn settings, training."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AssessmentConfig

# The two rules that put a customer in the 流失 value class belong with the other
# value-class rules, not with the churn-risk signals.
CHURN_CLASS_FIELDS = ("churn_inactive_days", "churn_p_alive")
CHURN_CONFIG_FIELDS = [
    f.name
    for f in AssessmentConfig._meta.fields
    if f.name.startswith(("churn_", "contact_days_")) and f.name not in CHURN_CLASS_FIELDS
]

# Everything else an admin tunes: RFM bins, the value-class rules, the CLV horizon.
VALUE_CONFIG_FIELDS = [
    f.name
    for f in AssessmentConfig._meta.fields
    if f.editable
    and f.name not in ("id", "updated_at", "updated_by")
    and f.name not in CHURN_CONFIG_FIELDS
]


class ValueConfigForm(forms.ModelForm):
    """RFM bins, the rules behind 高价值/潜力/一般/流失, and the CLV horizon and discounting."""

    class Meta:
        model = AssessmentConfig
        fields = VALUE_CONFIG_FIELDS

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # A customer counted as churned after N quiet days can't also count as recently
        # active for the high-value class over a longer window: the rules would overlap.
        inactive, recent = data.get("churn_inactive_days"), data.get("high_recent_days")
        if inactive is not None and recent is not None and recent > inactive:
            self.add_error("high_recent_days", _("“最近购买天数”不能长于“多少天未购买视为流失”。"))
        return data


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
