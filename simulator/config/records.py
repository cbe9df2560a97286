"""The config keys that describe rather than drive a run: where the sites are, and what the segment
definitions say about themselves (name, version, approval) for the run record."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from simulator.config.schema import NetworkCfg
from simulator.config.schema_run import SegmentsMetaCfg
from simulator.engine.errors import ConfigError


def locations(net: NetworkCfg, nodes: Iterable[str]) -> dict[str, tuple[float, float]]:
    """``network.locations``: ``{site: (latitude, longitude)}``; every site must be a node of the network."""
    known = set(nodes)
    for name in net.locations:
        if name not in known:
            raise ConfigError(f"network.locations.{name}", name, f"unknown site; known: {', '.join(sorted(known))}")
    return {name: (loc.lat, loc.lon) for name, loc in net.locations.items()}


def segments_meta(meta: SegmentsMetaCfg) -> dict[str, Any]:
    """The given keys of ``segments_meta`` (name, version, approved_by, approved_on, inputs)."""
    return {k: v for k, v in meta.model_dump().items() if v not in (None, [])}
