"""Report: how long ``python -m simulator`` spends writing report.html for the default company.

First the CLI itself: ``python -m simulator quiet=true`` in a fresh process (365 days), timing the
report inside it: what a planner waits for, matplotlib's import and cold caches included. Then, in
this process, the same company run once and its report written ``1 + --repeats`` times: the first
(cold) and the median of the others (warm). Prints wall and CPU seconds (CPU is what to compare on a
shared machine) and the page size. Goal: <= 1 s.

Usage: python bench/report.py [--repeats 3] [--days 365]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, emit, median  # noqa: E402


def cli_child(run_dir: str, days: float) -> None:
    """(In a fresh process.) ``python -m simulator`` with the report timed; its figures as JSON on stderr."""
    from simulator.app import cli, results

    write = results.Results.report
    took: dict[str, float] = {}

    def timed(self: results.Results, *args: object, **kwargs: object) -> Path:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return write(self, *args, **kwargs)  # type: ignore[arg-type]
        finally:
            took.update(wall=time.perf_counter() - wall, cpu=time.process_time() - cpu)

    results.Results.report = timed  # type: ignore[method-assign]
    cli.main(["quiet=true", f"horizon_days={days:g}", f"hydra.run.dir={run_dir}"])
    sys.stderr.write("\n" + json.dumps(took) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--days", type=float, default=365)
    ap.add_argument("--cli-child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.cli_child:
        cli_child(args.cli_child, args.days)
        return
    with tempfile.TemporaryDirectory() as tmp:
        child = [sys.executable, __file__, "--cli-child", str(Path(tmp) / "run"), "--days", f"{args.days:g}"]
        proc = subprocess.run(child, cwd=ROOT, check=True, capture_output=True, text=True)
        cli = json.loads(proc.stderr.strip().splitlines()[-1])
    print(f"python -m simulator: report.html in {cli['wall']:.2f} s wall / {cli['cpu']:.2f} s CPU "
          "(fresh process: matplotlib imported and its caches cold; goal <= 1 s)")
    import simulator

    results = simulator.run(dict(simulator.compose([]), horizon_days=args.days, quiet=True))
    results.kpis  # noqa: B018 (the KPI table exists before the CLI writes the report)
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(1 + args.repeats):
            wall, cpu = time.perf_counter(), time.process_time()
            page = results.report(Path(tmp) / "report.html")
            times.append((time.perf_counter() - wall, time.process_time() - cpu))
        size_kb = page.stat().st_size / 1024
    (cold_wall, cold_cpu), warm = times[0], times[1:]
    warm_wall, warm_cpu = median([w for w, _ in warm]), median([c for _, c in warm])
    print(f"report.html ({size_kb:,.0f} kB) in this process: first {cold_wall:.2f} s wall / {cold_cpu:.2f} s CPU, "
          f"then median {warm_wall:.2f} s wall / {warm_cpu:.2f} s CPU (goal <= 1 s)")
    emit({"cli_wall_s": round(cli["wall"], 3), "cli_cpu_s": round(cli["cpu"], 3),
          "first_wall_s": round(cold_wall, 3), "first_cpu_s": round(cold_cpu, 3), "wall_s": round(warm_wall, 3),
          "cpu_s": round(warm_cpu, 3), "size_kb": round(size_kb)})


if __name__ == "__main__":
    main()
