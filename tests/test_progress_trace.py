"""Progress in simulated days (silenced by quiet), and the classroom event trace."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import simulator
from analysis.trace import TRACE_COLUMNS, event_log, format_trace
from simulator import ConfigError, Model, build_spec
from simulator.engine.spec import TRACE_DEFAULT_DAYS, TraceWindow

ROOT = Path(__file__).resolve().parents[1]


def _cfg(default_config: dict[str, Any], **changes: Any) -> dict[str, Any]:
    cfg = copy.deepcopy(default_config)
    cfg["horizon_days"] = 12
    cfg.update(changes)
    return cfg


def test_progress_in_days_and_quiet_silences_it(default_config: dict[str, Any],
                                                capsys: pytest.CaptureFixture[str]) -> None:
    loud = Model(build_spec(_cfg(default_config))).run()
    shown = capsys.readouterr().err
    assert "simulating: day" in shown and "/12" in shown
    quiet = Model(build_spec(_cfg(default_config, quiet=True))).run()
    assert capsys.readouterr().err == ""
    # stepping a day at a time for the bar changes nothing that happened
    for name in loud.tables:
        pd.testing.assert_frame_equal(loud.tables[name], quiet.tables[name])
    assert loud.events == quiet.events
    Model(build_spec(_cfg(default_config))).run(progress=False)
    assert capsys.readouterr().err == ""


def test_progress_steps_of_several_days_change_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    """A long run's bar moves the clock by several days a step (here 2): the same tables as without it."""
    import yaml

    cfg = yaml.safe_load((ROOT / "bench" / "b14.yaml").read_text())
    cfg["horizon_days"] = 450
    loud = Model(build_spec(copy.deepcopy(cfg))).run(progress=True)
    assert "/450" in capsys.readouterr().err
    quiet = Model(build_spec(cfg)).run(progress=False)
    for name in loud.tables:
        pd.testing.assert_frame_equal(loud.tables[name], quiet.tables[name])
    assert loud.events == quiet.events


@pytest.fixture(scope="module")
def run12(default_config: dict[str, Any]) -> simulator.Results:
    """12 days; e-commerce customers wait half a day for a backorder, so some sales are lost."""
    cfg = _cfg(default_config, quiet=True, trace=[3, 4])
    cfg["network"]["channels"]["ecommerce"]["patience_days"] = 0.5
    return simulator.run(cfg)


def test_trace_lists_the_events_of_the_window_in_time_order(run12: simulator.Results) -> None:
    assert run12.spec.trace == TraceWindow(3.0, 4.0)
    log = run12.trace(3, 4)
    assert tuple(log.columns) == TRACE_COLUMNS
    assert log["time"].between(3, 4, inclusive="left").all() and log["time"].is_monotonic_increasing
    lines = run12.order_lines
    in_window = lines[(lines["time"] >= 3) & (lines["time"] < 4)]
    orders = log[log["event"] == "order line"]
    assert len(orders) == len(in_window) > 100
    assert orders["qty"].sum() == in_window["qty"].sum()
    assert set(orders["segment"]) == {"fast", "core", "tail"}
    ship = run12.shipments
    assert (log["event"] == "ship").sum() == ((ship["time"] >= 3) & (ship["time"] < 4)).sum()
    arrivals = ship[(ship["arrival"] >= 3) & (ship["arrival"] < 4)]
    assert log["event"].isin(["arrive", "delivered"]).sum() == len(arrivals)
    reps = run12.replenishments
    assert (log["event"] == "reorder").sum() == ((reps["time"] >= 3) & (reps["time"] < 4)).sum()
    prod = run12.production
    assert (log["event"] == "batch finished").sum() == ((prod["end"] >= 3) & (prod["end"] < 4)).sum()
    # an order's own events come in the order they happen: the line, then the pick, then the shipment
    first = orders.iloc[0]
    same = log[(log["time"] == first["time"]) & (log["sku"] == first["sku"])]
    assert list(same["event"])[:3] == ["order line", "picked from stock", "ship"]


def test_trace_of_one_sku_and_lost_sales(run12: simulator.Results) -> None:
    log = event_log(run12, 0, 12, sku="CLN-01")
    assert set(log["sku"]) == {"CLN-01"} and len(log) > 0
    everything = run12.trace(0, 12)
    lines = run12.order_lines
    lost = lines[lines["lost"] > 0]
    gave_up = everything[everything["event"] == "customer gave up"]
    assert len(gave_up) == len(lost) > 0
    patience = lost["channel"].map({"retail": 10.0, "ecommerce": 0.5, "b2b": 21.0})
    assert sorted(gave_up["time"]) == pytest.approx(sorted(lost["time"] + patience))
    assert gave_up["qty"].sum() == lost["lost"].sum()
    text = format_trace(log.head(5))
    header, *rows = text.splitlines()
    assert header.split() == ["when", "node", "event", "sku", "qty", "segment", "detail"]
    assert len(rows) == 5 and all("CLN-01" in r for r in rows) and rows[0].startswith("day ")


@pytest.mark.parametrize("value, key", [([5, 2], "trace.end"), ([1, 2, 3], "trace"), ("yes", "trace"),
                                        ({"start": 1, "end": 2, "sku": "NOPE-01"}, "trace.sku"),
                                        ([0, 400], "trace.end")])
def test_bad_trace_window_is_a_config_error(default_config: dict[str, Any], value: Any, key: str) -> None:
    with pytest.raises(ConfigError) as err:
        build_spec(_cfg(default_config, horizon_days=365, trace=value))
    assert err.value.key == key


def test_trace_true_follows_the_first_days(default_config: dict[str, Any]) -> None:
    assert build_spec(_cfg(default_config, trace=True)).trace == TraceWindow(0.0, TRACE_DEFAULT_DAYS)
    assert build_spec(_cfg(default_config, trace={"start": 1, "end": 2.5, "sku": "DET-01"})).trace == \
        TraceWindow(1.0, 2.5, "DET-01")
    assert build_spec(_cfg(default_config)).trace is None


def test_cli_writes_report_and_trace_and_quiet_keeps_stderr_clean(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "simulator", "horizon_days=8", "quiet=true",
                           "trace={start: 1, end: 2, sku: CLN-01}", f"hydra.run.dir={tmp_path}"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "simulating" not in proc.stderr
    assert "INFO" not in proc.stderr and "INFO" not in proc.stdout  # quiet: no log lines, none in the tables
    assert f"report: {tmp_path / 'report.html'}" in proc.stdout
    assert f"event trace of day 1 (from day 1 00:00 to day 2 00:00): {tmp_path / 'trace.txt'}" in proc.stdout
    trace = (tmp_path / "trace.txt").read_text().splitlines()
    assert trace[0].startswith("# segsim event trace: day 1 (from day 1 00:00 to day 2 00:00) for CLN-01")
    rows = trace[3:]
    assert rows and all(" CLN-01 " in r for r in rows)
    days = {int(r.split()[1]) for r in rows}
    assert days == {1}
    assert np.isfinite(float(trace[0].split(",")[1].split()[0]))  # "<n> events"
