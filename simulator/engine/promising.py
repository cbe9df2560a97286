"""Promised dates for made-to-order lines, by the segment's planning mode.

``planned_lead_time``: what planning systems with infinite capacity do: the plant's constant
planned lead time plus the planned transit to the customer, whatever the load.
``finite_capacity``: the work already waiting on the line the order will join (its queue and the
order running now), plus the order's own run time, stretched by the line's calendar (an 8-hour,
5-day line gets a third of 5/7 of the day's hours), plus the planned transit.

Each quote is one row of the ``promises`` table; the KPI (on time against the own promise) is in
``analysis/labour.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from simulator.engine.flow import OrderLine, Request

if TYPE_CHECKING:
    from simulator.engine.context import Context
    from simulator.engine.production import PlantNode, ProductionLine

PROMISE_COLUMNS = ("line_id", "time", "segment", "mode", "plant", "promised_days")
MODES = ("planned_lead_time", "finite_capacity")


class Promiser:
    """Quotes a promised lead time for every made-to-order customer line of a segment with a planning mode."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.rows: list[tuple[Any, ...]] = []

    def quote(self, plant: PlantNode, req: Request) -> None:
        segment = req.segment
        if type(req) is not OrderLine or segment is None or segment.planning is None:
            return
        ctx = self.ctx
        transit = ctx.network.route_days(plant.name, req.dest_node)
        if segment.planning == "finite_capacity":
            make = self._finite(plant, req)
        else:
            make = plant.spec.planned_lead_time
        self.rows.append((req.line_id, ctx.env.now, segment.name, segment.planning, plant.name, make + transit))

    def _finite(self, plant: PlantNode, req: Request) -> float:
        """Days until the order is made, from the work ahead of it on the lines it will use."""
        family = self.ctx.spec.skus[req.sku].family
        routed = plant.routed.get(family)
        if routed is not None:
            return sum(_line_days(step.line, req.qty, step.op.unit_time.mean if step.op.unit_time else None)
                       for step in routed.steps[routed.entry:])
        line = min(plant.lines_for(family), key=lambda ln: ln.queued_units)
        return _line_days(line, req.qty, None)

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"promises": pd.DataFrame(self.rows, columns=list(PROMISE_COLUMNS))}


def _line_days(line: ProductionLine, qty: float, unit_days: float | None) -> float:
    """Calendar days for ``line`` to clear its queue, the order running now and ``qty`` more units."""
    spec = line.spec
    if unit_days is None:
        unit_days = spec.unit_time.mean if spec.unit_time is not None else 0.0
    work = (line.queued_units + qty) * unit_days
    if spec.batch_time is not None and spec.unit_time is None:
        work = (len(line.queue) + 1) * spec.batch_time.mean
    current = line.current
    if current is not None:  # the order on the line now: what is left of it
        if current is line.running:
            av = line.availability
            work += max(0.0, current.remaining - (line.ctx.env.now - line.running_since) * av.factor)
        elif current.remaining == current.remaining:  # changing over or waiting, already started
            work += current.remaining
        else:
            work += current.qty * unit_days
    gate = line.gate
    share = 1.0
    calendar = gate.shop.spec.calendars.get((line.plant.name, line.name)) if gate is not None else None
    if calendar is not None:
        share = calendar.hours_per_day / 24.0 * calendar.days_per_week / 7.0
    return work / share
