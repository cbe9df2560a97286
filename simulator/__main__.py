"""``python -m simulator``: run the configured scenario (see ``simulator.app.cli``)."""

from simulator.app.cli import main

if __name__ == "__main__":
    main()
