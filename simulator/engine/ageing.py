"""The life of stock after it is received, for runs that configure ``inventory:``: lots and their
ages, expiry at the end of the shelf life, the slow/obsolete rule of each segment (dispose at a
salvage value, or reposition to a DC that has demand), and who owns the stock.

``Ageing`` is built by the model only when ``Spec.inventory`` is set; it gives every stock point a
``PointLots`` (the point's ``lots`` hook) and writes three tables: ``stock_age`` (each day's units
per age bucket per stock point), ``lot_events`` (every unit that expired, was disposed of,
repositioned or destroyed, with its age) and ``ownership`` (owned or consigned, per stock point).
Units that expire or are disposed of leave through the stock point's ``write_off`` (the same hook
a DC outage uses), so the unit ledger counts them as written off. A DC that feeds other DCs sees the
carrier through ``_Outbound``: what it ships to them takes its lots (and their age) along; nothing
else in the stock point changes.
"""

from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING, Any

import pandas as pd

from simulator.engine.ageing_rules import CONSIGNMENT, OWNED, InventoryRules, ObsoleteRule
from simulator.engine.flow import Request
from simulator.engine.lots import LotBook, Piece, pieces_age, pieces_units
from simulator.engine.warehouse import DemandHistory

if TYPE_CHECKING:
    from policies.base import ItemStats, Replenishment
    from simulator.engine.context import Context
    from simulator.engine.flow import Carrier
    from simulator.engine.warehouse import StockPoint, WarehouseNode

log = logging.getLogger(__name__)

LOT_EVENT_COLUMNS = ("time", "node", "sku", "segment", "event", "qty", "avg_age_days", "value", "salvage", "dest")
OWNERSHIP_COLUMNS = ("node", "sku", "segment", "ownership")
WRITE_OFF_EVENTS = {"outage": "damaged", "expired": "expired", "obsolete": "disposed"}  # write-off reason -> event


class PointLots:
    """The lot hook of one stock point: the stock point calls ``receive`` before it puts a receipt
    away and ``remove`` before it writes stock off; everything else reads the book lazily."""

    __slots__ = ("ageing", "point", "book", "unit_cost", "due")

    def __init__(self, ageing: Ageing, point: StockPoint, book: LotBook, unit_cost: float) -> None:
        self.ageing = ageing
        self.point = point
        self.book = book
        self.unit_cost = unit_cost
        self.due: float | None = None  # when the expiry check now scheduled is due

    def receive(self, request: Request, qty: float) -> None:
        """``qty`` units arrive for ``request`` (the point has not put them away yet)."""
        now = self.ageing.ctx.env.now
        book = self.book
        book.sync(self.point.on_hand, now)
        carried = self.ageing.carried.get(request)  # a repositioned lot keeps its age
        left = qty
        while carried and left > 1e-9:  # a consolidated truck may bring a shipment in parts
            born, units = carried[0]
            part = min(units, left)
            book.add(born, now, part)
            left -= part
            if part >= units - 1e-9:
                carried.pop(0)
            else:
                carried[0] = (born, units - part)
        if carried is not None and not carried:
            del self.ageing.carried[request]
        book.add(now, now, left)
        self.ageing.watch_expiry(self)

    def remove(self, qty: float, reason: str) -> None:
        """``qty`` units are about to be written off for ``reason`` (outage damage strikes every lot
        alike; expiry removes the expired lots; obsolete stock goes oldest first)."""
        now = self.ageing.ctx.env.now
        book = self.book
        book.sync(self.point.on_hand, now)
        if reason == "expired":
            pieces = book.expired(now)
        elif reason == "obsolete":
            pieces = book.take(qty)
        else:
            pieces = book.take_share(qty)
        self.ageing.event(self, WRITE_OFF_EVENTS.get(reason, reason), pieces)


