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

The same observation makes each job's own composition cheap (``ShapeCachedLoader``): the first job of a
shape is composed by Hydra (~0.2 s for the default company: every YAML file read and merged again), the
next ones copy that config and set their numbers (~0.025 s), exactly as Hydra would have set them.
"""

from __future__ import annotations

import copy
import logging
import uuid
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, cast

from hydra._internal.config_loader_impl import get_overrides_dirname
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import Override, OverrideType
from hydra.plugins.sweeper import Sweeper
from hydra.types import HydraContext
from omegaconf import DictConfig, OmegaConf

log = logging.getLogger(__name__)


def job_shape(overrides: Sequence[str], is_group: Callable[[str], bool]) -> tuple[str, ...]:
    """What decides whether a job's config composes: each override as given, except a plain number or
    true/false set at an existing key, which counts by its type (``seed=3`` -> ``seed:int``)."""
    parsed = OverridesParser.create().parse_overrides(list(overrides))
    return tuple(sorted(_shape(o, is_group) for o in parsed))


def _is_number(override: Override, is_group: Callable[[str], bool]) -> bool:
    """A plain number or true/false set at an existing key (not a group, not Hydra's): counted by its type."""
    key = override.key_or_group
    return (override.type is OverrideType.CHANGE and override.package is None and not key.startswith("hydra")
            and "/" not in key and not override.is_sweep_override()
            and isinstance(override.value(), int | float | bool) and not is_group(key))


def _shape(override: Override, is_group: Callable[[str], bool]) -> str:
    if _is_number(override, is_group):
        return f"{override.key_or_group}:{type(override.value()).__name__}"
    return override.input_line or f"{override.key_or_group}={override.get_value_element_as_str()}"


def _overlaps(a: str, b: str) -> bool:
    """Two dotted keys where setting one can change the other (the same key, or one inside the other)."""
    return a == b or a.startswith(b + ".") or b.startswith(a + ".")


_TEMPLATES: OrderedDict[tuple[Any, ...], DictConfig] = OrderedDict()  # this process's composed configs
_TEMPLATES_KEPT = 32  # shapes kept per process (a sweep over many text values composes each anyway)


class ShapeCachedLoader:
    """Hydra's config loader for the jobs of one sweep: a job whose shape (``job_shape``) was composed
    before in this process is a copy of that config with the job's numbers set, its override list and
    ``hydra.job.override_dirname`` its own: the same config Hydra composes, without reading and merging
    every YAML file again. Everything else is the wrapped loader's. Each sweep has its own token, so a
    process that runs several sweeps (a worker, a test session) never reuses another sweep's configs."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self._token = uuid.uuid4().hex

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in ("_inner", "_token"):  # (while unpickling: not yet set)
            raise AttributeError(name)
        return getattr(self._inner, name)

    def load_sweep_config(self, master_config: DictConfig, sweep_overrides: list[str]) -> DictConfig:
        repository = getattr(self._inner, "repository", None)
        is_group: Callable[[str], bool] = repository.group_exists if repository is not None else (lambda _: True)
        parsed = OverridesParser.create().parse_overrides(list(sweep_overrides))
        numbers = [o for o in parsed if _is_number(o, is_group)]
        keys = [o.key_or_group for o in parsed]
        if any(_overlaps(k, other) for i, k in enumerate(keys) if _is_number(parsed[i], is_group)
               for j, other in enumerate(keys) if j != i):  # the order of the overrides matters: compose
            return self._inner.load_sweep_config(master_config, list(sweep_overrides))
        shape = tuple(sorted(_shape(o, is_group) for o in parsed))
        key = (self._token, tuple(master_config.hydra.overrides.hydra), shape)
        template = _TEMPLATES.get(key)
        if template is None:
            cfg = self._inner.load_sweep_config(master_config, list(sweep_overrides))
            _TEMPLATES[key] = copy.deepcopy(cfg)
            while len(_TEMPLATES) > _TEMPLATES_KEPT:
                _TEMPLATES.popitem(last=False)
            return cfg
        _TEMPLATES.move_to_end(key)
        cfg = copy.deepcopy(template)
        for o in numbers:  # as Hydra applies a value override
            OmegaConf.update(cfg, o.key_or_group, o.value(), merge=True)
        task = [o for o in parsed if not o.is_hydra_override()]
        cfg.hydra.overrides.task = [o.input_line for o in task]
        names = cfg.hydra.job.config.override_dirname
        cfg.hydra.job.override_dirname = get_overrides_dirname(
            overrides=task, kv_sep=names.kv_sep, item_sep=names.item_sep, exclude_keys=list(names.exclude_keys))
        OmegaConf.copy_cache(from_config=master_config, to_config=cfg)
        return cfg


class ShapeCheck:
    """Mixed into Hydra's basic sweeper (same overrides, batches and order of jobs): checks one config per
    job shape, and hands its launcher a ``ShapeCachedLoader``. The sweeper class itself is made in
    ``hydra_plugins/segsim_sweeper``: Hydra re-runs its core plugin modules when it scans for plugins, so a
    class made here, before a scan, would extend a ``BasicSweeper`` that Hydra's own code no longer
    recognises."""

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

    def setup(self, *, hydra_context: Any, task_function: Any, config: Any) -> None:
        from hydra.core.plugins import Plugins

        hydra_context = HydraContext(config_loader=cast(Any, ShapeCachedLoader(hydra_context.config_loader)),
                                     callbacks=hydra_context.callbacks)
        self.hydra_context = hydra_context  # BasicSweeper.setup's work, done here (see __init__)
        self.config = config
        self.launcher = Plugins.instance().instantiate_launcher(hydra_context=hydra_context,
                                                                task_function=task_function, config=config)

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
