"""Demand models a planner configures: weekly and yearly seasonality, trend, promotions, launches.

Each model is a ``DemandModifier`` (see ``simulator/demand.py``): a multiplier on the demand rate
of the order lines it applies to, chosen by SKU patterns, families, segments and channels. Models
multiply, so a weekly profile, a yearly season and a promotion can act on the same SKU. Written in
config as a list under ``demand.models``::

    demand:
      models:
        - {type: weekly, profile: [1.2, 1, 1, 1, 1.3, 0.9, 0.6], channels: [retail]}
        - {type: yearly, amplitude: 0.3, peak_day: 100, families: [cleaners]}
        - {type: trend, per_year: 0.05}
        - {type: promotion, start: 120, end: 134, uplift: 2.0, skus: ["CLN-0[1-3]"]}
        - {type: launch, sku: PRC-12, analog: PRC-04, scale: 0.6, start: 60, ramp_days: 30}

Day 0 of the run is day 0 of the weekly profile and day 0 of the year.
"""

from __future__ import annotations

import fnmatch
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

YEAR_DAYS = 365.0


@dataclass(frozen=True)
class Scope:
    """Which order lines a model applies to; an empty criterion matches everything."""

    skus: tuple[str, ...] = ()      # glob patterns
    families: frozenset[str] = frozenset()
    segments: frozenset[str] = frozenset()
    channels: frozenset[str] = frozenset()
    family_of: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)
    _cache: dict[tuple[str, str, str], bool] = field(default_factory=dict, compare=False, repr=False)

    def matches(self, sku: str, channel: str, segment: str) -> bool:
        key = (sku, channel, segment)
        hit = self._cache.get(key)
        if hit is None:
            hit = ((not self.skus or any(fnmatch.fnmatchcase(sku, p) for p in self.skus))
                   and (not self.families or self.family_of.get(sku) in self.families)
                   and (not self.segments or segment in self.segments)
                   and (not self.channels or channel in self.channels))
            self._cache[key] = hit
        return hit


class _Scoped:
    """A model whose ``value(t)`` applies to the order lines its ``scope`` matches (1 elsewhere)."""

    scope: Scope

    def value(self, t: float) -> float:
        raise NotImplementedError

    def factor(self, t: float, sku: str, channel: str, segment: str) -> float:
        return self.value(t) if self.scope.matches(sku, channel, segment) else 1.0


@dataclass(frozen=True)
class WeeklyProfile(_Scoped):
    """Day-of-week pattern: ``profile[d % 7]`` relative to the week's mean (volume per week unchanged)."""

    profile: tuple[float, ...]
    scope: Scope = Scope()

    def value(self, t: float) -> float:
        return self.profile[int(t) % 7] * 7.0 / sum(self.profile)

    def max_factor(self) -> float:
        return max(self.profile) * 7.0 / sum(self.profile)


@dataclass(frozen=True)
class YearlySeason(_Scoped):
    """Yearly season: 1 + amplitude * cos(2 pi (t - peak_day) / 365); volume per year unchanged."""

    amplitude: float
    peak_day: float
    scope: Scope = Scope()

    def value(self, t: float) -> float:
        return 1.0 + self.amplitude * math.cos(2.0 * math.pi * (t - self.peak_day) / YEAR_DAYS)

    def max_factor(self) -> float:
        return 1.0 + self.amplitude


@dataclass(frozen=True)
class Trend(_Scoped):
    """Linear growth (or decline) of the rate: 1 + per_year * t / 365, never below 0."""

    per_year: float
    horizon: float
    scope: Scope = Scope()

    def value(self, t: float) -> float:
        return max(0.0, 1.0 + self.per_year * t / YEAR_DAYS)

    def max_factor(self) -> float:
        return max(1.0, 1.0 + self.per_year * self.horizon / YEAR_DAYS)


@dataclass(frozen=True)
class Promotion(_Scoped):
    """An uplift window: the rate is multiplied by ``uplift`` from day ``start`` to day ``end``."""

    start: float
    end: float
    uplift: float
    scope: Scope = Scope()

    def value(self, t: float) -> float:
        return self.uplift if self.start <= t < self.end else 1.0

    def max_factor(self) -> float:
        return max(1.0, self.uplift)


@dataclass(frozen=True)
class Launch:
    """New-product introduction by analog: before ``start`` the new SKU does not sell; after a linear
    ramp of ``ramp_days`` it sells at ``scale`` times the base rate of its analog (an existing SKU).

    ``ratio`` is scale x (analog's share / new SKU's share of the order streams' SKU mix), so the
    factor turns the new SKU's own base rate into the analog's, scaled. Models scoped to the analog's
    family (its seasons, promotions) act on the new SKU as well when it is in the same family.
    """

    sku: str
    ratio: float
    start: float
    ramp_days: float

    def factor(self, t: float, sku: str, channel: str, segment: str) -> float:
        if sku != self.sku:
            return 1.0
        if t < self.start:
            return 0.0
        if self.ramp_days > 0 and t < self.start + self.ramp_days:
            return self.ratio * (t - self.start) / self.ramp_days
        return self.ratio

    def max_factor(self) -> float:
        return max(1.0, self.ratio)
