"""Sweeps on Ray (hydra/launcher=ray_local): a local Ray instance on the loopback interface, started by
the sweep itself, gives the same numbers as a run on its own. Needs the optional extra
(``pip install -e ".[ray]"``); skipped where it is not installed (CI installs ``.[test]`` only)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import simulator

ROOT = Path(__file__).resolve().parents[1]
HAVE_RAY = importlib.util.find_spec("ray") is not None and \
    importlib.util.find_spec("hydra_plugins.hydra_ray_launcher") is not None


@pytest.mark.skipif(not HAVE_RAY, reason="hydra-ray-launcher and ray are not installed: they are the optional "
                                         "extra `pip install -e \".[ray]\"` (large; CI installs .[test] only)")
def test_ray_local_sweep_matches_single_runs(tmp_path: Path, default_config: dict) -> None:
    proc = subprocess.run([sys.executable, "-m", "simulator", "-m", "horizon_days=20", "seed=3,4",
                           "hydra/launcher=ray_local", f"hydra.sweep.dir={tmp_path}"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    table = pd.read_csv(tmp_path / "sweep.csv")
    assert (table["status"] == "ok").all() and table["job"].nunique() == 2
    for job, seed in (("0", 3), ("1", 4)):
        on_ray = pd.read_csv(tmp_path / job / "replications.csv")
        alone = simulator.run(dict(default_config, horizon_days=20, seed=seed)).kpis
        assert on_ray["demand_units"].tolist() == alone["demand_units"].tolist()
        assert on_ray["fill_rate"].tolist() == pytest.approx(alone["fill_rate"].tolist(), rel=1e-12)
