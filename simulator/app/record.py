"""The record of a run (governance): what exactly ran, so that a result can be traced and repeated.

``run_record(config)`` gives the config hash, the segsim version and git revision, the segment
definitions' name, version, approval and hash, and the SHA-256 of every input file the config names
(``network.inputs``: the workbook a network was imported from; ``segments_meta.inputs``: e.g. the demand
history a segmentation was derived from). ``Results.write`` puts it in ``run.json``.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from simulator.app.jobs import config_hash

ROOT = Path(__file__).resolve().parents[2]  # the source tree (conf/, data/)
SEGMENT_SECTIONS = ("segments", "assignment", "segments_meta")


@lru_cache(maxsize=1)
def git_revision() -> str | None:
    """The source tree's git commit (with ``-dirty`` when files differ from it), or None outside git."""
    try:
        rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=5)
        if rev.returncode != 0:
            return None
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, timeout=5)
        return rev.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return None


def _json_hash(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]


def input_file(path: str) -> Path | None:
    """Where an input file named in the config is: as given (from the working directory), else from
    the source tree."""
    for candidate in (Path(path), ROOT / path):
        if candidate.exists():
            return candidate
    return None


def file_hash(path: Path) -> str:
    """SHA-256 of a file, or of a folder's files (names and contents, in name order)."""
    h = hashlib.sha256()
    for f in sorted(path.rglob("*")) if path.is_dir() else [path]:
        if f.is_file():
            h.update(f.relative_to(path).as_posix().encode() if path.is_dir() else b"")
            h.update(f.read_bytes())
    return h.hexdigest()


def run_record(config: Mapping[str, Any]) -> dict[str, Any]:
    """The governance fields of ``run.json`` for the composed ``config``."""
    net = config.get("network") or {}
    meta = dict(config.get("segments_meta") or {})
    inputs: dict[str, str | None] = {}
    for name in [*(net.get("inputs") or []), *(meta.get("inputs") or [])]:
        found = input_file(str(name))
        inputs[str(name)] = file_hash(found) if found is not None else None  # None: the file is not here
    segments = {k: meta[k] for k in ("name", "version", "approved_by", "approved_on") if meta.get(k) is not None}
    segments["hash"] = _json_hash({k: config.get(k) for k in SEGMENT_SECTIONS})
    return {
        "config_hash": config_hash(config), "git_revision": git_revision(), "network": net.get("name"),
        "segments": {k: str(v) for k, v in segments.items()}, "input_files": inputs,
    }
