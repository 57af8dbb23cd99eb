"""Policies x futures on the experiments engine, with random numbers paired by future.

Design point ``p * F + f`` is policy ``p`` in future ``f`` (``F`` futures).  Replication ``k``
of every policy in future ``f`` uses one random stream (seed from
``SeedSequence(base seed, spawn_key=(f, k))``): within a future the policies are compared on
the same chance events (common random numbers), while different futures get independent
streams, so chance does not repeat itself from future to future.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..experiment import Experiment, RunSpec, load_results
from ..experiment.experiment import _digest, model_version
from ..experiment.seeds import RandomNumbers, run_seed

SEEDING = "common per future"


@dataclass(frozen=True)
class PairedFutures(Experiment):
    """An :class:`~pppsim.experiment.Experiment` whose points are policies x futures.

    Attributes
    ----------
    n_futures
        Futures per policy; point ``p * n_futures + f`` is policy ``p`` in future ``f``.
    futures
        How the futures were made (kept in the ledger's definition).
    """

    n_futures: int = 1
    futures: dict[str, Any] = field(default_factory=dict)

    def future_of(self, point: int) -> int:
        return point % self.n_futures

    def run(self, point: int, replication: int) -> RunSpec:
        """The run of one (point, replication): its seed depends on (future, replication)."""
        params = self.points[point].params
        seed = run_seed(self.seed, self.future_of(point), replication,
                        RandomNumbers.INDEPENDENT)
        run_id = _digest({"params": params, "months": self.months, "seed": seed,
                          "model": model_version()})
        return RunSpec(run_id, point, replication, seed, params)

    def definition(self) -> dict[str, Any]:
        return super().definition() | {"random_numbers": SEEDING, "n_futures": self.n_futures,
                                       "futures": self.futures}


def tidy_runs(folder: str | Path, names: list[str], n_futures: int) -> pd.DataFrame:
    """The finished runs of a robustness folder: ``policy``, ``future``, ``replication``,
    ``seed`` then the parameters that differ between points and every recorded metric."""
    runs = load_results(folder)
    attrs = runs.attrs
    runs = runs.drop(columns=["scenario"], errors="ignore")
    runs.insert(0, "future", runs["point"] % n_futures)
    runs.insert(0, "policy", [names[p // n_futures] for p in runs["point"]])
    runs.attrs = attrs
    return runs
