"""What a run observed: compact rows appended during the run, tables at the end.

Behaviour (entities) and observation (this module) are kept apart: entities call ``Recorder``
methods with plain values; nothing here changes the course of the simulation.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from simulator.engine.flow import OrderLine
    from simulator.engine.spec import Spec

SHIPMENT_COLUMNS = ("time", "origin", "dest", "mode", "sku", "qty", "kind", "segment", "cost", "co2_kg",
                    "arrival", "path", "shipment", "order", "carrier", "due")
# path: how a customer line is fulfilled (dc_pick, cross_dock, ...); shipment: the number of the shipment
# (truck, parcel) the row travelled in: the lines of one order leaving a node together share one;
# order: the customer order the row serves (0 for replenishment and raw material); carrier: who ran the
# lane; due: when the carrier promised delivery at pickup (departure + its transit for the lane; a late
# shipment arrives after it)
PRODUCTION_COLUMNS = ("plant", "line", "sku", "family", "segment", "qty", "released", "start", "end",
                      "changeover_days", "changeover_cost")
REPLENISHMENT_COLUMNS = ("time", "node", "sku", "source", "qty", "position_before")
DISRUPTION_COLUMNS = ("disruption", "kind", "target", "start", "end", "level")
SHORTAGE_COLUMNS = ("time", "supplier", "plant", "material", "open_before", "allocated", "shorted")
# finished goods taken out of stock for good; reason: outage (damaged), expired, obsolete (disposed of)
WRITE_OFF_COLUMNS = ("time", "node", "sku", "segment", "qty", "reason")
# Where every finished unit ended up, per SKU: what entered (initial + released) equals the rest.
UNIT_BALANCE_COLUMNS = ("sku", "initial", "released", "delivered", "written_off", "on_hand_end", "in_transit_end",
                        "waiting_for_truck_end")
RATIONING_COLUMNS = ("time", "node", "sku", "segment", "qty")  # stock on hand a line was denied by a level
# demand a customer did not place on a day because service failures cost goodwill (goodwill.py)
GOODWILL_COLUMNS = ("day", "customer", "channel", "segment", "goodwill", "forgone_units", "forgone_revenue")
ORDER_LINE_COLUMNS = ("line_id", "order_id", "time", "customer", "channel", "sku", "segment", "qty", "source",
                      "immediate", "shipped", "delivered", "lost", "open", "last_delivery")


# Where each order-line column comes from on a ``flow.OrderLine`` ("open" is derived: qty - shipped - lost).
ORDER_LINE_FIELDS = {"line_id": "line_id", "order_id": "order_id", "time": "created", "customer": "dest_node",
                     "channel": "channel", "sku": "sku", "segment": "segment.name", "qty": "qty", "source": "source",
                     "immediate": "immediate", "shipped": "shipped", "delivered": "delivered", "lost": "lost",
                     "last_delivery": "last_delivery"}


Row = tuple[Any, ...]  # one record row, in the order of its table's columns


# A run keeps at most about this many rows of a table as Python objects: beyond it, the rows written so far
# (for order lines: the lines that are finished) move into compact column chunks, so a large run holds each
# row once, in columns, instead of as objects and again as the table at the end.
FLUSH_ROWS = 100_000

_TABLES = (("order_lines", ORDER_LINE_COLUMNS), ("shipments", SHIPMENT_COLUMNS), ("production", PRODUCTION_COLUMNS),
           ("replenishments", REPLENISHMENT_COLUMNS), ("disruptions", DISRUPTION_COLUMNS),
           ("shortages", SHORTAGE_COLUMNS), ("write_offs", WRITE_OFF_COLUMNS), ("rationing", RATIONING_COLUMNS),
           ("goodwill", GOODWILL_COLUMNS))


@dataclass
class Recorder:
    """Row buffers for one run.

    Entities append rows (tuples in the order of the table's columns; order lines as ``OrderLine``
    objects). The buffers hold the rows not yet moved into the table's column chunks: ``compact``
    (called once a day by the model) moves them when a buffer is large, so a buffer read during a run
    holds every row only in runs of fewer than ``FLUSH_ROWS`` rows.
    """

    shipments: list[Row] = field(default_factory=list)
    production: list[Row] = field(default_factory=list)
    replenishments: list[Row] = field(default_factory=list)
    order_lines: list[OrderLine] = field(default_factory=list)
    disruptions: list[Row] = field(default_factory=list)  # one row per disruption window
    shortages: list[Row] = field(default_factory=list)  # a supplier's order left short on a day
    write_offs: list[Row] = field(default_factory=list)  # stock destroyed (a DC outage with stock_loss)
    rationing: list[Row] = field(default_factory=list)  # units held back from a line by a stock-allocation level
    goodwill: list[Row] = field(default_factory=list)  # per customer, segment and day: goodwill and demand forgone

    chunks: dict[str, list[dict[str, pd.Series]]] = field(default_factory=dict)  # rows moved out: columns
    _next_compact: dict[str, int] = field(default_factory=dict)  # buffer length that triggers the next move
    _kept: set[str] = field(default_factory=set)  # buffers read during the run: they keep every row

    def keep_rows(self, *names: str) -> None:
        """An entity reads these buffers during the run (by position, as they grow): keep every row in
        them (``compact`` leaves them alone)."""
        self._kept.update(names)

    def compact(self) -> None:
        """Move rows out of any buffer longer than ``FLUSH_ROWS`` into a column chunk of its table (for
        order lines, the finished ones: nothing will change them). Buffers are emptied in place (entities
        keep a reference to them); no row changes, and the tables list rows in the same order."""
        for name, columns in _TABLES:
            rows = getattr(self, name)
            if len(rows) < self._next_compact.get(name, FLUSH_ROWS) or name in self._kept:
                continue
            if name == "order_lines":
                done = [line for line in rows if _finished(line)]
                if done:
                    self.chunks.setdefault(name, []).append(_order_line_columns(done))
                    rows[:] = [line for line in rows if not _finished(line)]
                # lines waiting a long time stay; look again once as many new ones have come
                self._next_compact[name] = max(FLUSH_ROWS, 2 * len(rows))
            else:
                self.chunks.setdefault(name, []).append(_row_columns(rows, columns))
                rows.clear()

    def tables(self, release: bool = False) -> dict[str, pd.DataFrame]:
        """The rows as DataFrames. ``release``: hand each chunk's columns over to the table as it is
        built and empty the row buffers, so a large run never holds its rows twice (the model's run
        ends with this): a table is joined column by column, each chunk's column freed once copied."""
        out = {}
        for name, columns in _TABLES:
            rows = getattr(self, name)
            parts = self.chunks.pop(name, []) if release else list(self.chunks.get(name, []))
            if rows or not parts:
                parts.append(_order_line_columns(rows) if name == "order_lines" else _row_columns(rows, columns))
            if release:
                rows.clear()
            joined = {}
            for column in ORDER_LINE_COLUMNS if name == "order_lines" else columns:
                pieces = [part.pop(column) if release else part[column] for part in parts]
                joined[column] = pieces[0] if len(pieces) == 1 else pd.concat(pieces, ignore_index=True)
                del pieces
            if name == "order_lines" and len(parts) > 1:  # finished lines moved first: back to the placing order
                ids = joined["line_id"].to_numpy()
                if (ids[1:] < ids[:-1]).any():
                    order = np.argsort(ids, kind="stable")
                    for column, values in joined.items():
                        joined[column] = pd.Series(values.array.take(order), name=column)
            out[name] = pd.DataFrame(joined, copy=False)
            if release and len(parts) > 1:
                del parts, joined
                give_back_freed_memory()  # the chunks just freed, before the next table is joined
        return out


