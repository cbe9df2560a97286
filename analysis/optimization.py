"""Choosing policies: what a trial of a policy search is judged by, read from the tables of its runs.

A trial is one set of segment settings run for several replications (the same seeds for every trial:
common random numbers). Per replication and segment it gets the KPIs of ``analysis.kpis`` plus:

- ``lost_margin``: margin (price - unit cost) of the units customers cancelled (lost sales);
- ``total_cost``: ``cost_to_serve`` (transport + handling + holding + changeover) + ``lost_margin``,
  the default objective: what serving the segment costs, plus what not serving it cost;
- ``avg_backorder_units``: end-of-day units on backorder, averaged over the days after the warm-up;
- ``replenishment_orders_per_day``: replenishment orders placed per day after the warm-up.

A constraint is met when the *lower* end of the 95% t-interval over replications clears the target
(upper end for a ceiling), not the mean: a board can read "met" as "met, with 95% confidence".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from analysis.kpis import KPI_METRICS
from analysis.plots import made_to_order
from analysis.statistics import t_interval

if TYPE_CHECKING:
    from simulator.app.results import Results
    from simulator.engine.spec import Spec

EXTRA_METRICS = ("lost_margin", "total_cost", "avg_backorder_units", "replenishment_orders_per_day")
METRICS = tuple(KPI_METRICS) + EXTRA_METRICS


@dataclass(frozen=True)
class Constraint:
    """``metric`` of ``segment`` must stay >= ``target`` (``bound='min'``) or <= it (``'max'``)."""

    segment: str
    metric: str
    bound: str
    target: float

    @property
    def label(self) -> str:
        return f"{self.segment} {self.metric} {'>=' if self.bound == 'min' else '<='} {self.target:g}"


def replication_metrics(results: Results) -> pd.DataFrame:
    """One row per segment and ``ALL``: the run's KPIs and the extra metrics above."""
    spec = results.spec
    warm, span = spec.warmup_days, max(spec.horizon_days - spec.warmup_days, 1e-9)
    kpis = results.kpis.set_index("segment")
    lines = results.order_lines
    lines = lines[lines["time"] >= warm]
    margin = pd.Series({s.name: s.price - s.unit_cost for s in spec.skus.values()}, dtype=float)
    lost = lines["lost"].to_numpy(dtype=float) * margin.reindex(lines["sku"]).to_numpy(dtype=float)
    lost_margin = pd.Series(lost).groupby(lines["segment"].to_numpy()).sum()

    stock = results.stock
    after = stock[stock["day"] > warm]
    days = max(after["day"].nunique(), 1)
    backorders = after.groupby("segment")["backorders"].sum() / days
    segment_of = stock.drop_duplicates(["node", "sku"]).set_index(["node", "sku"])["segment"]
    rep = results.replenishments
    rep = rep[rep["time"] >= warm]
    keys = pd.MultiIndex.from_arrays([rep["node"], rep["sku"]])
    orders = pd.Series(segment_of.reindex(keys).to_numpy()).value_counts() / span

    out = kpis.copy()
    segs = [s for s in out.index if s != "ALL"]
    out["lost_margin"] = lost_margin.reindex(segs).fillna(0.0).tolist() + [float(lost_margin.sum())]
    out["total_cost"] = out["cost_to_serve"] + out["lost_margin"]
    out["avg_backorder_units"] = backorders.reindex(segs).fillna(0.0).tolist() + [float(backorders.sum())]
    out["replenishment_orders_per_day"] = orders.reindex(segs).fillna(0.0).tolist() + [float(orders.sum())]
    return out.reset_index()


def sla_constraints(spec: Spec) -> list[Constraint]:
    """Each segment's SLA: OTIF >= its target fill rate, and, for a segment served from stock, fill
    rate >= the same target (a made-to-order segment holds no stock: it is judged on OTIF only)."""
    out = []
    for name, seg in spec.segments.items():
        if not made_to_order(spec, name):
            out.append(Constraint(name, "fill_rate", "min", seg.target_fill_rate))
        out.append(Constraint(name, "otif", "min", seg.target_fill_rate))
    return out


def objective_values(reps: pd.DataFrame, terms: Mapping[str, float], segment: str) -> np.ndarray:
    """The objective of each replication: sum of weight x metric of ``segment`` (rows in replication order)."""
    rows = reps[reps["segment"] == segment].sort_values("replication")
    return sum(w * rows[m].to_numpy(dtype=float) for m, w in terms.items())  # type: ignore[return-value]


def judge(reps: pd.DataFrame, constraints: Sequence[Constraint], level: float = 0.95) -> list[dict[str, Any]]:
    """Each constraint read on its confidence interval over replications.

    ``status``: ``met`` (the whole interval clears the target), ``missed`` (the whole interval falls
    short: more replications would not help), ``undecided`` (the interval straddles the target).
    ``slack``: how far the pessimistic end clears the target (negative: short of it).
    """
    out = []
    for c in constraints:
        x = reps.loc[reps["segment"] == c.segment, c.metric].to_numpy(dtype=float)
        mean, low, high = t_interval(x, level)
        if len(x) == 1 or not np.isfinite(low):
            low = high = float("nan")
        sure, hope = (low, high) if c.bound == "min" else (high, low)
        sign = 1.0 if c.bound == "min" else -1.0
        if np.isnan(mean):  # no demand in the segment: nothing to judge
            status, slack = "met", 0.0
        elif np.isnan(sure):
            status, slack = "undecided", float("-inf")
        else:
            slack = sign * (sure - c.target)
            status = "met" if slack >= 0 else "missed" if sign * (hope - c.target) < 0 else "undecided"
        out.append({"constraint": c.label, "segment": c.segment, "metric": c.metric, "bound": c.bound,
                    "target": c.target, "mean": mean, "low": low, "high": high, "status": status,
                    "slack": slack})
    return out


def choose(trials: pd.DataFrame, direction: str = "minimize") -> int | None:
    """Index of the winning trial: the best objective among the feasible ones (every constraint met on
    its pessimistic interval end); if none is feasible, the one closest to feasible (smallest total
    shortfall). ``trials`` needs columns ``state``, ``objective``, ``feasible`` and ``shortfall``."""
    done = trials[trials["state"] == "COMPLETE"]
    if done.empty:
        return None
    feasible = done[done["feasible"].astype(bool)]
    if len(feasible):
        obj = feasible["objective"]
        return int(obj.idxmin() if direction == "minimize" else obj.idxmax())
    return int(done["shortfall"].idxmin())
