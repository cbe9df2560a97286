"""The first screen of a sweep report: what was varied, how many runs, the headline KPIs of every
scenario x policy cell (all segments together), and which paired differences are significant."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import pandas as pd

from analysis.report_parts import Section, _fmt, _metric_format, _table

HEADLINE = {"fill_rate": "fill rate", "otif": "OTIF", "lost_units": "lost units", "cost_to_serve": "cost to serve",
            "gross_margin": "gross margin"}
MAX_ROWS = 12  # one screen


def summary_section(table: pd.DataFrame, groups: Sequence[str], summaries: Mapping[str, pd.DataFrame],
                    paired: pd.DataFrame | None, n_jobs: int) -> Section:
    """The summary: one row per cell with the ALL-segment mean of each headline KPI, and the
    significant paired differences listed in words."""
    varied = "; ".join(f"{html.escape(g)}: {html.escape(', '.join(map(str, table[g].dropna().unique())))}"
                       for g in groups) or "nothing (replications only)"
    cols: dict[str, list[str]] = {}
    cells: list[str] = []
    for metric, label in HEADLINE.items():
        if metric not in summaries:
            continue
        s = summaries[metric]
        s = s[s["segment"] == "ALL"] if (s["segment"] == "ALL").any() else s.groupby("group", as_index=False,
                                                                                      sort=False)["mean"].mean()
        if not cells:
            cells = list(s["group"])
        cols[label] = [_fmt(v, _metric_format(metric)) for v in s.set_index("group")["mean"].reindex(cells)]
    shown = pd.DataFrame({"scenario x policy": cells, **cols}).head(MAX_ROWS)
    more = f"<p>... and {len(cells) - MAX_ROWS} more cells below.</p>" if len(cells) > MAX_ROWS else ""
    findings = ""
    if paired is not None and len(paired):
        sig = paired[(paired["low"] > 0) | (paired["high"] < 0)]
        items = [f"<li>{html.escape(str(r.group))}, segment {html.escape(str(r.segment))}: "
                 f"{html.escape(str(r.metric))} {_signed(r.mean, str(r.metric))} "
                 f"[{_signed(r.low, str(r.metric))}, {_signed(r.high, str(r.metric))}]</li>"
                 for r in sig.head(8).itertuples()]
        findings = ("<p><b>Significant paired differences</b> (95% interval excludes 0; charts below):</p><ul>"
                    + "".join(items) + "</ul>" if items else
                    "<p>No paired difference is significant at the 5% level (charts below).</p>")
    return Section("summary", "Summary",
                   f"{n_jobs} runs; varied: {varied}. Headline KPIs for all segments together (mean over "
                   "replications); per segment, with intervals, further down.",
                   body=_table(shown) + more + findings)


def _signed(v: float, metric: str) -> str:
    kind = _metric_format(metric)
    if kind == "pct":
        return f"{100 * v:+.2f} pts"
    return ("+" if v >= 0 else "") + _fmt(v, kind)
