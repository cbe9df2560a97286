"""The policy search (simulator.app.optimize) against known optima, never against its own output.

- validation case 1 (single-stage base stock, normal demand): the search over S lands where the
  closed-form cost is within 1% of the optimum 60.79 (S* = 344.39);
- validation case 3 ((r, Q), Poisson demand): the search over integer (r, Q) finds (3, 5) or a pair
  whose exact cost lies within the winner's own confidence interval of 107.92;
- a binding fill-rate constraint: the winner is the cheapest setting of a small grid whose lower 95%
  bound meets the target, as found by running the grid by hand;
- a crashed trial is recorded and the study goes on; re-running continues the study.
Short horizons and few replications: the closed forms carry the accuracy, the runs only the choice.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm, poisson

import simulator
from analysis.statistics import replication_seeds, t_interval
from simulator.app.optimize import CONF_GROUP, optimize, parse_settings
from simulator.app.optimize.runner import StudyMismatch
from simulator.engine.errors import ConfigError
from tests.conftest import load_config

S_KEY = "segments.only.policies.replenishment.S"


def single_stage(horizon: float, S: float) -> dict[str, Any]:
    cfg = load_config("single_stage")
    cfg["horizon_days"], cfg["quiet"] = horizon, True
    cfg["segments"]["only"]["policies"]["replenishment"]["S"] = S
    return cfg


def study(base: dict[str, Any], **section: Any) -> Any:
    section.setdefault("name", "test")
    section.setdefault("n_jobs", 1)
    return parse_settings(section, base)


# ------------------------------------------------------------------------- case 1: base stock, normal demand
def case1_cost(S: float) -> float:
    """Exact expected cost per period h E[(S - D)+] + p E[(D - S)+], D ~ N(300, 20 sqrt 3) (3 periods)."""
    mu, sd = 300.0, 20.0 * math.sqrt(3.0)
    z = (S - mu) / sd
    backorders = sd * (norm.pdf(z) - z * norm.sf(z))
    return 1.0 * (S - mu + backorders) + 9.0 * backorders


def test_case1_search_recovers_base_stock_optimum(tmp_path: Path) -> None:
    base = single_stage(1200, S=375.0)  # start far from S*
    settings = study(base, space={S_KEY: {"low": 320.0, "high": 380.0}}, constraints={"sla": False},
                     objective={"terms": {"avg_on_hand_units": 1, "avg_backorder_units": 9}, "segment": "only"},
                     budget={"trials": 24}, replications={"initial": 2, "max": 2, "fresh": 2}, seed=1)
    out = optimize(base, settings, tmp_path, report=False)
    S = out.summary["best"][S_KEY]
    assert case1_cost(344.39424848085366) == pytest.approx(60.7944, abs=1e-3)  # the closed form is right
    assert case1_cost(S) <= 1.01 * 60.7944, f"S = {S:.2f} costs {case1_cost(S):.3f} (optimum 60.79 at 344.39)"
    assert abs(S - 344.39) <= 5.0  # the 1% band around S* is about +-4.9 units wide
    assert out.summary["trials"] == 24 and (out.trials["state"] == "COMPLETE").all()


# ------------------------------------------------------------------------------- case 3: (r, Q), Poisson demand
def rq_cost(r: int, Q: int, lam: float = 1.5, lead: float = 2, h: float = 20, p: float = 150, K: float = 100) -> float:
    """Exact (r, Q) cost per day: K lam / Q + h E[OH] + p E[B], the position uniform on r+1..r+Q."""
    k = np.arange(0, 200)
    pmf = poisson.pmf(k, lam * lead)
    oh = sum(float((np.maximum(y - k, 0) * pmf).sum()) for y in range(r + 1, r + Q + 1)) / Q
    bo = sum(float((np.maximum(k - y, 0) * pmf).sum()) for y in range(r + 1, r + Q + 1)) / Q
    return K * lam / Q + h * oh + p * bo


def test_case3_search_finds_rq_optimum(tmp_path: Path) -> None:
    base = single_stage(900, S=0.0)
    net = base["network"]
    net["integer_units"] = True
    net["customers"]["shop"] = {"channel": "store", "served_from": ["dc"], "orders_per_day": 1.5,
                                "lines_per_order": 1, "qty": 1}
    base["segments"]["only"]["policies"] = {"replenishment": {"type": "r_Q", "r": 5, "Q": 8}}  # a corner
    rep = "segments.only.policies.replenishment"
    settings = study(base, space={f"{rep}.r": {"low": 1, "high": 5}, f"{rep}.Q": {"low": 3, "high": 8}},
                     constraints={"sla": False}, objective={"terms": {
                         "replenishment_orders_per_day": 100, "avg_on_hand_units": 20, "avg_backorder_units": 150}},
                     budget={"trials": 18}, replications={"initial": 3, "max": 3, "fresh": 2}, seed=3)
    out = optimize(base, settings, tmp_path, report=False)
    r, Q = out.summary["best"][f"{rep}.r"], out.summary["best"][f"{rep}.Q"]
    assert rq_cost(3, 5) == pytest.approx(107.924, abs=1e-3)
    row = out.trials.set_index("trial").loc[out.trials.loc[out.trials["objective"].idxmin(), "trial"]]
    half = float(row["objective_high"] - row["objective"])
    assert (r, Q) == (3, 5) or rq_cost(r, Q) <= 107.924 + half, (
        f"(r, Q) = ({r}, {Q}) costs {rq_cost(r, Q):.2f}; the optimum 107.92 +- {half:.2f}")


# ------------------------------------------------------------------------------- a binding fill-rate constraint
def test_binding_fill_rate_constraint_picks_cheapest_setting_that_surely_meets_it(tmp_path: Path) -> None:
    grid, target, reps = list(range(340, 391, 10)), 0.995, 3
    base = single_stage(450, S=344.39)
    seeds = replication_seeds(base["seed"], reps)
    by_hand = {}
    for S in grid:  # the brute force: every grid point on the study's seeds, read without the optimiser's code
        cost, fill = [], []
        for seed in seeds:
            r = simulator.run(dict(single_stage(450, S=S), seed=seed))
            stock = r.stock[r.stock["day"] > r.spec.warmup_days]
            cost.append(float(stock["on_hand"].mean() + 9.0 * stock["backorders"].mean()))
            fill.append(float(r.kpis.set_index("segment").loc["only", "fill_rate"]))
        by_hand[S] = (float(np.mean(cost)), t_interval(fill)[1])
    feasible = {S: c for S, (c, low) in by_hand.items() if low >= target}
    expected = min(feasible, key=feasible.get)
    unconstrained = min(by_hand, key=lambda S: by_hand[S][0])
    assert expected != unconstrained, "the constraint must bind for this test to mean anything"

    settings = study(base, space={S_KEY: {"low": 340, "high": 390, "step": 10}}, sampler="grid",
                     constraints={"sla": False, "extra": [{"segment": "only", "metric": "fill_rate", "min": target}]},
                     objective={"terms": {"avg_on_hand_units": 1, "avg_backorder_units": 9}, "segment": "only"},
                     budget={"trials": len(grid)}, replications={"initial": reps, "max": reps, "fresh": 2})
    out = optimize(base, settings, tmp_path)
    assert sorted(out.trials[S_KEY]) == grid
    assert out.summary["best"][S_KEY] == expected and out.summary["feasible"]
    fig_page = (tmp_path / "report.html").read_text()
    assert "only fill_rate &gt;= 0.995" in fig_page and "binding" in fig_page


# ------------------------------------------------------------------------------- crashes, resuming, bad input
def test_crashed_trial_is_recorded_and_the_study_resumes(tmp_path: Path) -> None:
    base = single_stage(150, S=344.39)
    space = {"segments.only.policies.replenishment.type": {"choices": ["order_up_to", "no_such_policy"]}}
    settings = study(base, space=space, sampler="grid", constraints={"sla": False}, budget={"trials": 2},
                     replications={"initial": 2, "max": 2, "fresh": 2})
    first = optimize(base, settings, tmp_path, report=False)
    states = first.trials.set_index("segments.only.policies.replenishment.type")["state"]
    assert states["no_such_policy"] == "FAIL" and states["order_up_to"] == "COMPLETE"
    assert "no_such_policy" in first.trials.loc[first.trials["state"] == "FAIL", "error"].iloc[0]
    assert first.summary["best"] == {"segments.only.policies.replenishment.type": "order_up_to"}
    again = optimize(base, study(base, space=space, sampler="grid", constraints={"sla": False},
                                 budget={"trials": 3}, replications={"initial": 2, "max": 2, "fresh": 2}), tmp_path,
                     report=False)
    assert len(again.trials) == 3
    pd.testing.assert_frame_equal(again.trials.iloc[:2][["trial", "state", "objective"]],
                                  first.trials[["trial", "state", "objective"]])
    with pytest.raises(StudyMismatch):  # another base config must not mix into the same study
        optimize(dict(base, horizon_days=160), settings, tmp_path, report=False)


@pytest.mark.parametrize("space, words", [
    ({"segments.only.policies.replenishment.SS": {"low": 1, "high": 2}}, "unknown key"),
    ({S_KEY: {"low": 400, "high": 300}}, "empty range"),
    ({S_KEY: {"low": 1, "high": 2, "stride": 1}}, "unknown key"),
    ({S_KEY: {"choices": [300]}}, "at least 2"),
])
def test_bad_search_space_is_named(space: dict[str, Any], words: str) -> None:
    base = single_stage(100, S=344.39)
    with pytest.raises(ConfigError, match=words):
        study(base, space=space)


def test_cli_bad_input_one_line_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    from simulator.app.optimize import main

    assert main(["optimize=no_such_study"]) == 2
    err = capsys.readouterr().err.strip()
    assert "unknown optimize 'no_such_study'" in err and "default_company" in err and len(err.splitlines()) == 1
    assert main(["optimize=default_company", "+optimize.space={segments.fast.nothing:{low:1,high:2}}"]) == 2
    err = capsys.readouterr().err.strip()
    assert "unknown key" in err and "segments.fast.nothing" in err and len(err.splitlines()) == 1
    assert main(["optimize=default_company", "optimize.budget.trials=0"]) == 2
    assert "optimize.budget.trials" in capsys.readouterr().err


@pytest.mark.parametrize("name", sorted(p.stem for p in CONF_GROUP.glob("*.yaml")))
def test_shipped_studies_check_and_start_from_todays_policies(name: str) -> None:
    """Every study in conf/optimize composes, its settings check, both ends of every range build a
    company, and making the searched settings explicit leaves today's segment policies unchanged."""
    from simulator.app.cli import compose
    from simulator.app.optimize import split
    from simulator.app.optimize.study import apply
    from simulator.config import build_spec

    base, section = split(compose([f"+optimize={name}"]))
    settings = parse_settings(section, base)
    assert build_spec(base).segments == build_spec(compose([])).segments
    for p in settings.space:
        for value in (p.choices if p.kind == "choice" else (p.low, p.high)):
            build_spec(apply(base, {p.key: int(value) if p.kind == "int" else value}))


def test_whole_number_ranges_stay_whole() -> None:
    base = single_stage(100, S=344.39)
    kinds = [study(base, space={S_KEY: r}).space[0].kind for r in (
        {"low": 340, "high": 390, "step": 10}, {"low": 340, "high": 390}, {"low": 340.0, "high": 390},
        {"low": 340, "high": 390, "step": 0.5}, {"low": 340, "high": 390, "type": "float"})]
    assert kinds == ["int", "int", "float", "float", "float"]
