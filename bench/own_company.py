"""Own company from tables: how long the Vela workbook takes to import, and the company to run.

Times (1) reading and checking data/vela_europe.xlsx and writing its YAML (in-process, the median of
``--repeat`` imports into a temporary folder), (2) one run of the imported company over ``--days``
(building the spec, running the model; no report), (3) drawing its map. Prints the figures, then one
JSON line.

Usage: python bench/own_company.py [--days 365] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, emit, median, peak_mb  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=float, default=365)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    import simulator
    from analysis.maps import network_map
    from simulator.app.tables.cli import import_workbook

    book = ROOT / "data" / "vela_europe.xlsx"
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.repeat):
            started = time.perf_counter()
            import_workbook(book, Path(tmp) / "conf" / "network" / "vela.yaml")
            times.append(time.perf_counter() - started)
    config = simulator.compose(["network=vela_europe", "segments=vela_europe", f"horizon_days={args.days}",
                                "quiet=true"])
    started = time.perf_counter()
    spec = simulator.build_spec(config)
    build = time.perf_counter() - started
    results = simulator.run(spec)
    run = time.perf_counter() - started
    started = time.perf_counter()
    network_map(spec, results.shipments).savefig(Path(tempfile.gettempdir()) / "vela_map.png", dpi=80)
    drawn = time.perf_counter() - started
    fill = float(results.kpis.set_index("segment").loc["ALL", "fill_rate"])
    print(f"import of {book.name}: {median(times):.2f} s (median of {args.repeat})")
    print(f"spec built in {build:.2f} s; {args.days:g} days run in {run:.1f} s "
          f"({results.events:,} events, {results.events / results.wall_seconds:,.0f} events/s); "
          f"fill rate {fill:.1%}")
    print(f"map drawn in {drawn:.2f} s; peak memory {peak_mb():.0f} MB")
    emit({"import_s": round(median(times), 3), "build_s": round(build, 3), "run_s": round(run, 2),
          "days": args.days, "events": results.events, "map_s": round(drawn, 2), "peak_mb": round(peak_mb())})


if __name__ == "__main__":
    main()
