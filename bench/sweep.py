"""Sweep scaling: the same Hydra multirun of the default company, serially and on joblib with 2 workers.

Runs ``python -m simulator -m scenario=<a>,<b> seed=range(0,n)`` twice: with Hydra's basic (serial)
launcher and with the joblib launcher (``n_jobs=2``). Prints both wall times, the speedup, and
whether the two sweeps produced identical KPI tables (they must: same seeds, same numbers), the CPU
seconds of each (what to compare on a shared machine) and the per-job overhead of the serial sweep
(its wall time less the jobs' own, per job: Hydra's composing, job bookkeeping, the final gather).

Usage: python bench/sweep.py [--runs 40] [--horizon 365] [--scenarios baseline,demand_spike]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, emit  # noqa: E402


def sweep(launcher: list[str], scenarios: str, seeds: int, horizon: float, out: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the sweep's processes) of one multirun."""
    cmd = [sys.executable, "-m", "simulator", "-m", f"scenario={scenarios}", f"seed=range(0,{seeds})",
           f"horizon_days={horizon:g}", "quiet=true", f"hydra.sweep.dir={out}", *launcher]
    cpu0 = _children_cpu()
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True)
    return time.perf_counter() - t0, _children_cpu() - cpu0


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def job_seconds(sweep_dir: Path) -> float:
    """Sum of the jobs' own wall time (``job.json``: config check, runs, writing the job's files)."""
    return sum(json.loads(p.read_text()).get("wall_seconds", 0.0) for p in sweep_dir.glob("*/job.json"))


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
        serial, serial_cpu = sweep(["hydra/launcher=basic"], args.scenarios, seeds, args.horizon, serial_dir)
        overhead = (serial - job_seconds(serial_dir)) / jobs
        print(f"serial   ({jobs} jobs): {serial:.1f} s wall, {serial_cpu:.1f} s CPU; "
              f"per-job overhead outside the job itself {overhead:.2f} s")
        parallel, parallel_cpu = sweep(["hydra.launcher.n_jobs=2"], args.scenarios, seeds, args.horizon, parallel_dir)
        print(f"joblib 2 ({jobs} jobs): {parallel:.1f} s wall, {parallel_cpu:.1f} s CPU")
        a = pd.read_parquet(serial_dir / "sweep.parquet")
        b = pd.read_parquet(parallel_dir / "sweep.parquet")
        keys = [c for c in ("scenario", "seed", "segment") if c in a.columns]
        metrics = [c for c in ("fill_rate", "otif", "lost_units", "revenue", "gross_margin") if c in a.columns]
        same = a.sort_values(keys)[keys + metrics].reset_index(drop=True).equals(
            b.sort_values(keys)[keys + metrics].reset_index(drop=True))
    print(f"speedup {serial / parallel:.2f}x; identical KPIs: {same}")
    emit({"serial_s": round(serial, 2), "parallel_s": round(parallel, 2), "speedup": round(serial / parallel, 3),
          "serial_cpu_s": round(serial_cpu, 1), "parallel_cpu_s": round(parallel_cpu, 1),
          "per_job_overhead_s": round(overhead, 3), "jobs": n_scen * seeds, "identical_kpis": same})


if __name__ == "__main__":
    main()
