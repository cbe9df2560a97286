"""The S&OP table: months x segments that add up to the run, each quantity in the month it happened."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import simulator
from analysis.sop import SOP_COLUMNS


@pytest.fixture(scope="module")
def run() -> simulator.Results:
    return simulator.run(simulator.compose(["horizon_days=95", "warmup_days=0", "quiet=true"]))


def test_months_cover_the_horizon_and_every_segment(run: simulator.Results) -> None:
    sop = run.sop
    assert list(sop.columns) == list(SOP_COLUMNS)
    assert sorted(sop["month"].unique()) == [1, 2, 3, 4]  # 95 days: three full months and 5 days
    assert set(sop["segment"]) == set(run.spec.segments)
    last = sop[sop["month"] == 4]
    assert (last["start_day"] == 90).all() and (last["end_day"] == 95).all()


def test_months_add_up_to_the_kpi_table(run: simulator.Results) -> None:
    """With no warm-up, every flow and money column summed over the months equals the KPI table
    (computed by another path: per order line and per shipment over the whole run)."""
    totals = run.sop.groupby("segment")[["demand_units", "lost_units", "revenue", "cogs", "transport_cost",
                                         "handling_cost", "holding_cost", "changeover_cost", "cost_to_serve",
                                         "gross_margin"]].sum()
    kpis = run.kpis.set_index("segment").drop(index="ALL")
    for col in totals.columns:
        np.testing.assert_allclose(totals[col].to_numpy(), kpis.loc[totals.index, col].to_numpy(), rtol=1e-9,
                                   err_msg=col)


def test_each_month_books_what_happened_in_it(run: simulator.Results) -> None:
    """Month 2 (days 30-60), recomputed from the record tables directly."""
    lines, prod, stock = run.order_lines, run.production, run.stock
    row = run.sop.set_index(["month", "segment"]).loc[(2, "fast")]
    in_month = lines[(lines["time"] >= 30) & (lines["time"] < 60) & (lines["segment"] == "fast")]
    assert row["demand_units"] == pytest.approx(in_month["qty"].sum())
    arrived = lines[(lines["last_delivery"] >= 30) & (lines["last_delivery"] < 60) & (lines["segment"] == "fast")
                    & (lines["delivered"] > 0)]
    assert row["shipped_units"] == pytest.approx(arrived["delivered"].sum())
    made = prod[(prod["end"] >= 30) & (prod["end"] < 60) & (prod["segment"] == "fast")]
    assert row["production_units"] == pytest.approx(made["qty"].sum())
    on_day_60 = stock[(stock["day"] == 60) & (stock["segment"] == "fast")]
    assert row["ending_inventory_units"] == pytest.approx(on_day_60["on_hand"].sum())
    assert row["gross_margin"] == pytest.approx(row["revenue"] - row["cogs"] - row["cost_to_serve"])


def test_run_directory_holds_sop_csv(run: simulator.Results, tmp_path) -> None:
    run.write(tmp_path)
    written = pd.read_csv(tmp_path / "sop.csv")
    assert len(written) == len(run.sop) and written["revenue"].sum() == pytest.approx(run.sop["revenue"].sum())
