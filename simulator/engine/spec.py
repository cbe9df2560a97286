"""The typed, validated description of one simulation run (built once from config).

``build_spec(config)`` takes the composed config as plain dicts (the entry point converts
Hydra's DictConfig) and returns an immutable ``Spec``. Every check that can be made before the
clock starts is made here, so a run never fails half-way on bad input.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import heapq
import math
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from policies import REGISTRY
from policies.base import CapacityAllocation
from simulator.engine.config_reader import Node
from simulator.engine.demand_models import parse_demand_models, parse_intermittent
from simulator.engine.distributions import Dist
from simulator.engine.errors import ConfigError
from simulator.engine.planning import AlertRules, Override, parse_alerts, parse_overrides
from simulator.engine.resources import check_resources


@dataclass(frozen=True, slots=True)
class Sku:
    """A finished product (stock-keeping unit): its family, popularity rank and economics."""

    name: str
    family: str
    rank: int  # 1 = the family's best seller
    weight: float  # relative share of the family's demand
    price: float
    unit_cost: float


@dataclass(frozen=True, slots=True)
class Family:
    """A product family: SKUs made on the same lines from the same bill of materials."""

    name: str
    skus: tuple[str, ...]
    bom: Mapping[str, float]  # raw material -> units per finished unit


@dataclass(frozen=True, slots=True)
class Supplier:
    """An outside supplier of raw materials (or bought-in finished goods)."""

    name: str
    supplies: tuple[str, ...]
    lead_time: Dist  # days from order to dispatch
    capacity_per_day: float | None  # units it can dispatch per day; None = unlimited
    unit_costs: Mapping[str, float] = field(default_factory=dict)
    allocation: Any = None  # who is filled first when capacity falls short (None: first come, first served)


@dataclass(frozen=True, slots=True)
class Maintenance:
    """Planned maintenance of a line: down for ``duration`` days every ``every`` days from day ``first``."""

    first: float
    every: float
    duration: float


@dataclass(frozen=True, slots=True)
class Line:
    """A production line: which families it makes, how fast, and what switching costs."""

    name: str
    plant: str
    families: tuple[str, ...]
    unit_time: Dist | None  # days per unit, or
    batch_time: Dist | None  # days per batch (used when unit_time is None)
    changeover: Dist  # days lost switching between families
    changeover_cost: float
    min_batch: float
    allocation: CapacityAllocation
    batching: Any = None  # BatchSizing policy for the families made here (None: as ordered)
    maintenance: Maintenance | None = None  # planned maintenance windows


@dataclass(frozen=True, slots=True)
class RawStock:
    """A plant's raw-material store, replenished by (s, S) on its inventory position."""

    material: str
    s: float
    S: float
    initial: float


@dataclass(frozen=True, slots=True)
class Plant:
    """A factory: production lines plus raw-material stores."""

    name: str
    lines: tuple[Line, ...]
    raw_stock: Mapping[str, RawStock]
    planned_lead_time: float  # days a planner allows for a production order (queue + run)


@dataclass(frozen=True, slots=True)
class Warehouse:
    """A distribution centre holding finished goods, fed by its sources in preference order."""

    name: str
    sources: tuple[str, ...]
    handling_cost_per_unit: float
    replenishment: Any = None  # a policy for every SKU here, replacing the segment's (local parameters)
    initial_stock: float | None = None  # units of each SKU on hand at the start; None = the policy's level
    cross_dock_days: float = 0.0  # handling time of goods flowing through without put-away


@dataclass(frozen=True, slots=True)
class TransportMode:
    """Default economics of a transport mode (LTL, FTL, air, parcel...)."""

    name: str
    cost_per_unit: float
    cost_per_shipment: float
    co2_per_unit: float
    truck_capacity: float | None = None  # units per truck: shipments wait to be consolidated (FTL)
    max_wait_days: float = 0.0  # ... but a truck leaves at the latest this long after its first load
    on_time: float = 1.0  # probability a shipment arrives within its lead time
    delay: Dist | None = None  # extra days when it does not


@dataclass(frozen=True, slots=True)
class Lane:
    """A carrier lane between two nodes with one transport mode."""

    origin: str
    dest: str
    mode: str
    lead_time: Dist
    cost_per_unit: float
    cost_per_shipment: float
    co2_per_unit: float


