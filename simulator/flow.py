"""Requests for goods and the carriers that move them.

Every movement of finished goods or raw materials starts as a ``Request`` placed on a node
(a DC, plant or supplier). The node serves it by calling ``Carrier.ship``; on arrival the
carrier hands the units to the request's ``target`` (a stocking point, a raw-material store,
or a customer order line).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

import simpy

from policies.base import LaneOption
from simulator.availability import Availability
from simulator.records import OrderLine, Recorder
from simulator.spec import Lane, Spec
from simulator.streams import Streams

if TYPE_CHECKING:
    from simulator.spec import Segment


class Receiver(Protocol):
    def receive(self, request: Request, qty: float) -> None: ...


class Request:
    """An order for ``qty`` units of ``sku`` to be delivered to node ``dest_node``.

    ``kind`` is "customer", "replenishment" (DC or plant stock) or "raw" (raw material);
    ``segment`` is the segment the goods serve (None for raw material, which serves all).
    ``open`` counts units not yet shipped; ``patience`` is how long they may wait on backorder;
    ``complete_only`` asks the serving DC to ship the line whole or not at all (ship-complete).
    """

    __slots__ = ("sku", "qty", "dest_node", "target", "segment", "kind", "created", "open", "patience", "line",
                 "complete_only")

    def __init__(self, sku: str, qty: float, dest_node: str, target: Receiver, segment: Segment | None, kind: str,
                 created: float, patience: float = math.inf, line: OrderLine | None = None,
                 complete_only: bool = False) -> None:
        self.sku = sku
        self.qty = qty
        self.dest_node = dest_node
        self.target = target
        self.segment = segment
        self.kind = kind
        self.created = created
        self.open = qty
        self.patience = patience
        self.line = line
        self.complete_only = complete_only  # ship nothing until all of it can ship


class Ledger:
    """Counts of finished goods by where they are, for flow-conservation checks.

    ``released``: units that entered the network from a line or an outside supplier;
    ``in_transit``: on a carrier now (or waiting at a closed dock); ``delivered``: received by customers;
    ``written_off``: destroyed (a DC outage that damages stock).
    """

    def __init__(self) -> None:
        self.released: defaultdict[str, float] = defaultdict(float)
        self.in_transit: defaultdict[str, float] = defaultdict(float)
        self.delivered: defaultdict[str, float] = defaultdict(float)
        self.initial: defaultdict[str, float] = defaultdict(float)
        self.written_off: defaultdict[str, float] = defaultdict(float)  # destroyed in a DC outage


class Carrier:
    """All transport lanes: picks a mode, samples the transit time, books cost and CO2.

    Disruption hooks: ``transit_factor`` (lane -> {disruption: multiplier}) stretches the transit of
    shipments that leave while it is set; ``lane_capacity`` (lane -> {disruption: units per day})
    makes shipments queue for departure; ``docks`` (node -> Availability) holds arriving goods
    while the receiving node is closed.
    """

    def __init__(self, env: simpy.Environment, spec: Spec, streams: Streams, recorder: Recorder,
                 ledger: Ledger) -> None:
        self.env = env
        self.recorder = recorder
        self.ledger = ledger
        self.skus = spec.skus
        self._lanes: dict[tuple[str, str], list[tuple[Lane, Callable[[], float], LaneOption]]] = defaultdict(list)
        for lane in spec.lanes:
            rng = streams.rng("lane", lane.origin, lane.dest, lane.mode)
            option = LaneOption(lane.mode, lane.lead_time.mean, lane.cost_per_unit, lane.cost_per_shipment,
                                lane.co2_per_unit)
            self._lanes[(lane.origin, lane.dest)].append((lane, lane.lead_time.sampler(rng), option))
        self.transit_factor: dict[tuple[str, str], dict[str, float]] = {}
        self.lane_capacity: dict[tuple[str, str], dict[str, float]] = {}
        self._lane_free_at: dict[tuple[str, str], float] = {}
        self.docks: dict[str, Availability] = {}

    def lanes(self) -> list[tuple[str, str]]:
        """Every (origin, destination) pair with a lane."""
        return list(self._lanes)

    def has_lane(self, origin: str, dest: str) -> bool:
        return (origin, dest) in self._lanes

    def mean_lead_time(self, origin: str, dest: str) -> tuple[float, float]:
        """Planning lead time (mean, sd) of the lane's first listed mode."""
        lane = self._lanes[(origin, dest)][0][0]
        return lane.lead_time.mean, lane.lead_time.sd

    def ship(self, origin: str, request: Request, qty: float) -> None:
        """Send ``qty`` units for ``request`` from ``origin``; they arrive after the lane's transit time."""
        options = self._lanes[(origin, request.dest_node)]
        segment = request.segment
        if len(options) == 1 or segment is None:  # raw material: the contracted (first) mode
            lane, sample, _ = options[0]
        else:
            pick = segment.policies.transport.choose(qty, [o[2] for o in options])
            lane, sample, _ = options[pick]
        now = self.env.now
        transit = sample()
        key = (origin, request.dest_node)
        depart = now
        if self.transit_factor or self.lane_capacity:
            transit *= max(self.transit_factor.get(key, {}).values(), default=1.0)
            caps = self.lane_capacity.get(key)
            if caps:  # fewer trucks: the lane moves at most min(caps) units a day, first come first served
                depart = max(now, self._lane_free_at.get(key, now)) + qty / min(caps.values())
                self._lane_free_at[key] = depart
        is_goods = request.kind != "raw"
        self.recorder.shipments.append((
            now, origin, request.dest_node, lane.mode, request.sku, qty, request.kind,
            segment.name if segment is not None else "",
            lane.cost_per_shipment + lane.cost_per_unit * qty, lane.co2_per_unit * qty, depart + transit,
        ))
        if is_goods:
            self.ledger.in_transit[request.sku] += qty
        if request.line is not None:
            request.line.shipped += qty
        delay = depart - now + transit
        if delay > 0:
            self.env.timeout(delay).callbacks.append(lambda _ev: self._arrive(request, qty, is_goods))
        else:  # same-instant hand-over: no zero-delay event
            self._arrive(request, qty, is_goods)

    def _arrive(self, request: Request, qty: float, is_goods: bool) -> None:
        dock = self.docks.get(request.dest_node)
        if dock is not None and not dock.up:  # receiving node closed: goods wait at the dock, still in transit
            dock.when_up(lambda: self._arrive(request, qty, is_goods))
            return
        if is_goods:
            self.ledger.in_transit[request.sku] -= qty
        request.target.receive(request, qty)


class Node(Protocol):
    """Anything that can serve a request: a warehouse, a plant or a supplier."""

    name: str

    def request(self, request: Request) -> None: ...

    def min_order_qty(self, sku: str) -> float: ...


class Context:
    """What every entity of one run shares: the clock, carriers, records and the node table."""

    def __init__(self, spec: Spec, env: simpy.Environment, streams: Streams) -> None:
        self.spec = spec
        self.env = env
        self.streams = streams
        self.recorder = Recorder()
        self.ledger = Ledger()
        self.carrier = Carrier(env, spec, streams, self.recorder, self.ledger)
        self.nodes: dict[str, Node] = {}
        self.integer_units = spec.integer_units

    def order_size(self, qty: float) -> float:
        """Round an order quantity to what can be ordered (whole units unless configured otherwise)."""
        return float(math.ceil(qty - 1e-9)) if self.integer_units else qty
