"""The contents of the result pages: one run, a sweep / stress matrix / optimisation directory, and
comparisons of runs. Each function returns the template's context (or a figure)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from analysis import maps, plots
from analysis.kpis import KPI_METRICS
from analysis.resilience import RESILIENCE_METRICS
from analysis.run_figures import service_over_time, small_multiples
from simulator.app.workbench import controls, rundir, views
from simulator.engine.errors import ConfigError
from simulator.engine.network import DECISION_COLUMNS, Network

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from simulator.app.workbench.jobs import Run, RunStore

MAP = ("The network on the map", "Sites at their latitude and longitude; lanes coloured by transport mode and as "
       "wide as the units shipped on them.")
FIGURES = {  # name: (title, how to read it)
    "network": ("The network", "Suppliers, plants and DCs left to right; lanes coloured by transport mode, "
                "customers by channel."),
    "service": ("Service against the SLA", "Left: each segment's fill rate beside its target (black bar). "
                "Right: how long delivered order lines waited; dotted lines are the promised lead times."),
    "service_over_time": ("Service over time", "Daily fill rate from stock per segment (7-day mean); dashed: "
                          "the segment's SLA target; red bands: disruption windows."),
    "stock": ("Stock and backlog over time", "Units on hand and on backorder at the end of each day, summed "
              "over the DCs, per segment."),
    "cost": ("Cost to serve", "Cost to serve per segment by component (transport, handling, holding, "
             "changeovers)."),
}


def _spec(path: Path) -> Any:
    try:
        return rundir.spec_of(tuple(rundir.overrides_of(path)))
    except ConfigError:  # a run made with a config that no longer builds: show its tables without targets
        return None


def run_context(path: Path, run: Run | None) -> dict[str, Any]:
    """One run: KPI table against each SLA, intervals and resilience when present, figures, files."""
    kpis = pd.read_csv(path / "kpis.csv")
    spec = _spec(path)
    decisions = None if spec is None else pd.DataFrame(Network(spec).decision_table(), columns=list(DECISION_COLUMNS))
    header, rows = views.kpi_rows(kpis, spec, decisions)
    info = json.loads((path / "run.json").read_text()) if (path / "run.json").exists() else {}
    overrides = rundir.overrides_of(path)
    ctx: dict[str, Any] = {"path": str(path), "run": run, "kpi_header": header, "kpi_rows": rows, "info": info,
                           "overrides": overrides, "command": controls.command_line(overrides),
                           "figures": ({"map": MAP} if spec is not None and maps.has_map(spec) else {}) | FIGURES,
                           "has_report": (path / "report.html").exists(),
                           "title": run.label if run else path.name}
    reps = rundir.read_csv(path / "replications.csv")
    summary = rundir.read_csv(path / "summary.csv")
    if reps is not None and summary is not None and reps["replication"].nunique() > 1:
        ctx["n_reps"] = int(reps["replication"].nunique())
        ctx["interval_header"], ctx["interval_rows"] = views.interval_rows(summary, views.COMPARED)
    res = rundir.read_csv(path / "resilience_summary.csv")
    if res is not None:
        ctx["res_header"], ctx["res_rows"] = views.interval_rows(
            res, ["tts_days", "ttr_days", "service_loss_area", "extra_lost_units", "revenue_change"])
    return ctx


def run_figure(path: Path, name: str, cache: rundir.ResultsCache) -> Figure:
    """One of a run's figures (``FIGURES``), drawn from its tables."""
    if name not in FIGURES and name != "map":
        raise KeyError(f"no figure {name!r}; figures: map, {', '.join(FIGURES)}")
    if name == "network":
        spec = _spec(path)
        if spec is None:
            raise FileNotFoundError("the run's config no longer builds")
        return plots.network(spec, dict(Network(spec).depth))
    results = cache.get(path)
    if name == "map":
        if not maps.has_map(results.spec):
            raise FileNotFoundError("the network's sites have no coordinates")
        return maps.network_map(results.spec, results.shipments)
    if name == "service":
        return plots.service(results)
    if name == "stock":
        return plots.stock_by_segment(results)
    if name == "cost":
        return plots.cost_to_serve(results)
    daily = pd.read_csv(path / "daily_fill.csv")
    targets = {s: (float("nan") if plots.made_to_order(results.service_decisions, s) else seg.target_fill_rate)
               for s, seg in results.spec.segments.items()}
    return service_over_time(daily, targets, plots.disruption_windows(results), sorted(results.spec.segments))


