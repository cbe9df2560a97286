"""Fulfilment path: which node serves a customer order line."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from policies.base import SourceOption
from policies.registry import register


@register("fulfilment", "dc_pick")
@dataclass(frozen=True, slots=True)
class DCPick:
    """DC pick: the order line is picked from the customer's home DC (first in its list);
    what the DC lacks is backordered there."""

    fixed_choice: ClassVar[bool] = True  # the home DC whatever the line: resolved once per customer and SKU

    def source(self, qty: float, options: Sequence[SourceOption]) -> str:
        for option in options:
            if option.kind == "warehouse":
                return option.node
        raise ValueError("dc_pick needs at least one warehouse serving the customer")


def _first_with_stock(qty: float, options: Sequence[SourceOption], kind: str) -> str | None:
    for option in options:
        if option.kind == kind and option.on_hand >= qty:
            return option.node
    return None


@register("fulfilment", "nearest_stock")
@dataclass(frozen=True, slots=True)
class NearestStock:
    """Pick from the nearest DC that has the whole line in stock (the customer's DCs in
    preference order), falling back to the next DC; if none has it, backorder at the home DC."""

    def source(self, qty: float, options: Sequence[SourceOption]) -> str:
        return _first_with_stock(qty, options, "warehouse") or DCPick().source(qty, options)


@register("fulfilment", "by_order_size")
@dataclass(frozen=True, slots=True)
class ByOrderSize:
    """Fulfilment path by order-line size: large lines are drop-shipped from the plant or supplier
    (made or bought for the line and sent straight to the customer), mid-size lines are
    cross-docked from the DC feeding the home DC (flowing through it without put-away), small lines
    are picked at the nearest DC with stock, falling back to the next DC (with ``fallback``).

    ``drop_ship_min_qty``: lines of at least this many units are drop-shipped (null: never);
    ``cross_dock_min_qty``: lines of at least this many units are cross-docked when the upstream DC
    has them in stock (null: never). A path that cannot serve the line hands it to the next one.
    """

    drop_ship_min_qty: float | None = None
    cross_dock_min_qty: float | None = None
    fallback: bool = True

    def __post_init__(self) -> None:
        for name in ("drop_ship_min_qty", "cross_dock_min_qty"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise ValueError(f"{name} must be > 0 or null; got {value}")

    def source(self, qty: float, options: Sequence[SourceOption]) -> str:
        if self.drop_ship_min_qty is not None and qty >= self.drop_ship_min_qty:
            maker = next((o.node for o in options if o.kind in ("plant", "supplier")), None)
            if maker is not None:
                return maker
        if self.cross_dock_min_qty is not None and qty >= self.cross_dock_min_qty:
            upstream = _first_with_stock(qty, options, "upstream")
            if upstream is not None:
                return upstream
        if self.fallback:
            return NearestStock().source(qty, options)
        return DCPick().source(qty, options)
