"""The export row cap an admin sets in the app (one row, created on the first save)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportSettings(models.Model):
    # Empty means the deployment's GUANXI_EXPORT_ROW_CAP: the environment sets the
    # default, an admin may tighten or widen it without a restart.
    row_cap = models.PositiveIntegerField(_("每次导出的最大行数"), null=True, blank=True)

    class Meta:
        verbose_name = _("导出设置")
        verbose_name_plural = _("导出设置")

    def __str__(self) -> str:
        return f"row cap {self.row_cap}" if self.row_cap else "row cap from the environment"

    @classmethod
    def current(cls) -> ExportSettings | None:
        """The settings row, or None before an admin first saves (reads never write)."""
        return cls.objects.order_by("id").first()
