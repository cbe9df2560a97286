"""Report: how long ``python -m simulator`` spends writing report.html for the default company.

Runs the default company once (365 days), then writes its report: the first time in the process
(what the CLI pays: fonts and matplotlib's caches are cold) and ``--repeats`` more times; prints wall
and CPU seconds (CPU is what to compare on a shared machine) and the page size. Goal: <= 1 s.

Usage: python bench/report.py [--repeats 3] [--days 365]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import emit, median  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--days", type=float, default=365)
    args = ap.parse_args()
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
    print(f"report.html ({size_kb:,.0f} kB): first {cold_wall:.2f} s wall / {cold_cpu:.2f} s CPU, "
          f"then median {warm_wall:.2f} s wall / {warm_cpu:.2f} s CPU (goal <= 1 s)")
    emit({"first_wall_s": round(cold_wall, 3), "first_cpu_s": round(cold_cpu, 3), "wall_s": round(warm_wall, 3),
          "cpu_s": round(warm_cpu, 3), "size_kb": round(size_kb)})


if __name__ == "__main__":
    main()
