"""Labour and promises, from the tables a run with calendars, crews or planning modes writes.

``labour_table``: hours worked and overtime per line and segment, what labour planning is given:
for each line, the hours its crew worked on each segment's orders on shift and in overtime, the
overtime cost those hours carry, and (on the line's ``all`` row) the shift hours it was staffed.
``promise_table``: per segment, how far out made-to-order lines were promised and how many were
delivered by their own promised date.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.report_parts import Section, _table

LABOUR_COLUMNS = ("plant", "line", "segment", "worked_hours", "overtime_hours", "overtime_cost", "shift_hours")
PROMISE_KPI_COLUMNS = ("segment", "mode", "lines", "promised_days", "lead_time_days", "on_time_to_promise")


def _covered(starts: np.ndarray, ends: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Length of the union of sorted, disjoint windows [starts, ends) that lies before each ``x``."""
    if len(starts) == 0:
        return np.zeros(len(x))
    cum = np.concatenate([[0.0], np.cumsum(ends - starts)])
    i = np.searchsorted(starts, x, side="right") - 1
    inside = np.where(i >= 0, np.minimum(x, ends[np.maximum(i, 0)]) - starts[np.maximum(i, 0)], 0.0)
    return np.where(i >= 0, cum[np.maximum(i, 0)] + inside, 0.0)


def labour_table(shifts: pd.DataFrame, line_work: pd.DataFrame, start: float, end: float) -> pd.DataFrame:
    """Hours worked and overtime per line and segment over [start, end) (days; e.g. warm-up to horizon).

    ``worked_hours``: hours the line worked on the segment's orders during its shifts (changeovers
    included; a line without a calendar counts every hour); ``overtime_hours``: hours worked in
    overtime; ``overtime_cost``: those hours at the line's overtime rate. The line's ``all`` row
    sums its segments, gives the overtime hours and cost paid and ``shift_hours``, the hours it was
    staffed on shift."""
    rows = []
    lines = sorted(set(zip(line_work["plant"], line_work["line"], strict=True))
                   | set(zip(shifts["plant"], shifts["line"], strict=True)))
    for plant, line in lines:
        own = shifts[(shifts["plant"] == plant) & (shifts["line"] == line)]
        win = {}
        for kind in ("shift", "overtime"):
            w = own[own["kind"] == kind].sort_values("start")
            a, b = w["start"].clip(start, end).to_numpy(float), w["end"].clip(start, end).to_numpy(float)
            win[kind] = (a, b, w["cost"].to_numpy(float), w["end"].to_numpy(float) - w["start"].to_numpy(float))
        if not len(own):  # no calendar: staffed around the clock
            win["shift"] = (np.array([start]), np.array([end]), np.zeros(1), np.array([end - start]))
        ot_a, ot_b, ot_cost, ot_len = win["overtime"]
        rate = float(ot_cost.sum() / (ot_len.sum() * 24.0)) if ot_len.sum() > 0 else 0.0
        work = line_work[(line_work["plant"] == plant) & (line_work["line"] == line)]
        a = work["start"].clip(start, end).to_numpy(float)
        b = work["end"].clip(start, end).to_numpy(float)
        on_shift = 24.0 * (_covered(*win["shift"][:2], b) - _covered(*win["shift"][:2], a))
        overtime = 24.0 * (_covered(ot_a, ot_b, b) - _covered(ot_a, ot_b, a))
        per = pd.DataFrame({"segment": work["segment"].to_numpy(), "w": on_shift, "o": overtime})
        for seg, g in per.groupby("segment", sort=True):
            rows.append((plant, line, seg, float(g["w"].sum()), float(g["o"].sum()), float(g["o"].sum()) * rate,
                         float("nan")))
        paid_ot = float((ot_b - ot_a).sum() * 24.0)
        paid_cost = float((ot_cost * np.divide(ot_b - ot_a, ot_len, out=np.zeros(len(ot_len)),
                                                where=ot_len > 0)).sum())
        s_a, s_b = win["shift"][:2]
        rows.append((plant, line, "all", float(on_shift.sum()), paid_ot, paid_cost, float((s_b - s_a).sum() * 24.0)))
    return pd.DataFrame(rows, columns=list(LABOUR_COLUMNS))


def promise_table(order_lines: pd.DataFrame, promises: pd.DataFrame, start: float = 0.0) -> pd.DataFrame:
    """Per segment and planning mode: made-to-order lines quoted (placed from ``start`` on), their mean
    promised days, mean actual lead time (delivered lines) and the share delivered in full by the
    promised date."""
    p = promises[promises["time"] >= start]
    lines = order_lines.set_index("line_id").loc[p["line_id"], ["qty", "delivered", "last_delivery", "time"]]
    due = p["time"].to_numpy() + p["promised_days"].to_numpy()
    on_time = (lines["delivered"].to_numpy() >= lines["qty"].to_numpy()) & \
        (lines["last_delivery"].to_numpy() <= due + 1e-9)
    frame = pd.DataFrame({"segment": p["segment"].to_numpy(), "mode": p["mode"].to_numpy(),
                          "promised": p["promised_days"].to_numpy(),
                          "lead": (lines["last_delivery"] - lines["time"]).to_numpy(), "on_time": on_time})
    out = frame.groupby(["segment", "mode"], sort=True).agg(
        lines=("promised", "size"), promised_days=("promised", "mean"), lead_time_days=("lead", "mean"),
        on_time_to_promise=("on_time", "mean")).reset_index()
    return out[list(PROMISE_KPI_COLUMNS)]


def shopfloor_sections(tables: dict[str, pd.DataFrame], start: float, end: float) -> list[Section]:
    """The report's labour and promise sections, for runs that wrote their tables."""
    out = []
    if "shifts" in tables:
        labour = labour_table(tables["shifts"], tables["line_work"], start, end)
        shown = labour.assign(**{c: labour[c].map(lambda v: "" if v != v else f"{v:,.1f}")
                                 for c in ("worked_hours", "overtime_hours", "overtime_cost", "shift_hours")})
        out.append(Section("labour", "Labour: hours worked and overtime",
                           "Per line and segment after the warm-up: hours the crew worked on the segment's orders "
                           "on shift and in overtime, and the overtime cost; the line's 'all' row also gives the "
                           "shift hours it was staffed. Definitions: docs/shopfloor.md.", body=_table(shown)))
    if "promises" in tables:
        kpis = promise_table(tables["order_lines"], tables["promises"], start)
        shown = kpis.assign(promised_days=kpis["promised_days"].map("{:.2f}".format),
                            lead_time_days=kpis["lead_time_days"].map("{:.2f}".format),
                            on_time_to_promise=kpis["on_time_to_promise"].map("{:.1%}".format))
        out.append(Section("promises", "Promised dates of made-to-order lines",
                           "Per segment: how made-to-order lines were promised (the plant's planned lead time or "
                           "the line's queue), how far out, the lead time they got, and the share delivered in "
                           "full by their own promised date.", body=_table(shown)))
    return out
