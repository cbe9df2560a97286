"""The config keys that describe rather than drive a run: where the sites are, and what the segment
definitions say about themselves (name, version, approval) for the run record."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from simulator.engine.config_reader import Node
from simulator.engine.errors import ConfigError

META_KEYS = ("name", "version", "approved_by", "approved_on")


def locations(net: Node, tables: tuple[Mapping[str, Any], ...]) -> dict[str, tuple[float, float]]:
    """``network.locations``: ``{node: {lat: degrees north, lon: degrees east}}`` (for maps and distances)."""
    known = {name for table in tables for name in table}
    out = {}
    for name, n in net.children("locations", ("lat", "lon")):
        if name not in known:
            raise ConfigError(n.path, name, f"unknown node; known: {', '.join(sorted(known))}")
        out[name] = (n.number("lat", min=-90.0, max=90.0), n.number("lon", min=-180.0, max=180.0))
    return out


def segments_meta(top: Node, net: Node) -> dict[str, Any]:
    """``segments_meta``: name, version, approved_by, approved_on (texts; a date as YYYY-MM-DD) and
    ``inputs`` (files the definitions were derived from); ``network.inputs``: files the network was
    imported from. Both lists of inputs are hashed into the run record."""
    meta = top.child("segments_meta", (*META_KEYS, "inputs"))
    out: dict[str, Any] = {}
    for key in META_KEYS:
        if meta.has(key):
            value = meta.raw(key)
            if isinstance(value, bool) or not isinstance(value, (str, int, float, datetime.date)):
                raise ConfigError(meta.key(key), value, "expected a text (a date as YYYY-MM-DD)")
            out[key] = str(value)
    if net.has("inputs"):
        net.names("inputs")
    if meta.has("inputs"):
        out["inputs"] = list(meta.names("inputs"))
    return out
