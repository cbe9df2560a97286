"""Named random streams derived from one root seed (common random numbers).

Every source of randomness (a customer's inter-arrival times, a lane's lead times, a line's
processing times) draws from its own generator, keyed by a stable name. Changing a policy,
adding a node or reordering the config therefore never shifts another source's draws, so two
policies run with the same seed face the same demand.
"""

from __future__ import annotations

import zlib

import numpy as np


def _name_key(name: str) -> tuple[int, ...]:
    # Python's hash() is salted per process; crc32 of the UTF-8 bytes is stable everywhere.
    data = name.encode("utf-8")
    return (zlib.crc32(data), zlib.adler32(data), len(data))


class Streams:
    """Factory of independent generators: ``streams.rng("demand", "retail_north", "qty")``."""

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)

    def rng(self, *name: str) -> np.random.Generator:
        """A generator for the named source; the same name always gives the same stream."""
        key = _name_key("/".join(name))
        return np.random.Generator(np.random.PCG64(np.random.SeedSequence(self.seed, spawn_key=key)))
