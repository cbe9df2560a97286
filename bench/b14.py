"""B14: segsim against bare SimPy on the same 14-node network, in one process.

Runs ``../shared/bench/simpy_baseline.py`` and segsim on ``bench/b14.yaml`` alternately for
3,650 simulated days, several times, and prints the medians of wall time, their ratio
(segsim / baseline) and both fill rates (they must agree within 0.5 points for the comparison to
mean anything). segsim's time covers everything it normally produces: building the model from the
config, the run with every record, the record tables and the KPI table.

Usage: python bench/b14.py [--repeats 5] [--days 3650]
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import json
import sys
import time

import yaml

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent))
from _common import ROOT, SHARED, emit, median  # noqa: E402

import simulator  # noqa: E402


def load_baseline():
    spec = importlib.util.spec_from_file_location("simpy_baseline", SHARED / "bench" / "simpy_baseline.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_baseline(module, days: int, seed: int) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, unit fill rate) of one baseline run."""
    argv, sys.argv = sys.argv, ["simpy_baseline", "--days", str(days), "--seed", str(seed)]
    out = io.StringIO()
    try:
        t0, c0 = time.perf_counter(), time.process_time()
        with contextlib.redirect_stdout(out):
            module.main()
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    finally:
        sys.argv = argv
    result = json.loads(out.getvalue().strip().splitlines()[-1])
    return wall, cpu, result["kpi"]["fill_rate_units"]


def run_segsim(cfg: dict) -> tuple[float, float, float, int]:
    """(wall seconds, CPU seconds, unit fill rate, events) of one segsim run, from config to KPI table."""
    t0, c0 = time.perf_counter(), time.process_time()
    results = simulator.run(cfg)
    kpis = results.kpis
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return wall, cpu, float(kpis.set_index("segment").loc["ALL", "fill_rate"]), results.events


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--days", type=int, default=3650)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    cfg = yaml.safe_load((ROOT / "bench" / "b14.yaml").read_text())
    cfg["horizon_days"] = args.days
    cfg["seed"] = args.seed
    cfg["quiet"] = True  # no progress bar: it is display, not a record
    baseline = load_baseline()
    run_segsim(cfg)  # warm-up: imports and first-use caches, not measured
    seg_s, base_s, seg_cpu, base_cpu = [], [], [], []
    for i in range(args.repeats):
        s, sc, seg_fill, events = run_segsim(cfg)
        b, bc, base_fill = run_baseline(baseline, args.days, args.seed)
        seg_s.append(s)
        base_s.append(b)
        seg_cpu.append(sc)
        base_cpu.append(bc)
        print(f"repeat {i + 1}: segsim {s:.3f} s, baseline {b:.3f} s, ratio {s / b:.2f}; "
              f"CPU {sc:.3f} s vs {bc:.3f} s, ratio {sc / bc:.2f}")
    figures = {
        "segsim_s": round(median(seg_s), 4), "baseline_s": round(median(base_s), 4),
        "ratio": round(median(seg_s) / median(base_s), 3),
        "ratio_of_pairs_median": round(median([s / b for s, b in zip(seg_s, base_s, strict=True)]), 3),
        # CPU seconds: what to compare on a shared machine, where wall time waits for other processes
        "cpu_ratio_of_pairs_median": round(median([s / b for s, b in zip(seg_cpu, base_cpu, strict=True)]), 3),
        "segsim_fill_rate": round(seg_fill, 4), "baseline_fill_rate": round(base_fill, 4),
        "fill_rate_gap_points": round(100 * abs(seg_fill - base_fill), 3),
        "segsim_events": events, "days": args.days, "repeats": args.repeats,
    }
    print(f"segsim median {figures['segsim_s']} s, baseline median {figures['baseline_s']} s, "
          f"ratio {figures['ratio']} (CPU: median of pair ratios {figures['cpu_ratio_of_pairs_median']}); "
          f"fill rates {figures['segsim_fill_rate']} vs {figures['baseline_fill_rate']}")
    emit(figures)


if __name__ == "__main__":
    main()
