"""Lost sales (``patience_days: 0``): a line that finds no stock is lost at once, never reordered.

One-for-one base stock with lost sales, Poisson unit demand and a fixed lead time is the Erlang
loss system: the units on order are the busy servers of an M/G/S/S queue, so the share of demand
lost is Erlang's B(S, a) with offered load a = demand rate x lead time (whatever the lead-time
distribution).
"""

from __future__ import annotations

import simulator
from tests.conftest import load_config, replicate_runs
from tests.stats import assert_covers

RATE, LEAD, S = 4.0, 2.0, 8


def erlang_b(servers: int, load: float) -> float:
    """Erlang's loss formula by its recursion B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1))."""
    b = 1.0
    for k in range(1, servers + 1):
        b = load * b / (k + load * b)
    return b


def _config() -> dict:
    cfg = load_config("single_stage")
    net = cfg["network"]
    net["integer_units"] = True
    net["lanes"][0]["lead_time"] = LEAD
    net["channels"]["store"] = {"patience_days": 0}
    net["customers"]["shop"] = {"channel": "store", "served_from": ["dc"], "orders_per_day": RATE,
                                "lines_per_order": 1, "qty": 1}
    cfg["segments"]["only"]["policies"] = {"replenishment": {"type": "base_stock", "S": S}}
    return cfg


def test_lost_sales_never_reordered_position_stays_at_s() -> None:
    cfg = _config()
    cfg.update(horizon_days=400, warmup_days=0, seed=3)
    r = simulator.run(cfg)
    lost = r.order_lines[r.order_lines["lost"] > 0]
    assert len(lost) > 20  # the case does lose sales
    # no replenishment is ordered at the moment a line is lost (one-for-one reorders only what sold)
    assert not set(r.replenishments["time"]) & set(lost["time"])
    # the inventory position (on hand - backorders + on order) never exceeds S at any day's end
    stock = r.stock
    assert (stock["on_hand"] - stock["backorders"] + stock["on_order"] <= S + 1e-9).all()


def test_lost_sales_base_stock_matches_erlang_loss() -> None:
    runs = replicate_runs(_config(), 8, horizon=2100.0, warmup=100.0)
    lost_share = []
    for r in runs:
        lines = r.order_lines[r.order_lines["time"] >= r.spec.warmup_days]
        lost_share.append(float(lines["lost"].sum() / lines["qty"].sum()))
    assert_covers(lost_share, erlang_b(S, RATE * LEAD), "share of demand lost (Erlang B)")
