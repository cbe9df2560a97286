"""What a planner configures about the life of stock after it is received (``inventory:``): shelf
lives, the order stock is issued in, the slow/obsolete rule of each segment, who owns the stock, and
the age buckets and reserve rates finance reads. ``Spec.inventory`` is None when none of it is set,
and then stock is not held in lots at all."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

OWNED = "owned"
CONSIGNMENT = "consignment"


@dataclass(frozen=True, slots=True)
class ObsoleteRule:
    """When a segment's stock at a DC counts as slow or obsolete, and what is done with it.

    ``no_demand_days``: nothing asked of the DC for this SKU for that many days makes all its stock
    obsolete. ``max_cover_days``: stock beyond that many days of cover (at the demand rate of the
    last ``cover_window_days``) is excess. ``action``: ``dispose`` (sold off at ``salvage_share`` of
    unit cost) or ``reposition`` (shipped to the DC that asked most for the SKU in the window).
    """

    no_demand_days: float | None = None
    max_cover_days: float | None = None
    cover_window_days: float = 30.0
    action: str = "dispose"
    salvage_share: float = 0.0


@dataclass(frozen=True, slots=True)
class InventoryRules:
    """The ``inventory:`` section, built: shelf life per SKU, issue order, obsolete rules per segment,
    ownership per segment and per supplier, age buckets and reserve rates."""

    shelf_life: Mapping[str, float] = field(default_factory=dict)  # sku -> days from receipt to expiry
    issue: str | None = None  # "fifo" | "fefo"; None: FEFO for SKUs with a shelf life, else FIFO
    review_days: float = 7.0  # how often the obsolete rules look at the stock
    obsolete: Mapping[str, ObsoleteRule] = field(default_factory=dict)  # segment -> rule
    segment_ownership: Mapping[str, str] = field(default_factory=dict)  # segment -> owned | consignment
    supplier_ownership: Mapping[str, str] = field(default_factory=dict)  # supplier -> owned | consignment
    age_buckets: tuple[float, ...] = (30.0, 60.0, 90.0)  # upper edges (days); the last bucket is open
    reserve_rates: tuple[float, ...] = (0.0, 0.1, 0.25, 0.5)  # share of value reserved, one per bucket
    period_days: float = 30.0  # the finance table's month

    def fefo(self, sku: str) -> bool:
        """Whether stock of ``sku`` is issued first-expired-first-out (else first-in-first-out)."""
        if self.issue is not None:
            return self.issue == "fefo"
        return sku in self.shelf_life

    def bucket_names(self) -> list[str]:
        """Column names of the age buckets: ``age_0_30``, ``age_30_60``, ..., ``age_90_plus``."""
        edges = [0.0, *self.age_buckets]
        names = [f"age_{lo:g}_{hi:g}" for lo, hi in zip(edges, edges[1:], strict=False)]
        return [*names, f"age_{edges[-1]:g}_plus"]
