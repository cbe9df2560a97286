"""What a DC costs and how much it can hold and ship: the facility terms of a warehouse, the
third-party operator (3PL) that may run it, and the shared cost pools spread over segments.

All of it is optional: a warehouse without terms has no capacity limit and no fixed cost, and a
network without pools reports variable cost to serve only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from simulator.engine.distributions import Dist

# How a cost pool (or a DC's fixed cost) is spread over segments: by each segment's share of ...
DRIVERS = ("units_handled", "orders", "shipments", "storage_days")
WHEN_FULL = ("refuse", "overflow")  # receipts that do not fit wait at the dock / go to paid overflow space


@dataclass(frozen=True, slots=True)
class Operator:
    """A third-party logistics provider (3PL) running the picking of a DC, or of some segments there:
    its fees, its throughput and how long its picks take."""

    name: str
    fee_per_unit: float = 0.0  # charged per unit it picks and ships out
    fee_per_order: float = 0.0  # charged per order it picks (customer order or DC replenishment)
    throughput_per_day: float | None = None  # units it picks per day; None = as many as asked
    pick_delay: Dist | None = None  # days from pick release to the goods leaving; None = at once
    segments: tuple[str, ...] | None = None  # the segments it handles here; None = all


@dataclass(frozen=True, slots=True)
class FacilityTerms:
    """A DC's capacity and fixed cost (every limit optional)."""

    fixed_cost_per_day: float = 0.0  # rent, staff, equipment: paid whatever goes through
    fixed_cost_driver: str = "units_handled"  # how the fixed cost is spread over segments
    storage_capacity: float | None = None  # units, or pallet positions when units_per_pallet is given
    units_per_pallet: Mapping[str, float] = field(default_factory=dict)  # family -> units per pallet
    throughput_per_day: float | None = None  # units picked and shipped out per day (in-house picks)
    when_full: str = "refuse"  # refuse: receipts wait at the dock; overflow: stored at a cost
    overflow_cost_per_unit_day: float = 0.0  # per unit (or pallet) above storage_capacity at day end
    operator: Operator | None = None  # a 3PL runs it (or some segments' picking)


@dataclass(frozen=True, slots=True)
class CostPool:
    """A shared cost (warehousing, management, IT...) of ``per_day`` money a day, spread over the
    segments by their share of ``driver`` measured at ``warehouses`` (empty = every DC)."""

    name: str
    per_day: float
    driver: str
    warehouses: tuple[str, ...] = ()
