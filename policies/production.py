"""Production strategy: whether a segment is served from finished-goods stock."""

from __future__ import annotations

from dataclasses import dataclass

from policies.registry import register


@register("production", "make_to_stock")
@dataclass(frozen=True, slots=True)
class MakeToStock:
    """Make-to-stock: finished goods are produced ahead of demand and held in DCs; customer
    orders are picked from stock."""

    holds_stock: bool = True
