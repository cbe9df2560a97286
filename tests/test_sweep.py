"""Multirun sweeps: gathering with a failing job, resuming, and the same numbers serial or in parallel."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import simulator
from simulator.app.cli import SWEEP_HAD_FAILURES

ROOT = Path(__file__).resolve().parents[1]
NO_REPORT = "hydra.callbacks.sweep.report=false"  # the sweep report (tests/test_sweep_report.py) is not read here


def multirun(sweep_dir: Path, *overrides: str, status: int = 0) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "simulator", "-m", *overrides, f"hydra.sweep.dir={sweep_dir}"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == status, proc.stderr[-3000:]
    return proc


def test_failed_job_is_recorded_others_gathered_and_rerun_skips_finished(tmp_path: Path, run_command) -> None:
    args = ("horizon_days=30", "warmup_days=0,40", NO_REPORT)
    first = multirun(tmp_path, *args, "hydra.launcher.n_jobs=2", status=SWEEP_HAD_FAILURES)  # and the caller told
    assert "1 failed: 1" in first.stdout
    table = pd.read_csv(tmp_path / "sweep.csv")
    assert len(pd.read_parquet(tmp_path / "sweep.parquet")) == len(table)
    jobs = table.drop_duplicates("job").set_index("job")
    assert sorted(jobs["status"]) == ["failed", "ok"]
    assert {"warmup_days", "horizon_days"} <= set(table.columns)  # every override is a column
    failed = jobs[jobs["status"] == "failed"]
    assert (failed["warmup_days"] == 40).all()
    assert failed["error"].str.contains("warmup_days").all() and failed["error"].str.contains("40").all()
    ok = table[table["status"] == "ok"]
    assert sorted(ok["segment"]) == ["ALL", "core", "fast", "tail"]
    assert (ok["fill_rate"] > 0.5).all()

    done = {j: (tmp_path / str(j) / "job.json").stat().st_mtime_ns for j in jobs.index[jobs["status"] == "ok"]}
    # the re-run in this process, its jobs one after the other (the skip is decided by the job itself)
    again = run_command(["python", "-m", "simulator", "-m", *args, "hydra/launcher=basic",
                         f"hydra.sweep.dir={tmp_path}"])
    assert again.returncode == SWEEP_HAD_FAILURES, again.stderr[-3000:]
    assert (again.stdout + again.stderr).count("already finished") == 1
    for j, mtime in done.items():
        assert (tmp_path / str(j) / "job.json").stat().st_mtime_ns == mtime
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "sweep.csv"), table)


def test_serial_and_joblib_sweeps_give_identical_numbers(tmp_path: Path, default_config: dict, run_command) -> None:
    args = ("horizon_days=30", "seed=3,4")
    # serial: the jobs one after the other in this process; joblib: worker processes of a real command
    serial = run_command(["python", "-m", "simulator", "-m", *args, "hydra/launcher=basic", NO_REPORT,
                          f"hydra.sweep.dir={tmp_path / 'serial'}"])
    assert serial.returncode == 0, serial.stderr[-3000:]
    multirun(tmp_path / "joblib", *args, "hydra.launcher.n_jobs=2", NO_REPORT)
    for job in ("0", "1"):  # jobs keep what the sweep reads; detail tables and reports only when asked
        assert not (tmp_path / "serial" / job / "order_lines.parquet").exists()
        assert not (tmp_path / "serial" / job / "report.html").exists()
        assert not (tmp_path / "serial" / job / "sop.csv").exists()  # nor the summary tables
        assert all((tmp_path / "serial" / job / name).exists() for name in ("kpis.csv", "config.json", "run.json"))
        serial = pd.read_csv(tmp_path / "serial" / job / "replications.csv")
        parallel = pd.read_csv(tmp_path / "joblib" / job / "replications.csv")
        pd.testing.assert_frame_equal(serial, parallel)
        seed = json.loads((tmp_path / "serial" / job / "run.json").read_text())["seed"]
        alone = simulator.run(dict(default_config, horizon_days=30, seed=seed)).kpis
        assert serial["fill_rate"].tolist() == pytest.approx(alone["fill_rate"].tolist(), rel=1e-12)
        assert serial["demand_units"].tolist() == alone["demand_units"].tolist()


def test_gather_ignores_job_dirs_left_over_from_a_larger_earlier_sweep(tmp_path: Path) -> None:
    from analysis.sweep import TOTAL_FILE, gather
    from simulator.app.jobs import write_job

    for job in range(3):
        write_job(tmp_path / str(job), status="failed", overrides=[f"seed={job}"], config={"seed": job},
                  error="boom")
    assert sorted(gather(tmp_path)["job"]) == ["0", "1", "2"]
    (tmp_path / TOTAL_FILE).write_text("2")  # the sweep re-run into this directory has two jobs
    table = gather(tmp_path)
    assert sorted(table["job"]) == ["0", "1"] and (table["error"] == "boom").all()
    assert list(table["seed"].astype(int)) == [0, 1]  # the override became a column


def test_sweep_detail_writes_every_table_and_the_report(tmp_path: Path, run_command) -> None:
    proc = run_command(["python", "-m", "simulator", "-m", "horizon_days=10", "seed=1,2", "sweep_detail=true",
                        "hydra/launcher=basic", NO_REPORT, f"hydra.sweep.dir={tmp_path}"])
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert sorted(line for line in proc.stderr.splitlines() if line.startswith("[sweep]")) == [
        "[sweep] 1/2 jobs done, 1 left", "[sweep] 2/2 jobs done, 0 left"]
    for job in ("0", "1"):
        assert len(pd.read_parquet(tmp_path / job / "order_lines.parquet")) > 0
        assert (tmp_path / job / "report.html").stat().st_size > 10_000
        assert len(pd.read_csv(tmp_path / job / "sop.csv")) > 0  # and the summary tables
        assert (tmp_path / job / "planning_parameters.csv").exists()
