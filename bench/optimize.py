"""Policy search speed: the default company's study (conf/optimize/default_company.yaml), 40 trials on
2 workers, in a fresh output directory.

Prints trials per minute of the search, the share of the workers' time not spent simulating (Optuna,
the journal file, starting worker processes, idle workers; a run's KPI tables count as simulating),
the time of the closing phase (fresh-seed runs and the report), and the answer: the winner against
today's settings, objective and SLA with 95% intervals, on the study's seeds and on fresh seeds.

Usage: python bench/optimize.py [--trials 40] [--jobs 2] [overrides...]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import emit  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=40)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--out", help="output directory (default: a temporary one)")
    ap.add_argument("overrides", nargs="*", help="config overrides, e.g. horizon_days=180")
    args = ap.parse_args()

    from simulator.app.cli import compose_config
    from simulator.app.optimize import parse_settings, split
    from simulator.app.optimize.runner import conclude, prepare, search
    from simulator.app.optimize.study import quiet_logging

    quiet_logging(True)
    base, section = split(compose_config([*args.overrides, "+optimize=default_company",
                                          f"optimize.budget.trials={args.trials}", f"optimize.n_jobs={args.jobs}"]))
    settings = parse_settings(section, base)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(args.out or tmp)
        t0 = time.perf_counter()
        problem = prepare(base, settings, out)
        search(problem, verbose=True)
        t_search = time.perf_counter() - t0
        outcome = conclude(problem)
        t_close = time.perf_counter() - t0 - t_search
    trials = outcome.trials
    sim = float(trials["sim_seconds"].sum())
    overhead = 1.0 - sim / (args.jobs * t_search)
    reps = int(trials["n_replications"].sum())
    print(f"{len(trials)} trials ({reps} replications, {(trials['state'] == 'FAIL').sum()} failed) in "
          f"{t_search / 60:.1f} min on {args.jobs} workers: {len(trials) / (t_search / 60):.2f} trials/min; "
          f"{overhead:.1%} of the workers' time not spent simulating; closing phase {t_close:.0f} s")
    c = outcome.comparison
    if c is not None:
        for where in ("in_sample", "fresh"):
            for who in ("start", "best"):
                side = c[where][who]
                m, lo, hi = side["objective"]
                short = [v["constraint"] for v in side["verdict"] if v["status"] != "met"]
                print(f"{where:9s} {who:5s}: objective {m:,.0f} [{lo:,.0f}, {hi:,.0f}] over {side['n']} reps; "
                      f"SLA {'met' if side['feasible'] else 'not met: ' + ', '.join(short)}")
                for v in side["verdict"]:
                    print(f"    {v['constraint']:28s} {v['mean']:.4f} [{v['low']:.4f}, {v['high']:.4f}] {v['status']}")
        print("best settings:", c["best_params"])
    emit({"trials": len(trials), "replications": reps, "workers": args.jobs, "search_minutes": t_search / 60,
          "trials_per_minute": len(trials) / (t_search / 60), "share_not_simulating": overhead,
          "closing_seconds": t_close, **{k: outcome.summary[k] for k in ("objective", "feasible")},
          "fresh_feasible": outcome.summary.get("fresh_feasible")})


if __name__ == "__main__":
    main()
