"""Stock allocation between segments at a DC: the engine side of ``policies.stock_allocation``.

A stock point whose DC (or governing segment) sets an active stock-allocation policy gets a
``Rationing`` object; every other stock point keeps first come, first served and never calls into
this module. ``Rationing`` decides how much an arriving line may take and fills backorders when
stock arrives; it records the units it held back (``rationing`` table).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from typing import TYPE_CHECKING

from policies.stock_allocation import StockAllocation
from simulator.engine.flow import OrderLine, Request
from simulator.engine.spec import Segment, Spec
from simulator.engine.stocking import Flow

if TYPE_CHECKING:
    from simulator.engine.warehouse import StockPoint

_EPS = 1e-9


def allocation_policy(spec: Spec, warehouse: str, segment: Segment) -> StockAllocation | None:
    """The active allocation policy of a stock point: its DC's, else its governing segment's;
    None when neither sets one (first come, first served)."""
    policy = spec.warehouses[warehouse].stock_allocation or segment.policies.stock_allocation
    return policy if policy is not None and policy.active else None


class Rationing:
    """Critical levels at one stock point: the units each segment may not take, and the order
    backorders are filled in.

    ``levels``: units held back from each segment's lines (segments not listed: 0); ``whole``: the
    run counts whole units, so levels (e.g. from days of demand) are rounded to whole units.
    """

    __slots__ = ("levels", "turn_away", "by_priority", "rows", "node", "sku")

    def __init__(self, policy: StockAllocation, segments: Mapping[str, Segment], mean_daily: float,
                 node: str, sku: str, rows: list[tuple[float, str, str, str, float]], whole: bool = False) -> None:
        ranked = sorted(segments, key=lambda name: segments[name].priority)
        levels = policy.reserves(ranked, mean_daily)
        self.levels = {k: float(round(v)) for k, v in levels.items()} if whole else levels
        self.turn_away = policy.turn_away
        self.by_priority = policy.by_priority
        self.rows = rows  # the recorder's ``rationing`` rows: (time, node, sku, segment, units held back)
        self.node = node
        self.sku = sku

    def _level(self, req: Request) -> float:
        return self.levels.get(req.segment.name, 0.0) if req.segment is not None else 0.0

    def take(self, point: StockPoint, req: Request) -> float:
        """Units ``req`` may take from stock on arrival: what is on hand above its segment's level,
        unless a waiting backorder that ranks ahead of it could take stock now (oldest first: every
        backorder ranks ahead; by priority: backorders of its own or a more important segment)."""
        on_hand = point.on_hand
        if not point.dc.up or on_hand <= 0:
            return 0.0
        level = self._level(req)
        free = min(max(on_hand - level, 0.0), req.qty)
        held = min(on_hand, req.qty) - free
        if held > _EPS and type(req) is OrderLine:
            self.rows.append((point.ctx.env.now, self.node, self.sku, level_name(req), held))
            if self.turn_away:
                req.patience = 0.0  # turned away: what it cannot take now is lost, not backordered
        if free <= 0 or (point.backlog_qty > _EPS and self._blocked(point, req, on_hand)):
            return 0.0
        return free

    def _blocked(self, point: StockPoint, req: Request, on_hand: float) -> bool:
        rank = req.segment.priority if req.segment is not None else 0
        for b in point.backlog:
            if b.open <= 0 or (self.by_priority and b.segment is not None and b.segment.priority > rank):
                continue
            if on_hand - self._level(b) > 0:
                return True
        return False

    def serve_backlog(self, point: StockPoint) -> None:
        """Fill waiting backorders from stock on hand: oldest first (or most important segment
        first), each down to its segment's level; a backorder held back by its level is passed over
        (the ones behind it may still take stock); a ship-complete line that cannot be filled whole
        holds back the ones behind it, as under first come, first served."""
        backlog = point.backlog
        if not backlog:
            return
        queue = sorted(backlog, key=_priority) if self.by_priority else list(backlog)
        for head in queue:
            if point.on_hand <= 0:
                break
            if head.open <= 0:
                continue
            free = point.on_hand - self._level(head)
            if free <= 0:
                continue
            if head.complete_only and free < head.open:
                break
            take = min(head.open, free)
            point.on_hand -= take
            head.open -= take
            point.backlog_qty -= take
            point.dispatch(head, take)
        if any(r.open <= 0 for r in backlog):
            point.backlog = deque(r for r in backlog if r.open > 0)


def level_name(req: Request) -> str:
    return req.segment.name if req.segment is not None else ""


def _priority(req: Request) -> int:
    return req.segment.priority if req.segment is not None else 0


def attach_rationing(spec: Spec, points: list[StockPoint], flows: Mapping[tuple[str, str], Flow],
                     rows: list[tuple[float, str, str, str, float]]) -> None:
    """Give each stock point whose DC or governing segment sets an active allocation policy its
    ``Rationing`` (levels in days are turned into units from the point's planned daily demand)."""
    for point in points:
        policy = allocation_policy(spec, point.node, point.segment)
        if policy is not None:
            mean = flows[(point.node, point.sku)].mean
            point.alloc = Rationing(policy, spec.segments, mean, point.node, point.sku, rows, spec.integer_units)
