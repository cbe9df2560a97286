"""Customer order streams: orders with several lines arrive and are routed to a serving node."""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Callable, Generator, Mapping
from functools import partial
from itertools import accumulate
from typing import Any, Protocol

import numpy as np
import simpy

from policies.base import SourceOption
from simulator.engine.context import Context, ServingNode
from simulator.engine.flow import OrderLine, Request
from simulator.engine.spec import Customer, Segment
from simulator.engine.warehouse import WarehouseNode


class DemandModifier(Protocol):
    """A multiplier on the demand rate over time (seasonality, a promotion, a demand spike or drop).

    ``factor`` is 1 for no change; ``max_factor`` bounds it over the whole run (used to size the
    extra order stream that carries demand above the base rate).
    """

    def factor(self, t: float, sku: str, channel: str, segment: str) -> float: ...

    def max_factor(self) -> float: ...


def _uniforms(rng: np.random.Generator) -> Callable[[], float]:
    buf: list[float] = []

    def u() -> float:
        if not buf:
            buf.extend(rng.random(512).tolist())
        return buf.pop()

    return u


class _Draws:
    """The random inputs of one order stream, each from its own named generator."""

    def __init__(self, ctx: Context, spec: Customer, tag: str, gap_scale: float = 1.0) -> None:
        rng = ctx.streams.rng
        gap = spec.interarrival.sampler(rng("demand", spec.name, tag, "arrivals"))
        self.gap = gap if gap_scale == 1.0 else (lambda: gap() * gap_scale)
        # the time between orders when it never varies (read without a call; a constant draws nothing)
        self.fixed_gap = float(spec.interarrival.mean) * gap_scale if spec.interarrival.is_constant else None
        self.lines = spec.lines_per_order.sampler(rng("demand", spec.name, tag, "lines"))
        self.mix = _uniforms(rng("demand", spec.name, tag, "mix"))
        self.qty = spec.qty.sampler(rng("demand", spec.name, tag, "qty"))
        self.keep = _uniforms(rng("demand", spec.name, tag, "keep"))


_MADE = frozenset({"make_to_order", "drop_ship"})  # paths served by a maker: it ships the order complete
_PATHS = {"warehouse": "next_dc", "upstream": "cross_dock", "plant": "drop_ship", "supplier": "drop_ship"}


def _labels(options: list[SourceOption], dcs: tuple[str, ...], mto: str | None) -> dict[str, str]:
    """The fulfilment path each serving node stands for (what the shipments' ``path`` column says)."""
    labels = {o.node: _PATHS[o.kind] for o in reversed(options)}
    if dcs:
        labels[dcs[0]] = "dc_pick"
    if mto is not None:
        labels[mto] = "make_to_order"
    return labels


def _fixed_source(seg: Segment, options: list[SourceOption], mto: str | None) -> str | None:
    """The node serving every line of this customer and SKU when no line needs a choice: the maker
    of a line made to order, or the answer of a fulfilment policy whose choice is fixed."""
    if mto is not None:
        return mto
    policy = seg.policies.fulfilment
    if getattr(policy, "fixed_choice", False) and any(o.kind == "warehouse" for o in options):
        return policy.source(0.0, options)
    return None


def _server(node: ServingNode, sku: str) -> Callable[[Request], object]:
    """What takes the lines of ``sku`` placed on ``node``: at a DC, its stock point of the SKU (all
    ``WarehouseNode.request`` does is look it up, once per line); elsewhere the node itself."""
    point = node.stock.get(sku) if isinstance(node, WarehouseNode) else None
    return point.request if point is not None else node.request


