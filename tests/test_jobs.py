"""Job bookkeeping: files appear all at once or not at all, job.json last, and resume by config hash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simulator.app import jobs


def test_staged_files_appear_only_when_all_are_written(tmp_path: Path) -> None:
    (tmp_path / "kpis.csv").write_text("old")
    with pytest.raises(RuntimeError), jobs.staged(tmp_path) as stage:
        (stage / "kpis.csv").write_text("new, half")
        raise RuntimeError("the job died while writing")
    assert (tmp_path / "kpis.csv").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kpis.csv"]  # no staging directory left
    with jobs.staged(tmp_path) as stage:
        (stage / "kpis.csv").write_text("new")
        (stage / "run.json").write_text("{}")
    assert (tmp_path / "kpis.csv").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kpis.csv", "run.json"]


def test_a_started_job_forgets_the_earlier_one(tmp_path: Path) -> None:
    jobs.write_job(tmp_path, status="ok", overrides=["seed=1"], config={"seed": 1})
    for name in ("kpis.csv", "resilience.csv", "stock.parquet", "run.json", "report.html"):
        (tmp_path / name).write_text("from the earlier job")
    (tmp_path / jobs.STAGE_DIR).mkdir()
    (tmp_path / jobs.STAGE_DIR / "order_lines.parquet").write_text("half")
    (tmp_path / ".hydra").mkdir()  # Hydra's own files stay
    jobs.start_job(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".hydra", jobs.RUNNING_FILE]
    assert not jobs.finished(tmp_path, {"seed": 1})
    jobs.write_job(tmp_path, status="ok", overrides=["seed=1"], config={"seed": 1})
    assert sorted(p.name for p in tmp_path.iterdir()) == [".hydra", "job.json"]  # no marker, no temporary file


def test_finished_means_ok_with_the_same_config_even_when_set_aside(tmp_path: Path) -> None:
    job = tmp_path / "0"
    jobs.write_job(job, status="ok", overrides=["seed=1"], config={"seed": 1, "horizon_days": 20})
    failed = tmp_path / "1"
    jobs.write_job(failed, status="failed", overrides=["seed=2"], config={"seed": 2}, error="boom")
    assert jobs.set_aside(tmp_path) == 2
    assert not list(tmp_path.glob("*/job.json"))
    assert not jobs.finished(job, {"seed": 1, "horizon_days": 25})  # another config: not finished
    assert not (job / "job.json").exists()
    assert jobs.finished(job, {"horizon_days": 20, "seed": 1})  # the same config (key order does not matter)
    assert json.loads((job / "job.json").read_text())["status"] == "ok"  # put back
    assert not jobs.finished(failed, {"seed": 2})  # a failed job is run again


def test_resource_estimate_by_hand_and_the_bench_networks_pass(default_config: dict) -> None:
    import sys

    import yaml

    from simulator.config.resources import DEFAULT_MAX_ROWS, check_resources, estimate_rows

    root = Path(__file__).resolve().parents[1]
    # conf/network/default.yaml: 4 DCs x 45 SKUs; retail 9+7+5 orders/day of 1+5 lines, e-commerce
    # 45+35+40 of 1+0.6 lines, B2B 1.5+1.2+1.0 of 1+3 lines
    lines_per_day = 21 * 6 + 120 * 1.6 + 3.7 * 4
    rows, _ = estimate_rows(default_config)
    assert rows == pytest.approx(365 * 4 * 45 + 2 * 365 * lines_per_day, rel=1e-12)
    b14 = yaml.safe_load((root / "bench" / "b14.yaml").read_text())
    sys.path.insert(0, str(root / "bench"))
    try:
        import large
    finally:
        sys.path.remove(str(root / "bench"))
    for config in (default_config, dict(b14, horizon_days=3650), large.make_config(2000)):
        assert check_resources(config) < DEFAULT_MAX_ROWS
