"""Building the ``Spec`` from the composed config.

``build_spec(config)`` takes the composed config as plain dicts (the entry point converts
Hydra's DictConfig) and returns an immutable ``Spec``. Every check that can be made before the
clock starts is made here, so a run never fails half-way on bad input.
"""

from __future__ import annotations

import dataclasses
import fnmatch
from collections.abc import Mapping
from typing import Any

from scenarios import build_scenario
from simulator.config.checks import _check_policy_segments, _unique_names
from simulator.config.policy import build_policy
from simulator.config.topology import _check_topology
from simulator.engine.config_reader import Node
from simulator.engine.demand_models import parse_demand_models, parse_intermittent
from simulator.engine.distributions import Dist
from simulator.engine.errors import ConfigError
from simulator.engine.planning import parse_alerts, parse_overrides
from simulator.engine.spec import (
    TRACE_DEFAULT_DAYS,
    Channel,
    Customer,
    Family,
    Lane,
    Line,
    Maintenance,
    Plant,
    RawStock,
    Segment,
    SegmentPolicies,
    Sku,
    Spec,
    Supplier,
    TraceWindow,
    TransportMode,
    Warehouse,
    _makers,
)

_TOP_KEYS = ("seed", "horizon_days", "warmup_days", "network", "segments", "assignment", "scenario",
             "policy", "trace", "replications", "quiet", "output", "hydra", "name", "resilience", "demand")
_NETWORK_KEYS = ("integer_units", "holding_rate", "transport_modes", "families", "raw_materials",
                 "suppliers", "plants", "warehouses", "lanes", "channels", "customers", "name",
                 "description")


def build_spec(config: Mapping[str, Any]) -> Spec:
    """Turn the composed config (plain dicts and lists) into a validated ``Spec``.

    Raises ``ConfigError`` naming the key, value and what is allowed for the first problem found.
    """
    top = Node(config, "", _TOP_KEYS)
    horizon = top.number("horizon_days", 365.0, min=0.0, strict_min=True)
    warmup = top.number("warmup_days", 0.0, min=0.0)
    if warmup >= horizon:
        raise ConfigError("warmup_days", warmup, f"must be smaller than horizon_days ({horizon:g})")
    net = top.child("network", _NETWORK_KEYS, required=True)

    modes = {
        name: TransportMode(name, n.number("cost_per_unit", 0.0, min=0.0),
                            n.number("cost_per_shipment", 0.0, min=0.0), n.number("co2_per_unit", 0.0, min=0.0),
                            n.number("truck_capacity", None, min=0.0, strict_min=True),
                            n.number("max_wait_days", 0.0, min=0.0), n.number("on_time", 1.0, min=0.0, max=1.0),
                            n.dist("delay") if n.has("delay") else None)
        for name, n in net.children("transport_modes", ("cost_per_unit", "cost_per_shipment", "co2_per_unit",
                                                        "truck_capacity", "max_wait_days", "on_time", "delay"))
    }
    for name, mode in modes.items():
        if mode.on_time < 1.0 and mode.delay is None:
            raise ConfigError(f"network.transport_modes.{name}.delay", None,
                              "give the delay distribution of late shipments (on_time is below 1)")
    raw_materials = {name: n.number("unit_cost", 0.0, min=0.0)
                     for name, n in net.children("raw_materials", ("unit_cost",))}
    skus, families = _catalogue(net, raw_materials)
    suppliers = _suppliers(net, raw_materials, skus)
    plants = _plants(net, families, raw_materials)
    warehouses = {
        name: Warehouse(
            name, n.names("sources"), n.number("handling_cost_per_unit", 0.0, min=0.0),
            build_policy("replenishment", n.raw("replenishment"), n.key("replenishment"))
            if n.has("replenishment") else None,
            n.number("initial_stock", None, min=0.0),
            n.number("cross_dock_days", 0.0, min=0.0),
        )
        for name, n in net.children("warehouses", ("sources", "handling_cost_per_unit", "replenishment",
                                                   "initial_stock", "cross_dock_days"))
    }
    _unique_names(net, suppliers, plants, warehouses)
    lanes = _lanes(net, modes)
    channels = {name: Channel(name, n.number("patience_days", float("inf"), min=0.0),
                              n.boolean("ship_complete", False))
                for name, n in net.children("channels", ("patience_days", "ship_complete"))}
    customers = _customers(net, channels, warehouses, skus, families)
    segments = _segments(top)
    segment_of = _assignment(top, segments, skus, channels)
    demand = top.child("demand", ("models", "overrides", "intermittent"))
    sporadic, sporadic_lanes = parse_intermittent(demand.raw("intermittent", None), demand.key("intermittent"),
                                                  customers, skus, lanes)
    customers.update(sporadic)
    lanes += sporadic_lanes
    demand_models = parse_demand_models(demand.raw("models", None), demand.key("models"), skus=skus,
                                        families=families, segments=segments, channels=channels, horizon=horizon)
    spec = Spec(
        seed=top.integer("seed", 0, min=0), horizon_days=horizon, warmup_days=warmup,
        integer_units=net.boolean("integer_units", True), holding_rate=net.number("holding_rate", 0.25, min=0.0),
        skus=skus, families=families, raw_materials=raw_materials, suppliers=suppliers, plants=plants,
        warehouses=warehouses, modes=modes, lanes=lanes, channels=channels, customers=customers,
        segments=segments, segment_of=segment_of, scenario=top.raw("scenario", None),
        trace=_trace(top, horizon, skus), quiet=top.boolean("quiet", False),
        makers=_makers(skus, plants, suppliers), demand_models=demand_models,
        forecast_overrides=parse_overrides(demand.raw("overrides", None), demand.key("overrides"), skus, families,
                                           warehouses),
    )
    _check_topology(spec)
    _check_policy_segments(spec)
    # scenarios read the network, so they are checked last
    return dataclasses.replace(spec, scenario=build_scenario(spec.scenario, spec))


