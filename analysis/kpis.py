"""Segment KPIs from a run's records: service, inventory, money and CO2.

Every KPI is defined in ``docs/kpis.md``; the formulas below are the definitions.
Only order lines placed at or after the warm-up, and stock observed after it, count.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from simulator.engine.spec import Spec

KPI_COLUMNS = (
    "segment", "demand_units", "fill_rate", "order_fill_rate", "otif", "backorder_units", "lost_units",
    "rationed_units", "forgone_units", "open_backorder_units", "avg_lead_time_days", "avg_on_hand_units",
    "inventory_turns", "revenue", "forgone_revenue", "cogs", "transport_cost", "handling_cost", "holding_cost",
    "changeover_cost", "cost_to_serve", "gross_margin", "co2_kg",
)
KPI_METRICS = [c for c in KPI_COLUMNS if c != "segment"]  # the numeric KPIs (all but the segment name)


def _lookup(keys: pd.Series, table: pd.Series, missing: float = float("nan")) -> np.ndarray:
    """``table[key]`` for every key, as a float array (hash look-up of the keys' index positions;
    much faster than ``Series.map`` on string columns)."""
    pos = table.index.get_indexer(keys)
    out = table.to_numpy(dtype=float)[pos]
    out[pos < 0] = missing
    return out


def _positions(values: pd.Series, names: list[str]) -> np.ndarray:
    """Each value's position in ``names`` (-1 where it is none of them), looked up once per distinct value."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return pd.Index(names).get_indexer(uniques)[codes]


def _safe_div(a: float, b: float) -> float:
    return float(a) / float(b) if b else float("nan")


def compute_kpis(tables: dict[str, pd.DataFrame], *, skus: pd.DataFrame, promised: dict[str, float],
                 handling: dict[str, float], holding_rate: float, warmup: float, horizon: float) -> pd.DataFrame:
    """One row per segment plus an ``ALL`` row.

    ``skus``: index sku, columns price, unit_cost; ``promised``: segment -> promised lead time (days);
    ``handling``: warehouse -> handling cost per unit shipped out.
    """
    # Only the columns the KPIs read are copied (a large run's tables are hundreds of MB).
    lines = _since(tables["order_lines"], "time", warmup, _LINE_COLUMNS)
    lines["price"] = _lookup(lines["sku"], skus["price"])
    lines["unit_cost"] = _lookup(lines["sku"], skus["unit_cost"])
    lines["promised_by"] = lines["time"] + _lookup(lines["segment"], pd.Series(promised, dtype=float))
    # Each row's segment as its position in ``segments`` (-1: not a configured segment, counted in ALL
    # only): the per-segment rows below copy number columns only, no text.
    segments = sorted(set(promised))
    line_seg = _positions(lines["segment"], segments)
    lines = lines.drop(columns=["sku", "segment"])
    ship = tables["shipments"]
    moved = ((ship["time"] >= warmup) & (ship["kind"] != "raw")).to_numpy()  # finished goods after the warm-up
    ship_seg = _positions(ship["segment"], segments)[moved]
    per_unit = _lookup(ship["origin"], pd.Series(handling, dtype=float), 0.0)[moved]
    ship = ship.loc[moved, list(_SHIP_COLUMNS)]
    ship["handling"] = per_unit * ship["qty"]
    stock_totals = _stock_totals(tables["stock"], skus["unit_cost"], warmup)
    prod = tables["production"]
    prod = prod[prod["end"] >= warmup]
    years = (horizon - warmup) / 365.0
    rationed = _by_segment(tables.get("rationing"), "time", warmup, ["qty"])["qty"]
    forgone = _by_segment(tables.get("goodwill"), "day", warmup, ["forgone_units", "forgone_revenue"])

    # Orders are judged per segment: the lines of one order that belong to one segment.
    per_order = pd.DataFrame({
        "order_id": lines["order_id"], "segment": line_seg, "promised_by": lines["promised_by"],
        "complete_now": lines["immediate"] >= lines["qty"],
        "on_time": (lines["delivered"] >= lines["qty"]) & (lines["last_delivery"] <= lines["promised_by"] + 1e-9),
    }).groupby(["order_id", "segment"]).agg(
        complete_now=("complete_now", "all"), on_time=("on_time", "all"), due=("promised_by", "max"))
    order_segment = per_order.index.get_level_values("segment")
    lines = lines.drop(columns=["order_id", "promised_by"])  # the rows below read neither

    rows = [_row(seg, lines[line_seg == i], per_order[order_segment == i], ship[ship_seg == i],
                 stock_totals.get(seg, (0.0, 0.0)), prod[prod["segment"] == seg], years, holding_rate, horizon,
                 (float(rationed.get(seg, 0.0)), *(float(forgone[c].get(seg, 0.0)) for c in forgone)))
            for i, seg in enumerate(segments)]
    everything = tuple(sum(t[i] for t in stock_totals.values()) for i in (0, 1))
    rows.append(_row("ALL", lines, per_order, ship, everything, prod, years, holding_rate, horizon,
                     (float(rationed.sum()), *(float(forgone[c].sum()) for c in forgone))))
    return pd.DataFrame(rows, columns=list(KPI_COLUMNS))


