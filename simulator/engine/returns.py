"""Returns (reverse logistics): what customers send back, and the returns centre that takes it in.

A share of the units delivered to a customer comes back (``rate``, per segment and channel) some days
after delivery (``delay``). The customer hands the units to the carrier, which brings them over the
lane from the customer to its returns centre. There an inspector (``inspectors`` work in parallel)
sorts each parcel into resaleable, refurbishable and scrap (``mix``); refurbishable units wait for a
refurbishing bench (``benches``). Resaleable and refurbished units go back on a lane to the first
DC of ``restock_to`` that stocks the SKU, where they are put away as stock on hand (no purchase
order is booked as received: nobody ordered them). Scrap leaves the network.

The carrier hands final deliveries to customers at the next day boundary (``Carrier.deliver_due``), so
a return is sent at the delivery time + ``delay``, or at that day boundary if it comes later: a
delay shorter than a day may be served up to a day late.

The config section declared here (``ReturnsCentre``) is also the object the engine reads: the
schema validates it once and the spec holds it as is (there is no separate domain dataclass).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Generator, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import simpy
from pydantic import Field, model_validator

from simulator.engine.flow import OrderLine, Request
from simulator.engine.params import Count, DistSpec, Invalid, Names, NonNeg, Section, Share, Text, to_dist

if TYPE_CHECKING:
    from simulator.engine.context import Context
    from simulator.engine.spec import Segment
    from simulator.engine.warehouse import StockPoint

CONDITIONS = ("resaleable", "refurbishable", "scrap")


# ---------------------------------------------------------------------------------------- config sections
class ConditionMix(Section):
    """What inspection finds in returned units: shares that add up to 1."""

    resaleable: Share = Field(1.0, description="share put straight back into stock")
    refurbishable: Share = Field(0.0, description="share refurbished on a bench, then put back into stock")
    scrap: Share = Field(0.0, description="share thrown away")

    @model_validator(mode="after")
    def _adds_up(self) -> ConditionMix:
        total = self.resaleable + self.refurbishable + self.scrap
        if abs(total - 1.0) > 1e-9:
            raise Invalid("resaleable", {c: getattr(self, c) for c in CONDITIONS},
                          f"resaleable + refurbishable + scrap must add up to 1; they add up to {total:g}")
        return self

    def shares(self) -> tuple[float, float, float]:
        return self.resaleable, self.refurbishable, self.scrap


class ReturnRule(Section):
    """What the customers of some segments and channels send back. Filters left out match everything."""

    segments: Names | None = Field(None, description="segments it applies to (default: every segment)")
    channels: Names | None = Field(None, description="channels it applies to (default: every channel)")
    rate: Share = Field(description="share of delivered units that come back")
    delay: DistSpec = Field(  # type: ignore[valid-type]
        0.0, description="days from delivery until the customer hands the units to the carrier")
    mix: ConditionMix = Field(ConditionMix.model_validate({}),
                              description="condition of the returned units (default: all resaleable)")

    def matches(self, segment: str, channel: str) -> bool:
        return (self.segments is None or segment in self.segments) and \
            (self.channels is None or channel in self.channels)


class ReturnLane(Section):
    """The lanes a returns centre adds: one transport mode and its lead time."""

    mode: Text = Field(description="a transport mode of network.transport_modes (its costs and CO2 apply)")
    lead_time: DistSpec = Field(  # type: ignore[valid-type]
        description="days on the lane")


class ReturnsCentre(Section):
    """A returns centre: inspects what customers send back, refurbishes what can be, and puts the
    recovered units back into a DC's stock."""

    restock_to: Names = Field(min_length=1, description="DCs that take recovered units back, in preference "
                                                        "order (the first that stocks the SKU)")
    collects_from: Names | None = Field(None, description="customers whose returns come here (default: all)")
    returns: list[ReturnRule] = Field(min_length=1, description="what comes back: the first rule matching the "
                                                                "line's segment and channel applies")
    inbound: ReturnLane | None = Field(None, description="lane from each customer it collects from (else "
                                                         "network.lanes must have one)")
    outbound: ReturnLane | None = Field(None, description="lane to each restock DC (else network.lanes must "
                                                          "have one)")
    inspectors: Count = Field(1, description="parcels inspected at the same time")
    inspection_days: DistSpec = Field(  # type: ignore[valid-type]
        0.0, description="days to inspect one unit")
    inspection_cost_per_unit: NonNeg = Field(0.0, description="money per unit inspected (part of returns cost)")
    benches: Count = Field(1, description="refurbishing jobs done at the same time")
    refurbish_days: DistSpec = Field(  # type: ignore[valid-type]
        0.0, description="days to refurbish one unit")
    refurbish_cost_per_unit: NonNeg = Field(0.0, description="money per unit refurbished (part of returns cost)")

    def rule(self, segment: str, channel: str) -> ReturnRule | None:
        """The rule that applies to a line of ``segment`` sold through ``channel`` (None: nothing comes back)."""
        return next((r for r in self.returns if r.matches(segment, channel)), None)