@dataclass(frozen=True, slots=True)
class Channel:
    """A sales channel (retail, e-commerce, B2B): how long its customers wait for backorders."""

    name: str
    patience_days: float  # backordered units not shipped within this many days are lost
    ship_complete: bool = False  # a line ships only when the DC can fill all of it (no partial shipments)


@dataclass(frozen=True, slots=True)
class Customer:
    """An order stream: a group of customers of one channel served from the same DCs."""

    name: str
    channel: str
    served_from: tuple[str, ...]
    interarrival: Dist  # days between orders
    first_order: float  # day of the first order
    lines_per_order: Dist
    qty: Dist  # units per order line
    skus: tuple[str, ...]  # what this stream buys
    sku_weights: tuple[float, ...]  # the probability of each SKU on a line


@dataclass(frozen=True, slots=True)
class SegmentPolicies:
    """The decisions a segment makes, one policy object per kind."""

    production: Any
    replenishment: Any
    safety_stock: Any
    fulfilment: Any
    transport: Any
    forecast: Any = None  # a Forecaster, or None: plan from the configured demand, no forecasting


@dataclass(frozen=True, slots=True)
class Segment:
    """A planning segment and its service-level agreement (SLA)."""

    name: str
    description: str
    target_fill_rate: float
    promised_lead_time: float  # days from order to delivery
    priority: int  # smaller = more important; decides which segment's policy governs shared stock
    policies: SegmentPolicies
    alerts: AlertRules | None = None  # warnings the segment asks for during the run


@dataclass(frozen=True, slots=True)
class TraceWindow:
    """A short stretch of the run written out event by event, for classroom step-through."""

    start: float  # day the window opens
    end: float  # day it closes (exclusive)
    sku: str | None = None  # follow one SKU only; None = every SKU


TRACE_DEFAULT_DAYS = 2.0  # ``trace: true`` follows the first two days


@dataclass(frozen=True, slots=True)
class Spec:
    """Everything one run needs: the network, segments, scenario and run settings."""

    seed: int
    horizon_days: float
    warmup_days: float
    integer_units: bool
    holding_rate: float  # annual holding cost as a fraction of unit cost
    skus: Mapping[str, Sku]
    families: Mapping[str, Family]
    raw_materials: Mapping[str, float]  # material -> unit cost
    suppliers: Mapping[str, Supplier]
    plants: Mapping[str, Plant]
    warehouses: Mapping[str, Warehouse]
    modes: Mapping[str, TransportMode]
    lanes: tuple[Lane, ...]
    channels: Mapping[str, Channel]
    customers: Mapping[str, Customer]
    segments: Mapping[str, Segment]
    segment_of: Mapping[tuple[str, str], str]  # (sku, channel) -> segment
    scenario: Any = None  # a scenarios.Scenario once built (the raw config section before)
    trace: TraceWindow | None = None  # write a readable event log of this window
    quiet: bool = False  # no progress bar
    makers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # sku -> plants/suppliers, derived
    route_days_cache: dict[tuple[str, str], float] = field(default_factory=dict, compare=False, repr=False)
    demand_models: tuple[Any, ...] = ()  # DemandModifier objects from ``demand.models`` (seasons, promotions...)
    forecast_overrides: tuple[Override, ...] = ()  # consensus adjustments over the statistical forecast

    def route(self, origin: str, dest: str) -> tuple[tuple[str, str], ...] | None:
        """The quickest chain of lanes from ``origin`` to ``dest`` (by the mean lead time of each
        lane's first listed mode), passing only through warehouses; None if there is none.

        A direct lane is one leg; otherwise goods flow through DCs without being put away.
        """
        first = self._lane_days()
        best = {origin: 0.0}
        back: dict[str, str] = {}
        frontier = [(0.0, origin)]
        while frontier:
            days, node = heapq.heappop(frontier)
            if node == dest:
                legs = []
                while node != origin:
                    legs.append((back[node], node))
                    node = back[node]
                return tuple(reversed(legs))
            if days > best[node] or (node != origin and node not in self.warehouses):
                continue
            for (a, b), lt in first.items():
                if a == node and days + lt < best.get(b, math.inf):
                    best[b] = days + lt
                    back[b] = node
                    heapq.heappush(frontier, (days + lt, b))
        return None

    def route_days(self, origin: str, dest: str) -> float:
        """Mean transit days along ``route(origin, dest)`` (inf if there is no route); memoised."""
        days = self.route_days_cache.get((origin, dest))
        if days is None:
            legs = self.route(origin, dest)
            first = self._lane_days()
            days = math.inf if legs is None else sum(first[leg] for leg in legs)
            self.route_days_cache[(origin, dest)] = days
        return days

    def _lane_days(self) -> dict[tuple[str, str], float]:
        """Mean lead time of each (origin, dest) pair's first listed lane."""
        first: dict[tuple[str, str], float] = {}
        for lane in self.lanes:
            first.setdefault((lane.origin, lane.dest), lane.lead_time.mean)
        return first

    def make_to_order_source(self, segment: Segment, sku: str, customer: str) -> tuple[str, float] | None:
        """Where and how fast an order line could be made to order: the first plant (or supplier)
        making ``sku`` with a route to ``customer``, and its planned production + delivery days."""
        for maker in self.makers_of(sku):
            days = self.route_days(maker, customer)
            if days < math.inf:
                make = self.plants[maker].planned_lead_time if maker in self.plants else \
                    self.suppliers[maker].lead_time.mean
                return maker, make + days
        return None

    def serves_from_stock(self, segment: Segment, sku: str, customer: str) -> bool:
        """Whether the segment's production strategy serves this customer's ``sku`` from
        finished-goods stock (make-to-stock) or makes it to order."""
        mto = self.make_to_order_source(segment, sku, customer)
        return segment.policies.production.serve_from_stock(
            segment.promised_lead_time, mto[1] if mto is not None else math.inf)

    def makers_of(self, sku: str) -> tuple[str, ...]:
        """Plants with a line for the SKU's family, then suppliers selling the SKU itself."""
        return self.makers[sku]


