"""The report of a policy search (``report.html``): pure functions of the trials table and of the
winner's and today's replications (see ``analysis.optimization``)."""

from __future__ import annotations

import html
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis import sweep_plots
from analysis.report import Section, _page, _table
from analysis.style import new_figure

log = logging.getLogger(__name__)
_GREEN, _GREY, _RED = "#1e8449", "#95a5a6", "#c0392b"


def _num(v: Any) -> str:
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return ""
    if isinstance(v, (int, float, np.floating, np.integer)):
        return f"{v:,.4g}" if abs(v) < 1e4 else f"{v:,.0f}"
    return str(v)


def _ci(mean: float, low: float, high: float) -> str:
    return f"{_num(mean)} [{_num(low)}, {_num(high)}]" if np.isfinite(low) else _num(mean)


def best_so_far(table: pd.DataFrame, direction: str) -> pd.Series:
    """Objective of the best feasible trial after each trial (NaN until the first feasible one)."""
    ok = table["objective"].where((table["state"] == "COMPLETE") & table["feasible"].astype(bool))
    return ok.cummin() if direction == "minimize" else ok.cummax()


def convergence(table: pd.DataFrame, direction: str) -> Figure:
    """Objective of every trial (green: feasible, grey: not) and the best feasible so far (line)."""
    fig, (ax,) = new_figure(9, 4)
    done = table[table["state"] == "COMPLETE"]
    feas = done["feasible"].astype(bool)
    err = np.vstack([done["objective"] - done["objective_low"], done["objective_high"] - done["objective"]])
    for mask, colour, label in ((feas, _GREEN, "feasible"), (~feas, _GREY, "misses a constraint")):
        ax.errorbar(done.loc[mask, "trial"], done.loc[mask, "objective"], yerr=np.abs(err[:, mask.to_numpy()]),
                    fmt="o", ms=4, capsize=2, color=colour, label=label, alpha=0.85)
    ax.step(table["trial"], best_so_far(table, direction), where="post", color="black", lw=1.5,
            label="best feasible so far")
    failed = table[table["state"] == "FAIL"]
    for t in failed["trial"]:
        ax.axvline(t, color=_RED, lw=0.8, alpha=0.5)
    ax.set_xlabel("trial (red lines: failed trials)")
    ax.set_ylabel("objective (dot: mean; bar: 95% CI)")
    ax.set_title("Convergence of the search")
    ax.legend(fontsize=8, frameon=False)
    ax.grid(alpha=0.3)
    return fig


def pareto_front(table: pd.DataFrame, direction: str) -> pd.DataFrame:
    """Trials no other trial beats on both the objective and the worst constraint slack."""
    done = table[(table["state"] == "COMPLETE") & np.isfinite(table["slack"])].copy()
    sign = 1.0 if direction == "minimize" else -1.0
    done = done.sort_values(["slack", "objective"], ascending=[False, direction == "minimize"])
    front, best = [], np.inf
    for i, r in done.iterrows():
        if sign * r["objective"] < best:
            front.append(i)
            best = sign * r["objective"]
    return done.loc[front].sort_values("slack")


def cost_against_service(table: pd.DataFrame, direction: str) -> Figure:
    """Each trial's objective against its worst constraint slack (pessimistic interval end minus target)."""
    fig, (ax,) = new_figure(9, 4)
    done = table[(table["state"] == "COMPLETE") & np.isfinite(table["slack"])]
    feas = done["feasible"].astype(bool)
    ax.scatter(done.loc[feas, "slack"], done.loc[feas, "objective"], s=18, color=_GREEN, label="feasible")
    ax.scatter(done.loc[~feas, "slack"], done.loc[~feas, "objective"], s=18, color=_GREY, label="not feasible")
    front = pareto_front(table, direction)
    ax.plot(front["slack"], front["objective"], color="black", lw=1, drawstyle="steps-post", label="Pareto front")
    ax.axvline(0.0, color=_RED, lw=1)
    ax.set_xlabel("worst constraint slack (lower 95% bound - target; >= 0: every constraint met)")
    ax.set_ylabel("objective (mean)")
    ax.set_title("Objective against service: what the constraints cost")
    ax.legend(fontsize=8, frameon=False)
    ax.grid(alpha=0.3)
    return fig


