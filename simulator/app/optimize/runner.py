"""A study from start to answer: create or resume it, run the trials in parallel, judge the winner on
the study's seeds and on fresh ones, and write ``best.yaml``, ``trials.parquet`` and ``report.html``."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import optuna
import pandas as pd
import yaml
from joblib import Parallel, delayed
from optuna.trial import TrialState

from analysis.optimization import METRICS, choose, judge, objective_values
from analysis.optimization_report import write_optimize_report
from analysis.statistics import paired_differences, replication_seeds, t_interval
from simulator.app.optimize.settings import Settings
from simulator.app.optimize.study import Problem, apply, constraints_of, run_replications, storage, worker

log = logging.getLogger(__name__)
REPORT_METRICS = ("total_cost", "cost_to_serve", "holding_cost", "lost_margin", "gross_margin", "fill_rate",
                  "otif", "avg_on_hand_units")


class StudyMismatch(ValueError):
    """The output directory holds a study made with other settings or another base config."""


@dataclass
class Outcome:
    """What the study found (``summary`` is the JSON line the command prints last)."""

    trials: pd.DataFrame
    summary: dict[str, Any]
    outdir: Path
    comparison: dict[str, Any] | None = None  # winner and today's settings, study seeds and fresh seeds


def prepare(base: Mapping[str, Any], settings: Settings, outdir: Path) -> Problem:
    """Create the study in ``outdir`` (or reopen it: same settings and base config only) and put today's
    settings first in the queue, so the search starts from them."""
    outdir.mkdir(parents=True, exist_ok=True)
    seeds = tuple(replication_seeds(int(base.get("seed", 0)), settings.max_reps))
    problem = Problem(settings, dict(base), seeds, str(outdir), settings.fingerprint(base))
    study = optuna.create_study(study_name=settings.name, storage=storage(problem), load_if_exists=True,
                                direction=settings.direction)
    stored = study.user_attrs.get("fingerprint")
    if stored is None:
        study.set_user_attr("fingerprint", problem.fingerprint)
    elif stored != problem.fingerprint:
        raise StudyMismatch(f"{outdir} holds study '{settings.name}' made with other settings or another base "
                            "config; choose another optimize.output_dir or delete that directory")
    for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING, TrialState.WAITING)):
        if t.state == TrialState.RUNNING:  # left behind by an interrupted run
            study._storage.set_trial_user_attr(t._trial_id, "error", "interrupted (the command was stopped)")
            study._storage.set_trial_state_values(t._trial_id, TrialState.FAIL)
    if not study.trials and settings.sampler != "grid":  # a grid visits every point anyway
        start = starting_point(base, settings)
        if start:
            study.enqueue_trial(start)
    return problem


def starting_point(base: Mapping[str, Any], settings: Settings) -> dict[str, Any]:
    """Today's value of each searched setting that lies inside its range."""
    out = {}
    for p in settings.space:
        node: Any = base
        for part in p.key.split("."):
            node = node[part]
        if node is not None and p.contains(node):
            out[p.key] = node
    return out


