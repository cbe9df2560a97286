"""The sweeper: Hydra's basic sweeper, checking a sweep's configs before any job starts without composing
every job's config in the parent one after the other.

Hydra's basic sweeper composes the config of every job of a sweep before launching the first one (to stop a
sweep with a bad override early): ~0.2 s per job for the default company, in the parent, while the
workers wait (40 jobs: ~7 s before the first job starts; 10,000 jobs: ~30 minutes). Jobs that differ only
in a number (``seed=3`` / ``seed=4``, ``horizon_days=90`` / ``180``) compose alike: a number can only break
the composition where another number at the same key composed. So the check composes one job per *shape*:
config group choices, added or deleted keys, text values and ``hydra.`` settings as given, numbers by
their type. ``scenario=a,b seed=range(0,500)`` is checked with 2 compositions instead of 1,000; a bad
group option or key still stops the sweep before any job runs. Each job's own config is composed where
it runs, in its worker (as before).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import Override, OverrideType
from hydra.plugins.sweeper import Sweeper

log = logging.getLogger(__name__)


def job_shape(overrides: Sequence[str], is_group: Callable[[str], bool]) -> tuple[str, ...]:
    """What decides whether a job's config composes: each override as given, except a plain number or
    true/false set at an existing key, which counts by its type (``seed=3`` -> ``seed:int``)."""
    parsed = OverridesParser.create().parse_overrides(list(overrides))
    return tuple(sorted(_shape(o, is_group) for o in parsed))


def _shape(override: Override, is_group: Callable[[str], bool]) -> str:
    key = override.key_or_group
    if (override.type is OverrideType.CHANGE and override.package is None and not key.startswith("hydra")
            and "/" not in key and not override.is_sweep_override()):
        value = override.value()
        if isinstance(value, int | float | bool) and not is_group(key):
            return f"{key}:{type(value).__name__}"
    return override.input_line or f"{key}={override.get_value_element_as_str()}"


class ShapeCheck:
    """Mixed into Hydra's basic sweeper (same overrides, batches and order of jobs): checks one config per
    job shape. The sweeper class itself is made in ``hydra_plugins/segsim_sweeper``: Hydra re-runs its core
    plugin modules when it scans for plugins, so a class made here, before a scan, would extend a
    ``BasicSweeper`` that Hydra's own code no longer recognises."""

    hydra_context: Any
    config: Any

    def __init__(self, max_batch_size: int | None, params: dict[str, str] | None = None) -> None:
        # BasicSweeper.__init__'s own state, set here: Hydra's plugin scan re-executes its core plugin
        # modules, after which the name BasicSweeper in that __init__ (its super() call) can be a newer
        # class than this class's base.
        Sweeper.__init__(self)
        self.overrides: Any = None
        self.batch_index = 0
        self.max_batch_size = max_batch_size
        self.params = params or {}
        self.hydra_context: Any = None
        self.config: Any = None
        self.launcher: Any = None

    def validate_batch_is_legal(self, batch: Sequence[Sequence[str]]) -> None:
        assert self.hydra_context is not None and self.config is not None
        loader = self.hydra_context.config_loader
        repository = getattr(loader, "repository", None)
        is_group: Callable[[str], bool] = repository.group_exists if repository is not None else (lambda _: True)
        shapes: set[tuple[str, ...]] = set()
        for overrides in batch:
            shape = job_shape(overrides, is_group)
            if shape not in shapes:
                shapes.add(shape)
                loader.load_sweep_config(master_config=self.config, sweep_overrides=list(overrides))
        log.debug("checked %d jobs with %d compositions", len(batch), len(shapes))
