"""The run report's ageing and finance section (runs that configure ``inventory:``): per segment the
average stock age and what was written off, disposed of and repositioned; per month and segment the
finance table (inventory value owned and consigned, value by age bucket, reserve)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from analysis.report_parts import Section, _fmt, _table

if TYPE_CHECKING:
    from simulator.app.results import Results

_KPIS = {"avg_stock_age_days": ("avg stock age (d)", "days"), "written_off_units": ("written off", "int"),
         "written_off_value": ("written-off value", "int"), "disposed_units": ("disposed", "int"),
         "salvage_value": ("salvage", "int"), "repositioned_units": ("repositioned", "int"),
         "ageing_loss": ("ageing loss", "int"), "holding_cost": ("holding cost (owned)", "int"),
         "consigned_holding_cost": ("holding cost (supplier's)", "int")}


def ageing_section(results: Results) -> list[Section]:
    """The section, or nothing when the run held no lots."""
    finance = results.finance
    if finance is None:
        return []
    kpis = results.kpis
    table = pd.DataFrame({"segment": kpis["segment"],
                          **{label: [_fmt(v, kind) for v in kpis[col]] for col, (label, kind) in _KPIS.items()}})
    money = [c for c in finance.columns if c not in ("month", "segment", "start_day", "end_day", "avg_stock_age_days")]
    shown = finance[["month", "segment"]].astype(str).assign(
        **{c.replace("_", " "): [_fmt(v, "int") for v in finance[c]] for c in money},
        **{"avg age (d)": [_fmt(v, "days") for v in finance["avg_stock_age_days"]]})
    return [Section(
        "ageing", "Inventory ageing, ownership and reserve",
        "Stock is held in lots with their receipt dates. Written off: expired at the end of its shelf life "
        "(or destroyed in an outage); disposed: slow or obsolete stock sold off at its salvage value; "
        "repositioned: shipped to a DC with demand. Consigned stock belongs to the supplier (and so does its "
        "holding cost) until it is picked. The finance table (finance.csv) shows each month's closing "
        "inventory value by owner and by age bucket, and the reserve held against old stock. "
        "Definitions: docs/kpis.md and docs/ageing.md.",
        body=_table(table) + "<h3>Finance per month and segment</h3>" + _table(shown))]
