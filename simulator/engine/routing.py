"""Routings: a family made in several operations, each on a line of any plant, with stock between
stages where the planner decouples them.

A routing is a sequence of operations. Each operation runs on one line (of any plant) with its own
time per unit (or per batch) and its own changeover. An operation may end in a semi-finished
buffer (``stock_after``): the operations up to it are then made to stock, replenished by (s, S) on
the buffer's position, and the operations after it start from that stock when a production order
arrives (the decoupling point: a make-to-stock semi-finished good feeding make-to-order
finishing). Without a buffer the order flows through every operation in turn.

The raw materials of the family's bill of materials are taken at the first operation (from its
plant's raw-material store); the last operation finishes the product and ships it like any line.
Each operation completed writes one row of the ``operations`` table.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd
import simpy

from simulator.engine.flow import Request
from simulator.engine.shop import Buffer, Operation, Routing

if TYPE_CHECKING:
    from simulator.engine.context import Context
    from simulator.engine.production import Job, PlantNode, ProductionLine

OPERATION_COLUMNS = ("family", "sku", "segment", "step", "plant", "line", "qty", "released", "start", "end",
                     "changeover_days", "changeover_cost")


class Step:
    """One operation of one routing at run time: its line, its random run times, and what to do
    with a job when the operation is done."""

    __slots__ = ("flow", "index", "op", "line", "first", "_rng", "changeover", "changeover_cost")

    def __init__(self, flow: RoutedFlow, index: int, op: Operation, line: ProductionLine) -> None:
        self.flow = flow
        self.index = index
        self.op = op
        self.line = line
        self.first = index == 0  # takes the bill of materials
        streams = flow.ctx.streams
        self._rng = streams.rng("routing", flow.routing.family, str(index))
        self.changeover: Callable[[], float] | None = op.changeover.sampler(
            streams.rng("routing", flow.routing.family, str(index), "changeover")) if op.changeover else None
        self.changeover_cost = op.changeover_cost if op.changeover_cost is not None else line.spec.changeover_cost

    def run_time(self, qty: float) -> float:
        """Days to make ``qty`` units at this operation (excluding changeover)."""
        op = self.op
        if op.batch_time is not None:
            return float(op.batch_time.draw(self._rng, 1)[0])
        if op.unit_time is None:
            return self.line.run_time(qty)  # the line's own speed
        if op.unit_time.is_constant:
            return qty * op.unit_time.mean
        return float(op.unit_time.draw(self._rng, max(1, round(qty))).sum())

    def done(self, job: Job) -> bool:
        """The operation finished ``job``: record it and pass the units on. True when the flow took
        the units (to the next operation or a buffer); False for the finished product, which the
        line ships itself."""
        flow, env = self.flow, self.flow.ctx.env
        req = job.request
        flow.rows.append((
            flow.routing.family, "" if req.kind == "semi" else req.sku, job.view.segment, self.index,
            self.op.plant, self.op.line, job.qty, job.released, job.started, env.now, job.changeover,
            self.changeover_cost * job.changeovers))
        if self.index == len(flow.steps) - 1:
            return False
        nxt = flow.steps[self.index + 1]
        if self.op.stock_after is not None:
            buffer = flow.buffers[self.index]
            if self.op.transfer_days > 0:
                env.timeout(self.op.transfer_days).callbacks.append(lambda _ev: buffer.receive(job.request, job.qty))
            else:
                buffer.receive(job.request, job.qty)
            return True
        if self.op.transfer_days > 0:
            env.timeout(self.op.transfer_days).callbacks.append(lambda _ev: nxt.start(job.request, job.qty, job))
        else:
            nxt.start(job.request, job.qty, job)
        return True

    def start(self, request: Request, qty: float, before: Job | None = None) -> None:
        """Release a production order for ``qty`` units of ``request`` to this operation's line."""
        from simulator.engine.production import Job

        flow = self.flow
        item = flow.ctx.spec.skus.get(request.sku)
        margin = item.price - item.unit_cost if item is not None else 0.0
        segment = before.view.segment if before is not None else None
        job = Job(request, qty, flow.routing.family, flow.ctx.env.now, margin, segment)
        job.op = self
        self.line.add(job)


