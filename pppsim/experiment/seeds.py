"""Per-run seeds from :class:`numpy.random.SeedSequence`, and common random numbers.

A run's seed is a pure function of the experiment's base seed, the replication and (only with
independent streams) the design point.  It never depends on the executor, the number of workers
or the order in which runs finish, so a sweep gives the same numbers on one process, a process
pool or a Dask cluster, and a resumed sweep gives the same numbers as an uninterrupted one.

With **common random numbers** (the default) replication *k* uses the same random stream at
every design point: differences between points are then paired differences, free of the noise
that would come from different streams (the standard variance-reduction technique for comparing
scenarios).  With **independent** streams every (point, replication) pair gets its own stream.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np


class RandomNumbers(StrEnum):
    """How random streams are shared between design points."""

    COMMON = "common"
    INDEPENDENT = "independent"


SEED_BITS = 63
"""Seeds are non-negative and fit a signed 64-bit integer (a SQLite INTEGER)."""


def run_seed(base_seed: int, point: int, replication: int,
             random_numbers: RandomNumbers = RandomNumbers.COMMON) -> int:
    """The seed of one run.

    Parameters
    ----------
    base_seed
        The experiment's seed (a non-negative int).
    point
        Index of the design point (ignored with common random numbers).
    replication
        Index of the replication, from 0.
    random_numbers
        ``common``: the seed depends on (base seed, replication) only; ``independent``: on
        (base seed, point, replication).

    Returns
    -------
    int
        A seed in ``[0, 2**63)`` for ``PartnershipModel(rng=seed)``.

    Examples
    --------
    >>> run_seed(1, 0, 2) == run_seed(1, 5, 2)
    True
    >>> run_seed(1, 0, 2, RandomNumbers.INDEPENDENT) == run_seed(1, 5, 2, RandomNumbers.INDEPENDENT)
    False
    """
    key = (replication,) if random_numbers is RandomNumbers.COMMON else (point, replication)
    state = np.random.SeedSequence(entropy=base_seed, spawn_key=key).generate_state(
        1, dtype=np.uint64)
    return int(state[0]) >> (64 - SEED_BITS)
