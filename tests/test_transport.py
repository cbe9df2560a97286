"""Transport: mode choice, full-truckload consolidation, carrier reliability, cost and CO2 per shipment."""

from __future__ import annotations

import numpy as np
import pytest

import simulator
from policies.base import LaneOption
from policies.transport import Cheapest, FirstListed, MarginAndUrgency
from simulator.config import build_policy
from simulator.engine.errors import ConfigError
from tests.conftest import load_config

LTL = LaneOption("ltl", 3.0, 0.12, 9.0, 0.09)
FTL = LaneOption("ftl", 2.0, 0.03, 180.0, 0.04, truck_capacity=1000)
AIR = LaneOption("air", 1.0, 3.5, 60.0, 1.1)


class TestModeChoice:
    def test_expected_cost_shares_a_full_truck(self) -> None:
        assert FTL.expected_cost(500) == pytest.approx(90 + 15)
        assert FTL.expected_cost(3000) == pytest.approx(180 + 90)
        assert LTL.expected_cost(100) == pytest.approx(21)

    def test_cheapest(self) -> None:
        assert Cheapest().choose(10, [AIR, LTL], 5.0) == 1  # LTL 10.2 < air 95
        assert Cheapest().choose(10, [AIR, LTL, FTL], 5.0) == 2  # a 1% share of a truck: 1.8 + 0.3 < 10.2
        assert Cheapest().choose(1000, [AIR, LTL, FTL], 5.0) == 1  # LTL 129 < a full truck 210
        assert Cheapest().choose(3000, [AIR, LTL, FTL], 5.0) == 2  # FTL 270 < LTL 369

        assert FirstListed().choose(1000, [AIR, LTL, FTL], 5.0) == 0

    def test_urgent_takes_the_fastest_mode_the_margin_pays_for(self) -> None:
        rule = MarginAndUrgency(max_freight_share=0.5)
        assert rule.choose(100, [LTL, AIR], margin_per_unit=10.0) == 1  # air 410 <= 500
        assert rule.choose(100, [LTL, AIR], margin_per_unit=6.0) == 0  # air 410 > 300: cheapest
        assert MarginAndUrgency(urgent=False).choose(100, [LTL, AIR], 100.0) == 0
        with pytest.raises(ConfigError, match="max_freight_share"):
            build_policy("transport", {"type": "margin_and_urgency", "max_freight_share": 2}, "k")


def two_mode_network() -> dict:
    """A DC with ample stock ships to a shop by LTL (2 days) or air (0.5 days); two segments."""
    cfg = load_config("single_stage", horizon_days=400, warmup_days=0)
    net = cfg["network"]
    net["transport_modes"] = {"truck": {}, "ltl": {"cost_per_unit": 0.12, "cost_per_shipment": 9, "co2_per_unit": 0.09},
                              "air": {"cost_per_unit": 3.5, "cost_per_shipment": 60, "co2_per_unit": 1.1}}
    net["families"]["gadgets"] = {"skus": 1, "prefix": "G", "price": 40, "unit_cost": 10}
    net["suppliers"]["vendor"]["supplies"] = ["W-01", "G-01"]
    net["lanes"] = [{"from": "vendor", "to": "dc", "mode": "truck", "lead_time": 1},
                    {"from": "dc", "to": "shop", "mode": "ltl", "lead_time": 2},
                    {"from": "dc", "to": "shop", "mode": "air", "lead_time": 0.5}]
    net["customers"]["shop"] = {"channel": "store", "served_from": ["dc"], "orders_per_day": 4, "lines_per_order": 1,
                                "qty": {"dist": "poisson", "mean": 60}}
    urgent = {"type": "margin_and_urgency", "max_freight_share": 0.3}
    cfg["segments"] = {
        "express": {"sla": {"fill_rate": 0.9, "lead_time_days": 1},
                    "policies": {"replenishment": {"type": "base_stock", "S": 5000}, "transport": urgent}},
        "standard": {"sla": {"fill_rate": 0.9, "lead_time_days": 5},
                     "policies": {"replenishment": {"type": "base_stock", "S": 5000}, "transport": "cheapest"}},
    }
    cfg["assignment"] = {"default": "standard", "rules": [{"families": ["gadgets"], "segment": "express"}]}
    return cfg


def test_mode_choice_by_margin_and_urgency_with_cost_and_co2_per_shipment() -> None:
    ship = simulator.run(two_mode_network()).shipments
    out = ship[ship["kind"] == "customer"]
    express, standard = out[out["segment"] == "express"], out[out["segment"] == "standard"]
    # Gadgets earn 30 a unit: 30% buys air (3.5 + 60/q per unit) for lines above ~6 units.
    assert (express.loc[express["qty"] >= 7, "mode"] == "air").all()
    assert (express.loc[express["qty"] <= 5, "mode"] == "ltl").all()
    assert (standard["mode"] == "ltl").all()
    air = out[out["mode"] == "air"]
    assert (air["arrival"] - air["time"]).to_numpy() == pytest.approx(np.full(len(air), 0.5))
    assert air["cost"].to_numpy() == pytest.approx(60 + 3.5 * air["qty"].to_numpy())
    assert air["co2_kg"].to_numpy() == pytest.approx(1.1 * air["qty"].to_numpy())


