"""The config schema of the network: every key of ``network:`` declared once, with its type,
range and default. A planner's reading of each key is in its field's description."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, Strict, model_validator

from simulator.config.facilities import CapacityCfg, CostPoolCfg, Driver, OperatorCfg
from simulator.config.policy import policy_field
from simulator.config.schema_freight import CarrierCfg, FreightCfg, LegCfg
from simulator.config.schema_shop import CalendarCfg, OperationCfg, ToolCfg
from simulator.engine.params import (
    Count,
    DistSpec,
    Flag,
    Invalid,
    Names,
    NonNeg,
    Positive,
    Section,
    Share,
    Text,
    to_dist,
)
from simulator.engine.returns import ReturnsCentre


class TransportModeCfg(Section):
    """Default economics of a transport mode (LTL, FTL, air, parcel...)."""

    cost_per_unit: NonNeg = Field(0.0, description="freight cost per unit shipped")
    cost_per_shipment: NonNeg = Field(0.0, description="fixed cost per shipment (per truck when consolidated)")
    co2_per_unit: NonNeg = Field(0.0, description="kg CO2 per unit shipped")
    truck_capacity: Positive | None = Field(None, description="units per truck; null = no consolidation")
    max_wait_days: NonNeg = Field(0.0, description="a truck leaves at the latest this long after its first load")
    on_time: Share = Field(1.0, description="probability a shipment arrives within its lead time")
    delay: DistSpec | None = Field(None, description="extra days of a late shipment (needed when on_time < 1)")
    # read by the geography step (simulator/config/geography.py) for lanes without lead time, cost or CO2
    speed_km_per_day: Positive | None = Field(None, description="distance covered per day, for lanes without lead time")
    circuity: Annotated[float, Strict(), Field(allow_inf_nan=False, ge=1)] = Field(
        1.0, description="road or sea km per straight-line km")
    fixed_days: NonNeg = Field(0.0, description="days added to a derived lead time (loading, port, customs)")
    cost_per_tonne_km: NonNeg | None = Field(None, description="money per tonne-km, for lanes without cost_per_unit")
    co2_per_tonne_km: NonNeg | None = Field(None, description="kg CO2e per tonne-km, for lanes without co2_per_unit")

    @model_validator(mode="after")
    def _delay_given(self) -> TransportModeCfg:
        if self.on_time < 1.0 and self.delay is None:
            raise Invalid("delay", None, "give the delay distribution of late shipments (on_time is below 1)")
        return self


class RawMaterialCfg(Section):
    """A raw material bought from suppliers."""

    unit_cost: NonNeg = 0.0


class FamilyCfg(Section):
    """A product family: ``skus`` SKUs named ``<prefix>-01...``, with Zipf popularity."""

    skus: Count = Field(description="number of SKUs in the family")
    prefix: Text | None = Field(None, description="SKU name prefix (default: first 3 letters, upper case)")
    price: NonNeg
    unit_cost: NonNeg
    popularity: NonNeg = Field(1.0, description="Zipf exponent: the k-th best seller weighs 1/k^popularity")
    bom: dict[Text, NonNeg] = Field({}, description="raw material -> units per finished unit")
    unit_weight_kg: NonNeg | None = Field(None, description="weight of one unit (tonne-km cost and CO2 of lanes)")


class SupplierCfg(Section):
    """An outside supplier of raw materials (or bought-in finished goods)."""

    supplies: Names = Field(description="raw materials and SKUs it sells")
    lead_time: DistSpec = Field(0.0, description="days from order to dispatch")
    capacity_per_day: Positive | None = Field(None, description="units per day; null = no capacity limit")
    unit_costs: dict[Text, NonNeg] = {}
    allocation: policy_field("supply_allocation") | None = None  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _allocation_needs_capacity(self) -> SupplierCfg:
        if self.allocation is not None and self.capacity_per_day is None:
            raise Invalid("allocation", type(self.allocation).__name__,
                          "allocation needs a capacity_per_day to fall short of; set one")
        return self


class MaintenanceCfg(Section):
    """Planned maintenance: down ``duration`` days every ``every`` days from day ``first``."""

    first: NonNeg = 0.0
    every: Positive
    duration: Positive

    @model_validator(mode="after")
    def _shorter(self) -> MaintenanceCfg:
        if self.duration >= self.every:
            raise Invalid("duration", self.duration, f"must be shorter than every ({self.every:g} days)")
        return self


class LineCfg(Section):
    """A production line: give exactly one of ``rate``, ``unit_time`` or ``batch_time``."""

    families: Names
    rate: Positive | None = Field(None, description="units per day")
    unit_time: DistSpec | None = Field(None, description="days per unit")
    batch_time: DistSpec | None = Field(None, description="days per batch")
    changeover: DistSpec = Field(0.0, description="days lost switching between families")
    changeover_cost: NonNeg = 0.0
    min_batch: NonNeg = 0.0
    allocation: policy_field("allocation") = "fcfs"  # type: ignore[valid-type]
    batching: policy_field("batching") = "as_ordered"  # type: ignore[valid-type]
    maintenance: MaintenanceCfg | None = None
    calendar: CalendarCfg | None = Field(None, description="shift calendar (default: the plant's; none: 24/7)")
    crew: Text | None = Field(None, description="the plant's crew this line needs to run (one of plant crews)")

    @model_validator(mode="after")
    def _one_speed(self) -> LineCfg:
        given = [k for k in ("rate", "unit_time", "batch_time") if getattr(self, k) is not None]
        if len(given) != 1:
            raise Invalid("rate", given or None,
                          "give exactly one of rate (units/day), unit_time or batch_time (days)")
        return self


class RawStockCfg(Section):
    """A plant's raw-material store, replenished by (s, S) on its inventory position."""

    s: NonNeg
    S: NonNeg
    initial: NonNeg | None = Field(None, description="units on hand at the start (default: S)")

    @model_validator(mode="after")
    def _ordered(self) -> RawStockCfg:
        if self.s > self.S:
            raise Invalid("s", self.s, f"(s, S) needs s <= S; S is {self.S:g}")
        return self