def _malloc_trim() -> Callable[[int], int] | None:
    try:  # glibc (Linux); other C libraries have no malloc_trim
        trim: Callable[[int], int] = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None
    return trim


_TRIM = _malloc_trim()


def give_back_freed_memory() -> None:
    """Hand memory that Python and numpy have freed back to the operating system (glibc's ``malloc_trim``;
    nothing elsewhere). The C library otherwise keeps freed blocks for the process, and the large arrays
    of the steps that follow (the next table, the KPI table) take fresh memory on top of them: a large
    run calls this once its row chunks are joined into tables and once its model is freed."""
    if _TRIM is not None:
        _TRIM(0)


def _finished(line: OrderLine) -> bool:
    """Nothing more can happen to the line: no unit still to ship, every shipped unit delivered. (A
    feature that changes a line after its last delivery, e.g. a return, extends this test.)"""
    return line.open <= 0 and line.delivered >= line.shipped


def _order_line_columns(lines: list[OrderLine]) -> dict[str, pd.Series]:
    """The order-line table's columns, read column by column from the line objects, each column with its
    known type. Building a row tuple per line first and letting pandas infer every cell's type took
    ~0.04 s more on B14's 36,500 lines (mostly cycle-collector passes over the new tuples)."""
    columns: dict[str, Any] = {}
    for column, field_name in ORDER_LINE_FIELDS.items():
        values = list(map(attrgetter(field_name), lines))
        columns[column] = pd.array(np.array(values, dtype=object), dtype="str") if column in _TEXT \
            else np.array(values, dtype=np.int64 if column in ("line_id", "order_id") else float)
    columns["open"] = columns["qty"] - columns["shipped"] - columns["lost"]
    return {c: pd.Series(columns[c], name=c, copy=False) for c in ORDER_LINE_COLUMNS}


def _row_columns(rows: list[Row], columns: tuple[str, ...]) -> dict[str, pd.Series]:
    """A table's rows as its columns, each holding its own memory (pandas infers each column's type from
    the rows; a frame keeps same-type columns in one block, which one column left alive would keep)."""
    frame = pd.DataFrame(rows, columns=list(columns))
    return {c: frame[c].copy() for c in columns}


_TEXT = frozenset({"customer", "channel", "sku", "segment", "source"})


