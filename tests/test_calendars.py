"""Shift calendars, overtime, crews, tools and planning modes of lines.

The base case (tests/configs/shift_line.yaml) is a make-to-order line always loaded: 40 unit orders a
day against 20 units a day of capacity around the clock. Expected values come from the calendar
arithmetic (hours on shift x units per hour), never from a run."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

import simulator
from analysis.shopfloor import labour_table, promise_table
from simulator.engine.errors import ConfigError
from tests.conftest import load_config
from tests.stats import assert_covers

PER_DAY = 20.0  # units a day around the clock (unit_time 0.05)


def run(calendar: dict[str, Any] | None = None, **changes: Any) -> simulator.Results:
    cfg = load_config("shift_line", **changes)
    if calendar is not None:
        cfg["network"]["plants"]["works"]["calendar"] = calendar
    return simulator.run(cfg)


def made_by(r: simulator.Results, day: float) -> int:
    return int(r.production.loc[r.production["end"] <= day + 1e-6, "qty"].sum())


def windows(r: simulator.Results, line: str = "L1") -> pd.DataFrame:
    s = r.tables["shifts"]
    return s[s["line"] == line].sort_values("start")


def overlaps(intervals: pd.DataFrame) -> bool:
    """True if any two of the [start, end) intervals overlap."""
    iv = intervals.sort_values("start")
    return bool((iv["start"].to_numpy()[1:] < iv["end"].to_numpy()[:-1] - 1e-9).any())


def test_eight_hour_shift_has_a_third_of_the_capacity_exactly() -> None:
    """Deterministic unit times: by day 30 the 24-hour line made 30 x 20 units, the 8-hour line a third."""
    full, shift = run(), run({"hours_per_day": 8})
    assert made_by(full, 30) == 30 * PER_DAY
    assert made_by(shift, 30) == 30 * PER_DAY / 3
    # nothing is made off shift: every unit ends inside a shift window [d, d + 1/3]
    ends = shift.production["end"].to_numpy()
    assert ((ends - np.floor(ends - 1e-9)) <= 1 / 3 + 1e-9).all()


def test_working_days_and_holidays() -> None:
    """5 working days a week and a holiday on day 2: 21 of the first 30 days are worked."""
    r = run({"hours_per_day": 8, "days_per_week": 5, "holidays": [2]})
    worked = [d for d in range(30) if d % 7 < 5 and d != 2]
    assert made_by(r, 30) == len(worked) * PER_DAY / 3
    assert set(np.floor(windows(r)["start"]).astype(int)) & set(range(31)) == {d for d in range(31)
                                                                               if d % 7 < 5 and d != 2}


def test_eight_hour_throughput_within_ci_under_exponential_times() -> None:
    """Exponential unit times (mean 0.05 day): a line always loaded finishes 20/3 units per day on an
    8-hour shift (Poisson completions at 20 per shift-day, paused between shifts)."""
    rates = []
    for seed in range(8):
        r = run({"hours_per_day": 8}, seed=seed, horizon_days=61,
                **{"network.plants.works.lines.L1.unit_time": {"dist": "exponential", "mean": 0.05}})
        end = r.production["end"]
        rates.append(float(r.production.loc[(end > 10) & (end <= 60), "qty"].sum() / 50))
    assert_covers(rates, PER_DAY / 3, "8-hour line throughput per day")


def test_overtime_up_to_its_cap_and_its_cost() -> None:
    """A line always loaded works its 4-hour overtime cap every day: 12 hours of capacity, and
    4 h x 30 per hour of overtime cost a day."""
    r = run({"hours_per_day": 8, "overtime": {"max_hours_per_day": 4, "cost_per_hour": 30}})
    assert made_by(r, 30) == 30 * PER_DAY / 2
    labour = labour_table(r.tables["shifts"], r.tables["line_work"], 0.0, 30.0)
    total = labour[labour["segment"] == "all"].iloc[0]
    assert total["shift_hours"] == pytest.approx(30 * 8)
    assert total["worked_hours"] == pytest.approx(30 * 8)
    assert total["overtime_hours"] == pytest.approx(30 * 4)
    assert total["overtime_cost"] == pytest.approx(30 * 4 * 30)
    seg = labour[labour["segment"] == "only"].iloc[0]
    assert seg["overtime_hours"] == pytest.approx(30 * 4)


def test_overtime_never_beyond_its_cap_and_only_while_there_is_work() -> None:
    """Random load near the shift's capacity: overtime windows are at most the cap, some end early
    (the line ran out of work), and the line starts work only on shift or in overtime."""
    r = run({"hours_per_day": 8, "overtime": {"max_hours_per_day": 3, "cost_per_hour": 30}}, horizon_days=200,
            **{"network.customers.shop": {"channel": "store", "served_from": ["dc"], "orders_per_day": 7.5,
                                          "qty": 1, "families": ["alpha"]},
               "network.plants.works.lines.L1.unit_time": {"dist": "exponential", "mean": 0.05}})
    w = windows(r)
    ot = w[w["kind"] == "overtime"]
    hours = (ot["end"] - ot["start"]) * 24
    assert len(ot) > 20 and hours.max() <= 3 + 1e-9 and (hours < 3 - 1e-6).any()
    assert np.allclose(ot["cost"], hours * 30)
    work = r.tables["line_work"]
    inside = np.zeros(len(work), bool)
    for a, b in zip(w["start"], w["end"], strict=True):
        inside |= (work["start"].to_numpy() >= a - 1e-9) & (work["start"].to_numpy() < b)
    assert inside.all()


def two_lines(cfg: dict[str, Any]) -> dict[str, Any]:
    cfg["network"]["plants"]["works"]["lines"]["L2"] = {"families": ["alpha", "beta"], "unit_time": 0.05}
    return cfg


def test_tool_held_by_one_line_at_a_time() -> None:
    """Two lines make alpha; its mould exists once: from the tool records and independently from the
    production records, no two lines ever make alpha at the same time (without the tool they do)."""
    free = simulator.run(two_lines(load_config("shift_line")))
    alpha = free.production[free.production["family"] == "alpha"]
    assert overlaps(alpha[["start", "end"]])  # the check can fail: two lines overlap without the tool
    cfg = two_lines(load_config("shift_line"))
    cfg["network"]["tools"] = {"mould": {"families": ["alpha"]}}
    r = simulator.run(cfg)
    use = r.tables["tool_use"]
    assert set(use["line"]) == {"L1", "L2"} and not overlaps(use[["start", "end"]])
    alpha = r.production[r.production["family"] == "alpha"]
    assert not overlaps(alpha[["start", "end"]])
    assert made_by(r, 30) == 30 * PER_DAY  # one line's worth, not two


def test_crew_staffs_one_line_at_a_time() -> None:
    cfg = two_lines(load_config("shift_line"))
    works = cfg["network"]["plants"]["works"]
    works["crews"] = {"team": 1}
    for line in works["lines"].values():
        line["crew"] = "team"
    r = simulator.run(cfg)
    assert not overlaps(r.tables["line_work"][["start", "end"]])
    assert made_by(r, 30) == 30 * PER_DAY
    works["crews"]["team"] = 2
    both = simulator.run(cfg)
    # two crews: both lines run (orders arrive just fast enough for two lines)
    assert overlaps(both.tables["line_work"][["start", "end"]]) and made_by(both, 30) >= 2 * 30 * PER_DAY - 5


def test_finite_capacity_promise_is_the_queue_and_planned_is_constant() -> None:
    """Deterministic unit times, first come first served, no transit: the work ahead on the line when
    the order arrives is exactly its lead time; the planned mode promises the plant's constant 3 days."""
    changes = {"network.customers.shop": {"channel": "store", "served_from": ["dc"], "orders_per_day": 14,
                                          "qty": 1, "families": ["alpha"]}, "horizon_days": 100}
    r = simulator.run(load_config("shift_line", **changes, **{"segments.only.planning": "finite_capacity"}))
    p = r.tables["promises"].merge(r.order_lines, on="line_id")
    done = p[p["delivered"] == 1]
    assert len(done) > 1000 and done["promised_days"].std() > 0.01
    assert np.allclose(done["promised_days"], done["last_delivery"] - done["time_y"], atol=1e-6)
    kpis = promise_table(r.order_lines, r.tables["promises"])
    assert kpis["on_time_to_promise"].iloc[0] >= (len(done) - 0.5) / len(p)
    planned = simulator.run(load_config("shift_line", **changes, **{"segments.only.planning": "planned_lead_time"}))
    assert (planned.tables["promises"]["promised_days"] == 3.0).all()