_LINE_COLUMNS = ("order_id", "time", "sku", "segment", "qty", "immediate", "shipped", "delivered", "lost",
                 "last_delivery")
_SHIP_COLUMNS = ("qty", "cost", "co2_kg")


def _since(table: pd.DataFrame, time: str, warmup: float, columns: tuple[str, ...]) -> pd.DataFrame:
    """``columns`` of the rows placed at or after the warm-up: only those columns are copied, and when
    every row is after the warm-up no row mask is applied."""
    keep = table[time].to_numpy() >= warmup
    return table.loc[:, list(columns)] if keep.all() else table.loc[keep, list(columns)]


def _by_segment(table: pd.DataFrame | None, time: str, warmup: float, columns: list[str]) -> pd.DataFrame:
    """Per segment, the sums of ``columns`` of a table that only some runs fill (rationing, goodwill),
    over rows at or after the warm-up (``time``: the row's time or day column)."""
    if table is None or not len(table):
        return pd.DataFrame(columns=columns, dtype=float)
    return table[table[time] >= warmup].groupby("segment")[columns].sum()


_BLOCK = 1 << 20  # rows of the daily stock table summed at a time


def _stock_totals(stock: pd.DataFrame, unit_cost: pd.Series, warmup: float) -> dict[str, tuple[float, float]]:
    """Per segment: average end-of-day units on hand and their value at unit cost, over the days
    after the warm-up (summed over DCs and SKUs). Sums units per (SKU, segment) pair first, with
    one pass over the columns' arrays, so the (long) daily stock table is never copied."""
    day = stock["day"].to_numpy()
    after = day > warmup
    every_day = bool(after.all())  # no warm-up inside the table: every reading counts
    days = max(int(pd.unique(day if every_day else day[after]).size), 1)
    on_hand = stock["on_hand"].to_numpy()
    sku, seg = pd.Categorical(stock["sku"]), pd.Categorical(stock["segment"])
    n_sku, n_seg = len(sku.categories), len(seg.categories)
    # Units per (SKU, segment) pair, added in row order block by block (np.add.at adds in order, as one
    # bincount over the whole table would, to the same bits), so no index array as long as the table.
    units = np.zeros(n_sku * n_seg)
    for start in range(0, len(on_hand), _BLOCK):
        block = slice(start, start + _BLOCK)
        pair = sku.codes[block].astype(np.intp)
        pair *= n_seg
        pair += seg.codes[block]
        np.add.at(units, pair, on_hand[block] if every_day else np.where(after[block], on_hand[block], 0.0))
    units = units.reshape(n_sku, n_seg) / days
    cost = _lookup(pd.Series(sku.categories), unit_cost)
    value = cost @ units
    return {name: (float(units[:, i].sum()), float(value[i])) for i, name in enumerate(seg.categories)}


def _row(name: str, lines: pd.DataFrame, per_order: pd.DataFrame, ship: pd.DataFrame, stock: tuple[float, float],
         prod: pd.DataFrame, years: float, holding_rate: float, horizon: float,
         extra: tuple[float, float, float] = (0.0, 0.0, 0.0)) -> dict[str, float | str]:
    """One KPI row; ``extra``: units held back by allocation levels, and units and revenue customers
    did not order because of lost goodwill."""
    rationed, forgone_units, forgone_revenue = extra
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
        "rationed_units": rationed,
        "forgone_units": forgone_units,
        "open_backorder_units": (lines["qty"] - lines["shipped"] - lines["lost"]).sum(),
        "avg_lead_time_days": float((done["last_delivery"] - done["time"]).mean()) if len(done) else float("nan"),
        "avg_on_hand_units": avg_on_hand,
        "inventory_turns": _safe_div(cogs / years, avg_value) if years > 0 else float("nan"),
        "revenue": revenue,
        "forgone_revenue": forgone_revenue,
        "cogs": cogs,
        "transport_cost": transport,
        "handling_cost": handling,
        "holding_cost": holding,
        "changeover_cost": changeover,
        "cost_to_serve": cost_to_serve,
        "gross_margin": revenue - cogs - cost_to_serve,
        "co2_kg": ship["co2_kg"].sum(),
    }


