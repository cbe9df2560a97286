"""Stock allocation at a DC: how one SKU's stock is shared between the segments that buy it when
it runs short.

The default is first come, first served. ``critical_levels`` keeps the last units on the shelf for
the more important segments (a critical-level or nested protection-level rule): a line of a
segment with level C may take stock only while more than C units are on hand; the units at or
below C are kept for segments with a lower level.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from policies.registry import register

BASES = ("units", "days")
RATIONED = ("backorder", "lost")
BACKORDERS = ("oldest_first", "priority")


@runtime_checkable
class StockAllocation(Protocol):
    """Which segment's order lines a DC fills from scarce stock of one SKU.

    ``active``: False for first come, first served (the DC then runs no allocation at all);
    ``turn_away``: a line held back by a level loses what it cannot take at once (lost sales)
    instead of waiting on backorder; ``by_priority``: backorders are filled most important segment
    first (oldest first within a segment) instead of oldest first.
    """

    @property
    def active(self) -> bool: ...

    @property
    def turn_away(self) -> bool: ...

    @property
    def by_priority(self) -> bool: ...

    def reserves(self, ranked: Sequence[str], mean_daily: float) -> dict[str, float]:
        """Units on hand kept back from each segment's lines (``ranked``: the segments, most
        important first) at a stock point whose planned demand is ``mean_daily`` units a day
        (0: the segment may take the last unit)."""
        ...


@register("stock_allocation", "fcfs")
@dataclass(frozen=True, slots=True)
class FirstComeFirstServed:
    """First come, first served: every line takes what is on hand; nothing ships past a waiting
    backorder; backorders are filled oldest first."""

    active = False
    turn_away = False
    by_priority = False

    def reserves(self, ranked: Sequence[str], mean_daily: float) -> dict[str, float]:
        return dict.fromkeys(ranked, 0.0)


@register("stock_allocation", "critical_levels")
@dataclass(frozen=True, slots=True)
class CriticalLevels:
    """Protection (critical) levels per segment: when on-hand stock of a SKU is at or below a
    segment's level, that segment's lines get nothing more; the rest is kept for segments with a
    lower level (the more important ones). Nested: list each segment's level so that less important
    segments have equal or higher levels (e.g. {core: 10, tail: 25}: the last 10 units are for fast
    only, the 15 above them for fast and core). A segment not listed is held back like the segment
    ranked just above it (the most important one: level 0), so {core: 10} holds back tail too.

    ``basis``: ``units``, or ``days`` of the stock point's planned daily demand (the same level in
    days of cover gives each SKU its own number of units).
    ``rationed``: what happens to the part of a line a level holds back: ``backorder`` (it waits,
    with the channel's patience) or ``lost`` (the customer is turned away for that part).
    ``backorders``: ``oldest_first`` or ``priority`` (when stock arrives, the most important
    segment's backorders are filled first).
    """

    levels: Mapping[str, float] = field(default_factory=dict)
    basis: str = "units"
    rationed: str = "backorder"
    backorders: str = "oldest_first"

    def __post_init__(self) -> None:
        if not isinstance(self.levels, Mapping):
            raise ValueError("levels must map segment names to stock levels, e.g. {core: 10, tail: 25}")
        for seg, level in self.levels.items():
            if isinstance(level, bool) or not isinstance(level, (int, float)) or not level >= 0 \
                    or level == float("inf"):
                raise ValueError(f"levels of segment {seg!r} must be a finite number >= 0; got {level!r}")
        for name, value, allowed in (("basis", self.basis, BASES), ("rationed", self.rationed, RATIONED),
                                     ("backorders", self.backorders, BACKORDERS)):
            if value not in allowed:
                raise ValueError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")

    @property
    def active(self) -> bool:
        return True

    @property
    def turn_away(self) -> bool:
        return self.rationed == "lost"

    @property
    def by_priority(self) -> bool:
        return self.backorders == "priority"

    def reserves(self, ranked: Sequence[str], mean_daily: float) -> dict[str, float]:
        scale = mean_daily if self.basis == "days" else 1.0
        out, level = {}, 0.0
        for seg in ranked:  # nested: a segment not listed is held back like the one ranked just above it
            level = max(level, float(self.levels.get(seg, 0.0)))
            out[seg] = level * scale
        return out
