"""The one write to the duplicate-detection settings: an admin changes thresholds."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from guanxi.core import events
from guanxi.core.choices import Role
from guanxi.core.models import User
from guanxi.customers.actions import NotFound

EDITABLE = ["warn_threshold", "review_threshold", "auto_merge_threshold", "max_block"]


@transaction.atomic
def update_settings(data: Mapping[str, Any], *, by: User) -> Any:
    """Apply validated values (DedupSettingsForm) to the settings row; admins only.

    The scan reads the review and auto-merge thresholds and `max_block`; the create
    form, the API and imports read the warning threshold on every check.
    """
    from guanxi.dedup.models import DedupSettings

    if by.role != Role.ADMIN:
        raise NotFound()
    config = DedupSettings.objects.select_for_update().get(pk=DedupSettings.current().pk)
    before = {f: getattr(config, f) for f in EDITABLE}
    for name in EDITABLE:
        if name in data:
            setattr(config, name, data[name])
    config.save(update_fields=EDITABLE)
    changes = events.diff(before, {f: getattr(config, f) for f in EDITABLE}, EDITABLE)
    if changes:
        events.record(by, "dedup.settings_changed", config, summary=str(config), changes=changes)
    return config
