"""Carriers as named entities on lanes: their on-time record per lane, a due date on every shipment,
and the carrier scorecard by carrier and segment."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import simulator
from analysis.freight import carrier_scorecard
from simulator.engine.errors import ConfigError
from tests.conftest import load_config

ON_TIME, DELAY_MEAN = 0.8, 1.5  # acme's default record
WEST_ON_TIME = 0.5  # acme's record on the lane to the second shop


def carrier_network(horizon: float = 400) -> dict:
    """A DC with ample stock ships to two shops; carrier acme runs both lanes, worse on the second."""
    cfg = load_config("single_stage", horizon_days=horizon, warmup_days=0)
    net = cfg["network"]
    net["transport_modes"] = {"truck": {}, "ltl": {"cost_per_unit": 0.1, "cost_per_shipment": 5}}
    net["lanes"][1:] = [{"from": "dc", "to": ["shop", "shop_west"], "mode": "ltl", "carrier": "acme",
                         "lead_time": {"dist": "uniform", "low": 1, "high": 2}}]
    net["carriers"] = {"acme": {"on_time": ON_TIME, "delay": {"dist": "exponential", "mean": DELAY_MEAN},
                                "lanes": [{"from": "dc", "to": "shop_west", "on_time": WEST_ON_TIME}]}}
    shop = {"channel": "store", "served_from": ["dc"], "orders_per_day": 4, "lines_per_order": 1, "qty": 10}
    net["customers"] = {"shop": shop, "shop_west": dict(shop)}
    cfg["segments"]["only"]["policies"] = {"replenishment": {"type": "base_stock", "S": 100000}}
    return cfg


@pytest.fixture(scope="module")
def run() -> simulator.Results:
    return simulator.run(carrier_network())


def _interval(p: float, n: int) -> float:
    return 3.0 * math.sqrt(p * (1 - p) / n)  # ~99.7% for a binomial share


def test_every_shipment_has_a_due_date(run: simulator.Results) -> None:
    ship = run.shipments
    assert ship["due"].notna().all() and (ship["due"] >= ship["time"] + 1 - 1e-9).all()  # lead time >= 1 day
    assert (ship["arrival"] >= ship["due"] - 1e-9).all()  # late, never early
    assert set(ship["carrier"]) == {"acme", "truck"}  # a lane without a carrier: its mode stands for it


def test_on_time_share_and_delay_match_the_carriers_record(run: simulator.Results) -> None:
    ship = run.shipments[run.shipments["carrier"] == "acme"]
    for dest, p in (("shop", ON_TIME), ("shop_west", WEST_ON_TIME)):
        lane = ship[ship["dest"] == dest].groupby("shipment").first()
        late_by = lane["arrival"] - lane["due"]
        n = len(lane)
        assert n > 1000
        assert abs((late_by <= 1e-9).mean() - p) < _interval(p, n), dest
        late = late_by[late_by > 1e-9]
        # exponential delay: mean DELAY_MEAN, sd DELAY_MEAN (the lane record inherits the carrier's delay)
        assert abs(late.mean() - DELAY_MEAN) < 3 * DELAY_MEAN / math.sqrt(len(late)), dest


def test_scorecard_counts_agree_with_the_shipment_table(run: simulator.Results) -> None:
    card = run.carrier_scorecard.set_index(["carrier", "segment"])
    ship = run.shipments
    for carrier in ("acme", "truck"):
        rows = ship[ship["carrier"] == carrier]
        ids = set(rows["shipment"].tolist())
        on_time = {int(s) for s, a, d in zip(rows["shipment"], rows["arrival"], rows["due"], strict=True)
                   if a <= d + 1e-9}
        assert set(rows["segment"]) == {"only"}  # customer lines and the DC's replenishment alike
        for label in ("only", "ALL"):
            got = card.loc[(carrier, label)]
            assert got["shipments"] == len(ids)
            assert got["units"] == pytest.approx(rows["qty"].sum())
            assert got["on_time"] == pytest.approx(len(on_time & ids) / len(ids))
            assert got["cost_per_unit"] == pytest.approx(rows["cost"].sum() / rows["qty"].sum())
    acme = card.loc[("acme", "ALL")]
    expected_late = (ON_TIME + WEST_ON_TIME) / 2  # equal demand on the two lanes
    n = int(acme["shipments"])
    assert abs(acme["on_time"] - expected_late) < _interval(expected_late, n)
    assert acme["mean_delay_days"] == pytest.approx((1 - acme["on_time"]) * acme["mean_delay_if_late_days"])


def test_scorecard_counts_a_shipment_once_per_segment() -> None:
    import pandas as pd

    ship = pd.DataFrame({"time": [1.0, 1.0, 2.0], "carrier": ["c", "c", "c"], "segment": ["a", "b", "a"],
                         "shipment": [7, 7, 8], "qty": [2.0, 3.0, 5.0], "cost": [4.0, 6.0, 5.0],
                         "arrival": [3.0, 3.0, 4.0], "due": [2.5, 2.5, 4.0]})
    card = carrier_scorecard(ship).set_index("segment")
    assert card.loc["a", "shipments"] == 2 and card.loc["b", "shipments"] == 1 and card.loc["ALL", "shipments"] == 2
    assert card.loc["a", "on_time"] == 0.5 and card.loc["b", "on_time"] == 0.0 and card.loc["ALL", "on_time"] == 0.5
    assert card.loc["ALL", "mean_delay_days"] == pytest.approx(0.25)  # (0.5 + 0) / 2 shipments
    assert card.loc["ALL", "cost_per_unit"] == pytest.approx(1.5)
    assert carrier_scorecard(ship, warmup=1.5)["shipments"].tolist() == [1, 1]


def test_the_run_writes_the_scorecard_and_the_report_shows_it(tmp_path: Path) -> None:
    r = simulator.run(carrier_network(horizon=20))
    r.write(tmp_path)
    written = np.genfromtxt(tmp_path / "carrier_scorecard.csv", delimiter=",", names=True, dtype=None,
                            encoding="utf-8")
    assert len(written) == len(r.carrier_scorecard)
    page = r.report(tmp_path).read_text(encoding="utf-8")
    assert "Carrier scorecard" in page and "acme" in page


@pytest.mark.parametrize(("change", "key"), [
    (lambda net: net["lanes"][1].update(carrier="zeta"), "network.lanes[1].carrier"),
    (lambda net: net["carriers"]["acme"]["lanes"][0].update(to="nowhere"), "network.carriers.acme.lanes[0]"),
    (lambda net: net["carriers"]["acme"].update(on_time=1.5), "network.carriers.acme.on_time"),
    (lambda net: net["carriers"]["acme"].pop("delay"), "network.carriers.acme.delay"),
    (lambda net: net["carriers"]["acme"].update(speed=3), "network.carriers.acme"),
])
def test_bad_carrier_config_is_refused(change: object, key: str) -> None:
    cfg = carrier_network(horizon=5)
    change(cfg["network"])  # type: ignore[operator]
    with pytest.raises(ConfigError) as err:
        simulator.build_spec(cfg)
    assert key in str(err.value)
