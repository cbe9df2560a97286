"""Distribution centres: finished-goods stock per SKU, served first come first served."""

from __future__ import annotations

import logging
import math
from collections import deque
from collections.abc import Generator
from typing import TYPE_CHECKING

import simpy

from policies.base import Replenishment
from simulator.engine.availability import Availability
from simulator.engine.context import Context, ServingNode
from simulator.engine.flow import OrderLine, Request
from simulator.engine.spec import Segment

if TYPE_CHECKING:
    from simulator.engine.ageing import PointLots
    from simulator.engine.allocation import Rationing
    from simulator.engine.facility import Facility

log = logging.getLogger(__name__)

_EPS = 1e-9  # below this, a backlog left by fractional units counts as cleared


class DemandHistory:
    """What re-planning reads about one stocking point: units requested per day (day ``d`` runs
    from time d to d + 1) and, when alerts project stock, the replenishment orders placed (time,
    units), oldest first, until they are received."""

    __slots__ = ("_days", "_orders")

    def __init__(self, keep_orders: bool = False) -> None:
        self._days: list[float] = []
        self._orders: deque[tuple[float, float]] | None = deque() if keep_orders else None

    def demand(self, t: float, qty: float) -> None:
        days, d = self._days, int(t)
        if d >= len(days):
            days.extend([0.0] * (d + 1 - len(days)))
        days[d] += qty

    def day(self, d: int) -> float:
        """Units requested on day ``d``."""
        return self._days[d] if d < len(self._days) else 0.0

    def window(self, end: int, n: int) -> list[float]:
        """Units requested on each of the ``n`` days before day ``end`` (fewer at the start of the run)."""
        start = max(0, end - n)
        out = self._days[start:end]
        return out + [0.0] * (end - start - len(out)) if len(out) < end - start else out

    def ordered(self, t: float, qty: float) -> None:
        if self._orders is not None:
            self._orders.append((t, qty))

    def open_orders(self, on_order: float) -> deque[tuple[float, float]]:
        """The orders still open given ``on_order`` units on order: the oldest are taken as received
        first (first ordered, first received)."""
        orders = self._orders
        assert orders is not None, "open_orders needs a history that keeps orders"
        open_qty = sum(q for _, q in orders)
        while orders and open_qty - orders[0][1] >= on_order - 1e-9:
            open_qty -= orders.popleft()[1]
        return orders


