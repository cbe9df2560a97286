"""``python -m simulator.stress_matrix``: see ``simulator.app.stress_matrix``."""

from simulator.app.stress_matrix import main

if __name__ == "__main__":
    raise SystemExit(main())
