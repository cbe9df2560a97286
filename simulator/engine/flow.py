"""Requests for goods and the carriers that move them.

Every movement of finished goods or raw materials starts as a ``Request`` placed on a node
(a DC, plant or supplier). The node serves it by calling ``Carrier.ship``; on arrival the
carrier hands the units to the request's ``target`` (a stocking point, a raw-material store,
or a customer order line).
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections import defaultdict
from functools import partial
from typing import TYPE_CHECKING, Protocol

import simpy

from policies.base import LaneOption
from simulator.engine.availability import Availability
from simulator.engine.consolidation import OrderConsolidation, split_by_mode
from simulator.engine.network import Network
from simulator.engine.records import Ledger, Recorder
from simulator.engine.spec import Lane, TransportMode
from simulator.engine.streams import Streams

if TYPE_CHECKING:
    from simulator.engine.spec import Segment


Load = tuple["Request", float, bool]  # a request, the units of it on board, whether they are finished goods


class Receiver(Protocol):
    def receive(self, request: Request, qty: float) -> None: ...


class CustomerReceiver(Receiver, Protocol):
    def deliver(self, line: OrderLine, qty: float, at: float) -> None: ...

    def lost(self, line: OrderLine, qty: float) -> None: ...


class Request:
    """An order for ``qty`` units of ``sku`` to be delivered to node ``dest_node``.

    ``kind`` is "customer", "replenishment" (DC or plant stock) or "raw" (raw material);
    ``segment`` is the segment the goods serve (None for raw material, which serves all).
    ``open`` counts units not yet shipped; ``patience`` is how long they may wait on backorder;
    ``complete_only`` asks the serving DC to ship the line whole or not at all (ship-complete);
    ``order_id`` is the customer order a line belongs to (0 for replenishment and raw material).
    """

    __slots__ = ("sku", "qty", "dest_node", "target", "segment", "kind", "created", "open", "patience",
                 "complete_only", "path", "order_id")

    def __init__(self, sku: str, qty: float, dest_node: str, target: Receiver, segment: Segment | None, kind: str,
                 created: float, patience: float = math.inf, complete_only: bool = False) -> None:
        self.sku = sku
        self.qty = qty
        self.dest_node = dest_node
        self.target = target
        self.segment = segment
        self.kind = kind
        self.created = created
        self.open = qty
        self.patience = patience
        self.complete_only = complete_only  # ship nothing until all of it can ship
        self.path = ""  # fulfilment path of a customer line (dc_pick, next_dc, cross_dock, drop_ship...)
        self.order_id = 0


class OrderLine(Request):
    """One line of a customer order: the request the customer places on its serving node, and
    what became of it (filled at once, shipped, delivered, lost). One object per line, because a
    run may place millions of them; ``records.ORDER_LINE_FIELDS`` reads them into the order-line table."""

    target: CustomerReceiver  # the customer stream that placed it
    __slots__ = ("line_id", "channel", "source", "immediate", "shipped", "delivered", "lost",
                 "last_delivery")

    def __init__(self, line_id: int, order_id: int, time: float, customer: CustomerReceiver, customer_name: str,
                 channel: str, sku: str, segment: Segment, qty: float, source: str, path: str, patience: float,
                 complete_only: bool) -> None:
        # The request's fields, set here rather than through Request.__init__: this runs once per
        # order line, the hottest constructor of a run (the super() call cost ~3% of B14's run).
        self.sku = sku
        self.qty = qty
        self.dest_node = customer_name
        self.target = customer
        self.segment = segment
        self.kind = "customer"
        self.created = time
        self.open = qty
        self.patience = patience
        self.complete_only = complete_only
        self.line_id = line_id
        self.order_id = order_id
        self.channel = channel
        self.source = source  # the node asked to serve it
        self.path = path
        self.immediate = 0.0  # filled from stock on hand the moment the order arrived
        self.shipped = 0.0
        self.delivered = 0.0
        self.lost = 0.0  # backordered units given up after the channel's patience
        self.last_delivery = math.nan


class _LaneState:
    """One lane of one mode: its figures, its random transit (and lateness) draws, and the loads
    waiting for a consolidated truck."""

    __slots__ = ("lane", "carrier", "option", "transit", "late", "delay", "on_time", "fixed", "capacity",
                 "max_wait", "waiting", "waiting_qty", "truck")

    def __init__(self, lane: Lane, mode: TransportMode, streams: Streams) -> None:
        self.lane = lane
        self.carrier = lane.carrier or lane.mode
        self.option = LaneOption(lane.mode, lane.lead_time.mean, lane.cost_per_unit, lane.cost_per_shipment,
                                 lane.co2_per_unit, mode.truck_capacity)
        self.transit = lane.lead_time.sampler(streams.rng("lane", lane.origin, lane.dest, lane.mode))
        # The carrier's record on this lane (or, without one, the mode's): on-time probability, delay if late.
        on_time = lane.on_time if lane.on_time is not None else mode.on_time
        delay = lane.delay if lane.delay is not None else mode.delay
        self.on_time = on_time
        self.late = streams.rng("lane", lane.origin, lane.dest, lane.mode, "late") if on_time < 1 else None
        self.delay = delay.sampler(streams.rng("lane", lane.origin, lane.dest, lane.mode, "delay")) \
            if delay is not None else None
        # Transit days when they never vary (a fixed lead time, never late): read without a draw.
        self.fixed = float(lane.lead_time.mean) if lane.lead_time.is_constant and self.late is None else None
        self.capacity = mode.truck_capacity
        self.max_wait = mode.max_wait_days
        self.waiting: list[Load] = []  # loads waiting for the next truck
        self.waiting_qty = 0.0
        self.truck = 0  # number of the truck now loading (so a stale max-wait timer does nothing)

    def draw_transit(self) -> tuple[float, float]:
        """Transit days of one shipment or truck: the lane's lead time (what the carrier promises at
        pickup: the shipment's due date), and the delay when it is late (0 when on time)."""
        days = self.transit()
        if self.late is not None and self.late.random() >= self.on_time:
            return days, self.delay()  # type: ignore[misc]
        return days, 0.0


