"""Safety stock: the buffer held against uncertainty in demand over the protection interval.

The protection interval (``cover_days``) is the replenishment lead time plus the review period.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from statistics import NormalDist, fmean, stdev
from typing import ClassVar

import numpy as np

from policies.base import ItemStats
from policies.registry import register


class PlannedOnce:
    """A safety stock planned once before the run: it re-plans nothing and reads no history."""

    __slots__ = ()
    replan_every_days: ClassVar[float | None] = None
    history_days: ClassVar[int] = 0
    errors_kept: ClassVar[int] = 0

    def restate(self, stats: ItemStats, daily: Sequence[float]) -> ItemStats:
        return stats


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
class ZSigma(PlannedOnce):
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
class CriticalRatio(PlannedOnce):
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
class DaysOfSupply(PlannedOnce):
    """A fixed number of days of average demand as buffer: SS = days * mean daily demand."""

    days: float = 7.0

    def __post_init__(self) -> None:
        if self.days < 0:
            raise ValueError(f"days must be >= 0; got {self.days}")

    def units(self, stats: ItemStats, cover_days: float) -> float:
        return self.days * stats.mean_daily


@register("safety_stock", "none")
@dataclass(frozen=True, slots=True)
class NoSafetyStock(PlannedOnce):
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

    @property
    def replan_every_days(self) -> float:
        return self.every_days

    @property
    def history_days(self) -> int:
        return self.window_days

    @property
    def errors_kept(self) -> int:
        return 0

    def restate(self, stats: ItemStats, daily: Sequence[float]) -> ItemStats:
        """The planning figures with mean and sd of daily demand taken from ``daily`` (one total per day)."""
        return replace(stats, mean_daily=fmean(daily), sd_daily=stdev(daily))

    def units(self, stats: ItemStats, cover_days: float) -> float:
        return ZSigma(self.z, self.service_level, self.lead_time_variability).units(stats, cover_days)


MAX_WINDOW = 730  # days of forecast errors a location keeps for its safety stock
K_MAX = 4.0  # largest safety factor the fill-rate basis will use (a 99.997% cycle service level)


def normal_loss(k: float) -> float:
    """Standard normal loss function G(k) = E[(Z - k)+]: expected shortage per unit of sigma."""
    # math rather than scipy.stats: this runs inside a root search at every daily re-plan.
    return math.exp(-0.5 * k * k) / math.sqrt(2.0 * math.pi) - k * 0.5 * math.erfc(k / math.sqrt(2.0))


@register("safety_stock", "forecast_error")
@dataclass(frozen=True, slots=True)
class ForecastError:
    """Safety stock from the observed forecast error instead of raw demand variance.

    The lead time's own variability adds mean demand x its sd (in quadrature).
    ``over: cover`` (default) measures the error where it matters: the RMSE (or 1.25 x MAD) of the
    forecast error summed over every run of (lead time + review period) days within the last
    ``window`` days, so lumpy or autocorrelated errors count in full; ``over: day`` takes the daily
    error and scales it by sqrt(lead time + review period), which assumes independent days.
    ``basis: fill_rate`` (default) sets the buffer so the expected shortage per review cycle is
    (1 - target) x the demand of a cycle (normal loss function), aiming at the SLA fill rate itself;
    ``basis: cycle`` uses z = quantile of the target (a cycle service level). Until ``min_errors``
    errors are seen, the planned sd of demand stands in.
    """

    measure: str = "rmse"
    window: int = 56
    over: str = "cover"
    basis: str = "fill_rate"
    service_level: float | None = None
    min_errors: int = 14

    def __post_init__(self) -> None:
        if self.measure not in ("rmse", "mad"):
            raise ValueError(f"measure must be 'rmse' or 'mad'; got {self.measure!r}")
        if self.over not in ("cover", "day"):
            raise ValueError(f"over must be 'cover' or 'day'; got {self.over!r}")
        if self.basis not in ("fill_rate", "cycle"):
            raise ValueError(f"basis must be 'fill_rate' or 'cycle'; got {self.basis!r}")
        if not 2 <= self.window <= MAX_WINDOW or self.min_errors < 1:
            raise ValueError(f"window must be 2 to {MAX_WINDOW} days and min_errors >= 1; got {self.window}, "
                             f"{self.min_errors}")
        _check_level(self.service_level)

    replan_every_days: ClassVar[float | None] = None  # re-planned with the forecast, not on a cycle of its own
    history_days: ClassVar[int] = 0

    @property
    def errors_kept(self) -> int:
        return self.window

    def restate(self, stats: ItemStats, daily: Sequence[float]) -> ItemStats:
        return stats

    def _spread(self, e: np.ndarray) -> float:
        return float(np.sqrt(np.mean(e**2))) if self.measure == "rmse" else 1.25 * float(np.mean(np.abs(e)))

    def error_sd(self, stats: ItemStats, cover_days: float) -> float:
        """Sd of the forecast error over ``cover_days`` (planned sd of demand until enough errors)."""
        errors = np.asarray(stats.forecast_errors[-self.window:], dtype=float)
        days = max(cover_days, 0.0)
        if len(errors) < self.min_errors:
            return stats.sd_daily * math.sqrt(days)
        n = max(1, int(round(days)))
        if self.over == "day" or len(errors) - n + 1 < self.min_errors // 2 + 1:
            return self._spread(errors) * math.sqrt(days)
        sums = np.convolve(errors, np.ones(n), mode="valid")  # error summed over each run of n days
        return self._spread(sums) * math.sqrt(days / n)

    def units(self, stats: ItemStats, cover_days: float) -> float:
        # Forecast error over the cover, plus demand during the lead time's own variability.
        sigma = math.hypot(self.error_sd(stats, cover_days), stats.mean_daily * stats.lead_time_sd)
        if sigma <= 0:
            return 0.0
        target = self.service_level if self.service_level is not None else stats.target_service
        if self.basis == "cycle":
            return max(0.0, NormalDist().inv_cdf(target) * sigma)
        cycle_demand = stats.mean_daily * max(cover_days - stats.lead_time_mean, 1.0)
        wanted = (1.0 - target) * cycle_demand / sigma  # G(k) that meets the fill-rate target
        if wanted >= normal_loss(0.0):
            return 0.0
        # k is capped at K_MAX: with (almost) no demand forecast the formula would ask for any k at all.
        return _loss_inverse(wanted) * sigma


def _loss_inverse(wanted: float) -> float:
    """The k in [0, K_MAX] with G(k) = wanted (G falls as k grows), by bisection to 1e-9."""
    if wanted <= normal_loss(K_MAX):
        return K_MAX
    lo, hi = 0.0, K_MAX
    while hi - lo > 1e-9:
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if normal_loss(mid) > wanted else (lo, mid)
    return 0.5 * (lo + hi)
