"""Disruption scenarios (supplier failure, congestion, demand spikes...) acting on a running model.

See ``scenarios.base`` for the interface and ``scenarios.kinds`` for the kinds; ``docs/resilience.md``
for how to write a scenario in config.
"""

from scenarios.base import Disruption, Scenario, Schedule
from scenarios.build import build_scenario
from scenarios.kinds import KINDS, node_names

__all__ = ["KINDS", "Disruption", "Scenario", "Schedule", "build_scenario", "node_names"]
