"""The crisis section of the customer 360: one query, scoped by the viewer; empty renders nothing."""

from __future__ import annotations

from typing import Any

from django import template

from ..queries import customer_crises

register = template.Library()


@register.inclusion_tag("crisis/_customer_crises.html", takes_context=True)
def customer_crises_section(context: dict[str, Any], customer: Any) -> dict[str, Any]:
    return {"rows": customer_crises(context["request"].user, customer)}
