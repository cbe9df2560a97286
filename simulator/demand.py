"""Customer order streams: orders with several lines arrive and are routed to a serving node."""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Generator
from itertools import accumulate
from typing import Any

import simpy

from policies.base import SourceOption
from simulator.flow import Context, Request
from simulator.records import OrderLine
from simulator.spec import Customer


class CustomerStream:
    """One order stream (a group of customers of one channel). Each source of randomness (arrival
    times, lines per order, SKU mix, quantities) has its own named stream, so a policy change
    never changes the demand drawn."""

    kind = "customer"

    def __init__(self, ctx: Context, spec: Customer, order_ids: itertools.count, line_ids: itertools.count) -> None:
        self.ctx = ctx
        self.name = spec.name
        self.spec = spec
        self.channel = spec.channel
        self.patience = ctx.spec.channels[spec.channel].patience_days
        rng = ctx.streams.rng
        self._gap = spec.interarrival.sampler(rng("demand", spec.name, "arrivals"))
        self._lines = spec.lines_per_order.sampler(rng("demand", spec.name, "lines"))
        self._qty = spec.qty.sampler(rng("demand", spec.name, "qty"))
        uniform = rng("demand", spec.name, "mix")
        buf: list[float] = []

        def u() -> float:
            if not buf:
                buf.extend(uniform.random(512).tolist())
            return buf.pop()

        self._u = u
        self._cum = list(accumulate(spec.sku_weights))
        self._cum[-1] = 1.0
        self._order_ids = order_ids
        self._line_ids = line_ids
        # Route table per SKU: segment, its fulfilment policy, and the candidate nodes.
        segment_of = ctx.spec.segment_of
        self._route = {}
        for sku in spec.skus:
            seg = ctx.spec.segments[segment_of[(sku, self.channel)]]
            dcs = spec.served_from if seg.policies.production.holds_stock else ()
            makers = ctx.spec.makers_of(sku)
            self._route[sku] = (seg, dcs, makers)

    def receive(self, req: Request, qty: float) -> None:
        """Goods arrived at the customer."""
        line = req.line
        line.delivered += qty
        line.last_delivery = self.ctx.env.now
        self.ctx.ledger.delivered[req.sku] += qty

    def process(self) -> Generator[simpy.Event, Any, None]:
        ctx = self.ctx
        env = ctx.env
        nodes = ctx.nodes
        skus = self.spec.skus
        cum = self._cum
        integer = ctx.integer_units
        lines_recorded = ctx.recorder.order_lines
        if self.spec.first_order > 0:
            yield env.timeout(self.spec.first_order)
        while True:
            now = env.now
            n_lines = max(1, round(self._lines()))
            order_id = next(self._order_ids)
            for _ in range(n_lines):
                sku = skus[bisect.bisect_right(cum, self._u())]
                qty = self._qty()
                if integer:
                    qty = float(round(qty))
                if qty <= 0:
                    continue
                seg, dcs, makers = self._route[sku]
                line = OrderLine(next(self._line_ids), order_id, now, self.name, self.channel, sku, seg.name, qty)
                lines_recorded.append(line)
                options = [SourceOption(dc, "warehouse", nodes[dc].on_hand(sku)) for dc in dcs]
                options += [SourceOption(m, nodes[m].kind, 0.0) for m in makers]
                source = seg.policies.fulfilment.source(qty, options) if len(options) > 1 else options[0].node
                line.source = source
                nodes[source].request(Request(sku, qty, self.name, self, seg, "customer", now, self.patience, line))
            yield env.timeout(self._gap())
