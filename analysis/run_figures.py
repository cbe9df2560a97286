"""Figures that read the files of run directories: service over time from ``daily_fill.csv``, and
several runs' KPIs side by side as small multiples (the workbench's comparison view)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis.plots import shade_disruptions
from analysis.style import new_figure, segment_colours, styled

PERCENT = ("fill_rate", "order_fill_rate", "otif")
LABELS = {"fill_rate": "fill rate (%)", "order_fill_rate": "order fill rate (%)", "otif": "OTIF (%)",
          "avg_lead_time_days": "avg lead time (days)", "avg_on_hand_units": "avg on hand (units)",
          "lost_units": "lost units", "cost_to_serve": "cost to serve", "gross_margin": "gross margin",
          "inventory_turns": "inventory turns", "co2_kg": "CO2 (kg)", "revenue": "revenue"}


@styled
def service_over_time(daily: pd.DataFrame, targets: Mapping[str, float], windows: pd.DataFrame | None = None,
                      segments: Sequence[str] | None = None) -> Figure:
    """Daily fill rate per segment (7-day rolling mean, ``daily_fill.csv``) with each SLA target dashed."""
    segs = list(segments or sorted(daily["segment"].unique()))
    seg_colour = segment_colours(segs)
    fig, (ax,) = new_figure(10, 3.8)
    for seg in segs:
        rows = daily[daily["segment"] == seg]
        ax.plot(rows["day"], rows["fill_rate"] * 100, color=seg_colour[seg], lw=1.3, label=seg)
        if seg in targets and np.isfinite(targets[seg]):
            ax.axhline(targets[seg] * 100, color=seg_colour[seg], ls="--", lw=1)
    if windows is not None and len(windows):
        shade_disruptions(ax, windows)
    ax.set_xlabel("day")
    ax.set_ylabel("fill rate from stock, 7-day mean (%)")
    ax.set_title("Service over time (dashed: each segment's SLA target)")
    ax.grid(alpha=0.3)
    ax.legend(title="segment", fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    return fig


@styled
def small_multiples(table: pd.DataFrame, metrics: Sequence[str], runs: Sequence[str]) -> Figure:
    """One panel per KPI: each run's value per segment (bars coloured by segment, runs along the axis).

    ``table``: columns ``run``, ``segment`` and the metrics (one row per run x segment).
    """
    segs = [s for s in dict.fromkeys(table["segment"]) if s != "ALL"]
    seg_colour = segment_colours(segs)
    cols = 3
    rows = int(np.ceil(len(metrics) / cols))
    fig, axes = new_figure(11, 2.7 * rows + 0.6, rows=rows, cols=cols)
    width = 0.8 / max(len(segs), 1)
    x = np.arange(len(runs))
    for ax, metric in zip(axes, metrics, strict=False):
        scale = 100 if metric in PERCENT else 1
        for j, seg in enumerate(segs):
            part = table[table["segment"] == seg].set_index("run").reindex(runs)
            ax.bar(x + (j - (len(segs) - 1) / 2) * width, part[metric].to_numpy(dtype=float) * scale,
                   width=width * 0.95, color=seg_colour[seg], label=seg)
        ax.set_xticks(x, [str(r) for r in runs], fontsize=7, rotation=20, ha="right")
        ax.set_ylabel(LABELS.get(metric, metric), fontsize=8)
        ax.grid(alpha=0.3, axis="y")
    for ax in axes[len(metrics):]:
        ax.set_visible(False)
    fig.legend(*axes[0].get_legend_handles_labels(), title="segment", loc="outside right upper", fontsize=8,
               frameon=False)
    fig.suptitle("Runs side by side, per segment")
    return fig
