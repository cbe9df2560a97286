"""L: a large generated network, to see how segsim scales with the number of SKUs.

3 plants with 8 lines, 2 central + 10 regional DCs, 500 customer order streams in 3 channels,
2,000 SKUs in 3 segments, 365 days. Prints wall seconds, events processed, events per second and
peak memory for the full size, then a table of how time and memory grow from 500 to 1,000 to
2,000 SKUs (each size in a fresh process, so peak memory is its own).

Usage: python bench/large.py [--skus 2000] [--days 365] [--scaling 500,1000,2000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import emit, peak_mb  # noqa: E402

FAMILIES = 8  # one per line


def make_config(n_skus: int, n_customers: int = 500, days: float = 365, seed: int = 1) -> dict:
    """The generated network as a segsim config (plain dicts)."""
    per_family = n_skus // FAMILIES
    families = {f"fam{f}": {"skus": per_family, "prefix": f"F{f}", "price": 10 + f, "unit_cost": 4 + f / 2,
                            "popularity": 1.0, "bom": {"rm_a": 0.5, "rm_b": 0.2}} for f in range(FAMILIES)}
    plants, lanes = {}, []
    lines_of = {"p0": [0, 1, 2], "p1": [3, 4, 5], "p2": [6, 7]}
    for p, fams in lines_of.items():
        plants[p] = {"planned_lead_time": 3,
                     "raw_stock": {"rm_a": {"s": 40_000, "S": 120_000}, "rm_b": {"s": 16_000, "S": 50_000}},
                     "lines": {f"{p}_L{f}": {"families": [f"fam{f}"], "rate": 4000, "min_batch": 200} for f in fams}}
        lanes.append({"from": "sup_a", "to": p, "mode": "ftl", "lead_time": {"dist": "uniform", "low": 2, "high": 4}})
        lanes.append({"from": "sup_b", "to": p, "mode": "ftl", "lead_time": {"dist": "uniform", "low": 1, "high": 3}})
    centrals = ["cdc0", "cdc1"]
    regionals = [f"rdc{i}" for i in range(10)]
    warehouses = {c: {"sources": list(plants)} for c in centrals}
    for p in plants:
        lanes.append({"from": p, "to": centrals, "mode": "ftl", "lead_time": {"dist": "uniform", "low": 1, "high": 3}})
    for i, r in enumerate(regionals):
        c = centrals[i % 2]
        warehouses[r] = {"sources": [c]}
        lanes.append({"from": c, "to": r, "mode": "ltl", "lead_time": {"dist": "triangular", "low": 1, "mode": 2,
                                                                       "high": 4}})
    channels = {"retail": {"patience_days": 7}, "ecommerce": {"patience_days": 3}, "b2b": {"patience_days": 14}}
    kinds = [("retail", 1.0, {"dist": "poisson", "mean": 3, "shift": 1}, {"dist": "poisson", "mean": 12}),
             ("ecommerce", 2.0, {"dist": "poisson", "mean": 0.5, "shift": 1}, {"dist": "poisson", "mean": 0.5,
                                                                               "shift": 1}),
             ("b2b", 0.3, {"dist": "poisson", "mean": 4, "shift": 1}, {"dist": "gamma", "mean": 60, "sd": 30})]
    customers = {}
    for k in range(n_customers):
        channel, rate, lines, qty = kinds[k % 3]
        r = regionals[k % len(regionals)]
        name = f"cust{k}"
        customers[name] = {"channel": channel, "served_from": [r], "orders_per_day": rate,
                           "lines_per_order": lines, "qty": qty}
        lanes.append({"from": r, "to": name, "mode": "parcel" if channel == "ecommerce" else "ltl",
                      "lead_time": {"dist": "uniform", "low": 0.5, "high": 2.5}})
    return {
        "seed": seed, "horizon_days": days,
        "network": {
            "transport_modes": {"ftl": {"cost_per_unit": 0.03, "cost_per_shipment": 180, "co2_per_unit": 0.04},
                                "ltl": {"cost_per_unit": 0.12, "cost_per_shipment": 9, "co2_per_unit": 0.09},
                                "parcel": {"cost_per_unit": 1.2, "co2_per_unit": 0.25}},
            "raw_materials": {"rm_a": {"unit_cost": 1.0}, "rm_b": {"unit_cost": 2.0}},
            "families": families,
            "suppliers": {"sup_a": {"supplies": ["rm_a"], "lead_time": 2},
                          "sup_b": {"supplies": ["rm_b"], "lead_time": 3}},
            "plants": plants, "warehouses": warehouses, "lanes": lanes, "channels": channels,
            "customers": customers,
        },
        "segments": {
            "fast": {"priority": 1, "sla": {"fill_rate": 0.98, "lead_time_days": 3},
                     "policies": {"replenishment": {"type": "s_S", "cycle_days": 5}}},
            "core": {"priority": 2, "sla": {"fill_rate": 0.95, "lead_time_days": 4},
                     "policies": {"replenishment": {"type": "s_S", "cycle_days": 10}}},
            "tail": {"priority": 3, "sla": {"fill_rate": 0.9, "lead_time_days": 7},
                     "policies": {"replenishment": {"type": "order_up_to", "review_period": 14}}},
        },
        "assignment": {"default": "core", "rules": [
            {"rank": [1, max(1, per_family // 10)], "segment": "fast"},
            {"rank": [max(2, per_family // 2), per_family], "segment": "tail"},
        ]},
    }


def measure(n_skus: int, days: float) -> dict:
    """One run in this process: wall seconds (config to KPI table), events, peak memory."""
    import simulator

    t0 = time.perf_counter()
    results = simulator.run(dict(make_config(n_skus, days=days), quiet=True))
    results.kpis  # noqa: B018 (computing the KPI table is part of what is timed)
    wall = time.perf_counter() - t0
    return {"skus": n_skus, "wall_s": round(wall, 2), "events": results.events,
            "events_per_s": round(results.events / results.wall_seconds), "peak_mb": round(peak_mb(), 1),
            "order_lines": len(results.order_lines)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--skus", type=int, default=2000)
    ap.add_argument("--days", type=float, default=365)
    ap.add_argument("--scaling", default="500,1000,2000", help="SKU counts for the growth table ('' to skip)")
    ap.add_argument("--one", action="store_true", help=argparse.SUPPRESS)  # child mode: one size, JSON out
    args = ap.parse_args()
    if args.one:
        emit(measure(args.skus, args.days))
        return
    rows = []
    sizes = [int(s) for s in args.scaling.split(",") if s] or [args.skus]
    if args.skus not in sizes:
        sizes.append(args.skus)
    for n in sizes:
        out = subprocess.run([sys.executable, __file__, "--one", "--skus", str(n), "--days", str(args.days)],
                             capture_output=True, text=True, check=True).stdout
        rows.append(json.loads(out.strip().splitlines()[-1]))
        print(f"{n:>6} SKUs: {rows[-1]['wall_s']:>7.2f} s  {rows[-1]['events']:>10,} events  "
              f"{rows[-1]['events_per_s']:>8,} events/s  {rows[-1]['peak_mb']:>8.1f} MB peak")
    base = rows[0]
    print("\ngrowth vs the smallest size (linear would be the SKU ratio):")
    for r in rows:
        print(f"  {r['skus'] / base['skus']:.1f}x SKUs -> {r['wall_s'] / base['wall_s']:.2f}x time, "
              f"{r['peak_mb'] / base['peak_mb']:.2f}x memory")
    full = next(r for r in rows if r["skus"] == args.skus)
    emit({k: full[k] for k in ("wall_s", "peak_mb", "events", "events_per_s", "skus")})


if __name__ == "__main__":
    main()
