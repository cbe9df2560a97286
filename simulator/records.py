"""What a run observed: compact rows appended during the run, tables at the end.

Behaviour (entities) and observation (this module) are kept apart: entities call ``Recorder``
methods with plain values; nothing here changes the course of the simulation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import attrgetter

import numpy as np
import pandas as pd

SHIPMENT_COLUMNS = ("time", "origin", "dest", "mode", "sku", "qty", "kind", "segment", "cost", "co2_kg",
                    "arrival", "path")  # path: how a customer line is fulfilled (dc_pick, cross_dock, ...)
PRODUCTION_COLUMNS = ("plant", "line", "sku", "family", "segment", "qty", "released", "start", "end",
                      "changeover_days", "changeover_cost")
REPLENISHMENT_COLUMNS = ("time", "node", "sku", "source", "qty", "position_before")
DISRUPTION_COLUMNS = ("disruption", "kind", "target", "start", "end", "level")
SHORTAGE_COLUMNS = ("time", "supplier", "plant", "material", "open_before", "allocated", "shorted")
ORDER_LINE_COLUMNS = ("line_id", "order_id", "time", "customer", "channel", "sku", "segment", "qty", "source",
                      "immediate", "shipped", "delivered", "lost", "open", "last_delivery")


class OrderLine:
    """One line of a customer order and what became of it (filled, shipped, delivered, lost)."""

    __slots__ = ("line_id", "order_id", "time", "customer", "channel", "sku", "segment", "qty", "source",
                 "immediate", "shipped", "delivered", "lost", "last_delivery")

    def __init__(self, line_id: int, order_id: int, time: float, customer: str, channel: str, sku: str,
                 segment: str, qty: float) -> None:
        self.line_id = line_id
        self.order_id = order_id
        self.time = time
        self.customer = customer
        self.channel = channel
        self.sku = sku
        self.segment = segment
        self.qty = qty
        self.source = ""
        self.immediate = 0.0  # filled from stock on hand the moment the order arrived
        self.shipped = 0.0
        self.delivered = 0.0
        self.lost = 0.0  # backordered units given up after the channel's patience
        self.last_delivery = float("nan")

    @property
    def open(self) -> float:
        """Units still on backorder."""
        return self.qty - self.shipped - self.lost


@dataclass
class Recorder:
    """Row buffers for one run."""

    shipments: list[tuple] = field(default_factory=list)
    production: list[tuple] = field(default_factory=list)
    replenishments: list[tuple] = field(default_factory=list)
    order_lines: list[OrderLine] = field(default_factory=list)
    disruptions: list[tuple] = field(default_factory=list)  # one row per disruption window
    shortages: list[tuple] = field(default_factory=list)  # a supplier's order left short on a day

    def tables(self, release: bool = False) -> dict[str, pd.DataFrame]:
        """The rows as DataFrames. ``release``: empty each row buffer as soon as its table is built,
        so a large run does not hold every row twice (the model's run ends with this)."""
        row = attrgetter(*ORDER_LINE_COLUMNS)
        out = {}
        for name, columns in (("order_lines", ORDER_LINE_COLUMNS), ("shipments", SHIPMENT_COLUMNS),
                              ("production", PRODUCTION_COLUMNS), ("replenishments", REPLENISHMENT_COLUMNS),
                              ("disruptions", DISRUPTION_COLUMNS), ("shortages", SHORTAGE_COLUMNS)):
            rows = getattr(self, name)
            out[name] = pd.DataFrame([row(x) for x in rows] if name == "order_lines" else rows,
                                     columns=list(columns))
            if release:
                rows.clear()
        return out


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

    def record(self, on_hand: list[float], backorders: list[float], on_order: list[float]) -> None:
        d = self.days
        if d < self.on_hand.shape[0]:
            self.on_hand[d] = on_hand
            self.backorders[d] = backorders
            self.on_order[d] = on_order
            self.days += 1

    def table(self) -> pd.DataFrame:
        n, k = self.days, len(self.keys)
        # Names repeat every day: store them as categoricals (codes tiled per day), not as strings.
        names = {}
        for i, col in enumerate(("node", "sku", "segment")):
            cat = pd.Categorical([key[i] for key in self.keys])
            names[col] = pd.Categorical.from_codes(np.tile(cat.codes, n), cat.categories)
        return pd.DataFrame({
            "day": np.repeat(np.arange(1, n + 1), k), **names,
            "on_hand": self.on_hand[:n].ravel(), "backorders": self.backorders[:n].ravel(),
            "on_order": self.on_order[:n].ravel(),
        })
