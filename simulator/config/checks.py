"""Cross-entity checks of a built ``Spec``: rules no single config key can state on its own."""

from __future__ import annotations

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
