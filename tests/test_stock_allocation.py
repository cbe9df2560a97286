"""Stock allocation between segments at a DC (critical / protection levels).

The validation case is the critical-level policy with two demand classes and lost sales (Dekker,
Hill & Kleijn 1998; Ha 1997): one stock point, one-for-one base stock S, Poisson unit demand per
class, exponential replenishment lead times (each order independent). The on-hand level n is a
continuous-time Markov chain: down by one at rate lam1 + lam2 while n > c, at rate lam1 while
0 < n <= c; up by one at rate (S - n) mu. Class 1 is filled when n > 0, class 2 when n > c. The
test solves the chain with numpy, independently of segsim, and compares each class's fill rate.
"""

from __future__ import annotations

import math
from collections import deque
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest

import simulator
from policies.stock_allocation import CriticalLevels, FirstComeFirstServed
from simulator.config import build_policy
from simulator.engine.allocation import Rationing
from simulator.engine.errors import ConfigError
from simulator.engine.flow import Request
from tests.conftest import load_config, replicate_runs
from tests.stats import assert_covers

S, LAM_GOLD, LAM_SILVER, LEAD, C = 10, 3.0, 3.0, 2.0, 3


def chain(s: int, lam1: float, lam2: float, mu: float, c: int) -> np.ndarray:
    """Stationary distribution of the on-hand level 0..s (balance equations pi Q = 0, sum pi = 1)."""
    q = np.zeros((s + 1, s + 1))
    for n in range(s + 1):
        if n > 0:
            q[n, n - 1] = lam1 + (lam2 if n > c else 0.0)
        if n < s:
            q[n, n + 1] = (s - n) * mu
        q[n, n] = -q[n].sum()
    a = np.vstack([q.T, np.ones(s + 1)])
    b = np.zeros(s + 2)
    b[-1] = 1.0
    return np.linalg.lstsq(a, b, rcond=None)[0]


def two_class_config(levels: dict[str, float] | None = None, **allocation: Any) -> dict[str, Any]:
    """One DC, base stock S, exponential lead time, gold (channel a) and silver (channel b) buying one SKU."""
    cfg = load_config("single_stage")
    net = cfg["network"]
    net["integer_units"] = True
    net["lanes"] = [{"from": "vendor", "to": "dc", "mode": "truck", "lead_time": {"dist": "exponential", "mean": LEAD}},
                    {"from": "dc", "to": ["ca", "cb"], "mode": "truck", "lead_time": 0}]
    net["channels"] = {"a": {"patience_days": 0}, "b": {"patience_days": 0}}
    net["customers"] = {
        "ca": {"channel": "a", "served_from": ["dc"], "orders_per_day": LAM_GOLD, "lines_per_order": 1, "qty": 1},
        "cb": {"channel": "b", "served_from": ["dc"], "orders_per_day": LAM_SILVER, "lines_per_order": 1, "qty": 1}}
    gold: dict[str, Any] = {"replenishment": {"type": "base_stock", "S": S}}
    if levels is not None:
        gold["stock_allocation"] = {"type": "critical_levels", "levels": levels, **allocation}
    cfg["segments"] = {"gold": {"sla": {"fill_rate": 0.9, "lead_time_days": 0}, "priority": 1, "policies": gold},
                       "silver": {"sla": {"fill_rate": 0.8, "lead_time_days": 0}, "priority": 2}}
    cfg["assignment"] = {"default": "gold", "rules": [{"channels": ["b"], "segment": "silver"}]}
    return cfg


@pytest.fixture(scope="module")
def rationed_runs() -> list[simulator.Results]:
    return replicate_runs(two_class_config({"silver": C}, rationed="lost"), 8, horizon=900.0, warmup=50.0)


def _per_class(runs: list[simulator.Results], column: str) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {"gold": [], "silver": []}
    for r in runs:
        k = r.kpis.set_index("segment")
        for seg in out:
            out[seg].append(float(k.loc[seg, column]) / (float(k.loc[seg, "demand_units"]) if column != "fill_rate"
                                                         else 1.0))
    return out


