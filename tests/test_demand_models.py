"""Demand models from config: each shapes the order stream as its formula says, only where scoped."""

from __future__ import annotations

import math

import numpy as np
import pytest

import simulator
from simulator.engine.errors import ConfigError
from tests.conftest import load_config

HORIZON = 728  # 104 whole weeks


def _cfg(models: list[dict], horizon: float = HORIZON) -> dict:
    """Two SKUs (W-01 twice as popular as W-02), 60 one-unit lines a day in Poisson arrivals."""
    cfg = load_config("single_stage")
    cfg["horizon_days"], cfg["warmup_days"] = horizon, 0
    cfg["network"]["families"] = {"widgets": {"skus": 2, "prefix": "W", "price": 10, "unit_cost": 4}}
    cfg["network"]["suppliers"]["vendor"]["supplies"] = ["W-01", "W-02"]
    cfg["network"]["customers"]["shop"] = {"channel": "store", "served_from": ["dc"], "orders_per_day": 60,
                                           "qty": 1}
    cfg["demand"] = {"models": models}
    return cfg


def _daily(models: list[dict], sku: str = "W-01", horizon: float = HORIZON) -> np.ndarray:
    lines = simulator.run(_cfg(models, horizon)).order_lines
    lines = lines[lines["sku"] == sku]
    return np.bincount(np.floor(lines["time"]).astype(int), weights=lines["qty"], minlength=int(horizon))


def test_weekly_profile_shapes_the_week_and_keeps_the_volume() -> None:
    profile = [1.0, 1.0, 1.2, 1.2, 1.6, 0.8, 0.2]
    base, shaped = _daily([]), _daily([{"type": "weekly", "profile": profile}])
    by_day = shaped.reshape(-1, 7).mean(axis=0)
    expected = np.array(profile) / np.mean(profile) * base.mean()
    # ~104 days x ~40 units per weekday: relative sd ~1.5%; 6% is four sd.
    np.testing.assert_allclose(by_day, expected, rtol=0.06)
    assert shaped.sum() == pytest.approx(base.sum(), rel=0.03)


def test_yearly_season_and_trend() -> None:
    d = _daily([{"type": "yearly", "amplitude": 0.5, "peak_day": 91}], horizon=365)
    peak, trough = d[61:121].mean(), d[244:304].mean()  # 60 days around the peak and the trough
    mean_cos = math.sin(math.pi * 60 / 365) / (math.pi * 60 / 365)  # average of cos over the window
    assert peak / trough == pytest.approx((1 + 0.5 * mean_cos) / (1 - 0.5 * mean_cos), rel=0.08)
    t = _daily([{"type": "trend", "per_year": 0.5}])
    assert t[-91:].mean() / t[:91].mean() == pytest.approx((1 + 0.5 * 682.5 / 365) / (1 + 0.5 * 45.5 / 365),
                                                           rel=0.06)


def test_promotion_lifts_only_its_skus_in_its_window() -> None:
    promo = [{"type": "promotion", "start": 100, "end": 130, "uplift": 2.5, "skus": ["W-01"]}]
    base, lifted = _daily([], horizon=200), _daily(promo, horizon=200)
    assert lifted[100:130].sum() / base[100:130].sum() == pytest.approx(2.5, rel=0.08)
    np.testing.assert_array_equal(lifted[:100], base[:100])  # same demand outside (paired streams)
    np.testing.assert_array_equal(_daily(promo, "W-02", 200), _daily([], "W-02", 200))


def test_launch_by_analog() -> None:
    # W-02 is launched on day 100 at 0.75 x the rate of W-01, ramping over 50 days.
    launch = [{"type": "launch", "sku": "W-02", "analog": "W-01", "scale": 0.75, "start": 100, "ramp_days": 50}]
    new, analog = _daily(launch, "W-02", 400), _daily([], "W-01", 400)
    assert new[:100].sum() == 0
    assert new[150:].mean() / analog[150:].mean() == pytest.approx(0.75, rel=0.06)
    assert new[100:150].mean() / analog[100:150].mean() == pytest.approx(0.75 / 2, rel=0.12)


