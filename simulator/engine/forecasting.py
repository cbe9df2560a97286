"""Demand planning during a run: forecasts per stocking point, consensus overrides, re-planning, alerts.

Once a day (at the day boundary, before that day's reviews) each tracked stocking point closes
the day's demand into its history, scores the forecast that was in force against it, re-forecasts
when its segment's refresh is due, lays the planners' overrides over the statistical forecast
(recording each in the audit trail), re-plans its replenishment parameters from the consensus
forecast and the observed forecast error, and checks the alert rules of its segment.
"""

from __future__ import annotations

import logging
import math
from collections import deque
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
import simpy
from simpy.events import URGENT

from policies.base import ItemStats, Replenishment
from policies.safety_stock import MAX_WINDOW
from simulator.engine.flow import Context
from simulator.engine.planning import AlertRules, Override
from simulator.engine.warehouse import StockPoint

log = logging.getLogger(__name__)

FORECAST_COLUMNS = ("day", "node", "sku", "segment", "statistical", "consensus", "actual")
AUDIT_COLUMNS = ("time", "node", "sku", "segment", "start", "end", "statistical", "consensus", "author", "reason")
ALERT_COLUMNS = ("time", "kind", "node", "sku", "segment", "value", "threshold")


class Tracker:
    """Forecasting and alerts for one stocking point (one SKU at one DC)."""

    def __init__(self, point: StockPoint, stats: ItemStats, cover: float, rule: Replenishment,
                 overrides: tuple[Override, ...], planning: DemandPlanning) -> None:
        self.point = point
        self.stats = stats
        self.cover = cover
        self.rule = rule  # the replenishment rule before planning (parameters left auto are re-planned)
        self.forecaster = point.segment.policies.forecast  # None: the planned mean stands as the forecast
        self.alerts = point.segment.alerts
        self.overrides = tuple(o for o in overrides if o.applies(point.node, point.sku))
        self.planning = planning
        self.history: list[float] = []
        self.errors: list[float] = []
        refresh = self.forecaster.refresh_days if self.forecaster is not None else math.inf
        self.refresh = refresh
        self.horizon = int(math.ceil(cover)) + (int(math.ceil(refresh)) if math.isfinite(refresh) else 0) + 1
        self.made_on = 0  # day the statistical forecast in force was made
        self.statistical = np.full(self.horizon, stats.mean_daily)
        self.last_fit = -math.inf
        self.seen = 0.0  # cumulative demand at the last day boundary
        self.pipeline: deque[list[float]] = deque()  # [due day, qty] of open replenishment orders
        self.applied: set[int] = set()
        self.alerting: dict[str, bool] = {}

    def forecast_for(self, day: int) -> tuple[float, float]:
        """(statistical, consensus) forecast in force for ``day``."""
        i = day - self.made_on
        stat = float(self.statistical[min(i, len(self.statistical) - 1)])
        for o in self.overrides:
            if o.start <= day < o.end:
                return stat, o.value
        return stat, stat

    def close_day(self, day: int) -> None:
        """Book the demand of ``day - 1``, refresh the forecast if due, re-plan, check alerts."""
        point = self.point
        if day > 0:
            actual = point.demanded - self.seen
            self.seen = point.demanded
            stat, cons = self.forecast_for(day - 1)
            self.history.append(actual)
            self.errors.append(cons - actual)
            self.planning.forecast_rows.append((day - 1, point.node, point.sku, point.segment.name, stat, cons,
                                                actual))
        f = self.forecaster
        if f is not None and len(self.history) >= f.min_history and day - self.last_fit >= self.refresh - 1e-9:
            self.statistical = np.asarray(f.forecast(np.asarray(self.history), self.horizon), dtype=float)
            self.made_on, self.last_fit = day, day
        consensus = [self.forecast_for(d)[1] for d in range(day, day + self.horizon)]
        self._audit(day)
        if f is not None:
            self._replan(consensus)
        if self.alerts is not None:
            self._check_alerts(day, consensus)

    def _audit(self, day: int) -> None:
        for o in self.overrides:
            if id(o) in self.applied or not day + self.horizon > o.start or day >= o.end:
                continue
            self.applied.add(id(o))
            days = range(max(int(math.ceil(o.start)), day), min(int(math.ceil(o.end)), day + self.horizon))
            stat = float(np.mean([self.forecast_for(d)[0] for d in days])) if len(days) else float("nan")
            self.planning.audit_rows.append((float(day), self.point.node, self.point.sku, self.point.segment.name,
                                             o.start, o.end, stat, o.value, o.author, o.reason))

    def _replan(self, consensus: list[float]) -> None:
        point = self.point
        n = max(1, int(math.ceil(self.cover)))
        stats = replace(self.stats, mean_daily=float(np.mean(consensus[:n])),
                        forecast_errors=tuple(self.errors[-MAX_WINDOW:]))
        try:
            point.policy = self.rule.planned(stats, point.segment.policies.safety_stock.units(stats, self.cover))
        except ValueError as exc:  # keep the last good plan; say why
            log.warning("re-planning %s/%s kept its last plan: %s", point.node, point.sku, exc)

    def _check_alerts(self, day: int, consensus: list[float]) -> None:
        rules, point = self.alerts, self.point
        if rules.stockout_within_days is not None:
            n = rules.stockout_within_days
            # Open orders: drop the oldest as receipts bring on_order down (first ordered, first received).
            open_qty = sum(q for _, q in self.pipeline)
            while self.pipeline and open_qty - self.pipeline[0][1] >= point.on_order - 1e-9:
                open_qty -= self.pipeline.popleft()[1]
            due = sum(q for d, q in self.pipeline if day <= d <= day + n)  # late orders are not counted on
            whole, frac = int(n), n - int(n)
            demand = sum(consensus[:whole]) + (consensus[whole] * frac if whole < len(consensus) else 0.0)
            projected = point.on_hand - point.backlog_qty + due - demand
            self._flag(day, "stockout_risk", projected < 0, projected, n)
        if rules.forecast_deviation_pct is not None and len(self.history) >= rules.deviation_window:
            w = rules.deviation_window
            actual = sum(self.history[-w:])
            forecast = actual + sum(self.errors[-w:])
            if forecast > 0:
                dev = 100.0 * abs(actual - forecast) / forecast
                self._flag(day, "forecast_deviation", dev > rules.forecast_deviation_pct, dev,
                           rules.forecast_deviation_pct)

    def _flag(self, day: int, kind: str, on: bool, value: float, threshold: float) -> None:
        """Record an alert when its condition starts (one alert per episode, not one per day)."""
        if on and not self.alerting.get(kind, False):
            p = self.point
            self.planning.alert_rows.append((float(day), kind, p.node, p.sku, p.segment.name, value, threshold))
        self.alerting[kind] = on


