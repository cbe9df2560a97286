"""The config layer: from the composed config (plain dicts) to a validated ``Spec``.

It sits above the engine and the scenarios: it knows every config key, builds the engine's
domain objects, the policy objects and the scenario, and runs the cross-entity checks.
"""

from simulator.config.build import build_spec
from simulator.config.policy import build_policy

__all__ = ["build_policy", "build_spec"]