def test_critical_level_fill_rates_match_the_markov_chain(rationed_runs: list[simulator.Results]) -> None:
    pi = chain(S, LAM_GOLD, LAM_SILVER, 1.0 / LEAD, C)
    fill = _per_class(rationed_runs, "fill_rate")
    assert_covers(fill["gold"], float(pi[1:].sum()), "gold fill rate (n > 0)")
    assert_covers(fill["silver"], float(pi[C + 1:].sum()), "silver fill rate (n > c)")
    # the silver units held back are the demand that met 1..c units on the shelf
    assert_covers(_per_class(rationed_runs, "rationed_units")["silver"], float(pi[1:C + 1].sum()),
                  "silver share held back (0 < n <= c)")


def test_without_levels_both_classes_see_the_erlang_loss() -> None:
    runs = replicate_runs(two_class_config(), 6, horizon=900.0, warmup=50.0)
    pi = chain(S, LAM_GOLD, LAM_SILVER, 1.0 / LEAD, 0)  # c = 0: first come, first served
    fill = _per_class(runs, "fill_rate")
    for seg in ("gold", "silver"):
        assert_covers(fill[seg], float(pi[1:].sum()), f"{seg} fill rate without levels")
    assert all(r.kpis["rationed_units"].sum() == 0 for r in runs)
    assert len(runs[0].tables["rationing"]) == 0


def test_rationed_units_conserve(rationed_runs: list[simulator.Results]) -> None:
    lines = rationed_runs[0].order_lines
    assert np.allclose(lines["qty"], lines["shipped"] + lines["lost"] + lines["open"])
    held = rationed_runs[0].tables["rationing"]
    assert set(held["segment"]) == {"silver"}
    assert (held["qty"] == 1).all()  # unit demand: a held-back line is held back whole


def test_backordered_rationing_conserves_and_serves_gold_first() -> None:
    cfg = two_class_config({"silver": C}, backorders="priority")
    cfg["network"]["channels"] = {"a": {"patience_days": 2}, "b": {}}
    cfg.update(horizon_days=300, warmup_days=0, seed=2)
    r = simulator.run(cfg)
    lines = r.order_lines
    assert np.allclose(lines["qty"], lines["shipped"] + lines["lost"] + lines["open"])
    k = r.kpis.set_index("segment")
    assert k.loc["silver", "rationed_units"] > 0 and k.loc["gold", "rationed_units"] == 0
    assert k.loc["gold", "fill_rate"] > k.loc["silver", "fill_rate"]
    ub = r.tables["unit_balance"]
    assert np.allclose(ub["initial"] + ub["released"],
                       ub["delivered"] + ub["written_off"] + ub["on_hand_end"] + ub["in_transit_end"]
                       + ub["waiting_for_truck_end"])


# ------------------------------------------------------------------ the policy and Rationing alone
def test_levels_are_nested_and_scaled() -> None:
    p = CriticalLevels(levels={"core": 10})
    assert p.reserves(["fast", "core", "tail"], 50.0) == {"fast": 0.0, "core": 10.0, "tail": 10.0}
    days = CriticalLevels(levels={"core": 1.5, "tail": 3}, basis="days")
    assert days.reserves(["fast", "core", "tail"], 20.0) == {"fast": 0.0, "core": 30.0, "tail": 60.0}
    assert FirstComeFirstServed().reserves(["fast"], 5.0) == {"fast": 0.0}
    assert not FirstComeFirstServed().active and CriticalLevels().active


