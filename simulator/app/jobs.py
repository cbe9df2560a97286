"""Job bookkeeping: a run directory never says more than what really happened in it.

- A job's files are written into ``.partial/`` beside them and moved into place one by one
  (``os.replace``, atomic on one file system) only once all of them are written; a job that is killed
  or fails half-way leaves its earlier files untouched and no half-written one.
- ``job.json`` (status, overrides, config hash, error) is written last, atomically. A job clears its
  old ``job.json`` when it starts, so an interrupted re-run never leaves an old "ok" beside new files.
- A re-run skips a job only when its ``job.json`` says ``ok`` for the very same config (``config_hash``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, ListConfig, OmegaConf

from analysis.sweep import JOB_FILE

STAGE_DIR = ".partial"  # where a job's files are written before they are moved into the run directory
RUNNING_FILE = ".running"  # while a job runs: the process id of the worker running it
PREVIOUS_JOB_FILE = "job.previous.json"  # a job.json set aside while its sweep is re-run (see SweepCallback)


def to_plain(cfg: DictConfig) -> dict[str, Any]:
    """The composed config as plain dicts and lists, without Hydra's own settings.

    Each top-level section is converted where it stands (interpolations resolve against the whole
    config), not from a copy of the config without ``hydra`` (a copy cost 5x the conversion, ~0.03 s a
    sweep job); a top-level value that is itself an interpolation or missing takes the copy's way."""
    keys = [str(k) for k in cfg if k != "hydra"]
    nodes = {k: cfg._get_node(k) for k in keys}
    if any(n is None or n._is_interpolation() or n._is_missing() for n in nodes.values()):
        plain = OmegaConf.to_container(OmegaConf.masked_copy(cfg, keys), resolve=True)
        assert isinstance(plain, dict)
        return {str(k): v for k, v in plain.items()}
    return {k: OmegaConf.to_container(n, resolve=True) if isinstance(n, DictConfig | ListConfig) else cfg[k]
            for k, n in nodes.items()}


def config_hash(config: Mapping[str, Any]) -> str:
    """A stable fingerprint of a job's config (to tell a finished job from a changed one)."""
    return hashlib.sha256(json.dumps(config, sort_keys=True, default=str).encode()).hexdigest()[:16]


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` under a temporary name, then rename it: readers see all or nothing."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def write_job(outdir: Path, *, status: str, overrides: Sequence[str], config: Mapping[str, Any],
              error: str = "", wall_seconds: float = 0.0, retried: str = "") -> None:
    """Record how a job ended (``ok`` or ``failed``) in ``outdir/job.json``, atomically (``retried``:
    why the job was run a second time, if it was)."""
    outdir.mkdir(parents=True, exist_ok=True)
    info: dict[str, Any] = {"status": status, "overrides": list(overrides), "config_hash": config_hash(config),
                            "error": error, "wall_seconds": round(wall_seconds, 3)}
    if retried:
        info["retried"] = retried
    write_atomic(outdir / JOB_FILE, json.dumps(info, indent=2) + "\n")
    with contextlib.suppress(FileNotFoundError):
        (outdir / RUNNING_FILE).unlink()


def read_job(outdir: Path, name: str = JOB_FILE) -> dict[str, Any] | None:
    """The job record in ``outdir`` (None if there is none or it cannot be read)."""
    try:
        info = json.loads((outdir / name).read_text())
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) else None


def finished(outdir: Path, config: Mapping[str, Any]) -> bool:
    """True if ``outdir`` holds a successful job with this very config (a re-run can skip it).

    The record is looked for in ``job.json`` and in the copy a re-run set aside when it started; a
    finished job found there is put back as ``job.json``."""
    for name in (JOB_FILE, PREVIOUS_JOB_FILE):
        info = read_job(outdir, name)
        if info and info.get("status") == "ok" and info.get("config_hash") == config_hash(config):
            if name != JOB_FILE:
                os.replace(outdir / name, outdir / JOB_FILE)
            return True
    return False


RESULT_PATTERNS = ("*.parquet", "*.csv", "report.html", "trace.txt", "run.json")  # what a job writes


def start_job(outdir: Path) -> None:
    """Forget how an earlier job in the sweep job directory ``outdir`` ended: its ``job.json`` (and the
    copy set aside by a re-run), its result files (a job with another config may not write all of
    them again) and any files it left half-written."""
    for name in (JOB_FILE, PREVIOUS_JOB_FILE):
        with contextlib.suppress(FileNotFoundError):
            (outdir / name).unlink()
    for pattern in RESULT_PATTERNS:
        for path in outdir.glob(pattern):
            path.unlink()
    shutil.rmtree(outdir / STAGE_DIR, ignore_errors=True)
    write_atomic(outdir / RUNNING_FILE, str(os.getpid()))


@contextlib.contextmanager
def staged(outdir: Path) -> Iterator[Path]:
    """Yield a staging directory; on success move every file written there into ``outdir``.

    On an error the staging directory is removed and ``outdir`` keeps only what it had before."""
    stage = outdir / STAGE_DIR
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir(parents=True)
    try:
        yield stage
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    for path in sorted(stage.iterdir()):
        os.replace(path, outdir / path.name)
    stage.rmdir()


def set_aside(sweep_dir: Path) -> int:
    """At the start of a re-run into ``sweep_dir``: move every job's ``job.json`` aside, so that only
    the jobs this run finishes (or finds finished with the same config) are gathered. Returns how many."""
    moved = 0
    for path in sweep_dir.glob(f"*/{JOB_FILE}"):
        os.replace(path, path.with_name(PREVIOUS_JOB_FILE))
        moved += 1
    return moved