class _Outbound:
    """The carrier as a DC that feeds other DCs sees it: a replenishment it ships takes its lots
    along (picked from its book in issue order), so the receiving DC keeps their age."""

    def __init__(self, carrier: Carrier, lots: PointLots) -> None:
        self._carrier = carrier
        self._lots = lots

    def __getattr__(self, name: str) -> Any:
        return getattr(self._carrier, name)

    def ship(self, origin: str, request: Request, qty: float) -> None:
        lots = self._lots
        if request.kind == "replenishment" and type(request.target) is type(lots.point):
            # the point has just taken ``qty`` off its stock: first book the picks before it, then these
            book = lots.book
            book.sync(lots.point.on_hand + qty, lots.ageing.ctx.env.now)
            lots.ageing.carried.setdefault(request, []).extend(book.take(qty))
        self._carrier.ship(origin, request, qty)


class _PointContext:
    """The run's context as a DC that feeds other DCs sees it: the same in everything but its carrier
    (``_Outbound``)."""

    def __init__(self, ctx: Context, lots: PointLots) -> None:
        self._ctx = ctx
        self.env = ctx.env
        self.recorder = ctx.recorder
        self.ledger = ctx.ledger
        self.integer_units = ctx.integer_units
        self.carrier = _Outbound(ctx.carrier, lots)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ctx, name)


class _Held:
    """A stock point's replenishment policy while its stock is obsolete: it orders nothing until
    demand for the item returns (then the policy it had is restored)."""

    def __init__(self, policy: Replenishment) -> None:
        self.policy = policy
        self.review_period = policy.review_period

    @property
    def echelon(self) -> bool:
        return self.policy.echelon

    def order_qty(self, position: float) -> float:
        return 0.0

    def planned(self, stats: ItemStats, safety_stock: float) -> Replenishment:
        return self.policy.planned(stats, safety_stock)

    def initial_stock(self) -> float:
        return self.policy.initial_stock()


