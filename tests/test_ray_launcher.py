"""Sweeps on Ray (segsim's launcher, hydra_plugins/segsim_ray_launcher): on a local Ray instance the sweep
starts itself (``hydra/launcher=ray_local``) and on a two-node cluster started here with
``ray.cluster_utils.Cluster`` (``hydra/launcher=ray_cluster``), every job gives the same numbers as a run
on its own. Needs the optional extra (``pip install -e ".[ray]"``); skipped where it is not installed
(CI installs ``.[test]`` only)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import simulator

ROOT = Path(__file__).resolve().parents[1]
HAVE_RAY = importlib.util.find_spec("ray") is not None
needs_ray = pytest.mark.skipif(not HAVE_RAY, reason="Ray is not installed: it is the optional extra "
                                                    "`pip install -e \".[ray]\"` (large; CI installs .[test] only)")


def _sweep(tmp_path: Path, launcher_args: list[str], seeds: list[int]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "simulator", "-m", "horizon_days=20",
                           "seed=" + ",".join(map(str, seeds)), *launcher_args, f"hydra.sweep.dir={tmp_path}"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)


def _same_as_alone(tmp_path: Path, default_config: dict[str, Any], seeds: list[int]) -> None:
    table = pd.read_csv(tmp_path / "sweep.csv")
    assert (table["status"] == "ok").all() and table["job"].nunique() == len(seeds)
    for job, seed in enumerate(seeds):
        on_ray = pd.read_csv(tmp_path / str(job) / "replications.csv")
        alone = simulator.run(dict(default_config, horizon_days=20, seed=seed)).kpis
        assert on_ray["demand_units"].tolist() == alone["demand_units"].tolist()
        assert on_ray["fill_rate"].tolist() == pytest.approx(alone["fill_rate"].tolist(), rel=1e-12)


@needs_ray
def test_ray_local_sweep_matches_single_runs(tmp_path: Path, default_config: dict) -> None:
    proc = _sweep(tmp_path, ["hydra/launcher=ray_local"], [3, 4])
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "niceness" not in proc.stdout + proc.stderr  # the local instance runs its workers at niceness 0
    _same_as_alone(tmp_path, default_config, [3, 4])


@pytest.fixture
def two_node_cluster() -> Iterator[Any]:
    """A head and a worker node of one CPU each on this machine, workers at niceness 0 as documented."""
    from ray.cluster_utils import Cluster

    os.environ["RAY_worker_niceness"] = "0"  # read by each node's raylet when it starts (the nodes inherit it)
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False})
    try:
        cluster.add_node(num_cpus=1)
        cluster.wait_for_nodes(timeout=300)  # not a timing: nodes start slowly on a busy machine
        yield cluster
    finally:
        cluster.shutdown()
        os.environ.pop("RAY_worker_niceness", None)


@needs_ray
def test_sweep_on_a_two_node_cluster(tmp_path: Path, default_config: dict, two_node_cluster: Any) -> None:
    seeds = [5, 6, 7]
    proc = _sweep(tmp_path, ["hydra/launcher=ray_cluster", f"hydra.launcher.init.address={two_node_cluster.address}"],
                  seeds)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "niceness" not in proc.stdout + proc.stderr
    assert "object_store_memory" not in proc.stderr
    _same_as_alone(tmp_path, default_config, seeds)
