"""Order consolidation: the lines of one customer order leaving a node together are one shipment,
billed one per-shipment charge (picks from stock, made to order, drop-ship)."""

from __future__ import annotations

import pytest

import simulator
from simulator.engine.errors import ConfigError
from tests.conftest import load_config

PER_SHIPMENT, PER_UNIT = 9.0, 0.12


def picking_network(consolidate: bool = True) -> dict:
    """A DC with far more stock than the run needs ships 3-line orders to a shop by LTL."""
    cfg = load_config("single_stage", horizon_days=60, warmup_days=0)
    net = cfg["network"]
    net["integer_units"] = True
    net["families"] = {"widgets": {"skus": 4, "prefix": "W", "price": 10, "unit_cost": 4}}
    net["suppliers"]["vendor"]["supplies"] = [f"W-0{i}" for i in range(1, 5)]
    net["transport_modes"] = {"truck": {}, "ltl": {"cost_per_unit": PER_UNIT, "cost_per_shipment": PER_SHIPMENT}}
    net["lanes"][1] = {"from": "dc", "to": "shop", "mode": "ltl", "lead_time": 1}
    net["customers"]["shop"] = {"channel": "store", "served_from": ["dc"], "orders_per_day": 5, "lines_per_order": 3,
                                "qty": 5}
    net["freight"] = {"consolidate_orders": consolidate}
    cfg["segments"]["only"]["policies"] = {"replenishment": {"type": "base_stock", "S": 100000}}
    return cfg


@pytest.fixture(scope="module")
def picked() -> simulator.Results:
    return simulator.run(picking_network())


def test_one_shipment_per_order_on_the_leg(picked: simulator.Results) -> None:
    ship = picked.shipments[picked.shipments["origin"] == "dc"]
    lines = picked.order_lines
    assert (lines["lost"] == 0).all() and (lines["immediate"] == lines["qty"]).all()  # every line picked at once
    per_order = ship.groupby("order")["shipment"].nunique()
    assert (per_order == 1).all()
    assert ship.groupby("shipment")["order"].nunique().max() == 1  # no shipment mixes orders
    assert len(per_order) == lines["order_id"].nunique()
    assert ship.groupby("order").size().max() > 1  # orders with several SKUs ship several lines together


def test_cost_is_one_charge_per_order_plus_units(picked: simulator.Results) -> None:
    ship = picked.shipments[picked.shipments["origin"] == "dc"]
    per_shipment = ship.groupby("shipment").agg(cost=("cost", "sum"), qty=("qty", "sum"))
    expected = PER_SHIPMENT + PER_UNIT * per_shipment["qty"]
    assert per_shipment["cost"].to_numpy() == pytest.approx(expected.to_numpy(), rel=1e-12)
    # hand calculation from the order-line table alone: one charge per order, plus the units
    lines = picked.order_lines
    assert ship["cost"].sum() == pytest.approx(PER_SHIPMENT * lines["order_id"].nunique()
                                               + PER_UNIT * lines["shipped"].sum(), rel=1e-12)
    # each line carries its share of the charge by units
    shares = ship["qty"] / ship.groupby("shipment")["qty"].transform("sum")
    assert ship["cost"].to_numpy() == pytest.approx((PER_SHIPMENT * shares + PER_UNIT * ship["qty"]).to_numpy())


def test_line_by_line_when_switched_off() -> None:
    r = simulator.run(picking_network(consolidate=False))
    ship = r.shipments[r.shipments["origin"] == "dc"]
    assert ship["shipment"].nunique() == len(ship) == len(r.order_lines)
    assert ship["cost"].sum() == pytest.approx(PER_SHIPMENT * len(r.order_lines)
                                               + PER_UNIT * r.order_lines["shipped"].sum(), rel=1e-12)


def made_to_order(consolidate: bool = True) -> dict:
    """A make-to-order plant with one line; 3-line orders of three SKUs go straight to the shop."""
    cfg = load_config("mto_line", horizon_days=120, warmup_days=0)
    net = cfg["network"]
    net["families"]["widgets"]["skus"] = 3
    net["transport_modes"] = {"truck": {"cost_per_shipment": 50.0, "cost_per_unit": 1.0}}
    net["customers"]["shop"].update(orders_per_day=0.2, lines_per_order=3, qty=2)
    net["freight"] = {"consolidate_orders": consolidate}
    return cfg


def test_made_to_order_leaves_the_plant_complete() -> None:
    r = simulator.run(made_to_order())
    ship = r.shipments[r.shipments["origin"] == "works"]
    lines, prod = r.order_lines, r.production
    assert (ship.groupby("order")["shipment"].nunique() == 1).all()
    # the order leaves when its last line is made: the lines of an order are released together
    # (orders arrive at distinct times), so the latest batch end per release time is the order's
    last_made = prod.groupby("released")["end"].max()
    order_time = lines.groupby("order_id")["time"].first()
    left = ship.groupby("order")["time"].first()
    assert len(left) > 10
    assert left.to_numpy() == pytest.approx(last_made.loc[order_time.loc[left.index]].to_numpy())
    # every order of the run that left paid one charge
    per_shipment = ship.groupby("shipment").agg(cost=("cost", "sum"), qty=("qty", "sum"))
    assert per_shipment["cost"].to_numpy() == pytest.approx((50.0 + per_shipment["qty"]).to_numpy())


def test_made_to_order_line_by_line_when_switched_off() -> None:
    r = simulator.run(made_to_order(consolidate=False))
    ship = r.shipments[r.shipments["origin"] == "works"]
    assert ship["shipment"].nunique() == len(ship)
    # one shipment per batch made (one batch per line: the plant holds no raw material to split it)
    assert sorted(ship["time"]) == pytest.approx(sorted(r.production["end"]))
    assert len(ship) == len(r.order_lines[r.order_lines["shipped"] > 0])


def test_units_are_conserved_while_orders_wait_at_the_plant() -> None:
    cfg = made_to_order()
    cfg["horizon_days"] = 60
    model = simulator.Model(simulator.build_spec(cfg))
    model.run()
    balance = model.unit_balance().set_index("sku")
    entered = balance["initial"] + balance["released"]
    left = balance["delivered"] + balance["written_off"] + balance["on_hand_end"] + balance["in_transit_end"]
    assert entered.to_numpy() == pytest.approx(left.to_numpy())
    assert (balance["waiting_for_truck_end"] <= balance["in_transit_end"] + 1e-9).all()


@pytest.mark.parametrize("value", ["sometimes", 1, 2.5])
def test_bad_switch_is_refused(value: object) -> None:
    cfg = picking_network()
    cfg["network"]["freight"] = {"consolidate_orders": value}
    with pytest.raises(ConfigError, match="consolidate_orders"):
        simulator.build_spec(cfg)


def test_unknown_freight_key_is_refused() -> None:
    cfg = picking_network()
    cfg["network"]["freight"] = {"consolidate": True}
    with pytest.raises(ConfigError, match="consolidate"):
        simulator.build_spec(cfg)


def test_shipment_numbers_are_unique_per_departure(picked: simulator.Results) -> None:
    ship = picked.shipments
    firsts = ship.groupby("shipment")[["time", "origin", "dest", "mode"]].nunique()
    assert (firsts == 1).all().all()
    assert ship["shipment"].dtype.kind == "i" and ship["order"].dtype.kind == "i"
