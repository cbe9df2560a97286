"""Plants: production lines working through production orders, fed by raw-material stores."""

from __future__ import annotations

import logging
import math
from collections.abc import Generator, Mapping
from typing import TYPE_CHECKING, Any

import simpy

from policies.base import JobView
from simulator.engine.availability import Availability
from simulator.engine.context import Context, ServingNode
from simulator.engine.flow import Request
from simulator.engine.spec import Line, Plant, RawStock

if TYPE_CHECKING:
    from simulator.engine.calendar import LineGate
    from simulator.engine.promising import Promiser
    from simulator.engine.routing import RoutedFlow, Step

log = logging.getLogger(__name__)


class RawStore:
    """A plant's raw-material stock, replenished by (s, S) on each material's inventory position
    (on hand + on order - what production orders already waiting for it need)."""

    def __init__(self, ctx: Context, plant: str, stocks: dict[str, RawStock], sources: dict[str, ServingNode]) -> None:
        self.ctx = ctx
        self.plant = plant
        self.policy = stocks
        self.on_hand = {m: float(st.initial) for m, st in stocks.items()}
        self.on_order = {m: 0.0 for m in stocks}
        self.consumed = {m: 0.0 for m in stocks}
        self.received = {m: 0.0 for m in stocks}
        self.reserved = {m: 0.0 for m in stocks}  # needed by jobs waiting for material (a backorder)
        self.sources = sources  # material -> the supplier it is ordered from
        self._arrival = ctx.env.event()

    def take(self, needs: dict[str, float]) -> Generator[simpy.Event, Any, None]:
        """Wait until every material in ``needs`` is on hand, then consume it all at once.

        The need counts against the inventory position from the moment the job asks, so a job that
        has to wait for material also triggers the order that brings it."""
        for m, q in needs.items():
            self.reserved[m] += q
            self.review(m)
        while any(self.on_hand[m] < q - 1e-9 for m, q in needs.items()):
            yield self._arrival
        for m, q in needs.items():
            self.on_hand[m] -= q
            self.reserved[m] -= q
            self.consumed[m] += q
            self.review(m)

    def review(self, material: str) -> None:
        rule = self.policy[material]
        position = self.on_hand[material] + self.on_order[material] - self.reserved[material]
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
    """A production order: make ``qty`` of ``request.sku`` and ship it to the requester.

    ``remaining`` is the run time still to do (set when the job first starts; an interrupted job
    keeps what it has done); ``started`` is when it first started, NaN while it waits.
    """

    __slots__ = ("request", "qty", "family", "released", "view", "remaining", "started", "changeover",
                 "changeovers", "op")

    def __init__(self, request: Request, qty: float, family: str, released: float, margin: float = 0.0,
                 segment: str | None = None) -> None:
        self.request = request
        self.qty = qty
        self.family = family
        self.released = released
        if segment is None:
            seg = request.segment
            # goods are made for a segment; a semi-finished stock of a routing serves all ("")
            segment = seg.name if seg is not None else ""
        self.view = JobView(released, qty, family, segment, margin)
        self.remaining = math.nan
        self.started = math.nan
        self.changeover = 0.0  # days of changeover spent on this job
        self.changeovers = 0
        self.op: Step | None = None  # the routing operation this job is (None: the line's own job)


