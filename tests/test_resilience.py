"""Resilience metrics on a hand-built case whose answers follow from the setup by hand.

One DC, one supplier, 100 units a day at the middle of each day, order-up-to S = 1100 daily, transit
2 days, customers wait 5 days. The supplier ships nothing on days [60, 80). Reachable stock at day 60
is S - 100 = 1000 units = 10 days, so the order of day 70.5 is the first one not filled: TTS = 10.
Orders held during the outage leave at day 80 and arrive at day 82: service is back from day 82 on,
TTR = 22. Days 70..81 have fill rate 0 against 1 in the baseline: loss area 12 fill-rate-days and
1200 extra backordered units; orders of days 70.5..76.5 give up before day 82: 700 units lost,
7000 of revenue (price 10) and 4200 of margin (10 - 4). At most 5 days of orders wait at once: 500.
"""

from __future__ import annotations

import numpy as np
import pytest

import simulator
from analysis.resilience import (
    ResilienceSettings,
    resilience_table,
    time_to_recover,
    time_to_survive,
    without_disruptions,
)
from tests.conftest import load_config


@pytest.fixture(scope="module")
def case() -> tuple[simulator.Results, simulator.Results]:
    cfg = load_config("stress_case")
    cfg["scenario"]["disruptions"] = {
        "down": {"kind": "supplier_failure", "target": "vendor", "start": 60, "duration": 20}}
    return simulator.run(cfg), simulator.run(without_disruptions(cfg))


def test_hand_built_case_has_the_known_answers(case) -> None:
    disrupted, baseline = case
    assert baseline.kpis.set_index("segment").loc["only", "fill_rate"] == 1.0
    row = resilience_table(disrupted, baseline, ResilienceSettings()).iloc[0]
    assert (row.tts_days, row.tts_censored) == (10.0, False)
    assert (row.ttr_days, row.ttr_censored) == (22.0, False)
    assert row.service_loss_area == pytest.approx(12.0)
    assert row.extra_backorder_units == pytest.approx(1200.0)
    assert row.extra_lost_units == pytest.approx(700.0)
    assert row.revenue_change == pytest.approx(-7000.0)
    assert row.margin_change == pytest.approx(-4200.0)
    assert row.peak_backlog_units == pytest.approx(500.0)
    assert row.baseline_peak_backlog_units == 0.0
    assert row.lasting_revenue_change == 0.0  # every line placed after day 80 is delivered


def test_goodwill_makes_the_revenue_loss_last() -> None:
    """The same case with goodwill: the 700 lost units cut the customer's orders after the window
    too (lines placed from day 80 on sell less than in the baseline, which loses nothing)."""
    cfg = load_config("stress_case")
    cfg["network"]["channels"]["store"]["goodwill"] = {"lost_penalty": 0.1, "recovery_half_life_days": 30}
    cfg["scenario"]["disruptions"] = {
        "down": {"kind": "supplier_failure", "target": "vendor", "start": 60, "duration": 20}}
    disrupted, baseline = simulator.run(cfg), simulator.run(without_disruptions(cfg))
    row = resilience_table(disrupted, baseline, ResilienceSettings()).iloc[0]
    assert baseline.kpis.set_index("segment").loc["only", "forgone_units"] == 0.0
    assert row.lasting_revenue_change < -1000  # 7 lost days x 0.1 -> ~50% fewer orders, recovering
    # each daily order after day 80 is placed with probability g: the expected revenue missing is the
    # forgone revenue the goodwill table books for those days, within the binomial spread of the orders
    after = disrupted.tables["goodwill"].query("day >= 80")
    gap = 1.0 - after["goodwill"].to_numpy()
    sd = 1000.0 * float(np.sqrt((gap * (1.0 - gap)).sum()))
    assert abs(row.lasting_revenue_change + after["forgone_revenue"].sum()) < 3.5 * sd + 500.0


def test_supplier_failure_stops_its_shipments_inside_the_window_only(case) -> None:
    disrupted, baseline = case
    ship = disrupted.shipments[disrupted.shipments["origin"] == "vendor"]
    assert not ((ship["time"] >= 60) & (ship["time"] < 80)).any()
    # before the window, exactly as in the baseline; the held orders all leave at day 80
    before = lambda s: s[s["time"] < 60][["time", "qty", "arrival"]].reset_index(drop=True)
    base_ship = baseline.shipments[baseline.shipments["origin"] == "vendor"]
    assert before(ship).equals(before(base_ship))
    at_80 = ship[ship["time"] == 80]
    # 20 held daily orders + day 80's own, less the 500 units whose customers gave up by day 80
    # (lost demand leaves the inventory position, so it is not reordered)
    assert at_80["qty"].sum() == pytest.approx(1600.0)
    assert (ship[ship["time"] > 80]["time"] % 1 == 0).all()  # then daily again, as normal
    assert list(disrupted.disruptions[["disruption", "kind", "target", "start", "end"]].iloc[0]) == [
        "down", "supplier_failure", "vendor", 60.0, 80.0]


def test_survival_and_recovery_rules_and_censoring() -> None:
    excess = np.array([0, 0, 0, 5, 5, 0, 0, 0], dtype=float)
    assert time_to_survive(excess, 1, 1.0, threshold=4.0) == (2.0, False)
    assert time_to_survive(excess, 1, 1.0, threshold=100.0) == (7.0, True)  # censored at the horizon
    q = np.full(10, 100.0)
    filled = np.array([100, 100, 50, 50, 100, 100, 90, 100, 100, 100], dtype=float)
    # dropped on day 2; days 4-6 together fill 290/300 = 96.7%, within 0.05 of the baseline's 100%
    assert time_to_recover(q, filled, q, q, 0, 0.0, epsilon=0.05, dwell=3) == (4.0, False)
    assert time_to_recover(q, filled, q, q, 0, 0.0, epsilon=0.02, dwell=3) == (7.0, False)  # 96.7% is not enough
    assert time_to_recover(q, q, q, q, 0, 0.0, epsilon=0.0, dwell=3) == (0.0, False)  # never dropped
    assert time_to_recover(q, filled, q, q, 0, 0.0, epsilon=0.05, dwell=7) == (10.0, True)  # not back by the end
