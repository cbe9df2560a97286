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
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from simulator.engine.config_reader import Node
from simulator.engine.distributions import Dist, parse_dist
from simulator.engine.errors import ConfigError

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


MODEL_TYPES = ("weekly", "yearly", "trend", "promotion", "launch")
_SCOPE_KEYS = ("skus", "families", "segments", "channels")


def _scope(n: Node, spec_parts: Mapping[str, Any]) -> Scope:
    skus, families, segments, channels = (spec_parts[k] for k in ("skus", "families", "segments", "channels"))
    pats = n.names("skus", ())
    for p in pats:
        if not any(fnmatch.fnmatchcase(s, p) for s in skus):
            raise ConfigError(n.key("skus"), p, "matches no SKU; SKU names look like " + next(iter(skus)))
    return Scope(pats, frozenset(n.names("families", (), choices=families)),
                 frozenset(n.names("segments", (), choices=segments)),
                 frozenset(n.names("channels", (), choices=channels)),
                 {name: s.family for name, s in skus.items()})


def _weekly(n: Node, parts: Mapping[str, Any]) -> WeeklyProfile:
    raw = n.raw("profile")
    if (not isinstance(raw, (list, tuple)) or len(raw) != 7
            or not all(isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) and x >= 0
                       for x in raw) or sum(raw) <= 0):
        raise ConfigError(n.key("profile"), raw, "expected 7 numbers >= 0 (day 0 of the run first), not all 0")
    return WeeklyProfile(tuple(float(x) for x in raw), _scope(n, parts))


def _yearly(n: Node, parts: Mapping[str, Any]) -> YearlySeason:
    amp = n.number("amplitude", min=0.0)
    if amp >= 1.0:
        raise ConfigError(n.key("amplitude"), amp, "must be < 1 (the rate would reach zero or below)")
    return YearlySeason(amp, n.number("peak_day", 0.0), _scope(n, parts))


def _trend(n: Node, parts: Mapping[str, Any]) -> Trend:
    return Trend(n.number("per_year", min=-1.0), parts["horizon"], _scope(n, parts))


def _promotion(n: Node, parts: Mapping[str, Any]) -> Promotion:
    start, end = n.number("start", min=0.0), n.number("end", min=0.0)
    if end <= start:
        raise ConfigError(n.key("end"), end, f"must be after start ({start:g})")
    return Promotion(start, end, n.number("uplift", min=0.0), _scope(n, parts))


def _launch(n: Node, parts: Mapping[str, Any]) -> Launch:
    skus = parts["skus"]
    new = n.string("sku", choices=skus)
    analog = n.string("analog", choices=skus)
    if analog == new:
        raise ConfigError(n.key("analog"), analog, "the analog must be another, existing SKU")
    ratio = n.number("scale", 1.0, min=0.0) * skus[analog].weight / skus[new].weight
    return Launch(new, ratio, n.number("start", 0.0, min=0.0), n.number("ramp_days", 0.0, min=0.0))


_BUILDERS: dict[str, tuple[Callable[[Node, Mapping[str, Any]], Any], tuple[str, ...]]] = {
    "weekly": (_weekly, ("profile", *_SCOPE_KEYS)),
    "yearly": (_yearly, ("amplitude", "peak_day", *_SCOPE_KEYS)),
    "trend": (_trend, ("per_year", *_SCOPE_KEYS)),
    "promotion": (_promotion, ("start", "end", "uplift", *_SCOPE_KEYS)),
    "launch": (_launch, ("sku", "analog", "scale", "start", "ramp_days")),
}


def parse_demand_models(raw: Any, key: str, *, skus: Mapping[str, Any], families: Mapping[str, Any],
                        segments: Mapping[str, Any], channels: Mapping[str, Any], horizon: float) -> tuple[Any, ...]:
    """Read the ``demand.models`` list into modifier objects; errors name the list item's key."""
    if raw is None:
        return ()
    if not isinstance(raw, (list, tuple)):
        raise ConfigError(key, raw, "expected a list of demand models {type: " + "|".join(MODEL_TYPES) + ", ...}")
    parts = {"skus": skus, "families": families, "segments": segments, "channels": channels, "horizon": horizon}
    out = []
    for i, item in enumerate(raw):
        n = Node(item, f"{key}[{i}]")
        kind = n.string("type", choices=MODEL_TYPES)
        build, allowed = _BUILDERS[kind]
        n = Node(item, f"{key}[{i}]", ("type", *allowed))
        out.append(build(n, parts))
    return tuple(out)


def parse_intermittent(raw: Any, key: str, customers: Mapping[str, Any], skus: Mapping[str, Any],
                       lanes: tuple[Any, ...]) -> tuple[dict[str, Any], tuple[Any, ...]]:
    """Read ``demand.intermittent``: sporadic, lumpy demand as compound Poisson order streams.

    Each item ``{customer, skus, mean_interval_days, size}`` adds, for every matching SKU, an order
    stream of the named customer (same channel and DCs) whose one-line orders arrive as a Poisson
    process every ``mean_interval_days`` on average (the ADI) with ``size`` units each: compound
    Poisson demand, on top of what the customer's regular orders already bring. The new streams
    reach the customer by its lanes. Returns the new streams and the lanes to them.
    """
    if raw is None:
        return {}, ()
    if not isinstance(raw, (list, tuple)):
        raise ConfigError(key, raw, "expected a list of {customer, skus, mean_interval_days, size}")
    out: dict[str, Any] = {}
    new_lanes: list[Any] = []
    for i, item in enumerate(raw):
        n = Node(item, f"{key}[{i}]", ("customer", "skus", "mean_interval_days", "size"))
        base = customers[n.string("customer", choices=customers)]
        pats = n.names("skus")
        chosen = [s for s in skus if any(fnmatch.fnmatchcase(s, p) for p in pats)]
        if not chosen:
            raise ConfigError(n.key("skus"), list(pats), "matches no SKU; SKU names look like " + next(iter(skus)))
        interval = n.number("mean_interval_days", min=0.0, strict_min=True)
        size = parse_dist(n.raw("size"), n.key("size"))
        if size.mean <= 0:
            raise ConfigError(n.key("size"), n.raw("size"), "mean order size must be > 0")
        for sku in chosen:
            name = f"{base.name}/{sku}/intermittent"
            out[name] = replace(base, name=name, interarrival=Dist("exponential", (("mean", interval),)),
                                first_order=0.0, lines_per_order=Dist("constant", (("value", 1.0),)), qty=size,
                                skus=(sku,), sku_weights=(1.0,))
            new_lanes += [replace(lane, dest=name) for lane in lanes if lane.dest == base.name]
    return out, tuple(new_lanes)