def test_intermittent_demand_is_compound_poisson_and_planned() -> None:
    cfg = _cfg([])
    cfg["demand"]["intermittent"] = [{"customer": "shop", "skus": ["W-02"], "mean_interval_days": 5,
                                      "size": {"dist": "gamma", "mean": 50, "sd": 40}}]
    model = simulator.Model(simulator.build_spec(cfg))
    planned = model.plans[("dc", "W-02")].stats
    assert planned.mean_daily == pytest.approx(60 / 3 + 50 / 5)  # regular share of W-02 + the lumpy stream
    lines = model.run().order_lines
    lumpy = lines[lines["customer"] == "shop/W-02/intermittent"]
    assert set(lumpy["sku"]) == {"W-02"} and set(lumpy["channel"]) == {"store"}
    n = len(lumpy)  # Poisson with mean 728 / 5 = 145.6, sd 12.1
    assert abs(n - 145.6) < 4 * math.sqrt(145.6)
    gaps = np.diff(np.sort(lumpy["time"].to_numpy()))
    assert gaps.std() / gaps.mean() == pytest.approx(1.0, abs=0.25)  # exponential gaps: CV 1
    assert lumpy["qty"].mean() == pytest.approx(50, abs=4 * 40 / math.sqrt(n))


@pytest.mark.parametrize("model, key, words", [
    ({"type": "weekly", "profile": [1, 1, 1]}, "demand.models[0].profile", "expected 7 numbers"),
    ({"type": "seasonal"}, "demand.models[0].type", "allowed: launch, promotion, trend, weekly, yearly"),
    ({"type": "yearly", "amplitude": 1.2}, "demand.models[0].amplitude", "must be < 1"),
    ({"type": "promotion", "start": 50, "end": 40, "uplift": 2}, "demand.models[0].end", "must be after start"),
    ({"type": "promotion", "start": 5, "end": 9, "uplift": 2, "skus": ["X-*"]}, "demand.models[0].skus",
     "matches no SKU"),
    ({"type": "trend", "per_year": 0.1, "segments": ["gold"]}, "demand.models[0].segments", "unknown name"),
    ({"type": "launch", "sku": "W-02", "analog": "W-09"}, "demand.models[0].analog", "allowed: W-01, W-02"),
    ({"type": "weekly", "profile": [1] * 7, "peak_day": 3}, "demand.models[0].peak_day", "unknown key"),
])
def test_demand_model_config_errors(model: dict, key: str, words: str) -> None:
    with pytest.raises(ConfigError) as exc:
        simulator.build_spec(_cfg([model]))
    assert exc.value.key == key
    assert words in str(exc.value)


@pytest.mark.parametrize("item, key, words", [
    ({"customer": "mall", "skus": ["W-01"], "mean_interval_days": 5, "size": 3}, "demand.intermittent[0].customer",
     "allowed: shop"),
    ({"customer": "shop", "skus": ["Q-*"], "mean_interval_days": 5, "size": 3}, "demand.intermittent[0].skus",
     "matches no SKU"),
    ({"customer": "shop", "skus": ["W-01"], "mean_interval_days": 0, "size": 3},
     "demand.intermittent[0].mean_interval_days", "must be > 0"),
    ({"customer": "shop", "skus": ["W-01"], "mean_interval_days": 5, "size": {"dist": "gamma", "mean": 5}},
     "demand.intermittent[0].size.sd", "this key is required"),
])
def test_intermittent_config_errors(item: dict, key: str, words: str) -> None:
    cfg = _cfg([])
    cfg["demand"]["intermittent"] = [item]
    with pytest.raises(ConfigError) as exc:
        simulator.build_spec(cfg)
    assert exc.value.key == key
    assert words in str(exc.value)
