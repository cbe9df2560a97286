"""Raw-material allocation under shortage: the criticality matrix decides who is filled first."""

from __future__ import annotations

import pytest

import simulator
from policies.base import SupplyClaim
from policies.supply import Criticality, SupplyFirstComeFirstServed
from simulator.engine.errors import ConfigError
from tests.conftest import load_config

CLAIMS = [
    SupplyClaim("plant_b", "resin", 100, since=1.0, segment_shares={"tail": 1.0}),
    SupplyClaim("plant_a", "resin", 100, since=2.0, segment_shares={"fast": 0.5, "tail": 0.5}),
    SupplyClaim("plant_c", "resin", 100, since=0.5, segment_shares={"core": 1.0}),
]


def test_criticality_ranks_by_weighted_score_then_age() -> None:
    policy = Criticality({"fast": {"resin": 10}, "tail": {"resin": 1}}, default=2.0)
    assert [policy.score(c) for c in CLAIMS] == [1.0, 5.5, 2.0]
    assert policy.rank(CLAIMS) == [1, 2, 0]
    assert SupplyFirstComeFirstServed().rank(CLAIMS) == [2, 0, 1]


def test_criticality_rejects_bad_weights() -> None:
    with pytest.raises(ValueError, match=r"matrix.fast.resin must be a number >= 0"):
        Criticality({"fast": {"resin": -1}})


def _run(allocation: dict | None):
    cfg = load_config("raw_shortage")
    if allocation is None:
        del cfg["network"]["suppliers"]["resin_co"]["allocation"]
    else:
        cfg["network"]["suppliers"]["resin_co"]["allocation"] = allocation
    return simulator.run(dict(cfg, quiet=True))


def _resin_to(results) -> dict[str, float]:
    raw = results.shipments[results.shipments["kind"] == "raw"]
    return raw.groupby("dest")["qty"].sum().to_dict()


def test_shortage_goes_to_the_less_critical_plant() -> None:
    """Resin covers ~60% of need: the plant making the critical segment's family is filled first."""
    results = _run({"type": "criticality", "matrix": {"fast": {"resin": 10}, "tail": {"resin": 1}}})
    short = results.shortages
    assert len(short) > 0 and (short["shorted"] > 0).all() and set(short["plant"]) == {"plant_a", "plant_b"}
    resin = _resin_to(results)
    assert resin["plant_a"] > 3 * resin["plant_b"]
    days_short = short.groupby("plant")["time"].nunique()
    assert days_short["plant_b"] > days_short["plant_a"]
    raw = results.shipments[results.shipments["kind"] == "raw"]
    assert raw.groupby("time")["qty"].sum().max() <= 120 + 1e-9  # never above the daily capacity
    k = results.kpis.set_index("segment")
    assert k.loc["fast", "fill_rate"] > k.loc["tail", "fill_rate"] + 0.3

    # the matrix reversed: the other plant (and segment) comes first
    reversed_ = _run({"type": "criticality", "matrix": {"fast": {"resin": 1}, "tail": {"resin": 10}}})
    resin_r = _resin_to(reversed_)
    assert resin_r["plant_b"] > 3 * resin_r["plant_a"]
    k_r = reversed_.kpis.set_index("segment")
    assert k_r.loc["tail", "fill_rate"] > k_r.loc["fast", "fill_rate"] + 0.3


def test_without_allocation_first_come_first_served_shares_evenly() -> None:
    resin = _resin_to(_run(None))
    assert abs(resin["plant_a"] - resin["plant_b"]) < 0.1 * resin["plant_a"]


def test_allocation_needs_a_capacity_and_known_names() -> None:
    cfg = load_config("raw_shortage")
    sup = cfg["network"]["suppliers"]["resin_co"]
    sup["allocation"] = {"type": "criticality", "matrix": {"vip": {"resin": 3}}}
    with pytest.raises(ConfigError, match=r"resin_co\.allocation\.matrix\.vip.*unknown segment; known: fast, tail"):
        simulator.build_spec(cfg)
    sup["allocation"] = {"type": "criticality", "matrix": {"fast": {"glass": 3}}}
    with pytest.raises(ConfigError, match=r"matrix\.fast\.glass.*supplies only: resin"):
        simulator.build_spec(cfg)
    sup["allocation"] = {"type": "by_size"}
    with pytest.raises(ConfigError, match=r"resin_co\.allocation\.type.*'by_size'.*criticality, fcfs"):
        simulator.build_spec(cfg)
    del sup["capacity_per_day"]
    sup["allocation"] = "fcfs"
    with pytest.raises(ConfigError, match=r"resin_co\.allocation.*needs a capacity_per_day"):
        simulator.build_spec(cfg)


def test_a_job_waiting_for_material_triggers_the_order_that_brings_it() -> None:
    """400 resin on hand (above s = 300) and a first batch needing more: the waiting need counts
    against the position, so resin is ordered at once instead of never."""
    cfg = load_config("raw_shortage")
    del cfg["network"]["suppliers"]["resin_co"]["allocation"]
    cfg["network"]["plants"]["plant_a"]["raw_stock"]["resin"]["initial"] = 400
    cfg["network"]["warehouses"]["dc"]["initial_stock"] = 0
    model = simulator.Model(simulator.build_spec(cfg))
    model.step_until(0.5)
    orders = [r for r in model.ctx.recorder.replenishments if r[1] == "plant_a" and r[2] == "resin"]
    assert orders and orders[0][0] == 0.0
    model.step_until(30)
    assert model.plants["plant_a"].raw.consumed["resin"] > 400  # production went on past the first 400
