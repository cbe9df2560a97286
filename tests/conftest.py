"""Shared fixtures: the default company's config and small hand-made networks.

Keeping the suite fast (the rule: well under 5 minutes for ``python -m pytest -n 2`` on 2 cores):

- a README or doc command runs through ``run_command`` (its entry point, in this process) unless the test
  is about the process itself (exit status of the interpreter, signals, killed workers, stderr left clean);
- a sweep a test only reads tables of runs its jobs serially (``hydra/launcher=basic``) and without the sweep
  report (``hydra.callbacks.sweep.report=false``) unless the launcher or the report is what it checks;
- several assertions on one set of runs share a module- or session-scoped fixture;
- a module that takes long goes into ``SLOW_FIRST`` so it starts early.
"""

from __future__ import annotations

import copy
import importlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

import simulator

CONFIGS = Path(__file__).parent / "configs"


# The modules that take the most time, heaviest first (CPU or wall of `pytest -n 2 --durations=60`, 2026-11):
# they start first, so that the run does not end with one worker still on a long test while the other idles.
# A module missing here only runs later; one that got fast only starts earlier: the list is a hint.
SLOW_FIRST = (
    "test_workbench_browser", "test_validation_production", "test_sweep", "test_sweep_faults", "test_optimize",
    "test_readme_stress", "test_tutorial", "test_routings", "test_docs_allocation", "test_readme_optimize",
    "test_config_schema", "test_bad_files", "test_validation_policies", "test_policy_configs",
    "test_validation_inventory", "test_facilities_docs", "test_cli", "test_ageing", "test_report_readable",
    "test_forecasting", "test_workbench",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Slow modules first (``SLOW_FIRST``), each module's tests kept together and in their order (a
    module's fixtures are made once per worker); ``--dist worksteal`` (pyproject) then balances the end."""
    rank = {name: i for i, name in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(Path(item.nodeid.split("::", 1)[0]).stem, len(rank)))


@pytest.fixture(autouse=True)
def _root_logging_restored() -> Any:
    """Each test leaves the root logger as it found it. A command run in-process (Hydra configures logging)
    attaches handlers to the streams pytest captured for that test; a later test logging through them
    would write to a closed stream ("--- Logging error ---" in its captured output)."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def load_config(name: str, **overrides: Any) -> dict[str, Any]:
    """A test config from tests/configs, with dotted-key overrides (``network__lanes`` style not needed).

    Without a progress bar unless the file or an override asks for one: the bar stops the clock to redraw
    (same numbers; before main's b3e2792 it stopped daily, ~25% more CPU on the long validation horizons)."""
    cfg = yaml.safe_load((CONFIGS / f"{name}.yaml").read_text())
    cfg.setdefault("quiet", True)
    for dotted, value in overrides.items():
        set_key(cfg, dotted, value)
    return cfg


def set_key(cfg: dict[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    """Set ``a.b.c`` in a nested dict (creating mappings on the way); returns ``cfg``."""
    *path, last = dotted.split(".")
    node = cfg
    for part in path:
        node = node.setdefault(part, {})
    node[last] = value
    return cfg


def replicate_runs(cfg: dict[str, Any], reps: int, horizon: float, warmup: float) -> list[simulator.Results]:
    """``reps`` independent runs of ``cfg`` (seeds 0..reps-1) over ``horizon`` days after ``warmup``."""
    cfg["horizon_days"], cfg["warmup_days"] = horizon, warmup
    out = []
    for seed in range(reps):
        cfg["seed"] = seed
        out.append(simulator.run(cfg))
    return out


@pytest.fixture(scope="session")
def default_config() -> dict[str, Any]:
    """The embedded default company, composed exactly as the CLI composes it."""
    return simulator.compose([])


@pytest.fixture
def config(default_config: dict[str, Any]) -> dict[str, Any]:
    """A private copy of the default config that a test may change."""
    return copy.deepcopy(default_config)


@pytest.fixture(scope="session")
def default_results(default_config: dict[str, Any]) -> simulator.Results:
    """One run of the default company (shared: do not modify)."""
    return simulator.run(default_config)


# `python -m <module>` commands of the README and docs that tests run in this process (saves the ~2-3 s of
# CPU a fresh interpreter spends importing pandas, matplotlib, Hydra and the simulator, per command).
ENTRY_POINTS = {
    "simulator": "simulator.app.cli:main",
    "analysis.compare": "analysis.compare:main",
    "simulator.optimize": "simulator.app.optimize:main",
    "simulator.stress_matrix": "simulator.app.stress_matrix:main",
    "simulator.tables": "simulator.app.tables.cli:main",
}


@dataclass
class Ran:
    """What a command run in-process did: exit status, and what it printed."""

    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def run_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Any:
    """``run_command(["python", "-m", "simulator", ...])`` runs a documented command through its entry
    point in this process, in ``cwd`` (default ``tmp_path``: relative output paths land there), and
    returns a ``Ran``.

    Tests that are about the process boundary itself (exit status of the real interpreter, signals,
    killed workers) keep ``subprocess``; so does one README command per section it tests."""

    def run(args: list[str], cwd: Path | None = None) -> Ran:
        assert args[:2] == ["python", "-m"] and args[2] in ENTRY_POINTS, args
        monkeypatch.chdir(cwd or tmp_path)
        module, name = ENTRY_POINTS[args[2]].split(":")
        main = getattr(importlib.import_module(module), name)
        capsys.readouterr()
        try:
            status = main(list(args[3:]))
        except SystemExit as stop:  # as the interpreter turns it into an exit status
            status = stop.code
        out, err = capsys.readouterr()
        if isinstance(status, str):
            return Ran(1, out, err + status)
        return Ran(int(status or 0), out, err)

    return run
