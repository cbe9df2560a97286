"""The network's structure, resolved once from a ``Spec``: lanes, routes, who makes what, where stock
can come from, how deep each DC sits, and how each customer's items are served.

Every question about the shape of the network is answered here and nowhere else: the config checks,
the model (planning stock, wiring sources), the customer streams and the carriers all ask one
``Network``. Answers are computed on first use and kept (a large network has thousands of SKUs and
hundreds of customers; most runs ask about a small part of the pairs).
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulator.engine.spec import Lane, Plant, Segment, Sku, Spec, Supplier

Route = tuple[tuple[str, str], ...]  # the legs (origin, dest) of a chain of lanes


@dataclass(frozen=True, slots=True)
class ServiceDecision:
    """How one customer's order lines for one SKU are served (the segment's production strategy
    applied to this customer and item).

    ``from_stock``: served from finished-goods stock at ``dcs`` (the customer's DCs in preference
    order); otherwise each line is made to order at ``maker`` (a plant or supplier), which takes
    ``make_and_deliver_days`` (planned production + delivery; inf when no maker reaches the customer).
    ``makers``: the plants and suppliers making the SKU that can deliver to the customer (the
    drop-ship options of a fulfilment policy). ``path``: the lanes a line takes to the customer from
    the first DC (from stock) or from the maker (made to order); None when there is none.
    """

    segment: Segment
    from_stock: bool
    maker: str | None
    make_and_deliver_days: float
    dcs: tuple[str, ...]
    makers: tuple[str, ...]
    path: Route | None


def _makers(skus: Mapping[str, Sku], plants: Mapping[str, Plant], suppliers: Mapping[str, Supplier]
            ) -> dict[str, tuple[str, ...]]:
    """Per SKU: plants with a line for its family, then suppliers selling the SKU itself."""
    by_family = {fam: tuple(p.name for p in plants.values() if any(fam in ln.families for ln in p.lines))
                 for fam in {s.family for s in skus.values()}}
    return {sku: by_family[s.family] + tuple(sup.name for sup in suppliers.values() if sku in sup.supplies)
            for sku, s in skus.items()}


class Network:
    """The structure of one spec's network (see the module docstring)."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        # Planning days of each (origin, dest) pair's first listed lane, and the lanes out of each node.
        self.first_lane: dict[tuple[str, str], Lane] = {}  # each (origin, dest) pair's first listed lane
        for lane in spec.lanes:
            self.first_lane.setdefault((lane.origin, lane.dest), lane)
        self.lane_days = {pair: lane.lead_time.mean for pair, lane in self.first_lane.items()}
        self.lanes_from: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for (origin, dest), days in self.lane_days.items():
            self.lanes_from[origin].append((dest, days))
        self.makers: dict[str, tuple[str, ...]] = _makers(spec.skus, spec.plants, spec.suppliers)
        self.depth: dict[str, int] = {w: self._depth(w, frozenset()) for w in spec.warehouses}
        self._routes: dict[tuple[str, str], Route | None] = {}
        self._route_days: dict[tuple[str, str], float] = {}
        self._sources: dict[tuple[str, str], str | None] = {}
        self._decisions: dict[tuple[str, str, tuple[str, ...]], ServiceDecision] = {}
        self._trees: dict[str, dict[str, str]] = {}  # origin -> each reachable node's predecessor
        self._upstream: dict[str, tuple[str, ...]] = {}
        self._sku_groups: dict[tuple[str, tuple[str, ...]], list[tuple[str, tuple[str, ...], tuple[int, ...]]]] = {}

    # ------------------------------------------------------------------------------------ lanes and routes
    def has_lane(self, origin: str, dest: str) -> bool:
        return (origin, dest) in self.lane_days

    def lane_lead_time(self, origin: str, dest: str) -> tuple[float, float]:
        """Planning lead time (mean, sd) of the lane from ``origin`` to ``dest`` (its first listed mode)."""
        lead = self.first_lane[(origin, dest)].lead_time
        return lead.mean, lead.sd

    def route(self, origin: str, dest: str) -> Route | None:
        """The quickest chain of lanes from ``origin`` to ``dest`` (by the mean lead time of each pair's
        first listed lane), passing only through warehouses; None if there is none.

        A direct lane is one leg; otherwise goods flow through DCs without being put away."""
        key = (origin, dest)
        if key not in self._routes:
            self._routes[key] = self._quickest(origin, dest)
        return self._routes[key]

    def _quickest(self, origin: str, dest: str) -> Route | None:
        back = self._trees.get(origin)
        if back is None:
            back = self._trees[origin] = self._tree(origin)
        if dest == origin:
            return ()
        if dest not in back:
            return None
        legs = []
        node = dest
        while node != origin:
            legs.append((back[node], node))
            node = back[node]
        return tuple(reversed(legs))

    def _tree(self, origin: str) -> dict[str, str]:
        """The quickest chains of lanes from ``origin`` to every node it reaches (Dijkstra on the mean
        lead times, passing only through warehouses), as each node's predecessor. Built once per origin:
        a route to any destination is read off it (the same route a search stopping at that
        destination finds, ties included: a node's predecessor never changes once it is settled)."""
        warehouses = self.spec.warehouses
        best = {origin: 0.0}
        back: dict[str, str] = {}
        frontier = [(0.0, origin)]
        while frontier:
            days, node = heapq.heappop(frontier)
            if days > best[node] or (node != origin and node not in warehouses):
                continue
            for nxt, lt in self.lanes_from.get(node, ()):
                if days + lt < best.get(nxt, math.inf):
                    best[nxt] = days + lt
                    back[nxt] = node
                    heapq.heappush(frontier, (days + lt, nxt))
        return back

    def route_days(self, origin: str, dest: str) -> float:
        """Mean transit days along ``route(origin, dest)`` (inf if there is no route)."""
        key = (origin, dest)
        days = self._route_days.get(key)
        if days is None:
            legs = self.route(origin, dest)
            days = self._route_days[key] = math.inf if legs is None else sum(self.lane_days[leg] for leg in legs)
        return days

    # ------------------------------------------------------------------------------------ stock
    def stock_source(self, warehouse: str, sku: str) -> str | None:
        """Where ``warehouse`` replenishes ``sku`` from: the first of its sources (in preference order)
        that makes it, sells it, or is a warehouse with a source of its own; None if stock of ``sku``
        cannot reach the warehouse."""
        key = (warehouse, sku)
        if key not in self._sources:
            self._sources[key] = self._first_source(warehouse, self.makers[sku], frozenset())
        return self._sources[key]

    def _first_source(self, warehouse: str, makers: tuple[str, ...], path: frozenset[str]) -> str | None:
        warehouses = self.spec.warehouses
        inner = path | {warehouse}
        for src in warehouses[warehouse].sources:
            if src in makers:
                return src
            if src in warehouses and src not in inner and self._first_source(src, makers, inner) is not None:
                return src
        return None

    def raw_source(self, plant: str, material: str) -> str:
        """The supplier a plant orders a raw material from: the first supplier of it with a lane to the plant."""
        return next(s.name for s in self.spec.suppliers.values()
                    if material in s.supplies and self.has_lane(s.name, plant))

    def _depth(self, warehouse: str, seen: frozenset[str]) -> int:
        """Stage depth of a DC: 0 when fed only by plants and suppliers, else one more than the
        deepest DC feeding it."""
        warehouses = self.spec.warehouses
        ups = [s for s in warehouses[warehouse].sources if s in warehouses and s not in seen]
        return 0 if not ups else 1 + max(self._depth(s, seen | {warehouse}) for s in ups)

    def upstream_warehouses(self, warehouse: str) -> tuple[str, ...]:
        """The warehouses among ``warehouse``'s sources, in preference order."""
        found = self._upstream.get(warehouse)
        if found is None:
            found = self._upstream[warehouse] = tuple(s for s in self.spec.warehouses[warehouse].sources
                                                      if s in self.spec.warehouses)
        return found

    # ------------------------------------------------------------------------------------ service decisions
    def make_to_order_source(self, sku: str, customer: str) -> tuple[str, float] | None:
        """Where and how fast an order line could be made to order: the first plant (or supplier)
        making ``sku`` with a route to ``customer``, and its planned production + delivery days."""
        spec = self.spec
        for maker in self.makers[sku]:
            days = self.route_days(maker, customer)
            if days < math.inf:
                make = spec.plants[maker].planned_lead_time if maker in spec.plants else \
                    spec.suppliers[maker].lead_time.mean
                return maker, make + days
        return None

    def decision(self, customer: str, sku: str) -> ServiceDecision:
        """How ``customer``'s lines for ``sku`` are served (resolved once per segment, customer and set
        of makers, so SKUs of one family share one answer)."""
        spec = self.spec
        cust = spec.customers[customer]
        seg_name = spec.segment_of[(sku, cust.channel)]
        makers = self.makers[sku]
        key = (seg_name, customer, makers)
        found = self._decisions.get(key)
        if found is None:
            seg = spec.segments[seg_name]
            mto = self.make_to_order_source(sku, customer)
            days = mto[1] if mto is not None else math.inf
            stock = bool(seg.policies.production.serve_from_stock(seg.promised_lead_time, days))
            reach = tuple(m for m in makers if self.route_days(m, customer) < math.inf)
            maker = None if stock or mto is None else mto[0]
            start = cust.served_from[0] if stock else maker
            found = self._decisions[key] = ServiceDecision(
                seg, stock, maker, days, cust.served_from if stock else (), reach,
                self.route(start, customer) if start is not None else None)
        return found

    def sku_groups(self, channel: str, skus: tuple[str, ...]) -> list[tuple[str, tuple[str, ...], tuple[int, ...]]]:
        """The items a stream of ``channel`` buys, grouped by what its service decision depends on:
        (segment, makers, positions in ``skus``), groups in order of their first item. Every item of a
        group is served the same way for a given customer (``decision`` is resolved per segment,
        customer and makers), so a question asked per customer and item is asked once per group:
        setup grows with customers + items, not customers x items."""
        key = (channel, skus)
        groups = self._sku_groups.get(key)
        if groups is None:
            segment_of, makers = self.spec.segment_of, self.makers
            by: dict[tuple[str, tuple[str, ...]], list[int]] = {}
            for i, sku in enumerate(skus):
                by.setdefault((segment_of[(sku, channel)], makers[sku]), []).append(i)
            groups = self._sku_groups[key] = [(seg, mk, tuple(idx)) for (seg, mk), idx in by.items()]
        return groups

    def customer_groups(self, customer: str) -> list[tuple[ServiceDecision, tuple[int, ...]]]:
        """(decision, positions in the customer's ``skus``) per group of items served the same way."""
        cust = self.spec.customers[customer]
        return [(self.decision(customer, cust.skus[idx[0]]), idx) for _seg, _mk, idx in
                self.sku_groups(cust.channel, cust.skus)]

    def decisions(self) -> Iterator[tuple[str, str, ServiceDecision]]:
        """(customer, SKU, decision) for every item every customer buys."""
        for name, cust in self.spec.customers.items():
            for sku in cust.skus:
                yield name, sku, self.decision(name, sku)

    def decision_table(self) -> list[tuple[str, str, bool, str, int]]:
        """The service decisions summed up: one row per (segment, customer, served from stock, serving
        node) with the number of SKUs served that way. The serving node is the first DC for stock,
        the maker for make-to-order, "" when nothing can make it to order."""
        counts: dict[tuple[str, str, bool, str], int] = defaultdict(int)
        for customer in self.spec.customers:
            for d, idx in self.customer_groups(customer):
                node = d.dcs[0] if d.from_stock else (d.maker or "")
                counts[(d.segment.name, customer, d.from_stock, node)] += len(idx)
        return [(*key, n) for key, n in counts.items()]


DECISION_COLUMNS = ("segment", "customer", "from_stock", "node", "skus")
