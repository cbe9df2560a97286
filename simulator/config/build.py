"""Building the ``Spec`` from the composed config.

``build_spec(config)`` takes the composed config as plain dicts (the entry point converts
Hydra's DictConfig), validates it against the schema (``RunConfig``: types, ranges, known keys)
and builds an immutable ``Spec``; names that refer to other entities and the network-wide rules
are checked after (``checks.py``, ``topology.py``). Every check that can be made before the clock
starts is made here, so a run never fails half-way on bad input.
"""

from __future__ import annotations

import dataclasses
import fnmatch
from collections.abc import Iterable, Mapping
from typing import Any

from scenarios import build_scenario
from simulator.config.checks import (
    check_fill_targets,
    check_lanes,
    check_overrides,
    check_policy_segments,
    check_sources,
    check_unique_names,
    known,
)
from simulator.config.demand import demand_models, intermittent, overrides
from simulator.config.errors import validate
from simulator.config.facilities import check_facilities, facility_terms
from simulator.config.freight import hub_lanes, leg_lane, with_carriers
from simulator.config.geography import derive_lanes
from simulator.config.inventory import inventory_rules
from simulator.config.records import locations, segments_meta
from simulator.config.resources import check_resources
from simulator.config.schema import GoodwillCfg, NetworkCfg
from simulator.config.schema_run import RunConfig, SegmentCfg
from simulator.config.shop import build_routings, build_shop
from simulator.config.topology import _check_topology
from simulator.engine.demand_planning import AlertRules
from simulator.engine.distributions import Dist, constant
from simulator.engine.errors import ConfigError
from simulator.engine.network import Network
from simulator.engine.params import to_dist
from simulator.engine.returns import ReturnsCentre
from simulator.engine.spec import (
    TRACE_DEFAULT_DAYS,
    Channel,
    Customer,
    Family,
    Freight,
    GoodwillRule,
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
)
from simulator.engine.stocking import planned_flows


def build_spec(config: Mapping[str, Any]) -> Spec:
    """Turn the composed config (plain dicts and lists) into a validated ``Spec``.

    Raises ``ConfigError`` naming the key, value and what is allowed for the first problem found.
    Lanes without a lead time, cost or CO2 first get them from the map (``derive_lanes``).
    """
    cfg = validate(RunConfig, derive_lanes(config))
    check_resources(config)  # before any SKU or customer is built: refuse what would exhaust memory
    net = cfg.network
    modes = {name: TransportMode(name, m.cost_per_unit, m.cost_per_shipment, m.co2_per_unit, m.truck_capacity,
                                 m.max_wait_days, m.on_time, to_dist(m.delay) if m.delay is not None else None)
             for name, m in net.transport_modes.items()}
    raw_materials = {name: m.unit_cost for name, m in net.raw_materials.items()}
    skus, families = _catalogue(net, raw_materials)
    suppliers = _suppliers(net, raw_materials, skus)
    plants = _plants(net, families, raw_materials)
    routings = build_routings(net, families, plants)  # gives each routed family's last line the family
    warehouses = {name: Warehouse(name, tuple(w.sources), w.handling_cost_per_unit, w.replenishment, w.initial_stock,
                                  w.cross_dock_days, w.stock_allocation,
                                  facility_terms(f"network.warehouses.{name}", w.fixed_cost_per_day,
                                                 w.fixed_cost_driver, w.capacity, w.operator, families,
                                                 net.integer_units))
                  for name, w in net.warehouses.items()}
    channels = {name: Channel(name, c.patience_days if c.patience_days is not None else float("inf"),
                              c.ship_complete, goodwill_rule(c.goodwill))
                for name, c in net.channels.items()}
    check_unique_names(suppliers, plants, warehouses, net.customers)
    check_sources(warehouses, suppliers, plants)
    lanes = with_carriers(net, _lanes(net, modes), modes)
    check_lanes(net.lanes, [*suppliers, *plants, *warehouses, *net.customers, *net.returns_centres])
    via_hubs, hubs, zone_skipping = hub_lanes(net, modes, [*suppliers, *plants, *warehouses, *net.customers,
                                                           *net.returns_centres])
    lanes += via_hubs
    customers = _customers(net, channels, warehouses, skus, families)
    segments = _segments(cfg.segments)
    cost_pools = check_facilities(warehouses, segments, net.cost_pools)
    segment_of = _assignment(cfg, segments, skus, channels)
    sporadic, sporadic_lanes = intermittent(cfg.demand.intermittent, "demand.intermittent", customers, skus, lanes)
    customers.update(sporadic)
    lanes += sporadic_lanes
    returns_centres, returns_lanes = _returns(net, modes, segments, customers, lanes)
    lanes += returns_lanes
    spec = Spec(
        seed=cfg.seed, horizon_days=cfg.horizon_days, warmup_days=cfg.warmup_days,
        integer_units=net.integer_units, holding_rate=net.holding_rate,
        skus=skus, families=families, raw_materials=raw_materials, suppliers=suppliers, plants=plants,
        warehouses=warehouses, modes=modes, lanes=lanes, channels=channels, customers=customers,
        segments=segments, segment_of=segment_of, scenario=None,
        trace=_trace(cfg, skus), quiet=cfg.quiet,
        demand_models=demand_models(cfg.demand.models, "demand.models", skus=skus, families=families,
                                    segments=segments, channels=channels, horizon=cfg.horizon_days),
        forecast_overrides=overrides(cfg.demand.overrides, "demand.overrides", skus, families, warehouses),
        locations=locations(net, [*suppliers, *plants, *warehouses, *customers]),
        segments_meta=segments_meta(cfg.segments_meta),
        freight=Freight(consolidate_orders=net.freight.consolidate_orders, hubs=hubs, zone_skipping=zone_skipping),
        inventory=inventory_rules(cfg.inventory, skus, segments, suppliers),
        returns_centres=returns_centres,
        routings=routings, shop=build_shop(net, families),
        cost_pools=cost_pools,
    )
    network = Network(spec)  # the network's structure, for the checks that read it
    _check_topology(spec, network)
    check_policy_segments(spec)
    check_fill_targets(spec, network)
    check_overrides(spec, cfg.demand.overrides)
    _check_restock(spec, network)
    # scenarios read the network, so they are checked last
    return dataclasses.replace(spec, scenario=build_scenario(cfg.scenario, spec))


