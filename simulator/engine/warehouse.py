"""Distribution centres: finished-goods stock per SKU, served first come first served."""

from __future__ import annotations

import logging
import math
from collections import deque
from collections.abc import Generator

import simpy

from policies.base import ItemStats, Replenishment
from simulator.engine.availability import Availability
from simulator.engine.flow import Context, Node, OrderLine, Request
from simulator.engine.spec import Segment

log = logging.getLogger(__name__)

_EPS = 1e-9  # below this, a backlog left by fractional units counts as cleared


class StockPoint:
    """One SKU at one DC: stock on hand, backorders waiting, and the replenishment policy.

    Inventory position = on hand - backorders + on order; the policy decides from it.
    Invariant: stock on hand is positive only when no backorder waits, or when the oldest
    backorder is a ship-complete line still short of its full quantity.
    """

    __slots__ = ("ctx", "node", "sku", "segment", "policy", "source", "on_hand", "on_order", "backlog",
                 "backlog_qty", "continuous", "dc", "echelon", "upstream", "downstream", "plan", "history",
                 "demanded")

    def __init__(self, ctx: Context, node: str, sku: str, segment: Segment, policy: Replenishment,
                 initial: float | None = None) -> None:
        self.ctx = ctx
        self.node = node
        self.sku = sku
        self.segment = segment  # the segment whose policy governs this stock
        self.policy = policy
        self.source: Node | None = None
        self.on_hand = float(policy.initial_stock() if initial is None else initial)
        if ctx.integer_units:
            self.on_hand = float(math.ceil(self.on_hand))
        self.on_order = 0.0
        self.backlog: deque[Request] = deque()
        self.backlog_qty = 0.0
        self.continuous = policy.review_period is None
        self.dc = Availability(ctx.env)  # the DC's own, once added to it (an outage closes it)
        # Echelon policies decide on the position of this DC and everything downstream of it.
        self.echelon = bool(getattr(policy, "echelon", False))
        self.upstream: StockPoint | None = None  # the DC stock point this one orders from, if any
        self.downstream: list[StockPoint] = []  # stock points that order from this one
        self.plan: tuple[Replenishment, ItemStats] | None = None  # the rule and planning figures behind policy
        # Recent demand (time, units), kept only when the safety stock is re-computed during the run.
        self.history: deque[tuple[float, float]] | None = \
            deque() if getattr(segment.policies.safety_stock, "every_days", None) else None
        self.demanded = 0.0  # cumulative units requested here (what demand planning forecasts)

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
        if self.history is not None:
            self.history.append((self.ctx.env.now, req.qty))
        self.demanded += req.qty
        # First come, first served: nothing ships past a waiting backorder.
        take = min(self.on_hand, req.qty) if self.dc.up and self.backlog_qty <= _EPS else 0.0
        if req.complete_only and take < req.qty:
            take = 0.0
        if type(req) is OrderLine:
            req.immediate = take
        if take > 0:
            self.on_hand -= take
            req.open -= take
            self.ctx.carrier.ship(self.node, req, take)
        if req.open > 0:
            if req.patience <= 0:  # lost sales: booked as lost before any review, so never reordered
                if type(req) is OrderLine:
                    req.lost += req.open
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

    def _give_up(self, req: Request) -> None:
        """The customer's patience ran out: what is still open on the request is lost."""
        if req.open > 0:
            self.backlog_qty -= req.open
            if type(req) is OrderLine:
                req.lost += req.open
            req.open = 0.0
            if self.on_hand > 0 and self.dc.up:  # a ship-complete line that gave up may have held others back
                self.serve_backlog()

    def receive(self, req: Request, qty: float) -> None:
        """A replenishment arrived: put it away, then clear backorders oldest first."""
        self.on_order -= qty
        self.on_hand += qty
        self.serve_backlog()

    def serve_backlog(self) -> None:
        """Ship waiting backorders from stock on hand, oldest first."""
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
            self.ctx.carrier.ship(self.node, head, take)
            if head.open <= 0:
                backlog.popleft()

    def replan(self) -> None:
        """Re-compute safety stock and policy levels from the demand seen over the last window."""
        ss = self.segment.policies.safety_stock
        rule, stats = self.plan  # type: ignore[misc]
        now, days = self.ctx.env.now, int(ss.window_days)
        start = now - days
        history = self.history
        while history and history[0][0] < start:
            history.popleft()
        daily = [0.0] * days
        for t, qty in history:  # type: ignore[union-attr]
            daily[min(int(t - start), days - 1)] += qty
        stats = ss.restate(stats, daily)
        cover = stats.lead_time_mean + (rule.review_period or 0.0)
        self.policy = rule.planned(stats, ss.units(stats, cover))
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
        now = self.ctx.env.now
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
    periods = sorted({p.policy.review_period for p in points})
    groups = [[p for p in points if p.policy.review_period == r] for r in periods]
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


class Warehouse:
    """A DC: a stocking point per SKU it carries (periodic policies are reviewed by ``periodic_reviews``)."""

    kind = "warehouse"

    def __init__(self, ctx: Context, name: str, handling_cost_per_unit: float) -> None:
        self.ctx = ctx
        self.name = name
        self.handling_cost_per_unit = handling_cost_per_unit
        self.stock: dict[str, StockPoint] = {}
        self.availability = Availability(ctx.env)  # 0 during an outage: no picks, no receipts

    def add(self, point: StockPoint) -> None:
        point.dc = self.availability
        self.stock[point.sku] = point

    def start(self) -> None:
        """Review continuous policies once at time zero and start the dynamic safety-stock re-plans
        (periodic reviews of every DC run on one network-wide schedule: ``periodic_reviews``)."""
        for point in self.stock.values():  # a policy may want to order at time zero
            if point.continuous:
                point.review()
        dynamic: dict[str, list[StockPoint]] = {}
        for point in self.stock.values():
            if point.history is not None:
                dynamic.setdefault(point.segment.name, []).append(point)
        for points in dynamic.values():
            self.ctx.env.process(self._replans(points))

    def _replans(self, points: list[StockPoint]):
        """Re-plan one segment's dynamic safety stocks every ``every_days``, once a full window of
        demand has been seen."""
        env = self.ctx.env
        ss = points[0].segment.policies.safety_stock
        yield env.timeout(max(ss.window_days, ss.every_days))
        while True:
            for point in points:
                point.replan()
            yield env.timeout(ss.every_days)

    def request(self, req: Request) -> None:
        self.stock[req.sku].request(req)

    def on_hand(self, sku: str) -> float:
        point = self.stock.get(sku)
        return point.on_hand if point is not None else 0.0

    def min_order_qty(self, sku: str) -> float:
        return 0.0
