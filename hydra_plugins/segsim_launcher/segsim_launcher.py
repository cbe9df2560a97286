"""``hydra/launcher=segsim``: see ``simulator.app.launcher`` (Hydra instantiates plugins only from
the ``hydra_plugins`` package)."""

from simulator.app.launcher import SweepLauncher


class SegsimLauncher(SweepLauncher):
    """Hydra launcher: loky worker processes, one job per submission, dead workers survived."""
