"""L: a large generated network, to see how segsim scales with the number of SKUs.

3 plants with 8 lines, 2 central + 10 regional DCs, 500 customer order streams in 3 channels,
2,000 SKUs in 3 segments, 365 days. Prints wall seconds, events processed, events per second and
peak memory for the full size (wall and CPU seconds, the setup's share: spec and model init), then a
growth table: SKUs x customers x years, each axis varied from the smallest size of the others (each size
in a fresh process, so peak memory is its own), with how setup, run and memory grow along each axis.

Usage: python bench/large.py [--skus 2000] [--customers 500] [--days 365] [--growth 500,1000,2000/250,500,1000/365,730]
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


def measure(n_skus: int, days: float, n_customers: int = 500) -> dict:
    """One run in this process, phase by phase: building the spec and the model (setup), the simulation,
    the KPI table. Wall and CPU seconds (CPU is what to compare on a shared machine), events, peak memory."""
    import simulator
    from simulator.app.results import released
    from simulator.config import build_spec
    from simulator.engine.model import Model

    marks = [(time.perf_counter(), time.process_time())]

    def mark() -> None:
        marks.append((time.perf_counter(), time.process_time()))

    spec = build_spec(dict(make_config(n_skus, n_customers, days=days), quiet=True))
    mark()
    model = Model(spec)
    mark()
    record = model.run()
    del model  # as simulator.run: the finished model is dropped (and a large one freed) before the KPIs
    results = simulator.Results.of(released(record))
    mark()
    results.kpis  # noqa: B018 (computing the KPI table is part of what is timed)
    mark()
    wall, cpu = (marks[-1][i] - marks[0][i] for i in (0, 1))
    phase = {name: round(marks[k + 1][1] - marks[k][1], 2)
             for k, name in enumerate(("spec_cpu_s", "model_init_cpu_s", "run_cpu_s", "kpis_cpu_s"))}
    setup_cpu = phase["spec_cpu_s"] + phase["model_init_cpu_s"]
    return {"skus": n_skus, "customers": n_customers, "days": days, "wall_s": round(wall, 2),
            "cpu_s": round(cpu, 2), **phase, "setup_share": round(setup_cpu / cpu, 3), "events": results.events,
            "events_per_s": round(results.events / results.wall_seconds), "peak_mb": round(peak_mb(), 1),
            "order_lines": len(results.order_lines)}


def in_child(n_skus: int, days: float, n_customers: int) -> dict:
    """``measure`` in a fresh process, so that its peak memory is its own."""
    out = subprocess.run([sys.executable, __file__, "--one", "--skus", str(n_skus), "--days", str(days),
                          "--customers", str(n_customers)], capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def show(r: dict) -> str:
    return (f"{r['skus']:>6,} SKUs {r['customers']:>5,} cust {r['days']:>5g} d: {r['wall_s']:>7.1f} s wall "
            f"{r['cpu_s']:>7.1f} s CPU (setup {r['setup_share']:>5.1%})  {r['events']:>10,} events  "
            f"{r['order_lines']:>9,} lines  {r['peak_mb']:>7.0f} MB peak")


def growth(rows: list[dict]) -> None:
    """How setup CPU, run CPU and memory grow along each axis, from its smallest size."""
    for axis in ("skus", "customers", "days"):
        others = [a for a in ("skus", "customers", "days") if a != axis]
        line = sorted((r for r in rows if all(r[o] == rows[0][o] for o in others)), key=lambda r: r[axis])
        if len(line) < 2:
            continue
        b = line[0]
        print(f"\ngrowth in {axis} ({', '.join(f'{o} {b[o]:g}' for o in others)}; linear = the {axis} ratio):")
        for r in line:
            setup, bsetup = (x["spec_cpu_s"] + x["model_init_cpu_s"] for x in (r, b))
            dlines = (r["order_lines"] - b["order_lines"]) / 1e6
            per_m = (f"  {(r['peak_mb'] - b['peak_mb']) / dlines:,.0f} MB per extra million lines"
                     if dlines > 0.05 else "")
            print(f"  {r[axis] / b[axis]:>4.1f}x {axis:<9} -> setup {setup / max(bsetup, 1e-9):5.2f}x, "
                  f"run {r['run_cpu_s'] / b['run_cpu_s']:5.2f}x, memory {r['peak_mb'] / b['peak_mb']:4.2f}x{per_m}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--skus", type=int, default=2000)
    ap.add_argument("--customers", type=int, default=500)
    ap.add_argument("--days", type=float, default=365)
    ap.add_argument("--growth", default="500,1000,2000/250,500,1000/365,730",
                    help="the growth table: SKU counts / customer counts / horizons in days, each varied "
                         "from the smallest size of the others ('' to skip)")
    ap.add_argument("--one", action="store_true", help=argparse.SUPPRESS)  # child mode: one size, JSON out
    args = ap.parse_args()
    if args.one:
        emit(measure(args.skus, args.days, args.customers))
        return
    full = in_child(args.skus, args.days, args.customers)
    print(show(full))
    if args.growth:
        skus, customers, days = ([float(v) for v in part.split(",")] for part in args.growth.split("/"))
        sizes = {(int(s), int(min(customers)), min(days)) for s in skus}
        sizes |= {(int(min(skus)), int(c), min(days)) for c in customers}
        sizes |= {(int(min(skus)), int(min(customers)), d) for d in days}
        rows = []
        print("\ngrowth table (each size in a fresh process):")
        for n, c, d in sorted(sizes):
            rows.append(full if (n, c, d) == (args.skus, args.customers, args.days) else in_child(n, d, c))
            print(show(rows[-1]))
        growth(rows)
    emit({k: full[k] for k in ("wall_s", "cpu_s", "setup_share", "peak_mb", "events", "events_per_s", "skus",
                               "customers", "order_lines")})


if __name__ == "__main__":
    main()