class StockPoint:
    """One SKU at one DC: stock on hand, backorders waiting, and the replenishment policy.

    Inventory position = on hand - backorders + on order; the policy decides from it.
    Invariant: stock on hand is positive only when no backorder waits, or when the oldest
    backorder is a ship-complete line still short of its full quantity.

    Built with its collaborators: ``source`` (the node it orders from), ``upstream`` (the DC stock
    point it orders from, for echelon policies), ``history`` (where its demand and orders are
    written when it is re-planned during the run; None: planned once).
    """

    __slots__ = ("ctx", "node", "sku", "segment", "policy", "source", "on_hand", "on_order", "backlog",
                 "backlog_qty", "continuous", "dc", "echelon", "upstream", "downstream", "history", "alloc",
                 "lots", "facility", "index")

    def __init__(self, ctx: Context, node: str, sku: str, segment: Segment, policy: Replenishment,
                 initial: float | None, source: ServingNode, upstream: StockPoint | None,
                 history: DemandHistory | None, availability: Availability) -> None:
        self.ctx = ctx
        self.node = node
        self.sku = sku
        self.segment = segment  # the segment whose policy governs this stock
        self.policy = policy
        self.source = source
        self.on_hand = float(policy.initial_stock() if initial is None else initial)
        if ctx.integer_units:
            self.on_hand = float(math.ceil(self.on_hand))
        self.on_order = 0.0
        self.index = 0  # position in the model's list of stock points (its column in the daily stock log)
        self.backlog: deque[Request] = deque()
        self.backlog_qty = 0.0
        self.continuous = policy.review_period is None
        self.dc = availability  # the DC's: an outage closes it
        # Echelon policies decide on the position of this DC and everything downstream of it.
        self.echelon = policy.echelon
        self.upstream = upstream  # the DC stock point this one orders from, if any
        self.downstream: list[StockPoint] = []  # stock points that order from this one
        if upstream is not None:
            upstream.downstream.append(self)
        self.history = history
        self.alloc: Rationing | None = None  # sharing between segments (allocation.py); None: first come first served
        self.lots: PointLots | None = None  # the lot ledger, when ageing is configured (engine/ageing.py)
        self.facility: Facility | None = None  # the DC's space and pick limits, when it has any

    @property
    def position(self) -> float:
        return self.on_hand - self.backlog_qty + self.on_order

    @property
    def echelon_position(self) -> float:
        """Inventory position of this DC's echelon: its own position plus every downstream one's
        (= stock here and downstream, in transit between, on order, less end-customer backorders)."""
        return self.position + sum(d.echelon_position for d in self.downstream)

    def request(self, req: Request) -> float:
        """Serve a request from stock; backorder what is missing. Returns units filled now.

        While the DC is closed (an outage) the whole request waits.
        """
        self.ctx.stock_changed.append(self)  # every change of stock is marked: the daily reading reads these
        if self.history is not None:
            self.history.demand(self.ctx.env.now, req.qty)
        alloc = self.alloc
        if alloc is None:  # first come, first served: nothing ships past a waiting backorder
            # (``dc.factor > 0`` is ``dc.up`` without the property's call: this runs once per line)
            take = min(self.on_hand, req.qty) if self.dc.factor > 0 and self.backlog_qty <= _EPS else 0.0
        else:
            take = alloc.take(self, req)
        if req.complete_only and take < req.qty:
            take = 0.0
        if type(req) is OrderLine:
            req.immediate = take
        if take > 0:
            self.on_hand -= take
            req.open -= take
            self.dispatch(req, take)
        if req.open > 0:
            if req.patience <= 0:  # lost sales: booked as lost before any review, so never reordered
                if type(req) is OrderLine:
                    req.lost += req.open
                    req.target.lost(req, req.open)
                req.open = 0.0
            else:
                self.backlog.append(req)
                self.backlog_qty += req.open
                if req.patience < math.inf:
                    self.ctx.env.timeout(req.patience).callbacks.append(lambda _ev: self._give_up(req))
        if self.continuous:
            self.review()
        up = self.upstream
        while up is not None and up.echelon and up.continuous:  # demand here lowers their echelon position
            up.review()
            up = up.upstream
        return take

    def dispatch(self, req: Request, take: float) -> None:
        """Send ``take`` units just picked for ``req`` on their way: straight to the carrier, or
        through the DC's pick limits and 3PL when it has any (facility.py)."""
        if self.facility is None:
            self.ctx.carrier.ship(self.node, req, take)
        else:
            self.facility.pick(self, req, take)

    def _give_up(self, req: Request) -> None:
        """The customer's patience ran out: what is still open on the request is lost."""
        self.ctx.stock_changed.append(self)
        if req.open > 0:
            self.backlog_qty -= req.open
            if type(req) is OrderLine:
                req.lost += req.open
                req.target.lost(req, req.open)
            req.open = 0.0
            if self.on_hand > 0 and self.dc.up:  # a ship-complete line that gave up may have held others back
                self.serve_backlog()

    def receive(self, req: Request, qty: float) -> None:
        """A replenishment arrived: put it away, then clear backorders oldest first."""
        if self.facility is not None:
            qty = self.facility.receiving(self, req, qty)  # what does not fit waits at the dock
            if qty <= 0:
                return
        if self.lots is not None:
            self.lots.receive(req, qty)
        self.on_order -= qty
        self.on_hand += qty
        if self.facility is not None:
            self.facility.sync(self)
        self.serve_backlog()  # (which marks the point changed for the daily reading)

    def write_off(self, qty: float, reason: str) -> None:
        """Take ``qty`` units out of stock for good (``reason``: outage, expired, obsolete); the
        ledger counts them as written off."""
        self.ctx.stock_changed.append(self)
        if self.lots is not None:
            self.lots.remove(qty, reason)
        ctx = self.ctx
        self.on_hand -= qty
        ctx.ledger.written_off[self.sku] += qty
        if qty > 0:
            ctx.recorder.write_offs.append((ctx.env.now, self.node, self.sku, self.segment.name, qty, reason))
            if self.facility is not None:
                self.facility.sync(self)

    def serve_backlog(self) -> None:
        """Ship waiting backorders from stock on hand, oldest first."""
        self.ctx.stock_changed.append(self)
        if self.alloc is not None:
            self.alloc.serve_backlog(self)
            return
        backlog = self.backlog
        while backlog and self.on_hand > 0:
            head = backlog[0]
            if head.open <= 0:  # given up meanwhile
                backlog.popleft()
                continue
            if head.complete_only and self.on_hand < head.open:
                break  # a ship-complete line waits for all of it; those behind it wait too
            take = min(head.open, self.on_hand)
            self.on_hand -= take
            head.open -= take
            self.backlog_qty -= take
            self.dispatch(head, take)
            if head.open <= 0:
                backlog.popleft()

    def replan(self, policy: Replenishment) -> None:
        """Take a re-planned policy; a continuously reviewed point checks it at once."""
        self.policy = policy
        if self.continuous:
            self.review()

    def review(self) -> None:
        """Ask the policy whether to order now, and order from the source if so."""
        position = self.echelon_position if self.echelon else self.on_hand - self.backlog_qty + self.on_order
        qty = self.policy.order_qty(position)
        if qty <= 0:
            return
        source = self.source
        qty = max(self.ctx.order_size(qty), source.min_order_qty(self.sku))
        self.on_order += qty
        self.ctx.stock_changed.append(self)
        now = self.ctx.env.now
        if self.history is not None:
            self.history.ordered(now, qty)
        self.ctx.recorder.replenishments.append((now, self.node, self.sku, source.name, qty, position))
        source.request(Request(self.sku, qty, self.node, self, self.segment, "replenishment", now))