class Carrier:
    """All transport lanes: picks a mode, consolidates full-truck loads, samples the transit time
    (and any delay), books cost and CO2.

    Disruption hooks (lane state): ``slow_lane`` stretches the transit of shipments that leave while
    it is set; ``limit_lane`` makes shipments queue for departure; ``hold_at_dock`` holds goods
    arriving at a node while it is closed.
    """

    def __init__(self, env: simpy.Environment, network: Network, streams: Streams, recorder: Recorder,
                 ledger: Ledger) -> None:
        spec = network.spec
        self.env = env
        self.recorder = recorder
        self.ledger = ledger
        self._in_transit = ledger.in_transit  # (read once per shipment)
        self.spec = spec
        self.network = network
        self.skus = spec.skus
        self._lanes: dict[tuple[str, str], list[_LaneState]] = defaultdict(list)
        for lane in spec.lanes:
            self._lanes[(lane.origin, lane.dest)].append(_LaneState(lane, spec.modes[lane.mode], streams))
        self._transit_factor: dict[tuple[str, str], dict[str, float]] = {}  # lane -> {disruption: multiplier}
        self._lane_capacity: dict[tuple[str, str], dict[str, float]] = {}  # lane -> {disruption: units per day}
        self._lane_free_at: dict[tuple[str, str], float] = {}
        self._docks: dict[str, Availability] = {}  # node -> its availability, for nodes that may close
        # Final legs to customers, booked when they leave: (arrival time, sequence, line, units), earliest first.
        # Nothing in the run reacts to a customer receiving goods, so these need no arrival event (two
        # thirds of a run's events); ``deliver_due`` hands them over in the order SimPy would have.
        self._deliveries: list[tuple[float, int, OrderLine, float]] = []
        self._booked = itertools.count()
        self._via_hub = dict(spec.freight.zone_skipping)  # customer -> the hub its goods go via
        self._next_leg: dict[tuple[str, str], tuple[str, list[_LaneState]]] = {}  # (at, bound for) -> (stop, lane)
        self._shipment_ids = itertools.count(1)  # one number per shipment (truck, parcel...) that leaves
        # The lines of one order leaving a node together ship together (None: every line ships alone).
        self.orders = OrderConsolidation(env, self._leg) if spec.freight.consolidate_orders else None

    # ---------------------------------------------------------------- disruption hooks (lane state)
    def slow_lane(self, lane: tuple[str, str], disruption: str, factor: float | None) -> None:
        """Shipments leaving on ``lane`` take ``factor`` times their transit while ``disruption`` is on
        (the worst factor of several counts); None lifts it."""
        _set(self._transit_factor, lane, disruption, factor)

    def waiting_for_truck(self) -> dict[str, float]:
        """Finished-goods units per SKU loaded onto a truck that has not left yet (full-truckload
        consolidation: waiting at the origin's dock for the truck to fill or its maximum wait)."""
        out: dict[str, float] = defaultdict(float)
        for states in self._lanes.values():
            for request, qty, is_goods in (w for state in states for w in state.waiting):
                if is_goods:
                    out[request.sku] += qty
        if self.orders is not None:  # made to order and waiting at the plant for the rest of the order
            for sku, qty in self.orders.held_units().items():
                out[sku] += qty
        return out

    def limit_lane(self, lane: tuple[str, str], disruption: str, units_per_day: float | None) -> None:
        """At most ``units_per_day`` leave on ``lane`` while ``disruption`` is on (the tightest limit of
        several counts; the rest queue, first come first served); None lifts it."""
        _set(self._lane_capacity, lane, disruption, units_per_day)

    def hold_at_dock(self, node: str, availability: Availability) -> None:
        """Goods arriving at ``node`` while ``availability`` is down wait at its dock (still in transit)."""
        self._docks[node] = availability

    def next_stop(self, origin: str, dest: str) -> str:
        """Where goods bound from ``origin`` for ``dest`` go next: ``dest`` itself over a direct
        lane, else the next DC on the quickest chain of lanes (flowing through, not put away)."""
        if (origin, dest) in self._lanes:
            return dest
        legs = self.network.route(origin, dest)
        if not legs:
            raise KeyError(f"no lane or chain of lanes from {origin} to {dest}")
        return legs[0][1]

    def ship(self, origin: str, request: Request, qty: float) -> None:
        """Send ``qty`` units for ``request`` from ``origin``; they arrive after the transit time of
        each lane on the way (and any wait for a consolidated truck). The lines of one customer
        order leaving together travel as one shipment (``consolidation``)."""
        is_goods = request.kind != "raw"
        if is_goods:
            self._in_transit[request.sku] += qty
        if type(request) is OrderLine:
            request.shipped += qty
            if self.orders is not None:
                self.orders.leave(origin, request, qty)
                return
        self._leg(origin, [(request, qty, is_goods)])

    def _leg(self, origin: str, loads: list[Load], _event: simpy.Event | None = None) -> None:
        """``loads`` (one request, or lines of one customer order) leave ``origin`` together on the
        next lane towards their destination: one shipment per mode chosen."""
        dest = loads[0][0].dest_node
        leg = self._next_leg.get((origin, dest))
        if leg is None:
            leg = self._next_leg[(origin, dest)] = self._leg_towards(origin, dest)
        stop, options = leg
        groups = ((0, loads),) if len(options) == 1 else split_by_mode([o.option for o in options], loads, self.skus)
        for index, group in groups:  # (one mode: nothing to choose)
            state = options[index]
            (self._depart if state.capacity is None else self._board)(state, origin, stop, group)

    def _leg_towards(self, origin: str, dest: str) -> tuple[str, list[_LaneState]]:
        """Where goods at ``origin`` bound for ``dest`` go next, and the lane (one state per mode) that
        takes them there; the same for the whole run (``_leg`` keeps it per origin and destination)."""
        hub = self._via_hub.get(dest)
        options = self._lanes.get((origin, dest)) if hub is None else self._lanes.get((origin, hub))
        if hub is not None and options is not None:  # zone skipping: a truck to the hub, parcel from there
            return hub, options
        if options is not None:  # a direct lane (the common case)
            return dest, options
        stop = self.next_stop(origin, dest)
        return stop, self._lanes[(origin, stop)]

    def _board(self, state: _LaneState, origin: str, stop: str, loads: list[Load]) -> None:
        """Full truckload: ``loads`` board the truck waiting on the lane; full trucks leave at once,
        the rest at the mode's maximum wait (a lane without a truck capacity ships at once: ``_depart``)."""
        assert state.capacity is not None
        for load in loads:
            state.waiting.append(load)
            state.waiting_qty += load[1]
            if len(state.waiting) == 1:  # the first load of a truck starts its clock
                self._start_clock(state, origin, stop)
            while state.waiting_qty >= state.capacity - 1e-9:
                self._depart(state, origin, stop, self._load_truck(state))
                if state.waiting:  # what did not fit (of the load just added) starts the next truck
                    self._start_clock(state, origin, stop)

    def _start_clock(self, state: _LaneState, origin: str, stop: str) -> None:
        truck = state.truck
        self.env.timeout(state.max_wait).callbacks.append(lambda _ev: self._max_wait(state, origin, stop, truck))

    def _load_truck(self, state: _LaneState) -> list[Load]:
        """Take loads for one truck (first come, first loaded), splitting the last one to fill it."""
        assert state.capacity is not None  # only consolidated lanes load trucks
        room, load = state.capacity, []
        while state.waiting and room > 1e-9:
            request, qty, is_goods = state.waiting[0]
            take = min(qty, room)
            load.append((request, take, is_goods))
            room -= take
            if take >= qty - 1e-9:
                state.waiting.pop(0)
            else:
                state.waiting[0] = (request, qty - take, is_goods)
        state.waiting_qty = sum(q for _, q, _ in state.waiting)
        state.truck += 1
        return load

    def _max_wait(self, state: _LaneState, origin: str, stop: str, truck: int) -> None:
        if state.truck == truck and state.waiting:  # this truck has not left full meanwhile
            self._depart(state, origin, stop, self._load_truck(state))

    def _depart(self, state: _LaneState, origin: str, stop: str, load: list[Load]) -> None:
        """One shipment (or truck) leaves now: one transit draw, its fixed cost shared by units."""
        lane = state.lane
        now = self.env.now
        promised, late_by = (state.fixed, 0.0) if state.fixed is not None else state.draw_transit()
        transit = promised + late_by
        total = load[0][1] if len(load) == 1 else sum(q for _, q, _ in load)
        depart = now
        if self._transit_factor or self._lane_capacity:
            key = (origin, stop)
            transit *= max(self._transit_factor.get(key, {}).values(), default=1.0)
            caps = self._lane_capacity.get(key)
            if caps:  # fewer trucks: the lane moves at most min(caps) units a day, first come first served
                depart = max(now, self._lane_free_at.get(key, now)) + total / min(caps.values())
                self._lane_free_at[key] = depart
        delay = depart - now + transit
        shipment = next(self._shipment_ids)
        arrival, due = depart + transit, depart + promised
        mode, carrier, per_shipment, per_unit, co2 = \
            lane.mode, state.carrier, lane.cost_per_shipment, lane.cost_per_unit, lane.co2_per_unit
        record = self.recorder.shipments.append
        hand_over = stop not in self._docks  # a customer's goods reaching it are handed over without an event
        onward: list[Load] = []  # what needs an arrival event (not a booked final delivery)
        for entry in load:
            request, qty, _ = entry
            segment = request.segment
            record((now, origin, stop, mode, request.sku, qty, request.kind,
                    segment.name if segment is not None else "", per_shipment * qty / total + per_unit * qty,
                    co2 * qty, arrival, request.path, shipment, request.order_id, carrier, due))
            if type(request) is OrderLine and hand_over and stop == request.dest_node:
                if delay <= 0:  # a customer's final leg, handed over now (no zero-delay event)
                    self._in_transit[request.sku] -= qty
                    request.target.deliver(request, qty, now)
                else:
                    heapq.heappush(self._deliveries, (now + delay, next(self._booked), request, qty))
            else:
                onward.append(entry)
        if onward and delay <= 0:  # same-instant hand-over: no zero-delay event
            self._arrive(stop, onward)
        elif onward:
            self.env.timeout(delay).callbacks.append(partial(self._arrive, stop, onward))

    def deliver_due(self, until: float) -> None:
        """Hand the customers the booked deliveries that arrive before ``until`` (the clock's time, once
        every event before it has been processed), earliest first, as their arrival events would have."""
        due, in_transit = self._deliveries, self.ledger.in_transit
        while due and due[0][0] < until:
            at, _, line, qty = heapq.heappop(due)
            in_transit[line.sku] -= qty
            line.target.deliver(line, qty, at)

    def _arrive(self, stop: str, load: list[Load], _event: simpy.Event | None = None) -> None:
        dock = self._docks.get(stop)
        if dock is not None and not dock.up:  # receiving node closed: goods wait at the dock, still in transit
            dock.when_up(lambda: self._arrive(stop, load))
            return
        through: dict[int, list[Load]] = {}  # flowing through a DC, per order (or request)
        orders = self.orders
        if orders is not None:
            orders.hold()  # backorders this receipt releases leave together, per order
        for entry in load:
            request, qty, is_goods = entry
            if stop != request.dest_node:
                key = request.order_id if orders is not None and type(request) is OrderLine else -id(entry)
                through.setdefault(key, []).append(entry)
                continue
            if is_goods:
                self.ledger.in_transit[request.sku] -= qty
            request.target.receive(request, qty)
        if orders is not None:
            orders.release()
        if not through:
            return
        # cross-dock handling, then the next leg (the lines of one order stay together)
        hub = self.spec.freight.hubs.get(stop)  # a zone-skipping hub sorts; a DC cross-docks
        handling = hub if hub is not None else self.spec.warehouses[stop].cross_dock_days
        for group in through.values():
            if handling > 0:
                self.env.timeout(handling).callbacks.append(partial(self._leg, stop, group))
            else:
                self._leg(stop, group)


def _set(table: dict[tuple[str, str], dict[str, float]], lane: tuple[str, str], disruption: str,
         value: float | None) -> None:
    if value is not None:
        table.setdefault(lane, {})[disruption] = value
        return
    entry = table.get(lane, {})
    entry.pop(disruption, None)
    if not entry:
        table.pop(lane, None)
