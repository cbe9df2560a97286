"""The resilience section of a disrupted run's report: how long each segment's service survived the
disruption, how long it took to recover, what was lost, and the service curves against the paired
baseline (same seed, no disruption) with the disruption windows shaded."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from analysis import plots, sweep_plots
from analysis.report_parts import Section, _fmt, _table
from analysis.sweep import daily_fill

if TYPE_CHECKING:
    from simulator.app.results import Results

BASELINE = "no disruption"
SHOWN = (("tts_days", "TTS (days)", "days"), ("ttr_days", "TTR (days)", "days"),
         ("service_loss_area", "service loss (fill-rate x days)", "days"),
         ("extra_lost_units", "extra lost units", "int"), ("revenue_change", "change in revenue", "int"))


def resilience_table(resilience: pd.DataFrame) -> pd.DataFrame:
    """Per segment and disruption, each metric's mean over the replications ('>=' when the time was not
    reached inside the run in some replication: censored)."""
    rows = []
    for (seg, dis), part in resilience.groupby(["segment", "disruption"], sort=True):
        row = {"segment": seg, "disruption": dis, "window (days)": f"{part['start'].iloc[0]:g}-{part['end'].iloc[0]:g}"}
        for col, name, kind in SHOWN:
            censored = bool(part.get(col.replace("_days", "_censored"), pd.Series(dtype=bool)).any()) \
                if col in ("tts_days", "ttr_days") else False
            row[name] = (">= " if censored else "") + _fmt(float(part[col].mean()), kind)
        rows.append(row)
    return pd.DataFrame(rows)


def resilience_section(results: Results, resilience: pd.DataFrame, baseline: Results | None) -> Section:
    """The report section; the figure needs the paired baseline run (``baseline``)."""
    n = resilience["replication"].nunique() if "replication" in resilience else 1
    figures = ()
    if baseline is not None:
        curves = pd.concat([daily_fill(results.order_lines).assign(group=results.spec.scenario.name or "disrupted"),
                            daily_fill(baseline.order_lines).assign(group=BASELINE)])
        fig = sweep_plots.service_curves(curves, BASELINE)
        for ax in fig.axes:
            plots.shade_disruptions(ax, plots.disruption_windows(results))
        figures = ((fig, "Daily fill rate from stock (7-day mean) per segment: this run against the same seed "
                    "without the disruption (dashed black). Red bands: the disruption windows. The gap between "
                    "the curves is the service lost; where they meet again, the segment has recovered."),)
    return Section(
        "resilience", "Resilience: survive, recover, lose",
        "Against the paired baseline (same seed, no disruption): <b>TTS</b>, time to survive, days from the "
        "start of the disruption until customers start to go unserved; <b>TTR</b>, time to recover, days from "
        "the start until the daily fill rate is back within reach of the baseline; the service loss, extra "
        "lost units and change in revenue (negative = lost) over the run. '&gt;=' marks a time not reached "
        "before the horizon. "
        f"Mean over {n} replication{'s' if n != 1 else ''}; definitions in docs/resilience.md.",
        body=_table(resilience_table(resilience)), figures=figures)

