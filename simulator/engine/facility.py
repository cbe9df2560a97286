"""A DC's limits at work: storage space, picks per day, a 3PL's picks, and the daily facility table.

Built only for warehouses whose config gives facility terms (``network.warehouses.<dc>.capacity``,
``fixed_cost_per_day`` or ``operator``); a DC without them keeps the plain path of ``warehouse.py``.

- Storage: the DC tracks the space its stock takes (units, or pallet positions: each SKU takes whole
  pallets of its family's size). With ``when_full: refuse`` a receipt that does not fit waits at the
  dock (counted in transit, still on order) and is put away, oldest first, as picks free space; with
  ``overflow`` it is put away and the space above capacity is paid per unit-day (``analysis``).
- Throughput: picks are released at most ``throughput_per_day`` units a calendar day, first come
  first served; what does not fit waits for the next day's budget (a large line is split). Units
  waiting to be picked have left the shelf and count as in transit.
- A 3PL operator picks the lines of its segments (all by default) through its own daily budget and
  pick delay, so its service shows in lead times and its fees in cost to serve.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import pandas as pd

from simulator.engine.errors import ConfigError
from simulator.engine.facility_spec import FacilityTerms

if TYPE_CHECKING:
    from simulator.engine.context import Context
    from simulator.engine.flow import Request
    from simulator.engine.warehouse import StockPoint, WarehouseNode

_EPS = 1e-9
FACILITY_DAY_COLUMNS = ("day", "node", "picked", "picked_3pl", "received", "refused", "storage_peak", "storage_end",
                        "storage_capacity", "overflow_end", "waiting_at_dock_end", "waiting_to_pick_end")


class _Gate:
    """Picks released at most ``cap`` units a calendar day (None: no limit), first come first served,
    each leaving after ``delay`` days (None: at once)."""

    __slots__ = ("facility", "cap", "left", "queue", "queued", "delay", "picked")

    def __init__(self, facility: Facility, cap: float | None, delay: Callable[[], float] | None) -> None:
        self.facility = facility
        self.cap = cap
        self.left = math.inf if cap is None else cap
        self.queue: deque[tuple[Request, float]] = deque()  # picks waiting for a day's budget
        self.queued = 0.0
        self.delay = delay
        self.picked = 0.0  # units released today

    def pick(self, req: Request, qty: float) -> None:
        if not self.queue and qty <= self.left + _EPS:
            self._release(req, qty)
            return
        fit = 0.0 if self.queue else max(self.left, 0.0)
        if fit > _EPS:
            self._release(req, fit)
            qty -= fit
        self.queue.append((req, qty))
        self.queued += qty
        self.facility.hold(req.sku, qty)

    def _release(self, req: Request, qty: float) -> None:
        self.left -= qty
        self.picked += qty
        fac = self.facility
        if self.delay is None:
            fac.ctx.carrier.ship(fac.name, req, qty)
            return
        fac.hold(req.sku, qty)
        fac.ctx.env.timeout(self.delay()).callbacks.append(lambda _ev: fac.ship_held(req, qty))

    def new_day(self) -> None:
        """A new calendar day: a full budget, spent first on the picks waiting from earlier days
        (none leave while the DC is closed by an outage)."""
        self.left = math.inf if self.cap is None else self.cap
        self.picked = 0.0
        queue = self.queue
        if not self.facility.availability.up:
            return
        while queue and self.left > _EPS:
            req, qty = queue[0]
            take = min(qty, self.left)
            self.facility.unhold(req.sku, take)
            self.queued -= take
            self._release(req, take)
            if take >= qty - _EPS:
                queue.popleft()
            else:
                queue[0] = (req, qty - take)
        if not queue:
            self.queued = 0.0


class Facility:
    """One DC's storage space and pick budgets (see the module docstring)."""

    def __init__(self, ctx: Context, warehouse: WarehouseNode, terms: FacilityTerms,
                 family_of: Mapping[str, str]) -> None:
        self.ctx = ctx
        self.name = warehouse.name
        self.availability = warehouse.availability
        self.terms = terms
        self.capacity = terms.storage_capacity
        self.refuse = terms.when_full == "refuse" and terms.storage_capacity is not None
        self.per_pallet = {sku: terms.units_per_pallet[fam] for sku, fam in family_of.items()
                           if fam in terms.units_per_pallet}
        self.pallets = bool(terms.units_per_pallet)
        self.used = 0.0  # space taken now (units or pallets)
        self.space: dict[str, float] = {}  # SKU -> space its stock takes now
        self.held: deque[tuple[StockPoint, Request, float]] = deque()  # receipts waiting at the dock
        self._admitting = False
        self._admit_due = False
        cap = terms.throughput_per_day
        whole = ctx.integer_units
        self.in_house = _Gate(self, math.floor(cap) if whole and cap is not None else cap, None)
        op = terms.operator
        self.outsourced: _Gate | None = None
        self.op_segments: frozenset[str] | None = None
        if op is not None:
            delay = op.pick_delay.sampler(ctx.streams.rng("facility", self.name, "pick")) \
                if op.pick_delay is not None else None
            op_cap = op.throughput_per_day
            self.outsourced = _Gate(self, math.floor(op_cap) if whole and op_cap is not None else op_cap, delay)
            self.op_segments = frozenset(op.segments) if op.segments is not None else None
        self.received = self.refused = 0.0  # today's receipts put away / made to wait
        self.peak = 0.0

    # ---------------------------------------------------------------- hooks of the stock points
    def pick(self, point: StockPoint, req: Request, qty: float) -> None:
        """``qty`` units of ``req`` were taken off the shelf: pick and ship them through the right budget."""
        self.sync(point)
        gate = self.outsourced
        if gate is None or (self.op_segments is not None
                            and (req.segment is None or req.segment.name not in self.op_segments)):
            gate = self.in_house
        gate.pick(req, qty)

    def receiving(self, point: StockPoint, req: Request, qty: float) -> float:
        """A receipt of ``qty`` arrived: the units put away now (the rest wait at the dock)."""
        if self._admitting:
            return qty
        take = qty
        if self.refuse:
            take = 0.0 if self.held else min(qty, self._room_for(point))
            if take < qty - _EPS:
                self.held.append((point, req, qty - take))
                self.refused += qty - take
                self.hold(req.sku, qty - take)
        self.received += take
        return take

    def sync(self, point: StockPoint) -> None:
        """Re-read the space ``point``'s stock takes (after any change of its stock on hand)."""
        upp = self.per_pallet.get(point.sku)
        new = point.on_hand if upp is None else float(math.ceil(point.on_hand / upp - _EPS))
        old = self.space.get(point.sku, 0.0)
        if new == old:
            return
        self.space[point.sku] = new
        self.used += new - old
        if new > old:
            self.peak = max(self.peak, self.used)
        elif self.held and not self._admit_due:
            self._admit_due = True
            self.ctx.env.timeout(0).callbacks.append(lambda _ev: self._admit())

    # ---------------------------------------------------------------- the dock
    def _room_for(self, point: StockPoint) -> float:
        """Units of ``point``'s SKU that fit in the space left."""
        assert self.capacity is not None
        room = self.capacity - self.used
        upp = self.per_pallet.get(point.sku)
        fit = room if upp is None else math.floor(room + self.space.get(point.sku, 0.0) + _EPS) * upp - point.on_hand
        if self.ctx.integer_units:
            fit = math.floor(fit + _EPS)
        return max(fit, 0.0)

    def _admit(self) -> None:
        """Put away waiting receipts, oldest first, as far as space allows."""
        self._admit_due = False
        held = self.held
        while held:
            point, req, qty = held[0]
            take = min(qty, self._room_for(point))
            if take <= _EPS:
                break
            self.unhold(req.sku, take)
            if take >= qty - _EPS:
                held.popleft()
            else:
                held[0] = (point, req, qty - take)
            self._admitting = True
            try:
                point.receive(req, take)
            finally:
                self._admitting = False
            self.received += take

    def hold(self, sku: str, qty: float) -> None:
        """Units off the shelf but not yet on a carrier (waiting at the dock or to be picked) count as in transit."""
        self.ctx.ledger.in_transit[sku] += qty

    def unhold(self, sku: str, qty: float) -> None:
        self.ctx.ledger.in_transit[sku] -= qty

    def ship_held(self, req: Request, qty: float) -> None:
        self.unhold(req.sku, qty)
        self.ctx.carrier.ship(self.name, req, qty)

    # ---------------------------------------------------------------- the day
    def start(self, points: list[StockPoint]) -> None:
        for point in points:
            self.sync(point)
        self.peak = self.used
        if self.refuse and self.capacity is not None and self.used > self.capacity + _EPS:
            unit = "pallet positions" if self.pallets else "units"
            raise ConfigError(f"network.warehouses.{self.name}.capacity.storage", self.capacity,
                              f"the starting stock takes {self.used:g} {unit}: give at least that, lower the "
                              "warehouse's initial_stock, or use when_full: overflow")

    def day_row(self, day: int) -> tuple[object, ...]:
        """The row of calendar ``day`` (from time day to day + 1)."""
        cap = self.capacity
        gate3 = self.outsourced
        row = (day, self.name, self.in_house.picked, gate3.picked if gate3 is not None else 0.0, self.received,
               self.refused, self.peak, self.used, cap if cap is not None else math.nan,
               max(self.used - cap, 0.0) if cap is not None else 0.0, sum(q for _, _, q in self.held),
               self.in_house.queued + (gate3.queued if gate3 is not None else 0.0))
        return row

    def new_day(self) -> None:
        """A new calendar day: counters start again, pick budgets are full (waiting picks go first)."""
        self.received = self.refused = 0.0
        self.peak = self.used
        self.in_house.new_day()
        if self.outsourced is not None:
            self.outsourced.new_day()


