"""A readable event log of a short window of a run, for stepping through it in class.

The log is rebuilt from the run's record tables after the run (orders, shipments, replenishment
orders, production batches, disruptions), so tracing costs the simulation nothing.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from simulator.app.results import Results

log = logging.getLogger(__name__)

TRACE_COLUMNS = ("time", "node", "event", "sku", "qty", "segment", "detail")
# Order of events that happen at the same moment, in the order the simulation handles them.
_EVENT_ORDER = ("disruption starts", "order line", "picked from stock", "backordered", "ship", "arrive",
                "delivered", "reorder", "changeover", "batch started", "batch finished", "customer gave up",
                "disruption ends")


def _frame(time: pd.Series, node: pd.Series, event: str, sku: pd.Series, qty: pd.Series, segment: pd.Series,
           detail: pd.Series) -> pd.DataFrame:
    return pd.DataFrame({"time": time.to_numpy(dtype=float), "node": node.to_numpy(), "event": event,
                         "sku": sku.to_numpy(), "qty": qty.to_numpy(dtype=float), "segment": segment.to_numpy(),
                         "detail": detail.to_numpy()})


def event_log(results: Results, start: float, end: float, sku: str | None = None) -> pd.DataFrame:
    """Every event in ``[start, end)`` (days): time, node, event, SKU, qty, segment and a detail.

    Events: customer order lines, picks from stock and backorders, shipments leaving and arriving,
    deliveries, replenishment orders, changeovers and production batches, lost sales (a customer
    giving up after the channel's patience), and disruption windows opening and closing.
    """
    spec = results.spec
    t = results.tables
    frames = []

    lines = t["order_lines"]
    patience = lines["channel"].map({c: ch.patience_days for c, ch in spec.channels.items()})
    frames.append(_frame(lines["time"], lines["customer"], "order line", lines["sku"], lines["qty"],
                         lines["segment"], "order " + lines["order_id"].astype(str) + ", " + lines["channel"]
                         + ", to be served by " + lines["source"]))
    picked = lines[lines["immediate"] > 0]
    frames.append(_frame(picked["time"], picked["source"], "picked from stock", picked["sku"], picked["immediate"],
                         picked["segment"], "for " + picked["customer"]))
    short = lines[lines["qty"] > lines["immediate"]]
    frames.append(_frame(short["time"], short["source"], "backordered", short["sku"],
                         short["qty"] - short["immediate"], short["segment"],
                         "not on hand; " + short["customer"] + " waits"))
    lost = lines[lines["lost"] > 0]
    frames.append(_frame(lost["time"] + patience[lost.index], lost["source"], "customer gave up", lost["sku"],
                         lost["lost"], lost["segment"], lost["customer"] + " waited its channel's patience; sale lost"))

    ship = t["shipments"]
    frames.append(_frame(ship["time"], ship["origin"], "ship", ship["sku"], ship["qty"], ship["segment"],
                         "to " + ship["dest"] + " by " + ship["mode"] + " (" + ship["kind"] + "), due day "
                         + ship["arrival"].map(lambda v: f"{v:.2f}")))
    to_customer = ship["kind"] == "customer"
    for mask, event in ((~to_customer, "arrive"), (to_customer, "delivered")):
        part = ship[mask]
        frames.append(_frame(part["arrival"], part["dest"], event, part["sku"], part["qty"], part["segment"],
                             "from " + part["origin"]))

    reps = t["replenishments"]
    seg_of = t["stock"].drop_duplicates(["node", "sku"]).set_index(["node", "sku"])["segment"]
    rep_seg = pd.Series([seg_of.get((n, s), "") for n, s in zip(reps["node"], reps["sku"], strict=True)],
                        index=reps.index, dtype=object)
    frames.append(_frame(reps["time"], reps["node"], "reorder", reps["sku"], reps["qty"], rep_seg,
                         "from " + reps["source"] + ", inventory position was "
                         + reps["position_before"].map(lambda v: f"{v:g}")))

    prod = t["production"]
    where = prod["plant"] + "/" + prod["line"]
    changed = prod[prod["changeover_days"] > 0]
    frames.append(_frame(changed["start"], where[changed.index], "changeover", changed["sku"],
                         pd.Series(np.zeros(len(changed))), changed["segment"],
                         "switch to " + changed["family"] + " for "
                         + changed["changeover_days"].map(lambda v: f"{v:.2f}") + " days"))
    frames.append(_frame(prod["start"] + prod["changeover_days"], where, "batch started", prod["sku"], prod["qty"],
                         prod["segment"], "released day " + prod["released"].map(lambda v: f"{v:.2f}")))
    frames.append(_frame(prod["end"], where, "batch finished", prod["sku"], prod["qty"], prod["segment"],
                         "family " + prod["family"]))

    dis = t.get("disruptions")
    if dis is not None and len(dis) and {"start", "end"} <= set(dis.columns):
        target = dis["target"].astype(str) if "target" in dis else pd.Series([""] * len(dis), index=dis.index)
        kind = dis["kind"].astype(str) if "kind" in dis else pd.Series([""] * len(dis), index=dis.index)
        blank = pd.Series([""] * len(dis), index=dis.index)
        nan = pd.Series(np.full(len(dis), np.nan), index=dis.index)
        frames.append(_frame(dis["start"], target, "disruption starts", blank, nan, blank, kind))
        frames.append(_frame(dis["end"].fillna(spec.horizon_days), target, "disruption ends", blank, nan, blank,
                             kind))

    out = pd.concat([f for f in frames if len(f)], ignore_index=True) if any(len(f) for f in frames) else \
        pd.DataFrame(columns=list(TRACE_COLUMNS))
    out = out[(out["time"] >= start) & (out["time"] < end)]
    if sku is not None:
        out = out[out["sku"] == sku]
    rank = out["event"].map({e: i for i, e in enumerate(_EVENT_ORDER)})
    out = out.assign(_rank=rank).sort_values(["time", "_rank"], kind="stable").drop(columns="_rank")
    return out.reset_index(drop=True)[list(TRACE_COLUMNS)]


def clock_time(t: float, pad: bool = False) -> str:
    """Simulated time as 'day D hh:mm', the minute it falls in (cut, not rounded: an event at
    t = 1.9997 happens on day 1 at 23:59, not on day 2)."""
    m = int(np.floor(t * 1440 + 1e-6))  # + 1e-6 min: a time stored a hair below a whole minute
    return f"day {m // 1440:>3} {m % 1440 // 60:02d}:{m % 60:02d}" if pad else \
        f"day {m // 1440} {m % 1440 // 60:02d}:{m % 60:02d}"


def window_label(start: float, end: float) -> str:
    """What a trace window ``[start, end)`` covers, in the words of the trace's own clock:
    'day 2 (from day 2 00:00 to day 3 00:00)' for [2, 3]; 'days 2 to 3 (...)' for [2, 4]."""
    span = f"from {clock_time(start)} to {clock_time(end)}"
    if float(start).is_integer() and float(end).is_integer():
        first, last = int(start), int(end) - 1
        return f"{'day ' + str(first) if first == last else f'days {first} to {last}'} ({span})"
    return span


def format_trace(events: pd.DataFrame) -> str:
    """The event log as fixed-width text: clock (day and hh:mm), node, event, SKU, qty, segment, detail."""
    if len(events) == 0:
        return "(no events in this window)"
    clock = [clock_time(t, pad=True) for t in events["time"].to_numpy()]
    columns = {
        "when": clock, "node": events["node"].astype(str).tolist(), "event": events["event"].tolist(),
        "sku": events["sku"].astype(str).tolist(),
        "qty": ["" if not np.isfinite(v) or v == 0 else f"{v:g}" for v in events["qty"]],
        "segment": events["segment"].astype(str).tolist(), "detail": events["detail"].astype(str).tolist(),
    }
    widths = {name: max(len(name), *(len(v) for v in values)) for name, values in columns.items()}

    def row(cells: dict[str, str]) -> str:
        return "  ".join(v.rjust(widths[k]) if k == "qty" else v.ljust(widths[k]) for k, v in cells.items()).rstrip()

    out = [row({k: k for k in columns})]
    out += [row({k: columns[k][i] for k in columns}) for i in range(len(clock))]
    return "\n".join(out)


def write_trace(results: Results, path: str | Path) -> Path:
    """Write the event log of the spec's trace window to ``path`` as readable text."""
    window = results.spec.trace
    if window is None:
        raise ValueError("this run has no trace window: set trace=true or trace=[start,end]")
    events = event_log(results, window.start, window.end, sku=window.sku)
    out = Path(path)
    what = f" for {window.sku}" if window.sku else ""
    header = (f"# segsim event trace: {window_label(window.start, window.end)}{what}, {len(events)} events\n"
              "# time runs down the page; qty in units; segment is the segment the goods serve\n")
    out.write_text(header + format_trace(events) + "\n", encoding="utf-8")
    log.info("wrote %d trace events to %s", len(events), out)
    return out
