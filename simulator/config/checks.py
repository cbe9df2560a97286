"""Cross-entity checks: rules no single config key can state on its own (names that refer to
other entities, unique names, lanes, cycles of sources, targets that need a quantile)."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from policies import REGISTRY
from simulator.engine.errors import ConfigError
from simulator.engine.network import Network
from simulator.engine.spec import Plant, Spec, Supplier, Warehouse


def known(key: str, names: Iterable[str], choices: Any, each_key: bool = False) -> tuple[str, ...]:
    """``names`` (a list, or the keys of a mapping) must all be among ``choices``; ``each_key``
    reports an unknown one at its own key (``bom.glass``) rather than at the list's key."""
    out = tuple(names)
    for x in out:
        if x not in choices:
            where = f"{key}.{x}" if each_key else key
            raise ConfigError(where, x, f"unknown name; allowed: {', '.join(sorted(choices))}")
    return out


def check_unique_names(suppliers: Mapping[str, Supplier], plants: Mapping[str, Plant],
                       warehouses: Mapping[str, Warehouse], customers: Mapping[str, Any]) -> None:
    """Node names are unique across every kind: a lane or a source names one node only."""
    seen: dict[str, str] = {}
    for kind, table in (("suppliers", suppliers), ("plants", plants), ("warehouses", warehouses),
                        ("customers", customers)):
        for name in table:
            if name in seen:
                raise ConfigError(f"network.{kind}.{name}", name,
                                  f"node names must be unique across suppliers, plants, warehouses and "
                                  f"customers; also in {seen[name]}")
            seen[name] = kind


def check_lanes(lanes: Sequence[Any], nodes: Iterable[str]) -> None:
    """A lane joins two different known nodes (indices as the user listed the lanes)."""
    names = set(nodes)
    for i, ln in enumerate(lanes):
        for end, key in [(ln.origin, "from"), *((d, "to") for d in ln.to)]:
            if end not in names:
                raise ConfigError(f"network.lanes[{i}].{key}", end, f"unknown node; known: {', '.join(sorted(names))}")
        if ln.origin in ln.to:
            raise ConfigError(f"network.lanes[{i}].to", ln.origin, "a lane must lead to another node than its from")


def check_sources(warehouses: Mapping[str, Warehouse], suppliers: Mapping[str, Supplier],
                  plants: Mapping[str, Plant]) -> None:
    """Each DC's sources are known supplying nodes, and no chain of sources comes back to itself
    (two DCs feeding each other would wait on each other for ever)."""
    nodes = set(warehouses) | set(suppliers) | set(plants)
    for name, wh in warehouses.items():
        for src in wh.sources:
            if src not in nodes or src == name:
                raise ConfigError(f"network.warehouses.{name}.sources", src,
                                  "a source must be another warehouse, a plant or a supplier; known: "
                                  + ", ".join(sorted(nodes - {name})))
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(dc: str, path: list[str]) -> None:
        state[dc] = 1
        for src in warehouses[dc].sources:
            if src in warehouses:
                if state.get(src) == 1:
                    cycle = path[path.index(src):] + [dc, src] if src in path else [dc, src]
                    raise ConfigError(f"network.warehouses.{dc}.sources", src,
                                      "sources must not form a cycle: " + " <- ".join(cycle))
                if src not in state:
                    visit(src, [*path, dc])
        state[dc] = 2

    for dc in warehouses:
        if dc not in state:
            visit(dc, [])