class ProductionLine:
    """A line: takes the next job its allocation rule picks, changes over if the family differs,
    consumes raw materials by the bill of materials, produces, and ships the batch. A job may be
    interrupted by a more important one (if the rule says so) and resumes with its remaining work."""

    def __init__(self, ctx: Context, plant: PlantNode, spec: Line) -> None:
        self.ctx = ctx
        self.plant = plant
        self.spec = spec
        self.name = spec.name
        self.queue: list[Job] = []
        self.queued_units = 0.0
        self.family: str | None = None
        self.running: Job | None = None
        self.running_since = 0.0  # when the running job's current stretch of work began
        self.current: Job | None = None  # the job taken off the queue (changing over, waiting or running)
        self._wake: simpy.Event | None = None
        self._interrupt: simpy.Event | None = None
        self._rng = ctx.streams.rng("line", plant.name, spec.name)
        self._changeover = spec.changeover.sampler(ctx.streams.rng("line", plant.name, spec.name, "changeover"))
        self.busy_days = 0.0
        # Breakdowns, maintenance overruns and planned maintenance windows lower it.
        self.availability = Availability(ctx.env)
        self.gate: LineGate | None = None  # shift, crew and tool the line needs to run (None: always runs)
        self._idle: simpy.Event | None = None

    def add(self, job: Job) -> None:
        self.queue.append(job)
        self.queued_units += job.qty
        if self._wake is not None and not self._wake.triggered:
            self._wake.succeed()
        running, interrupt = self.running, self._interrupt
        if running is not None and interrupt is not None and not interrupt.triggered \
                and self.spec.allocation.preempts(job.view, running.view):
            interrupt.succeed()

    def is_idle(self) -> bool:
        """True while the line waits for work (nothing queued, nothing running)."""
        return self._wake is not None

    def when_idle(self) -> simpy.Event:
        """An event that fires when the line next runs out of work."""
        if self._idle is None:
            self._idle = self.ctx.env.event()
        return self._idle

    def run_time(self, qty: float) -> float:
        """Days to make ``qty`` units (excluding changeover)."""
        spec = self.spec
        if spec.batch_time is not None:
            return float(spec.batch_time.draw(self._rng, 1)[0])
        ut = spec.unit_time
        assert ut is not None  # a line has a unit time or a batch time
        if ut.is_constant:
            return qty * ut.mean
        return float(ut.draw(self._rng, max(1, round(qty))).sum())

    def process(self) -> Generator[simpy.Event, Any, None]:
        env = self.ctx.env
        spec = self.spec
        bom = self.ctx.spec.families
        while True:
            if not self.queue:
                if self._idle is not None:  # someone (an overtime decision) waits for the line to run dry
                    self._idle.succeed()
                    self._idle = None
                self._wake = env.event()
                yield self._wake
                self._wake = None
            pick = spec.allocation.next_job([j.view for j in self.queue], self.family) if len(self.queue) > 1 else 0
            job = self.queue.pop(pick)
            self.queued_units -= job.qty
            self.current = job
            op = job.op
            if math.isnan(job.started):
                needs = {m: per * job.qty for m, per in bom[job.family].bom.items()} if op is None or op.first else {}
                if needs:
                    yield from self.plant.raw.take(needs)
            if self.gate is not None:  # on shift, with its crew and tool (calendar.py)
                yield from self.gate.acquire(job)
            if math.isnan(job.started):
                job.started = env.now
                job.remaining = self.run_time(job.qty) if op is None else op.run_time(job.qty)
            start = env.now
            if self.family is not None and job.family != self.family:
                changeover = (self._changeover if op is None or op.changeover is None else op.changeover)()
                if changeover > 0:
                    job.changeover += changeover
                    job.changeovers += 1
                    yield env.timeout(changeover)
            self.family = job.family
            self.running, self._interrupt, self.running_since = job, env.event(), env.now
            yield from self._work(job, self._interrupt)
            self.running, interrupted = None, self._interrupt.triggered
            self._interrupt = None
            self.busy_days += env.now - start
            if self.gate is not None:
                self.gate.release(job, start)
            if interrupted and job.remaining > 1e-9:
                self.current = None
                self.queue.insert(0, job)  # back to the front, to resume with its remaining work
                self.queued_units += job.qty
                continue
            self.current = None
            self._finish(job)

    def _work(self, job: Job, interrupt: simpy.Event) -> Generator[simpy.Event, Any, None]:
        """Work on ``job`` until its remaining work is done or ``interrupt`` fires (a more important
        job arrived): slower at reduced availability, paused while the line is down."""
        env, av = self.ctx.env, self.availability
        while job.remaining > 1e-9 and not interrupt.triggered:
            if not av.may_change:
                start = env.now
                yield env.timeout(job.remaining) | interrupt
                job.remaining -= env.now - start
            elif not av.up:
                yield av.changed() | interrupt
                self.running_since = env.now
            else:
                start, rate = env.now, av.factor
                yield env.timeout(job.remaining / rate) | av.changed() | interrupt
                job.remaining -= (env.now - start) * rate
                self.running_since = env.now  # what is left is counted from here (promising.py reads it)

    def maintenance(self) -> Generator[simpy.Event, Any, None]:
        """Planned maintenance: the line is down for each window; a job on the line pauses and
        resumes with its remaining work afterwards, and no job starts meanwhile."""
        env, plan, av = self.ctx.env, self.spec.maintenance, self.availability
        assert plan is not None  # started only for lines with planned maintenance
        yield env.timeout(plan.first)
        while True:
            av.apply("planned_maintenance", 0.0)
            yield env.timeout(plan.duration)
            av.lift("planned_maintenance")
            yield env.timeout(plan.every - plan.duration)

    def _finish(self, job: Job) -> None:
        if job.op is not None and job.op.done(job):  # a routing operation before the last one
            return
        env = self.ctx.env
        req = job.request
        self.ctx.recorder.production.append((
            self.plant.name, self.name, req.sku, job.family, job.view.segment, job.qty, job.released, job.started,
            env.now, job.changeover, (self.spec.changeover_cost if job.op is None else job.op.changeover_cost)
            * job.changeovers,
        ))
        self.ctx.ledger.released[req.sku] += job.qty
        req.open = max(0.0, req.open - job.qty)  # an order split into several batches ships batch by batch
        self.ctx.carrier.ship(self.plant.name, req, job.qty)


