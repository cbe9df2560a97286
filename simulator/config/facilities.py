"""Config of facility economics: a DC's capacity, fixed cost and 3PL operator
(``network.warehouses.<dc>``), and the shared cost pools (``network.cost_pools``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import Field, model_validator

from simulator.engine.errors import ConfigError
from simulator.engine.facility_spec import CostPool, FacilityTerms, Operator
from simulator.engine.params import DistSpec, Invalid, Names, NonNeg, Positive, Section, Text, to_dist

Driver = Literal["units_handled", "orders", "shipments", "storage_days"]


class CapacityCfg(Section):
    """What a DC can hold and ship a day, and what happens when a receipt does not fit."""

    storage: Positive | None = Field(None, description="units it can hold, or pallet positions with units_per_pallet; "
                                                       "null = no limit")
    units_per_pallet: dict[Text, Positive] = Field({}, description="family -> units per pallet: storage counts "
                                                   "pallet positions (each SKU takes whole pallets); list every family")
    throughput_per_day: Positive | None = Field(None, description="units picked and shipped out per calendar day; "
                                                "the rest wait for the next day; null = no limit")
    when_full: Literal["refuse", "overflow"] = Field(
        "refuse", description="refuse: a receipt that does not fit waits at the dock until picks free space; "
                              "overflow: it is stored in paid overflow space")
    overflow_cost_per_unit_day: NonNeg = Field(0.0, description="money per unit (or pallet) above storage at the "
                                               "end of a day (when_full: overflow)")

    @model_validator(mode="after")
    def _consistent(self) -> CapacityCfg:
        if self.storage is None and (self.units_per_pallet or self.overflow_cost_per_unit_day):
            key = "units_per_pallet" if self.units_per_pallet else "overflow_cost_per_unit_day"
            raise Invalid(key, getattr(self, key), "needs a storage capacity; set storage")
        if self.overflow_cost_per_unit_day and self.when_full != "overflow":
            raise Invalid("overflow_cost_per_unit_day", self.overflow_cost_per_unit_day,
                          "is paid only with when_full: overflow; set it, or drop the cost")
        return self


class OperatorCfg(Section):
    """A third-party logistics provider (3PL) running the DC's picking, or some segments' picking."""

    name: Text = Field(description="the provider's name (for reports)")
    fee_per_unit: NonNeg = Field(0.0, description="money per unit it picks and ships out")
    fee_per_order: NonNeg = Field(0.0, description="money per order it picks (customer order or DC replenishment)")
    throughput_per_day: Positive | None = Field(None, description="units it picks per calendar day; null = no limit")
    pick_delay: DistSpec | None = Field(None, description="days from pick release to the goods leaving; "
                                                          "null = at once")
    segments: Names | None = Field(None, description="the segments whose picks it runs here; null = all")


class CostPoolCfg(Section):
    """A shared cost spread over segments by an activity driver."""

    per_day: NonNeg = Field(description="money a day (the pool for the run: per_day x days after the warm-up)")
    driver: Driver = Field(description="spread by each segment's share of units_handled, orders, shipments or "
                                       "storage_days (docs/kpis.md)")
    warehouses: Names = Field([], description="the DCs where the driver is measured; empty = every DC")


def facility_terms(key: str, fixed_cost_per_day: float, fixed_cost_driver: str, capacity: CapacityCfg | None,
                   operator: OperatorCfg | None, stocked_families: Mapping[str, object],
                   integer_units: bool) -> FacilityTerms | None:
    """A DC's terms, or None when it has none of them (the plain DC)."""
    if not fixed_cost_per_day and capacity is None and operator is None:
        return None
    cap = capacity or CapacityCfg()
    for fam in cap.units_per_pallet:
        if fam not in stocked_families:
            raise ConfigError(f"{key}.capacity.units_per_pallet", fam,
                              f"not a family; known: {', '.join(stocked_families)}")
    if cap.units_per_pallet:
        missing = [f for f in stocked_families if f not in cap.units_per_pallet]
        if missing:
            raise ConfigError(f"{key}.capacity.units_per_pallet", dict(cap.units_per_pallet),
                              f"give units per pallet for every family ({', '.join(missing)} missing)")
    if integer_units:
        for sub, value in (("capacity.throughput_per_day", cap.throughput_per_day),
                           ("operator.throughput_per_day", operator.throughput_per_day if operator else None)):
            if value is not None and value != int(value):
                raise ConfigError(f"{key}.{sub}", value, "whole units a day (the network counts whole units)")
    op = None
    if operator is not None:
        op = Operator(operator.name, operator.fee_per_unit, operator.fee_per_order, operator.throughput_per_day,
                      to_dist(operator.pick_delay) if operator.pick_delay is not None else None,
                      tuple(operator.segments) if operator.segments is not None else None)
    return FacilityTerms(fixed_cost_per_day, fixed_cost_driver, cap.storage, dict(cap.units_per_pallet),
                         cap.throughput_per_day, cap.when_full, cap.overflow_cost_per_unit_day, op)


def check_facilities(warehouses: Mapping[str, object], segments: Mapping[str, object],
                     pools: Mapping[str, CostPoolCfg]) -> tuple[CostPool, ...]:
    """Names the facility settings refer to exist; the cost pools as the engine reads them."""
    for name, wh in warehouses.items():
        terms = getattr(wh, "facility", None)
        op = terms.operator if terms is not None else None
        for seg in (op.segments or ()) if op is not None else ():
            if seg not in segments:
                raise ConfigError(f"network.warehouses.{name}.operator.segments", seg,
                                  f"not a segment; known: {', '.join(segments)}")
    out = []
    for name, pool in pools.items():
        for dc in pool.warehouses:
            if dc not in warehouses:
                raise ConfigError(f"network.cost_pools.{name}.warehouses", dc,
                                  f"not a warehouse; known: {', '.join(warehouses)}")
        out.append(CostPool(name, pool.per_day, pool.driver, tuple(pool.warehouses)))
    return tuple(out)
