"""What the workbench's pages show, as plain rows and cells (the templates only lay them out).

Every number cell carries the exact value it shows (``data-value``), so a test or a planner's script
can check the page against the run's ``kpis.csv``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.kpis import KPI_METRICS
from analysis.plots import made_to_order
from analysis.statistics import paired_differences
from simulator.engine.spec import Spec

PERCENT = {"fill_rate", "order_fill_rate", "otif"}
DAYS = {"avg_lead_time_days", "inventory_turns", "tts_days", "ttr_days", "service_loss_area"}
KPI_VIEW = (("fill_rate", "Fill rate"), ("otif", "OTIF"), ("avg_lead_time_days", "Avg lead time (days)"),
            ("lost_units", "Lost units"), ("avg_on_hand_units", "Avg on hand (units)"),
            ("cost_to_serve", "Cost to serve"), ("gross_margin", "Gross margin"), ("demand_units", "Demand (units)"))
COMPARED = ("fill_rate", "otif", "avg_lead_time_days", "lost_units", "avg_on_hand_units", "cost_to_serve",
            "gross_margin")
NAMES = dict(KPI_VIEW) | {"order_fill_rate": "Order fill rate", "inventory_turns": "Inventory turns",
                          "revenue": "Revenue", "co2_kg": "CO2 (kg)", "tts_days": "TTS (days)",
                          "ttr_days": "TTR (days)", "revenue_change": "Change in revenue",
                          "service_loss_area": "Service loss (unit-days)", "extra_lost_units": "Extra lost units"}


def fmt(metric: str, value: Any) -> str:
    """A KPI as the pages print it: percentages to 0.1, days to 0.01, units and money to whole numbers."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(v):
        return "–"
    if metric in PERCENT:
        return f"{100 * v:.1f}%"
    if metric in DAYS:
        return f"{v:.2f}"
    return f"{v:,.0f}"


def fmt_diff(metric: str, value: float) -> str:
    if math.isnan(value):
        return "–"
    if metric in PERCENT:
        return f"{100 * value:+.2f} pts"
    if metric in DAYS:
        return f"{value:+.2f}"
    return f"{value:+,.0f}"


@dataclass
class Cell:
    text: str
    value: str = ""  # the exact number (repr of the float) behind the text
    metric: str = ""
    css: str = ""
    note: str = ""


def cell(metric: str, value: Any, css: str = "", note: str = "") -> Cell:
    raw = repr(float(value)) if isinstance(value, (int, float)) and not isinstance(value, bool) else ""
    return Cell(fmt(metric, value), raw, metric, css, note)


def _as(c: Cell, metric: str) -> Cell:
    c.metric = metric
    return c


def kpi_rows(kpis: pd.DataFrame, spec: Spec | None,
             decisions: pd.DataFrame | None = None) -> tuple[list[str], list[tuple[str, list[Cell]]]]:
    """The KPI table against each SLA: fill rate vs target, lead time vs promise; misses marked."""
    header = ["Segment", "Fill rate", "SLA fill rate", "OTIF", "Avg lead time (days)", "Promised (days)",
              *(name for m, name in KPI_VIEW[3:])]
    rows = []
    for r in kpis.to_dict("records"):
        seg = str(r["segment"])
        target = promised = float("nan")
        mto = False
        if spec is not None and seg in spec.segments:
            mto = decisions is not None and made_to_order(decisions, seg)
            target = float("nan") if mto else spec.segments[seg].target_fill_rate
            promised = spec.segments[seg].promised_lead_time
        fill_css = "" if math.isnan(target) else ("miss" if r["fill_rate"] < target else "met")
        lead_css = "" if math.isnan(promised) else ("miss" if r["avg_lead_time_days"] > promised else "met")
        target_cell = Cell("made to order") if mto else _as(cell("fill_rate", target), "sla_fill_rate")
        promised_cell = Cell("") if math.isnan(promised) else _as(cell("avg_lead_time_days", promised),
                                                                   "sla_lead_time_days")
        cells = [cell("fill_rate", r["fill_rate"], fill_css), target_cell, cell("otif", r["otif"]),
                 cell("avg_lead_time_days", r["avg_lead_time_days"], lead_css), promised_cell,
                 *(cell(m, r[m]) for m, _ in KPI_VIEW[3:])]
        for c in cells:
            c.note = seg
        rows.append((seg, cells))
    return header, rows


