"""The one write to the export settings: an admin sets the row cap."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from guanxi.core import events
from guanxi.core.choices import Role
from guanxi.core.models import User
from guanxi.customers.actions import NotFound

from .models import ExportSettings


@transaction.atomic
def update_settings(data: Mapping[str, Any], *, by: User) -> ExportSettings:
    """Apply a validated row cap (ExportSettingsForm); admins only, audited."""
    if by.role != Role.ADMIN:
        raise NotFound()
    current = ExportSettings.current() or ExportSettings.objects.create()
    config = ExportSettings.objects.select_for_update().get(pk=current.pk)
    before = {"row_cap": config.row_cap}
    config.row_cap = data.get("row_cap")
    config.save(update_fields=["row_cap"])
    changes = events.diff(before, {"row_cap": config.row_cap}, ["row_cap"])
    if changes:
        events.record(by, "export.settings_changed", config, summary=str(config), changes=changes)
    return config
