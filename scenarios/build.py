"""Building a ``Scenario`` from the ``scenario`` config section."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scenarios.base import SCHEDULE_KEYS, Scenario, Schedule
from scenarios.kinds import KINDS
from simulator.engine.config_reader import Node

if TYPE_CHECKING:
    from simulator.engine.spec import Spec


def build_scenario(raw: Any, spec: Spec) -> Scenario:
    """Turn the ``scenario`` config section into a checked ``Scenario`` (targets exist, values in range)."""
    top = Node(raw, "scenario", ("name", "description", "disruptions"))
    out = []
    for name, node in top.children("disruptions"):
        kind = Node(node.data, node.path).string("kind", choices=KINDS)
        cls = KINDS[kind]
        node = Node(node.data, node.path, ("kind", "description", *SCHEDULE_KEYS, *cls.keys))
        schedule = Schedule.from_config(node, spec.horizon_days)
        out.append(cls.parse(name, node, spec, schedule))
    return Scenario(top.string("name", "unnamed"), top.string("description", ""), tuple(out))
