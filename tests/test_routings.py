"""Routings: a family made in several operations on lines of different plants.

Validation case 5 G2 (../shared/validation-cases.md): single-unit orders, Poisson 0.75/day, made to
order through two exponential stations in series (rates 1.0 and 1.25 per day). By Jackson's theorem
(Burke's output theorem; Reich's independence of tandem sojourns) the order lead time is the sum of
two independent exponentials with rates a1 = mu1 - lambda = 0.25 and a2 = mu2 - lambda = 0.5:
mean 1/a1 + 1/a2 = 6 days, P(T > t) = (a2 e^{-a1 t} - a1 e^{-a2 t}) / (a2 - a1). The expected
values are computed here from those formulas (the 90th percentile by root finding), and each must
lie inside the Bonferroni-widened t-interval of the replication means.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import simulator
from simulator.engine.errors import ConfigError
from tests.conftest import load_config, replicate_runs
from tests.stats import assert_covers

LAM, MU1, MU2 = 0.75, 1.0, 1.25
A1, A2 = MU1 - LAM, MU2 - LAM
REPLICATIONS = 10
HORIZON, WARMUP = 9000.0, 1000.0


def survival(t: float) -> float:
    """P(T > t) of the hypoexponential sojourn time through the two stations."""
    return (A2 * math.exp(-A1 * t) - A1 * math.exp(-A2 * t)) / (A2 - A1)


def p90() -> float:
    from scipy.optimize import brentq

    return float(brentq(lambda t: survival(t) - 0.1, 0.0, 100.0))


def lead_times(r: simulator.Results):  # noqa: ANN201
    ol = r.order_lines
    ol = ol[(ol["time"] >= r.spec.warmup_days) & (ol["time"] <= r.spec.horizon_days - 80)]
    assert ol["delivered"].eq(1).all()
    return ol["last_delivery"] - ol["time"]


@pytest.fixture(scope="module")
def tandem() -> list[simulator.Results]:
    return replicate_runs(load_config("tandem_line", quiet=True), REPLICATIONS, HORIZON, WARMUP)


def test_case5_g2_tandem_sojourn_time(tandem: list[simulator.Results]) -> None:
    """Mean, P(T > 10) and P(T <= p90) of the lead time through two stations in tandem."""
    t90 = p90()
    assert abs(survival(10.0) - 0.157432) < 1e-6 and abs(t90 - 11.879) < 1e-3  # the case's printed values
    means, gt10, le90 = [], [], []
    for r in tandem:
        lt = lead_times(r)
        means.append(float(lt.mean()))
        gt10.append(float((lt > 10).mean()))
        le90.append(float((lt <= t90).mean()))
    family = 1 - 0.05 / 3
    assert_covers(means, 1 / A1 + 1 / A2, "case 5 G2 mean lead time", family)
    assert_covers(gt10, survival(10.0), "case 5 G2 P(lead time > 10)", family)
    assert_covers(le90, 0.9, "case 5 G2 P(lead time <= p90)", family)


def test_each_unit_passes_every_operation_in_order(tandem: list[simulator.Results]) -> None:
    r = tandem[0]
    ops = r.tables["operations"]
    first, second = ops[ops["step"] == 0], ops[ops["step"] == 1]
    assert set(first["line"]) == {"M1"} and set(second["line"]) == {"F1"}
    assert set(first["plant"]) == {"mix"} and set(second["plant"]) == {"fill"}
    # every finished unit went through station 1 first; station 2 starts no earlier than station 1 ended
    assert second["qty"].sum() == r.production["qty"].sum() <= first["qty"].sum()
    ends = first.sort_values("end")["end"].to_numpy()[: len(second)]
    starts = second.sort_values("start")["start"].to_numpy()
    assert (starts >= ends - 1e-9).all()
    assert (r.production["line"] == "F1").all()  # the finished product comes off the last operation


def test_semi_finished_buffer_decouples_finishing() -> None:
    """A semi-finished stock after station 1 that never runs dry leaves only station 2 in the order's
    lead time: an M/M/1 sojourn Exp(mu2 - lambda), mean 2 days, P(T > 4) = e^-2."""
    cfg = load_config("tandem_line", quiet=True)
    cfg["network"]["routings"]["widgets"][0]["stock_after"] = {"s": 40, "S": 70}
    runs = replicate_runs(cfg, 8, 5000.0, 500.0)
    means, gt4 = [], []
    for r in runs:
        lt = lead_times(r)
        means.append(float(lt.mean()))
        gt4.append(float((lt > 4).mean()))
        ops = r.tables["operations"]
        made_semi = ops.loc[ops["step"] == 0, "qty"].sum()
        used = ops.loc[ops["step"] == 1, "qty"].sum()
        # conservation: what station 1 made = what station 2 took + the change of the buffer
        assert made_semi + 70 - used >= 0
        assert set(ops.loc[ops["step"] == 0, "segment"]) == {""}  # made to stock, for every segment
        assert ops.loc[ops["step"] == 0, "qty"].min() >= 30  # replenished in lots of S - s at least
    family = 1 - 0.05 / 2
    assert_covers(means, 1 / A2, "decoupled finishing mean lead time", family)
    assert_covers(gt4, math.exp(-A2 * 4), "decoupled finishing P(T > 4)", family)


@pytest.mark.parametrize(("change", "key"), [
    (lambda c: c["network"]["routings"]["widgets"][0].update(line="X9"), "network.routings.widgets[0].line"),
    (lambda c: c["network"]["routings"]["widgets"][1].update(stock_after={"s": 1, "S": 2}),
     "network.routings.widgets[1].stock_after"),
    (lambda c: c["network"]["plants"]["mix"]["lines"]["M1"].update(families=["widgets"]),
     "network.plants.mix.lines.M1.families"),
    (lambda c: c["network"]["routings"].update(gadgets=[{"plant": "mix", "line": "M1"}]), "network.routings.gadgets"),
    (lambda c: c["network"]["routings"]["widgets"][0].update(rate=2, unit_time=1), "rate"),
])
def test_routing_config_errors(change, key: str) -> None:  # noqa: ANN001
    cfg = load_config("tandem_line")
    change(cfg)
    with pytest.raises(ConfigError) as err:
        simulator.build_spec(cfg)
    assert key in err.value.key


def doc_commands() -> list[list[str]]:
    """The commands of docs/shopfloor.md's first bash block, as argument lists."""
    import re
    import shlex
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "docs" / "shopfloor.md").read_text()
    block = re.search(r"```bash\n(.*?)```", text, re.S).group(1)  # type: ignore[union-attr]
    return [shlex.split(line.split("#", 1)[0]) for line in block.splitlines() if line.strip()]


