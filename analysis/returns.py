"""Returns KPIs by segment, and the returns columns of the S&OP table (runs with a returns centre).

What a planner reads (definitions in docs/kpis.md):

- ``return_rate``: units customers sent back / units delivered (lines placed after the warm-up);
- ``returned_units``, ``recovered_units`` (resaleable at inspection, or refurbished), ``scrapped_units``;
- ``recovered_value``: recovered units at unit cost (stock regained without making it again);
- ``refund_value``: returned units at price (the money given back to customers);
- ``returns_cost``: return freight (customer -> returns centre -> DC) + inspection + refurbishing.

``returns_cost`` is part of ``cost_to_serve``; its freight is taken out of ``transport_cost`` so each
cost is counted once. ``gross_margin`` becomes revenue - refunds - cogs + recovered value - cost to
serve: a returned unit that is resold costs only its return, a scrapped one its cost of goods too.
Runs without returns are left exactly as they are.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from analysis.report_parts import Section, _fmt, _table
from analysis.sop import _month, _months

RETURNS_COLUMNS = ("return_rate", "returned_units", "recovered_units", "scrapped_units", "recovered_value",
                   "refund_value", "returns_cost")


def _lot_parts(lots: pd.DataFrame, skus: pd.DataFrame) -> pd.DataFrame:
    """Per lot: units returned, recovered, scrapped, their money, and processing cost."""
    price = skus["price"].reindex(lots["sku"]).to_numpy(dtype=float)
    cost = skus["unit_cost"].reindex(lots["sku"]).to_numpy(dtype=float)
    inspected = lots["inspected"].notna().to_numpy()
    refurbished = lots["refurbished"].notna().to_numpy()
    resaleable = np.where(inspected, lots["resaleable"].to_numpy(dtype=float), 0.0)
    refurb = np.where(refurbished, lots["refurbishable"].to_numpy(dtype=float), 0.0)
    recovered = resaleable + refurb
    qty = lots["qty"].to_numpy(dtype=float)
    return pd.DataFrame({
        "segment": lots["segment"].to_numpy(), "returned_units": qty, "recovered_units": recovered,
        "scrapped_units": np.where(inspected, lots["scrap"].to_numpy(dtype=float), 0.0),
        "recovered_value": recovered * cost, "refund_value": qty * price,
        "processing": lots["inspection_cost"].to_numpy(dtype=float) + lots["refurbish_cost"].to_numpy(dtype=float),
    })


def add_returns_kpis(kpis: pd.DataFrame, tables: Mapping[str, pd.DataFrame], *, skus: pd.DataFrame,
                     warmup: float) -> pd.DataFrame:
    """``kpis`` (one row per segment and ``ALL``) with the returns columns, when the run had returns."""
    if "returns" not in tables:
        return kpis
    lots = tables["returns"]
    parts = _lot_parts(lots[lots["ordered"] >= warmup], skus)
    lines = tables["order_lines"]
    lines = lines[lines["time"] >= warmup]
    ship = tables["shipments"]
    freight = ship[(ship["kind"] == "return") & (ship["time"] >= warmup)]
    out = kpis.copy()
    for i, seg in enumerate(out["segment"]):
        mine = parts if seg == "ALL" else parts[parts["segment"] == seg]
        delivered = (lines if seg == "ALL" else lines[lines["segment"] == seg])["delivered"].sum()
        fare = (freight if seg == "ALL" else freight[freight["segment"] == seg])["cost"].sum()
        processing = mine["processing"].sum()
        returned = mine["returned_units"].sum()
        values = {"return_rate": returned / delivered if delivered > 0 else np.nan, "returned_units": returned,
                  **{c: mine[c].sum() for c in ("recovered_units", "scrapped_units", "recovered_value",
                                                "refund_value")},
                  "returns_cost": fare + processing}
        for col, v in values.items():
            out.loc[i, col] = float(v)
        # return freight moves from transport to returns cost (it was already in cost to serve)
        out.loc[i, "transport_cost"] = out.loc[i, "transport_cost"] - fare
        out.loc[i, "cost_to_serve"] = out.loc[i, "cost_to_serve"] + processing
        out.loc[i, "gross_margin"] = (out.loc[i, "revenue"] - values["refund_value"] - out.loc[i, "cogs"]
                                      + values["recovered_value"] - out.loc[i, "cost_to_serve"])
    return out


def add_returns_sop(sop: pd.DataFrame, tables: Mapping[str, pd.DataFrame], *, skus: pd.DataFrame,
                    horizon: float, period_days: float = 30.0) -> pd.DataFrame:
    """The S&OP table with the returns columns, when the run had returns. Booked in the month the
    customer sent the units (returned units, refunds), the month they were inspected (scrap,
    resaleable units and inspection cost) or refurbished (refurbished units and cost), and the month
    a return shipment left (its freight, taken out of ``transport_cost``)."""
    if "returns" not in tables:
        return sop
    last = _months(horizon, period_days)
    lots = tables["returns"]
    parts = _lot_parts(lots, skus)
    sent = pd.DataFrame({"month": _month(lots["sent"], period_days, last), "segment": parts["segment"],
                         "returned_units": parts["returned_units"], "refund_value": parts["refund_value"]})

    def recovered(step: str, units: str, cost_col: str) -> pd.DataFrame:
        """Units recovered at one step of the centre (inspection or the bench), in the month it ended."""
        done = lots[lots[step].notna()]
        unit_cost = skus["unit_cost"].reindex(done["sku"]).to_numpy(dtype=float)
        return pd.DataFrame({"month": _month(done[step], period_days, last), "segment": done["segment"],
                             "recovered_units": done[units], "recovered_value": done[units].to_numpy() * unit_cost,
                             "processing": done[cost_col]})

    at_inspection = recovered("inspected", "resaleable", "inspection_cost")
    at_inspection.insert(4, "scrapped_units", lots.loc[lots["inspected"].notna(), "scrap"])
    at_bench = recovered("refurbished", "refurbishable", "refurbish_cost")
    ship = tables["shipments"]
    ship = ship[ship["kind"] == "return"]
    fares = pd.DataFrame({"month": _month(ship["time"], period_days, last), "segment": ship["segment"],
                          "freight": ship["cost"]})
    add = (pd.concat([p.groupby(["month", "segment"]).sum() for p in (sent, at_inspection, at_bench, fares)], axis=1)
           .T.groupby(level=0).sum().T)  # columns that appear in several parts add up
    keys = pd.MultiIndex.from_frame(sop[["month", "segment"]])
    add = add.reindex(keys).fillna(0.0)
    out = sop.copy()
    for col in ("returned_units", "recovered_units", "scrapped_units", "recovered_value", "refund_value"):
        out[col] = add[col].to_numpy() if col in add else 0.0
    freight = add["freight"].to_numpy() if "freight" in add else 0.0
    processing = add["processing"].to_numpy() if "processing" in add else 0.0
    out["returns_cost"] = freight + processing
    out["transport_cost"] = out["transport_cost"] - freight
    out["cost_to_serve"] = out["cost_to_serve"] + processing
    out["gross_margin"] = (out["revenue"] - out["refund_value"] - out["cogs"] + out["recovered_value"]
                           - out["cost_to_serve"])
    return out


_SHOWN = {"return_rate": ("return rate", "pct"), "returned_units": ("returned", "int"),
          "recovered_units": ("recovered", "int"), "scrapped_units": ("scrapped", "int"),
          "recovered_value": ("recovered value", "int"), "refund_value": ("refunds", "int"),
          "returns_cost": ("returns cost", "int")}


def returns_section(kpis: pd.DataFrame) -> list[Section]:
    """The run report's returns section (per segment), or nothing when the run had no returns."""
    if "return_rate" not in kpis.columns:
        return []
    table = pd.DataFrame({"segment": kpis["segment"],
                          **{label: [_fmt(v, kind) for v in kpis[col]] for col, (label, kind) in _SHOWN.items()}})
    return [Section(
        "returns", "Returns",
        "Units customers sent back, what inspection at the returns centre found (recovered: resaleable, or "
        "refurbished, and put back into a DC's stock; scrapped), the stock regained at unit cost, the refunds, "
        "and the cost of the returns (return freight, inspection, refurbishing), which is part of cost to serve "
        "in the KPI table. Definitions: docs/kpis.md.", body=_table(table))]