def network_depth(point: StockPoint) -> int:
    """How many DCs stand between this stock point and the outside source (plant or supplier):
    0 for a DC fed from outside, 1 for a DC fed by such a DC, and so on."""
    depth = 0
    while point.upstream is not None:
        depth += 1
        point = point.upstream
    return depth


def _review_period(point: StockPoint) -> float:
    period = point.policy.review_period if point.policy is not None else None
    if period is None:
        raise ValueError(f"{point.node}/{point.sku} has no review period: it is not reviewed periodically")
    return period


def periodic_reviews(env: simpy.Environment, points: list[StockPoint]) -> Generator[simpy.Event, None, None]:
    """The review clock of every periodic (R, S) / (s, S) policy in the network, as one process.

    A point with review period R is reviewed at 0, R, 2R, ... Reviews due at the same instant run
    downstream first (deepest in the network first; ties in the order the points were built), so an
    upstream DC reviewing at the same moment already sees the orders its customers' DCs just
    placed, as in the textbook serial (R, S) system. The rule does not depend on the order in
    which warehouses are listed in the config.
    """
    if not points:
        return
    order = {id(p): (-network_depth(p), i) for i, p in enumerate(points)}
    period_of = {id(p): _review_period(p) for p in points}
    periods = sorted(set(period_of.values()))
    groups = [[p for p in points if period_of[id(p)] == r] for r in periods]
    cycles = [0] * len(periods)  # reviews done per period; the next is due at cycles * period
    while True:
        now = env.now
        due = [p for i, r in enumerate(periods) if cycles[i] * r <= now + 1e-9 for p in groups[i]]
        for i, r in enumerate(periods):
            if cycles[i] * r <= now + 1e-9:
                cycles[i] += 1
        for point in sorted(due, key=lambda p: order[id(p)]):
            point.review()
        yield env.timeout(min(c * r for c, r in zip(cycles, periods, strict=True)) - now)


class WarehouseNode:
    """A DC: a stocking point per SKU it carries (periodic policies are reviewed by ``periodic_reviews``)."""

    kind = "warehouse"

    def __init__(self, ctx: Context, name: str, handling_cost_per_unit: float) -> None:
        self.ctx = ctx
        self.name = name
        self.handling_cost_per_unit = handling_cost_per_unit
        self.stock: dict[str, StockPoint] = {}
        self.facility: Facility | None = None  # space and pick limits, fixed cost, 3PL (facility.py)
        self.availability = Availability(ctx.env)  # 0 during an outage: no picks, no receipts

    def add(self, point: StockPoint) -> None:
        self.stock[point.sku] = point

    def start(self) -> None:
        """Review continuous policies once at time zero (periodic reviews of every DC run on one
        network-wide schedule: ``periodic_reviews``)."""
        for point in self.stock.values():  # a policy may want to order at time zero
            if point.continuous:
                point.review()


    def request(self, req: Request) -> None:
        self.stock[req.sku].request(req)

    # ---------------------------------------------------------------- disruption hooks
    def may_close(self) -> None:
        """An outage is scheduled here: while closed, goods arriving wait at the dock."""
        self.availability.expect_changes()
        self.ctx.carrier.hold_at_dock(self.name, self.availability)

    def write_off(self, share: float) -> None:
        """Destroy ``share`` of the stock on hand of every SKU here (whole units when units are whole);
        the ledger counts it as written off."""
        integer = self.ctx.integer_units
        for point in self.stock.values():
            lost = point.on_hand * share
            if integer:
                lost = float(math.floor(lost))
            point.write_off(lost, "outage")

    def serve_backlogs(self) -> None:
        """Ship waiting backorders of every SKU from stock, oldest first (nothing while closed)."""
        if self.availability.up:
            for point in self.stock.values():
                point.serve_backlog()

    def on_hand(self, sku: str) -> float:
        point = self.stock.get(sku)
        return point.on_hand if point is not None else 0.0

    def min_order_qty(self, sku: str) -> float:
        return 0.0
