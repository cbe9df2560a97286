"""Echelon base stock on a serial chain (supplier -> upstream DC -> downstream DC -> customers).

For a serial chain under continuous review, keeping the echelon position of the upstream DC at
S_e is the same policy as an installation base stock of S_e - S_down there (Clark & Scarf;
Axsaeter, Inventory Control, ch. 5): both must give identical runs with the same seed. A policy
that read only its own position would order far too much, so the test can fail.
"""

from __future__ import annotations

import pandas as pd
import pytest

import simulator
from policies.base import ItemStats
from policies.replenishment import EchelonBaseStock


def serial(upstream: dict | None = None) -> dict:
    """conf/network/serial_chain.yaml, optionally with another policy at the upstream DC."""
    cfg = simulator.compose(["network=serial_chain", "segments=serial_chain", "horizon_days=1500",
                             "warmup_days=100"])
    if upstream is not None:
        cfg["network"]["warehouses"]["dc_up"] = {"sources": ["vendor"], "replenishment": upstream}
    return cfg


def test_echelon_equals_installation_base_stock_on_a_serial_chain() -> None:
    echelon = simulator.run(serial())
    installation = simulator.run(serial({"type": "base_stock", "S": 8}))
    cols = ["time", "sku", "qty", "immediate", "delivered", "last_delivery"]
    pd.testing.assert_frame_equal(echelon.order_lines[cols], installation.order_lines[cols])
    same = ["time", "node", "sku", "source", "qty"]
    pd.testing.assert_frame_equal(echelon.replenishments[same], installation.replenishments[same])
    # The upstream DC decided on its echelon position: its own plus the downstream DC's (S = 6).
    up_e = echelon.replenishments[echelon.replenishments["node"] == "dc_up"]["position_before"].to_numpy()
    up_i = installation.replenishments[installation.replenishments["node"] == "dc_up"]["position_before"].to_numpy()
    assert (up_e == up_i + 6).all()
    assert echelon.kpis.loc[0, "fill_rate"] < 1.0  # the chain is tight enough to be tested


def test_echelon_position_counts_downstream_stock() -> None:
    model = simulator.Model(simulator.build_spec(serial()))
    up = next(p for p in model.points if p.node == "dc_up")
    down = next(p for p in model.points if p.node == "dc")
    assert up.downstream == [down] and down.upstream is up
    assert up.position == 8 and up.echelon_position == 14
    model.step_until(200)
    assert up.echelon_position == pytest.approx(up.position + down.position)
    assert up.echelon_position == pytest.approx(14)  # one-for-one keeps the echelon at S


def test_echelon_policy_unit() -> None:
    p = EchelonBaseStock(S=14)
    assert p.order_qty(11) == 3 and p.order_qty(14) == 0
    assert p.planned(ItemStats(1.0, 1.0, 2.0), 5.0) is p
    with pytest.raises(ValueError, match="needs S"):
        EchelonBaseStock().planned(ItemStats(1.0, 1.0, 2.0), 5.0)
