"""Inventory ageing in runs: FIFO ages and shelf-life write-offs under deterministic flows against a
hand calculation, FEFO against FIFO on a repositioned lot, the obsolete rule, conservation of units
(written off, disposed and repositioned included), the ownership split of holding cost, the finance
table against the S&OP table, and the off switch."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pandas as pd
import pytest

import simulator
from simulator.config import build_spec
from simulator.engine.errors import ConfigError
from tests.conftest import load_config


def steady(**inventory: Any) -> dict[str, Any]:
    """One DC fed by a vendor (lead time 2), reviewed daily to S = 50 (50 on hand at the start);
    one order line of 10 units every day at t = 0.5, 1.5, ..."""
    cfg = load_config("single_stage")
    cfg.update(horizon_days=30, warmup_days=0, quiet=True)
    cfg["network"]["customers"]["shop"]["qty"] = 10
    cfg["network"]["warehouses"]["dc"]["initial_stock"] = 50
    cfg["segments"]["only"]["policies"] = {"replenishment": {"type": "order_up_to", "S": 50, "review_period": 1}}
    cfg["inventory"] = inventory
    return cfg


def test_fifo_ages_match_the_hand_calculation() -> None:
    """Hand calculation: the day-0 lot of 50 loses 10 a day; orders of 10 placed at t = 1, 2, ...
    arrive at t = 3, 4, ...; from t = 3 each day's pick takes the oldest 10. Read at the start of
    day d (end of day d-1): lots [0:40] -> age 1; [0:30] -> 2; [0:20] -> 3; [0:10, 3:10] ->
    (4 + 1) / 2 = 2.5; then always [d-2:10, d-1:10] -> 1.5."""
    r = simulator.run(steady(issue="fifo"))
    age = r.tables["stock_age"].set_index("day")
    expected = [1, 2, 3, 2.5] + [1.5] * 26
    assert age["avg_age_days"].tolist() == pytest.approx(expected)
    assert age["on_hand"].tolist() == r.stock["on_hand"].tolist()  # the lots hold exactly the stock
    assert len(r.tables["lot_events"]) == 0 and len(r.tables["write_offs"]) == 0


def test_stock_expires_at_its_shelf_life() -> None:
    """Shelf life 3.2 days: at t = 3.2 the day-0 lot still holds 20 units (40 picked by 2.5; the day-3
    receipt is younger): 20 written off at cost 4. Later lots leave within 2 days, so nothing else
    expires; the DC still fills every line (the receipts of days 3-5 cover the picks)."""
    r = simulator.run(steady(shelf_life_days={"W-01": 3.2}))
    events = r.tables["lot_events"]
    assert events[["time", "event", "qty", "value"]].values.tolist() == [[pytest.approx(3.2), "expired", 20, 80]]
    assert events["avg_age_days"].tolist() == pytest.approx([3.2])
    offs = r.tables["write_offs"]
    assert offs[["qty", "reason"]].values.tolist() == [[20, "expired"]]
    k = r.kpis.set_index("segment").loc["ALL"]
    assert (k["written_off_units"], k["written_off_value"], k["fill_rate"]) == (20, 80, 1.0)
    bal = r.tables["unit_balance"].iloc[0]
    assert bal["initial"] + bal["released"] == bal["delivered"] + bal["written_off"] + bal["on_hand_end"] + \
        bal["in_transit_end"]


def test_no_demand_disposes_at_salvage_and_holds_replenishment() -> None:
    """Nobody orders (the first order comes after the horizon): at the review of day 14 (reviews every
    7 days, rule: 10 days without demand) the 50 units are disposed of at 30% of cost 4, and the
    daily order-up-to review does not restock the obsolete item."""
    cfg = steady(review_days=7, obsolete={"only": {"no_demand_days": 10, "salvage_share": 0.3}})
    cfg["network"]["customers"]["shop"]["first_order"] = 100
    r = simulator.run(cfg)
    events = r.tables["lot_events"]
    assert events[["time", "event", "qty", "value", "salvage"]].values.tolist() == [[14, "disposed", 50, 200, 60]]
    assert events["avg_age_days"].tolist() == [14]
    assert len(r.replenishments) == 0
    assert r.stock.set_index("day")["on_hand"].iloc[-1] == 0
    k = r.kpis.set_index("segment").loc["only"]
    assert (k["disposed_units"], k["salvage_value"], k["ageing_loss"]) == (50, 60, 140)


def two_dcs(issue: str) -> dict[str, Any]:
    """dc_a has no customers' demand (its customer orders after the horizon); dc_b sells 10 a day.
    A lateral lane dc_a -> dc_b (1 day). Rule: 10 days without demand -> reposition."""
    cfg = steady(issue=issue, shelf_life_days={"W-01": 20}, review_days=7,
                 obsolete={"only": {"no_demand_days": 10, "action": "reposition"}})
    net = cfg["network"]
    net["warehouses"] = {"dc_a": {"sources": ["vendor"], "initial_stock": 50},
                         "dc_b": {"sources": ["vendor"], "initial_stock": 50}}
    net["lanes"] = [{"from": "vendor", "to": ["dc_a", "dc_b"], "mode": "truck", "lead_time": 2},
                    {"from": "dc_a", "to": "dc_b", "mode": "truck", "lead_time": 1},
                    {"from": "dc_a", "to": "shop_a", "mode": "truck", "lead_time": 0},
                    {"from": "dc_b", "to": "shop_b", "mode": "truck", "lead_time": 0}]
    shop = net["customers"].pop("shop")
    net["customers"] = {"shop_a": {**shop, "served_from": ["dc_a"], "first_order": 100},
                        "shop_b": {**shop, "served_from": ["dc_b"]}}
    return cfg


@pytest.fixture(scope="module")
def repositioned() -> dict[str, simulator.Results]:
    return {issue: simulator.run(two_dcs(issue)) for issue in ("fifo", "fefo")}


def test_obsolete_stock_is_repositioned_through_the_carrier(repositioned: dict[str, simulator.Results]) -> None:
    r = repositioned["fefo"]
    events = r.tables["lot_events"]
    moved = events[events["event"] == "repositioned"]
    assert moved[["time", "node", "qty", "dest"]].values.tolist() == [[14, "dc_a", 50, "dc_b"]]
    ship = r.shipments[r.shipments["kind"] == "transfer"]
    assert ship[["time", "origin", "dest", "qty", "arrival"]].values.tolist() == [[14, "dc_a", "dc_b", 50, 15]]
    assert r.kpis.set_index("segment").loc["ALL", "repositioned_units"] == 50


def test_fefo_issues_the_older_repositioned_lot_first(repositioned: dict[str, simulator.Results]) -> None:
    """The 50 repositioned units were received on day 0 at dc_a and expire on day 20. Arriving at
    dc_b on day 15, FEFO sells them first (5 picks of 10 by 19.5): nothing expires. FIFO sells dc_b's
    younger receipts first, so part of the old lot is still there on day 20 and is written off."""
    fefo = repositioned["fefo"].kpis.set_index("segment").loc["ALL", "written_off_units"]
    fifo = repositioned["fifo"].kpis.set_index("segment").loc["ALL", "written_off_units"]
    assert fefo == 0 and fifo > 0
    fifo_events = repositioned["fifo"].tables["lot_events"]
    assert fifo_events[fifo_events["event"] == "expired"]["time"].tolist() == [20]


@pytest.mark.parametrize("issue", ["fifo", "fefo"])
def test_units_are_conserved_with_repositioning_and_expiry(repositioned: dict[str, simulator.Results],
                                                           issue: str) -> None:
    """Units in = units out + on hand, per DC: initial + received = picked for customers + shipped
    out on transfer + written off + on hand at the end; and network-wide through the unit ledger."""
    r = repositioned[issue]
    ship, offs = r.shipments, r.tables["write_offs"]
    stock = r.stock[r.stock["day"] == r.stock["day"].max()].set_index("node")["on_hand"]
    for dc in ("dc_a", "dc_b"):
        received = ship[(ship["dest"] == dc) & (ship["arrival"] < r.spec.horizon_days)]["qty"].sum()
        out = ship[ship["origin"] == dc]["qty"].sum() + offs[offs["node"] == dc]["qty"].sum()
        assert 50 + received == pytest.approx(out + stock[dc])
    bal = r.tables["unit_balance"].iloc[0]
    assert bal["initial"] + bal["released"] == pytest.approx(
        bal["delivered"] + bal["written_off"] + bal["on_hand_end"] + bal["in_transit_end"])


@pytest.fixture(scope="module")
def company() -> dict[str, simulator.Results]:
    """The default company over 120 days with the example config, with and without consignment."""
    cfg = simulator.compose(["+policy=shelf_life", "quiet=true", "horizon_days=120"])
    owned = copy.deepcopy(cfg)
    owned["inventory"]["ownership"] = {}
    return {"consigned": simulator.run(cfg), "owned": simulator.run(owned)}


def test_company_lots_follow_stock_and_units_balance(company: dict[str, simulator.Results]) -> None:
    r = company["consigned"]
    merged = r.stock.merge(r.tables["stock_age"], on=["day", "node", "sku"])
    assert len(merged) == len(r.stock)
    np.testing.assert_allclose(merged["on_hand_x"], merged["on_hand_y"], atol=1e-9)
    bal = r.tables["unit_balance"]
    np.testing.assert_allclose(bal["initial"] + bal["released"], bal["delivered"] + bal["written_off"] +
                               bal["on_hand_end"] + bal["in_transit_end"] + bal["waiting_for_truck_end"], atol=1e-6)
    offs, events = r.tables["write_offs"], r.tables["lot_events"]
    by_reason = offs.groupby("reason")["qty"].sum()
    by_event = events.groupby("event")["qty"].sum()
    for reason, event in (("expired", "expired"), ("obsolete", "disposed")):
        assert by_reason.get(reason, 0.0) == pytest.approx(by_event.get(event, 0.0))
    assert by_event.get("disposed", 0) > 0


def test_consigned_holding_cost_is_the_suppliers(company: dict[str, simulator.Results]) -> None:
    """Ownership changes nobody's decisions: the runs are identical, and the consigned segment's
    holding cost moves out of the company's into ``consigned_holding_cost`` (the average tail stock
    value after warm-up x holding rate x years, computed here from the stock table)."""
    c, o = (company[k].kpis.set_index("segment") for k in ("consigned", "owned"))
    assert c.loc["tail", "holding_cost"] == pytest.approx(0.0, abs=1e-6)
    assert c.loc["tail", "consigned_holding_cost"] == pytest.approx(o.loc["tail", "holding_cost"])
    assert c.loc["fast", "holding_cost"] == o.loc["fast", "holding_cost"]
    r = company["consigned"]
    spec = r.spec
    stock = r.stock[(r.stock["day"] > spec.warmup_days) & (r.stock["segment"] == "tail")]
    cost = stock["sku"].astype(str).map({s: k.unit_cost for s, k in spec.skus.items()})
    value = (stock["on_hand"] * cost).sum() / stock["day"].nunique()
    expected = value * spec.holding_rate * (spec.horizon_days - spec.warmup_days) / 365
    assert c.loc["tail", "consigned_holding_cost"] == pytest.approx(expected)
    assert c.loc["ALL", "gross_margin"] == pytest.approx(o.loc["ALL", "gross_margin"] + expected)


def test_finance_table_matches_the_sop_inventory(company: dict[str, simulator.Results]) -> None:
    r = company["consigned"]
    fin, sop = r.finance, r.sop
    assert fin is not None
    both = fin.merge(sop, on=["month", "segment"])
    np.testing.assert_allclose(both["owned_value"] + both["consigned_value"], both["ending_inventory_value"],
                               rtol=1e-9)
    np.testing.assert_allclose(both["owned_holding_cost"] + both["consigned_holding_cost"], both["holding_cost"],
                               rtol=1e-9)
    assert (fin.loc[fin["segment"] == "tail", "owned_value"] == 0).all()
    buckets = [c for c in fin.columns if c.startswith("value_age_")]
    np.testing.assert_allclose(fin[buckets].sum(axis=1), fin["owned_value"], rtol=1e-9)
    rates = spec_rates = r.spec.inventory.reserve_rates
    assert len(rates) == len(buckets)
    np.testing.assert_allclose(fin["reserve"], sum(fin[b] * k for b, k in zip(buckets, spec_rates, strict=True)))


def test_finance_csv_is_written(company: dict[str, simulator.Results], tmp_path: Any) -> None:
    company["consigned"].write(tmp_path, tables=False)
    table = pd.read_csv(tmp_path / "finance.csv")
    assert {"owned_value", "consigned_value", "reserve"} <= set(table.columns) and len(table) > 0


def test_off_by_default_no_lot_tables(default_config: dict[str, Any]) -> None:
    cfg = copy.deepcopy(default_config)
    cfg["horizon_days"] = 10
    model = simulator.Model(build_spec(cfg))
    assert model.ageing is None and all(p.lots is None for p in model.points)


@pytest.mark.parametrize(("inventory", "key"), [
    ({"shelf_life_days": {"soap": 30}}, "inventory.shelf_life_days.soap"),
    ({"shelf_life_days": {"W-01": -3}}, "inventory.shelf_life_days.W-01"),
    ({"obsolete": {"nobody": {"no_demand_days": 10}}}, "inventory.obsolete.nobody"),
    ({"obsolete": {"only": {"action": "dispose"}}}, "inventory.obsolete.only.no_demand_days"),
    ({"obsolete": {"only": {"no_demand_days": 5, "action": "burn"}}}, "inventory.obsolete.only.action"),
    ({"obsolete": {"only": {"max_cover_days": 5, "salvage_share": 1.5}}}, "inventory.obsolete.only.salvage_share"),
    ({"ownership": {"segments": {"only": "leased"}}}, "inventory.ownership.segments.only"),
    ({"finance": {"age_buckets": [60, 30]}}, "inventory.finance.age_buckets"),
    ({"finance": {"reserve_rates": [0.1, 0.2]}}, "inventory.finance.reserve_rates"),
    ({"issue": "lifo"}, "inventory.issue"),
])
def test_bad_inventory_config_names_the_key(inventory: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigError) as err:
        build_spec(steady(**inventory))
    assert f"config error at '{key}'" in str(err.value), str(err.value)


def test_outage_damage_goes_through_the_lots() -> None:
    """A DC outage destroying a fifth of the stock (the scenarios' write_off hook) takes it from the
    lots too: the lots still hold exactly the stock, and the damaged units are the outage's write-offs."""
    cfg = simulator.compose(["+policy=shelf_life", "scenario=dc_outage", "quiet=true", "horizon_days=70"])
    r = simulator.run(cfg)
    offs, events = r.tables["write_offs"], r.tables["lot_events"]
    damaged = events[events["event"] == "damaged"]
    assert len(damaged) > 0 and set(damaged["time"]) == {60} and set(damaged["node"]) == {"dc_north"}
    assert damaged["qty"].sum() == pytest.approx(offs.loc[offs["reason"] == "outage", "qty"].sum())
    merged = r.stock.merge(r.tables["stock_age"], on=["day", "node", "sku"])
    np.testing.assert_allclose(merged["on_hand_x"], merged["on_hand_y"], atol=1e-6)


def test_cover_rule_disposes_only_the_excess() -> None:
    """S = 200 kept by a daily order-up-to review, 10 units sold a day, lead time 2. At the review
    of day 14 (the first with a full 10-day window; its event was scheduled before that instant's
    receipt) on hand is 200 - 14 picks x 10 + 11 receipts x 10 = 170 and demand ran 10 a day, so
    5 days of cover is 50 and 120 units are excess. The item still sells: replenishment goes on."""
    cfg = steady(review_days=7, obsolete={"only": {"max_cover_days": 5, "cover_window_days": 10}})
    cfg["segments"]["only"]["policies"]["replenishment"]["S"] = 200
    cfg["network"]["warehouses"]["dc"]["initial_stock"] = 200
    r = simulator.run(cfg)
    first = r.tables["lot_events"].iloc[0]
    assert (first["time"], first["event"], first["qty"]) == (14, "disposed", 120)
    assert (r.replenishments["time"] > 14).any()


def test_lots_keep_their_age_from_dc_to_dc() -> None:
    """vendor -> dc_c -> dc_r -> shop (1 day dc_c -> dc_r, 2 days vendor -> dc_c). dc_c starts with 100
    units (day 0) kept at 100 by a daily review; dc_r with 30, kept at 30, selling 10 a day. From day 1
    dc_r's daily order of 10 is picked at dc_c from its day-0 lot (100 units: the orders of days 1-10),
    so everything dc_r holds until day 11 was received into the network on day 0: read on day d
    (d <= 11), its mean age is d, not the day or two since dc_r received it."""
    cfg = steady(issue="fifo")
    net = cfg["network"]
    net["warehouses"] = {"dc_c": {"sources": ["vendor"], "initial_stock": 100,
                                  "replenishment": {"type": "order_up_to", "S": 100, "review_period": 1}},
                         "dc_r": {"sources": ["dc_c"], "initial_stock": 30,
                                  "replenishment": {"type": "order_up_to", "S": 30, "review_period": 1}}}
    net["lanes"] = [{"from": "vendor", "to": "dc_c", "mode": "truck", "lead_time": 2},
                    {"from": "dc_c", "to": "dc_r", "mode": "truck", "lead_time": 1},
                    {"from": "dc_r", "to": "shop", "mode": "truck", "lead_time": 0}]
    net["customers"]["shop"]["served_from"] = ["dc_r"]
    r = simulator.run(cfg)
    age = r.tables["stock_age"]
    regional = age[age["node"] == "dc_r"].set_index("day")["avg_age_days"]
    assert regional.loc[1:11].tolist() == pytest.approx(list(range(1, 12)))
    # Later: dc_c holds 80 (its position of 100 less 2 days on order), so a unit waits 8 days there,
    # travels 1 day, and dc_r (20 on hand after its receipt, 10 after the day's pick) sells it the
    # next day: what dc_r holds at the end of each day was received into the network 10 days before.
    assert regional.loc[20:].tolist() == pytest.approx([10.0] * 11)
    merged = r.stock.merge(age, on=["day", "node", "sku"])
    np.testing.assert_allclose(merged["on_hand_x"], merged["on_hand_y"])


def test_with_returns_the_lots_hold_the_stock_and_units_balance() -> None:
    """With returns (issue 17.4) and ageing together (recovered units re-enter DC stock through the
    lot hook, as a new lot), the lots still hold exactly the stock and every unit is accounted for."""
    cfg = simulator.compose(["+policy=returns", "quiet=true", "horizon_days=90"])
    cfg["inventory"] = simulator.compose(["+policy=shelf_life"])["inventory"]
    r = simulator.run(cfg)
    merged = r.stock.merge(r.tables["stock_age"], on=["day", "node", "sku"])
    np.testing.assert_allclose(merged["on_hand_x"], merged["on_hand_y"], atol=1e-6)
    bal = r.tables["unit_balance"]
    assert bal["returned"].sum() > 0 and bal["written_off"].sum() > 0
    entered = bal["initial"] + bal["released"] + bal["returned"]
    accounted = (bal["delivered"] + bal["written_off"] + bal["on_hand_end"] + bal["in_transit_end"]
                 + bal["scrapped"] + bal["at_returns_centre_end"])
    np.testing.assert_allclose(entered, accounted, atol=1e-6)


def test_consigning_supplier_owns_the_stock_it_sold_until_picked() -> None:
    """The vendor sells the finished goods on consignment: all DC stock is the vendor's, so the
    company's holding cost is 0 and the supplier's is the average stock value x rate x years."""
    cfg = steady(ownership={"suppliers": {"vendor": "consignment"}})
    cfg["network"]["holding_rate"] = 0.25
    r = simulator.run(cfg)
    assert set(r.tables["ownership"]["ownership"]) == {"consignment"}
    k = r.kpis.set_index("segment").loc["ALL"]
    expected = r.stock["on_hand"].mean() * 4 * 0.25 * 30 / 365
    assert k["holding_cost"] == 0 and k["consigned_holding_cost"] == pytest.approx(expected)
    assert r.finance is not None and (r.finance["owned_value"] == 0).all() and r.finance["reserve"].sum() == 0


def test_consignment_needs_a_supplier_of_finished_goods(default_config: dict[str, Any]) -> None:
    cfg = copy.deepcopy(default_config)
    cfg["inventory"] = {"ownership": {"suppliers": {"sup_resin": "consignment"}}}
    with pytest.raises(ConfigError, match="inventory.ownership.suppliers.sup_resin.*sells no finished goods"):
        build_spec(cfg)
