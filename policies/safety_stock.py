"""Safety stock: the buffer held against uncertainty in demand over the protection interval."""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

from policies.base import ItemStats
from policies.registry import register


@register("safety_stock", "z_sigma")
@dataclass(frozen=True, slots=True)
class ZSigma:
    """z * sigma of demand over the protection interval: SS = z * sd_daily * sqrt(L + R).

    ``z`` defaults to the normal quantile of ``service_level``, which defaults to the segment's
    target fill rate (a cycle-service reading of the target, so on the safe side).
    """

    z: float | None = None
    service_level: float | None = None

    def __post_init__(self) -> None:
        if self.service_level is not None and not 0.0 < self.service_level < 1.0:
            raise ValueError(f"service_level must be strictly between 0 and 1; got {self.service_level}")

    def z_value(self, stats: ItemStats) -> float:
        if self.z is not None:
            return self.z
        level = self.service_level if self.service_level is not None else stats.target_service
        return NormalDist().inv_cdf(level)

    def units(self, stats: ItemStats, cover_days: float) -> float:
        return max(0.0, self.z_value(stats) * stats.sd_daily * math.sqrt(max(cover_days, 0.0)))


@register("safety_stock", "none")
@dataclass(frozen=True, slots=True)
class NoSafetyStock:
    """No buffer: stock covers expected demand only."""

    def units(self, stats: ItemStats, cover_days: float) -> float:
        return 0.0
