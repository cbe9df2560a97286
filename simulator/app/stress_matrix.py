"""The stress matrix: every supplier, plant, line and DC down for each of several outage lengths.

``python -m simulator.app.stress_matrix --durations 7,14,28 [--replications N] [overrides...]`` runs one
Hydra multirun (parallel on the joblib launcher, resumable with ``--sweep-dir``) of the
``node_outage`` scenario over all nodes x durations, each job with its paired baseline, then writes
``stress_matrix.csv`` (node x outage length x segment: revenue lost, TTR, TTS, exposed) and
``stress_matrix.png`` (heatmap of revenue lost, exposed nodes marked) into the sweep directory.
A node is *exposed* when a segment's mean time to survive is shorter than the outage.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

TARGET = "scenario.disruptions.outage.target"
DURATION = "scenario.disruptions.outage.duration"
START = "scenario.disruptions.outage.start"


def matrix(sweep: pd.DataFrame) -> pd.DataFrame:
    """Node x outage length x segment from a gathered stress sweep (``sweep.parquet``)."""
    ok = sweep[(sweep["status"] == "ok") & (sweep["segment"] != "ALL")].copy()
    ok["node"] = ok[TARGET].astype(str)
    ok["outage_days"] = ok[DURATION].astype(float)
    out = ok[["node", "outage_days", "segment", "ttr_days", "tts_days", "extra_lost_units", "service_loss_area",
              "n_replications"]].copy()
    # an outage costs revenue: shown as the revenue lost, baseline minus disrupted (the resilience
    # table's signed revenue_change turned round; negative only if the outage run happened to sell more)
    out.insert(3, "revenue_lost", -ok["revenue_change"])
    out.insert(4, "margin_lost", -ok["margin_change"])
    out["exposed"] = out["tts_days"] < out["outage_days"]
    return out.sort_values(["node", "outage_days", "segment"]).reset_index(drop=True)


def heatmap(table: pd.DataFrame, path: Path) -> Path:
    """Revenue lost (all segments) per node x outage length; '!' marks exposed nodes."""
    from analysis import sweep_plots

    lost = table.pivot_table(index="node", columns="outage_days", values="revenue_lost", aggfunc="sum")
    exposed = table.pivot_table(index="node", columns="outage_days", values="exposed", aggfunc="any")
    title = "Revenue lost vs paired baseline\n(! = exposed: a segment's time to survive < outage)"
    fig = sweep_plots.heatmap(lost, title, "revenue lost")
    ax = fig.axes[0]
    for i in range(lost.shape[0]):
        for j in range(lost.shape[1]):
            if bool(exposed.iloc[i, j]):
                ax.annotate("!", (j + 0.35, i - 0.2), ha="center", va="center", fontsize=10, weight="bold")
    fig.savefig(path, dpi=110)
    fig.clear()
    return path


def precheck(overrides: Sequence[str], start: float) -> Any:
    """The config of the stress sweep, checked before any job runs, with the outage start the sweep
    will use (``--start``), not the scenario file's day 60. Raises ``ConfigError``."""
    from simulator.app.cli import compose
    from simulator.config import build_spec

    hydra_free = [o for o in overrides if not o.startswith("hydra")]
    return build_spec(compose([*hydra_free, "scenario=node_outage", f"{START}={start:g}"]))


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m simulator.stress_matrix", description=__doc__.splitlines()[0])
    ap.add_argument("--durations", default="7,14,28", help="outage lengths in days (default 7,14,28)")
    ap.add_argument("--start", type=float, default=60.0, help="day the outages start (default 60)")
    ap.add_argument("--replications", type=int, default=1)
    ap.add_argument("--targets", help="comma-separated nodes (default: every supplier, plant, line and DC)")
    ap.add_argument("--sweep-dir", help="sweep directory (re-use it to resume); default multirun/stress-<time>")
    ap.add_argument("overrides", nargs="*", help="config overrides, e.g. horizon_days=180 hydra.launcher.n_jobs=4")
    args = ap.parse_args(argv)

    from scenarios import node_names
    from simulator.app.cli import SWEEP_HAD_FAILURES
    from simulator.app.input_errors import check_overrides, normalize_override, one_line

    args.overrides = [normalize_override(o) for o in args.overrides]
    try:
        check_overrides(args.overrides)
        spec = precheck(args.overrides, args.start)
    except Exception as exc:  # bad input: one line, status 2; anything else is a bug and keeps its traceback
        message = one_line(exc, args.overrides)
        if message is None:
            raise
        print(f"segsim: {message}", file=sys.stderr)
        return 2
    targets = args.targets.split(",") if args.targets else node_names(spec)
    sweep_dir = Path(args.sweep_dir or f"multirun/stress-{time.strftime('%Y-%m-%d_%H-%M-%S')}")
    cmd = [sys.executable, "-m", "simulator", "-m", "scenario=node_outage", f"{TARGET}={','.join(targets)}",
           f"{DURATION}={args.durations}", f"{START}={args.start:g}", f"replications={args.replications}",
           *args.overrides, f"hydra.sweep.dir={sweep_dir}"]
    print("segsim stress matrix:", " ".join(cmd[1:]), flush=True)
    proc = subprocess.run(cmd)
    if proc.returncode not in (0, SWEEP_HAD_FAILURES):  # failed jobs are rows of sweep.parquet; go on
        return proc.returncode
    table = matrix(pd.read_parquet(sweep_dir / "sweep.parquet"))
    table.to_csv(sweep_dir / "stress_matrix.csv", index=False)
    png = heatmap(table, sweep_dir / "stress_matrix.png")
    view = table.pivot_table(index="node", columns="outage_days", values="revenue_lost", aggfunc="sum")
    from analysis.sweep import sweep_report

    try:  # the sweep's report again, now with the heatmap and its table
        sweep_report(sweep_dir, stress_matrix=view)
    except Exception as exc:  # the matrix files matter more than the report
        print(f"segsim: no sweep report with the matrix: {type(exc).__name__}: {exc}", file=sys.stderr)
    print("\nrevenue lost by node x outage length (all segments):")
    print(view.round(0).to_string())
    exposed = table[table["exposed"]].groupby(["node", "outage_days"])["segment"].apply(", ".join)
    print("\nexposed (a segment's time to survive is shorter than the outage):")
    print(exposed.to_string() if len(exposed) else "none")
    print(f"\nwritten: {sweep_dir / 'stress_matrix.csv'}, {png}")
    return proc.returncode


if __name__ == "__main__":
    raise SystemExit(main())
