"""KPI targets: the lines drawn on the dashboard charts and the 达标 column of reports.

Targets are data an admin edits (house rule 8), seeded with the manuals' numbers.
The service desk's company-wide targets (satisfaction ≥ 80 %, resolution rate
≥ 90 %, SLA attainment) already live in `service.ServiceTarget` and are read from
there, never copied; a row here may still set a *team's* own target for them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import Direction


class KpiTarget(models.Model):
    """A target for one KPI, company-wide (no team) or for one team.

    The team's row wins over the company-wide one (`targets.target_for`).
    """

    kpi = models.CharField(_("指标"), max_length=32)
    team = models.ForeignKey(
        "core.Team",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("团队"),
    )
    value = models.DecimalField(_("目标值"), max_digits=12, decimal_places=2)
    direction = models.CharField(
        _("方向"), max_length=3, choices=Direction.choices, default=Direction.AT_LEAST
    )
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["kpi", "team_id"]
        verbose_name = _("指标目标")
        verbose_name_plural = _("指标目标")
        constraints = [
            # NULLs are distinct in unique constraints, so the company-wide row
            # needs its own partial constraint.
            models.UniqueConstraint(fields=["kpi", "team"], name="kpitarget_team_unique"),
            models.UniqueConstraint(
                fields=["kpi"], condition=models.Q(team__isnull=True), name="kpitarget_company"
            ),
        ]

    def __str__(self) -> str:
        sign = "≥" if self.direction == Direction.AT_LEAST else "≤"
        return f"{self.kpi} {sign} {self.value}"
