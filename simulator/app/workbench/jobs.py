"""Runs started from the workbench: each is ``python -m simulator <overrides>`` in its own process,
writing an ordinary run directory; the workbench follows its progress bar and keeps the list.

A run directory made by the workbench holds ``workbench.json`` (label, overrides, status) beside
what the command line writes, so the list survives a restart of the workbench.
"""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

META = "workbench.json"
_DAY = re.compile(r"day (\d+)/(\d+)")


@dataclass
class Run:
    """One run in the workbench's list."""

    id: str
    label: str
    overrides: list[str]
    dir: str
    status: str = "running"  # running | ok | failed
    started: float = field(default_factory=time.time)
    seconds: float = 0.0
    runs_total: int = 1  # simulations in the job: replications, each twice when a scenario has disruptions
    runs_done: int = 0
    day: float = 0.0
    horizon: float = 0.0
    error: str = ""

    @property
    def progress(self) -> float:
        """Share of the job done (0-1), from the simulated days of the replication under way."""
        if self.status != "running":
            return 1.0
        part = self.day / self.horizon if self.horizon else 0.0
        return min(0.99, (self.runs_done + part) / max(self.runs_total, 1))

    @property
    def phase(self) -> str:
        if self.status != "running":
            return self.status
        if self.horizon and (self.runs_done >= self.runs_total or
                             (self.runs_done + 1 >= self.runs_total and self.day >= self.horizon)):
            return "writing the tables and the report"
        if not self.horizon:
            return "starting"
        return f"simulating day {self.day:.0f} of {self.horizon:.0f} (run {self.runs_done + 1} of {self.runs_total})"

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "progress": round(self.progress, 4), "phase": self.phase}


class RunStore:
    """The runs under ``root`` (one directory each), and the processes still running."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._runs: dict[str, Run] = {}
        for meta in sorted(self.root.glob(f"*/{META}")):
            try:
                run = Run(**json.loads(meta.read_text()))
            except (TypeError, ValueError) as exc:
                log.warning("skipping %s: %s", meta, exc)
                continue
            if run.status == "running":  # the workbench stopped while it ran
                run.status, run.error = "failed", "interrupted (the workbench was stopped while it ran)"
            self._runs[run.id] = run

    def list(self) -> list[Run]:
        with self._lock:
            return sorted(self._runs.values(), key=lambda r: r.id)

    def get(self, run_id: str) -> Run | None:
        with self._lock:
            return self._runs.get(run_id)

    def by_dir(self, path: str | Path) -> Run | None:
        path = str(Path(path).resolve())
        with self._lock:
            return next((r for r in self._runs.values() if r.dir == path), None)

    def start(self, overrides: Sequence[str], label: str, runs_total: int = 1) -> Run:
        """Start ``python -m simulator <overrides>`` into a new run directory; returns at once."""
        with self._lock:
            n = max((int(k.split("-")[0]) for k in self._runs if k.split("-")[0].isdigit()), default=0) + 1
            slug = re.sub(r"[^A-Za-z0-9_]+", "-", label).strip("-")[:40] or "run"
            run_id = f"{n:03d}-{slug}"
            outdir = (self.root / run_id).resolve()
            run = Run(run_id, label, list(overrides), str(outdir), runs_total=runs_total)
            self._runs[run_id] = run
        outdir.mkdir(parents=True, exist_ok=True)
        self._save(run)
        cmd = [sys.executable, "-m", "simulator", *overrides, "quiet=false", f"hydra.run.dir={outdir}"]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        threading.Thread(target=self._follow, args=(run, proc), daemon=True, name=f"run-{run_id}").start()
        return run

    def _follow(self, run: Run, proc: subprocess.Popen[bytes]) -> None:
        """Read the process's output (tqdm redraws with carriage returns) and update the run's progress."""
        assert proc.stdout is not None
        tail: list[str] = []
        buf = b""
        last_day = -1.0
        while chunk := proc.stdout.read1(4096):
            buf += chunk
            *pieces, buf = re.split(rb"[\r\n]", buf)
            for piece in pieces:
                text = piece.decode("utf-8", "replace").strip()
                if not text:
                    continue
                m = _DAY.search(text)
                if m is None:
                    tail = (tail + [text])[-20:]
                    continue
                day, horizon = float(m.group(1)), float(m.group(2))
                with self._lock:
                    if day < last_day:  # the bar restarted: one more simulation of the job is done
                        run.runs_done += 1
                    run.day, run.horizon, last_day = day, horizon, day
        code = proc.wait()
        with self._lock:
            run.seconds = round(time.time() - run.started, 2)
            run.runs_done = run.runs_total
            if code == 0:
                run.status = "ok"
            else:
                run.status = "failed"
                errors = [t for t in tail if t.startswith("segsim:") or "Error" in t]
                run.error = (errors[-1] if errors else "\n".join(tail[-5:])) or f"exit status {code}"
        self._save(run)
        log.info("run %s %s in %.1f s", run.id, run.status, run.seconds)

    def _save(self, run: Run) -> None:
        with self._lock:
            data = asdict(run)
        (Path(run.dir) / META).write_text(json.dumps(data, indent=2) + "\n")
