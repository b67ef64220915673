"""Writing events: every action calls `record()` once, inside its transaction."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models

from .models import Event, User
from .validators import mask_id_number, mask_phone

# Field names whose values never enter an event in clear.
SENSITIVE_MASKS = {
    "phone": mask_phone,
    "id_number": mask_id_number,
}


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if value is None or isinstance(value, (int, float, bool, str)):
        return value
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    return str(value)


# A run of digits long enough to be a phone or ID number (an ID may end in X).
_NUMBER_RUN = re.compile(r"\+?\d[\d \-]{5,}\d[Xx]?")


def masked_text(text: str) -> str:
    """Free text an event keeps (a search typed into a list) with phone and ID numbers in
    it masked: people search by exactly what must not enter the log in clear."""

    def mask(found: re.Match[str]) -> str:
        value = found.group()
        if len(value) == 18 and value[:17].isdigit():
            return mask_id_number(value)
        return mask_phone(value)

    return _NUMBER_RUN.sub(mask, text)


def masked(field: str, value: Any) -> Any:
    mask = SENSITIVE_MASKS.get(field)
    if mask is not None and value:
        return mask(str(value))
    return _plain(value)


def diff(
    before: Mapping[str, Any], after: Mapping[str, Any], fields: Iterable[str]
) -> dict[str, list[Any]]:
    """{field: [old, new]} for fields that changed, sensitive values masked."""
    changes: dict[str, list[Any]] = {}
    for field in fields:
        old, new = before.get(field), after.get(field)
        if old != new:
            changes[field] = [masked(field, old), masked(field, new)]
    return changes


def record(
    actor: User | None,
    verb: str,
    obj: models.Model | None = None,
    *,
    customer_id: int | None = None,
    summary: str = "",
    changes: Mapping[str, Any] | None = None,
) -> Event:
    return Event.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        verb=verb,
        object_type=obj._meta.model_name if obj is not None else "",
        object_id=obj.pk if obj is not None else None,
        customer_id=customer_id,
        summary=summary[:255],
        changes=dict(changes or {}),
    )
