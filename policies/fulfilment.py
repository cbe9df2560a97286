"""Fulfilment path: which node serves a customer order line."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from policies.base import SourceOption
from policies.registry import register


@register("fulfilment", "dc_pick")
@dataclass(frozen=True, slots=True)
class DCPick:
    """DC pick: the order line is picked from the customer's home DC (first in its list);
    what the DC lacks is backordered there."""

    def source(self, qty: float, options: Sequence[SourceOption]) -> str:
        for option in options:
            if option.kind == "warehouse":
                return option.node
        raise ValueError("dc_pick needs at least one warehouse serving the customer")