class CustomerStream:
    """One order stream (a group of customers of one channel).

    Each source of randomness (arrival times, lines per order, SKU mix, quantities) has its own
    named stream, so a policy change never changes the demand drawn. Demand modifiers act by
    thinning the base stream (factor below 1) and by a separate extra stream (factor above 1), so
    the base orders are the same with or without them.
    """

    kind = "customer"

    def __init__(self, ctx: Context, spec: Customer, order_ids: itertools.count[int],
                 line_ids: itertools.count[int], shared: dict[tuple[Any, ...], Any]) -> None:
        """``shared``: route tables shared by the streams of one run (see ``_bind``); the nodes that
        serve the stream are read from ``ctx.nodes``, so they are built first."""
        self.ctx = ctx
        self.name = spec.name
        self.spec = spec
        self.channel = spec.channel
        self.patience = ctx.spec.channels[spec.channel].patience_days
        self.ship_complete = ctx.spec.channels[spec.channel].ship_complete
        self.modifiers: list[DemandModifier] = []
        # called on each delivery when the customers send some goods back (``returns.py``); None: never
        self.on_delivery: Callable[[OrderLine, float, float], None] | None = None
        self._delivered = ctx.ledger.delivered  # units delivered per SKU (the run's ledger)
        self._cum: list[float] = []  # cumulative SKU mix (filled in by ``_bind``)
        self._order_ids = order_ids
        self._line_ids = line_ids
        # Route table per SKU (filled in by ``_bind``): its segment, the nodes that may serve it, the
        # node that serves every line when that is known in advance (the maker of a line made to
        # order, the home DC under dc_pick; None: the fulfilment policy chooses per line), the
        # fulfilment path each serving node stands for, and what takes the lines of that fixed node.
        self._route: dict[str, tuple[Segment, list[SourceOption], str | None, dict[str, str],
                                     Callable[[Request], object] | None]] = {}
        self._bind(ctx.nodes, shared)

    def _bind(self, nodes: Mapping[str, Any], shared: dict[tuple[Any, ...], Any]) -> None:
        """Resolve, once, which nodes may serve each SKU: the customer's DCs in preference order (for
        segments served from stock), then the DCs feeding the first of them (kind "upstream", to
        cross-dock through it), then the plants and suppliers that make or sell it.

        ``shared`` lets streams with the same DCs, segments and SKU mix share one set of tables: a
        large network has hundreds of streams over thousands of SKUs, and a table per stream and SKU
        would take hundreds of MB."""
        spec = self.spec
        cum = shared.get(("mix", spec.sku_weights))
        if cum is None:
            cum = shared[("mix", spec.sku_weights)] = list(accumulate(spec.sku_weights))
            cum[-1] = 1.0
        self._cum = cum
        # Items served alike (same segment, DCs and makers) share one decision: the table's key is one
        # entry per group, so a stream costs its groups here, and only a new table costs its items.
        groups = self.ctx.network.customer_groups(self.name)
        table_key = ("routes", spec.skus, tuple((d.segment.name, d.dcs, d.makers, d.maker) for d, _ in groups))
        if table_key not in shared:
            entries: list[Any] = [None] * len(spec.skus)
            for decision, idx in groups:
                seg, mto, dcs, makers = decision.segment, decision.maker, decision.dcs, decision.makers
                for i in idx:
                    sku = spec.skus[i]
                    key = ("route", seg.name, dcs, sku, makers, mto)
                    if key not in shared:
                        options = self._options(nodes, dcs, sku, makers, shared)
                        source = _fixed_source(seg, options, mto)
                        serve = None if source is None else _server(nodes[source], sku)
                        shared[key] = (seg, options, source, _labels(options, dcs, mto), serve)
                    entries[i] = shared[key]
            shared[table_key] = dict(zip(spec.skus, entries, strict=True))
        self._route = shared[table_key]

    def _options(self, nodes: Mapping[str, Any], dcs: tuple[str, ...], sku: str, makers: tuple[str, ...],
                 shared: dict[tuple[Any, ...], Any]) -> list[SourceOption]:
        """The nodes that may serve ``sku``, in preference order (shared by streams with the same DCs)."""
        options = shared.get(("options", dcs, sku, makers))
        if options is None:
            options = [SourceOption(dc, "warehouse", partial(nodes[dc].on_hand, sku)) for dc in dcs]
            upstream = [u for dc in dcs[:1] for u in self.ctx.network.upstream_warehouses(dc) if u not in dcs]
            options += [SourceOption(u, "upstream", partial(nodes[u].on_hand, sku)) for u in upstream]
            options += [SourceOption(m, nodes[m].kind, 0.0) for m in makers]
            shared[("options", dcs, sku, makers)] = options
        return options

    def receive(self, line: Request, qty: float) -> None:
        """Goods arrived at the customer (``line`` is one of its order lines)."""
        assert type(line) is OrderLine
        self.deliver(line, qty, self.ctx.env.now)

    def deliver(self, line: OrderLine, qty: float, at: float) -> None:
        """``qty`` units of ``line`` reached the customer at time ``at`` (the carrier books a final leg's
        arrival when it leaves, and hands it over once the clock has passed ``at``)."""
        line.delivered += qty
        line.last_delivery = at
        self._delivered[line.sku] += qty
        if self.on_delivery is not None:
            self.on_delivery(line, qty, at)

    def lost(self, line: OrderLine, qty: float) -> None:
        """``qty`` units of ``line`` were lost (already booked on the line); a goodwill stream reacts."""

    def factor(self, t: float, sku: str) -> float:
        """Combined demand multiplier of every modifier for ``sku`` at time ``t``."""
        f = 1.0
        seg = self._route[sku][0].name
        for m in self.modifiers:
            f *= m.factor(t, sku, self.channel, seg)
        return f

    def processes(self, modifiers: list[DemandModifier]) -> list[Generator[simpy.Event, Any, None]]:
        """The base order stream, plus an extra stream when one of ``modifiers`` can raise demand."""
        self.modifiers = modifiers
        ctx, spec = self.ctx, self.spec
        if not self.modifiers:
            return [self._orders(_Draws(ctx, spec, "base"), None)]
        ceiling = math.prod(m.max_factor() for m in self.modifiers)
        out = [self._orders(_Draws(ctx, spec, "base"), lambda f: f)]
        if ceiling > 1.0:
            out.append(self._orders(_Draws(ctx, spec, "extra", 1.0 / (ceiling - 1.0)),
                                    lambda f: (f - 1.0) / (ceiling - 1.0)))
        return out

    def _orders(self, draws: _Draws, keep_prob: Callable[[float], float] | None
                ) -> Generator[simpy.Event, Any, None]:
        # Everything the loop reads is bound to a local name first: this loop runs once per order.
        ctx = self.ctx
        env = ctx.env
        timeout = env.timeout
        nodes = ctx.nodes
        skus = self.spec.skus
        one_sku = skus[0] if len(skus) == 1 else None  # the mix needs no draw (its stream serves nothing else)
        cum = self._cum
        route = self._route
        # whole units: round each quantity, unless its law only draws whole numbers
        rounding = ctx.integer_units and not self.spec.qty.is_whole
        record_line = ctx.recorder.order_lines.append
        next_order, next_line = self._order_ids.__next__, self._line_ids.__next__
        draw_lines, draw_mix, draw_qty = draws.lines, draws.mix, draws.qty
        draw_gap, fixed_gap = draws.gap, draws.fixed_gap
        name, channel, patience, complete_only = self.name, self.channel, self.patience, self.ship_complete
        orders = ctx.carrier.orders  # order consolidation: a maker ships an order's lines together
        fixed_lines = self.spec.lines_per_order.is_constant  # the same number of lines on every order
        n_lines = max(1, round(draw_lines())) if fixed_lines else 0  # a constant draws no random number
        if self.spec.first_order > 0:
            yield timeout(self.spec.first_order)
        while True:
            now = env.now
            if not fixed_lines:
                n_lines = max(1, round(draw_lines()))
            order_id = next_order()
            if orders is not None:
                orders.hold()  # the order's picks leave together
            for _ in range(n_lines):
                sku = one_sku if one_sku is not None else skus[bisect.bisect_right(cum, draw_mix())]
                qty = draw_qty()
                if keep_prob is not None and draws.keep() >= keep_prob(self.factor(now, sku)):
                    continue
                if rounding:
                    qty = float(round(qty))
                if qty <= 0:
                    continue
                seg, options, source, labels, serve = route[sku]
                if source is None or serve is None:  # the fulfilment policy chooses line by line
                    source = seg.policies.fulfilment.source(qty, options)
                    serve = nodes[source].request
                line = OrderLine(next_line(), order_id, now, self, name, channel, sku, seg, qty, source, labels[source],
                                 patience, complete_only)
                record_line(line)
                if orders is not None and line.path in _MADE:
                    orders.expect(line)
                serve(line)
            if orders is not None:
                orders.release()
            yield timeout(fixed_gap if fixed_gap is not None else draw_gap())