@pytest.mark.parametrize("command", doc_commands(), ids=lambda c: c[3].split("=")[1])
def test_shopfloor_examples_run_on_the_default_company(command: list[str]) -> None:
    """The commands of docs/shopfloor.md (the examples in conf/shopfloor) compose, build and run, here
    over 40 days: the routing example makes refills through its two operations, the shifts example
    staffs plant_north's lines 16 hours on weekdays and quotes the made-to-order tail."""
    assert command[:3] == ["python", "-m", "simulator"]
    name = command[3].split("=")[1]
    r = simulator.run(simulator.compose([*command[3:], "horizon_days=40", "quiet=true"]))
    if name == "refill_postponement":
        ops = r.tables["operations"]
        assert set(ops.loc[ops["step"] == 0, "line"]) == {"N2"} and set(ops.loc[ops["step"] == 1, "line"]) == {"S2"}
        refills = r.production[r.production["family"] == "refills"]
        assert len(refills) and set(refills["line"]) == {"S2"}
    else:
        shifts = r.tables["shifts"]
        north = shifts[(shifts["plant"] == "plant_north") & (shifts["kind"] == "shift")]
        assert np.allclose((north["end"] - north["start"]) * 24, 16) and (north["start"] % 7 < 5).all()
        assert len(r.tables["promises"]) and set(r.tables["promises"]["segment"]) == {"tail"}
        assert set(r.labour["line"]) == {"N1", "N2", "S1", "S2"}


def test_semi_finished_units_are_conserved_and_runs_repeat() -> None:
    """Units into the semi-finished stock (station 1's output) = units taken by finishing + on hand at
    the end - the initial stock; units taken = what station 2 finished + what waits or runs on it;
    finished goods balance; the same seed gives the same operations."""
    cfg = load_config("tandem_line", quiet=True, horizon_days=400, warmup_days=0)
    cfg["network"]["routings"]["widgets"][0]["stock_after"] = {"s": 5, "S": 12, "initial": 3}
    model = simulator.Model(simulator.build_spec(cfg))
    record = model.run()
    ops = record.tables["operations"]
    buffer = model.routings.flows[0].buffers[0]
    assert buffer.received == ops.loc[ops["step"] == 0, "qty"].sum() > 0
    assert 3 + buffer.received - buffer.taken == buffer.on_hand >= 0
    fill = model.plants["fill"].lines[0]
    in_work = fill.queued_units + (fill.current.qty if fill.current is not None else 0.0)
    assert buffer.taken == ops.loc[ops["step"] == 1, "qty"].sum() + in_work
    assert all(abs(v) < 1e-9 for v in model.flow_balance().values())
    again = simulator.Model(simulator.build_spec(cfg)).run().tables["operations"]
    assert again.equals(ops)


def test_two_semi_finished_stocks_in_series() -> None:
    """Three operations with a stock after the first and the second: the middle stage is made to
    stock from the first stock (what it took = what it made + what waits or runs on its line)."""
    cfg = load_config("tandem_line", quiet=True, horizon_days=300, warmup_days=0)
    cfg["network"]["plants"]["fill"]["lines"]["F2"] = {"families": [], "unit_time": 0.5}
    ops = cfg["network"]["routings"]["widgets"]
    ops[0]["stock_after"] = {"s": 4, "S": 10, "initial": 0}
    ops[1]["stock_after"] = {"s": 3, "S": 8, "initial": 0}
    ops.append({"plant": "fill", "line": "F2"})
    model = simulator.Model(simulator.build_spec(cfg))
    table = model.run().tables["operations"]
    first, second = model.routings.flows[0].buffers[0], model.routings.flows[0].buffers[1]
    made = table.groupby("step")["qty"].sum()
    assert first.received == made[0] and second.received == made[1] and made[2] > 0
    f1 = model.plants["fill"].lines[0]
    in_work = f1.queued_units + (f1.current.qty if f1.current is not None else 0.0)
    assert first.taken == made[1] + in_work
    assert first.received - first.taken == first.on_hand and second.received - second.taken == second.on_hand
    assert set(table.loc[table["step"] < 2, "segment"]) == {""}
    assert set(table.loc[table["step"] == 2, "segment"]) == {"only"}
