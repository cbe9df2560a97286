"""Replications and the statistics a strategy lead can defend: t-intervals and paired differences.

Replication ``i`` of a run with root seed ``s`` uses a seed derived from ``(s, i)`` only, so two
policies (or a disrupted run and its baseline) run with the same root seed see the same demand and
the same disruption timings: common random numbers. Their differences are then compared pair by pair.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import special  # Student-t quantiles and tails (scipy.stats would take ~0.5 s to import in every job)

log = logging.getLogger(__name__)


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


def t_quantile(p: float, df: float) -> float:
    """The ``p`` quantile of Student's t distribution with ``df`` degrees of freedom."""
    return float(special.stdtrit(df, p))


def paired_t_p_value(d: np.ndarray) -> float:
    """Two-sided p-value of the paired t-test that the mean difference ``d`` is zero."""
    n = len(d)
    t = float(d.mean()) / (float(d.std(ddof=1)) / math.sqrt(n))
    return float(2.0 * special.stdtr(n - 1, -abs(t)))


def summarize(table: pd.DataFrame, by: Sequence[str], metrics: Sequence[str], level: float = 0.95) -> pd.DataFrame:
    """Mean and t-interval of each metric over replications, one row per group x metric."""
    rows = []
    for key, group in table.groupby(list(by), sort=True):
        key = key if isinstance(key, tuple) else (key,)
        for m in metrics:
            mean, low, high = t_interval(group[m].to_numpy(dtype=float), level)
            rows.append({**dict(zip(by, key, strict=True)), "metric": m, "mean": mean, "ci_low": low,
                         "ci_high": high, "n": int(group[m].notna().sum())})
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
