"""The search loop: Optuna trials, each a set of segment settings judged over common-seed replications.

How replications are spent (the rule the docs state): every trial starts with ``initial`` replications
on the study's seeds (the same seeds for every trial). It gets ``step`` more, up to ``max``, while
- a constraint is *undecided* (its interval straddles the target: more runs tell which side it is on), or
- every constraint is met and the objective interval still reaches the best feasible trial so far
  (it may be the new best: it needs the precision the winner will be judged with).
It stops early when a constraint is clearly missed or the objective is clearly worse than the best.
"""

from __future__ import annotations

import copy
import logging
import math
import sys
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import optuna
import pandas as pd
from optuna.storages import JournalStorage
from optuna.storages.journal import JournalFileBackend
from optuna.trial import TrialState

from analysis.optimization import (
    METRICS,
    Constraint,
    judge,
    objective_values,
    replication_metrics,
    sla_constraints,
)
from analysis.statistics import t_interval
from simulator.app.optimize.settings import Param, Settings
from simulator.app.results import run
from simulator.config import build_spec

log = logging.getLogger(__name__)
STORAGE_FILE = "study.journal"
INFEASIBLE = 1e9  # constraint value of a trial that could not be judged (Optuna: <= 0 is feasible)


@dataclass(frozen=True)
class Problem:
    """Everything a worker process needs to run trials (plain data: it crosses process boundaries)."""

    settings: Settings
    base: dict[str, Any]
    seeds: tuple[int, ...]
    outdir: str
    fingerprint: str

    @property
    def storage_path(self) -> str:
        return str(Path(self.outdir) / STORAGE_FILE)


@dataclass
class Evaluation:
    """One trial's replications and how they read."""

    reps: pd.DataFrame  # one row per replication x segment (metrics of analysis.optimization)
    objective: tuple[float, float, float]  # mean, low, high over replications
    verdict: list[dict[str, Any]]
    sim_seconds: float

    @property
    def feasible(self) -> bool:
        return all(v["status"] == "met" for v in self.verdict)

    @property
    def shortfall(self) -> float:
        return float(sum(max(0.0, -v["slack"]) if math.isfinite(v["slack"]) else INFEASIBLE for v in self.verdict))


