"""What a policy search is asked: the settings it may change, what it minimises, what it must keep.

Read once from the ``optimize`` section of the composed config (``conf/optimize/<name>.yaml``); every
mistake is a ``ConfigError`` naming the key, the value and what is allowed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Annotated, Any, Literal

from pydantic import Field, Strict, model_validator

from analysis.optimization import METRICS, Constraint
from simulator.config.errors import validate
from simulator.engine.errors import ConfigError
from simulator.engine.params import Count, Flag, Invalid, Number, Positive, Section, Text, Whole


@dataclass(frozen=True)
class Param:
    """One setting the search may change: a whole number or a number in [low, high], or one of ``choices``."""

    key: str
    kind: str  # "int", "float" or "choice"
    low: float | None = None
    high: float | None = None
    step: float | None = None
    log: bool = False
    choices: tuple[Any, ...] = ()

    def contains(self, value: Any) -> bool:
        """Whether ``value`` is a setting this parameter can take (used to start from today's settings)."""
        if self.kind == "choice":
            return value in self.choices
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        assert self.low is not None and self.high is not None
        if not self.low <= value <= self.high:
            return False
        if self.kind == "int":
            return float(value).is_integer() and (value - self.low) % (self.step or 1) == 0
        return True

    def grid(self) -> list[Any]:
        """Every value of a discrete parameter (for the grid sampler)."""
        if self.kind == "choice":
            return list(self.choices)
        if self.kind == "int":
            assert self.low is not None and self.high is not None
            return list(range(int(self.low), int(self.high) + 1, int(self.step or 1)))
        raise ConfigError(f"optimize.space.{self.key}", {"low": self.low, "high": self.high},
                          "the grid sampler needs whole-number or choice settings only")


@dataclass(frozen=True)
class Settings:
    """A study: search ``space``, objective (weighted sum of metrics of one segment), constraints, budget."""

    name: str
    space: tuple[Param, ...]
    terms: dict[str, float]  # objective = sum(weight * metric) of the objective segment, per replication
    objective_segment: str
    direction: str  # "minimize" or "maximize"
    sla: bool  # every stocked segment's fill rate, and every segment's OTIF, >= its SLA fill rate
    extra: tuple[Constraint, ...]
    trials: int
    minutes: float | None
    initial: int  # replications every trial starts with
    max_reps: int  # replications a promising or undecided trial may grow to
    step: int  # replications added at a time
    fresh: int  # fresh-seed replications of the winner and of today's settings
    n_jobs: int
    sampler: str
    seed: int
    output_dir: str
    level: float = 0.95

    def fingerprint(self, base: Mapping[str, Any]) -> str:
        """Hash of everything that makes trials comparable: the search and the base config (not the budget)."""
        d = asdict(self)
        for k in ("trials", "minutes", "n_jobs", "output_dir", "fresh"):
            d.pop(k)
        text = json.dumps([d, base], sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


class RangeCfg(Section):
    """A searched setting: ``{low, high}`` (whole numbers when both are; ``step``, ``log``) or ``{choices}``."""

    low: Whole | Number | None = None  # a whole number stays one: it makes the setting whole-numbered
    high: Whole | Number | None = None
    step: Annotated[int, Strict(), Field(gt=0)] | Positive | None = None
    log: Flag = False
    type: Literal["int", "float"] | None = None
    choices: list[Any] | None = Field(default=None, min_length=2)

    @model_validator(mode="after")
    def _range(self) -> RangeCfg:
        if self.choices is not None:
            if self.low is not None or self.high is not None:
                raise Invalid("choices", self.choices, "give either choices or low and high, not both")
            return self
        if self.low is None or self.high is None:
            raise Invalid("high" if self.low is not None else "low", None, "a range needs low and high (or choices)")
        if not self.low < self.high:
            raise Invalid("high", self.high, f"empty range: high must be > low ({self.low:g})")
        if self.log and self.low <= 0:
            raise Invalid("low", self.low, "a log scale needs low > 0")
        return self

    def param(self, key: str) -> Param:
        if self.choices is not None:
            return Param(key, "choice", choices=tuple(self.choices))
        assert self.low is not None and self.high is not None
        whole = all(isinstance(v, int) for v in (self.low, self.high)) and not isinstance(self.step, float)
        kind = self.type or ("int" if whole else "float")
        if kind == "int" and not all(float(v).is_integer() for v in (self.low, self.high, self.step or 1)):
            raise ConfigError(f"optimize.space.{key}", self.model_dump(exclude_none=True),
                              "a whole-number setting needs whole low, high and step")
        return Param(key, kind, float(self.low), float(self.high), self.step, self.log)


class ObjectiveCfg(Section):
    """Weighted sum of metrics of one segment (``ALL``: the company), to minimise or maximise."""

    terms: dict[str, Number] = Field(default_factory=lambda: {"total_cost": 1.0}, min_length=1)
    segment: Text = "ALL"
    direction: Literal["minimize", "maximize"] = "minimize"


class ExtraConstraintCfg(Section):
    """``metric`` of ``segment`` >= ``min`` or <= ``max`` (read on the pessimistic end of its interval)."""

    segment: Text = "ALL"
    metric: Literal[METRICS]  # type: ignore[valid-type]
    min: Number | None = None
    max: Number | None = None

    @model_validator(mode="after")
    def _one(self) -> ExtraConstraintCfg:
        if (self.min is None) == (self.max is None):
            raise Invalid("min", self.min, "give exactly one of min or max")
        return self


class ConstraintsCfg(Section):
    sla: Flag = True  # every segment's SLA: fill rate (stocked segments) and OTIF >= its SLA fill rate
    extra: list[ExtraConstraintCfg] = Field(default_factory=list)


class BudgetCfg(Section):
    trials: Count = 40
    minutes: Positive | None = None


class ReplicationsCfg(Section):
    initial: Annotated[int, Strict(), Field(ge=2)] = 3
    max: Count | None = None  # default: the larger of initial and 8
    step: Count = 2
    fresh: Annotated[int, Strict(), Field(ge=2)] | None = None  # default: max


class OptimizeCfg(Section):
    """The ``optimize`` section of a study file (``conf/optimize/<name>.yaml``)."""

    name: Text
    space: dict[str, RangeCfg] = Field(min_length=1)
    objective: ObjectiveCfg = Field(default_factory=ObjectiveCfg)
    constraints: ConstraintsCfg = Field(default_factory=ConstraintsCfg)
    budget: BudgetCfg = Field(default_factory=BudgetCfg)
    replications: ReplicationsCfg = Field(default_factory=ReplicationsCfg)
    n_jobs: Count = 1
    sampler: Literal["tpe", "random", "cmaes", "grid"] = "tpe"
    seed: Annotated[int, Strict(), Field(ge=0)] = 0
    output_dir: Text | None = None
    level: Annotated[float, Strict(), Field(gt=0.5, lt=1)] = 0.95


def _lookup(config: Mapping[str, Any], dotted: str) -> tuple[bool, Any]:
    node: Any = config
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return False, None
        node = node[part]
    return True, node


def parse_settings(section: Any, base: Mapping[str, Any]) -> Settings:
    """The ``optimize`` section, checked, and checked against the base config it will change."""
    cfg = validate(OptimizeCfg, section, "optimize")
    for key in cfg.space:
        if not _lookup(base, key)[0]:
            raise ConfigError(f"optimize.space.{key}", key, "unknown key: a search-space key must name a setting of "
                              "the composed config (give it a value, even null, in the study file if the default "
                              "config leaves it out)")
    for metric in cfg.objective.terms:
        if metric not in METRICS:
            raise ConfigError(f"optimize.objective.terms.{metric}", metric,
                              f"unknown metric; known: {', '.join(METRICS)}")
    segments = (*(base.get("segments") or {}), "ALL")
    wanted = [("optimize.objective.segment", cfg.objective.segment)]
    wanted += [(f"optimize.constraints.extra[{i}].segment", c.segment) for i, c in enumerate(cfg.constraints.extra)]
    for key, seg in wanted:
        if seg not in segments:
            raise ConfigError(key, seg, f"unknown segment; known: {', '.join(segments)}")
    reps = cfg.replications
    max_reps = reps.max if reps.max is not None else max(reps.initial, 8)
    if max_reps < reps.initial:
        raise ConfigError("optimize.replications.max", max_reps, f"must be >= initial ({reps.initial})")
    settings = Settings(
        name=cfg.name, space=tuple(r.param(k) for k, r in cfg.space.items()), terms=dict(cfg.objective.terms),
        objective_segment=cfg.objective.segment, direction=cfg.objective.direction, sla=cfg.constraints.sla,
        extra=tuple(Constraint(c.segment, c.metric, "min" if c.min is not None else "max",
                               float(c.min if c.min is not None else c.max)) for c in cfg.constraints.extra),
        trials=cfg.budget.trials, minutes=cfg.budget.minutes, initial=reps.initial, max_reps=max_reps,
        step=reps.step, fresh=reps.fresh or max_reps, n_jobs=cfg.n_jobs, sampler=cfg.sampler, seed=cfg.seed,
        output_dir=cfg.output_dir or f"outputs/optimize/{cfg.name}", level=cfg.level)
    if settings.sampler == "grid":
        for p in settings.space:
            p.grid()  # raises for a continuous setting
    return settings
