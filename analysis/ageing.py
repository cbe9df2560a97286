"""Ageing KPIs and the finance table, from the tables a run writes when ``inventory:`` is configured
(``stock_age``, ``lot_events``, ``ownership``; see ``simulator/engine/ageing.py``).

- ``add_ageing_kpis``: the KPI table gains the average stock age, the units and value written off,
  disposed of and repositioned, the salvage recovered, and the holding cost split by owner
  (docs/kpis.md defines each).
- ``finance_table``: per month (the S&OP table's months, ``analysis/sop.py``) and segment, the
  inventory value owned and consigned, the owned value per age bucket and the reserve against it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from analysis.sop import _month, _months

AGEING_KPIS = ("avg_stock_age_days", "written_off_units", "written_off_value", "disposed_units", "disposed_value",
               "salvage_value", "repositioned_units", "repositioned_value", "ageing_loss", "consigned_holding_cost")
WRITTEN_OFF = ("expired", "damaged")  # lot events counted as written off (disposal is counted apart)


def _consigned(stock: pd.DataFrame, ownership: pd.DataFrame) -> np.ndarray:
    """Per stock row: whether the stock point's stock is consigned (the supplier's)."""
    consigned = ownership[ownership["ownership"] == "consignment"]
    keys = set(zip(consigned["node"].astype(str), consigned["sku"].astype(str), strict=True))
    if not keys:
        return np.zeros(len(stock), dtype=bool)
    return np.fromiter(((n, s) in keys for n, s in zip(stock["node"].astype(str), stock["sku"].astype(str),
                                                         strict=True)), dtype=bool, count=len(stock))


def add_ageing_kpis(kpis: pd.DataFrame, tables: Mapping[str, pd.DataFrame], *, unit_cost: pd.Series,
                    holding_rate: float, warmup: float, horizon: float) -> pd.DataFrame:
    """The KPI table with the ageing columns (``AGEING_KPIS``); consigned stock's holding cost moves
    out of ``holding_cost`` (and cost to serve and margin) into ``consigned_holding_cost``."""
    if "stock_age" not in tables:
        return kpis
    out = kpis.copy()
    age = tables["stock_age"]
    age = age[age["day"] > warmup]
    events = tables["lot_events"]
    events = events[events["time"] >= warmup]
    stock = tables["stock"]
    stock = stock[stock["day"] > warmup]
    days = max(int(stock["day"].nunique()), 1)
    value = stock["on_hand"].to_numpy(dtype=float) * unit_cost.reindex(stock["sku"].astype(str)).to_numpy(dtype=float)
    consigned_value = pd.Series(np.where(_consigned(stock, tables["ownership"]), value, 0.0),
                                index=stock.index).groupby(stock["segment"].astype(str)).sum() / days
    years = (horizon - warmup) / 365.0
    for i, seg in enumerate(out["segment"]):
        a = age if seg == "ALL" else age[age["segment"] == seg]
        e = events if seg == "ALL" else events[events["segment"] == seg]
        units = a["on_hand"].sum()
        mean_age = float((a["on_hand"] * a["avg_age_days"]).sum() / units) if units > 0 else float("nan")
        off, disposed, moved = (e[e["event"].isin(WRITTEN_OFF)], e[e["event"] == "disposed"],
                                e[e["event"] == "repositioned"])
        consigned = (consigned_value.sum() if seg == "ALL" else consigned_value.get(seg, 0.0)) * holding_rate * years
        row = {
            "avg_stock_age_days": mean_age,
            "written_off_units": off["qty"].sum(), "written_off_value": off["value"].sum(),
            "disposed_units": disposed["qty"].sum(), "disposed_value": disposed["value"].sum(),
            "salvage_value": disposed["salvage"].sum(),
            "repositioned_units": moved["qty"].sum(), "repositioned_value": moved["value"].sum(),
            "consigned_holding_cost": consigned,
        }
        row["ageing_loss"] = row["written_off_value"] + row["disposed_value"] - row["salvage_value"]
        for k, v in row.items():
            out.loc[i, k] = float(v)
        for k in ("holding_cost", "cost_to_serve"):
            left = out.loc[i, k] - consigned
            out.loc[i, k] = 0.0 if abs(left) <= 1e-9 * abs(consigned) else left  # all consigned: exactly 0
        out.loc[i, "gross_margin"] += consigned
    return out


FINANCE_COLUMNS_HEAD = ("month", "segment", "start_day", "end_day", "owned_value", "consigned_value")
FINANCE_COLUMNS_TAIL = ("reserve", "avg_stock_age_days", "written_off_value", "disposed_value", "salvage_value",
                        "repositioned_units", "owned_holding_cost", "consigned_holding_cost")


def finance_table(tables: Mapping[str, pd.DataFrame], *, unit_cost: pd.Series, holding_rate: float, horizon: float,
                  buckets: Sequence[str], reserve_rates: Sequence[float], period_days: float = 30.0) -> pd.DataFrame:
    """One row per month x segment: month-end inventory value owned and consigned (at unit cost), the
    owned value in each age bucket (``buckets``: the ``stock_age`` bucket columns), the reserve
    (sum of bucket value x its rate), the month-end average age, what was written off, disposed of
    (and recovered) and repositioned in the month, and the holding cost of the month's days split by
    owner. Months as in the S&OP table: month m is days (m-1) x period to m x period."""
    if len(buckets) != len(reserve_rates):
        raise ValueError(f"{len(buckets)} age buckets but {len(reserve_rates)} reserve rates")
    last = _months(horizon, period_days)
    age = tables["stock_age"]
    age = age[age["day"] > 0]
    cost = unit_cost.reindex(age["sku"].astype(str)).to_numpy(dtype=float)
    consigned = _consigned(age, tables["ownership"])
    value = age["on_hand"].to_numpy(dtype=float) * cost
    month = _month(age["day"] - 1, period_days, last)
    seg = age["segment"].astype(str).to_numpy()
    daily = pd.DataFrame({"month": month, "segment": seg,
                          "owned_holding_cost": np.where(consigned, 0.0, value) * holding_rate / 365.0,
                          "consigned_holding_cost": np.where(consigned, value, 0.0) * holding_rate / 365.0})
    at_end = age["day"].to_numpy() == pd.Series(age["day"].to_numpy()).groupby(month).transform("max").to_numpy()
    owned = ~consigned & at_end
    ending = pd.DataFrame({"month": month[at_end], "segment": seg[at_end],
                           "owned_value": np.where(consigned, 0.0, value)[at_end],
                           "consigned_value": np.where(consigned, value, 0.0)[at_end],
                           "_units": age["on_hand"].to_numpy(dtype=float)[at_end],
                           "_age": (age["on_hand"] * age["avg_age_days"]).to_numpy(dtype=float)[at_end]})
    for b in buckets:
        ending[f"value_{b}"] = np.where(owned, age[b].to_numpy(dtype=float) * cost, 0.0)[at_end]
    events = tables["lot_events"]
    kinds = events["event"]
    booked = pd.DataFrame({"month": _month(events["time"], period_days, last), "segment": events["segment"].astype(str),
                           "written_off_value": np.where(kinds.isin(WRITTEN_OFF), events["value"], 0.0),
                           "disposed_value": np.where(kinds == "disposed", events["value"], 0.0),
                           "salvage_value": events["salvage"].to_numpy(dtype=float),
                           "repositioned_units": np.where(kinds == "repositioned", events["qty"], 0.0)})
    out = (pd.concat([p.groupby(["month", "segment"]).sum() for p in (daily, ending, booked)], axis=1)
           .fillna(0.0).reset_index().sort_values(["month", "segment"], ignore_index=True))
    value_cols = [f"value_{b}" for b in buckets]
    for col in (*FINANCE_COLUMNS_HEAD, *FINANCE_COLUMNS_TAIL, *value_cols, "_units", "_age"):
        if col not in out.columns:
            out[col] = 0.0
    out["start_day"] = (out["month"] - 1) * period_days
    out["end_day"] = np.minimum(out["month"] * period_days, horizon)
    out["reserve"] = sum(out[c] * r for c, r in zip(value_cols, reserve_rates, strict=True))
    out["avg_stock_age_days"] = np.where(out["_units"] > 0, out["_age"] / out["_units"].where(out["_units"] > 0, 1.0),
                                         np.nan)
    return out[[*FINANCE_COLUMNS_HEAD, *value_cols, *FINANCE_COLUMNS_TAIL]]
