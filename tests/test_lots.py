"""The lot ledger and the finance arithmetic without a simulation: issue order (FIFO, FEFO), lazy
picking, expiry, outage damage, age buckets, and the reserve from the age buckets."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.ageing import finance_table
from simulator.engine.ageing_rules import InventoryRules
from simulator.engine.lots import LotBook, pieces_age, pieces_units


def test_fifo_takes_oldest_receipt_first() -> None:
    book = LotBook()
    book.add(0.0, 0.0, 10)
    book.add(3.0, 3.0, 10)
    assert book.take(15) == [(0.0, 10), (3.0, 5)]
    assert book.lots == [[3.0, 3.0, 5]] and book.total == 5


def test_fefo_issues_earliest_expiry_even_if_received_later() -> None:
    """A lot received on day 5 but born on day 1 (repositioned from another DC) leaves before a lot
    received on day 4 born on day 4; FIFO would issue the day-4 receipt first."""
    fefo, fifo = LotBook(fefo=True, shelf_life=20), LotBook(fefo=False, shelf_life=20)
    for book in (fefo, fifo):
        book.add(4.0, 4.0, 10)
        book.add(1.0, 5.0, 10)
    assert fefo.take(10) == [(1.0, 10)]
    assert fifo.take(10) == [(4.0, 10)]


def test_lazy_sync_equals_eager_picks() -> None:
    """Picking 5 then 3 leaves the same lots as one look at the end (picks take the front)."""
    eager, lazy = LotBook(), LotBook()
    for book in (eager, lazy):
        book.add(0.0, 0.0, 6)
        book.add(2.0, 2.0, 6)
    eager.take(5)
    eager.take(3)
    picked = lazy.sync(on_hand=4, now=9.0)
    assert lazy.lots == eager.lots == [[2.0, 2.0, 4]]
    assert pieces_units(picked) == 8 and pieces_age(picked, 9.0) == 6 * 9 + 2 * 7


def test_sync_books_unannounced_stock_as_new() -> None:
    book = LotBook()
    book.add(0.0, 0.0, 5)
    assert book.sync(on_hand=8, now=3.0) == []
    assert book.lots == [[0.0, 0.0, 5], [3.0, 3.0, 3]]


def test_expiry_removes_exactly_the_lots_past_their_shelf_life() -> None:
    book = LotBook(shelf_life=10)
    book.add(0.0, 0.0, 4)
    book.add(2.0, 2.0, 6)
    assert book.next_expiry() == 10
    assert book.expired(9.99) == []
    assert book.expired(10.0) == [(0.0, 4)]
    assert book.total == 6 and book.next_expiry() == 12


def test_outage_damage_strikes_every_lot_alike() -> None:
    book = LotBook()
    book.add(0.0, 0.0, 30)
    book.add(5.0, 5.0, 10)
    taken = book.take_share(10)
    assert taken == [(0.0, pytest.approx(7.5)), (5.0, pytest.approx(2.5))]
    assert book.total == pytest.approx(30)


def test_age_profile_buckets_and_mean() -> None:
    book = LotBook()
    book.add(0.0, 0.0, 10)  # age 100 at day 100: oldest bucket
    book.add(50.0, 50.0, 20)  # age 50: 30-60
    book.add(95.0, 95.0, 30)  # age 5: 0-30
    units, age_sum, buckets = book.age_profile(100.0, [30, 60, 90])
    assert units == 60 and age_sum == 10 * 100 + 20 * 50 + 30 * 5
    assert buckets == [30, 20, 0, 10]


def test_issue_order_defaults_to_fefo_where_a_shelf_life_is_set() -> None:
    rules = InventoryRules(shelf_life={"A": 30.0})
    assert rules.fefo("A") and not rules.fefo("B")
    assert InventoryRules(shelf_life={"A": 30.0}, issue="fifo").fefo("A") is False
    assert rules.bucket_names() == ["age_0_30", "age_30_60", "age_60_90", "age_90_plus"]


def test_reserve_is_bucket_value_times_rate_on_owned_stock_only() -> None:
    """Two stock points at one month's end: owned P1 (cost 2) and consigned P2 (cost 5)."""
    buckets = ["age_0_30", "age_30_plus"]
    stock_age = pd.DataFrame([
        (1, "dc", "P1", "s", 100.0, 20.0, 60.0, 40.0),
        (1, "dc", "P2", "s", 10.0, 40.0, 0.0, 10.0),
    ], columns=["day", "node", "sku", "segment", "on_hand", "avg_age_days", *buckets])
    ownership = pd.DataFrame([("dc", "P1", "s", "owned"), ("dc", "P2", "s", "consignment")],
                             columns=["node", "sku", "segment", "ownership"])
    events = pd.DataFrame(columns=["time", "node", "sku", "segment", "event", "qty", "avg_age_days", "value",
                                   "salvage", "dest"])
    out = finance_table({"stock_age": stock_age, "ownership": ownership, "lot_events": events},
                        unit_cost=pd.Series({"P1": 2.0, "P2": 5.0}), holding_rate=0.365, horizon=1.0,
                        buckets=buckets, reserve_rates=[0.1, 0.5])
    row = out.iloc[0]
    assert row["owned_value"] == 200 and row["consigned_value"] == 50
    assert row["value_age_0_30"] == 120 and row["value_age_30_plus"] == 80  # owned stock only
    assert row["reserve"] == pytest.approx(0.1 * 120 + 0.5 * 80)
    assert row["owned_holding_cost"] == pytest.approx(200 * 0.365 / 365)
    assert row["consigned_holding_cost"] == pytest.approx(50 * 0.365 / 365)
    assert row["avg_stock_age_days"] == pytest.approx((100 * 20 + 10 * 40) / 110)
