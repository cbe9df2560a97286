"""The trace's label and its window agree, and its clock never moves an event into the next day
(issue 12, item 8)."""

from __future__ import annotations

import pandas as pd

from analysis.trace import TRACE_COLUMNS, clock_time, format_trace, window_label


def test_window_label_says_which_days_are_traced() -> None:
    assert window_label(2, 3) == "day 2 (from day 2 00:00 to day 3 00:00)"
    assert window_label(2, 4) == "days 2 to 3 (from day 2 00:00 to day 4 00:00)"
    assert window_label(1, 2.5) == "from day 1 00:00 to day 2 12:00"


def test_clock_cuts_to_the_minute_an_event_falls_in() -> None:
    assert clock_time(1.9997) == "day 1 23:59"  # 23:59:34 on day 1, not day 2 00:00
    assert clock_time(2.0) == "day 2 00:00" and clock_time(2.0 - 1e-12) == "day 2 00:00"
    events = pd.DataFrame([[1.9997, "dc_north", "ship", "CLN-01", 5.0, "fast", ""]], columns=list(TRACE_COLUMNS))
    assert format_trace(events).splitlines()[1].startswith("day   1 23:59")