def verdict_table(start: Mapping[str, Any], best: Mapping[str, Any], fresh_best: Mapping[str, Any]) -> str:
    """Each constraint: today's settings and the winner's, in sample and on fresh seeds; binding ones marked."""
    rows, classes = [], []
    today = {v["constraint"]: v for v in start["verdict"]}
    ours = {v["constraint"]: v for v in best["verdict"]}
    fresh = {v["constraint"]: v for v in fresh_best["verdict"]}
    for label in dict.fromkeys([*ours, *today]):  # a made-to-order segment has no fill-rate constraint
        s, v, f = today.get(label), ours.get(label), fresh.get(label)
        binding = bool(v) and v["status"] == "met" and np.isfinite(v["high"]) and v["slack"] <= v["high"] - v["low"]
        rows.append({"constraint": label,
                     "today (study seeds)": _ci(s["mean"], s["low"], s["high"]) if s else "n/a",
                     "today": s["status"] if s else "",
                     "best (study seeds)": _ci(v["mean"], v["low"], v["high"]) if v else "n/a",
                     "best": v["status"] if v else "",
                     "binding": "yes" if binding else "",
                     "best (fresh seeds)": _ci(f["mean"], f["low"], f["high"]) if f else "n/a",
                     "fresh": f["status"] if f else ""})
        classes.append({k: "" for k in rows[-1]})
        for col, src in (("today", s), ("best", v), ("fresh", f)):
            if src:
                classes[-1][col] = "met" if src["status"] == "met" else "miss"
    return _table(pd.DataFrame(rows), pd.DataFrame(classes)) if rows else "<p>No constraints.</p>"


def paired_table(paired: pd.DataFrame) -> str:
    if paired is None or paired.empty:
        return "<p>No paired replications.</p>"
    view = pd.DataFrame({"segment": paired["segment"], "metric": paired["metric"],
                         "today": paired["mean_a"].map(_num), "best": paired["mean_b"].map(_num),
                         "best - today [95% CI]": [_ci(d, lo, hi) for d, lo, hi in
                                                   zip(paired["diff"], paired["ci_low"], paired["ci_high"],
                                                       strict=True)],
                         "significant": paired["significant"].map({True: "yes", False: ""}),
                         "pairs": paired["n_pairs"]})
    return _table(view)


def _paired_figure(paired: pd.DataFrame, metric: str, where: str) -> Figure:
    part = paired[paired["metric"] == metric].rename(columns={"diff": "mean", "ci_low": "low", "ci_high": "high"})
    fig = sweep_plots.paired_differences(part.assign(group=where), metric)
    return fig


def settings_table(start: Mapping[str, Any], best: Mapping[str, Any]) -> str:
    rows = [{"setting": k, "today": "default (null)" if start.get(k) is None else _num(start.get(k)),
             "best": _num(v)} for k, v in best.items()]
    return _table(pd.DataFrame(rows))


