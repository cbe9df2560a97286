"""Full cost to serve: what facilities charge per segment, and shared costs spread by activity.

Everything here is a pure function of a run's tables and the facility terms handed in as data
(``Results`` builds them from the spec). Definitions are in docs/kpis.md ("Full cost to serve"):

- **drivers** per segment, measured after the warm-up at the DCs a pool names (every DC by default):
  ``units_handled`` (units shipped out of the DCs), ``orders`` (customer orders with a line shipped
  by the DCs, plus DC replenishment orders the DCs served), ``shipments`` (departures from the DCs:
  one per instant, origin, destination and mode carrying the segment's goods) and ``storage_days``
  (end-of-day units on hand, summed over days);
- **variable facility charges** (added to the KPI table): a 3PL's fees (per unit and per order it
  picked, in ``handling_cost``, in place of the DC's own handling cost for those units) and
  overflow storage (units or pallets above capacity at the end of a day times the cost per
  unit-day, spread by the segments' stock there that day, in ``holding_cost``);
- **allocation**: each pool (``per_day`` x days after the warm-up) and each DC's fixed cost goes to
  segments in proportion to their driver; a pool whose driver is zero everywhere stays unallocated.
  The allocations of a pool sum to the pool exactly (the last segment takes the rounding remainder).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

DRIVERS = ("units_handled", "orders", "shipments", "storage_days")
UNALLOCATED = "UNALLOCATED"
ALLOCATION_COLUMNS = ("pool", "kind", "driver", "amount", "segment", "driver_qty", "share", "allocated")
FULL_COST_COLUMNS = ("segment", "revenue", "variable_cost_to_serve", "fixed_facility_cost", "shared_cost",
                     "full_cost_to_serve", "full_margin", "delivered_units", "full_cost_per_unit")


def driver_table(tables: Mapping[str, pd.DataFrame], *, segments: Sequence[str], nodes: Collection[str],
                 warmup: float) -> pd.DataFrame:
    """Per segment (index), each driver (columns ``DRIVERS``) measured at the DCs ``nodes``."""
    nodes = set(nodes)
    ship = tables["shipments"]
    ship = ship[(ship["time"] >= warmup) & (ship["kind"] != "raw") & ship["origin"].isin(nodes)]
    units = ship.groupby("segment")["qty"].sum()
    departures = ship.drop_duplicates(["time", "origin", "dest", "mode", "segment"]).groupby("segment").size()
    stock = tables["stock"]
    stock = stock[(stock["day"] > warmup) & stock["node"].isin(nodes)]
    storage = stock.groupby("segment", observed=True)["on_hand"].sum()
    out = pd.DataFrame({"units_handled": units, "orders": orders_served(tables, nodes, warmup),
                        "shipments": departures, "storage_days": storage})
    return out.reindex(list(segments)).fillna(0.0).astype(float).rename_axis("segment")


def orders_served(tables: Mapping[str, pd.DataFrame], nodes: Collection[str], warmup: float) -> pd.Series:
    """Per segment: customer orders (an order's lines of one segment) with a line shipped by ``nodes``,
    plus replenishment orders ``nodes`` received from other DCs (the requesting stock's segment)."""
    orders = order_events(tables, nodes)
    return orders[orders["time"] >= warmup].groupby("segment").size().astype(float)


def order_events(tables: Mapping[str, pd.DataFrame], nodes: Collection[str]) -> pd.DataFrame:
    """The orders ``nodes`` served, one row each (``time`` placed, ``segment``): see ``orders_served``."""
    nodes = set(nodes)
    lines = tables["order_lines"]
    lines = lines[lines["source"].isin(nodes) & (lines["shipped"] > 0)]
    customer = lines.drop_duplicates(["order_id", "segment"])
    rep = tables["replenishments"]
    rep = rep[rep["source"].isin(nodes)]
    keys = tables["stock"][["node", "sku", "segment"]].drop_duplicates().astype(str)
    seg_of = pd.Series(keys["segment"].to_numpy(), index=pd.MultiIndex.from_frame(keys[["node", "sku"]]))
    rep_seg = seg_of.reindex(pd.MultiIndex.from_frame(rep[["node", "sku"]].astype(str))).to_numpy() if len(rep) \
        else np.array([], dtype=object)
    return pd.DataFrame({"time": np.concatenate([customer["time"].to_numpy(float), rep["time"].to_numpy(float)]),
                         "segment": np.concatenate([customer["segment"].astype(str).to_numpy(object),
                                                    rep_seg.astype(object)])})


def allocate(amount: float, driver: pd.Series) -> pd.Series:
    """``amount`` spread over ``driver``'s index in proportion to it; sums to ``amount`` exactly (the
    last segment with a positive driver takes the remainder). A zero driver leaves it ``UNALLOCATED``."""
    driver = driver.astype(float)
    total = float(driver.sum())
    if total <= 0:
        return pd.concat([driver * 0.0, pd.Series({UNALLOCATED: float(amount)})])
    out = amount * driver / total
    last = driver[driver > 0].index[-1]
    out[last] = amount - (out.drop(last).sum())
    return out


def allocation_table(tables: Mapping[str, pd.DataFrame], *, segments: Sequence[str], warehouses: Sequence[str],
                     terms: Mapping[str, Mapping[str, Any]], pools: Sequence[Mapping[str, Any]], warmup: float,
                     horizon: float) -> pd.DataFrame:
    """One row per pool x segment: the pool's amount, the segment's driver quantity, share and
    allocation. Pools: each DC's fixed cost (kind ``fixed``, measured at that DC) and the shared
    pools (kind ``shared``)."""
    days = max(horizon - warmup, 0.0)
    wanted = [(f"fixed {dc}", "fixed", t["fixed_cost_driver"], t["fixed_cost_per_day"] * days, [dc])
              for dc, t in terms.items() if t["fixed_cost_per_day"] > 0]
    wanted += [(p["name"], "shared", p["driver"], p["per_day"] * days, list(p["warehouses"]) or list(warehouses))
               for p in pools]
    frames, cache = [], {}
    for name, kind, driver, amount, nodes in wanted:
        key = tuple(sorted(nodes))
        if key not in cache:
            cache[key] = driver_table(tables, segments=segments, nodes=nodes, warmup=warmup)
        qty = cache[key][driver]
        alloc = allocate(amount, qty)
        qty = qty.reindex(alloc.index).fillna(0.0)
        total = float(qty.sum())
        frames.append(pd.DataFrame({"pool": name, "kind": kind, "driver": driver, "amount": amount,
                                    "segment": alloc.index, "driver_qty": qty.to_numpy(),
                                    "share": qty.to_numpy() / total if total > 0 else 0.0,
                                    "allocated": alloc.to_numpy()}))
    if not frames:
        return pd.DataFrame(columns=list(ALLOCATION_COLUMNS))
    return pd.concat(frames, ignore_index=True)[list(ALLOCATION_COLUMNS)]


CHARGE_COLUMNS = ("time", "segment", "fees_3pl", "handling_replaced", "overflow_cost")


def charge_events(tables: Mapping[str, pd.DataFrame], *, terms: Mapping[str, Mapping[str, Any]],
                  segments: Sequence[str]) -> pd.DataFrame:
    """Every facility charge with the time it is booked (columns ``CHARGE_COLUMNS``): a 3PL's fee per
    unit (and the DC's own handling it replaces) when the shipment leaves, its fee per order when the
    order was placed, overflow storage at the day's end (``time`` = the stock reading, day d + 1 for
    calendar day d), shared by the segments' units on hand there then."""
    frames = []
    ship = tables["shipments"]
    ship = ship[ship["kind"] != "raw"]
    days = tables.get("facility_days")
    stock = tables["stock"]
    for dc, t in terms.items():
        served = list(segments) if t.get("operator_segments") is None else list(t["operator_segments"])
        if t.get("operated", False):
            at = ship[(ship["origin"] == dc) & ship["segment"].isin(served)]
            qty = at["qty"].to_numpy(float)
            frames.append(pd.DataFrame({"time": at["time"].to_numpy(float), "segment": at["segment"].to_numpy(object),
                                        "fees_3pl": qty * t.get("fee_per_unit", 0.0),
                                        "handling_replaced": qty * t.get("handling_cost_per_unit", 0.0)}))
            orders = order_events(tables, [dc])
            orders = orders[orders["segment"].isin(served)]
            frames.append(orders.assign(fees_3pl=t.get("fee_per_order", 0.0)))
        cost = t.get("overflow_cost_per_unit_day", 0.0)
        if cost > 0 and days is not None:
            over = days[(days["node"] == dc) & (days["overflow_end"] > 0)]
            if len(over):
                here = stock[(stock["node"] == dc) & stock["day"].isin(over["day"] + 1)]
                units = here.groupby(["day", "segment"], observed=True)["on_hand"].sum().unstack("segment", 0.0)
                share = units.div(units.sum(axis=1), axis=0)
                bill = pd.Series(over["overflow_end"].to_numpy() * cost, index=over["day"].to_numpy() + 1)
                billed = share.mul(bill, axis=0).stack().rename("overflow_cost").reset_index()
                frames.append(pd.DataFrame({"time": billed["day"].to_numpy(float),
                                            "segment": billed["segment"].astype(str).to_numpy(object),
                                            "overflow_cost": billed["overflow_cost"].to_numpy(float)}))
    if not frames:
        return pd.DataFrame(columns=list(CHARGE_COLUMNS))
    out = pd.concat(frames, ignore_index=True)
    return out.reindex(columns=list(CHARGE_COLUMNS)).fillna({c: 0.0 for c in CHARGE_COLUMNS[2:]})


def facility_charges(tables: Mapping[str, pd.DataFrame], *, segments: Sequence[str],
                     terms: Mapping[str, Mapping[str, Any]], warmup: float) -> pd.DataFrame:
    """Per segment (index), the charges counted in the KPI table: ``fees_3pl`` (a 3PL's per-unit and
    per-order fees), ``handling_replaced`` (the DC's own handling cost of the units the 3PL picked,
    which it no longer pays) and ``overflow_cost`` (overflow storage above capacity, billed on
    end-of-day stock); as the KPI table counts, shipments and orders from the warm-up on, stock
    readings after it."""
    ev = charge_events(tables, terms=terms, segments=segments)
    fees = ev[ev["time"] >= warmup].groupby("segment")[["fees_3pl", "handling_replaced"]].sum()
    over = ev[ev["time"] > warmup].groupby("segment")["overflow_cost"].sum()
    return fees.join(over, how="outer").reindex(list(segments)).fillna(0.0).astype(float)


def add_facility_sop(sop: pd.DataFrame, events: pd.DataFrame, *, horizon: float,
                     period_days: float = 30.0) -> pd.DataFrame:
    """The S&OP table with the facility charges booked in their months, as the KPI table books them
    (3PL fees in ``handling_cost``, overflow in ``holding_cost``: the month of the day it was stored),
    so the months still add up to the KPI table."""
    if events.empty:
        return sop
    last = max(int(np.ceil(horizon / period_days)), 1)
    is_over = events["overflow_cost"].to_numpy(float) != 0
    day = events["time"].to_numpy(float) - is_over  # overflow: the calendar day before its reading
    month = np.minimum(np.floor(day / period_days) + 1, last).astype(int)
    by = events.assign(month=month, handling=events["fees_3pl"] - events["handling_replaced"]) \
        .groupby(["month", "segment"])[["handling", "overflow_cost"]].sum()
    out = sop.copy()
    key = pd.MultiIndex.from_frame(out[["month", "segment"]].astype({"segment": str}))
    handling = by["handling"].reindex(key).fillna(0.0).to_numpy()
    holding = by["overflow_cost"].reindex(key).fillna(0.0).to_numpy()
    out["handling_cost"] += handling
    out["holding_cost"] += holding
    out["cost_to_serve"] += handling + holding
    out["gross_margin"] -= handling + holding
    return out


def add_facility_costs(kpis: pd.DataFrame, charges: pd.DataFrame) -> pd.DataFrame:
    """The KPI table with a 3PL's fees in ``handling_cost`` (replacing the DC's own handling cost of
    the units it picked) and overflow storage in ``holding_cost`` (and both in ``cost_to_serve`` and
    ``gross_margin``); the ALL row gets the totals."""
    out = kpis.copy()
    charges = charges.assign(fees_3pl=charges["fees_3pl"] - charges["handling_replaced"])
    fees = charges["fees_3pl"].reindex(out["segment"]).to_numpy(dtype=float, copy=True)
    over = charges["overflow_cost"].reindex(out["segment"]).to_numpy(dtype=float, copy=True)
    is_all = (out["segment"] == "ALL").to_numpy()
    fees[is_all], over[is_all] = charges["fees_3pl"].sum(), charges["overflow_cost"].sum()
    fees, over = np.nan_to_num(fees), np.nan_to_num(over)
    out["handling_cost"] += fees
    out["holding_cost"] += over
    out["cost_to_serve"] += fees + over
    out["gross_margin"] -= fees + over
    return out


def full_cost_table(kpis: pd.DataFrame, allocation: pd.DataFrame, delivered: pd.Series) -> pd.DataFrame:
    """Per segment: variable cost to serve (the KPI table's), allocated fixed facility cost and shared
    cost, full cost to serve, margin after full cost and full cost per delivered unit; an
    ``UNALLOCATED`` row when a pool found no driver, and ``ALL``."""
    k = kpis.set_index("segment")
    segs = [s for s in k.index if s != "ALL"]
    if UNALLOCATED in set(allocation["segment"]):
        segs.append(UNALLOCATED)
    by = allocation.groupby(["segment", "kind"])["allocated"].sum().unstack("kind") if len(allocation) \
        else pd.DataFrame()
    rows = []
    for seg in [*segs, "ALL"]:
        fixed = float(by["fixed"].sum() if seg == "ALL" else by["fixed"].get(seg, 0.0)) if "fixed" in by else 0.0
        shared = float(by["shared"].sum() if seg == "ALL" else by["shared"].get(seg, 0.0)) if "shared" in by else 0.0
        variable = float(k.at[seg, "cost_to_serve"]) if seg in k.index else 0.0
        revenue = float(k.at[seg, "revenue"]) if seg in k.index else 0.0
        units = float(delivered.sum() if seg == "ALL" else delivered.get(seg, 0.0))
        full = variable + fixed + shared
        # the margin after variable cost to serve (with its refunds, recovered stock...), less the fixed costs
        margin = (float(k.at[seg, "gross_margin"]) if seg in k.index else 0.0) - fixed - shared
        per_unit = full / units if units else float("nan")
        rows.append((seg, revenue, variable, fixed, shared, full, margin, units, per_unit))
    return pd.DataFrame(rows, columns=list(FULL_COST_COLUMNS))


def format_full_cost(table: pd.DataFrame) -> str:
    """The full-cost table as a planner reads it in a terminal."""
    view = pd.DataFrame({
        "segment": table["segment"], "revenue": table["revenue"].map("{:,.0f}".format),
        "variable cost": table["variable_cost_to_serve"].map("{:,.0f}".format),
        "fixed DCs": table["fixed_facility_cost"].map("{:,.0f}".format),
        "shared": table["shared_cost"].map("{:,.0f}".format),
        "full cost": table["full_cost_to_serve"].map("{:,.0f}".format),
        "margin after full cost": table["full_margin"].map("{:,.0f}".format),
        "full cost/unit": table["full_cost_per_unit"].map(lambda v: "" if np.isnan(v) else f"{v:.3f}"),
    })
    return view.to_string(index=False)