@pytest.mark.parametrize(("key", "value", "where"), [
    ("network.plants.works.lines.L1.crew", "nobody", "network.plants.works.lines.L1.crew"),
    ("network.plants.works.calendar", {"hours_per_day": 20, "overtime": {"max_hours_per_day": 6}},
     "network.plants.works.calendar.overtime.max_hours_per_day"),
    ("network.plants.works.calendar", {"hours_per_day": 25}, "network.plants.works.calendar.hours_per_day"),
    ("network.plants.works.calendar", {"hours_per_day": 8, "days_per_week": 8},
     "network.plants.works.calendar.days_per_week"),
    ("network.plants.works.calendar", {"hours_per_day": 8, "holidays": [-1]},
     "network.plants.works.calendar.holidays"),
    ("network.tools", {"m": {"families": ["gamma"]}}, "network.tools.m.families"),
    ("network.tools", {"m": {"families": ["alpha"]}, "n": {"families": ["alpha"]}}, "network.tools.n.families"),
    ("segments.only.planning", "infinite", "segments.only.planning"),
])
def test_shop_config_errors(key: str, value: Any, where: str) -> None:
    with pytest.raises(ConfigError) as err:
        simulator.build_spec(load_config("shift_line", **{key: value}))
    assert err.value.key.startswith(where)


