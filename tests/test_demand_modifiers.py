"""Demand modifiers: a factor f scales the demand rate; base orders stay the same (paired runs)."""

from __future__ import annotations

import copy
from dataclasses import dataclass

import pytest

from simulator import Model, build_spec


@dataclass
class Window:
    start: float
    end: float
    value: float
    family_prefix: str = ""

    def factor(self, t: float, sku: str, channel: str, segment: str) -> float:
        inside = self.start <= t < self.end and sku.startswith(self.family_prefix)
        return self.value if inside else 1.0

    def max_factor(self) -> float:
        return max(self.value, 1.0)


def _run(cfg: dict, *mods: Window):
    model = Model(build_spec(cfg))
    model.demand_modifiers.extend(mods)
    return model.run().order_lines


@pytest.fixture(scope="module")
def cfg(default_config: dict) -> dict:
    out = copy.deepcopy(default_config)
    out["horizon_days"] = 120
    return out


@pytest.mark.parametrize("value", [2.0, 0.5])
def test_factor_scales_demand_inside_window_only(cfg: dict, value: float) -> None:
    base = _run(cfg)
    mod = _run(cfg, Window(40, 80, value))
    inside = lambda df: df[(df["time"] >= 40) & (df["time"] < 80)]["qty"].sum()
    ratio = inside(mod) / inside(base)
    assert ratio == pytest.approx(value, rel=0.06)
    before = lambda df: df[df["time"] < 40][["time", "customer", "sku", "qty"]].reset_index(drop=True)
    assert before(base).equals(before(mod))  # identical demand before the window (order ids aside)


def test_factor_targets_one_family(cfg: dict) -> None:
    base = _run(cfg)
    mod = _run(cfg, Window(0, 120, 1.5, "DET"))
    det = lambda df: df[df["sku"].str.startswith("DET")]["qty"].sum()
    other = lambda df: df[~df["sku"].str.startswith("DET")]["qty"].sum()
    assert det(mod) / det(base) == pytest.approx(1.5, rel=0.06)
    assert other(mod) == other(base)
