"""Facility economics and 3PL operators: capacity limits hold in the records, allocations sum to
their pools and match a hand calculation, a 3PL's fees and pick delay show where they should."""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

import simulator
from analysis.kpis import compute_kpis
from simulator.config import build_spec
from simulator.engine.errors import ConfigError
from simulator.engine.model import Model
from tests.conftest import load_config, set_key

PALLETS = {"cleaners": 40, "detergents": 30, "personal_care": 60, "refills": 50}


def _starting_space(cfg: dict[str, Any], dc: str, per_pallet: dict[str, float] | None = None) -> float:
    """Units (or pallet positions) the DC's starting stock takes, read off a built model."""
    model = Model(build_spec(cfg))
    total = 0.0
    for p in model.points:
        if p.node == dc:
            fam = model.spec.skus[p.sku].family
            total += p.on_hand if per_pallet is None else math.ceil(p.on_hand / per_pallet[fam])
    return total


@pytest.fixture(scope="module")
def limited(default_config: dict[str, Any]) -> tuple[simulator.Results, dict[str, float]]:
    """The default company, 100 days, with every limit on some DC: dc_north starts with 300 units of
    each SKU and refuses receipts that do not fit its 16,000 units of storage (its stock swings
    between about 12,000 and 18,000 unlimited), dc_south stores overflow at a cost, dc_west counts pallets and picks
    at most 2,000 units a day, dc_central has a fixed cost."""
    cfg = copy.deepcopy(default_config)
    cfg.update(horizon_days=100, quiet=True)
    cfg["network"]["warehouses"]["dc_north"]["initial_stock"] = 300
    caps = {"dc_north": 16000,
            "dc_south": math.floor(_starting_space(cfg, "dc_south") * 0.8),
            "dc_west": math.ceil(_starting_space(cfg, "dc_west", PALLETS) * 1.05)}
    wh = cfg["network"]["warehouses"]
    wh["dc_north"]["capacity"] = {"storage": caps["dc_north"]}
    wh["dc_south"]["capacity"] = {"storage": caps["dc_south"], "when_full": "overflow",
                                  "overflow_cost_per_unit_day": 0.5}
    wh["dc_west"]["capacity"] = {"storage": caps["dc_west"], "units_per_pallet": PALLETS, "throughput_per_day": 2000}
    wh["dc_central"]["fixed_cost_per_day"] = 400
    cfg["network"]["cost_pools"] = {"warehousing": {"per_day": 1500, "driver": "storage_days"},
                                    "management": {"per_day": 900, "driver": "orders"},
                                    "dispatch": {"per_day": 300, "driver": "shipments", "warehouses": ["dc_west"]}}
    return simulator.run(cfg), caps


def _daily_units(results: simulator.Results, dc: str) -> pd.Series:
    stock = results.stock
    return stock[stock["node"] == dc].groupby("day")["on_hand"].sum()


def test_refused_receipts_keep_storage_within_capacity(limited: tuple[simulator.Results, dict[str, float]]) -> None:
    results, caps = limited
    days = results.tables["facility_days"]
    north = days[days["node"] == "dc_north"]
    assert north["refused"].sum() > 0, "the limit should bind: receipts had to wait"
    assert (north["storage_peak"] <= caps["dc_north"] + 1e-9).all()
    assert (_daily_units(results, "dc_north") <= caps["dc_north"] + 1e-9).all()  # the stock table, independently
    # every unit is somewhere: units waiting at the dock count as in transit
    bal = results.tables["unit_balance"].sum(numeric_only=True)
    assert bal["initial"] + bal["released"] == pytest.approx(
        bal["delivered"] + bal["written_off"] + bal["on_hand_end"] + bal["in_transit_end"]
        + bal["waiting_for_truck_end"])


def test_pallet_positions_within_capacity(limited: tuple[simulator.Results, dict[str, float]]) -> None:
    results, caps = limited
    stock = results.stock[results.stock["node"] == "dc_west"].copy()
    family = stock["sku"].astype(str).str[:3].map({"CLN": "cleaners", "DET": "detergents", "PRC": "personal_care",
                                                   "RFL": "refills"})
    stock["pallets"] = np.ceil(stock["on_hand"] / family.map(PALLETS).astype(float) - 1e-9)
    assert (stock.groupby("day")["pallets"].sum() <= caps["dc_west"] + 1e-9).all()
    west = results.tables["facility_days"].query("node == 'dc_west'")
    assert (west["storage_peak"] <= caps["dc_west"] + 1e-9).all()


