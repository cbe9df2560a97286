"""The policy seam: the questions the simulator asks a segment, and the views it answers from.

Each kind of decision is a narrow Protocol with one decision method. Policies read a small
view of state and return a decision; they never drive SimPy, so each can be tested alone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np


@dataclass(frozen=True, slots=True)
class ItemStats:
    """What a planner knows about one item at one stocking location when setting its parameters.

    ``mean_daily``/``sd_daily``: forecast demand per day and its day-to-day standard deviation;
    ``lead_time_mean``/``lead_time_sd``: replenishment lead time in days (order to receipt);
    ``target_service``: the segment's target fill rate;
    ``forecast_errors``: when the segment forecasts, the errors observed so far at this location.
    """

    mean_daily: float
    sd_daily: float
    lead_time_mean: float
    lead_time_sd: float = 0.0
    target_service: float = 0.95
    unit_cost: float = 1.0
    price: float = 1.0
    holding_rate: float = 0.25
    forecast_errors: tuple[float, ...] = ()  # observed daily forecast errors (forecast - actual), oldest first


@runtime_checkable
class SafetyStock(Protocol):
    """How much buffer stock to hold against demand (and lead-time) uncertainty, and what it needs
    from the run to re-plan it.

    ``replan_every_days``: days between re-plans during the run (None: planned once, before it);
    ``history_days``: days of daily demand seen at the location each re-plan reads (``restate``);
    ``errors_kept``: days of forecast errors (forecast - actual) it reads from ``ItemStats``.
    """

    @property
    def replan_every_days(self) -> float | None: ...

    @property
    def history_days(self) -> int: ...

    @property
    def errors_kept(self) -> int: ...

    def units(self, stats: ItemStats, cover_days: float) -> float:
        """Safety stock in units for a protection interval of ``cover_days`` (lead time + review)."""
        ...

    def restate(self, stats: ItemStats, daily: Sequence[float]) -> ItemStats:
        """The planning figures re-estimated from ``daily`` (the last ``history_days`` of demand)."""
        ...


@runtime_checkable
class Replenishment(Protocol):
    """When and how much a stocking point orders from its source.

    ``review_period`` is None for continuous review (decide after every demand), else the
    number of days between reviews.
    """

    review_period: float | None

    @property
    def echelon(self) -> bool:
        """True when the policy decides on the echelon position (this DC's position plus that of
        every DC downstream of it) rather than on the DC's own."""
        ...

    def order_qty(self, position: float) -> float:
        """Units to order now given the inventory position (on hand - backorders + on order)."""
        ...

    def planned(self, stats: ItemStats, safety_stock: float) -> Replenishment:
        """This policy with every parameter left as ``auto`` filled in for one item."""
        ...

    def initial_stock(self) -> float:
        """Stock on hand at the start of a run."""
        ...


@runtime_checkable
class ProductionStrategy(Protocol):
    """Make-to-stock (serve from finished goods) or make-to-order (an order releases production)."""

    def serve_from_stock(self, tolerance_days: float, make_and_deliver_days: float) -> bool:
        """True to serve from finished-goods stock; False to make each order line to order.

        ``tolerance_days``: the lead time the segment promises its customers;
        ``make_and_deliver_days``: planned production plus transport time to the customer
        (inf when no plant can make to order for this customer).
        """
        ...


class SourceOption:
    """A node that could serve an order line: its name, kind and what it has on hand now.

    ``on_hand`` may be given as a number or as a function the simulator calls only when a policy
    reads it, so building the options costs nothing per order line.
    """

    __slots__ = ("node", "kind", "_on_hand")

    def __init__(self, node: str, kind: str, on_hand: float | Callable[[], float]) -> None:
        self.node = node
        self.kind = kind  # "warehouse" | "plant" | "supplier"
        self._on_hand = on_hand

    @property
    def on_hand(self) -> float:
        value = self._on_hand
        return value() if callable(value) else value

    def __repr__(self) -> str:
        return f"SourceOption({self.node!r}, {self.kind!r}, on_hand={self.on_hand!r})"