def goodwill_rule(cfg: GoodwillCfg | None) -> GoodwillRule | None:
    """A channel's goodwill section as the engine reads it (None: demand never reacts to service)."""
    if cfg is None:
        return None
    return GoodwillRule(cfg.lost_penalty, cfg.late_penalty, cfg.recovery_half_life_days, cfg.floor)


def _returns(net: NetworkCfg, modes: Mapping[str, TransportMode], segments: Mapping[str, Segment],
             customers: Mapping[str, Customer], lanes: tuple[Lane, ...]
             ) -> tuple[dict[str, ReturnsCentre], tuple[Lane, ...]]:
    """Check each returns centre's names and give it its lanes: from each customer it collects from
    (``inbound``) and to each restock DC (``outbound``), unless ``network.lanes`` already has them.
    A customer's sporadic streams (``demand.intermittent``) send their returns where it sends its own."""
    centres: dict[str, ReturnsCentre] = {}
    out: list[Lane] = []
    taken: dict[str, str] = {}  # customer -> its centre
    nodes = {*net.suppliers, *net.plants, *net.warehouses, *customers}
    for name, rc in net.returns_centres.items():
        key = f"network.returns_centres.{name}"
        if name in nodes:
            raise ConfigError(key, name, "a returns centre needs a name no supplier, plant, DC or customer has")
        known(f"{key}.restock_to", rc.restock_to, net.warehouses)
        named = known(f"{key}.collects_from", rc.collects_from, net.customers) \
            if rc.collects_from is not None else tuple(net.customers)
        collected = [c for c in customers if c.split("/")[0] in named]  # with their sporadic streams
        for customer in collected:
            if customer in taken:
                raise ConfigError(f"{key}.collects_from", customer,
                                  f"already collected by {taken[customer]}: a customer sends returns to one centre")
            taken[customer] = name
        for i, rule in enumerate(rc.returns):
            known(f"{key}.returns[{i}].segments", rule.segments or (), segments)
            known(f"{key}.returns[{i}].channels", rule.channels or (), net.channels)
        have = {(ln.origin, ln.dest): ln for ln in lanes}
        for c in collected:  # a sporadic stream uses its customer's lane to the centre
            base = have.get((c.split("/")[0], name))
            if (c, name) not in have and base is not None:
                out.append(dataclasses.replace(base, origin=c))
                have[(c, name)] = base
        sides = (("inbound", [(c, name) for c in collected]), ("outbound", [(name, d) for d in rc.restock_to]))
        for side, ends in sides:
            spec_lane = getattr(rc, side)
            if spec_lane is None:
                missing = [e for e in ends if e not in have]
                if missing:
                    raise ConfigError(f"{key}.{side}", None, f"no lane from {missing[0][0]} to {missing[0][1]}: give "
                                      f"{side}: {{mode, lead_time}} or add the lane to network.lanes")
                continue
            known(f"{key}.{side}.mode", [spec_lane.mode], modes)
            mode = modes[spec_lane.mode]
            out += [Lane(a, b, mode.name, to_dist(spec_lane.lead_time), mode.cost_per_unit, mode.cost_per_shipment,
                         mode.co2_per_unit) for a, b in ends if (a, b) not in have]
        centres[name] = rc.model_copy(update={"collects_from": collected})
    return centres, tuple(out)


