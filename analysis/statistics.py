"""Replications and the statistics a strategy lead can defend: t-intervals and paired differences.

Replication ``i`` of a run with root seed ``s`` uses a seed derived from ``(s, i)`` only, so two
policies (or a disrupted run and its baseline) run with the same root seed see the same demand and
the same disruption timings: common random numbers. Their differences are then compared pair by pair.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)



def _special() -> Any:
    """``scipy.special`` (Student-t quantiles and tails, logit), imported at first use: a single run or a
    sweep job has one replication and no interval, and never pays its import (~0.2 s; scipy.stats
    would take ~0.5 s)."""
    from scipy import special

    return special


def replication_seeds(root_seed: int, n: int) -> list[int]:
    """Seeds of replications 0..n-1; replication 0 keeps the root seed (a single run is replication 0)."""
    children = np.random.SeedSequence(root_seed).spawn(n)
    return [int(root_seed)] + [int(c.generate_state(1)[0]) for c in children[1:]]


def t_interval(values: Sequence[float], level: float = 0.95) -> tuple[float, float, float]:
    """(mean, low, high): Student-t confidence interval of the mean of independent replications."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if len(x) == 0:
        return float("nan"), float("nan"), float("nan")
    mean = float(x.mean())
    if len(x) < 2:
        return mean, float("nan"), float("nan")
    if np.all(x == x[0]):  # no spread at all (e.g. a censored value in every replication)
        return mean, mean, mean
    half = t_quantile(0.5 + level / 2, len(x) - 1) * float(x.std(ddof=1)) / math.sqrt(len(x))
    return mean, mean - half, mean + half


# What kind of quantity each metric is decides its interval (docs/kpis.md, "Intervals").
RATE_METRICS = frozenset({"fill_rate", "order_fill_rate", "otif", "return_rate"})  # shares in [0, 1]
NONNEGATIVE_METRICS = frozenset({  # units, days, money spent, counts: never below zero
    "demand_units", "backorder_units", "lost_units", "rationed_units", "forgone_units", "forgone_revenue",
    "open_backorder_units", "avg_lead_time_days",
    "avg_on_hand_units", "inventory_turns", "revenue", "cogs", "transport_cost", "handling_cost", "holding_cost",
    "changeover_cost", "cost_to_serve", "co2_kg", "alerts", "tts_days", "ttr_days", "peak_backlog_units",
    "baseline_peak_backlog_units"})
CENSORED = {"tts_days": "tts_censored", "ttr_days": "ttr_censored"}  # metric -> its censoring flag column


def metric_interval(values: Sequence[float], metric: str | None = None,
                    level: float = 0.95) -> tuple[float, float, float]:
    """(mean, low, high) over independent replications, with an interval made for the quantity.

    Rates (fill rate, OTIF): logit-t, the Student-t interval of the mean built on the logit scale,
    logit(mean) +- t * se / (mean (1 - mean)) (delta method), mapped back: it stays inside (0, 1) and
    covers a skewed rate near 100% better than the plain t-interval. Non-negative quantities (units,
    days, cost): the Student-t interval cut at zero; the true mean cannot be negative, so the cut
    part held no possible value and the coverage is unchanged (a log or bootstrap interval of a
    skewed count, mostly 0 with rare large runs, can miss its own mean). Anything else (margins,
    differences): Student t. One replication gives no interval (low and high NaN); identical
    replications give [x, x].
    """
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    mean, low, high = t_interval(x, level)
    if not (np.isfinite(low) and low < high):
        return mean, low, high
    if metric in RATE_METRICS and 0.0 < mean < 1.0:
        half = (high - low) / 2 / (mean * (1.0 - mean))
        special = _special()
        centre = special.logit(mean)
        return mean, float(special.expit(centre - half)), float(special.expit(centre + half))
    if metric in NONNEGATIVE_METRICS:
        low = max(low, 0.0)
    return mean, low, high


def kaplan_meier_median(times: Sequence[float], censored: Sequence[bool]) -> tuple[float, bool]:
    """Median of a time-to-event (TTS, TTR) from replications some of which never saw the event
    inside the run (censored: the time is only a lower bound). Kaplan-Meier product-limit estimate:
    (median, reached); when the survival curve never falls to one half, the median is at least the
    longest time observed and ``reached`` is False."""
    t = np.asarray(times, dtype=float)
    c = np.asarray(censored, dtype=bool)
    ok = np.isfinite(t)
    t, c = t[ok], c[ok]
    if len(t) == 0:
        return float("nan"), False
    survival = 1.0
    for time in np.unique(t):
        at_risk = int((t >= time).sum())
        events = int(((t == time) & ~c).sum())
        if events:
            survival *= 1.0 - events / at_risk
            if survival <= 0.5 + 1e-12:
                return float(time), True
    return float(t.max()), False


def describe(mean: float, low: float, high: float, n: int, fmt: Callable[[float], str] = "{:,.4g}".format,
             *, lower_bound: bool = False) -> str:
    """'mean [low, high]' for a reader; 'mean (1 run, no interval)' for a single replication;
    '>= mean' when censored replications make the mean a lower bound."""
    if not np.isfinite(mean):
        return ""
    head = (">= " if lower_bound else "") + fmt(mean)
    if n <= 1:
        return f"{head} (1 run, no interval)"
    if not (np.isfinite(low) and np.isfinite(high)):
        return head
    return f"{head} [{fmt(low)}, {fmt(high)}]"


def metric_format(metric: str) -> Callable[[float], str]:
    """How a planner reads a metric's value: rates in %, days and areas to 0.1, the rest as whole
    numbers with thousands separators."""
    if metric in RATE_METRICS:
        return "{:.1%}".format
    if metric.endswith(("_days", "_area")):
        return "{:,.1f}".format
    return "{:,.0f}".format


