"""Re-planning stock during a run: one re-planner per stocking point that needs one.

A stocking point is planned once before the clock starts (``PlanInputs.policy``). It is re-planned
during the run when its segment asks for it: a dynamic safety stock re-estimates demand from the
last weeks seen; a forecast re-plans the reorder levels each day from the (consensus) forecast and
the forecast error observed; alerts watch projected stock and forecast deviation. Each such point
has one ``Replanner``: it owns the point's daily demand history, its plan inputs and its schedule.
Once a day (at the day boundary, before that day's reviews) every re-planner closes the day's
demand, scores the forecast that was in force, re-forecasts when due, lays the planners' overrides
over the statistical forecast (recording each in the audit trail), re-plans when due and checks
its segment's alert rules.

Safety-stock and forecast policies declare what they need (``SafetyStock.replan_every_days``,
``history_days``, ``errors_kept``; ``Forecaster.refresh_days``, ``min_history``). A dynamic safety
stock and a forecast on one segment are rejected when the config is read: each would re-plan the
same levels from a different estimate of demand.
"""

from __future__ import annotations

import logging
import math
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from policies.base import ItemStats, Replenishment, SafetyStock
from simulator.engine.context import Context
from simulator.engine.demand_planning import AlertRules, Override
from simulator.engine.production import PlantNode, ProductionLine
from simulator.engine.records import Row
from simulator.engine.spec import Spec
from simulator.engine.warehouse import DemandHistory, StockPoint

log = logging.getLogger(__name__)

FORECAST_COLUMNS = ("day", "node", "sku", "segment", "statistical", "consensus", "actual")
AUDIT_COLUMNS = ("time", "node", "sku", "segment", "start", "end", "statistical", "consensus", "author", "reason")
ALERT_COLUMNS = ("time", "kind", "node", "sku", "segment", "value", "threshold")


@dataclass(frozen=True, slots=True)
class PlanInputs:
    """What one stocking point's plan is made from: the planning figures (forecast demand, lead
    time, service target, costs), the protection interval (lead time + review period, in days), the
    replenishment rule as configured (parameters left ``auto`` are planned) and the segment's
    safety-stock method; ``key`` is the config key named when a plan cannot be made."""

    stats: ItemStats
    cover: float
    rule: Replenishment
    safety_stock: SafetyStock
    key: str

    def policy(self, stats: ItemStats | None = None) -> Replenishment:
        """The rule with its ``auto`` parameters planned from ``stats`` (default: the figures before
        the run); raises ValueError when the rule cannot be planned."""
        stats = self.stats if stats is None else stats
        return self.rule.planned(stats, self.safety_stock.units(stats, self.cover))


class Replanner:
    """Re-plans one stocking point (one SKU at one DC) during the run, and writes its forecasts,
    override audit and alerts."""

    def __init__(self, point: StockPoint, history: DemandHistory, inputs: PlanInputs,
                 overrides: tuple[Override, ...], books: Books) -> None:
        self.point = point
        self.history = history
        self.inputs = inputs
        self.books = books
        seg = point.segment
        self.forecaster = seg.policies.forecast  # None: the planned mean stands as the forecast
        self.alerts = seg.alerts
        self.overrides = tuple(o for o in overrides if o.applies(point.node, point.sku))
        ss = inputs.safety_stock
        self.replan_every = ss.replan_every_days  # a dynamic safety stock's cycle (None: none)
        self.next_replan = max(float(ss.history_days), self.replan_every) if self.replan_every else math.inf
        self.errors: deque[float] = deque(maxlen=ss.errors_kept)  # forecast - actual, per day
        self.deviations: deque[float] = deque(maxlen=seg.alerts.deviation_window if seg.alerts else 1)
        refresh = self.forecaster.refresh_days if self.forecaster is not None else math.inf
        self.refresh = refresh
        cover = inputs.cover
        self.horizon = int(math.ceil(cover)) + (int(math.ceil(refresh)) if math.isfinite(refresh) else 0) + 1
        self.made_on = 0  # day the statistical forecast in force was made
        self.statistical = np.full(self.horizon, inputs.stats.mean_daily)
        self.last_fit = -math.inf
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
        """Book the demand of ``day - 1``, refresh the forecast if due, re-plan if due, check alerts."""
        point = self.point
        if day > 0:
            actual = self.history.day(day - 1)
            stat, cons = self.forecast_for(day - 1)
            self.errors.append(cons - actual)
            self.deviations.append(cons - actual)
            self.books.forecast_rows.append((day - 1, point.node, point.sku, point.segment.name, stat, cons, actual))
        f = self.forecaster
        if f is not None and day >= f.min_history and day - self.last_fit >= self.refresh - 1e-9:
            history = np.asarray(self.history.window(day, day))
            self.statistical = np.asarray(f.forecast(history, self.horizon), dtype=float)
            self.made_on, self.last_fit = day, day
        consensus = [self.forecast_for(d)[1] for d in range(day, day + self.horizon)]
        self._audit(day)
        if f is not None:
            n = max(1, int(math.ceil(self.inputs.cover)))
            self._replan(replace(self.inputs.stats, mean_daily=float(np.mean(consensus[:n])),
                                 forecast_errors=tuple(self.errors)))
        elif day >= self.next_replan - 1e-9:
            self.next_replan += self.replan_every  # type: ignore[operator]
            window = self.inputs.safety_stock.history_days
            self._replan(self.inputs.safety_stock.restate(self.inputs.stats, self.history.window(day, window)))
        if self.alerts is not None:
            self._check_alerts(day, consensus)

    def _replan(self, stats: ItemStats) -> None:
        try:
            policy = self.inputs.policy(stats)
        except ValueError as exc:  # keep the last good plan; say why
            log.warning("re-planning %s/%s kept its last plan: %s", self.point.node, self.point.sku, exc)
            return
        self.point.replan(policy)

    def _audit(self, day: int) -> None:
        point = self.point
        for o in self.overrides:
            if id(o) in self.applied or not day + self.horizon > o.start or day >= o.end:
                continue
            self.applied.add(id(o))
            days = range(max(int(math.ceil(o.start)), day), min(int(math.ceil(o.end)), day + self.horizon))
            stat = float(np.mean([self.forecast_for(d)[0] for d in days])) if len(days) else float("nan")
            self.books.audit_rows.append((float(day), point.node, point.sku, point.segment.name,
                                          o.start, o.end, stat, o.value, o.author, o.reason))

    def _check_alerts(self, day: int, consensus: list[float]) -> None:
        rules, point = self.alerts, self.point
        assert rules is not None
        if rules.stockout_within_days is not None:
            n = rules.stockout_within_days
            lead = self.inputs.stats.lead_time_mean
            # Receipts due in time: open orders, oldest received first (as on_order comes down).
            due = sum(q for t, q in self.history.open_orders(point.on_order) if day <= t + lead <= day + n)
            whole, frac = int(n), n - int(n)
            demand = sum(consensus[:whole]) + (consensus[whole] * frac if whole < len(consensus) else 0.0)
            projected = point.on_hand - point.backlog_qty + due - demand
            self._flag(day, "stockout_risk", projected < 0, projected, n)
        if rules.forecast_deviation_pct is not None and len(self.deviations) >= rules.deviation_window:
            w = rules.deviation_window
            actual = sum(self.history.window(day, w))
            forecast = actual + sum(self.deviations)
            if forecast > 0:
                dev = 100.0 * abs(actual - forecast) / forecast
                self._flag(day, "forecast_deviation", dev > rules.forecast_deviation_pct, dev,
                           rules.forecast_deviation_pct)

    def _flag(self, day: int, kind: str, on: bool, value: float, threshold: float) -> None:
        """Record an alert when its condition starts (one alert per episode, not one per day)."""
        if on and not self.alerting.get(kind, False):
            p = self.point
            self.books.alert_rows.append((float(day), kind, p.node, p.sku, p.segment.name, value, threshold))
        self.alerting[kind] = on


