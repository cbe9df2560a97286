"""Order consolidation: the lines of one customer order that leave a node together travel as one
shipment and pay one per-shipment charge, as a carrier bills them.

Two rules, both on the customer's order (``OrderLine.order_id``):

- Lines that leave the same node at the same instant (the picks of one order, backorders released
  by the same receipt) are gathered, then handed to the carrier together: the order stream and the
  carrier's receipts gather them without an event (``hold``/``release``); anything else leaves
  once every event due at the instant has run.
- Lines made to order at a plant (or drop-shipped by a supplier) wait at that maker until the last
  line of their order placed there is ready, then leave together: the plant ships the order
  complete, not line by line.

Units held here are still counted in transit (they have left stock or the line). Nothing here
draws random numbers; the carrier does, once per shipment.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, cast

import simpy

from policies.base import LaneOption

if TYPE_CHECKING:
    from simulator.engine.flow import Load, OrderLine, Request
    from simulator.engine.spec import Sku

_EPS = 1e-9


class OrderConsolidation:
    """Gathers the order lines leaving a node into one group per order and node.

    ``depart(origin, loads)`` is called with each group: the lines of one order leaving ``origin``
    together (same instant, or the order complete at its maker), as the carrier's loads
    ``(line, units, True)`` (order lines are finished goods), so they go to its next leg as they are."""

    __slots__ = ("env", "depart", "_pending", "_flush_due", "_depth", "_expected", "_held")

    def __init__(self, env: simpy.Environment, depart: Callable[[str, list[Load]], None]) -> None:
        self.env = env
        self.depart = depart
        self._pending: dict[tuple[str, int], list[Load]] = {}  # (origin, order) -> loads leaving this instant
        self._flush_due = False
        self._depth = 0  # > 0 while a caller gathers departures itself (``hold`` ... ``release``)
        self._expected: dict[tuple[int, str], int] = {}  # (order, maker) -> its lines not yet fully made
        self._held: dict[tuple[int, str], list[Load]] = {}  # (order, maker) -> what is made and waits

    def hold(self) -> None:
        """Gather departures until the matching ``release`` (an order's lines being placed, a receipt
        being put away): what leaves meanwhile leaves together, without an event of its own."""
        self._depth += 1

    def release(self) -> None:
        """End of a ``hold``: the gathered departures leave now."""
        self._depth -= 1
        if not self._depth and self._pending:
            self._flush()

    def expect(self, line: OrderLine) -> None:
        """``line`` was placed on a maker (made to order, drop-ship): its order leaves that maker complete."""
        key = (line.order_id, line.source)
        self._expected[key] = self._expected.get(key, 0) + 1

    def leave(self, origin: str, line: OrderLine, qty: float) -> None:
        """``qty`` units of ``line`` are ready to leave ``origin``."""
        key = (line.order_id, origin)
        waiting = self._expected.get(key) if self._expected else None
        if waiting is not None:  # made to order here: wait for the order's other lines
            held = self._held.setdefault(key, [])
            held.append((line, qty, True))
            if line.open > _EPS:  # more of this line is still to be made
                return
            if waiting > 1:
                self._expected[key] = waiting - 1
                return
            del self._expected[key]
            loads = _merged(self._held.pop(key))
        else:
            loads = [(line, qty, True)]
        group = (origin, line.order_id)
        pending = self._pending.get(group)
        if pending is None:
            self._pending[group] = loads
        else:
            pending.extend(loads)
        if not self._depth and not self._flush_due:  # they leave once everything due now has run
            self._flush_due = True
            self.env.timeout(0).callbacks.append(self._flush)

    def held_units(self) -> dict[str, float]:
        """Units per SKU made to order and waiting at their maker for the rest of their order."""
        out: dict[str, float] = {}
        for loads in self._held.values():
            for line, qty, _ in loads:
                out[line.sku] = out.get(line.sku, 0.0) + qty
        return out

    def _flush(self, _event: simpy.Event | None = None) -> None:
        if _event is not None:
            self._flush_due = False
        pending, self._pending = self._pending, {}
        for (origin, _order), loads in pending.items():
            self.depart(origin, loads)


def _merged(loads: list[Load]) -> list[Load]:
    """One load per line (a line made in several batches leaves as one)."""
    if len(loads) == 1:
        return loads
    qty: dict[int, float] = {}
    first: dict[int, Request] = {}
    for request, q, _ in loads:
        line = cast("OrderLine", request)  # only order lines are held at a maker
        qty[line.line_id] = qty.get(line.line_id, 0.0) + q
        first.setdefault(line.line_id, line)
    return [(first[i], q, True) for i, q in qty.items()]


def split_by_mode(options: Sequence[LaneOption], loads: list[Load], skus: Mapping[str, Sku]
                  ) -> list[tuple[int, list[Load]]]:
    """The loads leaving together, by the lane option (mode) each goes by: each segment's transport
    policy picks a mode for its lines of the shipment (their units together, at their mean unit
    margin); lines whose segments pick the same mode travel together. Raw material takes the
    contracted (first) mode."""
    by_segment: dict[str, list[Load]] = {}
    for load in loads:
        segment = load[0].segment
        by_segment.setdefault(segment.name if segment is not None else "", []).append(load)
    chosen: dict[int, list[Load]] = {}
    for group in by_segment.values():
        segment = group[0][0].segment
        if segment is None:
            index = 0
        else:
            qty = sum(q for _, q, _ in group)
            margin = sum((skus[r.sku].price - skus[r.sku].unit_cost) * q for r, q, _ in group) / qty if qty > 0 else 0.0
            index = segment.policies.transport.choose(qty, options, margin)
        chosen.setdefault(index, []).extend(group)
    return list(chosen.items())
