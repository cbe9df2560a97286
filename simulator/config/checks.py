"""Cross-entity checks of a built ``Spec``: rules no single config key can state on its own."""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from typing import Any

from simulator.engine.config_reader import Node
from simulator.engine.errors import ConfigError
from simulator.engine.spec import Spec


def _check_policy_segments(spec: Spec) -> None:
    """Segment names inside policy parameters (e.g. allocation weights) must be known segments."""
    for plant in spec.plants.values():
        for line in plant.lines:
            for seg in getattr(line.allocation, "weights", None) or ():
                if seg not in spec.segments:
                    raise ConfigError(f"network.plants.{plant.name}.lines.{line.name}.allocation.weights", seg,
                                      f"unknown segment; known: {', '.join(sorted(spec.segments))}")
    for sup in spec.suppliers.values():
        for seg, row in (getattr(sup.allocation, "matrix", None) or {}).items():
            key = f"network.suppliers.{sup.name}.allocation.matrix"
            if seg not in spec.segments:
                raise ConfigError(f"{key}.{seg}", seg, f"unknown segment; known: {', '.join(sorted(spec.segments))}")
            for material in row:
                if material not in sup.supplies:
                    raise ConfigError(f"{key}.{seg}.{material}", material,
                                      f"{sup.name} supplies only: {', '.join(sup.supplies)}")


def _unique_names(net: Node, *tables: Mapping[str, Any]) -> None:
    seen: dict[str, str] = {}
    for kind, table in zip(("suppliers", "plants", "warehouses"), tables, strict=True):
        for name in table:
            if name in seen:
                raise ConfigError(f"network.{kind}.{name}", name, f"node names must be unique; also in {seen[name]}")
            seen[name] = kind


def _check_overrides(spec: Spec, raw: Any) -> None:
    """A consensus override replaces a statistical forecast: every SKU it names must belong to a
    segment that forecasts, or the override would be silently ignored."""
    for i, (override, item) in enumerate(zip(spec.forecast_overrides, raw or (), strict=False)):
        names = sorted(s for s in spec.skus if any(fnmatch.fnmatchcase(s, p) for p in override.skus))
        segments_of: dict[str, set[str]] = {s: set() for s in names}
        for (sku, _channel), seg in spec.segment_of.items():
            if sku in segments_of:
                segments_of[sku].add(seg)
        idle = [s for s in names if not any(spec.segments[g].policies.forecast is not None for g in segments_of[s])]
        if idle:
            field = "skus" if isinstance(item, Mapping) and "skus" in item else "families"
            segs = sorted({g for s in idle for g in segments_of[s]})
            shown = ", ".join(idle[:5]) + (f" and {len(idle) - 5} more" if len(idle) > 5 else "")
            raise ConfigError(
                f"demand.overrides[{i}].{field}", shown,
                f"segment(s) {', '.join(segs)} plan from the configured demand, without a forecast policy, so an "
                f"override would change nothing; give them one (segments.{segs[0]}.policies.forecast: "
                "{type: moving_average}) or use segments=forecast_driven")