class Facilities:
    """Every DC with facility terms, with one day clock writing the ``facility_days`` table."""

    def __init__(self, ctx: Context, warehouses: Mapping[str, WarehouseNode]) -> None:
        spec = ctx.spec
        self.ctx = ctx
        family_of = {name: sku.family for name, sku in spec.skus.items()}
        self.facilities: list[Facility] = []
        for name, node in warehouses.items():
            terms = spec.warehouses[name].facility
            if terms is not None:
                node.facility = Facility(ctx, node, terms, family_of)
                self.facilities.append(node.facility)
        self.rows: list[tuple[object, ...]] = []
        self.days = 0  # calendar days recorded

    def start(self, warehouses: Mapping[str, WarehouseNode]) -> None:
        if not self.facilities:
            return
        for fac in self.facilities:
            points = list(warehouses[fac.name].stock.values())
            for point in points:
                point.facility = fac
            fac.start(points)
        self.ctx.urgent(1.0, self._tick)

    def _tick(self) -> None:
        self._record(int(round(self.ctx.env.now)))
        for fac in self.facilities:
            fac.new_day()
        if self.days < self.ctx.spec.horizon_days - 1 + _EPS:
            self.ctx.urgent(1.0, self._tick)

    def _record(self, upto: int) -> None:
        while self.days < upto:
            self.rows.extend(fac.day_row(self.days) for fac in self.facilities)
            self.days += 1

    def tables(self, now: float) -> dict[str, pd.DataFrame]:
        """``facility_days``: one row per DC with facility terms and calendar day (none without them)."""
        if not self.facilities:
            return {}
        self._record(int(math.floor(now + _EPS)))
        return {"facility_days": pd.DataFrame(self.rows, columns=list(FACILITY_DAY_COLUMNS))}
