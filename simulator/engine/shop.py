"""What the shop floor is made of beyond lines: routings (several operations per family), shift
calendars, crews, overtime and tools. Plain domain objects read by ``routing.py`` and
``calendar.py``; ``simulator.config`` builds them from ``network.routings``, ``network.tools`` and
the ``calendar`` / ``crews`` / ``crew`` keys of plants and lines. All are absent by default."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from simulator.engine.distributions import Dist


@dataclass(frozen=True, slots=True)
class Buffer:
    """A semi-finished stock after an operation, replenished by (s, S) on its position."""

    s: float
    S: float
    initial: float


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation of a routing: the line it runs on and how long it takes there."""

    plant: str
    line: str
    unit_time: Dist | None  # days per unit, or
    batch_time: Dist | None  # days per batch (used when unit_time is None)
    changeover: Dist | None  # days lost switching the line to this family; None: the line's
    changeover_cost: float | None  # None: the line's
    transfer_days: float = 0.0  # days to move the output to the next operation
    stock_after: Buffer | None = None  # a semi-finished buffer after this operation (a decoupling point)


@dataclass(frozen=True, slots=True)
class Routing:
    """The operations that make a family, in order (the last one finishes the product)."""

    family: str
    operations: tuple[Operation, ...]

    @property
    def finishing_plant(self) -> str:
        return self.operations[-1].plant

    @property
    def first_plant(self) -> str:
        return self.operations[0].plant


@dataclass(frozen=True, slots=True)
class Overtime:
    """Work past the end of a shift while the line still has work, at most ``max_hours_per_day``."""

    max_hours_per_day: float
    cost_per_hour: float


@dataclass(frozen=True, slots=True)
class Calendar:
    """When a line is staffed: ``hours_per_day`` from the start of each working day, on the first
    ``days_per_week`` days of every week of the run (day 0 starts a week), except ``holidays``."""

    hours_per_day: float
    days_per_week: int = 7
    holidays: frozenset[int] = frozenset()  # run days (0, 1, ...) without a shift
    overtime: Overtime | None = None

    def works(self, day: int) -> bool:
        return day % 7 < self.days_per_week and day not in self.holidays


@dataclass(frozen=True, slots=True)
class Tool:
    """A tool or mould: a line needs one to run any of ``families``; ``count`` lines can hold one at a time."""

    name: str
    families: tuple[str, ...]
    count: int = 1


@dataclass(frozen=True, slots=True)
class ShopFloor:
    """Calendars, crews and tools of the run's lines (keys are (plant, line))."""

    calendars: Mapping[tuple[str, str], Calendar] = field(default_factory=dict)
    crew_of: Mapping[tuple[str, str], str] = field(default_factory=dict)  # line -> "plant/crew" it needs
    crew_sizes: Mapping[str, int] = field(default_factory=dict)  # "plant/crew" -> lines it can staff at once
    tools: Mapping[str, Tool] = field(default_factory=dict)

    def tool_for(self, family: str) -> Tool | None:
        return next((t for t in self.tools.values() if family in t.families), None)
