"""Sweeps on Ray: each job is one Ray task, its config composed on the node that runs it.

segsim ships this launcher instead of depending on ``hydra-ray-launcher`` (1.2.2 pins
``cloudpickle<3``, which makes pip downgrade joblib 1.6 -> 1.5 and cloudpickle 3 -> 2 in the
project's environment). What it does differently:

- ``ray.init`` gets exactly the settings in the config: nothing is added, so connecting to a running
  cluster (``address: auto`` or ``ray://...``) never passes ``object_store_memory``;
- a Ray instance the launcher starts itself runs its workers at ``worker_niceness`` (0 by default;
  Ray's own default is 15, which on a busy machine made a sweep several times slower); on a cluster
  started with ``ray start`` the niceness is the cluster's (set ``RAY_worker_niceness=0`` when
  starting each node); a job running at a positive niceness logs a warning saying so;
- the driver sends only each job's overrides: the config is composed inside the task, so the driver
  does not compose hundreds of configs one after the other before the first job starts.

Ray is imported when a sweep starts, so Hydra's plugin scan stays cheap where the extra is absent.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hydra.core.hydra_config import HydraConfig
from hydra.core.singleton import Singleton
from hydra.core.utils import JobReturn, configure_log, filter_overrides, run_job, setup_globals
from hydra.plugins.launcher import Launcher
from hydra.types import HydraContext, TaskFunction
from omegaconf import DictConfig, OmegaConf, open_dict

log = logging.getLogger(__name__)

INSTALL_HINT = 'the Ray launcher needs the optional extra: pip install -e ".[ray]"'


class SegsimRayLauncher(Launcher):
    """A Hydra launcher: ``ray.init(**init)``, then one ``ray.remote(**remote)`` task per job."""

    def __init__(self, init: DictConfig | None = None, remote: DictConfig | None = None,
                 worker_niceness: int | None = 0) -> None:
        self.init: dict[str, Any] = _plain(init)
        self.remote: dict[str, Any] = _plain(remote)
        self.worker_niceness = worker_niceness
        self.config: DictConfig | None = None
        self.hydra_context: HydraContext | None = None
        self.task_function: TaskFunction | None = None

    def setup(self, *, hydra_context: HydraContext, task_function: TaskFunction, config: DictConfig) -> None:
        self.config = config
        self.hydra_context = hydra_context
        self.task_function = task_function

    def launch(self, job_overrides: Sequence[Sequence[str]], initial_job_idx: int) -> Sequence[JobReturn]:
        try:
            import ray
        except ImportError as exc:
            raise ImportError(INSTALL_HINT) from exc
        assert self.config is not None and self.hydra_context is not None and self.task_function is not None
        setup_globals()
        configure_log(self.config.hydra.hydra_logging, self.config.hydra.verbose)
        Path(str(self.config.hydra.sweep.dir)).mkdir(parents=True, exist_ok=True)
        if not ray.is_initialized():
            ray.init(**self._init_args())
        task = ray.remote(**self.remote)(_compose_and_run) if self.remote else ray.remote(_compose_and_run)
        state = Singleton.get_state()
        pending = []
        for idx, overrides in enumerate(job_overrides, start=initial_job_idx):
            log.info("\t#%d : %s", idx, " ".join(filter_overrides(overrides)))
            pending.append(task.remote(self.hydra_context, self.config, list(overrides), idx,
                                       self.task_function, state))
        return ray.get(pending)

    def _init_args(self) -> dict[str, Any]:
        """``ray.init`` arguments: as configured; a local instance gets the worker niceness."""
        args = dict(self.init)
        if args.get("address") is None and self.worker_niceness is not None:
            system = dict(args.get("_system_config") or {})
            system.setdefault("worker_niceness", int(self.worker_niceness))
            args["_system_config"] = system
        return args


def _plain(section: DictConfig | None) -> dict[str, Any]:
    plain = OmegaConf.to_container(section, resolve=True) if section is not None else {}
    assert isinstance(plain, dict)
    return {str(k): v for k, v in plain.items()}


def _compose_and_run(hydra_context: HydraContext, config: DictConfig, overrides: list[str], idx: int,
                     task_function: TaskFunction, singleton_state: dict[Any, Any]) -> JobReturn:
    """Inside the Ray task: compose the job's config from the sweep's and the job's overrides, run it."""
    setup_globals()
    Singleton.set_state(singleton_state)
    niceness = os.nice(0)
    if niceness > 0:
        log.warning("job %d runs at niceness %d: start the Ray nodes with RAY_worker_niceness=0 "
                    "(see docs/resilience.md)", idx, niceness)
    sweep_config = hydra_context.config_loader.load_sweep_config(config, overrides)
    with open_dict(sweep_config):
        sweep_config.hydra.job.id = f"ray_{idx}"
        sweep_config.hydra.job.num = idx
    HydraConfig.instance().set_config(sweep_config)
    return run_job(hydra_context=hydra_context, task_function=task_function, config=sweep_config,
                   job_dir_key="hydra.sweep.dir", job_subdir_key="hydra.sweep.subdir")
