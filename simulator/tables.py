"""``python -m simulator.tables``: see ``simulator.app.tables.cli``."""

from simulator.app.tables.cli import main

if __name__ == "__main__":
    main()
