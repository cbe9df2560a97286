"""Helpers shared by the benchmark scripts (timing, medians, the JSON last line)."""

from __future__ import annotations

import json
import resource
import statistics
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# The shared reading folder beside the repository (../shared), or beside a parent folder holding several
# checkouts (a git worktree at <dir>/wt/<name> finds <dir>/shared).
SHARED = next((p / "shared" for p in ROOT.parents if (p / "shared" / "bench").is_dir()), ROOT.parent / "shared")


def peak_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def median(values: list[float]) -> float:
    return statistics.median(values)


def emit(figures: dict[str, Any]) -> None:
    """Print the benchmark's figures as one JSON object on the last line."""
    sys.stdout.write(json.dumps(figures) + "\n")
