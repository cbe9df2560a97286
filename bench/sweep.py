"""Sweep scaling: the same Hydra multirun of the default company, serially and on joblib with 2 workers.

Runs ``python -m simulator -m scenario=<a>,<b> seed=range(0,n)`` twice: with Hydra's basic (serial)
launcher and with the joblib launcher (``n_jobs=2``). Prints both wall times, the speedup, and
whether the two sweeps produced identical KPI tables (they must: same seeds, same numbers).

Usage: python bench/sweep.py [--runs 40] [--horizon 365] [--scenarios baseline,demand_spike]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, emit  # noqa: E402


def sweep(launcher: list[str], scenarios: str, seeds: int, horizon: float, out: Path) -> float:
    cmd = [sys.executable, "-m", "simulator", "-m", f"scenario={scenarios}", f"seed=range(0,{seeds})",
           f"horizon_days={horizon:g}", "quiet=true", f"hydra.sweep.dir={out}", *launcher]
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True)
    return time.perf_counter() - t0


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
        serial = sweep(["hydra/launcher=basic"], args.scenarios, seeds, args.horizon, serial_dir)
        print(f"serial   ({n_scen * seeds} jobs): {serial:.1f} s")
        parallel = sweep(["hydra.launcher.n_jobs=2"], args.scenarios, seeds, args.horizon, parallel_dir)
        print(f"joblib 2 ({n_scen * seeds} jobs): {parallel:.1f} s")
        a = pd.read_parquet(serial_dir / "sweep.parquet")
        b = pd.read_parquet(parallel_dir / "sweep.parquet")
        keys = [c for c in ("scenario", "seed", "segment") if c in a.columns]
        metrics = [c for c in ("fill_rate", "otif", "lost_units", "revenue", "gross_margin") if c in a.columns]
        same = a.sort_values(keys)[keys + metrics].reset_index(drop=True).equals(
            b.sort_values(keys)[keys + metrics].reset_index(drop=True))
    print(f"speedup {serial / parallel:.2f}x; identical KPIs: {same}")
    emit({"serial_s": round(serial, 2), "parallel_s": round(parallel, 2), "speedup": round(serial / parallel, 3),
          "jobs": n_scen * seeds, "identical_kpis": same})


if __name__ == "__main__":
    main()
