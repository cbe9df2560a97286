"""The ``inventory:`` section: shelf life, issue order, slow/obsolete rules, ownership and the
finance table's age buckets and reserve rates; declared once here and built into
``engine.ageing_rules.InventoryRules``. Without the section stock is not held in lots."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import Field, model_validator

from simulator.config.checks import known
from simulator.engine.ageing_rules import InventoryRules, ObsoleteRule
from simulator.engine.errors import ConfigError
from simulator.engine.params import Invalid, Positive, Section, Share, Text
from simulator.engine.spec import Segment, Sku, Supplier

Ownership = Literal["owned", "consignment"]


class ObsoleteCfg(Section):
    """When a segment's stock at a DC is slow or obsolete, and what is done with it (give
    ``no_demand_days``, ``max_cover_days`` or both)."""

    no_demand_days: Positive | None = Field(None, description="nothing asked for this many days: all stock is obsolete")
    max_cover_days: Positive | None = Field(None, description="stock beyond this many days of cover is excess")
    cover_window_days: Positive = Field(30.0, description="days of past demand the cover is measured on")
    action: Literal["dispose", "reposition"] = Field(
        "dispose", description="dispose: sell off at the salvage value; reposition: ship to the DC with most demand")
    salvage_share: Share = Field(0.0, description="what disposal recovers, as a share of unit cost")

    @model_validator(mode="after")
    def _a_trigger(self) -> ObsoleteCfg:
        if self.no_demand_days is None and self.max_cover_days is None:
            raise Invalid("no_demand_days", None, "give no_demand_days, max_cover_days or both")
        return self


class OwnershipCfg(Section):
    """Who owns the stock: consigned stock belongs to the supplier (its holding cost too) until it is
    picked for a customer."""

    segments: dict[Text, Ownership] = Field({}, description="segment -> owned | consignment")
    suppliers: dict[Text, Ownership] = Field({}, description="supplier of bought-in goods -> owned | consignment")


class FinanceCfg(Section):
    """The finance table: month length, age buckets and the reserve rate of each bucket."""

    period_days: Positive = Field(30.0, description="days per month of the finance table")
    age_buckets: list[Positive] = Field([30.0, 60.0, 90.0], min_length=1,
                                        description="upper edges of the age buckets in days, increasing")
    reserve_rates: list[Share] = Field([0.0, 0.1, 0.25, 0.5],
                                       description="share of value reserved per bucket (one more than the edges)")

    @model_validator(mode="after")
    def _shape(self) -> FinanceCfg:
        edges = self.age_buckets
        if any(b <= a for a, b in zip(edges, edges[1:], strict=False)):
            raise Invalid("age_buckets", edges, "expected increasing day edges, e.g. [30, 60, 90]")
        if len(self.reserve_rates) != len(edges) + 1:
            raise Invalid("reserve_rates", self.reserve_rates,
                          f"expected {len(edges) + 1} rates (one per age bucket: {len(edges)} edges + the oldest)")
        return self


class InventoryCfg(Section):
    """The life of stock after it is received: lots and their ages, shelf life, the slow/obsolete rule
    of each segment, ownership and the inventory reserve (docs/ageing.md)."""

    shelf_life_days: dict[Text, Positive] = Field(
        {}, description="family or SKU -> days from the first DC receipt to expiry (a SKU's own entry wins)")
    issue: Literal["fifo", "fefo"] | None = Field(
        None, description="order stock leaves in; null = FEFO for SKUs with a shelf life, FIFO for the rest")
    review_days: Positive = Field(7.0, description="days between looks at slow and obsolete stock")
    obsolete: dict[Text, ObsoleteCfg] = Field({}, description="segment -> its slow/obsolete rule")
    ownership: OwnershipCfg = OwnershipCfg()
    finance: FinanceCfg = FinanceCfg()



def inventory_rules(cfg: InventoryCfg | None, skus: Mapping[str, Sku], segments: Mapping[str, Segment],
                    suppliers: Mapping[str, Supplier]) -> InventoryRules | None:
    """The built section (None when the config has none); every name it gives is checked."""
    if cfg is None:
        return None
    families = {s.family for s in skus.values()}
    shelf: dict[str, float] = {}
    for name, days in cfg.shelf_life_days.items():  # families first, then SKUs (a SKU's own entry wins)
        if name not in families and name not in skus:
            raise ConfigError(f"inventory.shelf_life_days.{name}", days,
                              f"not a family or SKU; families: {', '.join(sorted(families))}")
        if name in families:
            shelf.update({s.name: days for s in skus.values() if s.family == name and s.name not in shelf})
    for name, days in cfg.shelf_life_days.items():
        if name in skus:
            shelf[name] = days
    known("inventory.obsolete", cfg.obsolete, segments, each_key=True)
    own = cfg.ownership
    known("inventory.ownership.segments", own.segments, segments, each_key=True)
    known("inventory.ownership.suppliers", own.suppliers, suppliers, each_key=True)
    for name, kind in own.suppliers.items():
        if kind == "consignment" and not any(i in skus for i in suppliers[name].supplies):
            raise ConfigError(f"inventory.ownership.suppliers.{name}", kind,
                              "this supplier sells no finished goods (only raw materials): nothing of it is "
                              "held in a DC to consign")
    fin = cfg.finance
    return InventoryRules(
        shelf_life=shelf, issue=cfg.issue, review_days=cfg.review_days,
        obsolete={seg: ObsoleteRule(r.no_demand_days, r.max_cover_days, r.cover_window_days, r.action,
                                    r.salvage_share) for seg, r in cfg.obsolete.items()},
        segment_ownership=dict(own.segments), supplier_ownership=dict(own.suppliers),
        age_buckets=tuple(fin.age_buckets), reserve_rates=tuple(fin.reserve_rates), period_days=fin.period_days)
