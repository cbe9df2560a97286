"""segsim: a discrete-event simulator of segmented supply chains.

Python API (for notebooks)::

    import simulator
    cfg = simulator.compose(["scenario=baseline", "seed=7"])   # the same config the CLI builds
    results = simulator.run(cfg)
    results.kpis                                                # one row per segment
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from simulator.errors import ConfigError
from simulator.model import Model
from simulator.results import Results
from simulator.spec import Spec, build_spec

__version__ = "0.1.0"

__all__ = ["ConfigError", "Model", "Results", "Spec", "build_spec", "compose", "run", "__version__"]


def run(config: Mapping[str, Any] | Spec) -> Results:
    """Run one simulation from a composed config (plain mapping) or a built ``Spec``."""
    spec = config if isinstance(config, Spec) else build_spec(config)
    return Model(spec).run()


def compose(overrides: Sequence[str] = ()) -> dict[str, Any]:
    """The config ``python -m simulator <overrides>`` would use, as plain dicts."""
    from simulator.entry import compose_config

    return compose_config(list(overrides))