def _check_restock(spec: Spec, network: Network) -> None:
    """Every SKU that may come back has a DC among the centre's ``restock_to`` that stocks it."""
    if not spec.returns_centres:
        return
    stocked = set(planned_flows(spec, network))
    for name, rc in spec.returns_centres.items():
        for cname in rc.collects_from if rc.collects_from is not None else spec.customers:
            customer = spec.customers[cname]
            for sku in customer.skus:
                segment = spec.segment_of[(sku, customer.channel)]
                rule = rc.rule(segment, customer.channel)
                if rule is None or rule.rate <= 0 or any((dc, sku) in stocked for dc in rc.restock_to):
                    continue
                raise ConfigError(f"network.returns_centres.{name}.restock_to", list(rc.restock_to),
                                  f"none of these DCs stocks {sku} ({segment} segment, returned by {cname}); add a "
                                  "DC that stocks it, or limit the return rules to segments that are stocked")


def _trace(cfg: RunConfig, skus: Mapping[str, Sku]) -> TraceWindow | None:
    """``trace``: false (off), true (the first two days), ``[start, end]`` or ``{start, end, sku}``."""
    horizon, t = cfg.horizon_days, cfg.trace
    if t is False:
        return None
    if t is True:
        return TraceWindow(0.0, min(TRACE_DEFAULT_DAYS, horizon))
    for k in ("start", "end"):
        if getattr(t, k) > horizon:
            raise ConfigError(f"trace.{k}", getattr(t, k), f"must be <= horizon_days ({horizon:g})")
    if t.sku is not None:
        known("trace.sku", [t.sku], skus)
    return TraceWindow(t.start, t.end, t.sku)


def _catalogue(net: NetworkCfg, raw_materials: Mapping[str, float]) -> tuple[dict[str, Sku], dict[str, Family]]:
    skus: dict[str, Sku] = {}
    families: dict[str, Family] = {}
    for fam, f in net.families.items():
        key = f"network.families.{fam}"
        prefix = f.prefix if f.prefix is not None else fam.upper()[:3]
        known(f"{key}.bom", f.bom, raw_materials, each_key=True)
        width = max(2, len(str(f.skus)))
        names = tuple(f"{prefix}-{k:0{width}d}" for k in range(1, f.skus + 1))
        for k, sku in enumerate(names, start=1):
            if sku in skus:
                raise ConfigError(f"{key}.prefix", prefix, f"SKU name {sku} already used by another family")
            skus[sku] = Sku(sku, fam, k, 1.0 / k**f.popularity, f.price, f.unit_cost)
        families[fam] = Family(fam, names, dict(f.bom))
    return skus, families


def _suppliers(net: NetworkCfg, raw_materials: Mapping[str, float], skus: Mapping[str, Sku]) -> dict[str, Supplier]:
    items = set(raw_materials) | set(skus)
    out = {}
    for name, s in net.suppliers.items():
        key = f"network.suppliers.{name}"
        supplies = known(f"{key}.supplies", s.supplies, items)
        known(f"{key}.unit_costs", s.unit_costs, supplies, each_key=True)
        out[name] = Supplier(name, supplies, to_dist(s.lead_time), s.capacity_per_day, dict(s.unit_costs),
                             s.allocation)
    return out