# ---------------------------------------------------------------------------------------- pure decisions
def split_condition(qty: float, shares: tuple[float, float, float], rng: np.random.Generator | None
                    ) -> tuple[float, float, float]:
    """Sort ``qty`` returned units into (resaleable, refurbishable, scrap): a multinomial draw of whole
    units with ``rng``, or the exact shares of a fractional quantity when ``rng`` is None."""
    if rng is None:
        return qty * shares[0], qty * shares[1], qty * shares[2]
    r, f, s = rng.multinomial(int(round(qty)), shares)
    return float(r), float(f), float(s)


def returned_units(qty: float, rate: float, rng: np.random.Generator | None) -> float:
    """Units of a delivery of ``qty`` that come back: binomial in whole units, ``qty * rate`` otherwise."""
    if rng is None:
        return qty * rate
    return float(rng.binomial(int(round(qty)), rate))


# ---------------------------------------------------------------------------------------- the entity
RETURN_COLUMNS = ("line_id", "ordered", "customer", "channel", "sku", "segment", "centre", "delivered", "sent",
                  "qty", "received", "inspect_start", "inspected", "resaleable", "refurbishable", "scrap",
                  "refurbish_start", "refurbished", "restock_dc", "inspection_cost", "refurbish_cost")


class Lot:
    """The units of one delivery that come back together (one parcel); one row of the ``returns`` table."""

    __slots__ = RETURN_COLUMNS

    def __init__(self, line: OrderLine, centre: str, delivered: float, sent: float, qty: float) -> None:
        self.line_id, self.ordered, self.customer = line.line_id, line.created, line.dest_node
        self.channel = line.channel
        assert line.segment is not None  # a customer line always has its segment
        self.sku, self.segment, self.centre = line.sku, line.segment.name, centre
        self.delivered, self.sent, self.qty = delivered, sent, qty
        self.received = self.inspect_start = self.inspected = self.refurbish_start = self.refurbished = math.nan
        self.resaleable = self.refurbishable = self.scrap = 0.0
        self.inspection_cost = self.refurbish_cost = 0.0
        self.restock_dc = ""


class _Return(Request):
    """A lot on its way (to the returns centre, or back to a DC)."""

    __slots__ = ("lot",)
    lot: Lot


class _Restock:
    """Receives recovered units at a DC as any receipt is received (dock capacity, lots, then waiting
    backorders served), except that nobody ordered them: a receipt books its units off ``on_order``,
    so they are booked onto it first and the inventory position is not lowered by them."""

    def __init__(self, point: StockPoint) -> None:
        self.point = point

    def receive(self, request: Request, qty: float) -> None:
        self.point.on_order += qty
        self.point.receive(request, qty)


