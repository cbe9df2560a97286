"""Building freight from the config: each lane gets its carrier's on-time record; zone-skipping
hubs get their line-haul and last-mile lanes."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping, Sequence

from simulator.config.checks import known
from simulator.config.schema import NetworkCfg
from simulator.config.schema_freight import CarrierCfg, LegCfg
from simulator.engine.distributions import Dist
from simulator.engine.errors import ConfigError
from simulator.engine.params import to_dist
from simulator.engine.spec import Lane, TransportMode


def with_carriers(net: NetworkCfg, lanes: Sequence[Lane], modes: Mapping[str, TransportMode]) -> tuple[Lane, ...]:
    """``lanes`` (in ``network.lanes`` order, one per destination) with their carrier and its on-time
    record on each: the carrier's record on that lane, else its default, else the mode's."""
    carriers = net.carriers
    named: list[str] = []
    for i, ln in enumerate(net.lanes):
        if ln.carrier is not None:
            known(f"network.lanes[{i}].carrier", [ln.carrier], carriers)
        named += [ln.carrier or ""] * len(ln.to)
    if len(named) != len(lanes):  # lanes derived elsewhere come after the configured ones
        named += [""] * (len(lanes) - len(named))
    by_carrier = {name: _records(name, c, {(lane.origin, lane.dest) for lane, n in zip(lanes, named, strict=True)
                                          if n == name})
                  for name, c in carriers.items()}
    out = []
    for lane, name in zip(lanes, named, strict=True):
        if not name:
            out.append(lane)
            continue
        on_time, delay = by_carrier[name].get((lane.origin, lane.dest), by_carrier[name][None])
        mode = modes[lane.mode]
        if (on_time if on_time is not None else mode.on_time) < 1.0 and delay is None and mode.delay is None:
            raise ConfigError(f"network.carriers.{name}.delay", None,
                              f"give the delay distribution of late shipments: {name} is on time less than always "
                              f"on {lane.origin} -> {lane.dest} and mode {lane.mode} has no delay either")
        out.append(dataclasses.replace(lane, carrier=name, on_time=on_time, delay=delay))
    return tuple(out)


def _records(name: str, carrier: CarrierCfg, runs: set[tuple[str, str]]
             ) -> dict[tuple[str, str] | None, tuple[float | None, Dist | None]]:
    """The carrier's (on_time, delay) per lane it has a record on; ``None``: its default."""
    default = (carrier.on_time, to_dist(carrier.delay) if carrier.delay is not None else None)
    out: dict[tuple[str, str] | None, tuple[float | None, Dist | None]] = {None: default}
    for i, rec in enumerate(carrier.lanes):
        for dest in rec.to:
            if (rec.origin, dest) not in runs:
                raise ConfigError(f"network.carriers.{name}.lanes[{i}]", f"{rec.origin} -> {dest}",
                                  f"{name} runs no such lane (give the lane carrier: {name} in network.lanes)")
            out[(rec.origin, dest)] = (rec.on_time if rec.on_time is not None else default[0],
                                       to_dist(rec.delay) if rec.delay is not None else default[1])
    return out


def hub_lanes(net: NetworkCfg, modes: Mapping[str, TransportMode], nodes: Collection[str]
              ) -> tuple[tuple[Lane, ...], dict[str, float], dict[str, str]]:
    """The zone-skipping hubs' lanes (line haul in, last mile out), each hub's sorting days, and the
    hub each served customer's goods go via."""
    lanes: list[Lane] = []
    handling: dict[str, float] = {}
    via: dict[str, str] = {}
    for name, hub in net.freight.hubs.items():
        key = f"network.freight.hubs.{name}"
        if name in nodes:
            raise ConfigError(key, name, "a hub needs a name of its own (a node has this one)")
        for customer in known(f"{key}.serves", hub.serves, net.customers):
            if customer in via:
                raise ConfigError(f"{key}.serves", customer, f"already served via hub {via[customer]}")
            via[customer] = name
        origins = known(f"{key}.linehaul.from", hub.linehaul.origin, [n for n in nodes if n not in net.customers])
        lanes += [_leg(f"{key}.linehaul", hub.linehaul, origin, name, modes, net) for origin in origins]
        lanes += [_leg(f"{key}.last_mile", hub.last_mile, name, customer, modes, net) for customer in hub.serves]
        handling[name] = hub.handling_days
    return tuple(lanes), handling, via


def leg_lane(leg: LegCfg, origin: str, dest: str, mode: TransportMode) -> Lane:
    """The lane ``origin`` -> ``dest`` of a lane or leg section: its rates where given, else the mode's
    (carrier records are added by ``with_carriers``)."""
    return Lane(origin, dest, mode.name, to_dist(leg.lead_time),
                mode.cost_per_unit if leg.cost_per_unit is None else leg.cost_per_unit,
                mode.cost_per_shipment if leg.cost_per_shipment is None else leg.cost_per_shipment,
                mode.co2_per_unit if leg.co2_per_unit is None else leg.co2_per_unit)


def _leg(key: str, leg: LegCfg, origin: str, dest: str, modes: Mapping[str, TransportMode],
         net: NetworkCfg) -> Lane:
    known(f"{key}.mode", [leg.mode], modes)
    lane = leg_lane(leg, origin, dest, modes[leg.mode])
    if leg.carrier is None:
        return lane
    known(f"{key}.carrier", [leg.carrier], net.carriers)
    carrier = net.carriers[leg.carrier]
    return dataclasses.replace(lane, carrier=leg.carrier, on_time=carrier.on_time,
                               delay=to_dist(carrier.delay) if carrier.delay is not None else None)
