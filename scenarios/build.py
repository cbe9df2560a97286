"""Building a ``Scenario`` from the validated ``scenario`` config section."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scenarios.base import Scenario, Schedule
from scenarios.kinds import KINDS

if TYPE_CHECKING:
    from simulator.engine.spec import Spec


def build_scenario(section: Any, spec: Spec) -> Scenario:
    """Turn the validated ``scenario`` section (``name``, ``description``, ``disruptions``: name ->
    the params of a kind) into a checked ``Scenario`` (targets exist, windows inside the run)."""
    if section is None:
        return Scenario("unnamed", "", ())
    out = []
    for name, p in section.disruptions.items():
        key = f"scenario.disruptions.{name}"
        schedule = Schedule.from_params(p, key, spec.horizon_days)
        out.append(KINDS[p.kind].parse(name, p, key, spec, schedule))
    return Scenario(section.name, section.description, tuple(out))
