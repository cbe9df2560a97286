"""Segment KPIs from a run's records: service, inventory, money and CO2.

Every KPI is defined in ``docs/kpis.md``; the formulas below are the definitions.
Only order lines placed at or after the warm-up, and stock observed after it, count.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

KPI_COLUMNS = (
    "segment", "demand_units", "fill_rate", "order_fill_rate", "otif", "backorder_units", "lost_units",
    "open_backorder_units", "avg_lead_time_days", "avg_on_hand_units", "inventory_turns", "revenue", "cogs",
    "transport_cost", "handling_cost", "holding_cost", "changeover_cost", "cost_to_serve", "gross_margin",
    "co2_kg",
)
KPI_METRICS = [c for c in KPI_COLUMNS if c != "segment"]  # the numeric KPIs (all but the segment name)


def _lookup(keys: pd.Series, table: pd.Series, missing: float = float("nan")) -> np.ndarray:
    """``table[key]`` for every key, as a float array (hash look-up of the keys' index positions;
    much faster than ``Series.map`` on string columns)."""
    pos = table.index.get_indexer(keys)
    out = table.to_numpy(dtype=float)[pos]
    out[pos < 0] = missing
    return out


def _safe_div(a: float, b: float) -> float:
    return float(a) / float(b) if b else float("nan")


def compute_kpis(tables: dict[str, pd.DataFrame], *, skus: pd.DataFrame, promised: dict[str, float],
                 handling: dict[str, float], holding_rate: float, warmup: float, horizon: float) -> pd.DataFrame:
    """One row per segment plus an ``ALL`` row.

    ``skus``: index sku, columns price, unit_cost; ``promised``: segment -> promised lead time (days);
    ``handling``: warehouse -> handling cost per unit shipped out.
    """
    lines = tables["order_lines"]
    lines = lines[lines["time"] >= warmup].copy()
    lines["price"] = _lookup(lines["sku"], skus["price"])
    lines["unit_cost"] = _lookup(lines["sku"], skus["unit_cost"])
    lines["promised_by"] = lines["time"] + _lookup(lines["segment"], pd.Series(promised, dtype=float))
    ship = tables["shipments"]
    ship = ship[(ship["time"] >= warmup) & (ship["kind"] != "raw")].copy()
    ship["handling"] = _lookup(ship["origin"], pd.Series(handling, dtype=float), 0.0) * ship["qty"]
    stock_totals = _stock_totals(tables["stock"], skus["unit_cost"], warmup)
    prod = tables["production"]
    prod = prod[prod["end"] >= warmup]
    years = (horizon - warmup) / 365.0

    # Orders are judged per segment: the lines of one order that belong to one segment.
    per_order = lines.assign(
        complete_now=lines["immediate"] >= lines["qty"],
        on_time=(lines["delivered"] >= lines["qty"]) & (lines["last_delivery"] <= lines["promised_by"] + 1e-9),
    ).groupby(["order_id", "segment"]).agg(
        complete_now=("complete_now", "all"), on_time=("on_time", "all"), due=("promised_by", "max"))
    order_segment = per_order.index.get_level_values("segment")

    segments = sorted(set(promised))
    rows = [_row(seg, lines[lines["segment"] == seg], per_order[order_segment == seg], ship[ship["segment"] == seg],
                 stock_totals.get(seg, (0.0, 0.0)), prod[prod["segment"] == seg], years, holding_rate, horizon)
            for seg in segments]
    everything = tuple(sum(t[i] for t in stock_totals.values()) for i in (0, 1))
    rows.append(_row("ALL", lines, per_order, ship, everything, prod, years, holding_rate, horizon))
    return pd.DataFrame(rows, columns=list(KPI_COLUMNS))


def _stock_totals(stock: pd.DataFrame, unit_cost: pd.Series, warmup: float) -> dict[str, tuple[float, float]]:
    """Per segment: average end-of-day units on hand and their value at unit cost, over the days
    after the warm-up (summed over DCs and SKUs). Sums units per (SKU, segment) pair first, with
    one pass over the columns' arrays, so the (long) daily stock table is never copied."""
    day = stock["day"].to_numpy()
    after = day > warmup
    days = max(int(np.unique(day[after]).size), 1)
    on_hand = np.where(after, stock["on_hand"].to_numpy(), 0.0)
    sku, seg = pd.Categorical(stock["sku"]), pd.Categorical(stock["segment"])
    n_sku, n_seg = len(sku.categories), len(seg.categories)
    pair = sku.codes.astype(np.int64) * n_seg + seg.codes
    units = np.bincount(pair, weights=on_hand, minlength=n_sku * n_seg).reshape(n_sku, n_seg) / days
    cost = _lookup(pd.Series(sku.categories), unit_cost)
    value = cost @ units
    return {name: (float(units[:, i].sum()), float(value[i])) for i, name in enumerate(seg.categories)}


