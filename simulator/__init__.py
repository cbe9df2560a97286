"""segsim: a discrete-event simulator of segmented supply chains.

Python API (for notebooks)::

    import simulator
    cfg = simulator.compose(["scenario=baseline", "seed=7"])   # the same config the CLI builds
    results = simulator.run(cfg)
    results.kpis                                                # one row per segment
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from simulator.app.cli import compose
    from simulator.app.replicate import Replications, replicate
    from simulator.app.results import Results, run
    from simulator.config import build_spec
    from simulator.engine.errors import ConfigError
    from simulator.engine.model import Model
    from simulator.engine.spec import Spec

# The public names and the module each lives in. They are loaded on first use, so that importing one
# engine module (``simulator.engine.model``) does not pull in the application layer above it.
_EXPORTS = {
    "compose": "simulator.app.cli", "Replications": "simulator.app.replicate", "replicate": "simulator.app.replicate",
    "Results": "simulator.app.results", "run": "simulator.app.results", "ConfigError": "simulator.engine.errors",
    "Model": "simulator.engine.model", "Spec": "simulator.engine.spec", "build_spec": "simulator.config",
}
__all__ = ["ConfigError", "Model", "Replications", "Results", "Spec", "__version__", "build_spec", "compose",
           "replicate", "run"]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from simulator.app.results import SEGSIM_VERSION

        return SEGSIM_VERSION
    if name in _EXPORTS:
        value = getattr(import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'simulator' has no attribute {name!r}")