def _plants(net: NetworkCfg, families: Mapping[str, Family], raw_materials: Mapping[str, float]) -> dict[str, Plant]:
    out = {}
    for pname, p in net.plants.items():
        lines = []
        for lname, ln in p.lines.items():
            fams = known(f"network.plants.{pname}.lines.{lname}.families", ln.families, families)
            unit_time = to_dist(ln.unit_time) if ln.unit_time is not None else None
            if ln.rate is not None:
                unit_time = constant(1.0 / ln.rate)
            m = ln.maintenance
            lines.append(Line(
                lname, pname, fams, unit_time, to_dist(ln.batch_time) if ln.batch_time is not None else None,
                to_dist(ln.changeover), ln.changeover_cost, ln.min_batch, ln.allocation, ln.batching,
                Maintenance(m.first, m.every, m.duration) if m is not None else None,
            ))
        needed = {m for ln in lines for f in ln.families for m in families[f].bom}
        key = f"network.plants.{pname}.raw_stock"
        known(key, p.raw_stock, raw_materials, each_key=True)
        for m in sorted(needed):
            if m not in p.raw_stock:
                raise ConfigError(f"{key}.{m}", None, f"the plant's lines use raw material '{m}': give its s, S")
        raw_stock = {m: RawStock(m, r.s, r.S, r.initial if r.initial is not None else r.S)
                     for m, r in ((m, p.raw_stock[m]) for m in sorted(needed))}
        out[pname] = Plant(pname, tuple(lines), raw_stock, p.planned_lead_time)
    return out


def _lanes(net: NetworkCfg, modes: Mapping[str, TransportMode]) -> tuple[Lane, ...]:
    out = []
    for i, ln in enumerate(net.lanes):
        known(f"network.lanes[{i}].mode", [ln.mode], modes)
        out += [leg_lane(ln, ln.origin, dest, modes[ln.mode]) for dest in ln.to]
    return tuple(out)


def _customers(net: NetworkCfg, channels: Mapping[str, Channel], warehouses: Mapping[str, Warehouse],
               skus: Mapping[str, Sku], families: Mapping[str, Family]) -> dict[str, Customer]:
    out = {}
    catalogue: dict[tuple[str, ...], tuple[tuple[str, ...], tuple[float, ...]]] = {}  # streams buying alike share
    for name, c in net.customers.items():
        key = f"network.customers.{name}"
        known(f"{key}.channel", [c.channel], channels)
        served = known(f"{key}.served_from", c.served_from, warehouses)
        inter = to_dist(c.interarrival) if c.interarrival is not None else \
            Dist("exponential", (("mean", 1.0 / c.orders_per_day),))  # type: ignore[operator]
        fams = known(f"{key}.families", c.families, families) if c.families is not None else tuple(families)
        if fams not in catalogue:
            chosen = [s for f in fams for s in families[f].skus]
            total = sum(skus[s].weight for s in chosen)
            catalogue[fams] = (tuple(chosen), tuple(skus[s].weight / total for s in chosen))
        items, weights = catalogue[fams]
        out[name] = Customer(name, c.channel, served, inter, c.first_order, to_dist(c.lines_per_order),
                             to_dist(c.qty), items, weights)
    return out


def _segments(raw: Mapping[str, SegmentCfg]) -> dict[str, Segment]:
    out = {}
    for i, (name, s) in enumerate(raw.items()):
        pol = s.policies
        policies = SegmentPolicies(pol.production, pol.replenishment, pol.safety_stock, pol.fulfilment,
                                   pol.transport, pol.forecast, pol.stock_allocation)
        a = s.alerts
        alerts = AlertRules(a.stockout_within_days, a.forecast_deviation_pct, a.deviation_window, a.line_load_pct,
                            a.load_window) if a is not None else None
        out[name] = Segment(name, s.description, s.sla.fill_rate, s.sla.lead_time_days,
                            s.priority if s.priority is not None else i + 1, policies, alerts, s.planning)
    return out


def _assignment(cfg: RunConfig, segments: Mapping[str, Segment], skus: Mapping[str, Sku],
                channels: Mapping[str, Channel]) -> dict[tuple[str, str], str]:
    """Hybrid segmentation: each (SKU, channel) gets the segment of the first rule it matches."""
    asg = cfg.assignment
    default = asg.default if asg.default is not None else next(iter(segments))
    known("assignment.default", [default], segments)
    parsed: list[tuple[str, Iterable[str] | None, Iterable[str] | None, list[str] | None, Any]] = []
    for i, r in enumerate(asg.rules):
        key = f"assignment.rules[{i}]"
        known(f"{key}.segment", [r.segment], segments)
        fams = known(f"{key}.families", r.families, {s.family for s in skus.values()}) if r.families else r.families
        chans = known(f"{key}.channels", r.channels, channels) if r.channels else r.channels
        for p in r.skus or ():
            if not any(fnmatch.fnmatchcase(s, p) for s in skus):
                raise ConfigError(f"{key}.skus", p, "matches no SKU; SKU names look like " + next(iter(skus)))
        parsed.append((r.segment, fams, chans, r.skus, r.rank))
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