def _row(name: str, lines: pd.DataFrame, per_order: pd.DataFrame, ship: pd.DataFrame, stock: tuple[float, float],
         prod: pd.DataFrame, years: float, holding_rate: float, horizon: float) -> dict[str, float | str]:
    demand = lines["qty"].sum()
    judged = per_order[per_order["due"] <= horizon]  # OTIF judges orders whose promise date has passed
    done = lines[lines["delivered"] >= lines["qty"]]
    avg_on_hand, avg_value = stock  # average units on hand and their value at unit cost
    revenue = (lines["delivered"] * lines["price"]).sum()
    cogs = (lines["delivered"] * lines["unit_cost"]).sum()
    transport = ship["cost"].sum()
    handling = ship["handling"].sum()
    holding = avg_value * holding_rate * years
    changeover = prod["changeover_cost"].sum()
    cost_to_serve = transport + handling + holding + changeover
    return {
        "segment": name,
        "demand_units": demand,
        "fill_rate": _safe_div(lines["immediate"].sum(), demand),
        "order_fill_rate": float(per_order["complete_now"].mean()) if len(per_order) else float("nan"),
        "otif": float(judged["on_time"].mean()) if len(judged) else float("nan"),
        "backorder_units": demand - lines["immediate"].sum(),
        "lost_units": lines["lost"].sum(),
        "open_backorder_units": (lines["qty"] - lines["shipped"] - lines["lost"]).sum(),
        "avg_lead_time_days": float((done["last_delivery"] - done["time"]).mean()) if len(done) else float("nan"),
        "avg_on_hand_units": avg_on_hand,
        "inventory_turns": _safe_div(cogs / years, avg_value) if years > 0 else float("nan"),
        "revenue": revenue,
        "cogs": cogs,
        "transport_cost": transport,
        "handling_cost": handling,
        "holding_cost": holding,
        "changeover_cost": changeover,
        "cost_to_serve": cost_to_serve,
        "gross_margin": revenue - cogs - cost_to_serve,
        "co2_kg": ship["co2_kg"].sum(),
    }


def format_table(kpis: pd.DataFrame) -> str:
    """The KPI table as a planner reads it in a terminal."""
    view = kpis[["segment", "demand_units", "fill_rate", "order_fill_rate", "otif", "lost_units",
                 "avg_lead_time_days", "avg_on_hand_units", "inventory_turns", "revenue", "cost_to_serve",
                 "gross_margin", "co2_kg"]].copy()
    pct = ["fill_rate", "order_fill_rate", "otif"]
    for c in pct:
        view[c] = (100 * view[c]).map(lambda v: "" if np.isnan(v) else f"{v:.1f}%")
    for c in ("demand_units", "lost_units", "avg_on_hand_units", "revenue", "cost_to_serve", "gross_margin",
              "co2_kg"):
        view[c] = view[c].map(lambda v: f"{v:,.0f}")
    for c in ("avg_lead_time_days", "inventory_turns"):
        view[c] = view[c].map(lambda v: "" if np.isnan(v) else f"{v:.2f}")
    return view.to_string(index=False)
