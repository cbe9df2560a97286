"""Raw-material allocation under shortage: who a supplier serves first when it cannot serve all."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from policies.base import SupplyClaim
from policies.registry import register


@register("supply_allocation", "fcfs")
@dataclass(frozen=True, slots=True)
class SupplyFirstComeFirstServed:
    """First come, first served: the oldest waiting order is filled first, whoever placed it."""

    def rank(self, claims: Sequence[SupplyClaim]) -> list[int]:
        return sorted(range(len(claims)), key=lambda i: claims[i].since)


@register("supply_allocation", "criticality")
@dataclass(frozen=True, slots=True)
class Criticality:
    """Allocate scarce material by a segment-criticality matrix: each plant's order scores the
    criticality of the segments it makes the material for (``matrix[segment][material]``, weighted by
    each segment's share of that plant's use of the material); the highest score is filled first,
    the oldest first among equals. A segment or material missing from the matrix scores ``default``.
    """

    matrix: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    default: float = 1.0

    def __post_init__(self) -> None:
        for seg, row in self.matrix.items():
            if not isinstance(row, Mapping):
                raise ValueError(f"matrix.{seg} must map materials to criticality weights; got {row!r}")
            for material, w in row.items():
                if isinstance(w, bool) or not isinstance(w, (int, float)) or not math.isfinite(w) or w < 0:
                    raise ValueError(f"matrix.{seg}.{material} must be a number >= 0; got {w!r}")

    def score(self, claim: SupplyClaim) -> float:
        return sum(share * self.matrix.get(seg, {}).get(claim.material, self.default)
                   for seg, share in claim.segment_shares.items())

    def rank(self, claims: Sequence[SupplyClaim]) -> list[int]:
        return sorted(range(len(claims)), key=lambda i: (-self.score(claims[i]), claims[i].since))