class Ledger:
    """Counts of finished goods by where they are, for flow-conservation checks.

    ``released``: units that entered the network from a line or an outside supplier;
    ``in_transit``: on a carrier now (or waiting at a closed dock); ``delivered``: received by customers;
    ``written_off``: destroyed (a DC outage that damages stock).
    """

    def __init__(self) -> None:
        self.released: defaultdict[str, float] = defaultdict(float)
        self.in_transit: defaultdict[str, float] = defaultdict(float)
        self.delivered: defaultdict[str, float] = defaultdict(float)
        self.initial: defaultdict[str, float] = defaultdict(float)
        self.written_off: defaultdict[str, float] = defaultdict(float)  # destroyed in a DC outage


class DailyStock:
    """End-of-day stock per stocking point (node x SKU): on hand, backorders and on order.

    Taken at the start of each day before anything else happens that day, so row ``day=d``
    is the state at the end of day ``d-1`` (the convention of periodic inventory models).
    """

    def __init__(self, n_days: int, keys: list[tuple[str, str, str]]) -> None:
        self.keys = keys  # (node, sku, segment)
        self.on_hand = np.zeros((n_days, len(keys)))
        self.backorders = np.zeros((n_days, len(keys)))
        self.on_order = np.zeros((n_days, len(keys)))
        self.days = 0

    def record(self, changed: list[int], on_hand: list[float], backorders: list[float], on_order: list[float]
               ) -> None:
        """The day's reading: the points at positions ``changed`` read these values; every other point
        is as at the day before (the first reading lists every point)."""
        d = self.days
        if d < self.on_hand.shape[0]:
            for log, values in ((self.on_hand, on_hand), (self.backorders, backorders), (self.on_order, on_order)):
                if d > 0:
                    log[d] = log[d - 1]
                log[d, changed] = values
            self.days += 1

    def table(self, release: bool = False) -> pd.DataFrame:
        """The readings as a long table (day, node, sku, segment, on_hand, backorders, on_order).
        The number columns share memory with the readings (no copy: on a large network this table is
        the biggest thing a run makes); ``release`` hands the readings over to the table."""
        n, k = self.days, len(self.keys)
        # Names repeat every day: store them as categoricals (codes tiled per day), not as strings.
        names = {}
        for i, col in enumerate(("node", "sku", "segment")):
            cat = pd.Categorical([key[i] for key in self.keys])
            names[col] = pd.Categorical.from_codes(np.tile(cat.codes, n), cat.categories)
        table = pd.DataFrame({
            "day": np.repeat(np.arange(1, n + 1, dtype=np.int32), k), **names,
            "on_hand": self.on_hand[:n].ravel(), "backorders": self.backorders[:n].ravel(),
            "on_order": self.on_order[:n].ravel(),
        }, copy=False)
        if release:
            self.on_hand = self.backorders = self.on_order = np.zeros((0, k))
        return table


class RunRecord:
    """What one run wrote: its spec, its record tables, and how long it took.

    The tables a planner reads most are attributes (``order_lines``, ``shipments``, ``production``,
    ``replenishments``, ``stock``, ``disruptions``, ``shortages``); every table, including those only
    some runs write (``forecasts``, ``alerts``, ...), is in ``tables`` by name.
    """

    def __init__(self, spec: Spec, tables: dict[str, pd.DataFrame], *, wall_seconds: float, events: int) -> None:
        self.spec = spec
        self.tables = tables
        self.wall_seconds = wall_seconds
        self.events = events

    def _table(self, name: str) -> pd.DataFrame:
        try:
            return self.tables[name]
        except KeyError:
            raise LookupError(f"this run wrote no {name!r} table (it has: {', '.join(sorted(self.tables))})") from None

    @property
    def order_lines(self) -> pd.DataFrame:
        """One row per customer order line: what was asked, shipped, delivered and lost."""
        return self._table("order_lines")

    @property
    def shipments(self) -> pd.DataFrame:
        """One row per shipment on a lane (replenishment, customer delivery, transfer)."""
        return self._table("shipments")

    @property
    def production(self) -> pd.DataFrame:
        """One row per production batch on a line."""
        return self._table("production")

    @property
    def replenishments(self) -> pd.DataFrame:
        """One row per replenishment order a stock point placed."""
        return self._table("replenishments")

    @property
    def stock(self) -> pd.DataFrame:
        """End-of-day stock, backorders and on-order per DC and SKU."""
        return self._table("stock")

    @property
    def disruptions(self) -> pd.DataFrame:
        """One row per disruption window (what was down, from when to when, how badly)."""
        return self._table("disruptions")

    @property
    def shortages(self) -> pd.DataFrame:
        """One row per supplier order left short on a day (raw-material allocation under shortage)."""
        return self._table("shortages")

    @property
    def forecasts(self) -> pd.DataFrame:
        """Runs that forecast: each day's statistical and consensus forecast beside the actual demand."""
        return self._table("forecasts")

    @property
    def forecast_overrides(self) -> pd.DataFrame:
        """Runs that forecast: the audit trail of every consensus override applied."""
        return self._table("forecast_overrides")

    @property
    def alerts(self) -> pd.DataFrame:
        """Runs that forecast: one row per alert episode (projected stockout, forecast deviation, line load)."""
        return self._table("alerts")
