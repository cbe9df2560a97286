"""Customer goodwill (issue 17.5): lost and late units lower the customer's future demand rate,
which recovers with a half-life.

Independent calculation: one customer ordering 10 units once a day, lost sales, and a DC whose
first stock arrives just after the first order, so exactly that order (one day of demand) is lost
and no other. With lost_penalty p and half-life h, goodwill right after the loss is 1 - p and then
g(t) = 1 - p 2^(-(t - t0) / h); each later daily order is placed with probability g(t), so the
expected number of orders placed is the sum of g over the order times.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import simulator
from simulator.engine.errors import ConfigError
from simulator.engine.goodwill import Goodwill
from simulator.engine.spec import GoodwillRule
from tests.conftest import load_config
from tests.stats import assert_covers

P, HALF, T0, HORIZON = 0.5, 20.0, 0.5, 120.0


def one_loss_config(seed: int, **goodwill: Any) -> dict[str, Any]:
    cfg = load_config("single_stage")
    net = cfg["network"]
    net["channels"]["store"] = {"patience_days": 0, "goodwill": {"lost_penalty": P, "recovery_half_life_days": HALF,
                                                                 **goodwill}}
    net["customers"]["shop"]["qty"] = 10
    net["lanes"][0]["lead_time"] = 1
    net["warehouses"]["dc"]["initial_stock"] = 0
    cfg["segments"]["only"]["policies"] = {"replenishment": {"type": "base_stock", "S": 1000}}
    cfg.update(horizon_days=HORIZON, warmup_days=0, seed=seed)
    return cfg


def g(t: float) -> float:
    return 1.0 - P * 2.0 ** (-(t - T0) / HALF)


@pytest.fixture(scope="module")
def runs() -> list[simulator.Results]:
    return [simulator.run(one_loss_config(seed)) for seed in range(12)]


def test_one_lost_day_gives_the_known_demand_path(runs: list[simulator.Results]) -> None:
    times = np.arange(1.5, HORIZON, 1.0)
    early, late = times[times < 30], times[times >= 30]
    counts_early, counts_late = [], []
    for r in runs:
        lines = r.order_lines
        assert lines["lost"].sum() == 10 and lines.loc[lines["time"] == T0, "lost"].item() == 10  # the one loss
        t = lines["time"].to_numpy()
        counts_early.append(float(((t > 1) & (t < 30)).sum()))
        counts_late.append(float((t >= 30).sum()))
    assert_covers(counts_early, sum(g(t) for t in early), "orders placed days 1-30")
    assert_covers(counts_late, sum(g(t) for t in late), "orders placed days 30-120")


def test_forgone_demand_is_the_integral_of_lost_goodwill(runs: list[simulator.Results]) -> None:
    table = runs[0].tables["goodwill"]
    end = float(table["day"].max() + 1)
    # 10 units a day x integral of (1 - g) from the loss to the last day booked
    expected = 10.0 * P * HALF / math.log(2) * (1 - 2.0 ** (-(end - T0) / HALF))
    assert table["forgone_units"].sum() == pytest.approx(expected, rel=1e-9)
    assert table["forgone_revenue"].sum() == pytest.approx(10 * expected, rel=1e-9)  # price 10
    assert table["goodwill"].iloc[-1] == pytest.approx(g(end), rel=1e-9)
    k = runs[0].kpis.set_index("segment")
    assert k.loc["only", "forgone_units"] == pytest.approx(expected, rel=1e-9)


def test_no_failures_no_change() -> None:
    """Goodwill on a customer that never loses service places every order it would without it."""
    cfg = one_loss_config(3)
    cfg["network"]["warehouses"]["dc"]["initial_stock"] = 1000
    with_goodwill = simulator.run(cfg).order_lines
    del cfg["network"]["channels"]["store"]["goodwill"]
    without = simulator.run(cfg).order_lines
    assert len(with_goodwill) == len(without) == int(HORIZON)
    assert len(simulator.run(one_loss_config(3)).order_lines) < len(without)


def test_goodwill_alone() -> None:
    rule = GoodwillRule(lost_penalty=0.2, late_penalty=0.05, recovery_half_life_days=10, floor=0.7)
    gw = Goodwill(rule, daily_units=50)
    gw.hit(5.0, 50, rule.lost_penalty)  # one day of demand lost
    assert gw.at(5.0) == pytest.approx(0.8)
    assert gw.at(15.0) == pytest.approx(0.9)  # half the gap back after one half-life
    gw.hit(15.0, 100, rule.late_penalty)  # two days of demand late
    assert gw.at(15.0) == pytest.approx(0.8)
    gw.hit(15.0, 500, rule.lost_penalty)  # ten days lost: down to the floor, not below
    assert gw.at(15.0) == pytest.approx(0.7)
    assert gw.forgone == pytest.approx(0.2 * 10 / math.log(2) * 0.5)  # integral of the gap, days 5-15


@pytest.mark.parametrize(("key", "value"), [("lost_penalty", -1), ("recovery_half_life_days", 0), ("floor", 1.5)])
def test_bad_goodwill_is_named(key: str, value: float) -> None:
    cfg = one_loss_config(0, **{key: value})
    with pytest.raises(ConfigError, match=f"network.channels.store.goodwill.{key}"):
        simulator.build_spec(cfg)