class Ageing:
    """Lots, expiry, obsolete stock and ownership for every stock point of a run."""

    def __init__(self, ctx: Context, rules: InventoryRules, points: list[StockPoint],
                 warehouses: dict[str, WarehouseNode]) -> None:
        self.ctx = ctx
        self.rules = rules
        self.points = points
        self.warehouses = warehouses
        skus = ctx.spec.skus
        self.carried: dict[Request, list[Piece]] = {}  # repositioning shipments -> the lots they carry
        self.events: list[tuple[Any, ...]] = []
        self.readings: list[tuple[Any, ...]] = []
        self.edges = list(rules.age_buckets)
        self.held: dict[int, float] = {}  # id(point) -> when its replenishment was held
        self._scanned: dict[int, tuple[int, float]] = {}  # id(point) -> (days scanned, end of last day asked)
        self._read_days = (0, 0)  # (days read, days to read)
        for p in points:
            shelf = rules.shelf_life.get(p.sku)
            lots = p.lots = PointLots(self, p, LotBook(rules.fefo(p.sku), shelf), skus[p.sku].unit_cost)
            lots.book.add(0.0, 0.0, p.on_hand)  # the starting stock is new at day 0
            self.watch_expiry(lots)
            if p.downstream:  # its replenishments to other DCs carry their lots' age
                p.ctx = _PointContext(ctx, lots)  # type: ignore[assignment]

    # ---------------------------------------------------------------- clock
    def start(self) -> None:
        """Schedule the daily age reading and the obsolete-stock reviews."""
        days = int(math.floor(self.ctx.spec.horizon_days))
        if days > 0:
            self.ctx.urgent(1.0, lambda: self._read(1, days))
        self._read_days = (0, days)
        if self.rules.obsolete:
            for p in self.points:  # the obsolete rules read each DC's demand from its demand history
                if p.history is None:  # (set after the re-planners were built: planned once stays planned once)
                    p.history = DemandHistory()
            self.ctx.env.timeout(self.rules.review_days).callbacks.append(lambda _ev: self._review())

    def watch_expiry(self, lots: PointLots) -> None:
        """Write off the point's next lot when its shelf life runs out."""
        due = lots.book.next_expiry()
        if due is None or (lots.due is not None and lots.due <= due + 1e-9):
            return  # no shelf life or no stock; or a check at or before it is already scheduled
        lots.due = due
        env = self.ctx.env
        env.timeout(max(due - env.now, 0.0)).callbacks.append(lambda _ev: self._expire(lots, due))

    def _expire(self, lots: PointLots, due: float) -> None:
        if lots.due != due:
            return  # an earlier check replaced this one (and scheduled the next)
        lots.due = None
        point, now = lots.point, self.ctx.env.now
        lots.book.sync(point.on_hand, now)
        book = lots.book
        if book.shelf_life is not None:
            qty = sum(lot[2] for lot in book.lots if lot[0] <= now - book.shelf_life + 1e-9)
            if qty > 0:
                point.write_off(qty, "expired")
        self.watch_expiry(lots)

    def _read(self, day: int, days: int) -> None:
        """End-of-day ages (read at the start of the next day, like the stock table)."""
        now = self.ctx.env.now
        self._read_days = (day, days)
        for p in self.points:
            lots = p.lots
            assert lots is not None
            lots.book.sync(p.on_hand, now)
            units, age_sum, buckets = lots.book.age_profile(now, self.edges)
            self.readings.append((day, p.node, p.sku, p.segment.name, units, age_sum / units if units > 0 else 0.0,
                                  *buckets))
        if day < days:
            self.ctx.urgent(1.0, lambda: self._read(day + 1, days))

    # ---------------------------------------------------------------- records
    def event(self, lots: PointLots, kind: str, pieces: list[Piece], salvage: float = 0.0, dest: str = "") -> None:
        qty = pieces_units(pieces)
        if qty <= 0:
            return
        now, p = self.ctx.env.now, lots.point
        if kind == "disposed":
            salvage = qty * lots.unit_cost * self.rules.obsolete[p.segment.name].salvage_share
        self.events.append((now, p.node, p.sku, p.segment.name, kind, qty, pieces_age(pieces, now) / qty,
                            qty * lots.unit_cost, salvage, dest))

    def tables(self) -> dict[str, pd.DataFrame]:
        """``stock_age``, ``lot_events`` and ``ownership``."""
        done, days = self._read_days
        if done < days and self.ctx.env.now >= days:  # the run stopped at the horizon before the last reading
            self._read(done + 1, done + 1)
        stock_age = pd.DataFrame(self.readings, columns=["day", "node", "sku", "segment", "on_hand", "avg_age_days",
                                                         *self.rules.bucket_names()])
        return {"stock_age": stock_age, "lot_events": pd.DataFrame(self.events, columns=list(LOT_EVENT_COLUMNS)),
                "ownership": pd.DataFrame([(p.node, p.sku, p.segment.name, self.owner(p)) for p in self.points],
                                          columns=list(OWNERSHIP_COLUMNS))}

    def owner(self, point: StockPoint) -> str:
        """Who owns the stock here: consigned when its segment is, or when it comes from a consigning
        supplier (bought-in goods); title passes to the company when it is picked for a customer."""
        rules = self.rules
        if rules.segment_ownership.get(point.segment.name) == CONSIGNMENT:
            return CONSIGNMENT
        top = point
        while top.upstream is not None:
            top = top.upstream
        source = self.ctx.network.stock_source(top.node, point.sku)
        return CONSIGNMENT if rules.supplier_ownership.get(source or "") == CONSIGNMENT else OWNED

    # ---------------------------------------------------------------- obsolete stock
    def _last_demand(self, p: StockPoint) -> float:
        """When the DC was last asked for the SKU (customer lines and replenishment orders of the DCs it
        feeds, from the point's demand history), to the day: the end of the last day with demand, or
        now if it was asked today; 0 if never."""
        hist, now = p.history, self.ctx.env.now
        assert hist is not None  # ``start`` gives every point one when obsolete rules are set
        today = int(now)
        scanned, last = self._scanned.get(id(p), (0, 0.0))
        for d in range(scanned, today):  # each whole day once
            if hist.day(d) > 0:
                last = d + 1.0
        self._scanned[id(p)] = (today, last)
        return now if hist.day(today) > 0 else last

    def _rate(self, p: StockPoint, window: float) -> float:
        """Units asked of the DC per day over the last ``window`` whole days."""
        hist = p.history
        assert hist is not None
        n = max(1, round(window))
        return sum(hist.window(int(self.ctx.env.now), n)) / n

    def _review(self) -> None:
        rules, now = self.rules, self.ctx.env.now
        for p in self.points:
            held = self.held.get(id(p))
            if held is not None and self._last_demand(p) > held:  # demand is back: restock
                del self.held[id(p)]
                if isinstance(p.policy, _Held):  # (a re-plan during the run may have replaced it already)
                    p.replan(p.policy.policy)
            rule = rules.obsolete.get(p.segment.name)
            if rule is None or p.on_hand <= 0 or held is not None:
                continue
            excess, obsolete = self._excess(p, rule, now)
            if excess > 0:
                self._act(p, rule, excess, obsolete)
        self.ctx.env.timeout(rules.review_days).callbacks.append(lambda _ev: self._review())

    def _excess(self, p: StockPoint, rule: ObsoleteRule, now: float) -> tuple[float, bool]:
        """Units of the point's stock that are slow or obsolete, and whether the item is obsolete (no
        demand at all: its replenishment is held)."""
        if rule.no_demand_days is not None and now - self._last_demand(p) >= rule.no_demand_days - 1e-9:
            return p.on_hand, True
        if rule.max_cover_days is not None and now >= rule.cover_window_days - 1e-9:
            rate = self._rate(p, rule.cover_window_days)
            if rate <= 0:
                return p.on_hand, True
            excess = p.on_hand - rule.max_cover_days * rate
            if self.ctx.integer_units:
                excess = float(math.floor(excess + 1e-9))
            return max(excess, 0.0), False
        return 0.0, False

    def _act(self, p: StockPoint, rule: ObsoleteRule, qty: float, obsolete: bool) -> None:
        dest = self._destination(p, rule) if rule.action == "reposition" else None
        if dest is None:
            if rule.action == "reposition":
                log.debug("%s/%s: no DC with demand within reach; disposing of %g units", p.node, p.sku, qty)
            p.write_off(qty, "obsolete")
        else:
            self._reposition(p, dest, qty)
        if obsolete:
            self.held[id(p)] = self.ctx.env.now
            p.replan(_Held(p.policy))

    def _destination(self, p: StockPoint, rule: ObsoleteRule) -> StockPoint | None:
        """The DC that asked most for the SKU over the rule's window, among those the stock can reach."""
        best, best_rate = None, 0.0
        network = self.ctx.network
        for name, wh in self.warehouses.items():
            other = wh.stock.get(p.sku)
            if name == p.node or other is None or network.route(p.node, name) is None:
                continue
            rate = self._rate(other, rule.cover_window_days)
            if rate > best_rate:
                best, best_rate = other, rate
        return best

    def _reposition(self, p: StockPoint, dest: StockPoint, qty: float) -> None:
        """Ship ``qty`` units (oldest first) to ``dest`` through the carrier; ``dest`` counts them as on
        order until they arrive, and the lots keep their age."""
        lots = p.lots
        assert lots is not None
        now = self.ctx.env.now
        lots.book.sync(p.on_hand, now)
        pieces = lots.book.take(qty)
        p.on_hand -= qty
        request = Request(p.sku, qty, dest.node, dest, p.segment, "transfer", now)
        self.carried[request] = pieces
        dest.on_order += qty
        self.ctx.stock_changed.extend((p, dest))
        self.event(lots, "repositioned", pieces, dest=dest.node)
        p.dispatch(request, qty)  # through the DC's pick limits, when it has any
