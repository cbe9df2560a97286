"""Fulfilment paths: DC pick, fallback to the next DC, cross-dock and drop-ship, by order size."""

from __future__ import annotations

import pandas as pd
import pytest

import simulator
from policies.base import SourceOption
from policies.fulfilment import ByOrderSize, NearestStock
from simulator.config import build_policy
from simulator.engine.errors import ConfigError

OPTIONS = [SourceOption("dc_home", "warehouse", 5.0), SourceOption("dc_next", "warehouse", 80.0),
           SourceOption("dc_central", "upstream", 500.0), SourceOption("plant", "plant", 0.0)]


def test_nearest_stock_falls_back_to_the_next_dc() -> None:
    assert NearestStock().source(4, OPTIONS) == "dc_home"
    assert NearestStock().source(20, OPTIONS) == "dc_next"
    assert NearestStock().source(200, OPTIONS) == "dc_home"  # nobody has it: backorder at home


def test_by_order_size_rule() -> None:
    rule = ByOrderSize(drop_ship_min_qty=250, cross_dock_min_qty=60)
    assert rule.source(300, OPTIONS) == "plant"
    assert rule.source(100, OPTIONS) == "dc_central"
    assert rule.source(20, OPTIONS) == "dc_next"
    assert rule.source(600, OPTIONS[:3]) == "dc_home"  # no maker can deliver; central lacks 600
    assert ByOrderSize(fallback=False).source(20, OPTIONS) == "dc_home"
    with pytest.raises(ConfigError, match="drop_ship_min_qty must be > 0"):
        build_policy("fulfilment", {"type": "by_order_size", "drop_ship_min_qty": 0}, "k")


@pytest.fixture(scope="module")
def run() -> simulator.Results:
    """The default company for 90 days with fulfilment_paths; e-commerce north may also be served from dc_west."""
    cfg = simulator.compose(["horizon_days=90", "+policy=fulfilment_paths"])
    cfg["network"]["customers"]["ecom_north"]["served_from"] = ["dc_north", "dc_west"]
    cfg["network"]["lanes"].append({"from": "dc_west", "to": "ecom_north", "mode": "parcel", "lead_time": 2})
    return simulator.run(cfg)


def test_each_path_in_shipment_records_with_its_own_cost_and_time(run: simulator.Results) -> None:
    ship = run.shipments[run.shipments["kind"] == "customer"]
    assert set(ship["path"]) >= {"dc_pick", "next_dc", "cross_dock", "drop_ship"}
    lines = run.order_lines[run.order_lines["delivered"] >= run.order_lines["qty"]].copy()
    lines["lead"] = lines["last_delivery"] - lines["time"]
    path_of_source = {"dc_central": "cross_dock", "plant_north": "drop_ship", "plant_south": "drop_ship"}
    lines["path"] = lines["source"].map(path_of_source).fillna("dc")
    # Drop-ship: made for the line at the plant (>= 250 units), then plant -> DCs -> customer.
    drop = ship[ship["path"] == "drop_ship"]
    assert drop["origin"].isin(["plant_north", "plant_south", "dc_central", "dc_north", "dc_south", "dc_west"]).all()
    assert (lines.loc[lines["path"] == "drop_ship", "qty"] >= 250).all()
    # Cross-dock: central DC -> regional DC (half a day on the dock) -> customer.
    cross = ship[ship["path"] == "cross_dock"]
    assert set(cross["origin"]) <= {"dc_central", "dc_north", "dc_south", "dc_west"}
    assert (lines.loc[lines["path"] == "cross_dock", "lead"] >= 1 + 0.5 + 1 - 1e-9).all()
    # Next DC: only e-commerce north lines, shipped from dc_west.
    nxt = ship[ship["path"] == "next_dc"]
    assert set(zip(nxt["origin"], nxt["dest"], strict=True)) == {("dc_west", "ecom_north")}
    # Each path has its own cost per unit delivered and its own lead time.
    delivered = ship[ship["dest"].isin(run.spec.customers)]
    unit_cost = ship.groupby("path")["cost"].sum() / delivered.groupby("path")["qty"].sum()
    lead = lines.groupby("path")["lead"].mean()
    assert pd.Series(unit_cost).nunique() == len(unit_cost) == 4
    assert lead["drop_ship"] > lead["cross_dock"] > lead["dc"]
    # Cross-docked units leave the central DC, wait exactly half a day on the regional dock, then go on:
    # every unit is either on a regional leg to its customer or still in flight at the horizon.
    central = cross[cross["origin"] == "dc_central"]
    onward = cross[cross["origin"] != "dc_central"]
    in_flight = central.loc[central["arrival"] + 0.5 > run.spec.horizon_days, "qty"].sum()
    assert central["qty"].sum() == pytest.approx(onward["qty"].sum() + in_flight)
    assert central["cost"].sum() > 0
