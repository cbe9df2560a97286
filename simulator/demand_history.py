"""``python -m simulator.demand_history``: see ``simulator.app.demand_history``."""

from simulator.app.demand_history import main

if __name__ == "__main__":
    main()
