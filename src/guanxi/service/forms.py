"""Validation of service-desk input, shared by the pages and the API."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.core.validators import normalize_phone

from .choices import DisputeStage, MessageKind, Status, TicketType
from .models import CalendarDay, RepairLine, ServiceBay, ServiceTarget, SlaPolicy, Ticket


class TicketForm(forms.ModelForm):
    """Intake by staff: the matter, the person and how to reach them."""

    bay = forms.ModelChoiceField(
        ServiceBay.objects.filter(active=True), required=False, label=_("工位")
    )
    appointment_day = forms.DateField(required=False, label=_("预约日期"))

    class Meta:
        model = Ticket
        fields = [
            "ticket_type", "channel", "priority", "subject", "description", "contact_name",
            "contact_phone", "contact_email", "received_at", "skill", "asset_identifier",
        ]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact_phone"].widget = forms.TextInput()
        if "received_at" in self.fields:
            self.fields["received_at"].required = False

    def clean_contact_phone(self) -> str:
        raw = self.cleaned_data.get("contact_phone") or ""
        if not raw:
            return ""
        return normalize_phone(raw)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("ticket_type") == TicketType.MAINTENANCE:
            if not data.get("bay"):
                self.add_error(
                    "bay", forms.ValidationError(_("预约保养须选择工位。"), code="required")
                )
            if not data.get("appointment_day"):
                self.add_error(
                    "appointment_day",
                    forms.ValidationError(_("预约保养须选择日期。"), code="required"),
                )
        if not (data.get("contact_phone") or data.get("contact_email") or self.has_customer):
            self.add_error(
                "contact_phone", forms.ValidationError(_("请留下电话或邮箱。"), code="required")
            )
        return data

    has_customer = False


class PublicTicketForm(TicketForm):
    """The public web form: fewer fields, a honeypot a person never sees or fills."""

    website = forms.CharField(required=False, label=_("网站"))

    class Meta(TicketForm.Meta):
        fields = [
            "ticket_type", "subject", "description", "contact_name", "contact_phone",
            "contact_email",
        ]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ticket_type"].choices = [
            c for c in TicketType.choices if c[0] != TicketType.MAINTENANCE
        ]
        self.fields["contact_name"].required = True

    def is_spam(self) -> bool:
        return bool(self.data.get("website"))


class MessageForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[
            (MessageKind.REPLY, MessageKind.REPLY.label),
            (MessageKind.NOTE, MessageKind.NOTE.label),
        ]
    )
    body = forms.CharField(widget=forms.Textarea, max_length=20_000)


class TransitionForm(forms.Form):
    status = forms.ChoiceField(choices=Status.choices)
    note = forms.CharField(required=False, widget=forms.Textarea)
    resolution = forms.CharField(required=False, widget=forms.Textarea)
    lessons_learned = forms.CharField(required=False, widget=forms.Textarea)


class DisputeForm(forms.Form):
    stage = forms.ChoiceField(choices=DisputeStage.choices)
    counterpart = forms.CharField(required=False, max_length=128)
    record = forms.CharField(required=False, widget=forms.Textarea)


class RepairLineForm(forms.ModelForm):
    class Meta:
        model = RepairLine
        fields = ["kind", "description", "quantity", "unit_price"]

    def clean_quantity(self) -> Any:
        quantity = self.cleaned_data["quantity"]
        if quantity is not None and quantity <= 0:
            raise forms.ValidationError(_("数量必须大于 0。"), code="min_value")
        return quantity


class SurveyForm(forms.Form):
    score = forms.TypedChoiceField(choices=[(i, str(i)) for i in range(5, 0, -1)], coerce=int)
    comment = forms.CharField(required=False, widget=forms.Textarea, max_length=2000)


# --- configuration (admins) -----------------------------------------------------------


class SlaPolicyForm(forms.ModelForm):
    """An SLA policy: blank type/priority/class mean "any"; the most specific one wins."""

    class Meta:
        model = SlaPolicy
        fields = [
            "name", "ticket_type", "priority", "value_class", "first_response_hours",
            "resolution_hours", "clock", "warn_before_minutes", "active",
        ]  # fmt: skip

    def clean_first_response_hours(self) -> Any:
        hours = self.cleaned_data["first_response_hours"]
        if hours is not None and hours <= 0:
            raise forms.ValidationError(_("时限必须大于 0 小时。"), code="min_value")
        return hours

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        first, resolve = data.get("first_response_hours"), data.get("resolution_hours")
        if first is not None and resolve is not None and resolve < first:
            self.add_error(
                "resolution_hours",
                forms.ValidationError(_("解决时限不能短于首次响应时限。"), code="too_short"),
            )
        return data


class CalendarDayForm(forms.ModelForm):
    """A holiday or a 调休 make-up working day; a date appears once (the form says so)."""

    class Meta:
        model = CalendarDay
        fields = ["day", "kind", "name"]


class ReseedYearForm(forms.Form):
    year = forms.IntegerField(label=_("年份"), min_value=2004, max_value=2100)


class ServiceBayForm(forms.ModelForm):
    class Meta:
        model = ServiceBay
        fields = ["name", "daily_capacity", "active"]

    def clean_daily_capacity(self) -> Any:
        capacity = self.cleaned_data["daily_capacity"]
        if capacity is not None and capacity < 1:
            raise forms.ValidationError(_("每日容量至少为 1。"), code="min_value")
        return capacity


class ServiceTargetForm(forms.ModelForm):
    """A KPI target line on the service charts; the code is fixed, name and percent are not."""

    class Meta:
        model = ServiceTarget
        fields = ["name", "percent"]

    def clean_percent(self) -> Any:
        percent = self.cleaned_data["percent"]
        if percent is not None and not 0 <= percent <= 100:
            raise forms.ValidationError(_("目标须在 0 到 100 之间。"), code="out_of_range")
        return percent
