"""Paired differences between the jobs of a sweep: ``python -m analysis.compare SWEEP_DIR --factor KEY``.

Jobs that differ only in ``KEY`` (e.g. a segment policy parameter) are compared with the job at the
baseline value, replication by replication (same seeds, so the same demand and disruption timings).
Prints, per segment, the mean difference of each KPI and resilience metric with its 95% t-interval,
marks the significant ones, and writes ``paired_<KEY>.csv`` into the sweep directory.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.kpis import KPI_METRICS
from analysis.resilience import RESILIENCE_METRICS
from analysis.statistics import paired_differences

SHOWN = ["fill_rate", "otif", "avg_lead_time_days", "lost_units", "avg_on_hand_units", "cost_to_serve", "gross_margin",
         "tts_days", "ttr_days", "service_loss_area", "revenue_change"]
# Where more is better for the business; for every other metric (lead time, lost units, stock, cost,
# time to recover, service lost...) less is better.
HIGHER_IS_BETTER = frozenset({"fill_rate", "order_fill_rate", "otif", "inventory_turns", "revenue", "gross_margin",
                              "tts_days", "revenue_change", "margin_change", "lasting_revenue_change"})
RATES = frozenset({"fill_rate", "order_fill_rate", "otif"})


def listed_order(table: pd.DataFrame, factor: str) -> list[str]:
    """The values of ``factor`` in the order the sweep listed them: Hydra numbers a sweep's jobs in
    the order of the values on the command line, so job 0 holds the first value listed."""
    jobs = table["job"].astype(str)
    number = pd.to_numeric(jobs, errors="coerce")
    ordered = table.assign(_n=number, _j=jobs).sort_values(["_n", "_j"], kind="stable", na_position="last")
    return list(dict.fromkeys(ordered[factor].astype(str)))


def compare(sweep_dir: str | Path, factor: str, baseline: str | None = None,
            metrics: Sequence[str] | None = None, level: float = 0.95) -> pd.DataFrame:
    """Paired differences, each value B of ``factor`` minus the baseline A (by default the first value
    listed in the sweep), within every group of the other overrides; ``direction`` spells it out."""
    sweep_dir = Path(sweep_dir)
    reps = pd.read_parquet(sweep_dir / "sweep_replications.parquet")
    res_path = sweep_dir / "sweep_resilience.parquet"
    if factor not in reps.columns:
        raise KeyError(f"{factor!r} is not an override of this sweep; overrides: "
                       f"{', '.join(c for c in reps.columns if c not in KPI_METRICS and c != 'segment')}")
    frames = [reps]
    if res_path.exists():
        res = pd.read_parquet(res_path)
        # one value per replication x segment: the scenario's first disruption window
        res = res.sort_values("start").drop_duplicates(["job", "replication", "segment"])
        # (a sweep gathered by an older segsim may lack a metric added since)
        frames.append(res[["job", "replication", "segment", *(m for m in RESILIENCE_METRICS if m in res.columns)]])
    table = frames[0] if len(frames) == 1 else frames[0].merge(frames[1], on=["job", "replication", "segment"],
                                                                how="left")
    levels = listed_order(table, factor)
    baseline = baseline if baseline is not None else levels[0]
    if baseline not in levels:
        raise KeyError(f"baseline {baseline!r} is not a value of {factor}; values: {', '.join(levels)}")
    metrics = list(metrics or [m for m in KPI_METRICS + RESILIENCE_METRICS if m in table.columns])
    table = table.assign(**{factor: table[factor].astype(str)})
    others = [c for c in table.columns if c not in (factor, "job", "status", "error", "seed", "replication",
                                                     "segment", *KPI_METRICS, *RESILIENCE_METRICS)]
    out = []
    for key, group in table.groupby(others, dropna=False) if others else [((), table)]:
        a = group[group[factor] == baseline]
        for lvl in levels:
            if lvl == baseline:
                continue
            diff = paired_differences(a, group[group[factor] == lvl], metrics, level=level)
            key = key if isinstance(key, tuple) else (key,)
            out.append(diff.assign(**dict(zip(others, key, strict=True)), factor=factor, baseline=baseline,
                                   level=lvl, direction=f"{lvl} minus {baseline}"))
    result = pd.concat(out, ignore_index=True) if out else pd.DataFrame()
    result.to_csv(sweep_dir / f"paired_{factor}.csv", index=False)
    return result


def verdict(metric: str, low: float, high: float) -> str:
    """'B better', 'B worse' or 'no significant difference', from the 95% interval of B minus A."""
    if not (np.isfinite(low) and np.isfinite(high)) or low <= 0.0 <= high:
        return "no significant difference"
    b_higher = low > 0.0
    return "B better" if b_higher == (metric in HIGHER_IS_BETTER) else "B worse"


def _format(metric: str, value: float, sign: str = "") -> str:
    """A value as the table shows it: rates in percent (differences in percentage points), days and
    areas with two decimals, everything else whole with thousands separators; ``sign="+"`` for differences."""
    if metric in RATES:
        return f"{100 * value:{sign}.2f} pt" if sign else f"{100 * value:.1f}%"
    if metric.endswith(("_days", "_area")):
        return f"{value:{sign},.2f}"
    return f"{value:{sign},.0f}"


def _signed(metric: str, value: float) -> str:
    return _format(metric, value, "+")


def _level(metric: str, value: float) -> str:
    return _format(metric, value)


def readable(result: pd.DataFrame, shown: Sequence[str]) -> pd.DataFrame:
    """The comparison as a planner reads it: per setting that varies, segment and metric, A and B,
    'B minus A [95% interval]' (rates in percentage points, money and units with separators) and
    the verdict. Settings that are the same in every row are left out."""
    view = result[result["metric"].isin(shown)].copy()
    if view.empty:
        return view
    view["metric"] = pd.Categorical(view["metric"], [m for m in shown if m in set(view["metric"])], ordered=True)
    fixed = {"mean_a", "mean_b", "diff", "ci_low", "ci_high", "p_value", "significant", "n_pairs", "factor",
             "metric", "segment", "baseline", "level", "direction"}
    varying = [c for c in view.columns if c not in fixed and view[c].nunique(dropna=False) > 1]
    rows = []
    for r in view.sort_values([*varying, "segment", "metric"]).to_dict("records"):
        m = str(r["metric"])
        interval = "" if not np.isfinite(r["ci_low"]) else \
            f" [{_signed(m, r['ci_low'])}, {_signed(m, r['ci_high'])}]".replace(" pt,", ",")
        rows.append({**{c: r[c] for c in varying}, "segment": r["segment"], "metric": m, "A": _level(m, r["mean_a"]),
                     "B": _level(m, r["mean_b"]), "B minus A (95% CI)": _signed(m, r["diff"]) + interval,
                     "verdict": verdict(m, r["ci_low"], r["ci_high"])})
    return pd.DataFrame(rows)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m analysis.compare", description=__doc__.splitlines()[0])
    ap.add_argument("sweep_dir")
    ap.add_argument("--factor", required=True, help="the override that differs between the compared jobs")
    ap.add_argument("--baseline", help="the value A to compare against (default: the first value listed in the sweep)")
    ap.add_argument("--metrics", help="comma-separated metrics (default: the main KPIs and resilience metrics)")
    args = ap.parse_args(argv)
    try:
        result = compare(args.sweep_dir, args.factor, args.baseline)
    except (KeyError, FileNotFoundError) as exc:
        print(f"segsim compare: {exc}", file=sys.stderr)
        return 2
    shown = args.metrics.split(",") if args.metrics else SHOWN
    first = result.iloc[0]
    print(f"{args.factor}: B minus A, A = {first['baseline']} (paired by seed; verdict from the 95% interval)")
    for level, part in result.groupby("level", sort=False):
        print(f"\nB = {level}")
        print(readable(part, shown).to_string(index=False))
    print(f"\nwritten to {Path(args.sweep_dir) / f'paired_{args.factor}.csv'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