def _makers(skus: Mapping[str, Sku], plants: Mapping[str, Plant], suppliers: Mapping[str, Supplier]
            ) -> dict[str, tuple[str, ...]]:
    by_family = {fam: tuple(p.name for p in plants.values() if any(fam in ln.families for ln in p.lines))
                 for fam in {s.family for s in skus.values()}}
    return {sku: by_family[s.family] + tuple(sup.name for sup in suppliers.values() if sku in sup.supplies)
            for sku, s in skus.items()}


# --------------------------------------------------------------------------------------------
# building


def _hint_allows(hint: Any, value: Any) -> bool:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_hint_allows(h, value) for h in typing.get_args(hint))
    if hint is type(None):
        return value is None
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(hint, type):
        return isinstance(value, hint)
    return True


def build_policy(kind: str, raw: Any, key: str) -> Any:
    """Resolve ``{type: name, param: value...}`` (or just ``name``) to a policy object of ``kind``."""
    if isinstance(raw, str):
        raw = {"type": raw}
    node = Node(raw, key)
    table = REGISTRY[kind]
    name = node.string("type", choices=table)
    cls = table[name]
    hints = typing.get_type_hints(cls)
    fields = {f.name for f in dataclasses.fields(cls) if f.init}
    params = {}
    for k, v in node.data.items():
        if k == "type":
            continue
        if k not in fields:
            allowed = ", ".join(sorted(fields)) or "no parameters"
            raise ConfigError(node.key(k), v, f"{kind} policy '{name}' takes: {allowed}")
        if not _hint_allows(hints[k], v):
            raise ConfigError(node.key(k), v, f"expected {_describe(hints[k])}")
        params[k] = v
    try:
        return cls(**params)
    except (TypeError, ValueError) as exc:
        raise ConfigError(key, dict(node.data), str(exc)) from None


def _describe(hint: Any) -> str:
    args = typing.get_args(hint) or (hint,)
    words = {float: "a number", int: "a whole number", bool: "true or false", str: "a string",
             type(None): "null (auto)"}
    return " or ".join(words.get(a, getattr(a, "__name__", str(a))) for a in args)


_TOP_KEYS = ("seed", "horizon_days", "warmup_days", "network", "segments", "assignment", "scenario",
             "policy", "trace", "replications", "quiet", "output", "hydra", "name", "resilience", "demand",
             "limits")
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
    check_resources(config)  # before any SKU or customer is built: refuse what would exhaust memory
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
    from scenarios import build_scenario  # scenarios read the network, so they are checked last

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


