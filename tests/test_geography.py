"""Lanes timed and priced from the map, checked against hand calculations; explicit lanes untouched."""

from __future__ import annotations

import copy
import math
from typing import Any

import pytest

import simulator
from simulator.config.geography import derive_lanes, great_circle_km
from simulator.engine.errors import ConfigError


def test_great_circle_against_hand_calculation() -> None:
    r = 6371.0088
    # one degree of longitude on the equator is 2*pi*R/360
    assert great_circle_km((0.0, 0.0), (0.0, 1.0)) == pytest.approx(2 * math.pi * r / 360, rel=1e-12)
    # along a meridian: 30 degrees of latitude
    assert great_circle_km((10.0, 5.0), (40.0, 5.0)) == pytest.approx(math.pi * r * 30 / 180, rel=1e-12)
    # a quarter of the globe: pole to equator
    assert great_circle_km((90.0, 0.0), (0.0, 123.0)) == pytest.approx(math.pi * r / 2, rel=1e-12)
    # Paris - Berlin by the spherical law of cosines, an independent formula
    a, b = (48.8566, 2.3522), (52.52, 13.405)
    p1, p2, dl = math.radians(a[0]), math.radians(b[0]), math.radians(b[1] - a[1])
    cosines = r * math.acos(math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl))
    assert great_circle_km(a, b) == pytest.approx(cosines, rel=1e-9)
    assert 870 < great_circle_km(a, b) < 885  # the published straight-line distance is about 878 km


def _two_site_config(default: dict[str, Any]) -> dict[str, Any]:
    cfg = copy.deepcopy(default)
    net = cfg["network"]
    net["transport_modes"]["ftl"].update(speed_km_per_day=500, circuity=1.2, fixed_days=0.5,
                                         cost_per_tonne_km=0.1, co2_per_tonne_km=0.08)
    for fam, kg in zip(net["families"], (1.0, 2.0, 0.5, 0.5), strict=True):
        net["families"][fam]["unit_weight_kg"] = kg  # mean 1.0 kg = 0.001 t
    net["locations"] = {"plant_north": {"lat": 0.0, "lon": 0.0}, "dc_central": {"lat": 0.0, "lon": 9.0}}
    lane = next(ln for ln in net["lanes"] if ln["from"] == "plant_north" and ln["mode"] == "ftl")
    del lane["lead_time"]
    return cfg


def test_lane_from_distance_against_hand_calculation() -> None:
    cfg = _two_site_config(simulator.compose(["horizon_days=10"]))
    km = 9 * 2 * math.pi * 6371.0088 / 360 * 1.2  # 9 degrees on the equator, road factor 1.2: 1200.9 km
    spec = simulator.build_spec(cfg)
    (lane,) = [ln for ln in spec.lanes if ln.origin == "plant_north" and ln.mode == "ftl"]
    assert lane.lead_time.mean == pytest.approx(round(0.5 + km / 500, 2))  # 2.90 days
    assert lane.lead_time.variance == 0.0
    assert lane.cost_per_unit == pytest.approx(0.1 * km * 0.001, abs=1e-6)  # 0.120 per unit
    assert lane.co2_per_unit == pytest.approx(0.08 * km * 0.001, abs=1e-6)  # 0.096 kg CO2e per unit
    assert lane.cost_per_shipment == 180  # not derived: the mode's own


def test_explicit_lanes_are_left_exactly_as_given() -> None:
    cfg = simulator.compose([])
    assert derive_lanes(cfg) is cfg  # nothing to derive: the very same config goes to the engine
    cfg = _two_site_config(cfg)
    lane = next(ln for ln in cfg["network"]["lanes"] if ln["from"] == "plant_north" and ln["mode"] == "ftl")
    lane.update(lead_time=1, cost_per_unit=0.5, co2_per_unit=0.2)
    spec = simulator.build_spec(cfg)
    (built,) = [ln for ln in spec.lanes if ln.origin == "plant_north" and ln.mode == "ftl"]
    assert (built.lead_time.mean, built.cost_per_unit, built.co2_per_unit) == (1, 0.5, 0.2)


def test_a_lane_that_cannot_be_timed_names_itself() -> None:
    cfg = _two_site_config(simulator.compose([]))
    del cfg["network"]["locations"]["dc_central"]
    with pytest.raises(ConfigError) as err:
        simulator.build_spec(cfg)
    assert err.value.key == "network.lanes[2].lead_time"
    assert "network.locations of both ends (plant_north, dc_central)" in str(err.value)


def test_lane_to_several_sites_is_split_per_destination() -> None:
    cfg = {"network": {"transport_modes": {"sea": {"speed_km_per_day": 800}},
                       "locations": {"a": {"lat": 0, "lon": 0}, "b": {"lat": 0, "lon": 10}, "c": {"lat": 0, "lon": 20}},
                       "lanes": [{"from": "a", "to": ["b", "c"], "mode": "sea"}]}}
    lanes = derive_lanes(cfg)["network"]["lanes"]
    assert [ln["to"] for ln in lanes] == ["b", "c"]
    assert lanes[1]["lead_time"] == pytest.approx(round(2 * lanes[0]["lead_time"], 2), abs=0.011)
