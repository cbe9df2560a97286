"""The config layer: from the composed config (plain dicts) to a validated ``Spec``.

It sits above the engine and the scenarios: it knows every config key, builds the engine's
domain objects, the policy objects and the scenario, and runs the cross-entity checks.
"""

from typing import Any

from simulator.config.build import build_spec
from simulator.config.errors import validate
from simulator.config.policy import build_policy
from simulator.engine.distributions import Dist
from simulator.engine.params import DistSpec, to_dist


def read_dist(raw: Any, key: str) -> Dist:
    """A distribution written in config (a number, or ``{dist: name, ...}``) at dotted path ``key``."""
    return to_dist(validate(DistSpec, raw, key))


__all__ = ["build_policy", "build_spec", "read_dist", "validate"]
