"""Outside suppliers: dispatch after their own lead time, limited by a daily capacity."""

from __future__ import annotations

from simulator.availability import Availability
from simulator.flow import Context, Request
from simulator.spec import Supplier


class SupplierNode:
    """A supplier: an order is dispatched after the supplier's lead time, and no faster than its
    daily capacity allows (orders are worked through first come, first served)."""

    kind = "supplier"

    def __init__(self, ctx: Context, spec: Supplier) -> None:
        self.ctx = ctx
        self.name = spec.name
        self.spec = spec
        self._lead = spec.lead_time.sampler(ctx.streams.rng("supplier", spec.name))
        self._free_at = 0.0  # when the supplier's capacity is next free
        self.availability = Availability(ctx.env)  # a failure scenario lowers it (0 = ships nothing)

    def request(self, req: Request) -> None:
        env = self.ctx.env
        ready = env.now + self._lead()
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

    def _dispatch(self, req: Request) -> None:
        if req.kind != "raw":
            self.ctx.ledger.released[req.sku] += req.qty
        req.open = 0.0
        self.ctx.carrier.ship(self.name, req, req.qty)

    def min_order_qty(self, sku: str) -> float:
        return 0.0
