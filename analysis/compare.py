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

import pandas as pd

from analysis.kpis import KPI_METRICS
from analysis.resilience import RESILIENCE_METRICS
from analysis.statistics import paired_differences

SHOWN = ["fill_rate", "otif", "lost_units", "gross_margin", "tts_days", "ttr_days", "service_loss_area",
         "revenue_change"]


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
        frames.append(res[["job", "replication", "segment", *RESILIENCE_METRICS]])
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
    view = result[result["metric"].isin(shown)].copy()
    view["diff (95% CI)"] = view.apply(lambda r: f"{r['diff']:+,.4g} [{r.ci_low:+,.4g}, {r.ci_high:+,.4g}]"
                                       + (" *" if r.significant else ""), axis=1)
    cols = [c for c in view.columns if c not in ("mean_a", "mean_b", "diff", "ci_low", "ci_high", "p_value",
                                                  "significant", "n_pairs", "factor", "diff (95% CI)", "metric")]
    print(f"paired differences, {args.factor}: each value minus {result['baseline'].iloc[0]} "
          "(* = 95% interval excludes 0)")
    print(view.pivot_table(index=cols, columns="metric", values="diff (95% CI)", aggfunc="first")
          .reindex(columns=[m for m in shown if m in set(view["metric"])]).to_string())
    print(f"\nwritten to {Path(args.sweep_dir) / f'paired_{args.factor}.csv'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
