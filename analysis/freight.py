"""The carrier scorecard: how each carrier performed, per segment it carried for.

A pure function of the shipments table (docs/kpis.md, "Carrier scorecard"). A shipment is one row
group with one ``shipment`` number (a truck, an LTL consignment, a parcel); its ``due`` is what the
carrier promised at pickup, and it is on time when it arrived by then.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.report_parts import Section, _table

SCORECARD_COLUMNS = ("carrier", "segment", "shipments", "units", "on_time", "mean_delay_days",
                     "mean_delay_if_late_days", "cost", "cost_per_unit")
RAW = "(raw material)"  # the segment label of raw-material shipments (they serve every segment)
_EPS = 1e-9


def carrier_scorecard(shipments: pd.DataFrame, warmup: float = 0.0) -> pd.DataFrame:
    """One row per carrier and segment it carried for, and an ``ALL`` row per carrier, over the
    shipments that left after ``warmup``: shipments (a shipment carrying lines of two segments counts
    for each, once), units, on-time share, mean days late (0 for an on-time shipment), mean days
    late of the late ones, freight cost and cost per unit."""
    ship = shipments[shipments["time"] >= warmup]
    if ship.empty:
        return pd.DataFrame(columns=list(SCORECARD_COLUMNS))
    ship = ship.assign(segment=ship["segment"].astype(str).replace("", RAW),
                       late_by=np.maximum(ship["arrival"].to_numpy(float) - ship["due"].to_numpy(float), 0.0))
    rows = []
    for (carrier, segment), group in _groups(ship):
        per_shipment = group.groupby("shipment", sort=False)["late_by"].first()
        late = per_shipment[per_shipment > _EPS]
        units, cost = float(group["qty"].sum()), float(group["cost"].sum())
        rows.append((carrier, segment, len(per_shipment), units, 1.0 - len(late) / len(per_shipment),
                     float(per_shipment.mean()), float(late.mean()) if len(late) else 0.0, cost,
                     cost / units if units > 0 else np.nan))
    return pd.DataFrame(rows, columns=list(SCORECARD_COLUMNS))


def _groups(ship: pd.DataFrame) -> list[tuple[tuple[str, str], pd.DataFrame]]:
    out = []
    for carrier, by_carrier in ship.groupby("carrier", sort=True, observed=True):
        for segment, group in by_carrier.groupby("segment", sort=True, observed=True):
            out.append(((str(carrier), str(segment)), group))
        out.append(((str(carrier), "ALL"), by_carrier))
    return out


def scorecard_section(table: pd.DataFrame) -> Section:
    """The report's carrier scorecard section."""
    shown = table.assign(
        shipments=table["shipments"].map(lambda v: f"{v:,.0f}"), units=table["units"].map(lambda v: f"{v:,.0f}"),
        on_time=table["on_time"].map(lambda v: f"{100 * v:.1f}%"),
        mean_delay_days=table["mean_delay_days"].map(lambda v: f"{v:.2f}"),
        mean_delay_if_late_days=table["mean_delay_if_late_days"].map(lambda v: f"{v:.2f}"),
        cost=table["cost"].map(lambda v: f"{v:,.0f}"), cost_per_unit=table["cost_per_unit"].map(lambda v: f"{v:.3f}"),
    ).rename(columns={"on_time": "on time", "mean_delay_days": "mean delay (d)",
                      "mean_delay_if_late_days": "delay if late (d)", "cost_per_unit": "cost per unit"})
    return Section("carriers", "Carrier scorecard",
                   "How each carrier did for each segment, over the shipments that left after the warm-up: a "
                   "shipment is on time when it arrived by the date the carrier promised at pickup; mean "
                   "delay counts on-time shipments as 0. Definitions: docs/kpis.md.",
                   body=_table(shown))
