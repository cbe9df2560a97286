"""What the entities of one run share: the clock, the carrier, the records and the table of nodes
that serve requests; and the one way to schedule a callback ahead of everything else due at an instant."""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

import simpy
from simpy.events import URGENT

from simulator.engine.flow import Carrier, Request
from simulator.engine.network import Network
from simulator.engine.records import Ledger, Recorder
from simulator.engine.spec import Spec
from simulator.engine.streams import Streams

if TYPE_CHECKING:
    from simulator.engine.warehouse import StockPoint


class ServingNode(Protocol):
    """Anything that can serve a request: a warehouse, a plant or a supplier."""

    name: str

    def request(self, request: Request) -> None: ...

    def min_order_qty(self, sku: str) -> float: ...


class Clock(simpy.Environment):
    """The run's clock: SimPy's environment, which can say how many events it has processed (the size
    of a run)."""

    @property
    def processed(self) -> int:
        """Events taken off the queue so far, including the stop event of each ``run(until=...)``: every
        event scheduled got a number from the clock's counter, and those not processed are still queued.
        (Read from a copy of the counter, so asking changes nothing; counting in ``step`` instead cost a
        Python call per event.)"""
        return next(copy.copy(self._eid)) - len(self._queue)


class _Due(simpy.Event):
    """An event that is due from the moment it is made (SimPy processes only triggered events);
    ``Context.urgent`` puts it on the clock."""

    _ok = True
    _value = None

    def __init__(self, env: simpy.Environment) -> None:  # not Event.__init__: that would mark it pending
        self.env = env
        self.callbacks: list[Callable[[simpy.Event], None]] = []


class Context:
    """What every entity of one run shares: the clock, carriers, records and the node table."""

    def __init__(self, spec: Spec, env: simpy.Environment, streams: Streams) -> None:
        self.spec = spec
        self.env = env
        self.streams = streams
        self.recorder = Recorder()
        self.ledger = Ledger()
        self.network = Network(spec)
        self.carrier = Carrier(env, self.network, streams, self.recorder, self.ledger)
        self.nodes: dict[str, ServingNode] = {}
        self.integer_units = spec.integer_units
        # Stock points whose stock, backorders or on-order changed since the last daily reading (repeats
        # allowed): the reading reads only these (a large network has 100,000 points, most idle on a day).
        self.stock_changed: list[StockPoint] = []

    def urgent(self, delay: float, callback: Callable[[], None] | None = None) -> simpy.Event:
        """Call ``callback`` ``delay`` days from now, ahead of everything else due at that instant (a
        day-boundary reading or re-plan comes before the receipts and reviews of the new day)."""
        event = _Due(self.env)
        if callback is not None:
            event.callbacks.append(lambda _ev: callback())
        self.env.schedule(event, URGENT, delay)
        return event

    def order_size(self, qty: float) -> float:
        """Round an order quantity to what can be ordered (whole units unless configured otherwise)."""
        return float(math.ceil(qty - 1e-9)) if self.integer_units else qty
