"""Sweeps that cannot lie: a killed worker, Ctrl-C, and a re-run with a changed config.

Each test runs real sweeps (small: 20-day horizon, 3 jobs on 2 workers, no sweep report) and
disturbs them from outside the way a shared machine or an impatient user would. The undisturbed sweeps
before and after a disturbed one run in this process, their jobs one after the other (``serial``).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from simulator.app.cli import EXIT_INTERRUPTED, SWEEP_HAD_FAILURES
from simulator.app.jobs import RUNNING_FILE

ROOT = Path(__file__).resolve().parents[1]
CHANGED_DAYS = 150  # horizon of the sweeps disturbed from outside (~1 s a job)
QUICK = ("horizon_days=20", "hydra.launcher.n_jobs=2", "hydra.callbacks.sweep.report=false")


def start(sweep_dir: Path, *overrides: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "simulator", "-m", *QUICK, *overrides,
                             f"hydra.sweep.dir={sweep_dir}"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=_ctrl_c_as_in_a_shell)


def _ctrl_c_as_in_a_shell() -> None:
    """(In the child, before it starts.) Ctrl-C with its default meaning, as a terminal gives it: a
    process inherits an ignored SIGINT (a test runner's worker may ignore it), and Python then never
    raises KeyboardInterrupt, so the sweep would run on through the test's Ctrl-C."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def serial(run_command, sweep_dir: Path, *overrides: str) -> str:
    """The same sweep undisturbed, in this process (basic launcher); returns what it printed."""
    ran = run_command(["python", "-m", "simulator", "-m", *QUICK[:1], *QUICK[2:], *overrides, "hydra/launcher=basic",
                       f"hydra.sweep.dir={sweep_dir}"], cwd=ROOT)
    assert ran.returncode == 0, ran.stderr[-3000:]
    return ran.stdout + ran.stderr


def finish(proc: subprocess.Popen, status: int) -> str:
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == status, err[-3000:]
    return out + err


def worker_of(job_dir: Path) -> int | None:
    """Process id of the worker running the job, once it has started."""
    try:
        return int((job_dir / RUNNING_FILE).read_text())
    except (OSError, ValueError):
        return None


def wait_for(condition, proc: subprocess.Popen, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert proc.poll() is None, "the sweep ended before the test could act"
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def job(sweep_dir: Path, j: int) -> dict:
    return json.loads((sweep_dir / str(j) / "job.json").read_text())


def test_a_killed_worker_loses_only_its_job_and_the_sweep_goes_on(tmp_path: Path) -> None:
    # long enough jobs (see CHANGED_DAYS) that job 0 is still running when the test kills its worker
    proc = start(tmp_path, "seed=1,2,3", f"horizon_days={CHANGED_DAYS}")
    victim = tmp_path / "0"
    wait_for(lambda: worker_of(victim) is not None, proc)
    first = worker_of(victim)
    os.kill(first, signal.SIGKILL)  # as the out-of-memory killer would
    # job 0 is run again alone; kill that worker too: now it is the job's own fault, and it fails
    wait_for(lambda: worker_of(victim) not in (None, first), proc)
    os.kill(worker_of(victim), signal.SIGKILL)
    out = finish(proc, SWEEP_HAD_FAILURES)
    assert "Traceback" not in out
    table = pd.read_csv(tmp_path / "sweep.csv")
    jobs = table.drop_duplicates("job").set_index("job")["status"]
    assert jobs.to_dict() == {0: "failed", 1: "ok", 2: "ok"}  # gathered everything
    killed = job(tmp_path, 0)
    assert killed["status"] == "failed" and "died twice" in killed["error"] and killed["retried"]
    assert "SIGKILL" in killed["error"]
    for j in (1, 2):
        assert (tmp_path / str(j) / "replications.csv").exists()
        assert not (tmp_path / str(j) / RUNNING_FILE).exists()


def test_interrupted_rerun_with_a_changed_config_never_reports_the_other_config(tmp_path: Path, run_command) -> None:
    first = serial(run_command, tmp_path, "seed=1,2,3")
    assert "3 jobs gathered" in first
    original = pd.read_csv(tmp_path / "sweep.csv")

    # re-run into the same directory with another horizon; Ctrl-C once one job has finished. The
    # changed jobs run long enough (150 days, ~1 s each) that the sweep is still running when the
    # test sees the first one finish: with 25-day jobs the whole sweep sometimes ended first.
    # One worker: the jobs run one after another, so two are still to run when the first finishes
    # (on two workers the first two finish together and the last follows about a second later).
    changed = start(tmp_path, "seed=1,2,3", f"horizon_days={CHANGED_DAYS}", "hydra.launcher.n_jobs=1")
    def rerun_finished_a_job() -> bool:
        for path in tmp_path.glob("*/job.json"):
            try:
                if f"horizon_days={CHANGED_DAYS}" in path.read_text():
                    return True
            except FileNotFoundError:  # set aside by the re-run as it started
                pass
        return False

    wait_for(rerun_finished_a_job, changed)
    os.killpg(changed.pid, signal.SIGINT)
    finish(changed, EXIT_INTERRUPTED)
    gathered = pd.read_csv(tmp_path / "sweep.csv")
    assert len(gathered) and (gathered["horizon_days"] == CHANGED_DAYS).all() and (gathered["status"] == "ok").all()
    for d in sorted(p for p in tmp_path.iterdir() if p.is_dir() and p.name.isdigit()):
        if (d / "job.json").exists():  # a job.json always describes the files beside it
            assert f"horizon_days={CHANGED_DAYS}" in job(tmp_path, int(d.name))["overrides"]
            assert json.loads((d / "run.json").read_text())["simulated_days"] == CHANGED_DAYS

    untouched = len(list(tmp_path.glob("*/job.previous.json")))  # jobs the interrupted run never started
    assert untouched + len(gathered.drop_duplicates("job")) <= 3

    # the original command again: what the interrupted run touched is redone, the rest skipped
    again = serial(run_command, tmp_path, "seed=1,2,3")
    assert again.count("already finished") == untouched
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "sweep.csv"), original)
