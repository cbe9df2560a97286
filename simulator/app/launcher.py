"""The sweep launcher: jobs in parallel worker processes, and a sweep that survives a dead worker.

``hydra/launcher=segsim`` (the default, ``conf/hydra/launcher/segsim.yaml``) runs the jobs of a
multirun in ``hydra.launcher.n_jobs`` loky worker processes, like Hydra's joblib launcher, but
submits them one by one so that one lost job does not lose the sweep:

- when a worker process dies (killed by the out-of-memory killer, by ``kill -9``, by a crash in
  native code), every job that was running at that moment is run again, alone, once. A job that
  finishes on its second try says so in its ``job.json`` (``retried``); a job whose worker dies again
  while it runs alone is recorded as failed (it is the one killing its workers). The other jobs go on;
  at the end everything is gathered and the sweep exits with status 3 if any job failed.
- Ctrl-C stops the workers, gathers the jobs that finished and exits with status 130.

Of Hydra's joblib settings only ``n_jobs`` is used.
"""

from __future__ import annotations

import importlib
import json
import logging
import re
import sys
from collections import deque
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from pathlib import Path
from typing import Any

from hydra.core.hydra_config import HydraConfig
from hydra.core.singleton import Singleton
from hydra.core.utils import JobReturn, JobStatus, configure_log, filter_overrides, setup_globals
from hydra_plugins.hydra_joblib_launcher._core import execute_job
from hydra_plugins.hydra_joblib_launcher.joblib_launcher import JoblibLauncher
from joblib import cpu_count
from joblib.externals.loky import get_reusable_executor
from joblib.externals.loky.process_executor import BrokenProcessPool
from omegaconf import open_dict

from simulator.app import jobs

log = logging.getLogger(__name__)

INTERRUPTED = False  # set when Ctrl-C stopped the sweep (the sweep callback then exits with status 130)


def _workers(n_jobs: Any) -> int:
    n = int(n_jobs if n_jobs is not None else -1)
    return max(1, n if n > 0 else cpu_count() + 1 + n)


def _done(overrides: Sequence[str]) -> JobReturn:
    """What Hydra is told about a job the launcher recorded itself (Hydra's sweeper needs a result
    per job; how the job ended is in its job.json)."""
    ret = JobReturn(overrides=list(overrides), status=JobStatus.COMPLETED)
    ret.return_value = None
    return ret


def _warm_up(module: str) -> None:
    """(In a worker.) Import the task's module: what a fresh worker does before its first job."""
    importlib.import_module(module)


