"""The one interface through which disruptions act on a running model.

A ``Disruption`` has a name, a ``Schedule`` of on/off windows and a target. ``install(model)``
draws the windows (fixed, or an on/off random process from the disruption's own named random
stream), records them in the ``disruptions`` table and schedules ``begin``/``end`` at each
window's edges. ``begin`` and ``end`` only toggle the small state the entities read
(``Availability`` of a supplier, line or DC; transit factors and capacities of carrier lanes) or,
for demand, register a ``DemandModifier``. A ``Scenario`` is a named list of disruptions.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import Field, model_validator

from simulator.engine.errors import ConfigError
from simulator.engine.params import Invalid, NonNeg, Positive, Section, Text

if TYPE_CHECKING:
    from simulator.engine.model import Model
    from simulator.engine.spec import Spec

log = logging.getLogger(__name__)

Window = tuple[float, float]  # (start day, end day)


class DisruptionParams(Section):
    """The keys every disruption has: its schedule (one window, or an on/off random process)."""

    description: Text = ""
    start: NonNeg | None = Field(None, description="day the window opens (default 0 for a random process)")
    duration: Positive | None = Field(None, description="days the window lasts")
    mtbf: Positive | None = Field(None, description="mean days between failures (random process)")
    mttr: Positive | None = Field(None, description="mean days to repair (random process)")

    @model_validator(mode="after")
    def _one_schedule(self) -> DisruptionParams:
        fixed = self.duration is not None
        if fixed == (self.mtbf is not None or self.mttr is not None) or (not fixed and None in (self.mtbf, self.mttr)):
            raise Invalid("duration", self.duration,
                          "give either start and duration (days), or mtbf and mttr (mean days between "
                          "failures and to repair) for an on/off random process")
        if fixed and self.start is None:
            raise Invalid("start", None, "this key is required with duration")
        return self


@dataclass(frozen=True, slots=True)
class Schedule:
    """When a disruption is on: one window ``[start, start + duration)``, or an on/off random
    process (exponential times between failures with mean ``mtbf`` and to repair with mean
    ``mttr``, from ``start``)."""

    start: float = 0.0
    duration: float | None = None
    mtbf: float | None = None
    mttr: float | None = None

    @property
    def is_random(self) -> bool:
        return self.mtbf is not None

    def windows(self, model: Model, name: str) -> list[Window]:
        """The on windows within the horizon (random ones drawn from stream ``disruption/<name>``)."""
        horizon = model.spec.horizon_days
        if not self.is_random:
            return [(self.start, self.start + self.duration)] if self.start < horizon else []
        rng = model.ctx.streams.rng("disruption", name)
        out: list[Window] = []
        t = self.start
        while True:
            t += rng.exponential(self.mtbf)
            if t >= horizon:
                return out
            repair = rng.exponential(self.mttr)
            out.append((t, t + repair))
            t += repair

    @staticmethod
    def from_params(p: DisruptionParams, key: str, horizon: float) -> Schedule:
        start = p.start if p.start is not None else 0.0
        if start >= horizon:
            raise ConfigError(f"{key}.start", start,
                              f"must be before the end of the run (horizon_days={horizon:g}); shift the window "
                              f"into the run, e.g. {key}.start={math.floor(horizon / 3):g}, or run longer")
        return Schedule(start, p.duration, p.mtbf, p.mttr)


@dataclass(frozen=True, slots=True)
class Disruption:
    """A named disruption on its targets, on during the windows of its schedule.

    Subclasses set ``kind`` and ``Params`` (their config keys, a ``DisruptionParams`` model) and
    implement ``parse`` (checks against the network, once, before the clock starts), ``begin`` and ``end``.
    """

    kind: ClassVar[str] = ""

    name: str
    schedule: Schedule
    targets: tuple[Any, ...]
    level: float  # the disruption's strength: capacity share, lead-time multiplier, demand factor...

    @classmethod
    def parse(cls, name: str, p: Any, key: str, spec: Spec, schedule: Schedule) -> Disruption:
        raise NotImplementedError

    def install(self, model: Model) -> None:
        """Record the windows and schedule their start and end on the model's clock."""
        windows = self.schedule.windows(model, self.name)
        self.prepare(model, windows)
        rows = model.ctx.recorder.disruptions
        env = model.env
        for start, end in windows:
            for label in self.labels():
                rows.append((self.name, self.kind, label, start, end, self.level))
            env.timeout(start - env.now).callbacks.append(lambda _ev: self.begin(model))
            env.timeout(end - env.now).callbacks.append(lambda _ev: self.end(model))
        log.info("%s (%s) on %s: %d window(s)", self.name, self.kind, self.targets, len(windows))

    def labels(self) -> list[str]:
        """The targets as written in the ``disruptions`` table (``plant/line``, ``origin->dest``...)."""
        return [t if isinstance(t, str) else "->".join(t) for t in self.targets]

    def prepare(self, model: Model, windows: list[Window]) -> None:
        """Hook before the clock starts (e.g. register a demand modifier, mark entities)."""

    def begin(self, model: Model) -> None:
        raise NotImplementedError

    def end(self, model: Model) -> None:
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class Scenario:
    """A named, composable set of disruptions; ``baseline`` has none."""

    name: str
    description: str
    disruptions: tuple[Disruption, ...]

    def install(self, model: Model) -> None:
        for d in self.disruptions:
            d.install(model)
