"""The typed, validated description of one simulation run: the domain objects the engine reads.

``simulator.config.build_spec(config)`` builds a ``Spec`` from the composed config; every check that
can be made before the clock starts is made there, so a run never fails half-way on bad input.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from policies.base import (
    BatchSizing,
    CapacityAllocation,
    Forecaster,
    FulfilmentPath,
    ProductionStrategy,
    Replenishment,
    SafetyStock,
    SupplyAllocation,
    TransportChoice,
)
from policies.stock_allocation import StockAllocation
from simulator.engine.ageing_rules import InventoryRules
from simulator.engine.demand_planning import AlertRules, Override
from simulator.engine.distributions import Dist
from simulator.engine.facility_spec import CostPool, FacilityTerms
from simulator.engine.shop import Routing, ShopFloor

if TYPE_CHECKING:
    from simulator.engine.demand import DemandModifier
    from simulator.engine.returns import ReturnsCentre


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
    # who is filled first when capacity falls short (None: first come, first served)
    allocation: SupplyAllocation | None = None


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
    batching: BatchSizing | None = None  # batch sizing for the families made here (None: as ordered)
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
    # a policy for every SKU here, replacing the segment's (local parameters)
    replenishment: Replenishment | None = None
    initial_stock: float | None = None  # units of each SKU on hand at the start; None = the policy's level
    cross_dock_days: float = 0.0  # handling time of goods flowing through without put-away
    # how scarce stock is shared between segments here (None: the governing segment's, else first come first served)
    stock_allocation: StockAllocation | None = None
    facility: FacilityTerms | None = None  # capacity, fixed cost, 3PL operator (None: none of them)


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
class Freight:
    """How carriers bill and group what the network ships."""

    consolidate_orders: bool = True  # lines of one order leaving a node together are one shipment
    hubs: Mapping[str, float] = field(default_factory=dict)  # zone-skipping hub -> its sorting days
    zone_skipping: Mapping[str, str] = field(default_factory=dict)  # customer -> the hub its goods go via


@dataclass(frozen=True, slots=True)
class Lane:
    """A carrier lane between two nodes with one transport mode, run by one carrier."""

    origin: str
    dest: str
    mode: str
    lead_time: Dist
    cost_per_unit: float
    cost_per_shipment: float
    co2_per_unit: float
    carrier: str = ""  # the carrier running the lane ("": the mode's name stands for it)
    on_time: float | None = None  # this carrier's on-time probability on this lane (None: the mode's)
    delay: Dist | None = None  # ... and the extra days of its late shipments (None: the mode's)


@dataclass(frozen=True, slots=True)
class GoodwillRule:
    """How a channel's customers react to service failures (``goodwill.py``): each lost unit, and each
    unit delivered after the promised lead time, lowers the customer's demand rate by ``lost_penalty``
    (``late_penalty``) per day of its planned demand; the rate recovers, halving the gap to normal every
    ``recovery_half_life_days``, and never falls below ``floor`` x normal."""

    lost_penalty: float
    late_penalty: float
    recovery_half_life_days: float
    floor: float


@dataclass(frozen=True, slots=True)
class Channel:
    """A sales channel (retail, e-commerce, B2B): how long its customers wait for backorders."""

    name: str
    patience_days: float  # backordered units not shipped within this many days are lost
    ship_complete: bool = False  # a line ships only when the DC can fill all of it (no partial shipments)
    goodwill: GoodwillRule | None = None  # lost and late units lower future demand (None: demand never reacts)


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

    production: ProductionStrategy
    replenishment: Replenishment
    safety_stock: SafetyStock
    fulfilment: FulfilmentPath
    transport: TransportChoice
    forecast: Forecaster | None = None  # None: plan from the configured demand, no forecasting
    stock_allocation: StockAllocation | None = None  # sharing scarce stock it governs (None: first come first served)


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
    # how made-to-order lines are promised: "planned_lead_time" (the plant's constant) or "finite_capacity"
    # (the line's queue when the order arrives); None: not recorded (the promises table is not written)
    planning: str | None = None


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
    demand_models: tuple[DemandModifier, ...] = ()  # from ``demand.models`` (seasons, promotions...)
    forecast_overrides: tuple[Override, ...] = ()  # consensus adjustments over the statistical forecast
    locations: Mapping[str, tuple[float, float]] = field(default_factory=dict)  # node -> (latitude, longitude)
    freight: Freight = field(default_factory=Freight)  # order consolidation, carriers
    segments_meta: Mapping[str, Any] = field(default_factory=dict)  # name, version, approval of the segments
    inventory: InventoryRules | None = None  # lots, shelf life, obsolete stock, ownership (None: no lots)
    returns_centres: Mapping[str, ReturnsCentre] = field(default_factory=dict)  # reverse logistics (none: off)
    routings: Mapping[str, Routing] = field(default_factory=dict)  # family -> its operations (routing.py)
    shop: ShopFloor | None = None  # calendars, crews and tools of lines (calendar.py); None: lines always run
    cost_pools: tuple[CostPool, ...] = ()  # shared costs spread over segments by activity drivers