def search(problem: Problem, verbose: bool = True) -> None:
    """Run trials until the study holds ``budget.trials`` of them (or ``budget.minutes`` pass)."""
    s = problem.settings
    study = optuna.load_study(study_name=s.name, storage=storage(problem))
    left = s.trials - sum(t.state != TrialState.WAITING for t in study.trials)  # today's settings wait queued
    if left <= 0:
        log.info("study '%s' already holds %d trials: nothing to search", s.name, len(study.trials))
        return
    deadline = None if s.minutes is None else time.time() + 60.0 * s.minutes
    n = min(s.n_jobs, left)
    if n == 1:
        worker(problem, 0, left, deadline, verbose)
    else:
        shares = [left // n + (1 if i < left % n else 0) for i in range(n)]  # exactly the budget, no overshoot
        Parallel(n_jobs=n, backend="loky")(delayed(worker)(problem, i, k, deadline, verbose)
                                           for i, k in enumerate(shares))


def trials_table(study: optuna.Study, settings: Settings) -> pd.DataFrame:
    """One row per trial: its settings, objective interval, replications, feasibility and constraints."""
    rows = []
    for t in study.trials:
        a = t.user_attrs
        row: dict[str, Any] = {"trial": t.number, "state": t.state.name, "objective": t.value,
                               "objective_low": a.get("objective_low"), "objective_high": a.get("objective_high"),
                               "n_replications": a.get("n_replications", 0), "feasible": bool(a.get("feasible")),
                               "shortfall": a.get("shortfall", math.inf), "sim_seconds": a.get("sim_seconds", 0.0),
                               "wall_seconds": a.get("wall_seconds", float("nan")), "error": a.get("error", ""),
                               "started": t.datetime_start, "finished": t.datetime_complete}
        row.update({p.key: t.params.get(p.key) for p in settings.space})
        slacks = [v["slack"] for v in a.get("verdict", [])]
        row["slack"] = min(slacks) if slacks else (float("nan") if t.state != TrialState.COMPLETE else math.inf)
        for v in a.get("verdict", []):
            row[f"{v['constraint']} | low"] = v["low"]
            row[f"{v['constraint']} | status"] = v["status"]
        rows.append(row)
    table = pd.DataFrame(rows)
    for p in settings.space:  # a categorical column of mixed types would not go to Parquet
        if p.kind == "choice":
            table[p.key] = table[p.key].astype(str)
    return table


def trial_replications(study: optuna.Study, number: int) -> pd.DataFrame:
    return pd.DataFrame(study.trials[number].user_attrs["replications"])


def best_fragment(base: Mapping[str, Any], params: Mapping[str, Any], settings: Settings) -> str:
    """``best.yaml``: a ``# @package _global_`` config fragment that sets each searched setting's whole
    section (e.g. a segment's replenishment policy) as the winning trial ran it."""
    cfg = apply(base, params)
    out: dict[str, Any] = {}
    for key in params:
        *path, _ = key.split(".")
        value: Any = cfg
        for part in path:
            value = value[part]
        node = out
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = value
    header = (f"# @package _global_\n# The settings study '{settings.name}' found best (written by python -m "
              "simulator.optimize).\n# Run: python -m simulator --config-dir <this directory> +policy=best\n")
    return header + yaml.safe_dump(out, sort_keys=False)


def conclude(problem: Problem, report: bool = True) -> Outcome:
    """Choose the winner, compare it with today's settings in and out of sample, write the outputs."""
    s, outdir = problem.settings, Path(problem.outdir)
    study = optuna.load_study(study_name=s.name, storage=storage(problem))
    table = trials_table(study, s)
    table.to_parquet(outdir / "trials.parquet", index=False)
    best = choose(table.set_index("trial"), s.direction) if len(table) else None
    summary: dict[str, Any] = {"best": None, "objective": None, "feasible": False, "trials": int(len(table))}
    if best is None:
        if report:
                write_optimize_report(table, outdir / "report.html", settings=_describe(s), comparison=None)
        return Outcome(table, summary, outdir)
    params = study.trials[best].params
    best_cfg = apply(problem.base, params)
    constraints_best = constraints_of(best_cfg, s)
    n_jobs = max(1, s.n_jobs)
    in_best = trial_replications(study, best)
    fresh = replication_seeds(int(problem.base.get("seed", 0)), s.max_reps + s.fresh)[s.max_reps:]
    seed_sets = [problem.seeds[:int(in_best["replication"].nunique())], fresh, fresh]
    configs = [problem.base, problem.base, best_cfg]
    jobs = [(c, [seed], i) for c, seeds in zip(configs, seed_sets, strict=True) for i, seed in enumerate(seeds)]
    done = Parallel(n_jobs=min(n_jobs, len(jobs)), backend="loky")(
        delayed(run_replications)(cfg, seeds, first=i) for cfg, seeds, i in jobs)
    frames: list[list[pd.DataFrame]] = [[], [], []]
    k = 0
    for which, seeds in enumerate(seed_sets):
        for _ in seeds:
            frames[which].append(done[k][0])
            k += 1
    in_start, fresh_start, fresh_best = (pd.concat(f, ignore_index=True) for f in frames)
    constraints_start = constraints_of(problem.base, s)

    def side(reps: pd.DataFrame, constraints: Any) -> dict[str, Any]:
        obj = objective_values(reps, s.terms, s.objective_segment)
        verdict = judge(reps, constraints, s.level)
        return {"objective": t_interval(obj, s.level), "verdict": verdict,
                "feasible": all(v["status"] == "met" for v in verdict), "n": len(obj)}

    comparison = {
        "start_params": {p.key: _value_at(problem.base, p.key) for p in s.space},
        "best_params": params, "best_trial": best, "terms": list(s.terms),
        "in_sample": {"start": side(in_start, constraints_start), "best": side(in_best, constraints_best),
                      "paired": _paired(in_start, in_best, s)},
        "fresh": {"start": side(fresh_start, constraints_start), "best": side(fresh_best, constraints_best),
                  "paired": _paired(fresh_start, fresh_best, s)},
    }
    (outdir / "best.yaml").write_text(best_fragment(problem.base, params, s))
    (outdir / "policy").mkdir(exist_ok=True)
    link = outdir / "policy" / "best.yaml"
    if not link.exists():
        link.symlink_to(Path("..") / "best.yaml")
    if report:
        write_optimize_report(table, outdir / "report.html", settings=_describe(s), comparison=comparison)
    feasible = bool(table.loc[table["trial"] == best, "feasible"].iloc[0])
    summary.update(best={k: _plain(v) for k, v in params.items()}, objective=float(table.loc[
        table["trial"] == best, "objective"].iloc[0]), feasible=feasible,
        fresh_feasible=comparison["fresh"]["best"]["feasible"], output_dir=str(outdir))
    return Outcome(table, summary, outdir, comparison)


def _paired(start: pd.DataFrame, best: pd.DataFrame, s: Settings) -> pd.DataFrame:
    metrics = [m for m in dict.fromkeys([*s.terms, *REPORT_METRICS]) if m in METRICS]
    return paired_differences(start, best, metrics, pair_on=("seed",), by=("segment",), level=s.level)


def _value_at(config: Mapping[str, Any], dotted: str) -> Any:
    node: Any = config
    for part in dotted.split("."):
        node = node[part]
    return node


def _plain(v: Any) -> Any:
    return v.item() if hasattr(v, "item") else v


def _describe(s: Settings) -> dict[str, Any]:
    return {"name": s.name, "objective": " + ".join(f"{w:g} x {m}" for m, w in s.terms.items())
            + f" ({s.objective_segment}, {s.direction})", "direction": s.direction,
            "replications": f"{s.initial} to {s.max_reps} (+{s.step} at a time); {s.fresh} fresh",
            "level": s.level, "sampler": s.sampler, "trials": s.trials,
            "space": {p.key: (list(p.choices) if p.kind == "choice" else [p.low, p.high]) for p in s.space}}