def _check_policy_segments(spec: Spec) -> None:
    """Segment names inside policy parameters (e.g. allocation weights) must be known segments."""
    for plant in spec.plants.values():
        for line in plant.lines:
            for seg in getattr(line.allocation, "weights", None) or ():
                if seg not in spec.segments:
                    raise ConfigError(f"network.plants.{plant.name}.lines.{line.name}.allocation.weights", seg,
                                      f"unknown segment; known: {', '.join(sorted(spec.segments))}")
    for sup in spec.suppliers.values():
        for seg, row in (getattr(sup.allocation, "matrix", None) or {}).items():
            key = f"network.suppliers.{sup.name}.allocation.matrix"
            if seg not in spec.segments:
                raise ConfigError(f"{key}.{seg}", seg, f"unknown segment; known: {', '.join(sorted(spec.segments))}")
            for material in row:
                if material not in sup.supplies:
                    raise ConfigError(f"{key}.{seg}.{material}", material,
                                      f"{sup.name} supplies only: {', '.join(sup.supplies)}")


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


def _unique_names(net: Node, *tables: Mapping[str, Any]) -> None:
    seen: dict[str, str] = {}
    for kind, table in zip(("suppliers", "plants", "warehouses"), tables, strict=True):
        for name in table:
            if name in seen:
                raise ConfigError(f"network.{kind}.{name}", name, f"node names must be unique; also in {seen[name]}")
            seen[name] = kind


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


def _check_topology(spec: Spec) -> None:
    """Network-wide checks: lanes join known nodes; every customer can be reached from stock."""
    nodes = set(spec.suppliers) | set(spec.plants) | set(spec.warehouses) | set(spec.customers)
    lane_pairs = set()
    for i, lane in enumerate(spec.lanes):
        for end, key in ((lane.origin, "from"), (lane.dest, "to")):
            if end not in nodes:
                raise ConfigError(f"network.lanes[{i}].{key}", end, f"unknown node; known: {', '.join(sorted(nodes))}")
        lane_pairs.add((lane.origin, lane.dest))
    for name, wh in spec.warehouses.items():
        for src in wh.sources:
            if src not in nodes or src in spec.customers or src == name:
                raise ConfigError(f"network.warehouses.{name}.sources", src,
                                  "a source must be another warehouse, a plant or a supplier")
            if (src, name) not in lane_pairs:
                raise ConfigError(f"network.warehouses.{name}.sources", src, f"no lane from {src} to {name}; add one")
    for pname, plant in spec.plants.items():
        for m in plant.raw_stock:
            sups = [s.name for s in spec.suppliers.values() if m in s.supplies]
            if not sups:
                raise ConfigError(f"network.plants.{pname}.raw_stock.{m}", m, "no supplier supplies this material")
            if not any((s, pname) in lane_pairs for s in sups):
                raise ConfigError(f"network.plants.{pname}.raw_stock.{m}", m,
                                  f"no lane to {pname} from its suppliers ({', '.join(sups)})")
    memo: dict[tuple[str, str], bool] = {}

    def reachable(dc: str, sku: str) -> bool:
        if (dc, sku) not in memo:
            memo[(dc, sku)] = _can_stock(spec, dc, sku, set())
        return memo[(dc, sku)]

    for cname, cust in spec.customers.items():
        for dc in cust.served_from:
            if (dc, cname) not in lane_pairs:
                raise ConfigError(f"network.customers.{cname}.served_from", dc, f"no lane from {dc} to {cname}")
        for sku in cust.skus:
            seg = spec.segments[spec.segment_of[(sku, cust.channel)]]
            if not spec.serves_from_stock(seg, sku, cname):
                if spec.make_to_order_source(seg, sku, cname) is None:
                    raise ConfigError(f"segments.{seg.name}.policies.production", "make_to_order",
                                      f"no plant or supplier making {sku} has a chain of lanes to {cname}; "
                                      "add a lane or serve the segment make_to_stock")
                continue
            if not any(reachable(dc, sku) for dc in cust.served_from):
                raise ConfigError(f"network.customers.{cname}.served_from", list(cust.served_from),
                                  f"no path to stock of {sku}: none of these warehouses has a source chain "
                                  "ending at a plant that makes it or a supplier that sells it")


def _can_stock(spec: Spec, wh: str, sku: str, seen: set[str]) -> bool:
    if wh in seen:
        return False
    seen.add(wh)
    makers = spec.makers_of(sku)
    for src in spec.warehouses[wh].sources:
        if src in makers or (src in spec.warehouses and _can_stock(spec, src, sku, seen)):
            return True
    return False
