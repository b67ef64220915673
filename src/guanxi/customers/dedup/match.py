"""What the duplicate check returns (kept free of Django imports so the engine runs alone)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from guanxi.customers.models import Customer


@dataclass
class Reason:
    """One field's verdict: how it compared and the weight of evidence (log2 m/u) it added."""

    field: str
    label: str
    weight: float


@dataclass
class Match:
    customer: Customer
    probability: float
    reasons: list[Reason] = field(default_factory=list)
