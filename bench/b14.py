"""B14: segsim against bare SimPy on the same 14-node network, each measured the same way.

Runs ``../shared/bench/simpy_baseline.py`` (the yardstick) and segsim on ``bench/b14.yaml`` for
3,650 simulated days and prints, per pair, both tools' CPU and wall seconds and their ratio
(segsim / baseline), then the median of the pair ratios (the goal is <= 1.3) and both fill rates
(they must agree within 0.5 points for the comparison to mean anything).

How it is timed, and why (the fair measurement):

- Each measurement runs in its OWN fresh Python process (``--worker``), for both tools. Timing the
  baseline inside segsim's process made its time depend on what segsim left on the heap: the
  garbage collector's full passes walk every live object (pandas, pydantic, Hydra and whatever segsim
  keeps), so the bare-SimPy loop was charged for segsim's imports. Earlier rounds also compared
  figures timed differently (wall seconds of one script against CPU seconds of another), which is how
  the baseline appeared at 0.53-0.57 s in one and 0.38-0.42 s in the other.
- Same warm-up for both: the process imports its tool and does one untimed run of the same length
  (first-use caches, the interpreter's specialisation), then ``gc.collect()``, then one timed run.
- Same scope for both: from configuration to the KPIs. The baseline's ``main()`` builds its network,
  runs and computes its KPIs; segsim's ``simulator.run`` builds the model from the config, runs with
  every record, and the KPI table is computed.
- CPU seconds (``time.process_time``) are the primary figure: on a shared machine wall time mostly
  measures the other processes. Wall seconds are printed beside them.
- Pairs are interleaved and alternate which tool goes first, so drift in machine load hits both;
  the figure is the median of the per-pair CPU ratios.
- For the reader, segsim's CPU is also split by phase (setup, run with its record tables, KPI table)
  from one more run in the same process; the goal is judged on the whole, as a user runs it.

Usage: python bench/b14.py [--repeats 5] [--days 3650]
       python bench/b14.py --calls   (Python calls per order line and segsim's profile by function)
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib.util
import io
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, SHARED, emit, median  # noqa: E402


def _baseline_module():
    spec = importlib.util.spec_from_file_location("simpy_baseline", SHARED / "bench" / "simpy_baseline.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _one_baseline(module, days: int, seed: int) -> dict:
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
    return {"wall": wall, "cpu": cpu, "fill": result["kpi"]["fill_rate_units"],
            "events": result["events_processed"]}


def _one_segsim(cfg: dict) -> dict:
    import simulator

    t0, c0 = time.perf_counter(), time.process_time()
    results = simulator.run(cfg)
    kpis = results.kpis
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"wall": wall, "cpu": cpu, "fill": float(kpis.set_index("segment").loc["ALL", "fill_rate"]),
            "events": results.events}


def _segsim_phases(cfg: dict) -> dict:
    """CPU seconds of one segsim run split into setup (config to model), the run (simulation and its
    record tables) and the KPI table (measured after the timed run, for the report only)."""
    import simulator
    from simulator.config import build_spec
    from simulator.engine.model import Model

    marks = [time.process_time()]
    model = Model(build_spec(cfg))
    marks.append(time.process_time())
    results = simulator.Results.of(model.run())
    marks.append(time.process_time())
    results.kpis  # noqa: B018 (computing the KPI table is what is timed)
    marks.append(time.process_time())
    return {f"{k}_cpu": b - a for k, a, b in zip(("setup", "run", "kpis"), marks, marks[1:], strict=False)}


def calls_per_line(days: int, seed: int, top: int = 15) -> None:
    """Python calls per order line of segsim's run (setup excluded), and where the run's time goes
    by function (cProfile: its own overhead inflates calls, so read the shares, not the seconds)."""
    import cProfile
    import pstats

    import yaml

    from simulator.config import build_spec
    from simulator.engine.model import Model

    cfg = yaml.safe_load((ROOT / "bench" / "b14.yaml").read_text())
    cfg.update(horizon_days=days, seed=seed, quiet=True)
    model = Model(build_spec(cfg))
    profile = cProfile.Profile()
    profile.enable()
    record = model.run()
    profile.disable()
    stats = pstats.Stats(profile)
    lines = len(record.tables["order_lines"])
    print(f"segsim run: {stats.total_calls:,} Python calls for {lines:,} order lines = "
          f"{stats.total_calls / lines:.1f} per line ({record.events:,} events)")
    stats.sort_stats("tottime").print_stats(top)


def worker(tool: str, days: int, seed: int) -> dict:
    """In a fresh process: import, one untimed warm-up run, collect garbage, one timed run."""
    if tool == "baseline":
        module = _baseline_module()
        run = lambda: _one_baseline(module, days, seed)  # noqa: E731
    else:
        import yaml

        cfg = yaml.safe_load((ROOT / "bench" / "b14.yaml").read_text())
        cfg.update(horizon_days=days, seed=seed, quiet=True)  # no progress bar: display, not a record
        run = lambda: _one_segsim(cfg)  # noqa: E731
    run()
    gc.collect()
    out = run()
    if tool == "segsim":
        gc.collect()
        out.update(_segsim_phases(cfg))
    return out


def measure(tool: str, days: int, seed: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--worker", tool, "--days", str(days), "--seed", str(seed)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--days", type=int, default=3650)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--worker", choices=["baseline", "segsim"], help=argparse.SUPPRESS)
    ap.add_argument("--calls", action="store_true", help="print Python calls per order line and the profile, then stop")
    args = ap.parse_args()
    if args.calls:
        calls_per_line(args.days, args.seed)
        return
    if args.worker:
        emit(worker(args.worker, args.days, args.seed))
        return

    seg, base = [], []
    for i in range(args.repeats):
        order = ["segsim", "baseline"] if i % 2 == 0 else ["baseline", "segsim"]
        got = {tool: measure(tool, args.days, args.seed) for tool in order}
        s, b = got["segsim"], got["baseline"]
        seg.append(s)
        base.append(b)
        print(f"pair {i + 1}: CPU segsim {s['cpu']:.3f} s, baseline {b['cpu']:.3f} s, ratio {s['cpu'] / b['cpu']:.2f}; "
              f"wall {s['wall']:.3f} s vs {b['wall']:.3f} s, ratio {s['wall'] / b['wall']:.2f}")
    figures = {
        "cpu_ratio_of_pairs_median": round(median([s["cpu"] / b["cpu"] for s, b in zip(seg, base, strict=True)]), 3),
        "wall_ratio_of_pairs_median": round(median([s["wall"] / b["wall"] for s, b in zip(seg, base, strict=True)]), 3),
        "segsim_cpu_s": round(median([s["cpu"] for s in seg]), 4),
        "baseline_cpu_s": round(median([b["cpu"] for b in base]), 4),
        "segsim_wall_s": round(median([s["wall"] for s in seg]), 4),
        "baseline_wall_s": round(median([b["wall"] for b in base]), 4),
        "segsim_fill_rate": round(seg[-1]["fill"], 4), "baseline_fill_rate": round(base[-1]["fill"], 4),
        "fill_rate_gap_points": round(100 * abs(seg[-1]["fill"] - base[-1]["fill"]), 3),
        "segsim_events": seg[-1]["events"], "baseline_events": base[-1]["events"],
        # segsim's CPU by phase (a separate run after the timed one): what the ratio is made of
        **{f"segsim_{k}_s": round(median([s[k] for s in seg]), 4) for k in ("setup_cpu", "run_cpu", "kpis_cpu")},
        "days": args.days, "repeats": args.repeats,
    }
    print(f"CPU: segsim median {figures['segsim_cpu_s']} s, baseline median {figures['baseline_cpu_s']} s, "
          f"median of pair ratios {figures['cpu_ratio_of_pairs_median']} (goal <= 1.3); "
          f"fill rates {figures['segsim_fill_rate']} vs {figures['baseline_fill_rate']}")
    f = figures
    print(f"segsim CPU by phase: setup {f['segsim_setup_cpu_s']} s, run with its record tables "
          f"{f['segsim_run_cpu_s']} s, KPI table {f['segsim_kpis_cpu_s']} s")
    emit(figures)


if __name__ == "__main__":
    main()
