"""The sweeper's check before a sweep starts (simulator/app/sweeper.py): one composed config per job shape,
and a bad job still stops the sweep before any job runs."""

from __future__ import annotations

from typing import Any

import pytest

from hydra_plugins.segsim_sweeper import segsim_sweeper
from simulator.app.sweeper import job_shape

GROUPS = {"scenario", "segments", "network"}


def test_numbers_count_by_type_and_everything_else_as_given() -> None:
    is_group = GROUPS.__contains__
    assert job_shape(["scenario=baseline", "seed=3"], is_group) == job_shape(["seed=4", "scenario=baseline"], is_group)
    assert job_shape(["scenario=baseline", "seed=3"], is_group) != job_shape(["scenario=spike", "seed=3"], is_group)
    assert job_shape(["horizon_days=90"], is_group) != job_shape(["horizon_days=90.5"], is_group)  # int / float
    assert job_shape(["network.name=a"], is_group) != job_shape(["network.name=b"], is_group)  # text as given
    assert job_shape(["+extra=1"], is_group) != job_shape(["+extra=2"], is_group)  # an added key as given


class _Repository:
    def group_exists(self, path: str) -> bool:
        return path in GROUPS


class _Loader:
    """Composes by counting; fails like Hydra on an unknown scenario."""

    def __init__(self) -> None:
        self.repository = _Repository()
        self.composed: list[list[str]] = []

    def load_sweep_config(self, master_config: Any, sweep_overrides: list[str]) -> None:
        self.composed.append(sweep_overrides)
        if "scenario=nope" in sweep_overrides:
            raise ValueError("Could not find 'scenario/nope'")


def _checker() -> tuple[Any, _Loader]:
    checker = segsim_sweeper.SegsimSweeper(max_batch_size=None)  # the class as Hydra's last plugin scan made it
    loader = _Loader()
    checker.hydra_context = type("Context", (), {"config_loader": loader})()  # type: ignore[assignment]
    checker.config = {}  # type: ignore[assignment]
    return checker, loader


def test_a_sweep_over_seeds_composes_once_per_scenario() -> None:
    checker, loader = _checker()
    batch = [[f"scenario={s}", f"seed={n}"] for s in ("baseline", "spike") for n in range(20)]
    checker.validate_batch_is_legal(batch)
    assert loader.composed == [["scenario=baseline", "seed=0"], ["scenario=spike", "seed=0"]]


def test_a_bad_option_late_in_the_sweep_still_stops_it() -> None:
    checker, loader = _checker()
    batch = [[f"scenario={s}", f"seed={n}"] for s in ("baseline", "nope") for n in range(3)]
    with pytest.raises(ValueError, match="scenario/nope"):
        checker.validate_batch_is_legal(batch)