def test_labour_table_from_hand_made_windows() -> None:
    """Pure function of the tables: an 8-hour shift [0, 1/3) with overtime to half past noon (4 h at 30
    an hour); segment a works from 04:48 to 10:48 (3.2 h on shift, 2.8 h overtime), segment b from
    00:00 to 02:24 (2.4 h on shift)."""
    shifts = pd.DataFrame([("p", "L", "shift", 0.0, 1 / 3, 0.0), ("p", "L", "overtime", 1 / 3, 0.5, 120.0)],
                          columns=["plant", "line", "kind", "start", "end", "cost"])
    work = pd.DataFrame([("p", "L", "a", 0.2, 0.45), ("p", "L", "b", 0.0, 0.1)],
                        columns=["plant", "line", "segment", "start", "end"])
    t = labour_table(shifts, work, 0.0, 1.0).set_index("segment")
    assert t.loc["a", "worked_hours"] == pytest.approx(3.2) and t.loc["a", "overtime_hours"] == pytest.approx(2.8)
    assert t.loc["a", "overtime_cost"] == pytest.approx(2.8 * 30)
    assert t.loc["b", "worked_hours"] == pytest.approx(2.4) and t.loc["b", "overtime_hours"] == 0
    assert t.loc["all", "worked_hours"] == pytest.approx(5.6) and t.loc["all", "shift_hours"] == pytest.approx(8)
    assert t.loc["all", "overtime_hours"] == pytest.approx(4) and t.loc["all", "overtime_cost"] == pytest.approx(120)
    # from day 0.25 on (a warm-up): only what lies after it counts
    late = labour_table(shifts, work, 0.25, 1.0).set_index("segment")
    assert late.loc["a", "worked_hours"] == pytest.approx(2.0) and late.loc["all", "shift_hours"] == pytest.approx(2)
