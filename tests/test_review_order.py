"""Periodic reviews due at the same instant run downstream first, whatever the listing order.

A two-stage serial chain under (R, S) at both DCs, R = 1 day. With the downstream DC reviewed
first, the upstream DC's review at the same instant sees the order just placed on it and passes
it on at once: each upstream order equals the downstream order of the same review (the textbook
sequencing, Clark & Scarf). Reviewed the other way round, it passes it on one period late.
"""

from __future__ import annotations

import pandas as pd

import simulator


def chain(upstream_listed_first: bool) -> dict:
    cfg = simulator.compose(["network=serial_chain", "segments=serial_chain", "horizon_days=300",
                             "warmup_days=0", "quiet=true"])
    wh = cfg["network"]["warehouses"]
    up = {"sources": ["vendor"], "replenishment": {"type": "order_up_to", "review_period": 1, "S": 12},
          "initial_stock": 8}
    down = {"sources": ["dc_up"], "replenishment": {"type": "order_up_to", "review_period": 1, "S": 6}}
    order = [("dc_up", up), ("dc", down)] if upstream_listed_first else [("dc", down), ("dc_up", up)]
    cfg["network"]["warehouses"] = dict(order)
    assert list(wh) == ["dc_up", "dc"]  # the shipped file lists upstream first
    return cfg


def test_upstream_orders_in_the_same_review_as_downstream() -> None:
    r = simulator.run(chain(upstream_listed_first=True))
    rep = r.replenishments
    up = rep[rep["node"] == "dc_up"].set_index("time")["qty"]
    down = rep[rep["node"] == "dc"].set_index("time")["qty"]
    up = up[up.index > 0]  # at time 0 the upstream DC also tops up its initial stock (8 -> 12)
    assert len(up) > 50
    pd.testing.assert_series_equal(up, down.reindex(up.index), check_names=False)


def test_listing_order_does_not_change_the_run() -> None:
    a = simulator.run(chain(upstream_listed_first=True))
    b = simulator.run(chain(upstream_listed_first=False))
    pd.testing.assert_frame_equal(a.order_lines, b.order_lines)
    pd.testing.assert_frame_equal(a.replenishments, b.replenishments)
    pd.testing.assert_frame_equal(a.kpis, b.kpis)
