"""Zone skipping with parcel consolidation: parcels ride a consolidated van to the carrier's hub,
are sorted there, and go the last mile by parcel."""

from __future__ import annotations

import pytest

import simulator
from simulator.engine.errors import ConfigError
from tests.conftest import load_config

VAN_CAPACITY, VAN_CHARGE, VAN_RATE, LAST_MILE_RATE = 50.0, 20.0, 0.03, 0.3
LINEHAUL_DAYS, SORT_DAYS, LAST_MILE_DAYS, MAX_WAIT = 0.5, 0.1, 0.4, 1.0


def hub_network(horizon: float = 120) -> dict:
    """A DC with ample stock serves a web shop (small parcels) via a hub, and a store directly."""
    cfg = load_config("single_stage", horizon_days=horizon, warmup_days=0)
    net = cfg["network"]
    net["integer_units"] = True
    net["transport_modes"] = {
        "truck": {}, "parcel": {"cost_per_unit": 1.2},
        "van": {"cost_per_unit": VAN_RATE, "cost_per_shipment": VAN_CHARGE, "truck_capacity": VAN_CAPACITY,
                "max_wait_days": MAX_WAIT},
        "zone_parcel": {"cost_per_unit": LAST_MILE_RATE}}
    net["lanes"][1:] = [{"from": "dc", "to": ["shop", "web"], "mode": "parcel", "lead_time": 1}]
    net["channels"]["online"] = {}
    net["customers"]["web"] = {"channel": "online", "served_from": ["dc"], "orders_per_day": 8,
                               "lines_per_order": {"dist": "poisson", "mean": 0.6, "shift": 1}, "qty": 2}
    net["freight"] = {"hubs": {"hub": {
        "serves": ["web"], "handling_days": SORT_DAYS,
        "linehaul": {"from": ["dc"], "mode": "van", "lead_time": LINEHAUL_DAYS},
        "last_mile": {"mode": "zone_parcel", "lead_time": LAST_MILE_DAYS}}}}
    cfg["segments"]["only"]["policies"] = {"replenishment": {"type": "base_stock", "S": 100000}}
    return cfg


@pytest.fixture(scope="module")
def run() -> simulator.Results:
    return simulator.run(hub_network())


def test_web_goods_go_via_the_hub_and_the_store_direct(run: simulator.Results) -> None:
    ship = run.shipments[run.shipments["kind"] == "customer"]
    legs = set(zip(ship["origin"], ship["dest"], ship["mode"], strict=True))
    assert legs == {("dc", "hub", "van"), ("hub", "web", "zone_parcel"), ("dc", "shop", "parcel")}
    into, out = ship[ship["dest"] == "hub"], ship[ship["origin"] == "hub"]
    # every unit that reached the hub before the end of the sorting and the last mile went on
    arrived = into[into["arrival"] + SORT_DAYS < run.spec.horizon_days]
    assert out["qty"].sum() == pytest.approx(arrived["qty"].sum())
    assert (out.groupby("order")["shipment"].nunique() == 1).all()  # an order's parcels leave the hub together


def test_vans_are_consolidated_and_billed_per_van(run: simulator.Results) -> None:
    vans = run.shipments[run.shipments["dest"] == "hub"].groupby("shipment").agg(
        qty=("qty", "sum"), cost=("cost", "sum"), left=("time", "first"))
    assert (vans["qty"] <= VAN_CAPACITY + 1e-9).all()
    assert (vans["qty"] == VAN_CAPACITY).any() and (vans["qty"] < VAN_CAPACITY).any()  # full, and at the max wait
    assert vans["cost"].to_numpy() == pytest.approx((VAN_CHARGE + VAN_RATE * vans["qty"]).to_numpy())
    # a part-full van left MAX_WAIT after its first parcel was picked (stock is ample: picked on ordering)
    ordered = run.order_lines.groupby("order_id")["time"].min()
    rows = run.shipments[run.shipments["dest"] == "hub"]
    first = rows.assign(ordered=ordered.loc[rows["order"]].to_numpy()).groupby("shipment")["ordered"].min()
    part = vans.index[vans["qty"] < VAN_CAPACITY - 1e-9]
    assert (vans.loc[part, "left"] - first.loc[part]).to_numpy() == pytest.approx(MAX_WAIT)


def test_arrival_is_van_then_sorting_then_last_mile(run: simulator.Results) -> None:
    ship = run.shipments
    van = ship[ship["dest"] == "hub"].groupby("order")["arrival"].max()
    last = ship[ship["origin"] == "hub"].groupby("order").agg(left=("time", "first"), arrival=("arrival", "first"))
    both = last.join(van.rename("at_hub"), how="inner")
    assert len(both) > 100
    assert both["left"].to_numpy() == pytest.approx((both["at_hub"] + SORT_DAYS).to_numpy())
    assert both["arrival"].to_numpy() == pytest.approx((both["left"] + LAST_MILE_DAYS).to_numpy())


def test_units_are_conserved_through_the_hub() -> None:
    model = simulator.Model(simulator.build_spec(hub_network(horizon=40)))
    model.run()
    balance = model.unit_balance()
    entered = balance["initial"] + balance["released"]
    left = balance["delivered"] + balance["written_off"] + balance["on_hand_end"] + balance["in_transit_end"]
    assert entered.to_numpy() == pytest.approx(left.to_numpy())


@pytest.mark.parametrize(("change", "key"), [
    (lambda hubs: hubs.update(dc=hubs.pop("hub")), "network.freight.hubs.dc"),
    (lambda hubs: hubs["hub"].update(serves=["nobody"]), "network.freight.hubs.hub.serves"),
    (lambda hubs: hubs.update(hub2=dict(hubs["hub"])), "network.freight.hubs.hub2.serves"),
    (lambda hubs: hubs["hub"]["linehaul"].update({"from": ["nowhere"]}), "network.freight.hubs.hub.linehaul.from"),
    (lambda hubs: hubs["hub"]["last_mile"].update(mode="rocket"), "network.freight.hubs.hub.last_mile.mode"),
    (lambda hubs: hubs["hub"].update(handling_days=-1), "network.freight.hubs.hub.handling_days"),
])
def test_bad_hub_config_is_refused(change: object, key: str) -> None:
    cfg = hub_network(horizon=5)
    change(cfg["network"]["freight"]["hubs"])  # type: ignore[operator]
    with pytest.raises(ConfigError) as err:
        simulator.build_spec(cfg)
    assert key in str(err.value)
