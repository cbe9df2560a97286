"""Figures of a sweep (many runs): KPI means with intervals per scenario x policy, paired
differences against the baseline, service curves of disrupted runs, and heatmaps (stress matrix)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis.style import colours, money, new_figure, segment_colours, styled


@styled
def kpi_means(summary: pd.DataFrame, metric: str, *, label: str | None = None) -> Figure:
    """Mean of ``metric`` (dot) with its 95% CI (whiskers) per scenario x policy (rows) and segment (colour).

    ``summary`` has columns ``group``, ``segment``, ``mean``, ``low``, ``high``.
    """
    groups = list(dict.fromkeys(summary["group"]))
    segs = list(dict.fromkeys(summary["segment"]))
    seg_colour = segment_colours(segs)
    fig, (ax,) = new_figure(10, 0.22 * len(groups) * max(len(segs), 1) + 1.8)
    offset = 0.7 / max(len(segs), 1)
    for j, seg in enumerate(segs):
        rows = summary[summary["segment"] == seg].set_index("group").reindex(groups)
        y = np.arange(len(groups)) + (j - (len(segs) - 1) / 2) * offset
        err = np.vstack([rows["mean"] - rows["low"], rows["high"] - rows["mean"]])
        ax.errorbar(rows["mean"], y, xerr=err, fmt="o", ms=5, capsize=3, color=seg_colour[seg], label=seg)
    ax.set_yticks(np.arange(len(groups)), groups, fontsize=8)
    ax.set_ylim(len(groups) - 0.5, -0.5)
    ax.set_xlabel(f"{label or metric} (dot: mean; whiskers: 95% CI over replications)")
    ax.set_ylabel("scenario x policy")
    ax.set_title(f"{label or metric} per scenario x policy")
    ax.legend(title="segment", fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    ax.grid(alpha=0.3)
    return fig


@styled
def paired_differences(diffs: pd.DataFrame, metric: str) -> Figure:
    """Mean paired difference (alternative - baseline) with its 95% CI; the zero line marks no effect,
    and a star marks each difference whose interval excludes zero (significant at the 5% level).

    ``diffs`` has columns ``group``, ``segment``, ``mean``, ``low``, ``high``.
    """
    fig = kpi_means(diffs, metric, label=f"{metric}: difference vs baseline")
    ax = fig.axes[0]
    ax.axvline(0.0, color="black", lw=1)
    groups = list(dict.fromkeys(diffs["group"]))
    segs = list(dict.fromkeys(diffs["segment"]))
    offset = 0.7 / max(len(segs), 1)  # the same dodge as kpi_means
    for j, seg in enumerate(segs):
        rows = diffs[diffs["segment"] == seg].set_index("group").reindex(groups)
        y = np.arange(len(groups)) + (j - (len(segs) - 1) / 2) * offset
        for yi, low, high in zip(y, rows["low"], rows["high"], strict=True):
            if low > 0 or high < 0:
                ax.annotate("*", (high, yi), xytext=(4, -4), textcoords="offset points", fontsize=12,
                            weight="bold", color="#922b21")
    ax.set_title(f"Paired difference in {metric} vs baseline (* = interval excludes 0)")
    return fig


@styled
def service_curves(curves: pd.DataFrame, baseline: str) -> Figure:
    """Daily fill rate over time per segment: each disrupted run's mean curve against the baseline.

    ``curves``: columns ``group``, ``segment``, ``day``, ``fill_rate`` (mean over replications).
    """
    segs = list(dict.fromkeys(curves["segment"]))
    fig, axes = new_figure(10, 2.6 * len(segs) + 0.8, rows=len(segs), sharex=True)
    group_colour = colours(g for g in dict.fromkeys(curves["group"]) if g != baseline)
    for ax, seg in zip(axes, segs, strict=True):
        part = curves[curves["segment"] == seg]
        for group, rows in part.groupby("group", sort=False):
            is_base = group == baseline
            ax.plot(rows["day"], rows["fill_rate"] * 100, color="black" if is_base else group_colour[group],
                    lw=1.6 if is_base else 1.1, ls="--" if is_base else "-", label=f"{group}" + (
                        " (baseline)" if is_base else ""))
        ax.set_title(f"segment {seg}")
        ax.set_ylabel("daily fill rate (%)")
        ax.set_xlabel("day")
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7, loc="lower left")
    fig.suptitle("Service over time: disrupted runs against the baseline")
    return fig


@styled
def heatmap(matrix: pd.DataFrame, title: str, value_label: str) -> Figure:
    """A node x outage-length (or any row x column) matrix as an annotated heatmap: each cell's value
    in thousands or millions (``money``), in white on dark cells and black on light ones."""
    values = matrix.to_numpy(dtype=float)
    fig, (ax,) = new_figure(1.2 * len(matrix.columns) + 4, 0.45 * len(matrix) + 1.8)
    image = ax.imshow(values, aspect="auto", cmap="Reds")
    ax.set_xticks(range(len(matrix.columns)), [str(c) for c in matrix.columns])
    ax.set_yticks(range(len(matrix.index)), [str(i) for i in matrix.index])
    for (i, j), v in np.ndenumerate(values):
        if np.isfinite(v):
            dark = image.norm(v) > 0.6  # the upper part of the colour scale is dark red
            ax.annotate(money(v), (j, i), ha="center", va="center", fontsize=7, color="white" if dark else "black")
    ax.set_xlabel(str(matrix.columns.name or "column"))
    ax.set_ylabel(str(matrix.index.name or "row"))
    ax.set_title(title)
    fig.colorbar(image, ax=ax, label=value_label)
    return fig

