"""Demand models, forecast overrides and intermittent streams from their validated sections,
checked against the catalogue (SKU patterns, families, segments, channels, customers)."""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from simulator.config.checks import known
from simulator.config.schema_run import (
    IntermittentCfg,
    LaunchCfg,
    OverrideCfg,
    PromotionCfg,
    ScopeCfg,
    TrendCfg,
    WeeklyCfg,
    YearlyCfg,
)
from simulator.engine.demand_models import Launch, Promotion, Scope, Trend, WeeklyProfile, YearlySeason
from simulator.engine.demand_planning import Override
from simulator.engine.distributions import Dist, constant
from simulator.engine.errors import ConfigError
from simulator.engine.params import to_dist


def _patterns(key: str, pats: Sequence[str], skus: Mapping[str, Any]) -> tuple[str, ...]:
    for p in pats:
        if not any(fnmatch.fnmatchcase(s, p) for s in skus):
            raise ConfigError(key, p, "matches no SKU; SKU names look like " + next(iter(skus)))
    return tuple(pats)


def _scope(m: ScopeCfg, key: str, parts: Mapping[str, Any]) -> Scope:
    skus = parts["skus"]
    return Scope(_patterns(f"{key}.skus", m.skus, skus),
                 frozenset(known(f"{key}.families", m.families, parts["families"])),
                 frozenset(known(f"{key}.segments", m.segments, parts["segments"])),
                 frozenset(known(f"{key}.channels", m.channels, parts["channels"])),
                 {name: s.family for name, s in skus.items()})


def demand_models(items: Sequence[Any], key: str, **parts: Any) -> tuple[Any, ...]:
    """The ``demand.models`` list as modifier objects; errors name the list item's key."""
    out: list[Any] = []
    for i, m in enumerate(items):
        k = f"{key}[{i}]"
        if isinstance(m, WeeklyCfg):
            out.append(WeeklyProfile(tuple(m.profile), _scope(m, k, parts)))
        elif isinstance(m, YearlyCfg):
            out.append(YearlySeason(m.amplitude, m.peak_day, _scope(m, k, parts)))
        elif isinstance(m, TrendCfg):
            out.append(Trend(m.per_year, parts["horizon"], _scope(m, k, parts)))
        elif isinstance(m, PromotionCfg):
            out.append(Promotion(m.start, m.end, m.uplift, _scope(m, k, parts)))
        elif isinstance(m, LaunchCfg):
            skus = parts["skus"]
            known(f"{k}.sku", [m.sku], skus)
            known(f"{k}.analog", [m.analog], skus)
            ratio = m.scale * skus[m.analog].weight / skus[m.sku].weight
            out.append(Launch(m.sku, ratio, m.start, m.ramp_days))
    return tuple(out)


def overrides(items: Sequence[OverrideCfg], key: str, skus: Mapping[str, Any], families: Mapping[str, Any],
              warehouses: Mapping[str, Any]) -> tuple[Override, ...]:
    """``demand.overrides``: each names SKUs (patterns) or families, a period, a value, who and why."""
    out = []
    for i, o in enumerate(items):
        k = f"{key}[{i}]"
        if o.skus is not None:
            pats = _patterns(f"{k}.skus", o.skus, skus)
        else:
            pats = tuple(s for f in known(f"{k}.families", o.families or (), families) for s in families[f].skus)
        out.append(Override(pats, known(f"{k}.nodes", o.nodes, warehouses), o.start, o.end, o.value, o.author,
                            o.reason))
    return tuple(out)


def intermittent(items: Sequence[IntermittentCfg], key: str, customers: Mapping[str, Any], skus: Mapping[str, Any],
                 lanes: tuple[Any, ...]) -> tuple[dict[str, Any], tuple[Any, ...]]:
    """``demand.intermittent``: sporadic, lumpy demand as compound Poisson order streams.

    Each item ``{customer, skus, mean_interval_days, size}`` adds, for every matching SKU, an order
    stream of the named customer (same channel and DCs) whose one-line orders arrive as a Poisson
    process every ``mean_interval_days`` on average (the ADI) with ``size`` units each: compound
    Poisson demand, on top of what the customer's regular orders already bring. The new streams
    reach the customer by its lanes. Returns the new streams and the lanes to them.
    """
    out: dict[str, Any] = {}
    new_lanes: list[Any] = []
    for i, m in enumerate(items):
        k = f"{key}[{i}]"
        base = customers[known(f"{k}.customer", [m.customer], customers)[0]]
        chosen = [s for s in skus if any(fnmatch.fnmatchcase(s, p) for p in m.skus)]
        if not chosen:
            raise ConfigError(f"{k}.skus", list(m.skus), "matches no SKU; SKU names look like " + next(iter(skus)))
        size = to_dist(m.size)
        for sku in chosen:
            name = f"{base.name}/{sku}/intermittent"
            out[name] = replace(base, name=name, interarrival=Dist("exponential", (("mean", m.mean_interval_days),)),
                                first_order=0.0, lines_per_order=constant(1.0), qty=size,
                                skus=(sku,), sku_weights=(1.0,))
            new_lanes += [replace(lane, dest=name) for lane in lanes if lane.dest == base.name]
    return out, tuple(new_lanes)
