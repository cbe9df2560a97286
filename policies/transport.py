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

    def choose(self, qty: float, lanes: Sequence[LaneOption]) -> int:
        return 0
