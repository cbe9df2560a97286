"""Every policy config under conf/policy composes and builds; policy choices act on the default company."""

from __future__ import annotations

from pathlib import Path

import pytest

import simulator
from simulator.engine.errors import ConfigError
from tests.conftest import load_config

POLICY_CONFIGS = sorted(p.stem for p in (Path(__file__).parent.parent / "conf" / "policy").glob("*.yaml"))


@pytest.mark.parametrize("name", POLICY_CONFIGS)
def test_policy_config_composes_and_builds(name: str) -> None:
    spec = simulator.build_spec(simulator.compose([f"+policy={name}"]))
    assert spec.segments


@pytest.fixture(scope="module")
def mts_and_mto() -> tuple[simulator.Results, simulator.Results]:
    """The default company for 120 days, as is and with the tail made to order (same seed)."""
    mts = simulator.run(simulator.compose(["horizon_days=120"]))
    mto = simulator.run(simulator.compose(["horizon_days=120", "+policy=tail_mto"]))
    return mts, mto


def test_mto_segment_holds_no_finished_goods(mts_and_mto: tuple[simulator.Results, simulator.Results]) -> None:
    mts, mto = mts_and_mto
    tail_skus = set(mto.order_lines.loc[mto.order_lines["segment"] == "tail", "sku"])
    assert tail_skus and tail_skus & set(mts.stock["sku"])  # made to stock, the tail is stocked
    assert not tail_skus & set(mto.stock["sku"])  # made to order, no DC holds any of it
    assert mto.kpis.set_index("segment").loc["tail", "avg_on_hand_units"] == 0
    # The other segments face the same demand: common random numbers.
    for r in (mts, mto):
        assert len(r.order_lines) == len(mts.order_lines)
    assert (mts.order_lines["qty"].to_numpy() == mto.order_lines["qty"].to_numpy()).all()


def test_mto_lead_time_covers_production_and_transport(
        mts_and_mto: tuple[simulator.Results, simulator.Results]) -> None:
    _, mto = mts_and_mto
    lines = mto.order_lines[(mto.order_lines["segment"] == "tail") & (mto.order_lines["delivered"] > 0)]
    assert (lines["source"].isin(["plant_north", "plant_south"])).all() and len(lines) > 100
    assert lines["immediate"].eq(0).all()
    prod = mto.production[mto.production["segment"] == "tail"]
    # A made-to-order production order is released the moment its line is ordered, for its quantity.
    joined = lines.merge(prod, left_on=["sku", "time", "qty"], right_on=["sku", "released", "qty"], how="left")
    assert joined["end"].notna().all()
    lead = joined["last_delivery"] - joined["time"]
    made = joined["end"] - joined["released"]
    assert (made > 0).all()
    assert (lead >= made + 1e-9).all()
    # ... and at least the transit of the route plant -> DCs -> customer (plant_north's shortest is 1+1+0.5).
    assert (lead - made >= 2.5 - 1e-9).all()
    assert lead.mean() > mto.kpis.set_index("segment").loc["fast", "avg_lead_time_days"]


def test_make_to_order_without_a_route_is_a_config_error() -> None:
    """The plant making W-01 has no lanes: it cannot make to order for the shop."""
    cfg = load_config("mto_line")
    net = cfg["network"]
    net["families"]["gadgets"] = {"skus": 1, "prefix": "G", "price": 5, "unit_cost": 2}
    net["plants"]["other"] = {"lines": {"L9": {"families": ["gadgets"], "rate": 10}}}
    net["warehouses"]["dc"]["sources"] = ["other"]
    net["lanes"] = [{"from": "other", "to": "dc", "mode": "truck", "lead_time": 1},
                    {"from": "dc", "to": "shop", "mode": "truck", "lead_time": 1}]
    net["customers"]["shop"]["families"] = ["widgets"]
    with pytest.raises(ConfigError, match=r"segments\.only\.policies\.production.*no plant or supplier making W-01"):
        simulator.build_spec(cfg)
    cfg["segments"]["only"]["policies"]["production"] = "lead_time_rule"  # the rule falls back to stock
    with pytest.raises(ConfigError, match="no path to stock of W-01"):
        simulator.build_spec(cfg)


def test_lead_time_rule_splits_by_route() -> None:
    """The rule makes tail cleaners to order where production + delivery fits in 7 days (plant_north,
    planned 2 days + 1 + 2.33 + 1.5 to retail_north), and keeps stock where it does not."""
    from simulator.engine.network import Network

    network = Network(simulator.build_spec(simulator.compose(["+policy=lead_time_rule"])))
    cln = network.decision("retail_north", "CLN-12")
    assert cln.segment.name == "tail" and not cln.from_stock and cln.maker == "plant_north"
    assert cln.make_and_deliver_days == pytest.approx(2 + 1 + 7 / 3 + 1.5)
    assert cln.path is not None and cln.path[0][0] == "plant_north" and cln.path[-1][1] == "retail_north"
    assert network.decision("retail_north", "PRC-12").from_stock  # plant_south is a day further
    assert network.decision("retail_north", "CLN-01").from_stock  # fast: make to stock
