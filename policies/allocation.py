"""Capacity allocation: which waiting production order a line starts next."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from policies.base import JobView
from policies.registry import register


@register("allocation", "fcfs")
@dataclass(frozen=True, slots=True)
class FirstComeFirstServed:
    """First come, first served: the oldest released production order goes next."""

    def next_job(self, queue: Sequence[JobView], current_family: str | None) -> int:
        return 0