def write_optimize_report(table: pd.DataFrame, path: str | Path, *, settings: Mapping[str, Any],
                          comparison: Mapping[str, Any] | None) -> Path:
    """Write ``report.html``: the answer, convergence, objective against service, constraints (binding
    ones marked), paired differences best - today on the study's seeds and on fresh seeds, all trials."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    direction = str(settings["direction"])
    done = table[table["state"] == "COMPLETE"] if len(table) else table
    failed = int((table["state"] == "FAIL").sum()) if len(table) else 0
    sections = []
    meta = (f"study {html.escape(str(settings['name']))}; objective {html.escape(str(settings['objective']))}; "
            f"{len(table)} trials ({len(done)} complete, {failed} failed); replications per trial "
            f"{html.escape(str(settings['replications']))}; sampler {html.escape(str(settings['sampler']))}; "
            f"written {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    if comparison is not None:
        ins, fresh = comparison["in_sample"], comparison["fresh"]
        obj_rows = pd.DataFrame([
            {"settings": "today", "objective (study seeds)": _ci(*ins["start"]["objective"]),
             "meets every constraint": "yes" if ins["start"]["feasible"] else "no",
             "objective (fresh seeds)": _ci(*fresh["start"]["objective"]),
             "meets every constraint (fresh)": "yes" if fresh["start"]["feasible"] else "no"},
            {"settings": f"best (trial {comparison['best_trial']})",
             "objective (study seeds)": _ci(*ins["best"]["objective"]),
             "meets every constraint": "yes" if ins["best"]["feasible"] else "no",
             "objective (fresh seeds)": _ci(*fresh["best"]["objective"]),
             "meets every constraint (fresh)": "yes" if fresh["best"]["feasible"] else "no"}])
        if not ins["best"]["feasible"]:
            note = ("<p class='note'><b>No trial met every constraint</b> on the pessimistic end of its interval; "
                    "shown is the one closest to it (smallest total shortfall). Widen the search space, add "
                    "trials, or add replications (undecided constraints need them).</p>")
        elif fresh["best"]["feasible"]:
            note = ("<p class='note'>On fresh seeds the winner still meets every constraint on the pessimistic "
                    "end of its 95% interval.</p>")
        else:
            note = ("<p class='note'>On fresh seeds the winner <b>does not clear every constraint</b>: it may have "
                    "been partly lucky on the study's seeds (the winner's curse), or the fresh replications are "
                    "too few to tell (undecided). Prefer a setting with more slack, or add replications.</p>")
        sections.append(Section(
            "answer", "The answer",
            "The best settings found, against today's. The objective is the mean over replications with its "
            "95% interval; a constraint counts as met only when the pessimistic end of its 95% interval clears "
            f"the target. The fresh seeds ({fresh['best']['n']} replications no trial saw) check that the "
            "winner was not chosen for luck.",
            body=settings_table(comparison["start_params"], comparison["best_params"]) + _table(obj_rows) + note))
        sections.append(Section(
            "constraints", "Constraints: which bind",
            "Each constraint's mean [95% interval]. <i>Binding</i>: met, but the pessimistic end is within one "
            "interval width of the target; these are the constraints that set the cost.",
            body=verdict_table(ins["start"], ins["best"], fresh["best"])))
        first_term = next(iter(comparison.get("terms", [])), None) or "total_cost"
        figs = tuple((_paired_figure(p, first_term, where), f"Best minus today in {first_term}, paired by seed "
                      f"({where}); an interval that excludes zero is a significant difference.")
                     for p, where in ((ins["paired"], "study seeds"), (fresh["paired"], "fresh seeds"))
                     if p is not None and len(p) and first_term in set(p["metric"]))
        sections.append(Section(
            "paired", "Best against today, paired by seed",
            "Differences best minus today, replication by replication on the same seeds (common random "
            "numbers), with their 95% intervals: on the study's seeds, then on fresh seeds.",
            body="<h3>Study seeds</h3>" + paired_table(ins["paired"]) + "<h3>Fresh seeds</h3>"
            + paired_table(fresh["paired"]), figures=figs))
    if len(done):
        sections.append(Section(
            "search", "How the search went",
            "Every trial's objective (mean and 95% interval over its replications) and the best feasible "
            "objective so far; below, each trial's objective against its worst constraint slack: trials right "
            "of the red line meet every constraint, the black line is the Pareto front (cheapest for each "
            "degree of safety).",
            figures=((convergence(table, direction), "Convergence: the black line only falls when a feasible "
                      "trial beats the best so far."),
                     (cost_against_service(table, direction), "Objective against the worst constraint slack."))))
    if len(table):
        cols = ["trial", "state", "objective", "objective_low", "objective_high", "n_replications", "feasible",
                "slack", *settings["space"]]
        view = table.sort_values("objective", ascending=direction == "minimize")[cols].head(25)
        view = view.map(_num) if hasattr(view, "map") else view
        sections.append(Section("trials", "Trials (best 25)", "All trials are in <code>trials.parquet</code>.",
                                body=_table(view)))
    out.write_text(_page(f"segsim policy search: {settings['name']}", meta, sections))
    log.info("wrote optimisation report %s", out)
    return out
