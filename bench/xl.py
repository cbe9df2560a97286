"""XL: 8,000 SKUs x 4,000 customers x 1 year, the generated network of ``bench/large.py`` at business size.

Prints wall and CPU seconds per phase (spec, model init = setup; simulation; KPI table), the setup's share
of the run, events, order lines and peak memory; the last line is one JSON object. Measure it once: it runs
for minutes and takes gigabytes.

Usage: python bench/xl.py [--skus 8000] [--customers 4000] [--days 365]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import emit  # noqa: E402
from large import measure, show  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--skus", type=int, default=8000)
    ap.add_argument("--customers", type=int, default=4000)
    ap.add_argument("--days", type=float, default=365)
    args = ap.parse_args()
    r = measure(args.skus, args.days, args.customers)
    print(show(r))
    print(f"setup: spec {r['spec_cpu_s']:.1f} s + model init {r['model_init_cpu_s']:.1f} s CPU = "
          f"{r['setup_share']:.1%} of the run (goal <= 5%); simulation {r['run_cpu_s']:.1f} s, KPIs "
          f"{r['kpis_cpu_s']:.1f} s CPU; {r['peak_mb'] / 1024:.2f} GB peak (goal <= 6 GB, <= 5 minutes)")
    emit(r)


if __name__ == "__main__":
    main()
