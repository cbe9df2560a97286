"""Every shipped scenario composes and builds; bad scenario keys name the key, the value and what is allowed."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

import simulator
from simulator import build_spec
from simulator.engine.errors import ConfigError

SCENARIOS = sorted(p.stem for p in (Path(__file__).resolve().parents[1] / "conf" / "scenario").glob("*.yaml"))


def test_at_least_six_scenarios_plus_baseline() -> None:
    assert "baseline" in SCENARIOS and len(SCENARIOS) >= 7


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_scenario_builds(name: str) -> None:
    spec = build_spec(simulator.compose([f"scenario={name}"]))
    assert spec.scenario.name == name
    assert (len(spec.scenario.disruptions) == 0) == (name == "baseline")


def test_scenarios_compose() -> None:
    spec = build_spec(simulator.compose(["scenario=compound"]))
    assert sorted(d.kind for d in spec.scenario.disruptions) == ["lane_congestion", "supplier_failure"]


BAD = [
    ({"kind": "volcano"}, "scenario.disruptions.x.kind", "volcano", "supplier_failure"),
    ({"kind": "supplier_failure", "target": "sup_nowhere", "start": 1, "duration": 2},
     "scenario.disruptions.x.target", "sup_nowhere", "sup_resin"),
    ({"kind": "supplier_failure", "target": "sup_resin", "start": 1, "duration": 2, "capacity_factr": 0},
     "scenario.disruptions.x.capacity_factr", "0", "capacity_factor"),
    ({"kind": "supplier_failure", "target": "sup_resin", "start": 1, "duration": 2, "capacity_factor": 1.5},
     "scenario.disruptions.x.capacity_factor", "1.5", "< 1"),
    ({"kind": "dc_outage", "target": "dc_north", "start": 400, "duration": 2},
     "scenario.disruptions.x.start", "400", "horizon_days=365"),
    ({"kind": "dc_outage", "target": "dc_north", "start": 4, "duration": 2, "mtbf": 30, "mttr": 2},
     "scenario.disruptions.x.duration", "2", "mtbf and mttr"),
    ({"kind": "dc_outage", "target": "dc_north", "start": 4, "duration": -2},
     "scenario.disruptions.x.duration", "-2", "> 0"),
    ({"kind": "line_breakdown", "target": "plant_north/N9", "start": 4, "duration": 2},
     "scenario.disruptions.x.target", "plant_north/N9", "plant_north/N1"),
    ({"kind": "lane_congestion", "from": "sup_*", "to": "dc_north", "start": 4, "duration": 2, "lead_time_factor": 2},
     "scenario.disruptions.x.from", "dc_north", "sup_resin->plant_north"),
    ({"kind": "demand_change", "segments": ["vip"], "start": 4, "duration": 2, "factor": 2},
     "scenario.disruptions.x.segments", "vip", "fast"),
    ({"kind": "outage", "target": "moon_base", "start": 4, "duration": 2},
     "scenario.disruptions.x.target", "moon_base", "dc_central"),
]


@pytest.mark.parametrize(("disruption", "key", "value", "allowed"), BAD)
def test_bad_scenario_names_key_value_and_allowed(default_config: dict, disruption: dict, key: str, value: str,
                                                  allowed: str) -> None:
    cfg = copy.deepcopy(default_config)
    cfg["scenario"] = {"name": "bad", "disruptions": {"x": disruption}}
    with pytest.raises(ConfigError) as err:
        build_spec(cfg)
    assert err.value.key == key
    msg = str(err.value)
    assert value in msg and allowed in msg, msg


def test_bad_resilience_settings_name_the_key(default_config: dict) -> None:
    from simulator.app.settings import read_settings

    assert read_settings(default_config)[1].dwell_days == default_config["resilience"]["dwell_days"]
    with pytest.raises(ConfigError, match="resilience.dwell_days.*0.*>= 1"):
        read_settings(dict(default_config, resilience={"dwell_days": 0}))
    with pytest.raises(ConfigError, match="resilience.espilon.*allowed keys here: tts_threshold, epsilon"):
        read_settings(dict(default_config, resilience={"espilon": 0.1}))
