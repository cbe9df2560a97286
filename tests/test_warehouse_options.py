"""DC-level options: local replenishment parameters, initial stock, and ship-complete channels."""

from __future__ import annotations

import pytest

import simulator
from simulator import Model, build_spec
from simulator.engine.errors import ConfigError
from tests.conftest import load_config


def _lines(cfg: dict):
    return simulator.run(cfg).order_lines


def test_local_policy_and_initial_stock_replace_the_segments() -> None:
    cfg = load_config("single_stage", horizon_days=10, warmup_days=0)
    cfg["network"]["warehouses"]["dc"].update(replenishment={"type": "s_S", "s": 50, "S": 120}, initial_stock=30)
    model = Model(build_spec(cfg))
    (point,) = model.points
    assert (point.policy.s, point.policy.S) == (50, 120)
    assert point.on_hand == 30


def test_ship_complete_ships_nothing_short() -> None:
    """With 30 on hand, lines of 100 cannot ship whole: nothing ships, all is lost at once (patience 0)."""
    cfg = load_config("single_stage", horizon_days=1.5, warmup_days=0)
    cfg["network"]["warehouses"]["dc"]["initial_stock"] = 30
    cfg["network"]["customers"]["shop"]["qty"] = 100
    cfg["network"]["channels"]["store"] = {"patience_days": 0, "ship_complete": True}
    lines = _lines(cfg)
    assert len(lines) >= 1
    assert (lines["shipped"] == 0).all() and (lines["lost"] == 100).all()
    cfg["network"]["channels"]["store"]["ship_complete"] = False
    partial = _lines(cfg)
    assert partial["immediate"].iloc[0] == 30 and partial["lost"].iloc[0] == 70


def test_bad_local_policy_names_the_warehouse_key() -> None:
    cfg = load_config("single_stage")
    cfg["network"]["warehouses"]["dc"]["replenishment"] = {"type": "s_S", "s": 9, "S": 3}
    with pytest.raises(ConfigError, match=r"network\.warehouses\.dc\.replenishment.*s <= S"):
        build_spec(cfg)
