"""Sweeps: what each job leaves in its directory, and gathering all jobs into one table.

Every job of a multirun writes ``job.json`` (status ``ok`` or ``failed`` with the error, its
overrides, a hash of its config) beside its results, last (``simulator.app.jobs`` writes it).
``gather`` reads a sweep directory and writes ``sweep.parquet`` and ``sweep.csv``: one row per job
x segment, every override as a column, KPI means over the job's replications (and resilience
means when its scenario has disruptions); a failed job is one row with its error.
``sweep_replications.parquet`` and ``sweep_resilience.parquet`` keep every replication for paired
comparisons (``python -m analysis.compare``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.kpis import KPI_METRICS
from analysis.resilience import RESILIENCE_COLUMNS, RESILIENCE_METRICS
from analysis.statistics import summarize, summary_cells

log = logging.getLogger(__name__)

JOB_FILE = "job.json"
TOTAL_FILE = ".jobs_total"  # number of jobs of the sweep, written when it starts


def parse_overrides(overrides: Sequence[str]) -> dict[str, str]:
    """``["scenario=dc_outage", "seed=3"]`` -> ``{"scenario": "dc_outage", "seed": "3"}``."""
    out = {}
    for item in overrides:
        key, _, value = item.partition("=")
        out[key.lstrip("+~")] = value
    return out


def _jobs(sweep_dir: Path) -> list[tuple[str, Path, dict[str, Any]]]:
    """Job directories with a ``job.json``; when the sweep's size is known (``.jobs_total``, written at
    the start of a multirun), numbered directories left over from an earlier, larger sweep are ignored."""
    total_file = sweep_dir / TOTAL_FILE
    total = int(total_file.read_text() or 0) if total_file.exists() else 0
    found = []
    for path in sweep_dir.glob(f"*/{JOB_FILE}"):
        name = path.parent.name
        if total and name.isdigit() and int(name) >= total:
            continue
        found.append((name, path.parent, json.loads(path.read_text())))
    return sorted(found, key=lambda j: (not j[0].isdigit(), int(j[0]) if j[0].isdigit() else 0, j[0]))


def gather(sweep_dir: str | Path) -> pd.DataFrame:
    """Gather every job of ``sweep_dir`` into ``sweep.parquet`` / ``sweep.csv`` and return the table."""
    sweep_dir = Path(sweep_dir)
    rows, reps, res = [], [], []
    for job, path, info in _jobs(sweep_dir):
        head = {"job": job, **parse_overrides(info["overrides"]), "status": info["status"], "error": info["error"]}
        if info["status"] != "ok":
            rows.append(pd.DataFrame([head]))
            continue
        kpis = pd.read_csv(path / "replications.csv").assign(**head)
        reps.append(kpis)
        table = kpis.groupby("segment", sort=True)[KPI_METRICS].mean()
        table.insert(0, "n_replications", kpis.groupby("segment")["replication"].nunique())
        rpath = path / "resilience.csv"
        if rpath.exists() and rpath.stat().st_size > 1:
            r = pd.read_csv(rpath).assign(**head)
            res.append(r)
            table = table.join(r.groupby("segment")[RESILIENCE_METRICS].mean())
        table = table.reset_index()
        for k, v in reversed(list(head.items())):
            table.insert(0, k, v)
        rows.append(table)
    if not rows:
        raise FileNotFoundError(f"no finished or failed jobs ({JOB_FILE}) under {sweep_dir}")
    out = pd.concat(rows, ignore_index=True)
    out.to_parquet(sweep_dir / "sweep.parquet", index=False)
    out.to_csv(sweep_dir / "sweep.csv", index=False)
    for name, frames in (("sweep_replications", reps), ("sweep_resilience", res)):
        if frames:
            pd.concat(frames, ignore_index=True).to_parquet(sweep_dir / f"{name}.parquet", index=False)
    n_failed = int((out.drop_duplicates("job")["status"] != "ok").sum())
    log.info("gathered %d jobs (%d failed) into %s", out["job"].nunique(), n_failed, sweep_dir / "sweep.parquet")
    return out


def sweep_report(sweep_dir: str | Path, stress_matrix: pd.DataFrame | None = None) -> Path:
    """``report.html`` in the sweep directory from the gathered tables (KPI means per scenario x
    policy with 95% intervals over replications; resilience per segment when there is any; the
    ``stress_matrix`` heatmap, node x outage length, when given)."""
    from analysis.report import write_sweep_report

    sweep_dir = Path(sweep_dir)
    reps_path = sweep_dir / "sweep_replications.parquet"
    if not reps_path.exists():
        raise FileNotFoundError(f"no finished job in {sweep_dir}")
    reps = pd.read_parquet(reps_path).drop(columns=["replication"])
    resilience = None
    res_path = sweep_dir / "sweep_resilience.parquet"
    if res_path.exists():
        res = pd.read_parquet(res_path)
        overrides = [c for c in res.columns if c not in RESILIENCE_COLUMNS and c not in
                     ("job", "status", "error", "replication", "seed", "tts_censored", "ttr_censored")]
        by = [c for c in overrides if res[c].nunique(dropna=False) > 1] + ["segment", "disruption"]
        shown = ["tts_days", "ttr_days", "service_loss_area", "extra_lost_units", "revenue_change"]
        resilience = summary_cells(summarize(res, by, shown), by, shown)
    curves = _service_curves(sweep_dir, reps)
    return write_sweep_report(reps, sweep_dir, resilience=resilience, paired=_paired_for_report(sweep_dir, reps),
                              service_curves=curves, baseline="baseline" if curves is not None else None,
                              stress_matrix=stress_matrix)


DAILY_FILL_FILE = "daily_fill.csv"  # per job: the daily fill rate per segment (for the sweep's service curves)


def daily_fill(lines: pd.DataFrame, smooth_days: int = 7) -> pd.DataFrame:
    """Daily fill rate per segment of one run: units filled from stock on arrival / units ordered,
    by the day the orders arrived, as a ``smooth_days`` rolling mean (columns segment, day, fill_rate).
    Each sweep job writes its own (``DAILY_FILL_FILE``) so the end of a sweep only averages them."""
    daily = lines.assign(day=lines["time"].astype(int)).groupby(["segment", "day"])[["qty", "immediate"]].sum()
    rate = (daily["immediate"] / daily["qty"]).rename("fill_rate").reset_index()
    rate["fill_rate"] = rate.groupby("segment")["fill_rate"].transform(
        lambda x: x.rolling(smooth_days, min_periods=1).mean())
    return rate


def _service_curves(sweep_dir: Path, reps: pd.DataFrame) -> pd.DataFrame | None:
    """When the sweep ran the ``baseline`` scenario beside disrupted ones: per scenario and segment, the
    daily fill rate of each job's first replication (``daily_fill``), averaged over the scenario's jobs."""
    if "scenario" not in reps.columns or "baseline" not in set(reps["scenario"]) or reps["scenario"].nunique() < 2:
        return None
    frames = []
    for (job, scenario), _ in reps.groupby(["job", "scenario"], sort=False):
        path = sweep_dir / str(job) / DAILY_FILL_FILE
        if path.exists():
            frames.append(pd.read_csv(path).assign(group=scenario))
    if not frames:
        return None
    return pd.concat(frames).groupby(["group", "segment", "day"], as_index=False)["fill_rate"].mean()


def _paired_for_report(sweep_dir: Path, reps: pd.DataFrame) -> pd.DataFrame | None:
    """When the sweep varied exactly one setting besides the scenario and the seed (the policy being
    compared), its paired differences against that setting's first value, shaped for the report."""
    from analysis.compare import compare

    fixed = {"job", "status", "error", "seed", "segment", "scenario", *KPI_METRICS}
    varied = [c for c in reps.columns if c not in fixed and reps[c].nunique(dropna=False) > 1]
    if len(varied) != 1 or "seed" not in reps.columns:
        return None
    factor = varied[0]
    diffs = compare(sweep_dir, factor)
    if diffs.empty:
        return None
    label = f"{factor}: " + diffs["direction"].astype(str)
    if "scenario" in diffs.columns:
        label = diffs["scenario"].astype(str) + ": " + label
    return pd.DataFrame({"group": label, "segment": diffs["segment"], "metric": diffs["metric"],
                         "mean": diffs["diff"], "low": diffs["ci_low"], "high": diffs["ci_high"]})