def _trace(top: Node, horizon: float, skus: Mapping[str, Sku]) -> TraceWindow | None:
    """``trace``: false (off), true (the first two days), ``[start, end]`` or ``{start, end, sku}``."""
    raw = top.raw("trace", False)
    allowed = "false, true (the first 2 days), [start, end] in days, or {start: d, end: d, sku: name}"
    if raw is False:
        return None
    if raw is True:
        return TraceWindow(0.0, min(TRACE_DEFAULT_DAYS, horizon))
    if isinstance(raw, (list, tuple)):
        if len(raw) != 2:
            raise ConfigError("trace", list(raw), allowed)
        raw = {"start": raw[0], "end": raw[1]}
    if not isinstance(raw, Mapping):
        raise ConfigError("trace", raw, allowed)
    n = Node(raw, "trace", ("start", "end", "sku"))
    start = n.number("start", 0.0, min=0.0, max=horizon)
    end = n.number("end", min=0.0, max=horizon)
    if end <= start:
        raise ConfigError("trace.end", end, f"must be after trace.start ({start:g}) and at most horizon_days")
    sku = n.string("sku", None, choices=skus) if n.has("sku") else None
    return TraceWindow(start, end, sku)


def _catalogue(net: Node, raw_materials: Mapping[str, float]) -> tuple[dict[str, Sku], dict[str, Family]]:
    skus: dict[str, Sku] = {}
    families: dict[str, Family] = {}
    for fam, n in net.children("families", ("skus", "prefix", "price", "unit_cost", "popularity", "bom")):
        count = n.integer("skus", min=1)
        prefix = n.string("prefix", fam.upper()[:3])
        price = n.number("price", min=0.0)
        cost = n.number("unit_cost", min=0.0)
        zipf = n.number("popularity", 1.0, min=0.0)  # Zipf exponent: weight of rank k is 1/k^a
        bom = n.number_map("bom", choices=raw_materials)
        width = max(2, len(str(count)))
        names = tuple(f"{prefix}-{k:0{width}d}" for k in range(1, count + 1))
        for k, sku in enumerate(names, start=1):
            if sku in skus:
                raise ConfigError(n.key("prefix"), prefix, f"SKU name {sku} already used by another family")
            skus[sku] = Sku(sku, fam, k, 1.0 / k**zipf, price, cost)
        families[fam] = Family(fam, names, bom)
    if not skus:
        raise ConfigError("network.families", None, "define at least one product family")
    return skus, families


def _suppliers(net: Node, raw_materials: Mapping[str, float], skus: Mapping[str, Sku]) -> dict[str, Supplier]:
    items = set(raw_materials) | set(skus)
    out = {}
    for name, n in net.children("suppliers", ("supplies", "lead_time", "capacity_per_day", "unit_costs",
                                              "allocation")):
        supplies = n.names("supplies", choices=items)
        cap = n.number("capacity_per_day", None, min=0.0, strict_min=True)
        costs = n.number_map("unit_costs", choices=supplies)
        allocation = None
        if n.has("allocation"):
            if cap is None:
                raise ConfigError(n.key("allocation"), n.raw("allocation"),
                                  "allocation needs a capacity_per_day to fall short of; set one")
            allocation = build_policy("supply_allocation", n.raw("allocation"), n.key("allocation"))
        out[name] = Supplier(name, supplies, n.dist("lead_time", 0.0), cap, costs, allocation)
    return out


