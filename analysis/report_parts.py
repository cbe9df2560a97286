"""Pieces of the HTML reports: a section (heading, explanation, tables, figures), a table with
classes per cell, and how KPI values are printed. Shared by the run, resilience and sweep reports."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # matplotlib is imported by the figure code, only when a report is drawn
    from matplotlib.figure import Figure


@dataclass
class Section:
    """One part of a report: a heading, an explanation for the reader, tables (HTML) and figures."""

    key: str
    title: str
    intro: str
    body: str = ""
    figures: tuple[tuple[Figure, str], ...] = ()  # (figure, caption: how to read it)
    after: str = ""  # HTML after the figures (a table that details a figure)


def _table(df: pd.DataFrame, classes: pd.DataFrame | None = None) -> str:
    """A small HTML table; ``classes`` (same shape) gives a CSS class per cell (e.g. ``miss``)."""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    rows = []
    for i in range(len(df)):
        cells = []
        for j in range(len(df.columns)):
            cls = classes.iat[i, j] if classes is not None else ""
            attr = f' class="{cls}"' if cls else ""
            cells.append(f"<td{attr}>{html.escape(str(df.iat[i, j]))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _fmt(v: float, kind: str) -> str:
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return ""
    return {"pct": f"{100 * v:.1f}%", "days": f"{v:.2f}", "int": f"{v:,.0f}", "num": f"{v:,.3g}"}[kind]


def _metric_format(metric: str) -> str:
    return "pct" if metric in ("fill_rate", "order_fill_rate", "otif") else "days" if metric.endswith("_days") \
        else "int"
