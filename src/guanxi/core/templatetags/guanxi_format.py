"""Chinese display formats for templates: money, dates, masked personal data."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils import timezone, translation

from guanxi.core.validators import display_phone, mask_id_number, mask_name, mask_phone

register = template.Library()


@register.filter
def yuan(value: Any) -> str:
    """¥1,234.56 — the way Chinese invoices write renminbi."""
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    return f"¥{amount:,.2f}"


@register.filter
def cn_date(value: date | datetime | None) -> str:
    """2026年11月23日 in Chinese, 2026-11-23 otherwise; datetimes in the display zone."""
    if not value:
        return "—"
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    if translation.get_language() == "en":
        return f"{value:%Y-%m-%d}"
    return f"{value.year}年{value.month}月{value.day}日"


@register.filter
def cn_datetime(value: datetime | None) -> str:
    if not value:
        return "—"
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{local:%Y-%m-%d %H:%M}"


@register.filter
def show_phone(e164: str | None, masked: bool = False) -> str:
    if not e164:
        return ""
    return mask_phone(e164) if masked else display_phone(e164)


@register.filter
def show_id_number(value: str | None, masked: bool = True) -> str:
    """ID numbers are shown masked by default; the full number is for the edit form."""
    if not value:
        return ""
    return mask_id_number(value) if masked else value


@register.filter
def show_name(obj: Any, masked: bool = False) -> str:
    """A person's name, masked for analysts; organisations' names are not personal data."""
    name = str(getattr(obj, "name", obj) or "")
    if not masked or getattr(obj, "is_organization", False):
        return name
    return mask_name(name)


@register.simple_tag(takes_context=True)
def query_with(context: template.Context, **changes: Any) -> str:
    """The current query string with some parameters replaced (pagination links)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"
