"""Experiments: designs, replications, seeds, executors and the resumable results store.

The pieces, from the bottom up:

* :mod:`.design` — factors and designs (factorial, LHS, and SALib's Sobol, Morris, FAST,
  drawn by :mod:`pppsim.sampling`);
* :mod:`.seeds` — per-run seeds from ``SeedSequence``, common random numbers;
* :mod:`.experiment` — :class:`Experiment` (points x replications) and :class:`RunSpec`;
* :mod:`.files` — experiment files (TOML);
* :mod:`.runner` — :class:`RunConfiguration` and :func:`run_sweep` on any executor;
* :mod:`.executors` — local processes, in-process, Dask;
* :mod:`.store` — the SQLite (WAL) run ledger;
* :mod:`.tables` — per-run tables reduced on the worker (partnership lifetimes);
* :mod:`.results` — tidy frames, series, partnership tables, export, summaries;
* :mod:`.api` — :func:`sweep` and :func:`run_experiment`.
"""

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .api import run_experiment, sweep
    from .design import DesignKind, Factor
    from .experiment import Experiment, ExperimentError, Point, RunSpec, model_version
    from .files import load_experiment
    from .results import (
        export_results,
        iter_results,
        load_partnerships,
        load_results,
        load_series,
        summarise,
    )
    from .runner import RunConfiguration, RunRecord, SweepStats, run_sweep
    from .seeds import RandomNumbers, run_seed
    from .store import ResultStore

__all__ = [
    "DesignKind",
    "Experiment",
    "ExperimentError",
    "Factor",
    "Point",
    "RandomNumbers",
    "ResultStore",
    "RunConfiguration",
    "RunRecord",
    "RunSpec",
    "SweepStats",
    "export_results",
    "iter_results",
    "load_experiment",
    "load_partnerships",
    "load_results",
    "load_series",
    "model_version",
    "run_experiment",
    "run_seed",
    "run_sweep",
    "summarise",
    "sweep",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), {
    ".api": ("run_experiment", "sweep"),
    ".design": ("DesignKind", "Factor"),
    ".experiment": ("Experiment", "ExperimentError", "Point", "RunSpec", "model_version"),
    ".files": ("load_experiment",),
    ".results": (
        "export_results", "iter_results", "load_partnerships", "load_results",
        "load_series", "summarise",
    ),
    ".runner": ("RunConfiguration", "RunRecord", "SweepStats", "run_sweep"),
    ".seeds": ("RandomNumbers", "run_seed"),
    ".store": ("ResultStore",),
})
