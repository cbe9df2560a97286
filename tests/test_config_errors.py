"""Bad input gets one clear message naming the key, the value and what is allowed."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from simulator import build_spec
from simulator.engine.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


def _lane(cfg: dict, origin: str, dest: str) -> dict:
    return next(ln for ln in cfg["network"]["lanes"] if ln["from"] == origin and (
        ln["to"] == dest or (isinstance(ln["to"], list) and dest in ln["to"])))


def _set(path: str, value: Any):
    def change(cfg: dict) -> None:
        *parts, last = path.split(".")
        node = cfg
        for p in parts:
            node = node[p]
        node[last] = value
    return change


def _drop_lane(cfg: dict) -> None:
    cfg["network"]["lanes"] = [ln for ln in cfg["network"]["lanes"] if ln["to"] != "b2b_west"]


def _negative_lane_lead_time(cfg: dict) -> None:
    _lane(cfg, "plant_north", "dc_central")["lead_time"] = -2


def _cut_source_chain(cfg: dict) -> None:
    # dc_west fed only by itself-less chain: a supplier that sells nothing it needs
    cfg["network"]["warehouses"]["dc_west"]["sources"] = ["sup_resin"]
    cfg["network"]["lanes"].append({"from": "sup_resin", "to": "dc_west", "mode": "ftl", "lead_time": 2})


BAD = [
    # (name, change, key in message, value in message, allowed-fragment)
    ("horizon wrong type", _set("horizon_days", "a year"), "horizon_days", "'a year'", "finite number"),
    ("negative lead time", _negative_lane_lead_time, "network.lanes[2].lead_time", "-2", ">= 0"),
    ("negative line rate", _set("network.plants.plant_north.lines.N1.rate", -5),
     "network.plants.plant_north.lines.N1.rate", "-5", "> 0"),
    ("zero supplier capacity", _set("network.suppliers.sup_chem.capacity_per_day", 0),
     "network.suppliers.sup_chem.capacity_per_day", "0", "> 0"),
    ("unknown segment in rule", _set("assignment.rules", [{"rank": [1, 3], "segment": "vip"}]),
     "assignment.rules[0].segment", "'vip'", "core, fast, tail"),
    ("unknown policy", _set("segments.tail.policies.replenishment", {"type": "kanban"}),
     "segments.tail.policies.replenishment.type", "'kanban'", "base_stock, order_up_to, r_Q, s_S"),
    ("s above S", _set("segments.core.policies.replenishment", {"type": "s_S", "s": 50, "S": 10}),
     "segments.core.policies.replenishment", "'s': 50", "s <= S"),
    ("unknown warehouse", _set("network.customers.retail_west.served_from", ["dc_east"]),
     "network.customers.retail_west.served_from", "'dc_east'", "dc_central"),
    ("unknown family on a line", _set("network.plants.plant_south.lines.S1.families", ["candles"]),
     "network.plants.plant_south.lines.S1.families", "'candles'", "cleaners"),
    ("unknown sku pattern", _set("assignment.rules", [{"skus": ["XYZ-*"], "segment": "fast"}]),
     "assignment.rules[0].skus", "'XYZ-*'", "matches no SKU"),
    ("customer with no lane", _drop_lane, "network.customers.b2b_west.served_from", "dc_west", "no lane"),
    ("customer with no path to stock", _cut_source_chain, "network.customers", "dc_", "no path to stock"),
    ("unknown top-level key", _set("horizon", 10), "horizon", "10", "allowed keys"),
    ("fill rate above one", _set("segments.fast.sla.fill_rate", 1.5), "segments.fast.sla.fill_rate", "1.5", "<= 1"),
    ("bad policy parameter type", _set("segments.fast.policies.replenishment", {"type": "s_S", "cycle_days": "7d"}),
     "segments.fast.policies.replenishment.cycle_days", "'7d'", "a finite number"),
    ("negative patience", _set("network.channels.retail.patience_days", -1),
     "network.channels.retail.patience_days", "-1", ">= 0"),
    ("unknown raw material", _set("network.families.refills.bom", {"glass": 1.0}),
     "network.families.refills.bom.glass", "glass", "resin"),
    ("warmup beyond horizon", _set("warmup_days", 400), "warmup_days", "400", "smaller than horizon_days"),
]


@pytest.mark.parametrize(("name", "change", "key", "value", "allowed"), BAD, ids=[b[0] for b in BAD])
def test_bad_config_names_key_value_and_allowed(default_config: dict, name: str, change: Any, key: str,
                                                value: str, allowed: str) -> None:
    cfg = copy.deepcopy(default_config)
    change(cfg)
    with pytest.raises(ConfigError) as err:
        build_spec(cfg)
    msg = str(err.value)
    assert key in msg, msg
    assert value in msg, msg
    assert allowed in msg, msg


def test_default_config_builds(default_config: dict) -> None:
    spec = build_spec(default_config)
    assert len(spec.skus) == 45 and len(spec.segments) == 3
    assert len(spec.plants) == 2 and sum(len(p.lines) for p in spec.plants.values()) == 4


def test_cli_exits_2_with_one_message_and_no_traceback(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "simulator", "network.lanes.2.lead_time=-3", f"hydra.run.dir={tmp_path}"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "network.lanes[2].lead_time" in proc.stderr and "-3" in proc.stderr