class PlantNode:
    """A plant: routes each production order to the least-loaded line that makes its family."""

    kind = "plant"

    def __init__(self, ctx: Context, spec: Plant, raw_sources: dict[str, ServingNode],
                 made_per_day: Mapping[str, float]) -> None:
        """``raw_sources``: the supplier of each raw material; ``made_per_day``: planned demand per day
        of each SKU made here for stock (its production batches are sized on it)."""
        self.ctx = ctx
        self.name = spec.name
        self.spec = spec
        self.raw = RawStore(ctx, spec.name, dict(spec.raw_stock), raw_sources)
        self.lines = [ProductionLine(ctx, self, ln) for ln in spec.lines]
        self._lines_for: dict[str, list[ProductionLine]] = {}
        self.batch_qty: dict[str, float] = {}  # production batch per SKU from batch sizing (0: as ordered)
        self.routed: dict[str, RoutedFlow] = {}  # families finished here through a routing (routing.py)
        self.promiser: Promiser | None = None  # quotes made-to-order lines (promising.py); None: no quotes
        for line in self.lines:
            for fam in line.spec.families:
                self._lines_for.setdefault(fam, []).append(line)
        if made_per_day:
            self._plan_batches(made_per_day)

    def lines_for(self, family: str) -> list[ProductionLine]:
        """The plant's lines that make ``family``."""
        return self._lines_for[family]

    def makes(self, sku: str) -> bool:
        return self.ctx.spec.skus[sku].family in self._lines_for

    def start(self) -> None:
        for line in self.lines:
            self.ctx.env.process(line.process())
            if line.spec.maintenance is not None:
                line.availability.expect_changes()
                self.ctx.env.process(line.maintenance())
        for m in self.raw.on_hand:
            self.raw.review(m)

    def request(self, req: Request) -> None:
        item = self.ctx.spec.skus[req.sku]
        family = item.family
        if self.promiser is not None:
            self.promiser.quote(self, req)
        routed = self.routed.get(family)
        if routed is not None:  # made through a routing's operations (its raw material at the first one)
            routed.release(req, req.qty)
            return
        # A batch can use at most what the raw-material stores can hold (their order-up-to levels):
        # a larger order is made in several batches, or it would wait for material forever.
        bom = self.ctx.spec.families[family].bom
        largest = min((self.raw.policy[m].S / per for m, per in bom.items() if per > 0), default=math.inf)
        if self.ctx.integer_units and largest < math.inf:
            largest = max(1.0, math.floor(largest))
        left = req.qty
        while left > 1e-9:
            qty = min(left, largest)
            left -= qty
            line = min(self._lines_for[family], key=lambda ln: ln.queued_units)
            line.add(Job(req, qty, family, self.ctx.env.now, item.price - item.unit_cost))

    def _plan_batches(self, demand_per_day: Mapping[str, float]) -> None:
        """Set each item's production batch from its family's batch-sizing rule (on the family's first
        line): the item's demand over the family's cycle. ``demand_per_day``: planned demand per SKU."""
        spec = self.ctx.spec
        families: dict[str, list[str]] = {}
        for sku in demand_per_day:
            families.setdefault(spec.skus[sku].family, []).append(sku)
        for fam, skus in families.items():
            line = self._lines_for[fam][0]
            d = sum(demand_per_day[s] for s in skus)
            if d <= 0 or line.spec.unit_time is None or line.spec.batching is None:
                continue
            unit_cost = sum(demand_per_day[s] * spec.skus[s].unit_cost for s in skus) / d
            cycle = line.spec.batching.cycle_days(d, line.spec.changeover_cost, unit_cost * spec.holding_rate / 365.0,
                                                  1.0 / line.spec.unit_time.mean)
            for s in skus:
                self.batch_qty[s] = demand_per_day[s] * cycle

    def min_order_qty(self, sku: str) -> float:
        family = self.ctx.spec.skus[sku].family
        return max(min(ln.spec.min_batch for ln in self._lines_for[family]), self.batch_qty.get(sku, 0.0))