def interval_rows(summary: pd.DataFrame, metrics: Sequence[str]) -> tuple[list[str], list[tuple[str, list[Cell]]]]:
    """Mean [95% interval] per segment x metric, from a ``summary.csv`` (or resilience summary)."""
    metrics = [m for m in metrics if m in set(summary["metric"])]
    by = [c for c in summary.columns if c not in ("metric", "mean", "ci_low", "ci_high", "n")]
    rows = []
    for key, group in summary.groupby(by, sort=False):
        key = key if isinstance(key, tuple) else (key,)
        g = group.set_index("metric")
        cells = []
        for m in metrics:
            if m not in g.index:
                cells.append(Cell(""))
                continue
            mean, low, high = (float(g.loc[m, c]) for c in ("mean", "ci_low", "ci_high"))
            text = fmt(m, mean) + ("" if math.isnan(low) else f" [{fmt(m, low)}, {fmt(m, high)}]")
            cells.append(Cell(text, repr(mean), m))
        rows.append((" / ".join(str(k) for k in key), cells))
    return [" / ".join(by), *(NAMES.get(m, m) for m in metrics)], rows


@dataclass
class Pair:
    paired: bool
    n_pairs: int
    note: str
    rows: list[tuple[str, list[Cell]]]


def compare_two(a: Path, b: Path, metrics: Sequence[str] = COMPARED) -> Pair:
    """B minus A per segment and KPI; paired by replication seed (an interval when there are several)."""
    ra, rb = pd.read_csv(a / "replications.csv"), pd.read_csv(b / "replications.csv")
    seeds_a, seeds_b = set(ra["seed"]), set(rb["seed"])
    paired = bool(seeds_a & seeds_b)
    if not paired:  # no common seed: compare the means only, without pairing
        ra, rb = ra.assign(seed=0), rb.assign(seed=0)
        ra = ra.groupby(["segment", "seed"], as_index=False)[list(KPI_METRICS)].mean()
        rb = rb.groupby(["segment", "seed"], as_index=False)[list(KPI_METRICS)].mean()
    diffs = paired_differences(ra, rb, list(metrics), pair_on=("seed",), by=("segment",))
    n = int(diffs["n_pairs"].max()) if len(diffs) else 0
    if not paired:
        note = "The two runs share no seed: the differences below are between means, not paired."
    elif n > 1:
        note = (f"Paired on {n} common replication seeds (same demand and disruption timings); "
                "95% t-interval of the mean difference; * = the interval excludes 0.")
    else:
        note = ("Paired on the same seed (same demand and disruption timings). With one replication there is "
                "no interval: run with replications of 5 or more to see one.")
    rows = []
    for r in diffs.to_dict("records"):
        m = r["metric"]
        interval = "" if math.isnan(r["ci_low"]) else f"[{fmt_diff(m, r['ci_low'])}, {fmt_diff(m, r['ci_high'])}]"
        sig = "*" if n > 1 and paired and r["significant"] else ""
        rows.append((str(r["segment"]), [Cell(NAMES.get(m, m)), cell(m, r["mean_a"]), cell(m, r["mean_b"]),
                                         Cell(fmt_diff(m, r["diff"]), repr(float(r["diff"])), m), Cell(interval),
                                         Cell(sig, css="sig" if sig else "")]))
    return Pair(paired, n, note, rows)


def changed_settings(a: Sequence[str], b: Sequence[str]) -> tuple[list[str], list[str]]:
    """Overrides only in A, only in B (what differs between two set-ups)."""
    return [o for o in a if o not in b], [o for o in b if o not in a]


def several(kpis: Mapping[str, pd.DataFrame], metrics: Sequence[str] = COMPARED) -> tuple[list[str], list[list[Cell]]]:
    """Several runs' KPIs in one table: one row per run x segment."""
    header = ["Run", "Segment", *(NAMES.get(m, m) for m in metrics)]
    rows = []
    for label, table in kpis.items():
        for r in table.to_dict("records"):
            rows.append([Cell(label), Cell(str(r["segment"])), *(cell(m, r[m]) for m in metrics)])
    return header, rows


def frame_rows(table: pd.DataFrame, limit: int = 500) -> tuple[list[str], list[list[Cell]]]:
    """Any table (sweep, trials) as header and cells, numbers formatted by their column's KPI."""
    rows = [[cell(c, v) if isinstance(v, (int, float)) and not isinstance(v, bool) else Cell(str(v), metric=c)
             for c, v in r.items()] for r in table.head(limit).to_dict("records")]
    return [str(c) for c in table.columns], rows
