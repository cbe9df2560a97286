"""``python -m simulator.optimize``: see ``simulator.app.optimize``."""

from simulator.app.optimize import main

if __name__ == "__main__":
    raise SystemExit(main())
