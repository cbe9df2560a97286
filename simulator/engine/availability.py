"""How much of an entity's normal capacity is available now: the one hook disruptions act through.

A supplier, a production line, a DC and each carrier lane own an ``Availability``. Scenarios
(``scenarios/``) lower it for a window and lift it again; the entity only reads it:
1 = normal, 0 = down (a failure, an outage), in between = reduced (partial capacity,
a maintenance overrun). Several disruptions on one entity combine by taking the worst (lowest).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Generator
from typing import Any

import simpy


class Availability:
    """The share of an entity's normal capacity available now, set by named disruptions."""

    __slots__ = ("env", "factor", "_active", "_changed", "_waiting", "may_change")

    def __init__(self, env: simpy.Environment) -> None:
        self.env = env
        self.factor = 1.0
        self.may_change = False  # set when a disruption is installed on this entity
        self._active: dict[str, float] = {}
        self._changed: simpy.Event = env.event()
        self._waiting: deque[Callable[[], None]] = deque()

    @property
    def up(self) -> bool:
        return self.factor > 0

    def expect_changes(self) -> None:
        """Say that this availability may change during the run (a disruption or maintenance is
        scheduled on it): work on the entity then follows each change instead of taking its nominal time."""
        self.may_change = True

    def apply(self, name: str, factor: float) -> None:
        """Disruption ``name`` cuts capacity to ``factor`` (0 = down) until ``lift(name)``."""
        self._active[name] = factor
        self._update()

    def lift(self, name: str) -> None:
        """Disruption ``name`` is over."""
        self._active.pop(name, None)
        self._update()

    def _update(self) -> None:
        self.factor = min(self._active.values(), default=1.0)
        changed, self._changed = self._changed, self.env.event()
        changed.succeed()
        while self._waiting and self.factor > 0:  # first come, first served
            self._waiting.popleft()()

    def changed(self) -> simpy.Event:
        """An event that fires at the next change of availability."""
        return self._changed

    def when_up(self, action: Callable[[], None]) -> None:
        """Do ``action`` now if the entity is up, else the moment it is up again (in arrival order)."""
        if self.factor > 0 and not self._waiting:
            action()
        else:
            self._waiting.append(action)

    def work(self, duration: float) -> Generator[simpy.Event, Any, None]:
        """Spend ``duration`` days of full-capacity work: slower at reduced capacity, paused while down.

        Work in progress when capacity drops keeps what it has done and resumes with the rest
        (preemptive-resume), so a breakdown mid-batch delays the batch by the time lost.
        """
        env = self.env
        if not self.may_change:
            yield env.timeout(duration)
            return
        remaining = duration
        while remaining > 0:
            if self.factor <= 0:
                yield self._changed
                continue
            start, rate, changed = env.now, self.factor, self._changed
            done = env.timeout(remaining / rate)
            yield done | changed
            remaining -= (env.now - start) * rate
            if done.processed or remaining <= 1e-9 * max(1.0, duration):
                return