class PlantCfg(Section):
    """A factory: production lines plus raw-material stores."""

    lines: dict[Text, LineCfg] = Field(min_length=1)
    raw_stock: dict[Text, RawStockCfg] = {}
    planned_lead_time: NonNeg = Field(2.0, description="days a planner allows for a production order")
    calendar: CalendarCfg | None = Field(None, description="shift calendar of its lines; null = around the clock")
    crews: dict[Text, Count] = Field({}, description="crew -> how many lines it can staff at the same time")


class WarehouseCfg(Section):
    """A distribution centre fed by its sources in preference order."""

    sources: Names
    handling_cost_per_unit: NonNeg = 0.0
    replenishment: policy_field("replenishment") | None = None  # type: ignore[valid-type]
    initial_stock: NonNeg | None = Field(None, description="units of each SKU at the start; null = the policy's")
    cross_dock_days: NonNeg = 0.0
    stock_allocation: policy_field("stock_allocation") | None = Field(  # type: ignore[valid-type]
        None, description="how scarce stock is shared between segments here; null = the governing segment's")
    fixed_cost_per_day: NonNeg = Field(0.0, description="rent, staff and equipment a day, whatever goes through")
    fixed_cost_driver: Driver = Field("units_handled", description="how the fixed cost is spread over segments")
    capacity: CapacityCfg | None = Field(None, description="storage and throughput limits; null = none")
    operator: OperatorCfg | None = Field(None, description="a 3PL runs the picking here; null = in-house")


class LaneCfg(LegCfg):
    """A carrier lane (one entry may list several destinations in ``to``)."""

    origin: Text = Field(alias="from")
    to: Names


class GoodwillCfg(Section):
    """Customers who lose service order less for a while (off unless given). A penalty is per day of
    the customer's planned demand: lost_penalty 0.1 = losing one day's worth of its orders cuts its
    demand rate by 10% of normal."""

    lost_penalty: NonNeg = Field(description="demand-rate cut per day of the customer's demand lost")
    late_penalty: NonNeg = Field(0.0, description="demand-rate cut per day of its demand delivered after the "
                                                  "promised lead time")
    recovery_half_life_days: Positive = Field(description="days for half of the lost demand rate to come back")
    floor: Share = Field(0.0, description="demand never falls below this share of normal")