def test_throughput_never_exceeded(limited: tuple[simulator.Results, dict[str, float]]) -> None:
    results, _ = limited
    ship = results.shipments[results.shipments["origin"] == "dc_west"]
    per_day = ship.groupby(np.floor(ship["time"]))["qty"].sum()
    assert per_day.max() <= 2000 + 1e-9
    west = results.tables["facility_days"].query("node == 'dc_west'")
    assert (west["waiting_to_pick_end"] > 0).any(), "the limit should bind: some picks waited for the next day"
    assert west["picked"].to_numpy() == pytest.approx(per_day.reindex(west["day"].to_numpy(), fill_value=0).to_numpy())


def test_overflow_is_billed_on_end_of_day_stock(limited: tuple[simulator.Results, dict[str, float]]) -> None:
    results, caps = limited
    south = results.tables["facility_days"].query("node == 'dc_south'").set_index("day")
    units = _daily_units(results, "dc_south")  # row day d+1 = end of calendar day d
    expected = (units - caps["dc_south"]).clip(lower=0)
    assert south["overflow_end"].to_numpy() == pytest.approx(expected.reindex(south.index + 1).to_numpy())
    assert south["overflow_end"].sum() > 0
    warmup = results.spec.warmup_days
    billed = 0.5 * south.loc[south.index + 1 > warmup, "overflow_end"].sum()
    spec = results.spec  # the KPI table without facility charges: compute_kpis straight from the tables
    raw = compute_kpis(results.tables, skus=results._sku_prices,
                       promised={n: s.promised_lead_time for n, s in spec.segments.items()},
                       handling={n: w.handling_cost_per_unit for n, w in spec.warehouses.items()},
                       holding_rate=spec.holding_rate, warmup=warmup, horizon=spec.horizon_days)
    extra = results.kpis.set_index("segment")["holding_cost"] - raw.set_index("segment")["holding_cost"]
    assert extra["ALL"] == pytest.approx(billed)
    assert extra.drop("ALL").sum() == pytest.approx(billed)


def test_allocations_sum_to_their_pools(limited: tuple[simulator.Results, dict[str, float]]) -> None:
    results, _ = limited
    alloc = results.cost_allocation
    days = results.spec.horizon_days - results.spec.warmup_days
    expected = {"fixed dc_central": 400 * days, "warehousing": 1500 * days, "management": 900 * days,
                "dispatch": 300 * days}
    sums = alloc.groupby("pool")["allocated"].sum()
    for pool, amount in expected.items():
        assert math.isclose(sums[pool], amount, rel_tol=1e-12), pool
        assert (alloc.loc[alloc["pool"] == pool, "amount"] == amount).all()
    full = results.full_cost.set_index("segment")
    assert full.at["ALL", "full_cost_to_serve"] == pytest.approx(
        results.kpis.set_index("segment").at["ALL", "cost_to_serve"] + sum(expected.values()))
    assert full.drop("ALL")["full_cost_to_serve"].sum() == pytest.approx(full.at["ALL", "full_cost_to_serve"])


def test_allocation_against_a_hand_calculation() -> None:
    """Two segments at one DC with fixed daily demand over 20 days (tests/configs/two_segment_dc.yaml):
    small ships 10 units a day, big 30; both place 20 orders in 20 shipments; end-of-day stock of each
    starts at 1,000 and falls by its daily demand, so the storage-days are 20,000 - 10 x 210 = 17,900
    (small) and 20,000 - 30 x 210 = 13,700 (big)."""
    cfg = load_config("two_segment_dc")
    set_key(cfg, "network.lanes", [{"from": "vendor", "to": "dc", "mode": "truck", "lead_time": 2},
                                   {"from": "dc", "to": "shop", "mode": "truck", "lead_time": 1, "cost_per_unit": 0.5},
                                   {"from": "dc", "to": "depot", "mode": "truck", "lead_time": 1}])
    set_key(cfg, "network.warehouses.dc.fixed_cost_per_day", 30)
    set_key(cfg, "network.warehouses.dc.fixed_cost_driver", "shipments")
    set_key(cfg, "network.cost_pools", {"handling": {"per_day": 100, "driver": "units_handled"},
                                        "storage": {"per_day": 79, "driver": "storage_days"},
                                        "management": {"per_day": 50, "driver": "orders"}})
    results = simulator.run(cfg)
    alloc = results.cost_allocation.set_index(["pool", "segment"])["allocated"]
    hand = {("handling", "small"): 2000 * 200 / 800, ("handling", "big"): 2000 * 600 / 800,
            ("storage", "small"): 1580 * 17900 / 31600, ("storage", "big"): 1580 * 13700 / 31600,
            ("management", "small"): 500, ("management", "big"): 500,
            ("fixed dc", "small"): 300, ("fixed dc", "big"): 300}
    for key, value in hand.items():
        assert alloc[key] == pytest.approx(value, rel=1e-12), key
    full = results.full_cost.set_index("segment")["full_cost_to_serve"]
    assert full["small"] == pytest.approx(0.5 * 200 + 500 + 895 + 500 + 300)  # freight 0.5 x 200 units + pools
    assert full["big"] == pytest.approx(1500 + 685 + 500 + 300)