def _label(path: Path, store: RunStore) -> str:
    run = store.by_dir(path)
    return f"{run.id.split('-')[0]} {run.label}" if run else path.name


def compare_context(paths: list[Path], store: RunStore) -> dict[str, Any]:
    """Two runs: paired differences; more: a table and small multiples."""
    labels = [_label(p, store) for p in paths]
    missing = [str(p) for p in paths if not (p / "kpis.csv").exists()]
    if missing:
        return {"error": f"not finished runs: {', '.join(missing)}", "labels": labels, "paths": []}
    ctx: dict[str, Any] = {"labels": labels, "paths": [str(p) for p in paths], "error": ""}
    ctx["settings"] = [(label, rundir.overrides_of(p)) for label, p in zip(labels, paths, strict=True)]
    if len(paths) == 2:
        ctx["pair"] = views.compare_two(paths[0], paths[1])
        ctx["only_a"], ctx["only_b"] = views.changed_settings(*(rundir.overrides_of(p) for p in paths))
    ctx["several_header"], ctx["several_rows"] = views.several(
        {label: pd.read_csv(p / "kpis.csv") for label, p in zip(labels, paths, strict=True)})
    return ctx


def compare_figure(paths: list[Path], store: RunStore) -> Figure:
    labels = [_label(p, store) for p in paths]
    table = pd.concat([pd.read_csv(p / "kpis.csv").assign(run=label) for label, p in zip(labels, paths, strict=True)])
    return small_multiples(table[table["segment"] != "ALL"], views.COMPARED, labels)


def directory_context(path: Path, kind: str, query: dict[str, str]) -> dict[str, Any]:
    """A sweep, stress matrix or optimisation directory: its table filtered by the chosen values."""
    ctx: dict[str, Any] = {"path": str(path), "kind": kind, "title": f"{kind}: {path.name}",
                           "reports": [f for f in ("report.html", "stress_matrix.png", "best.yaml")
                                       if (path / f).exists()]}
    if kind == "optimisation":
        table = rundir.optimisation_table(path)
        ctx["best"] = (path / "best.yaml").read_text() if (path / "best.yaml").exists() else ""
        factors: list[str] = []
    else:
        table = rundir.sweep_table(path)
        factors = rundir.factor_columns(table, [*KPI_METRICS, *RESILIENCE_METRICS])
        if "segment" in table.columns:
            factors.append("segment")
    filters = {f: sorted(table[f].dropna().astype(str).unique()) for f in factors}
    filters = {f: v for f, v in filters.items() if len(v) > 1}
    chosen = {f: query.get(f"f.{f}", "") for f in filters}
    for f, value in chosen.items():
        if value:
            table = table[table[f].astype(str) == value]
    ctx.update(filters=filters, chosen=chosen, n_rows=len(table))
    shown = [c for c in ("job", *[f for f in factors if f not in ("job",)], "status", "n_replications",
                         *views.COMPARED, "tts_days", "ttr_days", "revenue_change") if c in table.columns]
    if kind == "optimisation":
        shown = list(table.columns)
    ctx["header"], ctx["rows"] = views.frame_rows(table[shown])
    ctx["job_col"] = shown.index("job") if "job" in shown else -1
    if kind == "stress":
        matrix = pd.read_csv(path / "stress_matrix.csv")
        ctx["matrix_header"], ctx["matrix_rows"] = views.frame_rows(matrix)
    return ctx
