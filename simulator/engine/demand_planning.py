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
from dataclasses import dataclass


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
