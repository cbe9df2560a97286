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


def test_a_job_derived_from_its_shape_is_the_config_hydra_composes() -> None:
    """Each job's own config: composed by Hydra for the first job of a shape, copied with the numbers set
    for the next ones; every one must equal Hydra's own composition (values, override list, dir name, flags)."""
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra
    from hydra.types import RunMode
    from omegaconf import OmegaConf

    from simulator.app.cli import CONF_DIR
    from simulator.app.sweeper import ShapeCachedLoader

    jobs = [["scenario=baseline", "seed=1", "horizon_days=30"], ["horizon_days=45", "scenario=baseline", "seed=2"],
            ["scenario=demand_spike", "seed=2", "horizon_days=30"],
            ["scenario=baseline", "seed=3", "horizon_days=30.5"],
            ["scenario=baseline", "seed=4", "horizon_days=60.5", "quiet=true", "segments.fast.sla.fill_rate=0.9"],
            ["scenario=baseline", "seed=5", "horizon_days=61.5", "quiet=false", "segments.fast.sla.fill_rate=0.8"],
            ["seed=6", "seed=7"]]  # the same key twice: Hydra's order decides, so composed in full
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base=None):
        hydra_loader = GlobalHydra.instance().config_loader()
        master = hydra_loader.load_configuration("config", ["hydra.sweep.dir=sweep"], RunMode.MULTIRUN)
        loader = ShapeCachedLoader(hydra_loader)
        for overrides in [*jobs, *jobs]:  # the second time every shape is known
            ours = loader.load_sweep_config(master, list(overrides))
            hydras = hydra_loader.load_sweep_config(master, list(overrides))
            assert OmegaConf.to_yaml(ours) == OmegaConf.to_yaml(hydras), overrides
            assert OmegaConf.is_struct(ours) and not OmegaConf.is_readonly(ours.hydra)
        assert loader.repository is hydra_loader.repository  # everything else is Hydra's loader


def test_plain_config_resolves_interpolations_against_the_whole_config() -> None:
    from omegaconf import OmegaConf

    from simulator.app.jobs import to_plain

    cfg = OmegaConf.create({"seed": 7, "run": {"label": "seed ${seed}", "days": "${horizon}"}, "horizon": 30,
                            "hydra": {"job": {"name": "x"}}, "runs": [{"seed": "${seed}"}]})
    reference = OmegaConf.to_container(OmegaConf.masked_copy(cfg, ["seed", "run", "horizon", "runs"]), resolve=True)
    assert to_plain(cfg) == reference == {"seed": 7, "run": {"label": "seed 7", "days": 30}, "horizon": 30,
                                          "runs": [{"seed": 7}]}
    cfg.alias = "${seed}"  # a top-level interpolation, and a missing value: converted from a copy as before
    cfg.later = "???"
    assert to_plain(cfg) == {"seed": 7, "run": {"label": "seed 7", "days": 30}, "horizon": 30, "runs": [{"seed": 7}],
                             "alias": 7, "later": "???"}
