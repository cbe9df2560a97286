"""People and tools on the shop floor: shift calendars, overtime, crews and tools/moulds.

A line with a calendar runs only on shift: ``hours_per_day`` from the start of each working day.
Work in progress at the end of a shift pauses and resumes at the next shift with what is left; if
the calendar allows overtime and the line still has work, the shift runs on until the line is out
of work or the day's overtime cap is reached, and each hour is paid at ``cost_per_hour``.
A line that needs a crew waits until one of its plant's crews is free; a line making a family that
needs a tool waits until the tool is free (a tool is held by ``count`` lines at most). A line holds
its crew and tool from the start of a production order (changeover included) until it ends.

What the run writes (for the labour table, ``analysis/labour.py``): ``shifts`` (every shift and
overtime window of every line with a calendar, with the overtime cost), ``line_work`` (every stretch
a gated line worked on an order, with its segment) and ``tool_use`` (who held which tool when).
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd
import simpy

from simulator.engine.shop import Calendar, ShopFloor, Tool

if TYPE_CHECKING:
    from simulator.engine.context import Context
    from simulator.engine.production import Job, PlantNode, ProductionLine

SHIFT_COLUMNS = ("plant", "line", "kind", "start", "end", "cost")  # kind: shift or overtime
LINE_WORK_COLUMNS = ("plant", "line", "segment", "start", "end")
TOOL_USE_COLUMNS = ("tool", "plant", "line", "family", "start", "end")
OFF_SHIFT = "off_shift"  # the availability cut a calendar applies between shifts


class LineGate:
    """What a line must have before it works on an order: its shift on, its crew, its tool."""

    __slots__ = ("shop", "line", "crew", "_crew_req", "_tool", "_tool_req", "_tool_since")

    def __init__(self, shop: ShopRuntime, line: ProductionLine, crew: simpy.Resource | None) -> None:
        self.shop = shop
        self.line = line
        self.crew = crew
        self._crew_req: simpy.resources.resource.Request | None = None
        self._tool: Tool | None = None
        self._tool_req: simpy.resources.resource.Request | None = None
        self._tool_since = 0.0

    def acquire(self, job: Job) -> Generator[simpy.Event, Any, None]:
        """Wait for the shift, then the family's tool, then a crew (always in this order, so two
        lines never wait for each other's)."""
        av = self.line.availability
        while not av.up:
            yield av.changed()
        tool = self.shop.spec.tool_for(job.family)
        if tool is not None:
            self._tool = tool
            self._tool_req = self.shop.tools[tool.name].request()
            yield self._tool_req
            self._tool_since = self.shop.ctx.env.now
        if self.crew is not None:
            self._crew_req = self.crew.request()
            yield self._crew_req

    def release(self, job: Job, start: float) -> None:
        """The line stops working on ``job`` (done, or set aside for a more important order)."""
        shop, line = self.shop, self.line
        now = shop.ctx.env.now
        shop.work_rows.append((line.plant.name, line.name, job.view.segment, start, now))
        if self._crew_req is not None:
            assert self.crew is not None
            self.crew.release(self._crew_req)
            self._crew_req = None
        if self._tool is not None and self._tool_req is not None:
            shop.tool_rows.append((self._tool.name, line.plant.name, line.name, job.family, self._tool_since, now))
            shop.tools[self._tool.name].release(self._tool_req)
            self._tool, self._tool_req = None, None


class ShopRuntime:
    """The calendars, crews and tools of one run: gates the lines that need them, drives the shifts
    and keeps the tables."""

    def __init__(self, ctx: Context, spec: ShopFloor, plants: Mapping[str, PlantNode]) -> None:
        self.ctx = ctx
        self.spec = spec
        env = ctx.env
        self.crews = {name: simpy.Resource(env, size) for name, size in spec.crew_sizes.items()}
        self.tools = {name: simpy.Resource(env, t.count) for name, t in spec.tools.items()}
        tooled = {f for t in spec.tools.values() for f in t.families}
        self.work_rows: list[tuple[Any, ...]] = []
        self.shift_rows: list[tuple[Any, ...]] = []
        self.tool_rows: list[tuple[Any, ...]] = []
        self.calendared: list[tuple[ProductionLine, Calendar]] = []
        for plant in plants.values():
            for line in plant.lines:
                key = (plant.name, line.name)
                calendar, crew = spec.calendars.get(key), spec.crew_of.get(key)
                if calendar is not None:
                    line.availability.expect_changes()
                    self.calendared.append((line, calendar))
                uses_tool = any(f in tooled for f in line.spec.families) or \
                    any(f in tooled for f in _routed_families(ctx, key))
                if calendar is not None or crew is not None or uses_tool:
                    line.gate = LineGate(self, line, self.crews[crew] if crew is not None else None)

    def start(self) -> None:
        for line, calendar in self.calendared:
            self.ctx.env.process(self._shifts(line, calendar))

    def _shifts(self, line: ProductionLine, cal: Calendar) -> Generator[simpy.Event, Any, None]:
        """Each day: on shift for ``hours_per_day`` on working days (plus overtime while there is
        work, up to the cap), off otherwise."""
        env, av = self.ctx.env, line.availability
        plant, name = line.plant.name, line.name
        shift = cal.hours_per_day / 24.0
        off, day = False, 0
        while True:
            if cal.works(day):
                if off:
                    av.lift(OFF_SHIFT)
                    off = False
                self.shift_rows.append((plant, name, "shift", float(day), day + shift, 0.0))
                if shift < 1.0:
                    yield env.timeout(day + shift - env.now)
                    ot = cal.overtime
                    if ot is not None and ot.max_hours_per_day > 0 and not line.is_idle():
                        begin = env.now
                        yield env.timeout(min(ot.max_hours_per_day / 24.0, 1.0 - shift)) | line.when_idle()
                        hours = (env.now - begin) * 24.0
                        if hours > 0:
                            self.shift_rows.append((plant, name, "overtime", begin, env.now, hours * ot.cost_per_hour))
                    av.apply(OFF_SHIFT, 0.0)
                    off = True
            elif not off:
                av.apply(OFF_SHIFT, 0.0)
                off = True
            day += 1
            yield env.timeout(day - env.now)

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"shifts": pd.DataFrame(self.shift_rows, columns=list(SHIFT_COLUMNS)),
                "line_work": pd.DataFrame(self.work_rows, columns=list(LINE_WORK_COLUMNS)),
                "tool_use": pd.DataFrame(self.tool_rows, columns=list(TOOL_USE_COLUMNS))}


def _routed_families(ctx: Context, line: tuple[str, str]) -> set[str]:
    """Families whose routing has an operation on ``line``."""
    return {fam for fam, r in ctx.spec.routings.items() if any((op.plant, op.line) == line for op in r.operations)}
