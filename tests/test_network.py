"""The network's structure, resolved once: routes, where stock comes from, stage depth, service decisions."""

from __future__ import annotations

import math

import pytest

import simulator
from simulator.engine.network import Network


def _serial(**warehouses: dict) -> Network:
    cfg = simulator.compose(["network=serial_chain", "segments=serial_chain", "horizon_days=30"])
    cfg["network"]["warehouses"].update(warehouses)
    return Network(simulator.build_spec(cfg))


def test_serial_chain_sources_depth_and_route() -> None:
    net = _serial()
    assert net.stock_source("dc", "W-01") == "dc_up" and net.stock_source("dc_up", "W-01") == "vendor"
    assert net.depth == {"dc_up": 0, "dc": 1}
    # vendor -> dc_up (3 days) -> dc (2) -> shop (0): the only chain, passing through both DCs
    assert net.route("vendor", "shop") == (("vendor", "dc_up"), ("dc_up", "dc"), ("dc", "shop"))
    assert net.route_days("vendor", "shop") == pytest.approx(5.0)
    assert net.route("shop", "vendor") is None and math.isinf(net.route_days("shop", "vendor"))


def test_sources_in_a_cycle_of_warehouses_still_reach_the_vendor() -> None:
    """The config refuses sources in a cycle; the network's answers do not rely on it: with dc_up listing
    dc first (a transfer back) and the vendor second, the cycle is cut, so dc_up still finds the vendor
    and dc still finds dc_up."""
    import dataclasses

    spec = _serial().spec
    up = dataclasses.replace(spec.warehouses["dc_up"], sources=("dc", "vendor"))
    back = dataclasses.replace(spec.lanes[1], origin="dc", dest="dc_up")
    net = Network(dataclasses.replace(spec, warehouses={**spec.warehouses, "dc_up": up}, lanes=(*spec.lanes, back)))
    assert net.stock_source("dc_up", "W-01") == "vendor"
    assert net.stock_source("dc", "W-01") == "dc_up"


def test_sources_in_a_cycle_of_warehouses_are_refused_before_the_run() -> None:
    """dc_up lists dc first (a transfer back) and the vendor second: a cycle of sources is an
    impossible structure, refused at the key that closes it and naming the whole cycle."""
    cfg = simulator.compose(["network=serial_chain", "segments=serial_chain", "horizon_days=30"])
    cfg["network"]["warehouses"]["dc_up"]["sources"] = ["dc", "vendor"]
    cfg["network"]["lanes"].append({"from": "dc", "to": "dc_up", "mode": "truck", "lead_time": 1})
    with pytest.raises(simulator.ConfigError, match=r"sources must not form a cycle: .*dc_up.*dc"):
        simulator.build_spec(cfg)


def test_quickest_route_goes_through_the_faster_dc() -> None:
    """Two DCs between a plant and a customer: the route takes the one with fewer lane days."""
    net = Network(simulator.build_spec(simulator.compose(["horizon_days=30"])))
    for maker in net.makers["CLN-01"]:
        legs = net.route(maker, "retail_north")
        if legs is None:
            continue
        days = sum(net.lane_days[leg] for leg in legs)
        assert net.route_days(maker, "retail_north") == pytest.approx(days)
        # no chain through another set of DCs is quicker: compare with every two-leg chain via a DC
        for dc in net.spec.warehouses:
            if net.has_lane(maker, dc) and net.has_lane(dc, "retail_north"):
                assert days <= net.lane_days[(maker, dc)] + net.lane_days[(dc, "retail_north")] + 1e-12


def test_decision_table_counts_every_item_of_every_customer_once() -> None:
    spec = simulator.build_spec(simulator.compose(["+policy=lead_time_rule", "horizon_days=30"]))
    net = Network(spec)
    rows = net.decision_table()
    assert sum(r[-1] for r in rows) == sum(len(c.skus) for c in spec.customers.values())
    tail_mto = [r for r in rows if r[0] == "tail" and not r[2]]
    assert tail_mto and all(r[3] in spec.plants for r in tail_mto)  # made to order at a plant
    assert all(r[3] in spec.customers[r[1]].served_from for r in rows if r[2])  # stock: a DC of the customer
    for customer, _sku, d in net.decisions():  # every line has a path from where it is served
        assert d.path is not None and d.path[0][0] == (d.dcs[0] if d.from_stock else d.maker)
        assert d.path[-1][1] == customer
