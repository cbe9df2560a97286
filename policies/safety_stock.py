"""Safety stock: the buffer held against uncertainty in demand over the protection interval.

The protection interval (``cover_days``) is the replenishment lead time plus the review period.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from statistics import NormalDist, fmean, stdev

from policies.base import ItemStats
from policies.registry import register


def _check_level(service_level: float | None) -> None:
    if service_level is not None and not 0.0 < service_level < 1.0:
        raise ValueError(f"service_level must be strictly between 0 and 1; got {service_level}")


def _z(z: float | None, service_level: float | None, stats: ItemStats) -> float:
    """The safety factor: ``z`` if given, else the normal quantile of the service level
    (default: the segment's target fill rate)."""
    if z is not None:
        return z
    return NormalDist().inv_cdf(service_level if service_level is not None else stats.target_service)


def demand_sd_over(stats: ItemStats, cover_days: float, lead_time_variability: bool = False) -> float:
    """Standard deviation of demand over ``cover_days``: sd_d * sqrt(C), or, with lead-time
    variability, sqrt(C * sd_d^2 + d^2 * sd_L^2) (demand and lead time independent)."""
    var = max(cover_days, 0.0) * stats.sd_daily**2
    if lead_time_variability:
        var += stats.mean_daily**2 * stats.lead_time_sd**2
    return math.sqrt(var)


@register("safety_stock", "z_sigma")
@dataclass(frozen=True, slots=True)
class ZSigma:
    """z * sigma of demand over the protection interval: SS = z * sd_daily * sqrt(L + R).

    ``z`` defaults to the normal quantile of ``service_level``, which defaults to the segment's
    target fill rate (a cycle-service reading of the target, so on the safe side). With
    ``lead_time_variability`` the spread of the lead time is added:
    sigma^2 = (L + R) * sd_d^2 + d^2 * sd_L^2.
    """

    z: float | None = None
    service_level: float | None = None
    lead_time_variability: bool = False

    def __post_init__(self) -> None:
        _check_level(self.service_level)

    def z_value(self, stats: ItemStats) -> float:
        return _z(self.z, self.service_level, stats)

    def units(self, stats: ItemStats, cover_days: float) -> float:
        sd = demand_sd_over(stats, cover_days, self.lead_time_variability)
        return max(0.0, self.z_value(stats) * sd)


@register("safety_stock", "critical_ratio")
@dataclass(frozen=True, slots=True)
class CriticalRatio:
    """z from the cost of a stockout rather than a uniform target: the cycle service level is the
    newsvendor critical ratio b / (b + h), SS = z * sigma of demand over the protection interval.

    ``shortage_cost`` b: cost of a unit short (default: its margin, price - unit cost);
    ``excess_cost`` h: cost of a unit left over for a cycle (default: its holding cost over the
    protection interval, unit cost * annual holding rate * cover days / 365).
    """

    shortage_cost: float | None = None
    excess_cost: float | None = None
    lead_time_variability: bool = False

    def __post_init__(self) -> None:
        for name in ("shortage_cost", "excess_cost"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise ValueError(f"{name} must be > 0; got {value}")

    def service_level(self, stats: ItemStats, cover_days: float) -> float:
        b = self.shortage_cost if self.shortage_cost is not None else stats.price - stats.unit_cost
        h = self.excess_cost if self.excess_cost is not None else \
            stats.unit_cost * stats.holding_rate * max(cover_days, 0.0) / 365.0
        if b <= 0:
            return 0.0
        return b / (b + h) if h > 0 else 1.0

    def units(self, stats: ItemStats, cover_days: float) -> float:
        level = self.service_level(stats, cover_days)
        if level <= 0.5:
            return 0.0
        if level >= 1.0:
            raise ValueError("critical ratio is 1 (no cost of excess stock): give excess_cost > 0")
        sd = demand_sd_over(stats, cover_days, self.lead_time_variability)
        return NormalDist().inv_cdf(level) * sd


@register("safety_stock", "days_of_supply")
@dataclass(frozen=True, slots=True)
class DaysOfSupply:
    """A fixed number of days of average demand as buffer: SS = days * mean daily demand."""

    days: float = 7.0

    def __post_init__(self) -> None:
        if self.days < 0:
            raise ValueError(f"days must be >= 0; got {self.days}")

    def units(self, stats: ItemStats, cover_days: float) -> float:
        return self.days * stats.mean_daily


@register("safety_stock", "none")
@dataclass(frozen=True, slots=True)
class NoSafetyStock:
    """No buffer: stock covers expected demand only."""

    def units(self, stats: ItemStats, cover_days: float) -> float:
        return 0.0


@register("safety_stock", "dynamic")
@dataclass(frozen=True, slots=True)
class DynamicZSigma:
    """z * sigma re-computed during the run: every ``every_days`` the mean and spread of daily
    demand are re-estimated from the last ``window_days`` of demand actually seen at the DC, and
    the safety stock and reorder levels are re-planned from them (so seasonality and promotions
    move the buffer). Until a full window has been seen, the plan from the forecast holds.
    """

    every_days: float = 7.0
    window_days: int = 28
    z: float | None = None
    service_level: float | None = None
    lead_time_variability: bool = False

    def __post_init__(self) -> None:
        _check_level(self.service_level)
        if self.every_days <= 0:
            raise ValueError(f"every_days must be > 0; got {self.every_days}")
        if self.window_days < 2:
            raise ValueError(f"window_days must be a whole number >= 2; got {self.window_days}")

    def restate(self, stats: ItemStats, daily: Sequence[float]) -> ItemStats:
        """The planning figures with mean and sd of daily demand taken from ``daily`` (one total per day)."""
        return replace(stats, mean_daily=fmean(daily), sd_daily=stdev(daily))

    def units(self, stats: ItemStats, cover_days: float) -> float:
        return ZSigma(self.z, self.service_level, self.lead_time_variability).units(stats, cover_days)
