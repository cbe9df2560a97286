"""Self-contained HTML reports: one file, figures embedded as SVG, opens offline, forwards by e-mail.

``write_run_report`` is the report of one run (written by ``python -m simulator`` into the run
directory); ``write_sweep_report`` summarises a sweep table of many runs.
"""

from __future__ import annotations

import base64
import html
import io
import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from matplotlib import rc_context
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure

from analysis import plots, sweep_plots
from analysis.kpis import made_to_order
from analysis.report_parts import Section, _fmt, _metric_format, _table
from analysis.shopfloor import shopfloor_sections
from analysis.statistics import describe, metric_interval
from analysis.style import money

if TYPE_CHECKING:
    from simulator.app.results import Results

log = logging.getLogger(__name__)

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1100px;
padding:0 24px 48px;color:#1c2833;line-height:1.45}
h1{margin:24px 0 4px} h2{margin-top:36px;border-bottom:2px solid #d5dbdb;padding-bottom:4px}
.meta{color:#566573;font-size:0.92em} nav a{margin-right:14px;font-size:0.92em}
figure{margin:12px 0 24px} figure img{max-width:100%;height:auto;border:1px solid #eaeded}
figcaption{color:#424949;font-size:0.9em;max-width:900px}
table{border-collapse:collapse;font-size:0.88em;margin:8px 0 16px;display:block;max-width:100%;overflow-x:auto}
th,td{border:1px solid #d5dbdb;padding:4px 8px;text-align:right} th{background:#f4f6f6}
td:first-child,th:first-child{text-align:left}
td.miss{background:#fadbd8;color:#922b21;font-weight:600} td.met{background:#e9f7ef}
.note{background:#fef9e7;border-left:4px solid #f4d03f;padding:6px 12px;font-size:0.9em}
"""


def figure_to_html(fig: Figure, alt: str) -> str:
    """The figure as an ``<img>`` holding an SVG picture inline (base64), so the page needs no other file.

    SVG, not PNG: the browser draws the text and lines itself, so nothing is rasterised, no glyph is
    rendered and no PNG is compressed: about half the time of the Agg canvas's PNG for the run report's
    figures, and 40% fewer bytes. Text stays text (``svg.fonttype`` ``none``: the page's sans-serif
    font, searchable and sharp at any zoom); ids are salted with a constant and the date left out, so
    the same run writes the same picture. The ``<img>`` keeps each figure's ids apart from the others'.
    """
    buf = io.BytesIO()
    with rc_context(_SVG_RC):
        FigureCanvasSVG(fig).print_svg(buf, metadata=_SVG_METADATA)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/svg+xml;base64,{data}">'


_SVG_RC = {"svg.fonttype": "none", "svg.hashsalt": "segsim"}
_SVG_METADATA = {"Date": None, "Creator": None}


def figure_title(fig: Figure) -> str:
    """The figure's own title (its suptitle, else its first axes' title): the image's alt text."""
    return fig.get_suptitle() or (fig.axes[0].get_title() if fig.axes else "")


def _page(title: str, meta: str, sections: Sequence[Section]) -> str:
    nav = " ".join(f'<a href="#{s.key}">{html.escape(s.title)}</a>' for s in sections)
    parts = [f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
             f"<style>{_CSS}</style></head><body>", f"<h1>{html.escape(title)}</h1>",
             f'<p class="meta">{meta}</p>', f"<nav>{nav}</nav>"]
    for s in sections:
        parts.append(f'<section id="{s.key}"><h2>{html.escape(s.title)}</h2><p>{s.intro}</p>{s.body}')
        for fig, caption in s.figures:
            parts.append(f"<figure>{figure_to_html(fig, figure_title(fig))}<figcaption>{caption}</figcaption></figure>")
        parts.append(f"{s.after}</section>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


# ------------------------------------------------------------------------------------------------- run report
def kpi_table(results: Results) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The segment KPI table with SLA targets beside actuals, and a same-shape frame of cell classes
    (``miss`` where the segment missed an SLA figure, ``met`` where met): fill rate against its target,
    OTIF against the fill-rate target, average lead time against the promised one; a negative gross
    margin is marked ``miss`` too.

    A segment that holds no stock (made to order) is judged on lead time and OTIF: its fill rate from
    stock is zero by design, so no fill-rate target is shown for it.
    """
    spec = results.spec
    rows, classes = [], []
    for r in results.kpis.itertuples(index=False):
        seg = spec.segments.get(r.segment)
        stocked = seg is not None and not made_to_order(results.service_decisions, r.segment)
        target = seg.target_fill_rate if stocked else float("nan")
        promised = seg.promised_lead_time if seg else float("nan")
        rows.append({
            "segment": r.segment, "demand units": _fmt(r.demand_units, "int"),
            "fill rate target": _fmt(target, "pct") if stocked or seg is None else "made to order",
            "fill rate": _fmt(r.fill_rate, "pct"),
            "order fill rate": _fmt(r.order_fill_rate, "pct"),
            "OTIF target": _fmt(seg.target_fill_rate, "pct") if seg else "", "OTIF": _fmt(r.otif, "pct"),
            "promised lead time (d)": _fmt(promised, "days"), "avg lead time (d)": _fmt(r.avg_lead_time_days, "days"),
            "lost units": _fmt(r.lost_units, "int"), "avg on hand": _fmt(r.avg_on_hand_units, "int"),
            "turns": _fmt(r.inventory_turns, "days"), "revenue": _fmt(r.revenue, "int"),
            "cost to serve": _fmt(r.cost_to_serve, "int"), "gross margin": _fmt(r.gross_margin, "int"),
            "CO2 kg": _fmt(r.co2_kg, "int"),
        })
        cls = {k: "" for k in rows[-1]}
        if stocked:
            cls["fill rate"] = "miss" if r.fill_rate < target else "met"
        if seg is not None:
            cls["avg lead time (d)"] = "miss" if r.avg_lead_time_days > promised else "met"
            cls["OTIF"] = "miss" if r.otif < seg.target_fill_rate else "met"
        if r.gross_margin < 0:
            cls["gross margin"] = "miss"
        classes.append(cls)
    return pd.DataFrame(rows), pd.DataFrame(classes)


def run_sections(results: Results, sku: str | None = None, node: str | None = None) -> list[Section]:
    """The sections of the run report, figures included (``sku``/``node``: the item to follow;
    by default the SKU and DC that shipped the most to customers)."""
    spec = results.spec
    if sku is None or node is None:
        sku, node = plots.busiest_item(results)
    table, classes = kpi_table(results)
    windows = plots.disruption_windows(results)
    disrupted = ""
    if len(windows):
        shown = windows[["kind", "target", "start", "end"]].assign(
            start=windows["start"].map(lambda v: f"{v:g}"), end=windows["end"].map(lambda v: f"{v:g}"))
        disrupted = ("<p>Disruptions in this run (shaded red on the time charts):</p>" + _table(shown))
    misses = [r["segment"] for r, c in zip(table.to_dict("records"), classes.to_dict("records"), strict=True)
              if "miss" in c.values()]
    verdict = (f'<p class="note">Missed an SLA (or lost money): <b>{html.escape(", ".join(misses))}</b>.</p>' if misses
               else '<p class="note">Every segment met its fill-rate target, OTIF and promised lead time.</p>')
    return [
        Section("network", "The network",
                "Where goods come from and go to: suppliers feed plants, plants feed the DCs, DCs serve "
                "customers. Arrow colour is the transport mode of the lane.",
                figures=((plots.network(spec, results.stage_depth),
                          "Suppliers and plants on the left, customers grouped by sales "
                          "channel on the right; each arrow is a lane."),)),
        Section("kpis", "Segment KPIs against their SLA",
                "One row per segment and a total. Fill rate is the share of ordered units shipped from stock "
                "at once; lead time is order to last delivery. Cells in red missed the segment's target, "
                "green met it. Definitions: docs/kpis.md.",
                body=verdict + _table(table, classes)),
        Section("stock", "Stock and backlog over time",
                "How much stock sat in the DCs and how much customer demand waited, day by day."
                + (" Red bands are disruption windows." if len(windows) else ""),
                body=disrupted,
                figures=((plots.stock_by_segment(results), "Top: units on hand summed over all DCs, per "
                          "segment. Bottom: units on backorder. Backorders rising while stock falls to zero is "
                          "the signature of a shortage."),
                         (plots.stock_of_item(results, sku, node), f"One item followed closely: {html.escape(sku)} "
                          f"at {html.escape(node)}. The saw-tooth is the replenishment cycle; green triangles are "
                          "the days a replenishment was ordered."))),
        Section("production", "Lines and production",
                "How busy each production line was, how much time changeovers took, and what was made for "
                "which segment.",
                figures=((plots.line_utilisation(results), "Producing, changing over between families, and "
                          "idle (no order, or waiting for raw material), as a share of the horizon."),
                         (plots.production_by_segment(results), "Units finished per week, stacked by segment; "
                          "the legend shows each segment's production strategy (make-to-stock or "
                          "make-to-order)."))),
        Section("cost", "Cost to serve and CO2",
                "What it cost to serve each segment beyond the goods themselves, and the transport "
                "emissions by channel.",
                figures=((plots.cost_to_serve(results), "Transport, DC handling, inventory holding and line "
                          "changeover cost; left in total, right per unit ordered."),
                         (plots.co2_by_channel(results), "CO2 of deliveries to each channel and of upstream "
                          "replenishment (plant to DC, DC to DC), split by transport mode."))),
        Section("service", "Service: fill rate and lead time",
                "Did each segment get the service it was promised?",
                figures=((plots.service(results), "Left: fill rate against the SLA target (black bar). Right: "
                          "share of delivered order lines that arrived within x days; dotted lines mark each "
                          "segment's promised lead time."),)),
        *shopfloor_sections(results.tables, spec.warmup_days, spec.horizon_days),
    ]


def write_run_report(results: Results, path: str | Path, *, sku: str | None = None,
                     node: str | None = None, extra: Sequence[Section] = ()) -> Path:
    """Write the run report to ``path`` (a file, or a directory to hold ``report.html``).

    ``extra`` sections follow the KPI table (e.g. a disrupted run's resilience section,
    ``analysis.resilience_report.resilience_section``)."""
    out = Path(path)
    if out.suffix != ".html":
        out = out / "report.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    spec = results.spec
    info = results.run_info()
    scenario = getattr(spec.scenario, "name", "")
    meta = html.escape(
        f"seed {spec.seed} · {spec.horizon_days:g} simulated days (warm-up {spec.warmup_days:g}) · "
        f"scenario {scenario or 'none'} · {info['events_processed']:,} events in {info['wall_seconds']:.1f} s · "
        f"segsim {info['segsim_version']} · written {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
        + segments_line(spec.segments_meta))
    sections = run_sections(results, sku, node)
    sections[1:1] = map_section(results)
    after_kpis = next(i for i, s in enumerate(sections) if s.key == "kpis") + 1
    sections[after_kpis:after_kpis] = list(extra)
    # No fig.clear() afterwards: clearing re-creates every axes' ticks (~0.1 s a report); the figures
    # hold no pyplot state and are freed with the sections.
    out.write_text(_page("segsim run report", meta, sections), encoding="utf-8")
    log.info("wrote run report %s", out)
    return out


def segments_line(meta: Mapping[str, Any]) -> str:
    """The report header's note of which segment definitions ran: name, version and approval."""
    if not meta:
        return ""
    text = f" · segments {meta.get('name', '')} {meta.get('version', '')}".rstrip()
    if meta.get("approved_by") or meta.get("approved_on"):
        text += f", approved by {meta.get('approved_by', '?')} on {meta.get('approved_on', '?')}"
    return text


def map_section(results: Results) -> list[Section]:
    """The network on a longitude/latitude map, when the network's sites have coordinates."""
    from analysis import maps

    if not maps.has_map(results.spec):
        return []
    return [Section("map", "The network on the map",
                    "Sites at their latitude and longitude. Lanes are coloured by transport mode and as wide as "
                    "the units shipped on them over the run (dotted: nothing shipped); markers are sized by the "
                    "units that went through each site.",
                    figures=((maps.network_map(results.spec, results.shipments),
                              "Squares: suppliers (grey) and plants (purple); diamonds: DCs; dots: customer order "
                              "streams. Graticule every 5 degrees; no coastlines (drawn offline)."),))]


# ------------------------------------------------------------------------------------------------- sweep report
SWEEP_METRICS = {"fill_rate": "fill rate", "otif": "OTIF", "avg_lead_time_days": "avg lead time (days)",
                 "lost_units": "lost units", "cost_to_serve": "cost to serve", "gross_margin": "gross margin",
                 "avg_on_hand_units": "avg units on hand", "co2_kg": "CO2 (kg)"}
_NOT_OVERRIDES = {"segment", "job", "job_id", "status", "error", "run_dir", "wall_seconds"}


def mean_ci(values: Iterable[float], level: float = 0.95, metric: str | None = None) -> tuple[float, float, float, int]:
    """Mean and two-sided confidence interval over replications, made for the quantity
    (``analysis.statistics.metric_interval``: logit-t for rates, cut at zero for counts): (mean, low, high, n).
    A single replication is a point (low = high = mean), drawn without an error bar."""
    x = [v for v in values if np.isfinite(v)]
    mean, low, high = metric_interval(x, metric, level)
    if len(x) == 1:
        low = high = mean
    return mean, low, high, len(x)


def sweep_groups(table: pd.DataFrame, kpi_columns: Iterable[str], seed_column: str = "seed") -> list[str]:
    """The override columns that define a scenario x policy cell: every column that is not a KPI,
    not the segment, not the replication seed and not job bookkeeping."""
    kpis = set(kpi_columns)
    return [c for c in table.columns if c not in kpis and c not in _NOT_OVERRIDES and c != seed_column]


def short_names(columns: Sequence[str]) -> dict[str, str]:
    """Override columns by their last dotted part (``segments.tail.policies.production`` -> ``production``)
    where that stays unambiguous, else in full."""
    last = [c.rsplit(".", 1)[-1] for c in columns]
    return {c: s if last.count(s) == 1 else c for c, s in zip(columns, last, strict=True)}


def _label(row: Mapping[str, Any], columns: Sequence[str]) -> str:
    names = short_names(columns)
    return ", ".join(f"{names[c]}={row[c]}" for c in columns) if columns else "all runs"


def summarise_sweep(table: pd.DataFrame, metric: str, groups: Sequence[str]) -> pd.DataFrame:
    """Per scenario x policy cell and segment: mean, 95% CI and number of replications of ``metric``."""
    rows = []
    keys = [*groups, "segment"]
    for key, part in table.groupby(keys, sort=False, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        cell = dict(zip(keys, key, strict=True))
        mean, low, high, n = mean_ci(part[metric], metric=metric)
        rows.append({"group": _label(cell, groups), "segment": cell["segment"], "mean": mean, "low": low,
                     "high": high, "n": n})
    return pd.DataFrame(rows, columns=["group", "segment", "mean", "low", "high", "n"])


def _summary_table(summaries: Mapping[str, pd.DataFrame]) -> str:
    """One row per scenario x policy cell and segment, a 'mean [95% CI]' column per metric
    ('mean (1 run, no interval)' for a cell with a single replication)."""
    merged: pd.DataFrame | None = None
    for metric, summary in summaries.items():
        fmt = _metric_format(metric)
        cell = [describe(m, lo, hi, n, lambda v, f=fmt: _fmt(v, f))
                for m, lo, hi, n in zip(summary["mean"], summary["low"], summary["high"], summary["n"], strict=True)]
        part = summary[["group", "segment", "n"]].assign(**{SWEEP_METRICS.get(metric, metric): cell})
        merged = part if merged is None else merged.merge(part.drop(columns="n"), on=["group", "segment"])
    if merged is None:
        return ""
    return _table(merged.rename(columns={"group": "scenario x policy", "n": "runs"}))


def write_sweep_report(table: pd.DataFrame, path: str | Path, *, metrics: Sequence[str] | None = None,
                       seed_column: str = "seed", paired: pd.DataFrame | None = None,
                       resilience: pd.DataFrame | None = None, stress_matrix: pd.DataFrame | None = None,
                       service_curves: pd.DataFrame | None = None, baseline: str | None = None) -> Path:
    """Write the sweep report to ``path`` (a file, or a directory to hold ``report.html``).

    ``table``: one row per job x segment, a column per override (e.g. ``scenario``, a policy key,
    ``seed``) and KPI columns as in ``kpis.csv``. Optional parts render when given: ``paired``
    (columns ``group``, ``segment``, ``metric``, ``mean``, ``low``, ``high``: paired differences
    against the baseline policy), ``resilience`` (per segment and disruption: TTS, TTR, loss area,
    change in revenue...), ``stress_matrix`` (node x outage length), ``service_curves`` (columns
    ``group``, ``segment``, ``day``, ``fill_rate``) with ``baseline`` naming the baseline group.
    """
    out = Path(path)
    if out.suffix != ".html":
        out = out / "report.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    from analysis.kpis import KPI_COLUMNS

    chosen = [m for m in (metrics or SWEEP_METRICS) if m in table.columns]
    overrides = sweep_groups(table, KPI_COLUMNS, seed_column)
    groups = [c for c in overrides if table[c].nunique(dropna=False) > 1]  # what the sweep varied
    fixed = ", ".join(f"{c}={table[c].iloc[0]}" for c in overrides if c not in groups)
    n_jobs = len(table.drop_duplicates([*groups, seed_column])) if seed_column in table else len(table)
    figures = []
    summaries = {}
    for metric in chosen:
        summaries[metric] = summary = summarise_sweep(table, metric, groups)
        label = SWEEP_METRICS.get(metric, metric)
        figures.append((sweep_plots.kpi_means(summary, metric, label=label),
                        f"{html.escape(label)}: mean per scenario x policy and segment; the whiskers are the 95% "
                        "confidence interval over replications (logit-t for rates, Student t cut at zero for counts; "
                        "docs/kpis.md, Intervals)."))
    cells = len(table.groupby(groups)) if groups else 1
    sections = [Section("means", "KPI means with 95% confidence intervals",
                        f"{n_jobs} runs in {cells} scenario x policy cells (grouped by "
                        f"{html.escape(', '.join(groups)) or 'nothing'}"
                        + (f"; the same in every run: {html.escape(fixed)}" if fixed else "")
                        + f"); replications differ by {html.escape(seed_column)}. Overlapping intervals do not "
                        "settle a comparison of two policies: "
                        + ("the paired differences below do." if paired is not None and len(paired) else
                           "paired differences under common random numbers do "
                           "(<code>python -m analysis.compare &lt;sweep dir&gt; --factor &lt;override&gt;</code>)."),
                        body=_summary_table(summaries), figures=tuple(figures))]
    from analysis.sweep_summary import summary_section

    sections.insert(0, summary_section(table, groups, summaries, paired, n_jobs))
    if paired is not None and len(paired):
        figs = tuple((sweep_plots.paired_differences(part, metric),
                      f"Paired difference in {html.escape(str(metric))}, B minus A (the compared value minus "
                      "the first value listed in the sweep, same seeds); "
                      "an interval that excludes zero is a significant difference at the 5% level.")
                     for metric, part in paired.groupby("metric", sort=False))
        sections.append(Section("paired", "Paired differences against the baseline policy",
                                "Each policy compared with the baseline under common random numbers.",
                                body=_table(paired.round(4)), figures=figs))
    if resilience is not None and len(resilience):
        sections.append(Section("resilience", "Resilience per segment",
                                "Time to survive (TTS), time to recover (TTR), service-loss area, extra lost units "
                                "and change in revenue (disrupted minus baseline: negative = lost) against the "
                                "paired no-disruption baseline, mean [95% interval] over replications. A TTS or TTR "
                                "not reached inside the run is censored: shown as '&gt;= mean' with the Kaplan-Meier "
                                "median and how many runs were censored.",
                                body=_table(resilience.round(3))))
    if stress_matrix is not None and len(stress_matrix):
        sections.append(Section("stress", "Stress matrix", "Each node taken out for each outage length.",
                                figures=((sweep_plots.heatmap(stress_matrix, "Stress matrix", "revenue lost"),
                                          "Darker cells hurt more."),),
                                after=_table(stress_matrix.map(money).reset_index())))
    if service_curves is not None and len(service_curves) and baseline is not None:
        sections.append(Section("curves", "Service over time",
                                "Mean daily fill rate of the disrupted runs against the baseline.",
                                figures=((sweep_plots.service_curves(service_curves, baseline),
                                          "Dashed black: baseline. The gap between the curves is the service "
                                          "lost to the disruption."),)))
    meta = html.escape(f"{len(table)} job x segment rows · written {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    out.write_text(_page("segsim sweep report", meta, sections), encoding="utf-8")
    log.info("wrote sweep report %s", out)
    return out
