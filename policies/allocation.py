"""Capacity allocation: which waiting production order a line starts next, and whether a new
one interrupts the running one."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from policies.base import JobView
from policies.registry import register


@register("allocation", "fcfs")
@dataclass(frozen=True, slots=True)
class FirstComeFirstServed:
    """First come, first served: the oldest released production order goes next."""

    def next_job(self, queue: Sequence[JobView], current_family: str | None) -> int:
        return 0

    def preempts(self, arriving: JobView, running: JobView) -> bool:
        return False


@register("allocation", "profit_weighted")
@dataclass(frozen=True, slots=True)
class ProfitWeighted:
    """Profitability-weighted priority: when orders queue for a constrained line, start the one
    with the highest score = segment weight x margin per unit; equal scores go first come, first
    served. Segments without a weight score 0: they wait, in release order, behind the weighted ones.

    ``preemptive``: a newly released order with a higher score interrupts the running one, which
    resumes later with its remaining work (preemptive-resume).
    """

    weights: Mapping[str, float]
    preemptive: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.weights, Mapping) or not self.weights:
            raise ValueError("weights must map segment names to weights, e.g. {fast: 3, core: 1}")
        for seg, w in self.weights.items():
            if isinstance(w, bool) or not isinstance(w, (int, float)) or w < 0:
                raise ValueError(f"weight of segment {seg!r} must be a number >= 0; got {w!r}")

    def score(self, job: JobView) -> float:
        return self.weights.get(job.segment, 0.0) * job.margin

    def next_job(self, queue: Sequence[JobView], current_family: str | None) -> int:
        score = self.score
        return max(range(len(queue)), key=lambda i: (score(queue[i]), -queue[i].released, -i))

    def preempts(self, arriving: JobView, running: JobView) -> bool:
        return self.preemptive and self.score(arriving) > self.score(running)