def _plants(net: Node, families: Mapping[str, Family], raw_materials: Mapping[str, float]) -> dict[str, Plant]:
    out = {}
    line_keys = ("families", "rate", "unit_time", "batch_time", "changeover", "changeover_cost", "min_batch",
                 "allocation", "batching", "maintenance")
    for pname, pn in net.children("plants", ("lines", "raw_stock", "planned_lead_time")):
        lines = []
        for lname, ln in pn.children("lines", line_keys):
            fams = ln.names("families", choices=families)
            given = [k for k in ("rate", "unit_time", "batch_time") if ln.has(k)]
            if len(given) != 1:
                raise ConfigError(ln.key("rate"), given or None,
                                  "give exactly one of rate (units/day), unit_time or batch_time (days)")
            unit_time = batch_time = None
            if given[0] == "rate":
                unit_time = Dist("constant", (("value", 1.0 / ln.number("rate", min=0.0, strict_min=True)),))
            elif given[0] == "unit_time":
                unit_time = ln.dist("unit_time")
            else:
                batch_time = ln.dist("batch_time")
            lines.append(Line(
                lname, pname, fams, unit_time, batch_time, ln.dist("changeover", 0.0),
                ln.number("changeover_cost", 0.0, min=0.0), ln.number("min_batch", 0.0, min=0.0),
                build_policy("allocation", ln.raw("allocation", "fcfs"), ln.key("allocation")),
                build_policy("batching", ln.raw("batching", "as_ordered"), ln.key("batching")),
                _maintenance(ln),
            ))
        if not lines:
            raise ConfigError(pn.key("lines"), None, "a plant needs at least one production line")
        needed = {m for ln in lines for f in ln.families for m in families[f].bom}
        raw_stock = {}
        rs = pn.child("raw_stock")
        for m in rs.data:
            if m not in raw_materials:
                raise ConfigError(rs.key(m), m, f"unknown raw material; known: {', '.join(sorted(raw_materials))}")
        for m in sorted(needed):
            if m not in rs.data:
                raise ConfigError(rs.key(m), None, f"the plant's lines use raw material '{m}': give its s, S")
            mn = rs.child(m, ("s", "S", "initial"))
            s, S = mn.number("s", min=0.0), mn.number("S", min=0.0)
            if s > S:
                raise ConfigError(mn.key("s"), s, f"(s, S) needs s <= S; S is {S:g}")
            raw_stock[m] = RawStock(m, s, S, mn.number("initial", S, min=0.0))
        out[pname] = Plant(pname, tuple(lines), raw_stock, pn.number("planned_lead_time", 2.0, min=0.0))
    return out


def _maintenance(ln: Node) -> Maintenance | None:
    if not ln.has("maintenance"):
        return None
    m = ln.child("maintenance", ("first", "every", "duration"))
    every = m.number("every", min=0.0, strict_min=True)
    duration = m.number("duration", min=0.0, strict_min=True)
    if duration >= every:
        raise ConfigError(m.key("duration"), duration, f"must be shorter than every ({every:g} days)")
    return Maintenance(m.number("first", 0.0, min=0.0), every, duration)



def _lanes(net: Node, modes: Mapping[str, TransportMode]) -> tuple[Lane, ...]:
    raw = net.raw("lanes", [])
    if not isinstance(raw, (list, tuple)):
        raise ConfigError("network.lanes", raw, "expected a list of lanes {from, to, mode, lead_time}")
    out = []
    for i, item in enumerate(raw):
        n = Node(item, f"network.lanes[{i}]",
                 ("from", "to", "mode", "lead_time", "cost_per_unit", "cost_per_shipment", "co2_per_unit"))
        mode = modes.get(n.string("mode", choices=modes))
        for dest in n.names("to"):
            out.append(Lane(
                n.string("from"), dest, mode.name, n.dist("lead_time"),
                n.number("cost_per_unit", mode.cost_per_unit, min=0.0),
                n.number("cost_per_shipment", mode.cost_per_shipment, min=0.0),
                n.number("co2_per_unit", mode.co2_per_unit, min=0.0),
            ))
    return tuple(out)


