"""Plants: production lines working through production orders, fed by raw-material stores."""

from __future__ import annotations

import logging
from collections.abc import Generator
from typing import Any

import simpy

from policies.base import JobView
from simulator.availability import Availability
from simulator.flow import Context, Node, Request
from simulator.spec import Line, Plant, RawStock

log = logging.getLogger(__name__)


class RawStore:
    """A plant's raw-material stock, replenished by (s, S) on each material's inventory position."""

    def __init__(self, ctx: Context, plant: str, stocks: dict[str, RawStock]) -> None:
        self.ctx = ctx
        self.plant = plant
        self.policy = stocks
        self.on_hand = {m: float(st.initial) for m, st in stocks.items()}
        self.on_order = {m: 0.0 for m in stocks}
        self.consumed = {m: 0.0 for m in stocks}
        self.received = {m: 0.0 for m in stocks}
        self.sources: dict[str, Node] = {}
        self._arrival = ctx.env.event()

    def take(self, needs: dict[str, float]) -> Generator[simpy.Event, Any, None]:
        """Wait until every material in ``needs`` is on hand, then consume it all at once."""
        while any(self.on_hand[m] < q - 1e-9 for m, q in needs.items()):
            yield self._arrival
        for m, q in needs.items():
            self.on_hand[m] -= q
            self.consumed[m] += q
            self.review(m)

    def review(self, material: str) -> None:
        rule = self.policy[material]
        position = self.on_hand[material] + self.on_order[material]
        if position <= rule.s:
            qty = self.ctx.order_size(rule.S - position)
            source = self.sources[material]
            qty = max(qty, source.min_order_qty(material))
            self.on_order[material] += qty
            now = self.ctx.env.now
            self.ctx.recorder.replenishments.append((now, self.plant, material, source.name, qty, position))
            source.request(Request(material, qty, self.plant, self, None, "raw", now))

    def receive(self, req: Request, qty: float) -> None:
        m = req.sku
        self.on_order[m] -= qty
        self.on_hand[m] += qty
        self.received[m] += qty
        arrived, self._arrival = self._arrival, self.ctx.env.event()
        arrived.succeed()


class Job:
    """A production order: make ``qty`` of ``request.sku`` and ship it to the requester."""

    __slots__ = ("request", "qty", "family", "released", "view")

    def __init__(self, request: Request, qty: float, family: str, released: float) -> None:
        self.request = request
        self.qty = qty
        self.family = family
        self.released = released
        self.view = JobView(released, qty, family, request.segment.name)


class ProductionLine:
    """A line: takes the next job its allocation rule picks, changes over if the family differs,
    consumes raw materials by the bill of materials, produces, and ships the batch."""

    def __init__(self, ctx: Context, plant: PlantNode, spec: Line) -> None:
        self.ctx = ctx
        self.plant = plant
        self.spec = spec
        self.name = spec.name
        self.queue: list[Job] = []
        self.queued_units = 0.0
        self.family: str | None = None
        self._wake: simpy.Event | None = None
        self._rng = ctx.streams.rng("line", plant.name, spec.name)
        self._changeover = spec.changeover.sampler(ctx.streams.rng("line", plant.name, spec.name, "changeover"))
        self.busy_days = 0.0
        self.availability = Availability(ctx.env)  # breakdowns and maintenance overruns lower it

    def add(self, job: Job) -> None:
        self.queue.append(job)
        self.queued_units += job.qty
        if self._wake is not None and not self._wake.triggered:
            self._wake.succeed()

    def run_time(self, qty: float) -> float:
        """Days to make ``qty`` units (excluding changeover)."""
        spec = self.spec
        if spec.batch_time is not None:
            return float(spec.batch_time.draw(self._rng, 1)[0])
        ut = spec.unit_time
        if ut.is_constant:
            return qty * ut.mean
        return float(ut.draw(self._rng, max(1, round(qty))).sum())

    def process(self) -> Generator[simpy.Event, Any, None]:
        env = self.ctx.env
        spec = self.spec
        bom = self.ctx.spec.families
        while True:
            if not self.queue:
                self._wake = env.event()
                yield self._wake
                self._wake = None
            pick = spec.allocation.next_job([j.view for j in self.queue], self.family) if len(self.queue) > 1 else 0
            job = self.queue.pop(pick)
            self.queued_units -= job.qty
            needs = {m: per * job.qty for m, per in bom[job.family].bom.items()}
            if needs:
                yield from self.plant.raw.take(needs)
            start = env.now
            changeover = 0.0
            if self.family is not None and job.family != self.family:
                changeover = self._changeover()
                if changeover > 0:
                    yield env.timeout(changeover)
            self.family = job.family
            duration = self.run_time(job.qty)
            yield from self.availability.work(duration)
            self.busy_days += env.now - start
            req = job.request
            self.ctx.recorder.production.append((
                self.plant.name, self.name, req.sku, job.family, req.segment.name, job.qty, job.released, start,
                env.now, changeover, spec.changeover_cost if changeover > 0 else 0.0,
            ))
            self.ctx.ledger.released[req.sku] += job.qty
            req.open = 0.0
            self.ctx.carrier.ship(self.plant.name, req, job.qty)


class PlantNode:
    """A plant: routes each production order to the least-loaded line that makes its family."""

    kind = "plant"

    def __init__(self, ctx: Context, spec: Plant) -> None:
        self.ctx = ctx
        self.name = spec.name
        self.spec = spec
        self.raw = RawStore(ctx, spec.name, dict(spec.raw_stock))
        self.lines = [ProductionLine(ctx, self, ln) for ln in spec.lines]
        self._lines_for: dict[str, list[ProductionLine]] = {}
        for line in self.lines:
            for fam in line.spec.families:
                self._lines_for.setdefault(fam, []).append(line)

    def makes(self, sku: str) -> bool:
        return self.ctx.spec.skus[sku].family in self._lines_for

    def start(self) -> None:
        for line in self.lines:
            self.ctx.env.process(line.process())
        for m in self.raw.on_hand:
            self.raw.review(m)

    def request(self, req: Request) -> None:
        family = self.ctx.spec.skus[req.sku].family
        line = min(self._lines_for[family], key=lambda ln: ln.queued_units)
        line.add(Job(req, req.qty, family, self.ctx.env.now))

    def min_order_qty(self, sku: str) -> float:
        family = self.ctx.spec.skus[sku].family
        return min(ln.spec.min_batch for ln in self._lines_for[family])
