"""The review queue as the user filters it: score range, the field that argues for the match."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import QuerySet

from guanxi.core.models import User

from .models import CandidateStatus, DedupSettings, DuplicateCandidate

# The customers table's comparisons (customers.dedup.linkage.design), in the order
# they are listed; used until a scan has stored the names of its own.
DEFAULT_FIELDS = ["姓名", "出生日期", "证件号", "电话", "电子邮箱", "信用代码", "性别", "行政区划"]


def _probability(raw: str | None) -> float | None:
    """A probability typed into the filter; anything else is ignored, not an error page."""
    try:
        value = float(raw or "")
    except ValueError:
        return None
    return value if 0.0 <= value <= 1.0 else None


@dataclass
class QueueFilter:
    low: float | None = None
    high: float | None = None
    field: str = ""

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> QueueFilter:
        field = params.get("field", "")
        return cls(
            _probability(params.get("min")),
            _probability(params.get("max")),
            field if field in reason_fields() else "",
        )

    def apply(self, pairs: QuerySet[DuplicateCandidate]) -> QuerySet[DuplicateCandidate]:
        if self.low is not None:
            pairs = pairs.filter(probability__gte=self.low)
        if self.high is not None:
            pairs = pairs.filter(probability__lte=self.high)
        if self.field:
            pairs = pairs.filter(agreed__contains=f",{self.field},")
        return pairs


def reason_fields() -> list[str]:
    """The fields a pair can be queued for: the last scan's comparisons, else the defaults."""
    return list(DedupSettings.current().model.get("comparisons") or DEFAULT_FIELDS)


def open_pairs(user: User, wanted: QueueFilter) -> QuerySet[DuplicateCandidate]:
    """Open pairs whose two customers `user` may change, filtered, most likely first."""
    pairs = DuplicateCandidate.objects.restrict(user, "change").filter(status=CandidateStatus.OPEN)
    return wanted.apply(pairs).select_related("left", "right").order_by("-probability", "id")
