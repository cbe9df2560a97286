"""The typed, validated description of one simulation run: the domain objects the engine reads.

``simulator.config.build_spec(config)`` builds a ``Spec`` from the composed config; every check that
can be made before the clock starts is made there, so a run never fails half-way on bad input.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from policies.base import CapacityAllocation
from simulator.engine.distributions import Dist
from simulator.engine.planning import AlertRules, Override


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


def _can_stock(spec: Spec, wh: str, sku: str, seen: set[str]) -> bool:
    if wh in seen:
        return False
    seen.add(wh)
    makers = spec.makers_of(sku)
    for src in spec.warehouses[wh].sources:
        if src in makers or (src in spec.warehouses and _can_stock(spec, src, sku, seen)):
            return True
    return False
