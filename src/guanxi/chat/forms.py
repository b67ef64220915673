"""Validation of chat input, shared by the public page, the sockets and the API."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.core.validators import normalize_phone

from . import limits


class StartForm(forms.Form):
    """The visitor's first screen: a name to be addressed by, optional contact, the question."""

    visitor_name = forms.CharField(label=_("您的称呼"), max_length=64, strip=True)
    visitor_phone = forms.CharField(label=_("手机（选填）"), max_length=32, required=False)
    visitor_email = forms.EmailField(label=_("邮箱（选填）"), required=False)
    body = forms.CharField(
        label=_("您想咨询什么？"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=limits.MAX_BODY,
    )
    # A field people never see; bots that fill every input give themselves away.
    website = forms.CharField(required=False, label=_("网站"))

    def clean_visitor_phone(self) -> str:
        raw = self.cleaned_data.get("visitor_phone") or ""
        return normalize_phone(raw) if raw.strip() else ""

    def is_spam(self) -> bool:
        return bool(self.data.get("website"))


class MessageForm(forms.Form):
    """One line typed by a visitor or an agent; blank and over-long lines are refused."""

    body = forms.CharField(max_length=limits.MAX_BODY, strip=True)


class LinkCustomerForm(forms.Form):
    customer_id = forms.IntegerField(label=_("客户编号"), min_value=1)


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(choices=[(i, str(i)) for i in range(5, 0, -1)], coerce=int)


class TicketFromChatForm(forms.Form):
    """What the agent decides when a chat becomes a ticket; the transcript is added by the action."""

    ticket_type = forms.ChoiceField(label=_("类型"))
    subject = forms.CharField(label=_("事项"), max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from guanxi.service.choices import TicketType

        # 预约保养 needs a bay and a day, which a chat does not collect.
        self.fields["ticket_type"].choices = [
            c for c in TicketType.choices if c[0] != TicketType.MAINTENANCE
        ]


def first_error(form: forms.Form) -> tuple[str | None, str, str]:
    """(field, message, code) of a bound form's first error, for socket replies."""
    for name, items in form.errors.get_json_data().items():
        item = items[0]
        field = None if name == forms.forms.NON_FIELD_ERRORS else name
        return field, str(item["message"]), item["code"] or "invalid"
    return None, "", "invalid"
