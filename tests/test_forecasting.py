"""Forecasting per segment: the methods on short series, forecast-error safety stock, overrides, alerts."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import norm
from statsmodels.tsa.holtwinters import SimpleExpSmoothing as StatsmodelsSES

import simulator
from policies.base import ItemStats
from policies.forecast import Croston, HoltWinters, MovingAverage, SimpleExponentialSmoothing
from policies.safety_stock import ForecastError, normal_loss
from simulator.engine.errors import ConfigError
from tests.conftest import load_config
from tests.stats import t_interval

# ---------------------------------------------------------------- methods on short series

INTERMITTENT = np.array([0, 0, 3, 0, 0, 0, 5, 0, 2], dtype=float)


def test_croston_and_sba_by_hand() -> None:
    # Demands 3 (day 2), 5 (day 6), 2 (day 8); alpha 0.1; first interval counted from day -1: 3.
    # sizes: 3 -> 3 + 0.1(5 - 3) = 3.2 -> 3.2 + 0.1(2 - 3.2) = 3.08
    # intervals: 3 -> 3 + 0.1(4 - 3) = 3.1 -> 3.1 + 0.1(2 - 3.1) = 2.99
    classic = Croston(alpha=0.1, variant="classic")
    assert classic.rate(INTERMITTENT) == pytest.approx(3.08 / 2.99, rel=1e-12)
    sba = Croston(alpha=0.1, variant="sba")
    assert sba.rate(INTERMITTENT) == pytest.approx(3.08 / 2.99 * 0.95, rel=1e-12)
    np.testing.assert_allclose(sba.forecast(INTERMITTENT, 4), np.full(4, 3.08 / 2.99 * 0.95))
    assert Croston().rate(np.zeros(5)) == 0.0


def test_ses_by_hand_and_against_statsmodels() -> None:
    y = np.array([10.0, 12.0, 8.0, 15.0, 11.0])
    level = 10.0
    for v in y[1:]:
        level = 0.3 * v + 0.7 * level  # 10.6, 9.82, 11.374, 11.2618
    got = SimpleExponentialSmoothing(alpha=0.3).forecast(y, 3)
    np.testing.assert_allclose(got, np.full(3, 11.2618), rtol=1e-12)
    assert level == pytest.approx(11.2618)
    # Fitted alpha: the same as statsmodels' own least-squares fit from the same start.
    rng = np.random.default_rng(5)
    z = 50 + np.cumsum(rng.normal(0, 2, 60)) + rng.normal(0, 4, 60)
    ref = StatsmodelsSES(z, initialization_method="known", initial_level=z[0]).fit().forecast(1)
    assert SimpleExponentialSmoothing(alpha=None).forecast(z, 1)[0] == pytest.approx(ref[0], rel=1e-9)


def test_moving_average_and_holt_winters_on_a_clean_season() -> None:
    assert MovingAverage(window=3).forecast(np.array([1.0, 2, 3, 4, 8]), 2).tolist() == [5.0, 5.0]
    season = np.array([100, 90, 110, 120, 160, 80, 40], dtype=float)
    y = np.tile(season, 8)
    got = HoltWinters(season_length=7).forecast(y, 14)
    np.testing.assert_allclose(got, np.tile(season, 2), rtol=0.01)


@pytest.mark.parametrize("cls, kwargs, words", [
    (Croston, {"variant": "tsb"}, "variant"),
    (Croston, {"alpha": 0}, "alpha"),
    (HoltWinters, {"season_length": 7, "window": 10}, "window must be at least 16"),
    (MovingAverage, {"refresh_days": 0}, "refresh_days"),
    (ForecastError, {"measure": "mape"}, "measure"),
    (ForecastError, {"over": "week"}, "over must be 'cover' or 'day'"),
])
def test_method_parameters_are_checked(cls: type, kwargs: dict, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        cls(**kwargs)


# ---------------------------------------------------------------- forecast-error safety stock

def test_forecast_error_safety_stock_reproduces_validation_case_1() -> None:
    # Errors of +-20 a day: RMSE 20, MAD 20 (1.25 MAD = 25). Over L + R = 3 days, a fill-rate target
    # of 98.3596% (case 1) needs G(k) = (1 - 0.983596) * 100 / (20 sqrt 3), i.e. k = Phi^-1(0.9).
    stats = ItemStats(100.0, 99.0, 2.0, target_service=0.983596, forecast_errors=(20.0, -20.0) * 20)
    ss = ForecastError(window=40, over="day").units(stats, 3.0)
    assert ss == pytest.approx(norm.ppf(0.9) * 20 * math.sqrt(3), rel=1e-3)
    assert normal_loss(norm.ppf(0.9)) * 20 * math.sqrt(3) == pytest.approx(1.64044, rel=1e-3)  # case 1 backorders
    mad = ForecastError(measure="mad", basis="cycle", service_level=0.9, window=40, over="day").units(stats, 3.0)
    assert mad == pytest.approx(norm.ppf(0.9) * 25 * math.sqrt(3))
    # Measured over the cover, alternating errors partly cancel: every 3-day sum is +-20, so sigma is 20.
    assert ForecastError(window=40).error_sd(stats, 3.0) == pytest.approx(20.0)
    # ... and a lumpy error (one -40 every 3 days, +20 otherwise: daily RMSE 28.3) is 0 over every 3 days.
    lumpy = ItemStats(100.0, 99.0, 2.0, forecast_errors=(20.0, 20.0, -40.0) * 20)
    assert ForecastError(window=60).error_sd(lumpy, 3.0) == pytest.approx(0.0, abs=1e-9)
    assert ForecastError(window=60, over="day").error_sd(lumpy, 3.0) == pytest.approx(math.sqrt(800 * 3))
    # Too few errors yet: the planned sd of demand stands in.
    early = ItemStats(100.0, 30.0, 2.0, target_service=0.9, forecast_errors=(1.0,) * 5)
    assert ForecastError(basis="cycle").units(early, 3.0) == pytest.approx(norm.ppf(0.9) * 30 * math.sqrt(3))


def _seasonal_cfg(seed: int, target: float, horizon: float = 400, **segment: dict) -> dict:
    """One DC, lead time 2 days, daily review; Poisson orders with a strong weekly profile."""
    cfg = load_config("single_stage")
    cfg.update(seed=seed, horizon_days=horizon, warmup_days=100)
    cfg["network"]["customers"]["shop"] = {"channel": "store", "served_from": ["dc"], "orders_per_day": 25,
                                           "qty": {"dist": "poisson", "mean": 3, "shift": 1}}
    cfg["demand"] = {"models": [{"type": "weekly", "profile": [1.0, 1.0, 1.2, 1.2, 1.6, 0.8, 0.2]}]}
    cfg["segments"]["only"] = {
        "sla": {"fill_rate": target, "lead_time_days": 0},
        "policies": {"replenishment": {"type": "order_up_to", "review_period": 1},
                     "safety_stock": {"type": "forecast_error", "window": 56},
                     "forecast": {"type": "holt_winters", "season_length": 7, "refresh_days": 7}},
        **segment,
    }
    return cfg


@pytest.mark.slow
def test_forecast_error_safety_stock_meets_the_fill_rate_target_on_a_seasonal_sku() -> None:
    target = 0.95
    fills = [float(simulator.run(_seasonal_cfg(seed, target)).kpis.set_index("segment").loc["ALL", "fill_rate"])
             for seed in range(6)]
    mean, low, high = t_interval(fills)
    # Within 2 points of the target, with the whole 95% confidence interval inside that band.
    assert target - 0.02 <= low and high <= target + 0.02, (mean, low, high)


# ---------------------------------------------------------------- overrides and their audit trail

def test_override_is_audited_and_changes_exactly_its_period() -> None:
    cfg = _seasonal_cfg(1, 0.95, horizon=200)
    cfg["segments"]["only"]["policies"]["forecast"] = {"type": "moving_average", "window": 14}
    cfg["demand"]["overrides"] = [{"skus": ["W-01"], "start": 150, "end": 160, "value": 400, "author": "a.khan",
                                   "reason": "tender won: hospital chain"}]
    res = simulator.run(cfg)
    audit = res.forecast_overrides
    assert len(audit) == 1
    row = audit.iloc[0]
    assert (row["node"], row["sku"], row["segment"], row["author"], row["reason"], row["consensus"]) == \
        ("dc", "W-01", "only", "a.khan", "tender won: hospital chain", 400)
    assert row["start"] == 150 and row["end"] == 160 and row["time"] <= 150
    f = res.forecasts
    changed = f[f["consensus"] != f["statistical"]]
    assert changed["day"].tolist() == list(range(150, 160))
    assert (changed["consensus"] == 400).all()
    # The plan follows the consensus: more is ordered while the override looks ahead.
    orders = res.replenishments.set_index("time")["qty"]
    assert orders.loc[145:158].mean() > 1.5 * orders.loc[120:140].mean()


# ---------------------------------------------------------------- alerts

def _alert_cfg(capacity: float | None) -> dict:
    cfg = _seasonal_cfg(3, 0.95, horizon=150)
    cfg["warmup_days"] = 0
    seg = cfg["segments"]["only"]
    seg["alerts"] = {"stockout_within_days": 2, "forecast_deviation_pct": 60}
    seg["policies"]["forecast"] = {"type": "moving_average", "window": 28}
    seg["policies"]["safety_stock"] = {"type": "z_sigma", "service_level": 0.9999}
    cfg["demand"]["models"] = []
    if capacity is not None:
        cfg["network"]["suppliers"]["vendor"]["capacity_per_day"] = capacity
    return cfg


def test_alerts_fire_on_a_constructed_stockout_and_not_on_a_healthy_run() -> None:
    healthy = simulator.run(_alert_cfg(None))
    assert healthy.kpis.set_index("segment").loc["ALL", "fill_rate"] > 0.999
    assert len(healthy.alerts) == 0
    assert healthy.kpis.set_index("segment").loc["only", "alerts"] == 0
    # The supplier can make only 60 of the ~100 units a day: stock runs out, orders fall late.
    starved = simulator.run(_alert_cfg(60.0))
    alerts = starved.alerts
    risk = alerts[alerts["kind"] == "stockout_risk"]
    assert len(risk) >= 1
    assert set(risk["node"]) == {"dc"} and set(risk["sku"]) == {"W-01"} and set(risk["segment"]) == {"only"}
    first_backorder = starved.stock.loc[starved.stock["backorders"] > 0, "day"].min()
    # Warned within a day of the first day ending short: a late order is counted on until its due date passes.
    assert risk["time"].min() <= first_backorder + 1
    assert starved.kpis.set_index("segment").loc["only", "alerts"] == len(alerts)


# ---------------------------------------------------------------- config errors of the new keys

@pytest.mark.parametrize("change, key, words", [
    (lambda c: c["segments"]["only"]["policies"].update(forecast={"type": "prophet"}),
     "segments.only.policies.forecast.type", "allowed: croston, holt_winters, moving_average, ses"),
    (lambda c: c["segments"]["only"]["policies"].update(forecast={"type": "croston", "alpha": 1.5}),
     "segments.only.policies.forecast.alpha", "alpha must be in (0, 1]"),
    (lambda c: c["segments"]["only"]["policies"].update(forecast={"type": "ses", "span": 3}),
     "segments.only.policies.forecast.span", "allowed keys here: type, alpha, window, refresh_days"),
    (lambda c: c["segments"]["only"]["policies"].update(safety_stock={"type": "forecast_error", "measure": "max"}),
     "segments.only.policies.safety_stock.measure", "measure must be 'rmse' or 'mad'"),
    (lambda c: c["segments"]["only"]["policies"].update(safety_stock={"type": "dynamic"}),
     "segments.only.policies.safety_stock", "a segment with a forecast re-plans its levels from the forecast"),
    (lambda c: c["segments"]["only"].update(alerts={"stockout_within_days": -1}),
     "segments.only.alerts.stockout_within_days", "must be > 0"),
    (lambda c: c["segments"]["only"].update(alerts={"line_load": 90}),
     "segments.only.alerts.line_load", "allowed keys here: stockout_within_days"),
    (lambda c: c["demand"].update(overrides=[{"skus": ["W-01"], "start": 5, "end": 9, "value": 1, "author": "x"}]),
     "demand.overrides[0].reason", "this key is required"),
    (lambda c: c["demand"].update(overrides=[{"families": ["gadgets"], "start": 5, "end": 9, "value": 1,
                                              "author": "x", "reason": "y"}]),
     "demand.overrides[0].families", "unknown name; allowed: widgets"),
    (lambda c: c["demand"].update(overrides=[{"skus": ["W-01"], "start": 9, "end": 5, "value": 1, "author": "x",
                                              "reason": "y"}]),
     "demand.overrides[0].end", "must be after start"),
])
def test_config_errors_name_key_value_and_allowed(change, key: str, words: str) -> None:
    cfg = _seasonal_cfg(0, 0.95)
    change(cfg)
    with pytest.raises(ConfigError) as exc:
        simulator.build_spec(cfg)
    assert exc.value.key == key
    assert words in str(exc.value)


def test_line_load_alerts_match_the_production_record(config: dict) -> None:
    config.update(horizon_days=60, warmup_days=0)  # every alert counts in the KPIs
    config["segments"]["fast"]["alerts"] = {"line_load_pct": 80, "load_window": 7}
    res = simulator.run(config)
    prod = res.production.assign(dur=lambda d: d["end"] - d["start"])
    expected = []
    for (plant, line), jobs in prod.groupby(["plant", "line"]):
        on_before = False
        for day in range(8, 60):  # busy days booked before each day boundary, over the last 7 days
            busy = jobs.loc[(jobs["end"] < day) & (jobs["end"] >= day - 7), "dur"].sum()
            on = 100 * busy / 7 > 80
            if on and not on_before:
                expected.append((float(day), f"{plant}/{line}", 100 * busy / 7))
            on_before = on
    alerts = res.alerts
    assert set(alerts["kind"]) == {"line_load"} and set(alerts["segment"]) == {"fast"}
    got = sorted(zip(alerts["time"], alerts["node"], alerts["value"], strict=True))
    assert [(t, n) for t, n, _ in got] == sorted((t, n) for t, n, _ in expected)
    np.testing.assert_allclose([v for *_, v in got], [v for *_, v in sorted(expected)], rtol=1e-9)
    assert len(got) > 0
    assert res.kpis.set_index("segment").loc["fast", "alerts"] == len(got)
    assert res.kpis.set_index("segment").loc["core", "alerts"] == 0


def test_shipped_planning_configs_build_and_run() -> None:
    cfg = simulator.compose(["segments=forecast_driven", "+demand=seasonal", "horizon_days=20"])
    spec = simulator.build_spec(cfg)
    assert {type(s.policies.forecast).__name__ for s in spec.segments.values()} == \
        {"HoltWinters", "SimpleExponentialSmoothing", "Croston"}
    assert len(spec.demand_models) == 7
    res = simulator.Model(spec).run()
    f = res.forecasts
    assert set(f["segment"]) == {"fast", "core", "tail"} and f["day"].max() == 18
    refit = f.groupby(["segment", "node", "sku"])["statistical"].nunique() > 1
    assert refit.loc[["fast", "core"]].all()  # Holt-Winters from day 16, SES from day 7
    assert not refit.loc["tail"].any()  # Croston waits for 28 days of history
    hist = simulator.build_spec(simulator.compose(["segments=from_history"]))
    assert set(hist.segment_of.values()) == {"fast", "core", "tail"}


def test_forecast_driven_runs_are_deterministic() -> None:
    cfg = _alert_cfg(60.0)
    a, b = simulator.run(cfg), simulator.run(cfg)
    for name in ("forecasts", "alerts", "replenishments"):
        assert a.tables[name].equals(b.tables[name]), name
