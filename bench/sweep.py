"""Sweep scaling: the same Hydra multirun of the default company, serially and on joblib with 2 workers.

Runs ``python -m simulator -m scenario=<a>,<b> seed=range(0,n)`` twice: with Hydra's basic (serial)
launcher and with the joblib launcher (``n_jobs=2``). Prints both wall times, the speedup, and
whether the two sweeps produced identical KPI tables (they must: same seeds, same numbers), the CPU
seconds of each (what to compare on a shared machine), the machine's load average, and where the
serial sweep's time outside the jobs goes: before the first job (start-up, composing and checking the
configs), between jobs (per job: composing its config, Hydra's bookkeeping) and after the last
(gathering, the sweep report). A job's own time (``job.json``'s ``wall_seconds``) is its config check,
its runs and writing its files.

Usage: python bench/sweep.py [--runs 40] [--horizon 365] [--scenarios baseline,demand_spike]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, emit  # noqa: E402


def sweep(launcher: list[str], scenarios: str, seeds: int, horizon: float, out: Path) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds of the sweep's processes, start time) of one multirun."""
    cmd = [sys.executable, "-m", "simulator", "-m", f"scenario={scenarios}", f"seed=range(0,{seeds})",
           f"horizon_days={horizon:g}", "quiet=true", f"hydra.sweep.dir={out}", *launcher]
    cpu0 = _children_cpu()
    t0, started = time.perf_counter(), time.time()
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True)
    return time.perf_counter() - t0, _children_cpu() - cpu0, started


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def jobs_timeline(sweep_dir: Path) -> list[tuple[float, float]]:
    """Each job's (end time, own wall seconds), from its ``job.json`` (written last, when the job ends)."""
    out = []
    for p in sweep_dir.glob("*/job.json"):
        out.append((p.stat().st_mtime, float(json.loads(p.read_text()).get("wall_seconds", 0.0))))
    return sorted(out)


def overhead(sweep_dir: Path, started: float, wall: float) -> dict[str, float]:
    """Serial sweep: seconds before the first job, per job between jobs, after the last job."""
    timeline = jobs_timeline(sweep_dir)
    first_start = timeline[0][0] - timeline[0][1]
    last_end = timeline[-1][0]
    own = sum(w for _, w in timeline)
    return {"before_s": first_start - started, "after_s": started + wall - last_end,
            "between_per_job_s": (last_end - first_start - own) / len(timeline),
            "per_job_s": (wall - own) / len(timeline), "job_own_s": own / len(timeline)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--horizon", type=float, default=365)
    ap.add_argument("--scenarios", default="baseline,demand_spike")
    args = ap.parse_args()
    n_scen = len(args.scenarios.split(","))
    seeds = max(1, args.runs // n_scen)
    with tempfile.TemporaryDirectory() as tmp:
        serial_dir, parallel_dir = Path(tmp) / "serial", Path(tmp) / "parallel"
        jobs = n_scen * seeds
        load0 = os.getloadavg()
        serial, serial_cpu, started = sweep(["hydra/launcher=basic"], args.scenarios, seeds, args.horizon, serial_dir)
        parts = overhead(serial_dir, started, serial)
        print(f"serial   ({jobs} jobs): {serial:.1f} s wall, {serial_cpu:.1f} s CPU; a job's own time "
              f"{parts['job_own_s']:.2f} s; outside the jobs {parts['per_job_s']:.2f} s per job: "
              f"{parts['before_s']:.1f} s before the first, {parts['between_per_job_s']:.2f} s between jobs, "
              f"{parts['after_s']:.1f} s after the last (gather, sweep report)")
        parallel, parallel_cpu, _ = sweep(["hydra.launcher.n_jobs=2"], args.scenarios, seeds, args.horizon,
                                          parallel_dir)
        load1 = os.getloadavg()
        print(f"joblib 2 ({jobs} jobs): {parallel:.1f} s wall, {parallel_cpu:.1f} s CPU")
        a = pd.read_parquet(serial_dir / "sweep.parquet")
        b = pd.read_parquet(parallel_dir / "sweep.parquet")
        keys = [c for c in ("scenario", "seed", "segment") if c in a.columns]
        metrics = [c for c in ("fill_rate", "otif", "lost_units", "revenue", "gross_margin") if c in a.columns]
        same = a.sort_values(keys)[keys + metrics].reset_index(drop=True).equals(
            b.sort_values(keys)[keys + metrics].reset_index(drop=True))
    print(f"speedup {serial / parallel:.2f}x (goal >= 1.9); identical KPIs: {same}; load average (1 min) "
          f"{load0[0]:.1f} before, {load1[0]:.1f} after on {os.cpu_count()} cores")
    emit({"serial_s": round(serial, 2), "parallel_s": round(parallel, 2), "speedup": round(serial / parallel, 3),
          "serial_cpu_s": round(serial_cpu, 1), "parallel_cpu_s": round(parallel_cpu, 1),
          "per_job_overhead_s": round(parts["per_job_s"], 3), "between_jobs_s": round(parts["between_per_job_s"], 3),
          "before_first_job_s": round(parts["before_s"], 2), "after_last_job_s": round(parts["after_s"], 2),
          "jobs": n_scen * seeds, "identical_kpis": same, "load_before": round(load0[0], 2),
          "load_after": round(load1[0], 2)})


if __name__ == "__main__":
    main()