@pytest.mark.parametrize(("params", "match"), [
    ({"levels": {"core": -1}}, "levels of segment 'core'"),
    ({"basis": "weeks"}, "basis must be one of units, days"),
    ({"rationed": "drop"}, "rationed must be one of"),
    ({"backorders": "newest"}, "backorders must be one of"),
])
def test_bad_parameters_are_refused(params: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        CriticalLevels(**params)
    with pytest.raises(ConfigError, match="stock_allocation"):
        build_policy("stock_allocation", {"type": "critical_levels", **params},
                     "segments.fast.policies.stock_allocation")


def test_config_names_unknown_and_unnested_levels() -> None:
    cfg = two_class_config({"bronze": 2})
    with pytest.raises(ConfigError, match=r"stock_allocation\.levels\.bronze"):
        simulator.build_spec(cfg)
    cfg = two_class_config({"gold": 4, "silver": 2})
    with pytest.raises(ConfigError, match="levels are nested"):
        simulator.build_spec(cfg)


class _Point:
    """A stock point's state, as much as ``Rationing`` reads (no simulation)."""

    def __init__(self, on_hand: float) -> None:
        self.on_hand = on_hand
        self.backlog: deque[Request] = deque()
        self.backlog_qty = 0.0
        self.shipped: list[tuple[str, float]] = []
        self.dc = SimpleNamespace(up=True)
        self.ctx = SimpleNamespace(env=SimpleNamespace(now=0.0))
        self.node = "dc"

    def dispatch(self, req: Request, qty: float) -> None:
        self.shipped.append((req.dest_node, qty))

    def wait(self, req: Request) -> None:
        self.backlog.append(req)
        self.backlog_qty += req.open


SEGS = {name: SimpleNamespace(name=name, priority=i + 1) for i, name in enumerate(("fast", "core", "tail"))}


def _req(seg: str, qty: float, who: str) -> Request:
    return Request("X", qty, who, None, SEGS[seg], "customer", 0.0)  # type: ignore[arg-type]


@pytest.mark.parametrize(("backorders", "expected"), [
    ("oldest_first", [("core1", 8.0), ("fast1", 2.0)]),   # oldest first
    ("priority", [("fast1", 8.0), ("core1", 2.0)]),       # fast first
])
def test_backorders_filled_in_the_chosen_order(backorders: str, expected: list[tuple[str, float]]) -> None:
    rationing = Rationing(CriticalLevels(backorders=backorders), SEGS, 1.0, "dc", "X", [])  # type: ignore[arg-type]
    point = _Point(on_hand=10.0)
    point.wait(_req("core", 8, "core1"))
    point.wait(_req("fast", 8, "fast1"))
    rationing.serve_backlog(point)  # type: ignore[arg-type]
    assert point.shipped == expected
    assert point.on_hand == 0 and point.backlog_qty == 6
    assert [r.dest_node for r in point.backlog] == [expected[1][0]]  # the one still short waits


def test_a_held_back_backorder_lets_more_important_ones_pass() -> None:
    rows: list[tuple[float, str, str, str, float]] = []
    rationing = Rationing(CriticalLevels(levels={"tail": 5}), SEGS, 1.0, "dc", "X", rows)  # type: ignore[arg-type]
    point = _Point(on_hand=4.0)
    point.wait(_req("tail", 3, "tail1"))
    point.wait(_req("core", 3, "core1"))
    rationing.serve_backlog(point)  # type: ignore[arg-type]
    assert point.shipped == [("core1", 3.0)]  # tail is at its level; core behind it is filled
    assert rationing.take(point, _req("fast", 5, "fast2")) == 1.0  # type: ignore[arg-type]
    assert rationing.take(point, _req("tail", 2, "tail2")) == 0.0  # type: ignore[arg-type]
    assert rows == []  # only customer order lines are booked as held back
    point.on_hand = 7.0  # tail may take 2 above its level: the older tail backorder comes first, oldest first
    assert rationing.take(point, _req("tail", 2, "tail3")) == 0.0  # type: ignore[arg-type]
    assert rationing.take(point, _req("fast", 9, "fast3")) == 0.0  # type: ignore[arg-type]
    by_priority = Rationing(CriticalLevels(levels={"tail": 5}, backorders="priority"), SEGS, 1.0, "dc", "X",
                            rows)  # type: ignore[arg-type]
    assert math.isclose(by_priority.take(point, _req("fast", 9, "fast3")), 7.0)  # type: ignore[arg-type]


def test_level_zero_is_first_come_first_served() -> None:
    """Critical levels of 0, backorders oldest first, give exactly the first-come-first-served run."""
    runs = []
    for levels in (None, {"silver": 0}):
        cfg = two_class_config(levels)
        cfg["network"]["channels"] = {"a": {"patience_days": 1.5}, "b": {"ship_complete": True}}
        cfg["network"]["customers"]["cb"]["qty"] = {"dist": "poisson", "mean": 2}
        cfg.update(horizon_days=200, warmup_days=0, seed=5)
        runs.append(simulator.run(cfg).order_lines)
    assert runs[0]["lost"].sum() > 0 and (runs[0]["immediate"] < runs[0]["qty"]).sum() > 20
    pd.testing.assert_frame_equal(runs[0], runs[1])
