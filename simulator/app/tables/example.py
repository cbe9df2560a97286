"""The second shipped company, Vela Foods & Home Europe, generated as planning tables.

``python -m simulator.app.tables.example --out data/vela_europe.xlsx`` writes the workbook that
``conf/network/vela_europe.yaml`` and ``conf/segments/vela_europe.yaml`` are imported from
(docs/own-company.md). Fictional: 3 suppliers, 4 plants, 9 DCs across Europe, 330 SKUs in 6 families,
3 channels (27 customer order streams). Lanes give no lead time, cost or CO2: they come from the
distance between the sites and the modes' rates. Everything is fixed (no randomness), so the workbook
is the same on every run of this script.
"""

from __future__ import annotations

import argparse
import math
from typing import Any

from simulator.app.tables.export import config_tables, write_tables
from simulator.config.geography import great_circle_km

SUPPLIERS = {  # name: (lat, lon, materials)
    "sup_packaging": (53.55, 9.99, ["packaging"]),  # Hamburg
    "sup_ingredients": (44.49, 11.34, ["ingredients"]),  # Bologna
    "sup_chemicals": (51.22, 4.40, ["chemicals"]),  # Antwerp
}
PLANTS = {  # name: (lat, lon, {line: family})
    "plant_rotterdam": (51.92, 4.48, {"R1": "beverages", "R2": "dairy_free"}),
    "plant_lyon": (45.76, 4.84, {"L1": "snacks", "L2": "personal_care"}),
    "plant_poznan": (52.41, 16.93, {"P1": "household", "P2": "pet_food"}),
    "plant_valencia": (39.47, -0.38, {"V1": "beverages", "V2": "snacks"}),
}
DCS = {
    "dc_paris": (48.86, 2.35), "dc_madrid": (40.42, -3.70), "dc_milan": (45.46, 9.19),
    "dc_munich": (48.14, 11.58), "dc_warsaw": (52.23, 21.01), "dc_manchester": (53.48, -2.24),
    "dc_stockholm": (59.33, 18.07), "dc_vienna": (48.21, 16.37), "dc_lisbon": (38.72, -9.14),
}
FAMILIES = {  # name: (SKUs, prefix, price, unit cost, unit weight kg, bill of materials)
    "beverages": (70, "BEV", 2.4, 0.9, 1.2, {"packaging": 1.0, "ingredients": 0.3}),
    "snacks": (60, "SNK", 3.1, 1.2, 0.3, {"packaging": 1.0, "ingredients": 0.25}),
    "dairy_free": (40, "DFR", 2.9, 1.3, 1.0, {"packaging": 1.0, "ingredients": 0.6}),
    "household": (60, "HSH", 5.5, 2.2, 1.5, {"packaging": 1.0, "chemicals": 0.8}),
    "personal_care": (55, "PCR", 6.8, 2.6, 0.4, {"packaging": 1.0, "chemicals": 0.2}),
    "pet_food": (45, "PET", 7.5, 3.4, 2.0, {"packaging": 1.0, "ingredients": 1.5}),
}
LINE_RATE = 4200.0  # units per day of each line
MODES = {  # default economics, and the rates that time and price lanes from their distance
    "ftl": {"cost_per_shipment": 120, "truck_capacity": 2500, "max_wait_days": 1,
            "speed_km_per_day": 600, "circuity": 1.2, "fixed_days": 0.5,
            "cost_per_tonne_km": 0.08, "co2_per_tonne_km": 0.075},
    "rail": {"cost_per_shipment": 300, "truck_capacity": 5000, "max_wait_days": 2,
             "speed_km_per_day": 400, "circuity": 1.3, "fixed_days": 1.5,
             "cost_per_tonne_km": 0.05, "co2_per_tonne_km": 0.025},
    "ltl": {"cost_per_shipment": 8, "speed_km_per_day": 450, "circuity": 1.25, "fixed_days": 1.0,
            "cost_per_tonne_km": 0.2, "co2_per_tonne_km": 0.13},
    "parcel": {"cost_per_unit": 1.6, "speed_km_per_day": 500, "circuity": 1.3, "fixed_days": 0.5,
               "co2_per_tonne_km": 0.45},
}
RAIL_FROM_KM = 1500.0  # plant -> DC lanes longer than this go by rail
CHANNELS = {  # channel: (patience days, mode, orders/day per DC, lines/order, qty, offset of the customers)
    "retail": (10, "ltl", 6, {"dist": "poisson", "mean": 5, "shift": 1}, {"dist": "poisson", "mean": 20},
               (0.35, 0.45)),
    "ecommerce": (4, "parcel", 50, {"dist": "poisson", "mean": 0.6, "shift": 1},
                  {"dist": "poisson", "mean": 0.3, "shift": 1}, (-0.3, 0.5)),
    "b2b": (21, "ltl", 1.2, {"dist": "poisson", "mean": 3, "shift": 1}, {"dist": "gamma", "mean": 90, "sd": 45},
            (0.25, -0.5)),
}


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    return great_circle_km(a, b)


