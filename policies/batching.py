"""Batch sizing: how much a plant makes per production order of an item, per product family."""

from __future__ import annotations

import math
from dataclasses import dataclass

from policies.registry import register


@register("batching", "as_ordered")
@dataclass(frozen=True, slots=True)
class AsOrdered:
    """Make what is ordered (at least the line's minimum batch)."""

    def cycle_days(self, demand_per_day: float, setup_cost: float, holding_per_unit_day: float,
                   rate_per_day: float) -> float:
        return 0.0


@register("batching", "epq")
@dataclass(frozen=True, slots=True)
class EconomicProductionQuantity:
    """Economic production quantity per family: run each family in batches that balance the
    changeover cost against the cost of holding what the batch builds up,
    Q* = sqrt(2 D K / (h (1 - D/P))); each item's production order covers the same Q*/D days of
    its own demand (a common cycle for the family).

    D: family demand per day; K: changeover cost; h: holding cost per unit per day; P: line rate.
    With no changeover cost, no holding cost, or demand at or above the line rate there is no
    trade-off to make, and orders are made as they come.
    """

    def cycle_days(self, demand_per_day: float, setup_cost: float, holding_per_unit_day: float,
                   rate_per_day: float) -> float:
        d, k, h, p = demand_per_day, setup_cost, holding_per_unit_day, rate_per_day
        if d <= 0 or k <= 0 or h <= 0 or d >= p:
            return 0.0
        return math.sqrt(2 * d * k / (h * (1 - d / p))) / d
