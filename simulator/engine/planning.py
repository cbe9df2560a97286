"""Demand-planning settings read from config: consensus overrides and alert rules.

``demand.overrides`` lists planners' adjustments laid over the statistical forecast::

    demand:
      overrides:
        - {skus: [CLN-01], start: 120, end: 134, value: 450, author: j.doe, reason: "retailer promotion"}

``value`` is the consensus demand per day at each stocking location of the matching SKUs (narrow
with ``nodes``) for the days ``start <= day < end``. A segment asks for alerts with::

    segments:
      fast:
        alerts: {stockout_within_days: 3, forecast_deviation_pct: 40, line_load_pct: 90}
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from simulator.engine.config_reader import Node
from simulator.engine.errors import ConfigError


@dataclass(frozen=True, slots=True)
class Override:
    """A consensus adjustment: units per day for matching SKUs and locations over [start, end)."""

    skus: tuple[str, ...]  # glob patterns
    nodes: tuple[str, ...]  # warehouse names; empty = every location
    start: float
    end: float
    value: float
    author: str
    reason: str

    def applies(self, node: str, sku: str) -> bool:
        return (not self.nodes or node in self.nodes) and any(fnmatch.fnmatchcase(sku, p) for p in self.skus)


@dataclass(frozen=True, slots=True)
class AlertRules:
    """What a segment wants to be warned about (None = not asked).

    ``stockout_within_days``: stock on hand, less backorders, plus receipts due in time, falls short
    of the forecast demand within this many days; ``forecast_deviation_pct``: actual demand of the last
    ``deviation_window`` days differs from its forecast by more than this percentage; ``line_load_pct``:
    a production line making the segment's products was busy more than this share of the last
    ``load_window`` days (a job counts when it finishes).
    """

    stockout_within_days: float | None = None
    forecast_deviation_pct: float | None = None
    deviation_window: int = 7
    line_load_pct: float | None = None
    load_window: int = 7


def parse_overrides(raw: Any, key: str, skus: Mapping[str, Any], families: Mapping[str, Any],
                    warehouses: Mapping[str, Any]) -> tuple[Override, ...]:
    """Read ``demand.overrides``: each item names SKUs (patterns) or families, a period, a value, who and why."""
    if raw is None:
        return ()
    if not isinstance(raw, (list, tuple)):
        raise ConfigError(key, raw, "expected a list of overrides {skus or families, start, end, value, author, "
                                    "reason}")
    out = []
    for i, item in enumerate(raw):
        n = Node(item, f"{key}[{i}]", ("skus", "families", "nodes", "start", "end", "value", "author", "reason"))
        if n.has("skus") == n.has("families"):
            raise ConfigError(n.key("skus"), n.raw("skus", None), "give exactly one of skus (patterns) or families")
        if n.has("skus"):
            pats = n.names("skus")
            for p in pats:
                if not any(fnmatch.fnmatchcase(s, p) for s in skus):
                    raise ConfigError(n.key("skus"), p, "matches no SKU; SKU names look like " + next(iter(skus)))
        else:
            pats = tuple(s for f in n.names("families", choices=families) for s in families[f].skus)
        start, end = n.number("start", min=0.0), n.number("end", min=0.0)
        if end <= start:
            raise ConfigError(n.key("end"), end, f"must be after start ({start:g})")
        author, reason = n.string("author"), n.string("reason")
        if not author.strip() or not reason.strip():
            raise ConfigError(n.key("author" if not author.strip() else "reason"), "",
                              "an override needs an author and a reason (they go into the audit trail)")
        out.append(Override(pats, n.names("nodes", (), choices=warehouses), start, end,
                            n.number("value", min=0.0), author, reason))
    return tuple(out)


def parse_alerts(n: Node) -> AlertRules | None:
    """Read a segment's ``alerts`` section (None when absent)."""
    if not n.has("alerts"):
        return None
    a = n.child("alerts", ("stockout_within_days", "forecast_deviation_pct", "deviation_window", "line_load_pct",
                           "load_window"))
    rules = AlertRules(a.number("stockout_within_days", None, min=0.0, strict_min=True),
                       a.number("forecast_deviation_pct", None, min=0.0, strict_min=True),
                       a.integer("deviation_window", 7, min=1),
                       a.number("line_load_pct", None, min=0.0, strict_min=True),
                       a.integer("load_window", 7, min=1))
    if rules.stockout_within_days is None and rules.forecast_deviation_pct is None and rules.line_load_pct is None:
        raise ConfigError(a.key("stockout_within_days"), None, "name at least one alert: stockout_within_days, "
                          "forecast_deviation_pct or line_load_pct")
    return rules