def test_3pl_fees_pick_delay_and_throughput() -> None:
    """A 3PL picks the big segment's lines at the DC: 0.1 a unit and 2 an order (instead of the DC's
    own 0.05 a unit), a quarter day per pick, at most 20 units a day against 30 ordered: fees by hand,
    the delay in the lead time, the cap held."""
    cfg = load_config("two_segment_dc")
    set_key(cfg, "network.warehouses.dc.handling_cost_per_unit", 0.05)
    set_key(cfg, "network.warehouses.dc.operator", {"name": "logico", "fee_per_unit": 0.1, "fee_per_order": 2,
                                                    "pick_delay": 0.25, "segments": ["big"]})
    results = simulator.run(cfg)
    kpis = results.kpis.set_index("segment")
    assert kpis.at["big", "handling_cost"] == pytest.approx(0.1 * 600 + 2 * 20)
    assert kpis.at["small", "handling_cost"] == pytest.approx(0.05 * 200)
    assert kpis.at["big", "avg_lead_time_days"] == pytest.approx(1.25)  # 1-day lane + the 3PL's quarter day
    assert kpis.at["small", "avg_lead_time_days"] == pytest.approx(1.0)

    set_key(cfg, "network.warehouses.dc.operator.throughput_per_day", 20)
    results = simulator.run(cfg)
    days = results.tables["facility_days"]
    assert days["picked_3pl"].max() == 20 and (days["picked"] == 10).all()
    big = results.shipments.query("segment == 'big'")
    assert big.groupby(np.floor(big["time"] - 0.25))["qty"].sum().max() <= 20
    # 30 a day ordered, 20 picked: the queue grows by 10 a day
    assert days["waiting_to_pick_end"].to_numpy() == pytest.approx(10.0 * np.arange(1, 21))


def test_default_company_has_no_facility_tables(default_results: simulator.Results) -> None:
    assert "facility_days" not in default_results.tables
    assert not default_results.has_cost_allocation


BAD = [
    ("network.warehouses.dc.capacity", {"storage": 100, "units_per_pallet": {"gamma": 5}},
     "capacity.units_per_pallet", "not a family"),
    ("network.warehouses.dc.capacity", {"storage": 100, "units_per_pallet": {"alpha": 5}},
     "capacity.units_per_pallet", "beta missing"),
    ("network.warehouses.dc.capacity", {"storage": 100, "overflow_cost_per_unit_day": 1},
     "overflow_cost_per_unit_day", "when_full: overflow"),
    ("network.warehouses.dc.capacity", {"units_per_pallet": {"alpha": 5, "beta": 5}},
     "units_per_pallet", "needs a storage capacity"),
    ("network.warehouses.dc.capacity", {"when_full": "spill"}, "when_full", "refuse"),
    ("network.warehouses.dc.capacity", {"throughput_per_day": 10.5}, "capacity.throughput_per_day", "whole units"),
    ("network.warehouses.dc.capacity", {"storage": -3}, "storage", "must be > 0"),
    ("network.warehouses.dc.operator", {"name": "x", "segments": ["huge"]}, "operator.segments", "not a segment"),
    ("network.warehouses.dc.operator", {"fee_per_unit": 1}, "operator.name", "required"),
    ("network.warehouses.dc.fixed_cost_driver", "pallets", "fixed_cost_driver", "units_handled"),
    ("network.cost_pools", {"it": {"per_day": 10, "driver": "revenue"}}, "cost_pools.it.driver", "storage_days"),
    ("network.cost_pools", {"it": {"per_day": 10, "driver": "orders", "warehouses": ["dc9"]}},
     "cost_pools.it.warehouses", "not a warehouse"),
    ("network.cost_pools", {"it": {"per_day": -1, "driver": "orders"}}, "cost_pools.it.per_day", "0"),
]


