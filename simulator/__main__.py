"""``python -m simulator``: run the configured scenario (see ``simulator.app.cli``)."""

from simulator.app.cli import entry

if __name__ == "__main__":
    entry()
