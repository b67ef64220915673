"""Reads of the evaluation app: the dashboard and the evaluation report, both through restrict().

`kpi_base` starts every computation from `Customer.objects.restrict(user, "view")`,
so a rep's dashboard and report cover their own customers, a manager's the
team's, a regional manager's the region's, an admin's everything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from guanxi.core.models import Region, Team, User
from guanxi.customers.models import Industry

from .base import KpiBase, KpiFilter, kpi_base
from .distributions import DIMENSIONS, Slice, clv_histogram, distribution
from .kpis import KPIS, Kpi, Measure, compute, lorenz_curve
from .periods import Period
from .targets import Target, targets_for


@dataclass
class KpiLine:
    """One KPI in one period against the previous one, with its target."""

    kpi: Kpi
    current: Measure | None
    previous: Measure | None
    target: Target | None

    @property
    def value(self) -> float | None:
        return self.current.value if self.current else None

    @property
    def previous_value(self) -> float | None:
        return self.previous.value if self.previous else None

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous_value is None:
            return None
        return round(self.value - self.previous_value, 2)

    @property
    def change_pct(self) -> float | None:
        if self.change is None or not self.previous_value:
            return None
        return round(100 * self.change / abs(self.previous_value), 1)

    @property
    def met(self) -> bool | None:
        return self.target.met_by(self.value) if self.target else None


def _lines(
    current: dict[str, dict[Any, Measure]],
    previous: dict[str, dict[Any, Measure]],
    group: Any,
    targets: dict[str, Target],
) -> list[KpiLine]:
    return [
        KpiLine(
            KPIS[key],
            current[key].get(group),
            previous.get(key, {}).get(group),
            targets.get(key),
        )
        for key in KPIS
    ]


@dataclass
class Dashboard:
    filters: KpiFilter
    previous: Period
    lines: list[KpiLine]
    distributions: dict[str, list[Slice]]
    clv: list[Slice]
    lorenz: list[tuple[float, float]]
    dimension_names: dict[str, str] = field(default_factory=dict)


def dashboard(user: User, filters: KpiFilter) -> Dashboard:
    base = kpi_base(user, filters)
    previous = filters.period.previous()
    current_values = compute(base)
    previous_values = compute(base.for_period(previous))
    return Dashboard(
        filters=filters,
        previous=previous,
        lines=_lines(current_values, previous_values, None, targets_for(filters.team_id)),
        distributions={d: distribution(base, d) for d in DIMENSIONS},
        clv=clv_histogram(base),
        lorenz=lorenz_curve(base),
        dimension_names={d: str(name) for d, name in DIMENSIONS.items()},
    )


def dashboard_data(board: Dashboard) -> dict[str, Any]:
    """The dashboard as JSON (charts on the page and GET /api/v1/kpis)."""
    period, previous = board.filters.period, board.previous
    return {
        "period": {"label": period.label, "start": period.start, "end": period.last_day},
        "previous_period": {
            "label": previous.label,
            "start": previous.start,
            "end": previous.last_day,
        },
        "kpis": [
            {
                "key": line.kpi.key,
                "name": str(line.kpi.name),
                "unit": str(line.kpi.unit),
                "available": line.kpi.available,
                "value": line.value,
                "numerator": line.current.numerator if line.current else None,
                "denominator": line.current.denominator if line.current else None,
                "previous": line.previous_value,
                "change": line.change,
                "change_pct": line.change_pct,
                "target": line.target.value if line.target else None,
                "target_direction": line.target.direction if line.target else None,
                "met": line.met,
                "explanation": str(line.kpi.explanation),
            }
            for line in board.lines
        ],
        "distributions": {
            dimension: [
                {"key": s.key, "label": s.label, "count": s.count, "drill": s.drill} for s in slices
            ]
            for dimension, slices in board.distributions.items()
        },
        "clv_histogram": [{"label": s.label, "count": s.count} for s in board.clv],
        "lorenz": [{"customers_pct": x, "revenue_pct": y} for x, y in board.lorenz],
    }


def filter_choices(user: User) -> dict[str, QuerySet[Any]]:
    """Options of the filter selects. Teams and regions are reference data, not customer data."""
    return {
        "teams": Team.objects.all(),
        "regions": Region.objects.all(),
        "industries": Industry.objects.all(),
    }


# --- evaluation report -------------------------------------------------------------------


@dataclass
class GroupLines:
    """The KPIs of one team or one person (account owner)."""

    key: Any
    name: str
    lines: list[KpiLine]


@dataclass
class Report:
    period: Period
    previous: Period
    overall: list[KpiLine]
    by_team: list[GroupLines]
    by_person: list[GroupLines]

    @property
    def label(self) -> str:
        return self.period.label


def _names(model: Any, keys: set[Any], attr: str) -> dict[Any, str]:
    rows = model.objects.filter(pk__in=[k for k in keys if k is not None])
    names = {row.pk: str(getattr(row, attr, "") or row) for row in rows}
    names[None] = _("未分配")
    return names


def _groups(
    base: KpiBase, previous_base: KpiBase, by: str, model: Any, attr: str
) -> list[GroupLines]:
    current = compute(base, by=by)
    previous = compute(previous_base, by=by)
    keys = {k for breakdown in current.values() for k in breakdown}
    names = _names(model, keys, attr)
    groups = []
    for key in sorted(keys, key=lambda k: (k is None, names.get(k, ""))):
        targets = targets_for(key if by == "team_id" else None)
        groups.append(
            GroupLines(key, names.get(key, str(key)), _lines(current, previous, key, targets))
        )
    return groups


def evaluation_report(user: User, period: Period) -> Report:
    """Every KPI for the period and the previous one, overall, by team and by account owner."""
    base = kpi_base(user, KpiFilter(period))
    previous_period = period.previous()
    previous_base = base.for_period(previous_period)
    overall = _lines(compute(base), compute(previous_base), None, targets_for())
    return Report(
        period=period,
        previous=previous_period,
        overall=overall,
        by_team=_groups(base, previous_base, "team_id", Team, "name"),
        by_person=_groups(base, previous_base, "owner_id", User, "display_name"),
    )
