"""Outside suppliers: dispatch after their own lead time, limited by a daily capacity."""

from __future__ import annotations

import math
from collections.abc import Generator, Mapping
from typing import Any

import simpy

from policies.base import SupplyClaim
from simulator.engine.availability import Availability
from simulator.engine.context import Context
from simulator.engine.flow import Request
from simulator.engine.spec import Supplier

_EPS = 1e-9


class SupplierNode:
    """A supplier: an order is ready after the supplier's lead time and is dispatched no faster than
    its daily capacity allows. Without an allocation policy orders are worked through first come,
    first served; with one, each day's capacity is shared out among the waiting orders in the
    policy's order (partial shipments), and every order left short that day is recorded."""

    kind = "supplier"

    def __init__(self, ctx: Context, spec: Supplier,
                 segment_shares: Mapping[tuple[str, str], Mapping[str, float]]) -> None:
        self.ctx = ctx
        self.name = spec.name
        self.spec = spec
        self._lead = spec.lead_time.sampler(ctx.streams.rng("supplier", spec.name))
        self._free_at = 0.0  # when the supplier's capacity is next free
        self.availability = Availability(ctx.env)  # a failure scenario lowers it (0 = ships nothing)
        self.pending: list[tuple[Request, float]] = []  # (order, ready since), allocation mode only
        self.segment_shares = segment_shares  # (plant, material) -> each segment's share of its use
        self._allocating = False

    def request(self, req: Request) -> None:
        env = self.ctx.env
        ready = env.now + self._lead()
        if self.spec.allocation is not None:
            env.timeout(ready - env.now).callbacks.append(lambda _ev: self._wait_for_allocation(req))
            return
        cap = self.spec.capacity_per_day
        if cap is not None:
            cap *= self.availability.factor or 1.0  # partial capacity slows orders taken on now
            ready = max(ready, self._free_at) + req.qty / cap
            self._free_at = ready
        # Down at the ready time: held, then dispatched in order the moment the supplier is back.
        if ready > env.now:
            env.timeout(ready - env.now).callbacks.append(
                lambda _ev: self.availability.when_up(lambda: self._dispatch(req)))
        else:  # dispatched at once: no zero-delay event
            self.availability.when_up(lambda: self._dispatch(req))

    def _dispatch(self, req: Request, qty: float | None = None) -> None:
        qty = req.open if qty is None else qty
        if req.kind != "raw":
            self.ctx.ledger.released[req.sku] += qty
        req.open -= qty
        self.ctx.carrier.ship(self.name, req, qty)

    # ---------------------------------------------------------------- allocation under shortage
    def _wait_for_allocation(self, req: Request) -> None:
        self.pending.append((req, self.ctx.env.now))
        if not self._allocating:
            self._allocating = True
            self.ctx.env.process(self._allocate_days())

    def _allocate_days(self) -> Generator[simpy.Event, Any, None]:
        """At the start of each day, share that day's capacity out among the waiting orders."""
        env = self.ctx.env
        capacity = self.spec.capacity_per_day
        assert capacity is not None  # allocation needs a capacity (checked with the config)
        while self.pending:
            yield env.timeout(math.floor(env.now) + 1.0 - env.now)
            self.allocate(capacity * self.availability.factor)
        self._allocating = False

    def allocate(self, capacity: float) -> None:
        """Fill waiting orders with ``capacity`` units in the policy's order; record who is left short."""
        claims = [SupplyClaim(req.dest_node, req.sku, req.open, since,
                              self.segment_shares.get((req.dest_node, req.sku), {}))
                  for req, since in self.pending]
        now = self.ctx.env.now
        left = capacity
        allocation = self.spec.allocation
        assert allocation is not None
        for i in allocation.rank(claims):
            req = self.pending[i][0]
            before = req.open
            give = min(before, left)
            if give > _EPS:
                left -= give
                self._dispatch(req, give)
            if req.open > _EPS:
                self.ctx.recorder.shortages.append((now, self.name, req.dest_node, req.sku, before, max(give, 0.0),
                                                    req.open))
        self.pending = [(req, since) for req, since in self.pending if req.open > _EPS]

    def min_order_qty(self, sku: str) -> float:
        return 0.0