@dataclass(frozen=True, slots=True)
class SlaTarget:
    """A segment's SLA as the KPI table judges it: fill-rate target (also the OTIF target: the share
    of orders due complete and on time), promised lead time, and whether it is made to order (no
    stock: its fill rate from stock is 0 by design and is not judged)."""

    fill_rate: float
    lead_time_days: float
    made_to_order: bool = False


def made_to_order(decisions: pd.DataFrame, segment: str) -> bool:
    """True when the segment's production strategy serves none of its items from stock (pure
    make-to-order): such a segment has no fill-rate target, its SLA is the lead time and OTIF.

    ``decisions``: the run's service decisions (columns segment, customer, from_stock, node, skus;
    ``Results.service_decisions``)."""
    rows = decisions["from_stock"][decisions["segment"] == segment]
    return bool(len(rows)) and not bool(rows.any())


def sla_targets(spec: Spec, decisions: pd.DataFrame) -> dict[str, SlaTarget]:
    """Each segment's SLA from the run's spec and service decisions (for ``format_table``)."""
    return {name: SlaTarget(seg.target_fill_rate, seg.promised_lead_time, made_to_order(decisions, name))
            for name, seg in spec.segments.items()}


def format_table(kpis: pd.DataFrame, targets: Mapping[str, SlaTarget] | None = None) -> str:
    """The KPI table as a planner reads it in a terminal (under 120 columns).

    With ``targets``, each SLA figure sits beside its target and a miss is marked ``*``: fill rate
    below target, OTIF below the fill-rate target, average lead time above the promised one; a
    negative gross margin is marked ``!``. A made-to-order segment's fill rate from stock is 0 by
    design: not judged, and the ALL row says how much it pulls the total fill rate down.
    """
    targets = targets or {}
    rows = []
    for r in kpis.itertuples(index=False):
        t = targets.get(r.segment)
        judged = t is not None and not t.made_to_order
        fill_miss = judged and r.fill_rate < t.fill_rate - 1e-12
        otif_miss = t is not None and r.otif < t.fill_rate - 1e-12
        lead_miss = t is not None and r.avg_lead_time_days > t.lead_time_days + 1e-12
        rows.append({
            "segment": r.segment, "demand": f"{r.demand_units:,.0f}",
            "fill": _pct(r.fill_rate) + ("*" if fill_miss else ""),
            "target": ("MTO" if t.made_to_order else _pct(t.fill_rate, 0)) if t is not None else "",
            "OTIF": _pct(r.otif) + ("*" if otif_miss else ""),
            "lead d": ("" if np.isnan(r.avg_lead_time_days) else f"{r.avg_lead_time_days:.2f}")
            + ("*" if lead_miss else ""),
            "promised": f"{t.lead_time_days:g}" if t is not None else "",
            "lost": f"{r.lost_units:,.0f}", "on hand": f"{r.avg_on_hand_units:,.0f}",
            "turns": "" if np.isnan(r.inventory_turns) else f"{r.inventory_turns:.1f}",
            "revenue": f"{r.revenue:,.0f}", "cost to serve": f"{r.cost_to_serve:,.0f}",
            "margin": f"{r.gross_margin:,.0f}" + ("!" if r.gross_margin < 0 else ""),
            "CO2 kg": f"{r.co2_kg:,.0f}",
        })
    view = pd.DataFrame(rows)
    if not targets:
        view = view.drop(columns=["target", "promised"])
    notes = []
    if targets:
        notes.append("* missed the SLA: fill rate below target, OTIF below the fill-rate target, lead time above "
                     "the promised days")
    if (kpis["gross_margin"] < 0).any():
        notes.append("! negative gross margin: the segment costs more to serve than it earns")
    mto = [s for s, t in targets.items() if t.made_to_order and s in set(kpis["segment"])]
    stocked = kpis[~kpis["segment"].isin([*mto, "ALL"])]
    if mto and len(stocked):
        rate = (stocked["fill_rate"] * stocked["demand_units"]).sum() / stocked["demand_units"].sum()
        notes.append(f"ALL fill rate counts {', '.join(mto)} (made to order, 0% from stock by design); "
                     f"stocked segments only: {_pct(rate)}")
    if "return_rate" in kpis.columns:  # runs with a returns centre (analysis/returns.py)
        a = kpis.set_index("segment").loc["ALL"]
        notes.append(f"returns: {_pct(a.return_rate)} of delivered units came back ({a.returned_units:,.0f}); "
                     f"{a.recovered_units:,.0f} recovered (value {a.recovered_value:,.0f}), {a.scrapped_units:,.0f} "
                     f"scrapped; returns cost {a.returns_cost:,.0f} is in cost to serve")
    return view.to_string(index=False) + "".join(f"\n{n}" for n in notes)


def _pct(v: float, digits: int = 1) -> str:
    return "" if np.isnan(v) else f"{100 * v:.{digits}f}%"
