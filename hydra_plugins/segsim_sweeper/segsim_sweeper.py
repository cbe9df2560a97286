"""``hydra/sweeper=segsim``: see ``simulator.app.sweeper`` (Hydra instantiates plugins only from the
``hydra_plugins`` package)."""

# Imported here, not in simulator.app.sweeper: Hydra's plugin scan re-runs this module after its core
# plugins, so the class below always extends the BasicSweeper Hydra currently has.
from hydra._internal.core_plugins.basic_sweeper import BasicSweeper

from simulator.app.sweeper import ShapeCheck


class SegsimSweeper(ShapeCheck, BasicSweeper):
    """Hydra's basic sweeper, checking one composed config per job shape before the sweep starts."""
