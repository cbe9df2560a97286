"""Transport mode choice for a shipment when its lane offers several modes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from policies.base import LaneOption
from policies.registry import register


@register("transport", "first_listed")
@dataclass(frozen=True, slots=True)
class FirstListed:
    """Use the lane's first listed mode (the contracted default carrier)."""

    def choose(self, qty: float, lanes: Sequence[LaneOption], margin_per_unit: float) -> int:
        return 0


def _cheapest(qty: float, lanes: Sequence[LaneOption]) -> int:
    return min(range(len(lanes)), key=lambda i: (lanes[i].expected_cost(qty), lanes[i].mean_lead_time, i))


@register("transport", "cheapest")
@dataclass(frozen=True, slots=True)
class Cheapest:
    """The mode with the lowest freight cost for the shipment (a consolidated truck's fixed cost
    counted as the shipment's share of a full truck); ties go to the faster mode."""

    def choose(self, qty: float, lanes: Sequence[LaneOption], margin_per_unit: float) -> int:
        return _cheapest(qty, lanes)


@register("transport", "margin_and_urgency")
@dataclass(frozen=True, slots=True)
class MarginAndUrgency:
    """Time-sensitive segments take the fastest mode the goods' margin can pay for: freight per
    unit at most ``max_freight_share`` of the unit margin; otherwise (or if no fast mode is
    affordable) the cheapest mode.

    ``urgent``: the segment is time-sensitive; ``max_freight_share``: share of the unit margin
    that may go on freight for speed.
    """

    urgent: bool = True
    max_freight_share: float = 0.5

    def __post_init__(self) -> None:
        if not 0.0 <= self.max_freight_share <= 1.0:
            raise ValueError(f"max_freight_share must be between 0 and 1; got {self.max_freight_share}")

    def choose(self, qty: float, lanes: Sequence[LaneOption], margin_per_unit: float) -> int:
        if self.urgent and qty > 0:
            budget = self.max_freight_share * margin_per_unit * qty
            affordable = [i for i, lane in enumerate(lanes) if lane.expected_cost(qty) <= budget]
            if affordable:
                return min(affordable, key=lambda i: (lanes[i].mean_lead_time, lanes[i].expected_cost(qty), i))
        return _cheapest(qty, lanes)
