from __future__ import annotations

from typing import Any

from django import template

from guanxi.analytics.queries import CustomerValue, customer_value

register = template.Library()


@register.simple_tag(takes_context=True)
def value_of(context: dict[str, Any], customer: Any) -> CustomerValue:
    """The customer's scores and class history for the 360 page (one query)."""
    return customer_value(context["request"].user, customer)
