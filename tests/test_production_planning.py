"""Batch sizing (EPQ per family) and planned maintenance windows on production lines."""

from __future__ import annotations

import math

import numpy as np
import pytest

import simulator
from policies.batching import AsOrdered, EconomicProductionQuantity
from simulator.engine.errors import ConfigError
from tests.conftest import load_config


def test_epq_formula() -> None:
    epq = EconomicProductionQuantity()
    d, k, h, p = 100.0, 400.0, 0.01, 1700.0
    q = math.sqrt(2 * d * k / (h * (1 - d / p)))
    assert epq.cycle_days(d, k, h, p) == pytest.approx(q / d)
    assert epq.cycle_days(d, 0.0, h, p) == 0.0  # no changeover cost: nothing to trade
    assert epq.cycle_days(2000.0, k, h, p) == 0.0  # demand beyond the line's rate
    assert AsOrdered().cycle_days(d, k, h, p) == 0.0


@pytest.fixture(scope="module")
def south_runs() -> tuple[simulator.Model, simulator.Results, simulator.Results]:
    days = "horizon_days=90"
    model = simulator.Model(simulator.build_spec(simulator.compose([days, "+policy=epq_south"])))
    return model, simulator.run(simulator.compose([days])), model.run()


def test_epq_batches_per_family(south_runs: tuple[simulator.Model, simulator.Results, simulator.Results]) -> None:
    model, plain, epq = south_runs
    plant = model.plants["plant_south"]
    spec = model.spec
    # Planned demand on plant_south, per SKU, from the DC stock points it feeds.
    demand = {}
    for p in model.points:
        if p.source is plant:
            demand[p.sku] = model.plans[(p.node, p.sku)].stats.mean_daily
    fam = [s for s in demand if spec.skus[s].family == "personal_care"]
    d = sum(demand[s] for s in fam)
    h = spec.skus[fam[0]].unit_cost * spec.holding_rate / 365
    cycle = math.sqrt(2 * d * 400 / (h * (1 - d / 1700))) / d
    for s in fam:
        assert plant.batch_qty[s] == pytest.approx(demand[s] * cycle)
        assert plant.min_order_qty(s) == max(300, demand[s] * cycle)
    # Every production order on the south lines is at least its EPQ batch; fewer, larger batches.
    south = epq.production[epq.production["plant"] == "plant_south"]
    assert (south["qty"].to_numpy() >= south["sku"].map(plant.min_order_qty).to_numpy() - 1e-9).all()
    plain_south = plain.production[plain.production["plant"] == "plant_south"]
    assert south["qty"].mean() > 1.5 * plain_south["qty"].mean()
    assert south["changeover_cost"].sum() < plain_south["changeover_cost"].sum()


def windows_overlap(start: float, end: float, first: float, every: float, duration: float) -> float:
    k0 = max(0, math.floor((start - first) / every))
    total, k = 0.0, k0
    while first + k * every < end:
        lo = first + k * every
        total += max(0.0, min(end, lo + duration) - max(start, lo))
        k += 1
    return total


def test_maintenance_windows_stop_the_line() -> None:
    cfg = load_config("mto_line", horizon_days=1500, warmup_days=100)
    line = cfg["network"]["plants"]["works"]["lines"]["L1"]
    line["unit_time"] = 1
    line["maintenance"] = {"first": 5, "every": 20, "duration": 3}
    prod = simulator.run(cfg).production
    spans = zip(prod["start"], prod["end"], strict=True)
    worked = np.array([(e - s) - windows_overlap(s, e, 5, 20, 3) for s, e in spans])
    assert worked == pytest.approx(np.ones(len(prod)))  # exactly one day of work per unit, never in a window
    assert ((prod["end"] - prod["start"]) > 1 + 1e-9).sum() > 10  # some jobs were interrupted and resumed


def test_maintenance_config_errors() -> None:
    cfg = load_config("mto_line")
    cfg["network"]["plants"]["works"]["lines"]["L1"]["maintenance"] = {"every": 10, "duration": 12}
    with pytest.raises(ConfigError, match=r"lines\.L1\.maintenance\.duration.*shorter than every"):
        simulator.build_spec(cfg)