def company() -> dict[str, Any]:
    """The config (``network``, ``segments``, ``assignment``, ``segments_meta``) of the company."""
    loc = {n: (lat, lon) for n, (lat, lon, _) in SUPPLIERS.items()}
    loc.update({n: (lat, lon) for n, (lat, lon, _) in PLANTS.items()})
    loc.update(DCS)
    families = {f: {"skus": n, "prefix": p, "price": price, "unit_cost": cost, "popularity": 0.9,
                    "unit_weight_kg": kg, "bom": bom} for f, (n, p, price, cost, kg, bom) in FAMILIES.items()}
    plants, lanes = {}, []
    for plant, (_, _, lines) in PLANTS.items():
        use: dict[str, float] = {}
        for fam in lines.values():
            for m, q in FAMILIES[fam][5].items():
                use[m] = use.get(m, 0.0) + 0.6 * LINE_RATE * q  # planned use: lines 60% busy
        plants[plant] = {
            "planned_lead_time": 2,
            "raw_stock": {m: {"s": math.ceil(6 * u), "S": math.ceil(14 * u)} for m, u in sorted(use.items())},
            "lines": {ln: {"families": [fam], "rate": LINE_RATE, "changeover": 0.1}
                      for ln, fam in lines.items()},
        }
        for sup, (_, _, materials) in SUPPLIERS.items():
            if set(materials) & set(use):
                lanes.append({"from": sup, "to": plant, "mode": "ftl"})
    warehouses, customers = {}, {}
    for dc, at in DCS.items():
        by_distance = sorted(PLANTS, key=lambda p: _km(loc[p], at))
        makers = {next(p for p in by_distance if fam in PLANTS[p][2].values()) for fam in FAMILIES}
        sources = [p for p in by_distance if p in makers]  # the nearest maker of each family
        warehouses[dc] = {"sources": sources, "handling_cost_per_unit": 0.08}
        for plant in sources:
            lanes.append({"from": plant, "to": dc, "mode": "rail" if _km(loc[plant], at) > RAIL_FROM_KM else "ftl"})
        region = dc.removeprefix("dc_")
        for ch, (_, mode, orders, lines, qty, (dlat, dlon)) in CHANNELS.items():
            name = f"{ch}_{region}"
            loc[name] = (round(at[0] + dlat, 2), round(at[1] + dlon, 2))
            customers[name] = {"channel": ch, "served_from": [dc], "orders_per_day": orders,
                               "lines_per_order": lines, "qty": qty}
            lanes.append({"from": dc, "to": name, "mode": mode})
    network = {
        "name": "vela_europe",
        "description": "Vela Foods & Home Europe: 330 SKUs in 6 families, 4 plants, 9 DCs, 3 channels (fictional)",
        "integer_units": True, "holding_rate": 0.22,
        "transport_modes": MODES,
        "raw_materials": {"packaging": {"unit_cost": 0.12}, "ingredients": {"unit_cost": 0.9},
                          "chemicals": {"unit_cost": 1.4}},
        "families": families,
        "suppliers": {s: {"supplies": m, "lead_time": {"dist": "gamma", "mean": 3, "sd": 1}}
                      for s, (_, _, m) in SUPPLIERS.items()},
        "plants": plants, "warehouses": warehouses, "lanes": lanes,
        "channels": {ch: {"patience_days": v[0]} for ch, v in CHANNELS.items()},
        "customers": customers,
        "locations": {n: {"lat": lat, "lon": lon} for n, (lat, lon) in loc.items()},
    }
    policies = {"production": "make_to_stock", "safety_stock": "z_sigma", "fulfilment": "dc_pick"}
    segments = {
        "fast": {"description": "Top 5 SKUs of each family: high service from stock", "priority": 1,
                 "sla": {"fill_rate": 0.98, "lead_time_days": 3},
                 "policies": {**policies, "replenishment": {"type": "s_S", "cycle_days": 4}}},
        "core": {"description": "Core range", "priority": 2, "sla": {"fill_rate": 0.95, "lead_time_days": 4},
                 "policies": {**policies, "replenishment": {"type": "s_S", "cycle_days": 8}}},
        "tail": {"description": "Long tail, rank 25 and beyond: reviewed fortnightly", "priority": 3,
                 "sla": {"fill_rate": 0.90, "lead_time_days": 7},
                 "policies": {**policies, "replenishment": {"type": "order_up_to", "review_period": 14}}},
    }
    assignment = {"default": "core", "rules": [
        {"rank": [1, 5], "segment": "fast"},
        {"channels": ["b2b"], "families": ["household", "pet_food"], "rank": [6, 15], "segment": "fast"},
        {"rank": [25, 999], "segment": "tail"},
    ]}
    meta = {"name": "vela_europe", "version": "2026.2", "approved_by": "S&OP steering committee",
            "approved_on": "2026-11-02"}
    return {"network": network, "segments": segments, "assignment": assignment, "segments_meta": meta}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="write the Vela Foods & Home Europe workbook")
    parser.add_argument("--out", default="data/vela_europe.xlsx")
    parser.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    args = parser.parse_args(argv)
    print(f"wrote {write_tables(config_tables(company()), args.out, args.format)}")


if __name__ == "__main__":
    main()