class SemiStock:
    """A semi-finished buffer between two stages of a routing: orders from the stage after it wait
    here until the units are on hand; its (s, S) rule releases production orders to the stage
    before it on its position (on hand + on order - what waiting orders need)."""

    def __init__(self, flow: RoutedFlow, after: int, rule: Buffer) -> None:
        self.flow = flow
        self.after = after  # index of the operation that fills it
        self.rule = rule
        self.on_hand = float(rule.initial)
        self.on_order = 0.0
        self.reserved = 0.0
        self.received = 0.0  # units the stage before it delivered
        self.taken = 0.0  # units orders of the stage after it took
        self._arrival = flow.ctx.env.event()
        self.first_step = self._stage_start()

    def _stage_start(self) -> int:
        """The first operation of the stage that fills this buffer (just after the previous buffer)."""
        ops = self.flow.routing.operations
        i = self.after
        while i > 0 and ops[i - 1].stock_after is None:
            i -= 1
        return i

    def take(self, qty: float) -> Generator[simpy.Event, Any, None]:
        self.reserved += qty
        self.review()
        while self.on_hand < qty - 1e-9:
            yield self._arrival
        self.on_hand -= qty
        self.reserved -= qty
        self.taken += qty
        self.review()

    def review(self) -> None:
        rule, ctx = self.rule, self.flow.ctx
        position = self.on_hand + self.on_order - self.reserved
        if position <= rule.s:
            qty = ctx.order_size(rule.S - position)
            if qty <= 0:
                return
            self.on_order += qty
            family = self.flow.routing.family
            req = Request(f"{family}@{self.after}", qty, self.flow.routing.operations[self.after].plant, self, None,
                          "semi", ctx.env.now)
            self.flow.enter(self.first_step, req, qty)

    def receive(self, request: Request, qty: float) -> None:
        self.on_order -= qty
        self.on_hand += qty
        self.received += qty
        arrived, self._arrival = self._arrival, self.flow.ctx.env.event()
        arrived.succeed()


class RoutedFlow:
    """All operations of one family's routing at run time."""

    def __init__(self, ctx: Context, routing: Routing, lines: Mapping[tuple[str, str], ProductionLine],
                 rows: list[tuple[Any, ...]]) -> None:
        self.ctx = ctx
        self.routing = routing
        self.rows = rows  # the operations table's rows (shared by every routing of the run)
        self.steps = [Step(self, i, op, lines[(op.plant, op.line)]) for i, op in enumerate(routing.operations)]
        self.buffers = {i: SemiStock(self, i, op.stock_after)
                        for i, op in enumerate(routing.operations) if op.stock_after is not None}
        last_buffer = max(self.buffers, default=None)
        self.entry = 0 if last_buffer is None else last_buffer + 1  # where a production order starts

    def start(self) -> None:
        for buffer in self.buffers.values():
            buffer.review()

    def release(self, request: Request, qty: float) -> None:
        """A production order for the finished item: taken from the last buffer (if any), then made
        through the remaining operations."""
        self.enter(self.entry, request, qty)

    def enter(self, step: int, request: Request, qty: float) -> None:
        """Start a production order at operation ``step``: at once, or once the semi-finished stock
        just before it (if any) has the units."""
        buffer = self.buffers.get(step - 1)
        if buffer is None:
            self.steps[step].start(request, qty)
        else:
            self.ctx.env.process(self._from_stock(buffer, step, request, qty))

    def _from_stock(self, buffer: SemiStock, step: int, request: Request, qty: float
                    ) -> Generator[simpy.Event, Any, None]:
        yield from buffer.take(qty)
        self.steps[step].start(request, qty)


class Routings:
    """Every routing of a run: builds the flows, hands each to the plant that finishes it (that plant
    releases the family's production orders to the routing instead of to its own lines) and keeps
    the ``operations`` table."""

    def __init__(self, ctx: Context, routings: Mapping[str, Routing], plants: Mapping[str, PlantNode]) -> None:
        lines = {(p.name, ln.name): ln for p in plants.values() for ln in p.lines}
        self.rows: list[tuple[Any, ...]] = []
        self.flows = []
        for family, routing in routings.items():
            flow = RoutedFlow(ctx, routing, lines, self.rows)
            plants[routing.finishing_plant].routed[family] = flow
            self.flows.append(flow)

    def start(self) -> None:
        for flow in self.flows:
            flow.start()

    def tables(self) -> dict[str, pd.DataFrame]:
        """The ``operations`` table (one row per operation done), when the run has routings."""
        if not self.flows:
            return {}
        return {"operations": pd.DataFrame(self.rows, columns=list(OPERATION_COLUMNS))}