class ChannelCfg(Section):
    """A sales channel: how long its customers wait for backorders."""

    patience_days: NonNeg | None = Field(None, description="backorders older than this are lost; null = never")
    ship_complete: Flag = False
    goodwill: GoodwillCfg | None = Field(None, description="lost and late units lower future demand; "
                                                           "null = demand never reacts to service")


class CustomerCfg(Section):
    """An order stream: give exactly one of ``orders_per_day`` or ``interarrival``."""

    channel: Text
    served_from: Names = Field(min_length=1)
    orders_per_day: Positive | None = Field(None, description="mean orders per day (Poisson arrivals)")
    interarrival: DistSpec | None = Field(None, description="days between orders")
    first_order: NonNeg = 0.0
    lines_per_order: DistSpec = 1.0
    qty: DistSpec
    families: Names | None = Field(None, description="what it buys (default: every family)")

    @model_validator(mode="after")
    def _one_rate(self) -> CustomerCfg:
        if (self.orders_per_day is None) == (self.interarrival is None):
            raise Invalid("orders_per_day", self.orders_per_day,
                          "give exactly one of orders_per_day (Poisson arrivals) or interarrival (days)")
        if self.interarrival is not None and _mean(self.interarrival) <= 0:
            raise Invalid("interarrival", self.interarrival.model_dump(), "mean time between orders must be > 0")
        if _mean(self.lines_per_order) <= 0:
            raise Invalid("lines_per_order", self.lines_per_order.model_dump(), "mean lines per order must be > 0")
        return self


def _mean(d: Any) -> float:
    return to_dist(d).mean


class LocationCfg(Section):
    """Where a site is (WGS84 degrees): for the map and for lanes timed from their distance."""

    lat: Annotated[float, Strict(), Field(allow_inf_nan=False, ge=-90, le=90)] = Field(description="degrees north")
    lon: Annotated[float, Strict(), Field(allow_inf_nan=False, ge=-180, le=180)] = Field(description="degrees east")


class NetworkCfg(Section):
    """The company: products, suppliers, plants, DCs, lanes, channels and customers."""

    name: Text = Field("", description="the network's name")
    description: Text = ""
    integer_units: Flag = Field(True, description="quantities are whole units")
    holding_rate: NonNeg = Field(0.25, description="annual holding cost as a share of unit cost")
    transport_modes: dict[Text, TransportModeCfg] = {}
    families: dict[Text, FamilyCfg] = Field(min_length=1)
    raw_materials: dict[Text, RawMaterialCfg] = {}
    suppliers: dict[Text, SupplierCfg] = {}
    plants: dict[Text, PlantCfg] = {}
    warehouses: dict[Text, WarehouseCfg] = {}
    lanes: list[LaneCfg] = []
    freight: FreightCfg = Field(FreightCfg(), description="order consolidation")
    carriers: dict[Text, CarrierCfg] = Field({}, description="carriers by name: their on-time record per lane")
    channels: dict[Text, ChannelCfg] = {}
    customers: dict[Text, CustomerCfg] = Field(min_length=1)
    returns_centres: dict[Text, ReturnsCentre] = Field({}, description="reverse logistics: what customers send "
                                                       "back and where it is inspected (none: no returns)")
    locations: dict[Text, LocationCfg] = Field({}, description="site -> {lat, lon}")
    routings: dict[Text, list[OperationCfg]] = Field(
        {}, description="family -> its operations in order (the last one finishes it); none: one line makes it")
    tools: dict[Text, ToolCfg] = Field({}, description="tool or mould -> the families that need it")
    cost_pools: dict[Text, CostPoolCfg] = Field({}, description="shared costs spread over segments by a driver")
    inputs: list[Text] = Field([], description="files the network was made from (hashed into run.json)")
