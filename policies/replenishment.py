"""Replenishment: when a stocking point orders from its source and how much.

Parameters written as ``auto`` (left null in config) are planned per item from its forecast
demand, lead time and safety stock, the way a planner sets reorder points in an ERP.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from policies.base import ItemStats
from policies.registry import register


def _cover_days(stats: ItemStats, review_period: float | None) -> float:
    return stats.lead_time_mean + (review_period or 0.0)


def _check_cycle(cycle_days: float) -> None:
    if cycle_days <= 0:
        raise ValueError(f"cycle_days must be > 0; got {cycle_days}")


def _reorder_point(given: float | None, stats: ItemStats, safety_stock: float, review_period: float | None) -> float:
    """The reorder point as given, else demand over lead time (+ review period) plus safety stock."""
    return given if given is not None else stats.mean_daily * _cover_days(stats, review_period) + safety_stock


def _check_review(review_period: float | None) -> None:
    if review_period is not None and review_period <= 0:
        raise ValueError(f"review_period must be > 0 days or null (continuous); got {review_period}")


@register("replenishment", "s_S")
@dataclass(frozen=True, slots=True)
class MinMax:
    """(s, S): when the inventory position is at or below s, order up to S.

    ``s`` (reorder point) defaults to demand over lead time (+ review period) plus safety stock;
    ``S`` (order-up-to level) defaults to s plus ``cycle_days`` of mean demand.
    With ``review_period`` null the position is checked after every demand (continuous review).
    """

    s: float | None = None
    S: float | None = None
    cycle_days: float = 7.0
    review_period: float | None = None
    echelon = False  # decides on this DC's own inventory position (class constant, not a parameter)

    def __post_init__(self) -> None:
        _check_review(self.review_period)
        _check_cycle(self.cycle_days)
        for name in ("s", "S"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"{name} must be >= 0 (stock levels cannot be negative); got {value}")
        if self.s is not None and self.S is not None and self.s > self.S:
            raise ValueError(f"(s, S) needs s <= S; got s={self.s}, S={self.S}")

    def order_qty(self, position: float) -> float:
        return self.S - position if position <= self.s else 0.0  # type: ignore[operator]

    def planned(self, stats: ItemStats, safety_stock: float) -> MinMax:
        s = _reorder_point(self.s, stats, safety_stock, self.review_period)
        S = self.S if self.S is not None else s + stats.mean_daily * self.cycle_days
        if s > S:
            raise ValueError(f"(s, S) needs s <= S; planned s={s:.6g} exceeds S={S:.6g}")
        return replace(self, s=s, S=S)

    def initial_stock(self) -> float:
        return float(self.S)  # type: ignore[arg-type]


@register("replenishment", "order_up_to")
@dataclass(frozen=True, slots=True)
class OrderUpTo:
    """(R, S) periodic review: every ``review_period`` days order up to S.

    ``S`` defaults to demand over lead time plus one review period, plus safety stock.
    """

    S: float | None = None
    review_period: float | None = 7.0
    echelon = False  # decides on this DC's own inventory position (class constant, not a parameter)

    def __post_init__(self) -> None:
        _check_review(self.review_period)
        if self.review_period is None:
            raise ValueError("order_up_to is periodic: review_period must be a number of days; "
                             "use base_stock for continuous review")
        if self.S is not None and self.S < 0:
            raise ValueError(f"S must be >= 0; got {self.S}")

    def order_qty(self, position: float) -> float:
        return self.S - position if position < self.S else 0.0  # type: ignore[operator]

    def planned(self, stats: ItemStats, safety_stock: float) -> OrderUpTo:
        if self.S is not None:
            return self
        return replace(self, S=stats.mean_daily * _cover_days(stats, self.review_period) + safety_stock)

    def initial_stock(self) -> float:
        return float(self.S)  # type: ignore[arg-type]


@register("replenishment", "base_stock")
@dataclass(frozen=True, slots=True)
class BaseStock(OrderUpTo):
    """Base stock, continuous review: every demand is reordered at once (one-for-one), keeping
    the inventory position at S. S defaults to lead-time demand plus safety stock."""

    review_period: float | None = None

    def __post_init__(self) -> None:
        _check_review(self.review_period)
        if self.S is not None and self.S < 0:
            raise ValueError(f"S must be >= 0; got {self.S}")


@register("replenishment", "r_Q")
@dataclass(frozen=True, slots=True)
class ReorderPointQuantity:
    """(r, Q): whenever the inventory position is at or below the reorder point r, order the fixed
    quantity Q (as many Q as it takes to lift the position above r).

    ``r`` defaults to demand over lead time (+ review period) plus safety stock; ``Q`` defaults to
    ``cycle_days`` of mean demand. With ``review_period`` null the position is watched continuously.
    """

    r: float | None = None
    Q: float | None = None
    cycle_days: float = 7.0
    review_period: float | None = None
    echelon = False  # decides on this DC's own inventory position (class constant, not a parameter)

    def __post_init__(self) -> None:
        _check_review(self.review_period)
        _check_cycle(self.cycle_days)
        if self.Q is not None and self.Q <= 0:
            raise ValueError(f"Q must be > 0; got {self.Q}")

    def order_qty(self, position: float) -> float:
        if position > self.r:  # type: ignore[operator]
            return 0.0
        return self.Q * (math.floor((self.r - position) / self.Q) + 1)  # type: ignore[operator]

    def planned(self, stats: ItemStats, safety_stock: float) -> ReorderPointQuantity:
        r = _reorder_point(self.r, stats, safety_stock, self.review_period)
        Q = self.Q if self.Q is not None else max(stats.mean_daily * self.cycle_days, 1e-9)
        return replace(self, r=r, Q=Q)

    def initial_stock(self) -> float:
        return float(self.r + self.Q)  # type: ignore[operator]


@register("replenishment", "echelon_base_stock")
@dataclass(frozen=True, slots=True)
class EchelonBaseStock:
    """Echelon base stock for a serial chain: keep the echelon inventory position (this DC's
    position plus that of every DC downstream of it) at S, ordering one-for-one after each demand.

    ``S`` is the echelon level: it covers demand over the lead times of this DC and every DC below
    it, plus the safety stock of the whole echelon. Set it per DC (``network.warehouses.<dc>.
    replenishment``); the most downstream DC's echelon level is its ordinary base-stock level.
    """

    S: float | None = None
    review_period: float | None = None
    echelon = True  # decides on the echelon position (class constant, not a parameter)

    def __post_init__(self) -> None:
        _check_review(self.review_period)
        if self.S is not None and self.S < 0:
            raise ValueError(f"S must be >= 0; got {self.S}")

    def order_qty(self, position: float) -> float:
        return self.S - position if position < self.S else 0.0  # type: ignore[operator]

    def planned(self, stats: ItemStats, safety_stock: float) -> EchelonBaseStock:
        if self.S is None:
            raise ValueError("echelon_base_stock needs S, the echelon base-stock level of this DC")
        return self

    def initial_stock(self) -> float:
        return float(self.S)  # type: ignore[arg-type]
