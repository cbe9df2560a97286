"""Safety stock: the buffer held against uncertainty in demand over the protection interval."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq
from scipy.stats import norm

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
        return float(norm.ppf(level))

    def units(self, stats: ItemStats, cover_days: float) -> float:
        return max(0.0, self.z_value(stats) * stats.sd_daily * math.sqrt(max(cover_days, 0.0)))


@register("safety_stock", "none")
@dataclass(frozen=True, slots=True)
class NoSafetyStock:
    """No buffer: stock covers expected demand only."""

    def units(self, stats: ItemStats, cover_days: float) -> float:
        return 0.0


def normal_loss(k: float) -> float:
    """Standard normal loss function G(k) = E[(Z - k)+]: expected shortage per unit of sigma."""
    return float(norm.pdf(k) - k * norm.sf(k))


@register("safety_stock", "forecast_error")
@dataclass(frozen=True, slots=True)
class ForecastError:
    """Safety stock from the observed forecast error instead of raw demand variance.

    The error sd is the RMSE (or 1.25 x MAD) of the last ``window`` daily forecast errors at the
    location, scaled by sqrt(lead time + review period). ``basis: fill_rate`` (default) sets the
    buffer so the expected shortage per review cycle is (1 - target) x the demand of a cycle (normal
    loss function), which aims at the SLA fill rate itself; ``basis: cycle`` uses z = quantile of the
    target (a cycle service level). Until ``min_errors`` errors are seen, the planned demand sd is used.
    """

    measure: str = "rmse"
    window: int = 56
    basis: str = "fill_rate"
    service_level: float | None = None
    min_errors: int = 14

    def __post_init__(self) -> None:
        if self.measure not in ("rmse", "mad"):
            raise ValueError(f"measure must be 'rmse' or 'mad'; got {self.measure!r}")
        if self.basis not in ("fill_rate", "cycle"):
            raise ValueError(f"basis must be 'fill_rate' or 'cycle'; got {self.basis!r}")
        if self.window < 2 or self.min_errors < 1:
            raise ValueError(f"window must be >= 2 and min_errors >= 1 days; got {self.window}, {self.min_errors}")
        if self.service_level is not None and not 0.0 < self.service_level < 1.0:
            raise ValueError(f"service_level must be strictly between 0 and 1; got {self.service_level}")

    def error_sd(self, stats: ItemStats) -> float:
        """Daily forecast-error sd: RMSE or 1.25 x MAD over the window (planned sd until enough errors)."""
        errors = stats.forecast_errors[-self.window:]
        if len(errors) < self.min_errors:
            return stats.sd_daily
        e = np.asarray(errors, dtype=float)
        return float(np.sqrt(np.mean(e**2))) if self.measure == "rmse" else 1.25 * float(np.mean(np.abs(e)))

    def units(self, stats: ItemStats, cover_days: float) -> float:
        sigma = self.error_sd(stats) * math.sqrt(max(cover_days, 0.0))
        if sigma <= 0:
            return 0.0
        target = self.service_level if self.service_level is not None else stats.target_service
        if self.basis == "cycle":
            return max(0.0, float(norm.ppf(target)) * sigma)
        cycle_demand = stats.mean_daily * max(cover_days - stats.lead_time_mean, 1.0)
        wanted = (1.0 - target) * cycle_demand / sigma  # G(k) that meets the fill-rate target
        if wanted >= normal_loss(-4.0):
            return 0.0
        k = brentq(lambda x: normal_loss(x) - wanted, -4.0, 8.0) if wanted > normal_loss(8.0) else 8.0
        return max(0.0, k * sigma)
