from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("engagement/_customer_tasks_slot.html")
def follow_up_tasks(customer: Any) -> dict[str, Any]:
    """The 360 section's placeholder; htmx loads the tasks in their own request.

    The 360 page pins its query count, and tasks are a section of their own, so
    they cost the page nothing and appear a moment later.
    """
    return {"customer": customer}
