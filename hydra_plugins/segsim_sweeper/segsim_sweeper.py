"""``hydra/sweeper=segsim``: see ``simulator.app.sweeper`` (Hydra instantiates plugins only from the
``hydra_plugins`` package)."""

from simulator.app.sweeper import SweepChecker


class SegsimSweeper(SweepChecker):
    """Hydra's basic sweeper, checking one composed config per job shape before the sweep starts."""
