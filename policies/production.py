"""Production strategy: whether a segment is served from finished-goods stock or made to order."""

from __future__ import annotations

from dataclasses import dataclass

from policies.registry import register


@register("production", "make_to_stock")
@dataclass(frozen=True, slots=True)
class MakeToStock:
    """Make-to-stock: finished goods are produced ahead of demand and held in DCs; customer
    orders are picked from stock."""

    def serve_from_stock(self, tolerance_days: float, make_and_deliver_days: float) -> bool:
        return True


@register("production", "make_to_order")
@dataclass(frozen=True, slots=True)
class MakeToOrder:
    """Make-to-order: each customer order line releases a production order at the plant; the
    customer waits for production plus transport, and no finished goods are stocked for it."""

    def serve_from_stock(self, tolerance_days: float, make_and_deliver_days: float) -> bool:
        return False


@register("production", "lead_time_rule")
@dataclass(frozen=True, slots=True)
class LeadTimeRule:
    """Pick MTO where the customer tolerates the wait, else MTS: make to order when the segment's
    promised lead time is at least the planned production + delivery time plus ``margin_days``.
    """

    margin_days: float = 0.0

    def __post_init__(self) -> None:
        if self.margin_days < 0:
            raise ValueError(f"margin_days must be >= 0; got {self.margin_days}")

    def serve_from_stock(self, tolerance_days: float, make_and_deliver_days: float) -> bool:
        return tolerance_days < make_and_deliver_days + self.margin_days
