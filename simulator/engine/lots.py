"""Stock held in lots: when each lot of one SKU at one DC arrived, and which lot leaves first.

A ``LotBook`` is the lot ledger of one stock point. It is kept only when ageing is configured
(``inventory:``); the stock point's picks never call it. Instead the book is brought up to date
lazily (``sync``): whatever the stock point's units on hand fell by since the book last looked was
picked, and picks take the lots in issue order, oldest receipt first (FIFO) or earliest expiry
first (FEFO). Because picks always take the front of the queue, taking 5 units and then 3 leaves
the same lots as taking 8 at once, so looking late gives exactly the lots an eager book would hold,
as long as the book looks before every receipt and every removal it is told about (the stock
point's receipt and write-off hooks, the expiry clock and the daily reading all do).

A lot is ``[born, received, qty]``: ``born`` is the day its age counts from (the day it was received
into the network's DC stock; a lot shipped on from another DC keeps its own), ``received`` the day
it arrived here.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

_EPS = 1e-9

Piece = tuple[float, float]  # (born, units): part of a lot that left


class LotBook:
    """The lots of one SKU at one DC, in issue order (the next to leave first).

    ``fefo``: issue by earliest expiry (with one shelf life per SKU: the oldest ``born`` first);
    otherwise by receipt (FIFO). ``shelf_life``: days from ``born`` to expiry, or None.
    """

    __slots__ = ("lots", "fefo", "shelf_life", "total")

    def __init__(self, fefo: bool = False, shelf_life: float | None = None) -> None:
        self.lots: list[list[float]] = []
        self.fefo = fefo
        self.shelf_life = shelf_life
        self.total = 0.0  # units in the lots (the stock point's on hand when the book is up to date)

    # ---------------------------------------------------------------- in
    def add(self, born: float, received: float, qty: float) -> None:
        """A lot of ``qty`` units arrived at ``received``, aged from ``born``."""
        if qty <= _EPS:
            return
        lot = [born, received, qty]
        if self.fefo:  # earliest expiry first; equal expiry: first received first
            keys = [(lot_[0], lot_[1]) for lot_ in self.lots]
            self.lots.insert(bisect.bisect_right(keys, (born, received)), lot)
        else:
            self.lots.append(lot)  # receipts come in time order
        self.total += qty

    # ---------------------------------------------------------------- out
    def sync(self, on_hand: float, now: float) -> list[Piece]:
        """Bring the book to ``on_hand`` units: what is missing was picked (from the front). Stock that
        appeared without a receipt the book was told of is booked as a lot received ``now``.
        Returns the pieces picked."""
        gap = self.total - on_hand
        if gap > _EPS:
            return self.take(gap)
        if gap < -_EPS:
            self.add(now, now, -gap)
        return []

    def take(self, qty: float) -> list[Piece]:
        """Take ``qty`` units from the front (issue order); returns the pieces taken."""
        out: list[Piece] = []
        lots = self.lots
        while qty > _EPS and lots:
            lot = lots[0]
            part = min(lot[2], qty)
            out.append((lot[0], part))
            lot[2] -= part
            qty -= part
            self.total -= part
            if lot[2] <= _EPS:
                self.total -= lot[2]
                lots.pop(0)
        if not lots:
            self.total = 0.0
        return out

    def take_share(self, qty: float) -> list[Piece]:
        """Take ``qty`` units spread over every lot in proportion to its size (damage in an outage
        strikes old and new stock alike)."""
        if self.total <= _EPS or qty <= _EPS:
            return []
        share = min(qty / self.total, 1.0)
        out = [(lot[0], lot[2] * share) for lot in self.lots]
        for lot in self.lots:
            lot[2] -= lot[2] * share
        self.lots = [lot for lot in self.lots if lot[2] > _EPS]
        self.total = sum(lot[2] for lot in self.lots)
        return out

    def expired(self, now: float) -> list[Piece]:
        """Remove and return every lot whose shelf life has run out at ``now``."""
        if self.shelf_life is None:
            return []
        limit = now - self.shelf_life + _EPS  # born at or before this has expired
        out = [(lot[0], lot[2]) for lot in self.lots if lot[0] <= limit]
        if out:
            self.lots = [lot for lot in self.lots if lot[0] > limit]
            self.total = sum(lot[2] for lot in self.lots)
        return out

    # ---------------------------------------------------------------- reading
    def age_profile(self, now: float, edges: Sequence[float]) -> tuple[float, float, list[float]]:
        """(units, unit-weighted age sum, units per age bucket) at ``now``; bucket i holds ages in
        [edges[i-1], edges[i]) and the last bucket ages from edges[-1] on."""
        buckets = [0.0] * (len(edges) + 1)
        age_sum = 0.0
        for born, _, qty in self.lots:
            age = now - born
            age_sum += age * qty
            buckets[bisect.bisect_right(edges, age)] += qty
        return self.total, age_sum, buckets

    def next_expiry(self) -> float | None:
        """When the next lot expires (None: no shelf life, or no stock)."""
        if self.shelf_life is None or not self.lots:
            return None
        return min(lot[0] for lot in self.lots) + self.shelf_life


def pieces_units(pieces: Sequence[Piece]) -> float:
    """Units in a list of pieces."""
    return sum(q for _, q in pieces)


def pieces_age(pieces: Sequence[Piece], now: float) -> float:
    """Unit-weighted age sum of pieces at ``now`` (divide by their units for the mean age)."""
    return sum((now - born) * q for born, q in pieces)