def _customers(net: Node, channels: Mapping[str, Channel], warehouses: Mapping[str, Warehouse],
               skus: Mapping[str, Sku], families: Mapping[str, Family]) -> dict[str, Customer]:
    keys = ("channel", "served_from", "orders_per_day", "interarrival", "first_order", "lines_per_order",
            "qty", "families")
    out = {}
    for name, n in net.children("customers", keys):
        channel = n.string("channel", choices=channels)
        served = n.names("served_from", choices=warehouses)
        if not served:
            raise ConfigError(n.key("served_from"), [], "name at least one warehouse")
        if n.has("orders_per_day") == n.has("interarrival"):
            raise ConfigError(n.key("orders_per_day"), n.raw("orders_per_day", None),
                              "give exactly one of orders_per_day (Poisson arrivals) or interarrival (days)")
        if n.has("orders_per_day"):
            rate = n.number("orders_per_day", min=0.0, strict_min=True)
            inter = Dist("exponential", (("mean", 1.0 / rate),))
        else:
            inter = n.dist("interarrival")
            if inter.mean <= 0:
                raise ConfigError(n.key("interarrival"), n.raw("interarrival"), "mean time between orders must be > 0")
        fams = n.names("families", tuple(families), choices=families)
        chosen = [s for f in fams for s in families[f].skus]
        total = sum(skus[s].weight for s in chosen)
        lines = n.dist("lines_per_order", 1.0)
        if lines.mean <= 0:
            raise ConfigError(n.key("lines_per_order"), n.raw("lines_per_order"), "mean lines per order must be > 0")
        out[name] = Customer(name, channel, served, inter, n.number("first_order", 0.0, min=0.0),
                             lines, n.dist("qty"), tuple(chosen),
                             tuple(skus[s].weight / total for s in chosen))
    if not out:
        raise ConfigError("network.customers", None, "define at least one customer order stream")
    return out


def _segments(top: Node) -> dict[str, Segment]:
    out = {}
    keys = ("description", "sla", "priority", "policies", "alerts")
    for i, (name, n) in enumerate(top.children("segments", keys)):
        sla = n.child("sla", ("fill_rate", "lead_time_days"), required=True)
        pol = n.child("policies", ("production", "replenishment", "safety_stock", "fulfilment", "transport",
                                   "forecast"))
        defaults = {"production": "make_to_stock", "replenishment": "s_S", "safety_stock": "z_sigma",
                    "fulfilment": "dc_pick", "transport": "first_listed"}
        policies = SegmentPolicies(**{
            kind: build_policy(kind, pol.raw(kind, default), pol.key(kind)) for kind, default in defaults.items()
        }, forecast=build_policy("forecast", pol.raw("forecast"), pol.key("forecast")) if pol.has("forecast")
            else None)
        out[name] = Segment(
            name, n.string("description", ""),
            sla.number("fill_rate", min=0.0, max=1.0), sla.number("lead_time_days", min=0.0),
            n.integer("priority", i + 1, min=0), policies, parse_alerts(n),
        )
    if not out:
        raise ConfigError("segments", None, "define at least one segment")
    return out


def _assignment(top: Node, segments: Mapping[str, Segment], skus: Mapping[str, Sku],
                channels: Mapping[str, Channel]) -> dict[tuple[str, str], str]:
    """Hybrid segmentation: each (SKU, channel) gets the segment of the first rule it matches."""
    asg = top.child("assignment", ("default", "rules"))
    default = asg.string("default", next(iter(segments)), choices=segments)
    rules = asg.raw("rules", [])
    if not isinstance(rules, (list, tuple)):
        raise ConfigError("assignment.rules", rules, "expected a list of rules")
    parsed = []
    for i, rule in enumerate(rules):
        r = Node(rule, f"assignment.rules[{i}]", ("segment", "families", "channels", "skus", "rank"))
        seg = r.string("segment", choices=segments)
        fams = r.names("families", None, choices={s.family for s in skus.values()}) if r.has("families") else None
        chans = r.names("channels", None, choices=channels) if r.has("channels") else None
        pats = r.names("skus", None) if r.has("skus") else None
        if pats:
            for p in pats:
                if not any(fnmatch.fnmatchcase(s, p) for s in skus):
                    raise ConfigError(r.key("skus"), p, "matches no SKU; SKU names look like " + next(iter(skus)))
        rank = r.raw("rank", None)
        if rank is not None and not (isinstance(rank, (list, tuple)) and len(rank) == 2
                                     and all(isinstance(x, int) and not isinstance(x, bool) for x in rank)
                                     and 1 <= rank[0] <= rank[1]):
            raise ConfigError(r.key("rank"), rank, "expected [first, last] popularity ranks, 1 <= first <= last")
        parsed.append((seg, fams, chans, pats, rank))
    out = {}
    for sku in skus.values():
        for ch in channels:
            out[(sku.name, ch)] = default
            for seg, fams, chans, pats, rank in parsed:
                if fams is not None and sku.family not in fams:
                    continue
                if chans is not None and ch not in chans:
                    continue
                if pats is not None and not any(fnmatch.fnmatchcase(sku.name, p) for p in pats):
                    continue
                if rank is not None and not rank[0] <= sku.rank <= rank[1]:
                    continue
                out[(sku.name, ch)] = seg
                break
    return out
