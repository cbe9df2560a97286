"""What a policy search is asked: the settings it may change, what it minimises, what it must keep.

Read once from the ``optimize`` section of the composed config (``conf/optimize/<name>.yaml``); every
mistake is a ``ConfigError`` naming the key, the value and what is allowed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from analysis.optimization import METRICS, Constraint
from simulator.engine.config_reader import Node
from simulator.engine.errors import ConfigError

SAMPLERS = ("tpe", "random", "cmaes", "grid")
KEYS = ("name", "space", "objective", "constraints", "budget", "replications", "n_jobs", "sampler", "seed",
        "output_dir", "level")


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


def _lookup(config: Mapping[str, Any], dotted: str) -> tuple[bool, Any]:
    node: Any = config
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return False, None
        node = node[part]
    return True, node


def parse_param(key: str, raw: Any, base: Mapping[str, Any]) -> Param:
    where = f"optimize.space.{key}"
    found, _ = _lookup(base, key)
    if not found:
        raise ConfigError(where, key, "unknown key: a search-space key must name a setting of the composed config "
                          "(give it a value, even null, in the optimize file if the default config leaves it out)")
    node = Node(raw, where, ("low", "high", "step", "log", "choices", "type"))
    if node.has("choices"):
        choices = node.raw("choices")
        if not isinstance(choices, (list, tuple)) or len(choices) < 2:
            raise ConfigError(f"{where}.choices", choices, "expected a list of at least two settings")
        return Param(key, "choice", choices=tuple(choices))
    low, high = node.number("low"), node.number("high")
    if not low < high:
        raise ConfigError(where, {"low": low, "high": high}, "empty range: low must be < high")
    raw_low, raw_high = node.raw("low"), node.raw("high")
    kind = node.string("type", "int" if isinstance(raw_low, int) and isinstance(raw_high, int)
                       and not isinstance(node.data.get("step"), float) else "float", choices=("int", "float"))
    step = node.number("step", None, min=0.0, strict_min=True)
    log = node.boolean("log", False)
    if log and low <= 0:
        raise ConfigError(f"{where}.low", low, "a log scale needs low > 0")
    if kind == "int" and not (low.is_integer() and high.is_integer() and (step is None or step.is_integer())):
        raise ConfigError(where, dict(node.data), "a whole-number setting needs whole low, high and step")
    return Param(key, kind, low, high, step, log)


def parse_settings(section: Any, base: Mapping[str, Any]) -> Settings:
    """The ``optimize`` section, checked against the base config it will change."""
    top = Node(section, "optimize", KEYS)
    name = top.string("name")
    space_node = top.child("space", required=True)
    space = tuple(parse_param(k, v, base) for k, v in space_node.data.items())
    if not space:
        raise ConfigError("optimize.space", {}, "name at least one setting to search")

    obj = top.child("objective", ("terms", "segment", "direction"))
    terms_node = obj.child("terms")
    terms = {k: terms_node.number(k) for k in terms_node.data} or {"total_cost": 1.0}
    for k in terms:
        if k not in METRICS:
            raise ConfigError(f"optimize.objective.terms.{k}", k, f"unknown metric; known: {', '.join(METRICS)}")
    segments = tuple(base.get("segments", {}) or {}) + ("ALL",)
    objective_segment = obj.string("segment", "ALL", choices=segments)
    direction = obj.string("direction", "minimize", choices=("minimize", "maximize"))

    cons = top.child("constraints", ("sla", "extra"))
    extra = []
    for i, item in enumerate(cons.raw("extra", []) or []):
        c = Node(item, f"optimize.constraints.extra[{i}]", ("segment", "metric", "min", "max"))
        metric = c.string("metric", choices=METRICS)
        if c.has("min") == c.has("max"):
            raise ConfigError(c.path, item, "give exactly one of min or max")
        bound = "min" if c.has("min") else "max"
        extra.append(Constraint(c.string("segment", "ALL", choices=segments), metric, bound, c.number(bound)))

    budget = top.child("budget", ("trials", "minutes"))
    trials = budget.integer("trials", 40, min=1)
    minutes = budget.number("minutes", None, min=0.0, strict_min=True)
    reps = top.child("replications", ("initial", "max", "step", "fresh"))
    initial = reps.integer("initial", 3, min=2)
    max_reps = reps.integer("max", max(initial, 8), min=initial)
    level = top.number("level", 0.95, min=0.5, max=0.999)
    settings = Settings(
        name=name, space=space, terms=terms, objective_segment=objective_segment, direction=direction,
        sla=cons.boolean("sla", True), extra=tuple(extra), trials=trials, minutes=minutes, initial=initial,
        max_reps=max_reps, step=reps.integer("step", 2, min=1), fresh=reps.integer("fresh", max_reps, min=2),
        n_jobs=top.integer("n_jobs", 1, min=1), sampler=top.string("sampler", "tpe", choices=SAMPLERS),
        seed=top.integer("seed", 0, min=0), output_dir=top.string("output_dir", f"outputs/optimize/{name}"),
        level=level)
    if settings.sampler == "grid":
        for p in settings.space:
            p.grid()  # raises for a continuous setting
    return settings