class LineLoad:
    """Watches one production line for the segments that want a warning when it runs too full."""

    def __init__(self, plant: str, line: Any, segments: list[tuple[str, AlertRules]], planning: DemandPlanning) -> None:
        self.plant = plant
        self.line = line
        self.segments = segments
        self.planning = planning
        self.busy: list[float] = [0.0]  # busy days booked by each day boundary
        self.alerting: dict[str, bool] = {}

    def close_day(self, day: int) -> None:
        if day == 0:
            return
        self.busy.append(self.line.busy_days)
        for seg, rules in self.segments:
            w = rules.load_window
            if len(self.busy) <= w:
                continue
            load = 100.0 * (self.busy[-1] - self.busy[-1 - w]) / w
            on = load > rules.line_load_pct
            if on and not self.alerting.get(seg, False):
                self.planning.alert_rows.append((float(day), "line_load", f"{self.plant}/{self.line.name}", "", seg,
                                                 load, rules.line_load_pct))
            self.alerting[seg] = on


class DemandPlanning:
    """The trackers of one run and the tables they fill (forecasts, override audit, alerts)."""

    def __init__(self, ctx: Context, points: list[StockPoint],
                 planned: Mapping[tuple[str, str], tuple[ItemStats, float, Replenishment]]) -> None:
        self.ctx = ctx
        self.forecast_rows: list[tuple] = []
        self.audit_rows: list[tuple] = []
        self.alert_rows: list[tuple] = []
        overrides = ctx.spec.forecast_overrides
        self.trackers = {}
        for p in points:
            if p.segment.policies.forecast is not None or p.segment.alerts is not None:
                stats, cover, rule = planned[(p.node, p.sku)]
                self.trackers[(p.node, p.sku)] = Tracker(p, stats, cover, rule, overrides, self)
        self.lines: list[LineLoad] = []
        spec = ctx.spec
        for pname in spec.plants:
            for line in getattr(ctx.nodes.get(pname), "lines", ()):
                fams = set(line.spec.families)
                asking = sorted({seg for (sku, _ch), seg in spec.segment_of.items()
                                 if spec.skus[sku].family in fams and spec.segments[seg].alerts is not None
                                 and spec.segments[seg].alerts.line_load_pct is not None})
                if asking:
                    self.lines.append(LineLoad(pname, line, [(s, spec.segments[s].alerts) for s in asking], self))
        self._seen_orders = 0
        self._day = 0

    def start(self) -> None:
        if self.trackers or self.lines:
            self._tick()

    def _tick(self, _event: simpy.Event | None = None) -> None:
        day = self._day
        orders = self.ctx.recorder.replenishments
        for time, node, sku, _src, qty, _pos in orders[self._seen_orders:]:
            tracker = self.trackers.get((node, sku))
            if tracker is not None:
                tracker.pipeline.append([time + tracker.stats.lead_time_mean, qty])
        self._seen_orders = len(orders)
        for tracker in self.trackers.values():
            tracker.close_day(day)
        for line in self.lines:
            line.close_day(day)
        self._day += 1
        if self._day <= self.ctx.spec.horizon_days:
            # Day boundaries run URGENT, ahead of the receipts and reviews due at the same instant.
            ev = simpy.Event(self.ctx.env)
            ev._ok, ev._value = True, None
            ev.callbacks.append(self._tick)
            self.ctx.env.schedule(ev, URGENT, 1.0)

    def tables(self) -> dict[str, pd.DataFrame]:
        if not self.trackers and not self.lines:
            return {}
        return {
            "forecasts": pd.DataFrame(self.forecast_rows, columns=list(FORECAST_COLUMNS)),
            "forecast_overrides": pd.DataFrame(self.audit_rows, columns=list(AUDIT_COLUMNS)),
            "alerts": pd.DataFrame(self.alert_rows, columns=list(ALERT_COLUMNS)),
        }
