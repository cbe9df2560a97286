"""``python -m simulator``: run the configured scenario (see ``simulator.entry``)."""

from simulator.entry import main

if __name__ == "__main__":
    main()