class Books:
    """The rows re-planning writes: forecasts beside actuals, the override audit trail, alerts."""

    def __init__(self) -> None:
        self.forecast_rows: list[Row] = []
        self.audit_rows: list[Row] = []
        self.alert_rows: list[Row] = []


class LineLoad:
    """Watches one production line for the segments that want a warning when it runs too full."""

    def __init__(self, plant: str, line: ProductionLine, segments: list[tuple[str, AlertRules]],
                 books: Books) -> None:
        self.plant = plant
        self.line = line
        self.segments = segments
        self.books = books
        self.busy: list[float] = [0.0]  # busy days booked by each day boundary
        self.alerting: dict[str, bool] = {}

    def close_day(self, day: int) -> None:
        if day == 0:
            return
        self.busy.append(self.line.busy_days)
        for seg, rules in self.segments:
            w = rules.load_window
            if len(self.busy) <= w or rules.line_load_pct is None:
                continue
            load = 100.0 * (self.busy[-1] - self.busy[-1 - w]) / w
            on = load > rules.line_load_pct
            if on and not self.alerting.get(seg, False):
                self.books.alert_rows.append((float(day), "line_load", f"{self.plant}/{self.line.name}", "", seg,
                                              load, rules.line_load_pct))
            self.alerting[seg] = on


def line_watchers(spec: Spec, plants: Mapping[str, PlantNode], books: Books) -> list[LineLoad]:
    """A watcher for every production line making products of a segment that asks for line-load alerts."""
    out = []
    for pname, plant in plants.items():
        for line in plant.lines:
            fams = set(line.spec.families)
            asking = sorted({seg for (sku, _ch), seg in spec.segment_of.items()
                             if spec.skus[sku].family in fams and (rules := spec.segments[seg].alerts) is not None
                             and rules.line_load_pct is not None})
            if asking:
                out.append(LineLoad(pname, line, [(s, rules) for s in asking
                                                  if (rules := spec.segments[s].alerts) is not None], books))
    return out


class Replanning:
    """The re-planners and line watchers of one run, closed each day at the day boundary, and the
    tables they write (forecasts, override audit, alerts)."""

    def __init__(self, ctx: Context, replanners: list[Replanner], lines: list[LineLoad], books: Books) -> None:
        self.ctx = ctx
        self.replanners = replanners
        self.lines = lines
        self.books = books
        self._day = 0

    def start(self) -> None:
        if self.replanners or self.lines:
            self._tick()

    def _tick(self) -> None:
        day = self._day
        for replanner in self.replanners:
            replanner.close_day(day)
        for line in self.lines:
            line.close_day(day)
        self._day += 1
        if self._day <= self.ctx.spec.horizon_days:
            self.ctx.urgent(1.0, self._tick)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The forecast, override-audit and alert tables (none when nothing was re-planned or watched)."""
        if not self.replanners and not self.lines:
            return {}
        b = self.books
        return {
            "forecasts": pd.DataFrame(b.forecast_rows, columns=list(FORECAST_COLUMNS)),
            "forecast_overrides": pd.DataFrame(b.audit_rows, columns=list(AUDIT_COLUMNS)),
            "alerts": pd.DataFrame(b.alert_rows, columns=list(ALERT_COLUMNS)),
        }