def check_policy_segments(spec: Spec) -> None:
    """Segment names inside policy parameters (e.g. allocation weights) must be known segments; a
    segment re-plans its stock from one estimate of demand (a forecast, or a dynamic safety stock)."""
    for seg in spec.segments.values():
        if seg.policies.forecast is not None and seg.policies.safety_stock.replan_every_days is not None:
            raise ConfigError(f"segments.{seg.name}.policies.safety_stock", "dynamic",
                              "a segment with a forecast re-plans its levels from the forecast each day; "
                              "a dynamic safety stock would re-plan them from recent demand instead. "
                              "With a forecast use forecast_error (or z_sigma); or drop the forecast")
    for plant in spec.plants.values():
        for line in plant.lines:
            for seg in getattr(line.allocation, "weights", None) or ():
                if seg not in spec.segments:
                    raise ConfigError(f"network.plants.{plant.name}.lines.{line.name}.allocation.weights", seg,
                                      f"unknown segment; known: {', '.join(sorted(spec.segments))}")
    for key, policy in [*((f"network.warehouses.{w.name}.stock_allocation", w.stock_allocation)
                          for w in spec.warehouses.values()),
                        *((f"segments.{s.name}.policies.stock_allocation", s.policies.stock_allocation)
                          for s in spec.segments.values())]:
        _check_levels(f"{key}.levels", getattr(policy, "levels", None) or {}, spec)
    for sup in spec.suppliers.values():
        for seg, row in (getattr(sup.allocation, "matrix", None) or {}).items():
            key = f"network.suppliers.{sup.name}.allocation.matrix"
            if seg not in spec.segments:
                raise ConfigError(f"{key}.{seg}", seg, f"unknown segment; known: {', '.join(sorted(spec.segments))}")
            for material in row:
                if material not in sup.supplies:
                    raise ConfigError(f"{key}.{seg}.{material}", material,
                                      f"{sup.name} supplies only: {', '.join(sup.supplies)}")


def _check_levels(key: str, levels: Mapping[str, float], spec: Spec) -> None:
    """Stock-allocation levels name known segments and are nested: a less important segment is
    held back at least as early as a more important one."""
    for seg in levels:
        if seg not in spec.segments:
            raise ConfigError(f"{key}.{seg}", seg, f"unknown segment; known: {', '.join(sorted(spec.segments))}")
    listed = sorted((spec.segments[name].priority, name, level) for name, level in levels.items())
    for (p_hi, hi, l_hi), (p_lo, lo, l_lo) in zip(listed, listed[1:], strict=False):
        if p_hi < p_lo and l_hi > l_lo:
            raise ConfigError(f"{key}.{lo}", l_lo, f"levels are nested: {lo} (priority {p_lo}) must be held back "
                              f"at least as early as the more important {hi} (level {l_hi}); give it >= {l_hi}")



def check_fill_targets(spec: Spec, network: Network) -> None:
    """A segment that stocks items and sizes safety stock as a normal quantile of its fill-rate
    target needs a target strictly between 0 and 1 (0 and 1 have no finite quantile)."""
    stocking = {d.segment.name for cust in spec.customers for d, _ in network.customer_groups(cust) if d.from_stock}
    for seg in spec.segments.values():
        ss = seg.policies.safety_stock
        if 0.0 < seg.target_fill_rate < 1.0 or not hasattr(ss, "service_level") or not hasattr(ss, "z"):
            continue
        if ss.service_level is not None or ss.z is not None:
            continue
        if seg.name in stocking:
            raise ConfigError(f"segments.{seg.name}.sla.fill_rate", seg.target_fill_rate,
                              f"the {_name('safety_stock', ss)} safety stock takes its z from this target, which needs "
                              "0 < fill_rate < 1; give a target inside, or the policy's z or service_level")


def check_overrides(spec: Spec, items: Sequence[Any]) -> None:
    """A consensus override replaces a statistical forecast: every SKU it names must belong to a
    segment that forecasts, or the override would be silently ignored."""
    for i, (override, item) in enumerate(zip(spec.forecast_overrides, items, strict=False)):
        names = sorted(s for s in spec.skus if any(fnmatch.fnmatchcase(s, p) for p in override.skus))
        segments_of: dict[str, set[str]] = {s: set() for s in names}
        for (sku, _channel), seg in spec.segment_of.items():
            if sku in segments_of:
                segments_of[sku].add(seg)
        idle = [s for s in names if not any(spec.segments[g].policies.forecast is not None for g in segments_of[s])]
        if idle:
            field = "skus" if getattr(item, "skus", None) else "families"
            segs = sorted({g for s in idle for g in segments_of[s]})
            shown = ", ".join(idle[:5]) + (f" and {len(idle) - 5} more" if len(idle) > 5 else "")
            raise ConfigError(
                f"demand.overrides[{i}].{field}", shown,
                f"segment(s) {', '.join(segs)} plan from the configured demand, without a forecast policy, so an "
                f"override would change nothing; give them one (segments.{segs[0]}.policies.forecast: "
                "{type: moving_average}) or use segments=forecast_driven")


def _name(kind: str, policy: Any) -> str:
    """The config name of a policy object."""
    return next((n for n, cls in REGISTRY[kind].items() if type(policy) is cls), type(policy).__name__)
