"""Building freight from the config: each lane gets its carrier's on-time record."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from simulator.config.checks import known
from simulator.config.schema import NetworkCfg
from simulator.config.schema_freight import CarrierCfg
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
