"""Which target applies to a KPI: a team's own, else the company's.

The company-wide targets of the service KPIs are the service desk's
(`service.ServiceTarget`: resolution rate ≥ 90 %, satisfaction ≥ 80 %), read here
rather than copied, so the service KPI page and this dashboard never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from guanxi.service.models import ServiceTarget

from .choices import Direction
from .models import KpiTarget

# KPIs whose company-wide target is the service desk's.
SERVICE_TARGET_CODES = {"resolution_rate", "satisfaction", "sla_attainment"}


@dataclass(frozen=True)
class Target:
    value: float
    direction: str
    team_id: int | None = None

    @property
    def sign(self) -> str:
        return "≥" if self.direction == Direction.AT_LEAST else "≤"

    def met_by(self, value: float | None) -> bool | None:
        if value is None:
            return None
        if self.direction == Direction.AT_LEAST:
            return value >= self.value
        return value <= self.value


def targets_for(team_id: int | None = None) -> dict[str, Target]:
    """{kpi: Target} for the company, with `team_id`'s own targets on top."""
    found = {
        t.code: Target(float(t.percent), Direction.AT_LEAST)
        for t in ServiceTarget.objects.filter(code__in=SERVICE_TARGET_CODES)
    }
    rows = KpiTarget.objects.filter(team__isnull=True)
    if team_id:
        rows = KpiTarget.objects.filter(team__isnull=True) | KpiTarget.objects.filter(
            team_id=team_id
        )
    # Company rows first, the team's last, so the team's target wins.
    for row in sorted(rows, key=lambda r: r.team_id is not None):
        found[row.kpi] = Target(float(Decimal(row.value)), row.direction, row.team_id)
    return found