@runtime_checkable
class FulfilmentPath(Protocol):
    """Which node serves a customer order line (DC pick, cross-dock, drop-ship...).

    A policy whose choice depends on neither the line's quantity nor the stock on hand may say so
    with a class attribute ``fixed_choice = True``: the simulator then asks it once per customer and
    SKU instead of once per order line (same answer, less work per line).
    """

    def source(self, qty: float, options: Sequence[SourceOption]) -> str:
        """Name of the node that serves ``qty`` units; ``options`` lists the customer's DCs in
        preference order, then the nodes that can make or supply the item."""
        ...


@dataclass(frozen=True, slots=True)
class LaneOption:
    """One way to move goods between two nodes: its mode and its planning figures."""

    mode: str
    mean_lead_time: float
    cost_per_unit: float
    cost_per_shipment: float
    co2_per_unit: float
    truck_capacity: float | None = None  # units per truck when shipments are consolidated (FTL)

    def expected_cost(self, qty: float) -> float:
        """Planning freight cost of ``qty`` units: a consolidated truck's fixed cost is shared by
        its load, so a shipment pays its share of a full truck."""
        fixed = self.cost_per_shipment
        if self.truck_capacity is not None:
            fixed *= min(1.0, qty / self.truck_capacity)
        return fixed + self.cost_per_unit * qty


@runtime_checkable
class TransportChoice(Protocol):
    """Which transport mode a shipment takes when a lane offers several."""

    def choose(self, qty: float, lanes: Sequence[LaneOption], margin_per_unit: float) -> int:
        """Index into ``lanes`` of the mode to use for ``qty`` units of goods earning
        ``margin_per_unit`` (price - unit cost)."""
        ...


@dataclass(frozen=True, slots=True)
class JobView:
    """A production order waiting for a line: when it was released, its size and segment, and
    the margin per unit of what it makes (price - unit cost)."""

    released: float
    qty: float
    family: str
    segment: str
    margin: float = 0.0


@runtime_checkable
class CapacityAllocation(Protocol):
    """Which waiting production order a line starts next when it frees up."""

    def next_job(self, queue: Sequence[JobView], current_family: str | None) -> int:
        """Index into ``queue`` of the job to start (the queue is in release order, except that an
        interrupted job goes back to the front)."""
        ...

    def preempts(self, arriving: JobView, running: JobView) -> bool:
        """Whether a newly released job interrupts the one on the line (which resumes later with
        its remaining work)."""
        ...


@runtime_checkable
class BatchSizing(Protocol):
    """How many days of an item's demand each production order covers (batch sizing per family)."""

    def cycle_days(self, demand_per_day: float, setup_cost: float, holding_per_unit_day: float,
                   rate_per_day: float) -> float:
        """Days between runs of a family with this demand, changeover cost, holding cost per unit
        per day and line rate (0: make what is ordered)."""
        ...


@runtime_checkable
class Forecaster(Protocol):
    """A forecasting method: daily demand ahead from the daily demand history of one item and place.

    ``refresh_days``: how often the forecast is remade; ``min_history``: days of history it needs.
    """

    refresh_days: float
    min_history: int

    def forecast(self, history: np.ndarray, horizon: int) -> np.ndarray:
        """Forecast demand for each of the next ``horizon`` days."""
        ...


@dataclass(frozen=True, slots=True)
class SupplyClaim:
    """A plant's raw-material order waiting at a supplier: what, how much is still open, since when,
    and which segments the plant makes that material for (shares of its use, summing to 1)."""

    plant: str
    material: str
    open_qty: float
    since: float
    segment_shares: Mapping[str, float]


@runtime_checkable
class SupplyAllocation(Protocol):
    """Which waiting orders a supplier fills first when its capacity cannot cover them all."""

    def rank(self, claims: Sequence[SupplyClaim]) -> list[int]:
        """Indices into ``claims`` in the order they are to be filled."""
        ...