class SweepLauncher(JoblibLauncher):
    """Hydra launcher: loky worker processes, one job per submission, dead workers survived."""

    def setup(self, *, hydra_context: Any, task_function: Any, config: Any) -> None:
        """Start the workers now: their imports (~1-2 s each) overlap the parent's check of the sweep's
        configs instead of delaying the first jobs."""
        super().setup(hydra_context=hydra_context, task_function=task_function, config=config)
        try:
            n = _workers(self.joblib.get("n_jobs"))
            executor = get_reusable_executor(max_workers=n)
            for _ in range(n):
                executor.submit(_warm_up, getattr(task_function, "__module__", None) or __name__)
        except Exception as exc:  # only a head start: the jobs' own submissions start the workers anyway
            log.debug("workers not started ahead: %s", exc)

    def launch(self, job_overrides: Sequence[Sequence[str]], initial_job_idx: int) -> Sequence[JobReturn]:
        global INTERRUPTED
        setup_globals()
        assert self.config is not None and self.task_function is not None and self.hydra_context is not None
        configure_log(self.config.hydra.hydra_logging, self.config.hydra.verbose)
        if INTERRUPTED:
            return [_done(o) for o in job_overrides]
        n = _workers(self.joblib.get("n_jobs"))
        log.info("launching %d jobs in %d worker processes into %s", len(job_overrides), n,
                 self.config.hydra.sweep.dir)
        for idx, overrides in enumerate(job_overrides, start=initial_job_idx):
            log.info("\t#%d : %s", idx, " ".join(filter_overrides(overrides)))
        state = Singleton.get_state()
        results: dict[int, JobReturn] = {}
        pending = deque(enumerate(job_overrides, start=initial_job_idx))
        executor = None
        try:
            while pending:
                executor = get_reusable_executor(max_workers=n)
                running: dict[Future, tuple[int, Sequence[str]]] = {}
                suspects: list[tuple[int, Sequence[str]]] = []
                while (pending or running) and not suspects:
                    while pending and len(running) < n:
                        idx, ov = pending.popleft()
                        running[executor.submit(execute_job, idx, ov, self.hydra_context, self.config,
                                                self.task_function, state)] = (idx, ov)
                    done, _ = wait(running, return_when=FIRST_COMPLETED)
                    for fut in done:
                        self._collect(fut, running.pop(fut), results, suspects)
                if suspects:  # a worker died: every job running then failed with it; find the culprit
                    wait(running)
                    for fut, job in running.items():
                        self._collect(fut, job, results, suspects)
                    for idx, ov in sorted(suspects):
                        results[idx] = self._run_alone(idx, ov, n, state)
        except KeyboardInterrupt:
            INTERRUPTED = True
            print("segsim: interrupted; stopping the workers and gathering the finished jobs", file=sys.stderr)
            if executor is not None:
                executor.shutdown(wait=False, kill_workers=True)
        return [results.get(idx) or _done(ov) for idx, ov in enumerate(job_overrides, start=initial_job_idx)]

    def _collect(self, fut: Future, job: tuple[int, Sequence[str]], results: dict[int, JobReturn],
                 suspects: list[tuple[int, Sequence[str]]]) -> None:
        idx, ov = job
        try:
            results[idx] = fut.result()
        except BrokenProcessPool:
            suspects.append(job)
        except Exception as exc:  # the job could not even start (e.g. its config failed to compose)
            self._record(idx, ov, status="failed", error=f"{type(exc).__name__}: {exc}")
            results[idx] = _done(ov)

    def _run_alone(self, idx: int, ov: Sequence[str], n: int, state: Any) -> JobReturn:
        print(f"segsim: a worker process died while job {idx} ran; running it again alone", file=sys.stderr)
        executor = get_reusable_executor(max_workers=n)
        fut = executor.submit(execute_job, idx, ov, self.hydra_context, self.config, self.task_function, state)
        try:
            ret = fut.result()
        except BrokenProcessPool as exc:
            print(f"segsim: job {idx} failed: its worker process died again when it ran alone", file=sys.stderr)
            codes = re.search(r"exit codes of the workers are (\{[^}]*\})", str(exc))
            self._record(idx, ov, status="failed", retried=True,
                         error="its worker process died twice, the second time running alone"
                         + (f" (exit code {codes.group(1)})" if codes else f" ({type(exc).__name__})"))
            return _done(ov)
        self._record(idx, ov, retried=True)
        return ret

    def _job_dir(self, idx: int, ov: Sequence[str]) -> tuple[Path, Any]:
        """The job's directory and its config, composed as the worker composes it."""
        assert self.hydra_context is not None and self.config is not None
        cfg = self.hydra_context.config_loader.load_sweep_config(self.config, list(ov))
        with open_dict(cfg):
            cfg.hydra.job.id = f"{cfg.hydra.job.name}_{idx}"
            cfg.hydra.job.num = idx
        HydraConfig.instance().set_config(cfg)
        try:
            return Path(str(cfg.hydra.sweep.dir)) / str(cfg.hydra.sweep.subdir), cfg
        finally:
            HydraConfig.instance().set_config(self.config)

    def _record(self, idx: int, ov: Sequence[str], *, status: str | None = None, error: str = "",
                retried: bool = False) -> None:
        """Write a failed job's ``job.json`` for it, or note in a finished one that it was retried."""
        outdir, cfg = self._job_dir(idx, ov)
        note = "its worker process died while it ran beside other jobs; run again alone" if retried else ""
        if status is None:  # finished on the second try: say so in its record
            info = jobs.read_job(outdir)
            if info is not None:
                info["retried"] = note
                jobs.write_atomic(outdir / jobs.JOB_FILE, json.dumps(info, indent=2) + "\n")
            return
        task_overrides = [o for o in filter_overrides(ov) if not o.startswith("hydra.")]
        jobs.write_job(outdir, status=status, overrides=task_overrides, config=jobs.to_plain(cfg), error=error,
                       retried=note)
