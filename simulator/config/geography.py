"""Lanes priced and timed from the map: a config step run before the spec is built.

A lane that gives no ``lead_time``, ``cost_per_unit`` or ``co2_per_unit`` gets them from the
great-circle distance between its two ends (``network.locations``), stretched by the mode's
``circuity`` (road or sea distance over the straight line), and the mode's rates:

    road_km      = great_circle_km(from, to) * circuity
    lead_time    = fixed_days + road_km / speed_km_per_day            (days, constant)
    cost_per_unit = cost_per_tonne_km * road_km * unit_weight_t       (money per unit shipped)
    co2_per_unit  = co2_per_tonne_km  * road_km * unit_weight_t       (kg CO2e per unit shipped)

``unit_weight_t`` is the mean of the families' ``unit_weight_kg`` / 1000. ``build_spec`` runs this
first: the values are written into the config, so the simulation engine always receives explicit lead
times; a lane that already
gives all three is left exactly as it is (docs/own-company.md lists the rates and their source).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from typing import Any

from simulator.engine.errors import ConfigError

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)
DERIVED = ("lead_time", "cost_per_unit", "co2_per_unit")


def great_circle_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Shortest distance over the Earth's surface between two (latitude, longitude) points, in km
    (haversine formula on a sphere of the mean Earth radius)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _point(locations: Mapping[str, Any], name: str) -> tuple[float, float] | None:
    loc = locations.get(name)
    if not isinstance(loc, Mapping) or not all(isinstance(loc.get(k), (int, float)) for k in ("lat", "lon")):
        return None
    return float(loc["lat"]), float(loc["lon"])


def _unit_weight_t(net: Mapping[str, Any]) -> float | None:
    weights = [f.get("unit_weight_kg") for f in (net.get("families") or {}).values() if isinstance(f, Mapping)]
    weights = [w for w in weights if isinstance(w, (int, float)) and not isinstance(w, bool)]
    return sum(weights) / len(weights) / 1000.0 if weights else None


def lane_figures(km: float, mode: Mapping[str, Any], unit_weight_t: float | None) -> dict[str, float]:
    """What the lane would be given at ``km`` straight-line km by ``mode``: only the figures the mode's
    rates allow (lead time needs ``speed_km_per_day``; cost and CO2 need their per tonne-km rate and a unit
    weight)."""
    road_km = km * float(mode.get("circuity", 1.0))
    out: dict[str, float] = {}
    if mode.get("speed_km_per_day"):
        out["lead_time"] = round(float(mode.get("fixed_days", 0.0)) + road_km / float(mode["speed_km_per_day"]), 2)
    if unit_weight_t is not None:
        for key, rate in (("cost_per_unit", "cost_per_tonne_km"), ("co2_per_unit", "co2_per_tonne_km")):
            if mode.get(rate) is not None:
                out[key] = round(float(mode[rate]) * road_km * unit_weight_t, 6)
    return out


def derive_lanes(config: Mapping[str, Any]) -> dict[str, Any]:
    """The config with every lane's missing lead time, cost and CO2 filled in from the map.

    Returns the config unchanged (the same object) when no lane misses a value or nothing is located.
    A lane with several destinations and a missing value becomes one lane per destination. A lane
    without a lead time whose ends or mode cannot give one raises ``ConfigError`` naming the lane.
    """
    net = config.get("network")
    if not isinstance(net, Mapping) or not isinstance(net.get("lanes"), list):
        return dict(config) if not isinstance(config, dict) else config
    lanes = net["lanes"]
    modes = net.get("transport_modes") or {}

    def missing(lane: Any) -> list[str]:
        """The figures this lane leaves to the map: a lead time always; cost and CO2 when its mode has a rate."""
        if not isinstance(lane, Mapping):
            return []
        mode = modes.get(lane.get("mode")) if isinstance(lane.get("mode"), str) else None
        rates = mode if isinstance(mode, Mapping) else {}
        wanted = {"lead_time": True, "cost_per_unit": rates.get("cost_per_tonne_km") is not None,
                  "co2_per_unit": rates.get("co2_per_tonne_km") is not None}
        return [k for k in DERIVED if wanted[k] and lane.get(k) is None]

    if not any(missing(lane) for lane in lanes):
        return config if isinstance(config, dict) else dict(config)
    locations = net.get("locations") or {}
    weight = _unit_weight_t(net)
    out_lanes = []
    for i, lane in enumerate(lanes):
        gaps = missing(lane)
        if not gaps:
            out_lanes.append(lane)
            continue
        dests = lane.get("to")
        mode = modes.get(lane.get("mode"))
        for dest in dests if isinstance(dests, list) else [dests]:
            new = {k: v for k, v in lane.items() if v is not None}
            new["to"] = dest
            a, b = _point(locations, lane.get("from")), _point(locations, dest)
            if a is not None and b is not None and isinstance(mode, Mapping):
                figures = lane_figures(great_circle_km(a, b), mode, weight)
                new.update({k: v for k, v in figures.items() if k in gaps})
            if new.get("lead_time") is None:
                raise ConfigError(f"network.lanes[{i}].lead_time", None,
                                  "give a lead time in days, or network.locations of both ends "
                                  f"({lane.get('from')}, {dest}) and speed_km_per_day on mode {lane.get('mode')!r}")
            out_lanes.append(new)
    new_config = copy.copy(dict(config))
    new_config["network"] = dict(net, lanes=out_lanes)
    return new_config
