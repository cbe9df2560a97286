"""The record of a run (run.json), planning_parameters.csv, and ``python -m analysis.diff``."""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import simulator
from analysis.diff import diff_runs, main
from simulator.app.cli import run_job

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The default company twice over 20 days, differing in one key: the annual holding rate."""
    base = simulator.compose(["horizon_days=20", "quiet=true"])
    a, b = tmp_path_factory.mktemp("run_a"), tmp_path_factory.mktemp("run_b")
    run_job(base, a, echo=False, report=False)
    run_job(dict(base, network=dict(base["network"], holding_rate=0.30)), b, echo=False, report=False)
    return a, b


def test_diff_names_the_one_key_and_what_it_moved(two_runs: tuple[Path, Path]) -> None:
    keys, kpis = diff_runs(*two_runs)
    assert keys.to_dict("records") == [{"key": "network.holding_rate", "a": 0.25, "b": 0.30}]
    k = kpis.set_index(["segment", "kpi"])
    for seg in ("fast", "core", "tail", "ALL"):
        # same seed, same flows: only the holding cost (and what adds it up) moves, in proportion to the rate
        assert k.loc[(seg, "fill_rate"), "diff"] == 0 and k.loc[(seg, "demand_units"), "diff"] == 0
        assert k.loc[(seg, "holding_cost"), "b"] == pytest.approx(k.loc[(seg, "holding_cost"), "a"] * 0.30 / 0.25)
        assert k.loc[(seg, "cost_to_serve"), "diff"] == pytest.approx(k.loc[(seg, "holding_cost"), "diff"])


def test_diff_command_prints_keys_and_kpis(two_runs: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    main([str(p) for p in two_runs])
    out = capsys.readouterr().out
    assert "config: 1 key(s) differ" in out and "network.holding_rate" in out
    assert "holding_cost" in out and "fill_rate" not in out.split("B - A:")[1]


def test_diff_of_a_folder_that_is_no_run_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main([str(tmp_path), str(tmp_path)])
    assert exit_.value.code == 2 and "no config.json" in capsys.readouterr().err


def test_run_json_records_what_ran(two_runs: tuple[Path, Path]) -> None:
    a, _ = two_runs
    info = json.loads((a / "run.json").read_text())
    config = json.loads((a / "config.json").read_text())
    assert info["config_hash"] == hashlib.sha256(json.dumps(config, sort_keys=True, default=str).encode()
                                                 ).hexdigest()[:16]
    assert info["segsim_version"] == simulator.__version__
    assert info["git_revision"] is None or len(info["git_revision"].removesuffix("-dirty")) == 40
    assert set(info["segments"]) == {"hash"} and info["input_files"] == {}  # default segments carry no version


def test_run_json_records_segment_approval_and_input_files(tmp_path: Path) -> None:
    config = simulator.compose(["network=vela_europe", "segments=vela_europe", "horizon_days=3", "quiet=true"])
    results = simulator.run(config)
    info = json.loads((results.write(tmp_path, config) / "run.json").read_text())
    assert info["segments"]["version"] == "2026.2" and info["segments"]["approved_on"] == "2026-11-02"
    assert info["segments"]["approved_by"] == "S&OP steering committee"
    book = ROOT / "data" / "vela_europe.xlsx"
    assert info["input_files"] == {"data/vela_europe.xlsx": hashlib.sha256(book.read_bytes()).hexdigest()}
    other = dict(config, segments=dict(config["segments"]))
    other["segments"]["tail"] = dict(other["segments"]["tail"], priority=4)
    assert simulator.run(dict(other, horizon_days=1)).run_info(other)["segments"]["hash"] != info["segments"]["hash"]


def _rows(table: pd.DataFrame) -> list[dict[str, Any]]:
    return table.to_dict("records")


def test_planning_parameters_follow_the_policies(two_runs: tuple[Path, Path]) -> None:
    """Each row is consistent with the policy's own formula: reorder point = planned demand over
    lead time (+ review period) + safety stock; the segment's review period; one row per stock point."""
    a, _ = two_runs
    table = pd.read_csv(a / "planning_parameters.csv")
    spec = simulator.build_spec(json.loads((a / "config.json").read_text()))
    assert len(table) == len(spec.skus) * len(spec.warehouses)
    for r in _rows(table):
        seg = spec.segments[r["segment"]]
        assert r["policy"] == {"fast": "s_S", "core": "s_S", "tail": "order_up_to"}[r["segment"]]
        review = 0.0 if math.isnan(r["review_period_days"]) else r["review_period_days"]
        level = r["planned_demand_per_day"] * (r["planned_lead_time_days"] + review) + r["safety_stock"]
        if r["policy"] == "s_S":
            assert r["reorder_point"] == pytest.approx(level, rel=1e-9)
            cycle = seg.policies.replenishment.cycle_days
            assert r["order_up_to"] == pytest.approx(level + r["planned_demand_per_day"] * cycle, rel=1e-9)
        else:
            assert review == 14 and r["order_up_to"] == pytest.approx(level, rel=1e-9)
    # DC lead times: the mean of the lane from the source (dc_central's comes from the plant and its
    # planned production lead time)
    north = table[(table["dc"] == "dc_north")]["planned_lead_time_days"]
    assert north.to_numpy() == pytest.approx((1 + 2 + 4) / 3)  # triangular(1, 2, 4) from dc_central


def test_segments_from_a_history_record_the_history_file() -> None:
    from simulator.app.record import run_record

    record = run_record(simulator.compose(["segments=from_history"]))
    history = ROOT / "data" / "alder_finch_demand_history.csv.gz"
    assert record["input_files"] == {"data/alder_finch_demand_history.csv.gz":
                                     hashlib.sha256(history.read_bytes()).hexdigest()}
    assert record["segments"]["name"] == "from_history"