def summary_cells(summary: pd.DataFrame, by: Sequence[str], metrics: Sequence[str]) -> pd.DataFrame:
    """A ``summarize`` table as text, one row per group and a column per metric: 'mean [low, high]',
    'mean (1 run, no interval)', and for a censored time '>= mean; median m (k of n censored)'
    (the Kaplan-Meier median, itself '>= m' when fewer than half the runs saw the event)."""
    def cell(r: pd.Series) -> str:
        fmt = metric_format(r["metric"])
        censored = int(r["n_censored"]) if "n_censored" in r and pd.notna(r["n_censored"]) else 0
        text = describe(r["mean"], r["ci_low"], r["ci_high"], int(r["n"]), fmt, lower_bound=censored > 0)
        if censored:
            median = ("" if r["median_reached"] else ">= ") + fmt(r["median"])
            text += f"; median {median} ({censored} of {int(r['n'])} censored)"
        return text

    view = summary[summary["metric"].isin(metrics)]
    view = view.assign(cell=view.apply(cell, axis=1) if len(view) else "")
    wide = view.pivot_table(index=list(by), columns="metric", values="cell", aggfunc="first", dropna=False)
    return wide.reindex(columns=[m for m in metrics if m in wide.columns]).reset_index().rename_axis(columns=None)


def t_quantile(p: float, df: float) -> float:
    """The ``p`` quantile of Student's t distribution with ``df`` degrees of freedom."""
    return float(_special().stdtrit(df, p))


def paired_t_p_value(d: np.ndarray) -> float:
    """Two-sided p-value of the paired t-test that the mean difference ``d`` is zero."""
    n = len(d)
    t = float(d.mean()) / (float(d.std(ddof=1)) / math.sqrt(n))
    return float(2.0 * _special().stdtr(n - 1, -abs(t)))


def summarize(table: pd.DataFrame, by: Sequence[str], metrics: Sequence[str], level: float = 0.95) -> pd.DataFrame:
    """Mean and interval (``metric_interval``) of each metric over replications, one row per group x metric.

    For a time that may be censored (TTS, TTR: a column ``tts_censored``/``ttr_censored`` beside it),
    also ``n_censored``, and the Kaplan-Meier ``median`` with ``median_reached``; when any
    replication is censored the mean is only a lower bound and has no interval.
    """
    rows = []
    for key, group in table.groupby(list(by), sort=True):
        key = key if isinstance(key, tuple) else (key,)
        for m in metrics:
            values = group[m].to_numpy(dtype=float)
            mean, low, high = metric_interval(values, m, level)
            row = {**dict(zip(by, key, strict=True)), "metric": m, "mean": mean, "ci_low": low,
                   "ci_high": high, "n": int(group[m].notna().sum())}
            flag = CENSORED.get(m)
            if flag is not None and flag in group.columns:
                cens = group[flag].fillna(False).to_numpy(dtype=bool)
                median, reached = kaplan_meier_median(values, cens)
                row.update(n_censored=int(cens.sum()), median=median, median_reached=reached)
                if cens.any():
                    row.update(ci_low=float("nan"), ci_high=float("nan"))
            rows.append(row)
    return pd.DataFrame(rows)


def paired_differences(a: pd.DataFrame, b: pd.DataFrame, metrics: Sequence[str], *, pair_on: Sequence[str] = ("seed",),
                       by: Sequence[str] = ("segment",), level: float = 0.95) -> pd.DataFrame:
    """B minus A per metric, paired by ``pair_on`` (the replication seed) within each ``by`` group.

    Columns: the groups, ``metric``, ``mean_a``, ``mean_b``, ``diff`` (mean of B - A), its t-interval
    ``ci_low``/``ci_high``, ``p_value`` (paired t-test) and ``significant`` (the interval excludes 0).
    """
    keys = list(by) + list(pair_on)
    both = a.merge(b, on=keys, suffixes=("_a", "_b"))
    rows = []
    for key, group in both.groupby(list(by), sort=True):
        key = key if isinstance(key, tuple) else (key,)
        for m in metrics:
            xa, xb = group[f"{m}_a"].to_numpy(dtype=float), group[f"{m}_b"].to_numpy(dtype=float)
            ok = ~(np.isnan(xa) | np.isnan(xb))
            if not ok.any():
                continue
            d = xb[ok] - xa[ok]
            mean, low, high = t_interval(d, level)
            p = paired_t_p_value(d) if ok.sum() > 1 and np.ptp(d) > 0 else float("nan")
            rows.append({**dict(zip(by, key, strict=True)), "metric": m, "mean_a": float(xa[ok].mean()),
                         "mean_b": float(xb[ok].mean()), "diff": mean, "ci_low": low, "ci_high": high,
                         "p_value": p, "significant": bool(low > 0 or high < 0), "n_pairs": int(ok.sum())})
    return pd.DataFrame(rows)


def welch_difference(a: Sequence[float], b: Sequence[float], level: float = 0.95) -> tuple[float, float, float]:
    """(diff, low, high): B minus A with a Welch interval, for runs with independent seeds (no pairing)."""
    xa, xb = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    va, vb = xa.var(ddof=1) / len(xa), xb.var(ddof=1) / len(xb)
    df = (va + vb) ** 2 / (va**2 / (len(xa) - 1) + vb**2 / (len(xb) - 1))
    half = t_quantile(0.5 + level / 2, df) * float(np.sqrt(va + vb))
    diff = float(xb.mean() - xa.mean())
    return diff, diff - half, diff + half
