"""The written tables close the unit balance (issue 12, item 7): goods waiting at a dock for a full
truck and stock destroyed by a DC outage are in the tables, not only in the model's ledger."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import simulator


@pytest.fixture(scope="module")
def written(default_config: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """90 days of the default company: full-truck consolidation on the FTL lanes and a DC flood that
    destroys a fifth of dc_north's stock on day 40; the run directory as written."""
    cfg = copy.deepcopy(default_config)
    cfg.update(horizon_days=90, quiet=True)
    cfg["network"]["transport_modes"]["ftl"].update(truck_capacity=4000, max_wait_days=3)
    cfg["scenario"] = {"name": "flood", "disruptions": {"flood": {
        "kind": "dc_outage", "target": "dc_north", "start": 40, "duration": 7, "stock_loss": 0.2}}}
    out = tmp_path_factory.mktemp("run")
    simulator.run(cfg).write(out)
    return out


def test_unit_balance_closes_from_the_written_tables(written: Path) -> None:
    def read(name: str) -> pd.DataFrame:
        return pd.read_parquet(written / f"{name}.parquet")

    bal = read("unit_balance").set_index("sku")
    out = bal["delivered"] + bal["written_off"] + bal["on_hand_end"] + bal["in_transit_end"]
    pd.testing.assert_series_equal(bal["initial"] + bal["released"], out, check_names=False, rtol=1e-9)
    # each part agrees with the table that records it
    lines = read("order_lines").groupby("sku")["delivered"].sum()
    pd.testing.assert_series_equal(bal["delivered"], lines.reindex(bal.index, fill_value=0.0), check_names=False)
    stock = read("stock")
    last = stock[stock["day"] == stock["day"].max()].groupby("sku", observed=True)["on_hand"].sum()
    pd.testing.assert_series_equal(bal["on_hand_end"], last.reindex(bal.index, fill_value=0.0), check_names=False)
    offs = read("write_offs")
    assert set(offs["node"]) == {"dc_north"} and (offs["time"] == 40).all()
    pd.testing.assert_series_equal(bal["written_off"], offs.groupby("sku")["qty"].sum().reindex(bal.index,
                                   fill_value=0.0), check_names=False)
    assert bal["written_off"].sum() > 100
    # goods on a truck still filling up are part of what is in transit, and there are some
    assert (bal["waiting_for_truck_end"] <= bal["in_transit_end"] + 1e-9).all()
    assert bal["waiting_for_truck_end"].sum() > 0
