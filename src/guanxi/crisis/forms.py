"""Validation of crisis input, shared by the pages and the API."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.core.choices import Role
from guanxi.core.models import User

from .choices import Channel, CrisisStatus, Recovery
from .models import Crisis

# The customer list's filters (customers/queries.py: filtered_customers), so a
# segment means the same thing on the list page and here.
SEGMENT_FILTERS = ("q", "value_class", "stage", "kind", "industry", "region", "owner", "tag")
RESPONDER_ROLES = (Role.ADMIN, Role.REGIONAL_MANAGER, Role.MANAGER, Role.AGENT)


class CrisisForm(forms.ModelForm):
    class Meta:
        model = Crisis
        fields = ["kind", "title", "description", "risk_level", "owner", "response_plan",
                  "identified_at"]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The owner runs the response, so it must be someone who may.
        self.fields["owner"].queryset = User.objects.filter(
            is_active=True, role__in=RESPONDER_ROLES
        ).order_by("id")
        self.fields["identified_at"].required = False


class TransitionForm(forms.Form):
    status = forms.ChoiceField(choices=CrisisStatus.choices, label=_("状态"))
    note = forms.CharField(required=False, widget=forms.Textarea, label=_("说明"))


class LinkCustomersForm(forms.Form):
    """Affected customers by a segment (the customer list's filters) or a pasted list.

    The list takes customer ids or 统一社会信用代码, separated by commas, spaces or lines.
    """

    codes = forms.CharField(required=False, widget=forms.Textarea, label=_("客户编号或信用代码"))
    q = forms.CharField(required=False, label=_("搜索"))
    value_class = forms.CharField(required=False, label=_("价值分类"))
    stage = forms.CharField(required=False, label=_("关系阶段"))
    kind = forms.CharField(required=False, label=_("客户类型"))
    industry = forms.CharField(required=False, label=_("行业"))
    region = forms.CharField(required=False, label=_("区域"))
    owner = forms.CharField(required=False, label=_("客户经理"))
    tag = forms.CharField(required=False, label=_("标签"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        segment = {k: data.get(k, "").strip() for k in SEGMENT_FILTERS if data.get(k, "").strip()}
        codes = [c for c in re.split(r"[\s,，;；、]+", data.get("codes", "")) if c]
        if not segment and not codes:
            raise forms.ValidationError(
                _("请填写客户编号，或至少一个筛选条件（不能一次关联全部客户）。"), code="required"
            )
        if len(codes) > 10_000:
            self.add_error(
                "codes", forms.ValidationError(_("一次最多 10,000 个。"), code="too_many")
            )
        data["segment"], data["code_list"] = segment, codes
        return data


class ResponseUpdateForm(forms.Form):
    happened_at = forms.DateTimeField(required=False, label=_("日期"))
    body = forms.CharField(widget=forms.Textarea, max_length=20_000, label=_("进展"))


class CommunicationForm(forms.Form):
    channel = forms.ChoiceField(choices=Channel.choices, label=_("渠道"))
    subject = forms.CharField(required=False, max_length=200, label=_("主题"))
    content = forms.CharField(widget=forms.Textarea, max_length=20_000, label=_("内容"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("channel") == Channel.EMAIL and not data.get("subject"):
            self.add_error(
                "subject", forms.ValidationError(_("电子邮件须填写主题。"), code="required")
            )
        return data


class RecoveryForm(forms.Form):
    customer_id = forms.IntegerField(label=_("客户"))
    recovery = forms.ChoiceField(choices=Recovery.choices, label=_("恢复状态"))
    note = forms.CharField(required=False, max_length=255, label=_("备注"))