class ReturnsCentreNode:
    """One returns centre at work: inspectors and benches are SimPy resources (lots queue for them,
    first come first served)."""

    kind = "returns_centre"

    def __init__(self, ctx: Context, name: str, cfg: ReturnsCentre, restock: Mapping[str, tuple[str, StockPoint]]
                 ) -> None:
        self.ctx, self.name, self.cfg = ctx, name, cfg
        self.env = ctx.env
        self.inspectors = simpy.Resource(ctx.env, capacity=cfg.inspectors)
        self.benches = simpy.Resource(ctx.env, capacity=cfg.benches)
        self._restock = {sku: (dc, _Restock(point)) for sku, (dc, point) in restock.items()}
        whole = ctx.integer_units
        rng = ctx.streams.rng
        self._count_rng = rng("returns", name, "count") if whole else None
        self._mix_rng = rng("returns", name, "condition") if whole else None
        self._delay = [to_dist(r.delay).sampler(rng("returns", name, "delay", str(i)))
                       for i, r in enumerate(cfg.returns)]
        self._inspect_days = to_dist(cfg.inspection_days).sampler(rng("returns", name, "inspection"))
        self._refurbish_days = to_dist(cfg.refurbish_days).sampler(rng("returns", name, "refurbish"))
        self._rule_of: dict[tuple[str, str], int | None] = {}  # (segment, channel) -> index of its rule
        self.lots: list[Lot] = []  # sent so far, in the order they were sent
        self.returned: defaultdict[str, float] = defaultdict(float)  # units customers handed back, per SKU
        self.scrapped: defaultdict[str, float] = defaultdict(float)
        self.held: defaultdict[str, float] = defaultdict(float)  # at the centre now (queued, inspected, refurbished)

    def delivered(self, line: OrderLine, qty: float, at: float) -> None:
        """``qty`` units of ``line`` reached its customer at ``at``: draw how many come back, and when."""
        assert line.segment is not None
        key = (line.segment.name, line.channel)
        i = self._rule_of.get(key, -1)
        if i == -1:
            rule = self.cfg.rule(*key)
            i = self._rule_of[key] = None if rule is None else self.cfg.returns.index(rule)
        if i is None:
            return
        rule = self.cfg.returns[i]
        back = returned_units(qty, rule.rate, self._count_rng)
        if back <= 0:
            return
        send_at = at + self._delay[i]()
        lot = Lot(line, self.name, at, send_at, back)
        self.env.timeout(max(0.0, send_at - self.env.now)).callbacks.append(lambda _ev: self._send(lot, line))

    def _send(self, lot: Lot, line: OrderLine) -> None:
        lot.sent = self.env.now
        self.lots.append(lot)
        self.returned[lot.sku] += lot.qty
        self.ctx.carrier.ship(lot.customer, self._request(lot, lot.qty, self.name, self, line.segment, "return"),
                              lot.qty)

    def _request(self, lot: Lot, qty: float, dest: str, target: Any, segment: Segment | None, path: str) -> _Return:
        """A carrier request for ``qty`` units of ``lot`` (``path``: ``return`` to the centre, ``restock`` to a DC)."""
        req = _Return(lot.sku, qty, dest, target, segment, "return", self.env.now)
        req.lot, req.path = lot, path
        return req

    def receive(self, request: Request, qty: float) -> None:
        """A lot arrived from a customer: it queues for an inspector."""
        assert isinstance(request, _Return)
        lot = request.lot
        lot.received = self.env.now
        self.held[lot.sku] += qty
        self.env.process(self._work(lot, request.segment))

    def _work(self, lot: Lot, segment: Segment | None) -> Generator[simpy.Event, Any, None]:
        cfg = self.cfg
        with self.inspectors.request() as turn:
            yield turn
            lot.inspect_start = self.env.now
            yield self.env.timeout(_total(self._inspect_days, lot.qty))
        lot.inspected = self.env.now
        lot.inspection_cost = lot.qty * cfg.inspection_cost_per_unit
        rule = cfg.rule(lot.segment, lot.channel)
        assert rule is not None
        lot.resaleable, lot.refurbishable, lot.scrap = split_condition(lot.qty, rule.mix.shares(), self._mix_rng)
        self.held[lot.sku] -= lot.scrap
        self.scrapped[lot.sku] += lot.scrap
        self._restock_units(lot, lot.resaleable, segment)
        if lot.refurbishable <= 0:
            return
        with self.benches.request() as turn:
            yield turn
            lot.refurbish_start = self.env.now
            yield self.env.timeout(_total(self._refurbish_days, lot.refurbishable))
        lot.refurbished = self.env.now
        lot.refurbish_cost = lot.refurbishable * cfg.refurbish_cost_per_unit
        self._restock_units(lot, lot.refurbishable, segment)

    def _restock_units(self, lot: Lot, qty: float, segment: Segment | None) -> None:
        if qty <= 0:
            return
        dc, target = self._restock[lot.sku]
        lot.restock_dc = dc
        self.held[lot.sku] -= qty
        self.ctx.carrier.ship(self.name, self._request(lot, qty, dc, target, segment, "restock"), qty)


def _total(per_unit: Callable[[], float], qty: float) -> float:
    """Days to work through ``qty`` units, one draw per whole unit (a fraction of a unit counts in proportion)."""
    whole = int(qty)
    days = sum(per_unit() for _ in range(whole))
    if qty > whole:
        days += (qty - whole) * per_unit()
    return days


# ---------------------------------------------------------------------------------------- all centres of a run
class Returns:
    """The returns centres of one run, and the delivery hook each customer stream calls."""

    def __init__(self, ctx: Context, points: Mapping[tuple[str, str], StockPoint]) -> None:
        spec = ctx.spec
        self.centres: dict[str, ReturnsCentreNode] = {}
        self.centre_of: dict[str, ReturnsCentreNode] = {}  # customer -> its centre
        for name, cfg in spec.returns_centres.items():
            restock = {}
            for sku in spec.skus:
                dc = next((d for d in cfg.restock_to if (d, sku) in points), None)
                if dc is not None:
                    restock[sku] = (dc, points[(dc, sku)])
            node = self.centres[name] = ReturnsCentreNode(ctx, name, cfg, restock)
            for customer in cfg.collects_from if cfg.collects_from is not None else spec.customers:
                self.centre_of[customer] = node

    def hooks(self) -> dict[str, Callable[[OrderLine, float, float], None]]:
        """Customer -> what its stream calls on each delivery."""
        return {customer: node.delivered for customer, node in self.centre_of.items()}

    def table(self) -> Any:
        """The ``returns`` table: one row per lot sent back, in the order sent (pandas DataFrame)."""
        import pandas as pd

        rows = [tuple(getattr(lot, c) for c in RETURN_COLUMNS) for node in self.centres.values() for lot in node.lots]
        return pd.DataFrame(rows, columns=list(RETURN_COLUMNS))

    def balance(self, skus: list[str]) -> dict[str, list[float]]:
        """Unit-balance columns per SKU: ``returned`` (handed back by customers), ``scrapped`` and
        ``at_returns_centre_end`` (queued, in inspection or refurbishing when the run ended)."""
        nodes = self.centres.values()
        parts = (("returned", "returned"), ("scrapped", "scrapped"), ("at_returns_centre_end", "held"))
        return {col: [sum(getattr(n, attr)[sku] for n in nodes) for sku in skus] for col, attr in parts}
