"""The S&OP view of a run: per month and segment, what was asked, shipped, lost and made, the stock
at the month's end, and the money (revenue, cost to serve, margin).

A "month" is a period of ``period_days`` simulated days (30 by default) counted from day 0: month 1
is days 0-30, month 2 days 30-60, and so on. Each quantity is booked in the month it happened:

- demand and lost units: the month the order line was placed;
- shipped units, revenue and cost of goods: the month the line's last unit reached the customer;
- transport and handling: the month the shipment left; changeovers and production: the month the
  batch was finished;
- holding: each day's stock value x holding rate / 365, summed over the month's days;
- ending inventory: the end-of-day stock of the month's last simulated day (units and value at cost).

Summed over the months, every money column equals the run's KPI table when the warm-up is 0 (the
KPI table leaves the warm-up out; this table keeps every month so the start-up can be seen).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

SOP_COLUMNS = (
    "month", "segment", "start_day", "end_day", "demand_units", "shipped_units", "lost_units",
    "production_units", "ending_inventory_units", "ending_inventory_value", "revenue", "cogs",
    "transport_cost", "handling_cost", "holding_cost", "changeover_cost", "cost_to_serve", "gross_margin",
)


def _months(horizon: float, period_days: float) -> int:
    return max(int(np.ceil(horizon / period_days)), 1)


def _month(day: pd.Series | np.ndarray, period_days: float, last: int) -> np.ndarray:
    """The month of each day (1-based); an instant exactly at the horizon belongs to the last month."""
    return np.minimum(np.floor(np.asarray(day, dtype=float) / period_days) + 1, last).astype(int)


def sop_table(tables: Mapping[str, pd.DataFrame], *, skus: pd.DataFrame, handling: Mapping[str, float],
              holding_rate: float, horizon: float, period_days: float = 30.0) -> pd.DataFrame:
    """One row per month x segment (see the module docstring for when each quantity is booked).

    ``skus``: index sku, columns price and unit_cost; ``handling``: DC -> handling cost per unit
    shipped out.
    """
    if period_days <= 0:
        raise ValueError(f"period_days must be > 0, got {period_days}")
    price, cost = skus["price"], skus["unit_cost"]
    last = _months(horizon, period_days)
    lines = tables["order_lines"]
    placed = pd.DataFrame({"month": _month(lines["time"], period_days, last), "segment": lines["segment"],
                           "demand_units": lines["qty"], "lost_units": lines["lost"]})
    done = lines[lines["delivered"] > 0]
    delivered = done["delivered"].to_numpy(dtype=float)
    arrived = pd.DataFrame({
        "month": _month(done["last_delivery"], period_days, last), "segment": done["segment"],
        "shipped_units": delivered, "revenue": delivered * price.reindex(done["sku"]).to_numpy(dtype=float),
        "cogs": delivered * cost.reindex(done["sku"]).to_numpy(dtype=float)})
    ship = tables["shipments"]
    ship = ship[ship["kind"] != "raw"]
    rate = pd.Series(dict(handling), dtype=float).reindex(ship["origin"]).fillna(0.0).to_numpy()
    moved = pd.DataFrame({"month": _month(ship["time"], period_days, last), "segment": ship["segment"],
                          "transport_cost": ship["cost"], "handling_cost": rate * ship["qty"].to_numpy(dtype=float)})
    prod = tables["production"]
    made = pd.DataFrame({"month": _month(prod["end"], period_days, last), "segment": prod["segment"],
                         "production_units": prod["qty"], "changeover_cost": prod["changeover_cost"]})
    stock = tables["stock"]
    stock = stock[stock["day"] > 0]  # day d's reading covers the day (d-1, d]
    value = stock["on_hand"].to_numpy(dtype=float) * cost.reindex(stock["sku"]).to_numpy(dtype=float)
    month_of_day = _month(stock["day"] - 1, period_days, last)
    held = pd.DataFrame({"month": month_of_day, "segment": stock["segment"],
                         "holding_cost": value * holding_rate / 365.0})
    last_day = stock.assign(month=month_of_day).groupby("month")["day"].transform("max")
    at_end = stock["day"].to_numpy() == last_day.to_numpy()
    ending = pd.DataFrame({"month": month_of_day[at_end], "segment": stock["segment"].to_numpy()[at_end],
                           "ending_inventory_units": stock["on_hand"].to_numpy(dtype=float)[at_end],
                           "ending_inventory_value": value[at_end]})

    parts = [placed, arrived, moved, made, held, ending]
    out = (pd.concat([p.groupby(["month", "segment"]).sum() for p in parts], axis=1)
           .fillna(0.0).reset_index().sort_values(["month", "segment"], ignore_index=True))
    for col in SOP_COLUMNS:
        if col not in out.columns:
            out[col] = 0.0
    out["start_day"] = (out["month"] - 1) * period_days
    out["end_day"] = np.minimum(out["month"] * period_days, horizon)
    out["cost_to_serve"] = out["transport_cost"] + out["handling_cost"] + out["holding_cost"] + out["changeover_cost"]
    out["gross_margin"] = out["revenue"] - out["cogs"] - out["cost_to_serve"]
    return out[list(SOP_COLUMNS)]