CAPACITY, MAX_WAIT = 500.0, 1.5


def consolidated() -> simulator.Results:
    cfg = load_config("single_stage", horizon_days=600, warmup_days=0)
    net = cfg["network"]
    net["integer_units"] = True
    net["transport_modes"]["ftl"] = {"cost_per_shipment": 180, "cost_per_unit": 0.03, "co2_per_unit": 0.04,
                                     "truck_capacity": CAPACITY, "max_wait_days": MAX_WAIT}
    net["lanes"][1] = {"from": "dc", "to": "shop", "mode": "ftl", "lead_time": {"dist": "uniform", "low": 1, "high": 2}}
    net["customers"]["shop"] = {"channel": "store", "served_from": ["dc"], "orders_per_day": 2, "lines_per_order": 1,
                                "qty": {"dist": "gamma", "mean": 120, "sd": 150}}
    cfg["segments"]["only"]["policies"] = {"replenishment": {"type": "base_stock", "S": 100000}}
    return simulator.run(cfg)


def test_ftl_consolidation_respects_capacity_and_max_wait() -> None:
    r = consolidated()
    lines = r.order_lines.sort_values("line_id")
    assert (lines["immediate"] == lines["qty"]).all()  # ample stock: every line is ready when ordered
    ship = r.shipments[r.shipments["kind"] == "customer"]
    # A truck = one departure with one transit draw: same departure and arrival time.
    trucks = ship.groupby(["time", "arrival"]).agg(qty=("qty", "sum"), cost=("cost", "sum"))
    assert (trucks["qty"] <= CAPACITY + 1e-9).all()
    assert (trucks["qty"] == CAPACITY).sum() > 20 and (trucks["qty"] < CAPACITY).sum() > 20
    assert trucks["cost"].to_numpy() == pytest.approx(180 + 0.03 * trucks["qty"].to_numpy())
    # Loads leave first come, first served: match each row's first unit to the line it belongs to.
    line_end = np.cumsum(lines["qty"].to_numpy())
    row_start = np.cumsum(ship["qty"].to_numpy()) - ship["qty"].to_numpy()
    oldest = lines["time"].to_numpy()[np.searchsorted(line_end, row_start, side="right")]
    wait = ship["time"].to_numpy() - oldest
    assert wait.min() >= -1e-9 and wait.max() <= MAX_WAIT + 1e-9
    assert wait.max() == pytest.approx(MAX_WAIT)  # some trucks did leave at the maximum wait
    # Nothing is lost on the dock: what is not shipped yet is one truck still loading at the end.
    assert 0 <= lines["qty"].sum() - ship["qty"].sum() < CAPACITY


def test_carrier_reliability_makes_some_shipments_late() -> None:
    cfg = load_config("single_stage", horizon_days=3000, warmup_days=0)
    cfg["network"]["transport_modes"]["truck"] = {"on_time": 0.8, "delay": {"dist": "exponential", "mean": 1}}
    ship = simulator.run(cfg).shipments
    out = ship[ship["kind"] == "customer"]  # dc -> shop lead time is 0: any transit is a delay
    late = (out["arrival"] - out["time"]) > 0
    n = len(out)
    assert abs(late.mean() - 0.2) <= 3.3 * np.sqrt(0.2 * 0.8 / n)
    delays = (out["arrival"] - out["time"])[late]
    assert abs(delays.mean() - 1.0) <= 3.3 / np.sqrt(len(delays))
    cfg["network"]["transport_modes"]["truck"] = {"on_time": 0.8}
    with pytest.raises(ConfigError, match=r"transport_modes\.truck\.delay"):
        simulator.build_spec(cfg)


def test_default_company_offers_a_second_mode_that_policies_use() -> None:
    """The default company's contracted modes are used as listed; +policy=transport_modes moves some
    shipments to the second mode of their lane (regional replenishment by full truck, fast movers to
    stores by parcel)."""
    base = simulator.run(simulator.compose(["horizon_days=40", "quiet=true"]))
    modes = simulator.run(simulator.compose(["horizon_days=40", "quiet=true", "+policy=transport_modes"]))

    def used(r: simulator.Results, origin: str, dest: str) -> set[str]:
        s = r.shipments
        return set(s.loc[(s["origin"] == origin) & (s["dest"] == dest), "mode"])

    assert used(base, "dc_central", "dc_north") == {"ltl"} and used(base, "dc_north", "retail_north") == {"ltl"}
    assert "ftl" in used(modes, "dc_central", "dc_north")
    parcel = modes.shipments[(modes.shipments["dest"] == "retail_north") & (modes.shipments["mode"] == "parcel")]
    assert len(parcel) > 0 and set(parcel["segment"]) <= {"fast", "core", "tail"}
    assert modes.kpis["transport_cost"].to_numpy() != pytest.approx(base.kpis["transport_cost"].to_numpy())