def apply(base: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``base`` with each dotted key set to its value."""
    cfg = copy.deepcopy(dict(base))
    for dotted, value in params.items():
        *path, last = dotted.split(".")
        node = cfg
        for part in path:
            node = node[part]
        node[last] = value
    return cfg


def constraints_of(config: Mapping[str, Any], settings: Settings) -> list[Constraint]:
    """The SLA constraints of the config's segments (as this trial's policies serve them) and the extra ones."""
    sla = sla_constraints(build_spec(config)) if settings.sla else []
    return [*sla, *settings.extra]


def run_replications(config: Mapping[str, Any], seeds: Sequence[int], first: int = 0) -> tuple[pd.DataFrame, float]:
    """Metrics of ``config`` run once per seed (replications numbered from ``first``), and the seconds spent."""
    frames, seconds = [], 0.0
    for i, seed in enumerate(seeds, start=first):
        started = time.perf_counter()
        metrics = replication_metrics(run(dict(config, seed=int(seed), quiet=True)))
        seconds += time.perf_counter() - started
        frames.append(metrics.assign(replication=i, seed=int(seed)))
    return pd.concat(frames, ignore_index=True), seconds


def evaluate(config: Mapping[str, Any], settings: Settings, seeds: Sequence[int],
             incumbent: Callable[[], float | None] = lambda: None) -> Evaluation:
    """Run ``config`` on the first ``initial`` seeds and add replications by the rule of this module."""
    constraints = constraints_of(config, settings)
    n = min(settings.initial, len(seeds))
    reps, seconds = run_replications(config, seeds[:n])
    minimise = settings.direction == "minimize"
    while True:
        verdict = judge(reps, constraints, settings.level)
        mean, low, high = t_interval(objective_values(reps, settings.terms, settings.objective_segment),
                                     settings.level)
        statuses = {v["status"] for v in verdict}
        if n >= settings.max_reps or "missed" in statuses:
            break
        if "undecided" not in statuses:
            best = incumbent()
            if best is not None and (low > best if minimise else high < best):
                break  # clearly worse than a feasible trial already found
        more = min(n + settings.step, settings.max_reps)
        extra, s = run_replications(config, seeds[n:more], first=n)
        reps, seconds, n = pd.concat([reps, extra], ignore_index=True), seconds + s, more
    return Evaluation(reps, (mean, low, high), verdict, seconds)


def suggest(trial: optuna.Trial, p: Param) -> Any:
    if p.kind == "choice":
        return trial.suggest_categorical(p.key, list(p.choices))
    assert p.low is not None and p.high is not None
    if p.kind == "int":
        return trial.suggest_int(p.key, int(p.low), int(p.high), step=int(p.step or 1), log=p.log)
    return trial.suggest_float(p.key, p.low, p.high, step=p.step, log=p.log)


def incumbent(study: optuna.Study, direction: str) -> float | None:
    """Objective mean of the best feasible trial finished so far (None before the first one)."""
    values = [t.value for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
              if t.user_attrs.get("feasible") and t.value is not None]
    if not values:
        return None
    return min(values) if direction == "minimize" else max(values)


def objective(trial: optuna.Trial, problem: Problem) -> float:
    """One trial: suggest settings, evaluate them, store what the report needs in the trial's attributes."""
    s = problem.settings
    params = {p.key: suggest(trial, p) for p in s.space}
    started = time.perf_counter()
    try:
        ev = evaluate(apply(problem.base, params), s, problem.seeds, lambda: incumbent(trial.study, s.direction))
    except Exception as exc:  # recorded in the study as a failed trial; the study goes on
        trial.set_user_attr("error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=-3)}")
        log.warning("trial %d failed: %s: %s", trial.number, type(exc).__name__, exc)
        raise
    mean, low, high = ev.objective
    for v in ev.verdict:  # Optuna reads a trial as feasible when every constraint value is <= 0
        trial.set_constraint(v["constraint"], -v["slack"] if math.isfinite(v["slack"]) else INFEASIBLE)
    for key, value in {"objective_low": low, "objective_high": high, "n_replications": int(ev.reps["replication"]
                       .nunique()), "feasible": ev.feasible, "shortfall": ev.shortfall, "verdict": ev.verdict,
                       "sim_seconds": ev.sim_seconds, "wall_seconds": time.perf_counter() - started,
                       "replications": ev.reps[["segment", "replication", "seed", *METRICS]].to_dict("list")}.items():
        trial.set_user_attr(key, value)
    log.info("trial %d: objective %.6g [%.6g, %.6g], %s, %d replications", trial.number, mean, low, high,
             "feasible" if ev.feasible else "infeasible", trial.user_attrs["n_replications"])
    return mean


def sampler(settings: Settings, worker: int) -> optuna.samplers.BaseSampler:
    seed = settings.seed + 1000 * worker
    if settings.sampler == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if settings.sampler == "grid":
        return optuna.samplers.GridSampler({p.key: p.grid() for p in settings.space}, seed=seed)
    if settings.sampler == "cmaes":
        return optuna.samplers.CmaEsSampler(seed=seed, warn_independent_sampling=False)
    return optuna.samplers.TPESampler(seed=seed, n_startup_trials=min(10, max(settings.trials // 3, 3)))


def storage(problem: Problem) -> JournalStorage:
    return JournalStorage(JournalFileBackend(problem.storage_path))


def quiet_logging(verbose: bool) -> None:
    """Progress lines of the search only (one per trial), not every run's own log lines."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="[optimize] %(message)s")
    logging.getLogger().setLevel(logging.WARNING)
    logging.getLogger("simulator.app.optimize").setLevel(logging.INFO if verbose else logging.WARNING)
    logging.getLogger("analysis.optimization_report").setLevel(logging.INFO if verbose else logging.WARNING)


def worker(problem: Problem, index: int, n_trials: int, deadline: float | None, verbose: bool) -> None:
    """Run trials until the study holds its budget of trials or the deadline passes (one process)."""
    optuna.logging.set_verbosity(optuna.logging.ERROR)  # a failed trial: our one-line warning
    quiet_logging(verbose)
    study = optuna.load_study(study_name=problem.settings.name, storage=storage(problem),
                              sampler=sampler(problem.settings, index))
    timeout = None if deadline is None else max(deadline - time.time(), 0.0)
    study.optimize(lambda t: objective(t, problem), n_trials=n_trials, timeout=timeout, catch=(Exception,),
                   callbacks=[optuna.study.MaxTrialsCallback(problem.settings.trials, states=None)])