@pytest.mark.parametrize(("key", "value", "named", "allowed"), BAD, ids=[f"{b[2]}-{i}" for i, b in enumerate(BAD)])
def test_bad_facility_config_is_one_clear_error(key: str, value: Any, named: str, allowed: str) -> None:
    cfg = set_key(load_config("two_segment_dc"), key, value)
    with pytest.raises(ConfigError) as err:
        build_spec(cfg)
    message = str(err.value)
    assert named in message and allowed in message, message


def test_starting_stock_above_storage_is_refused() -> None:
    cfg = set_key(load_config("two_segment_dc"), "network.warehouses.dc.capacity", {"storage": 1500})
    with pytest.raises(ConfigError, match=r"capacity.storage.*starting stock takes 2000 units"):
        simulator.run(cfg)


def test_overflow_by_hand_and_sop_months_add_up() -> None:
    """Two segments at one DC, 2,000 units at the start, 40 sold a day, 1,500 of storage with
    overflow at 0.1 a unit-day: the end-of-day readings k = 1..20 hold 2,000 - 40k units, above
    capacity for k <= 12, each segment paying in proportion to its own stock (1,000 - 10k and
    1,000 - 30k). With a 3PL picking the big segment too, the S&OP months add up to the KPI table."""
    cfg = load_config("two_segment_dc")
    set_key(cfg, "network.warehouses.dc.capacity", {"storage": 1500, "when_full": "overflow",
                                                   "overflow_cost_per_unit_day": 0.1})
    set_key(cfg, "network.warehouses.dc.operator", {"name": "logico", "fee_per_unit": 0.1, "fee_per_order": 2,
                                                    "segments": ["big"]})
    results = simulator.run(cfg)
    k = np.arange(1, 13)
    excess = 2000 - 40 * k - 1500
    small = 0.1 * (excess * (1000 - 10 * k) / (2000 - 40 * k)).sum()
    big = 0.1 * (excess * (1000 - 30 * k) / (2000 - 40 * k)).sum()
    kpis = results.kpis.set_index("segment")
    assert kpis.at["small", "holding_cost"] == pytest.approx(small)
    assert kpis.at["big", "holding_cost"] == pytest.approx(big)
    assert small + big == pytest.approx(0.1 * (500 * 12 - 40 * 78))
    sop = results.sop.groupby("segment")[["handling_cost", "holding_cost", "cost_to_serve", "gross_margin"]].sum()
    for seg in ("small", "big"):
        for col in sop.columns:
            assert sop.at[seg, col] == pytest.approx(kpis.at[seg, col]), (seg, col)


def test_same_seed_same_facility_days() -> None:
    cfg = load_config("two_segment_dc", seed=3)
    set_key(cfg, "network.warehouses.dc.operator", {"name": "logico", "throughput_per_day": 25,
                                                    "pick_delay": {"dist": "exponential", "mean": 0.3}})
    a, b = simulator.run(copy.deepcopy(cfg)), simulator.run(copy.deepcopy(cfg))
    pd.testing.assert_frame_equal(a.tables["facility_days"], b.tables["facility_days"])
    pd.testing.assert_frame_equal(a.shipments, b.shipments)


def test_nothing_leaves_a_closed_dc_and_space_follows_the_write_off() -> None:
    """dc_north closed days 60-67 with a fifth of its stock destroyed, picking at most 2,500 units a
    day: no shipment leaves it while closed (day 60's budget goes to the picks waiting from day 59 at
    the very start of the day, before the flood), and the
    space it reports at each day's end is its stock on hand, the write-off included."""
    cfg = simulator.compose(["scenario=dc_outage", "horizon_days=80", "quiet=true"])
    set_key(cfg, "network.warehouses.dc_north.capacity", {"throughput_per_day": 2500})
    results = simulator.run(cfg)
    ship = results.shipments.query("origin == 'dc_north'")
    assert not ((ship["time"] > 60) & (ship["time"] < 67)).any()  # day 60's budget is released as it opens
    north = results.tables["facility_days"].query("node == 'dc_north'").set_index("day")
    units = _daily_units(results, "dc_north")
    assert north["storage_end"].to_numpy() == pytest.approx(units.reindex(north.index + 1).to_numpy())
    assert (north["picked"] <= 2500).all()
