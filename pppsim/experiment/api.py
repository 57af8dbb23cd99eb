"""Running experiments from Python and from the command line: store + executor + progress."""

from __future__ import annotations

import tempfile
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

from .executors import ExecutorInfo, open_executor
from .experiment import Experiment
from .files import load_experiment
from .manifest import build_manifest
from .progress import SweepProgress
from .runner import RunConfiguration, SweepStats, run_sweep
from .store import ResultStore

if TYPE_CHECKING:
    import pandas as pd


def sweep(
    experiment: Experiment,
    out: str | Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    chunk_size: int | None = None,
    retry_failed: bool = False,
    progress: bool = True,
    executor: ExecutorInfo | None = None,
    config: RunConfiguration | None = None,
) -> SweepStats:
    """Run the runs of ``experiment`` missing from ``out`` and record them there.

    Re-running with the same experiment and folder continues where a previous (interrupted)
    sweep stopped; a different experiment is refused.  See :func:`run_experiment` for the
    parameters; ``executor``, an executor already open (:func:`open_executor`), is used
    instead of opening one for ``workers`` and ``scheduler``.

    Returns
    -------
    SweepStats
        Workers, wall time, runs done and failed in this call, time per run.
    """
    with ResultStore.create(out, experiment, build_manifest(experiment)) as store, \
            nullcontext(executor) if executor else open_executor(workers, scheduler) as info:
        options = {"executor_name": info.name, "workers": info.workers,
                   "chunk_size": chunk_size, "retry_failed": retry_failed, "config": config,
                   "started": info.started}
        if not progress:
            return run_sweep(experiment, store, info.executor, **options)
        with SweepProgress(experiment.name) as bar:
            return run_sweep(experiment, store, info.executor, on_start=bar.start,
                             on_record=bar.advance, **options)


def run_experiment(
    experiment: Experiment | str | Path,
    out: str | Path | None = None,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    chunk_size: int | None = None,
    retry_failed: bool = False,
    progress: bool = False,
    config: RunConfiguration | None = None,
) -> pd.DataFrame:
    """Run an experiment and return its results as a tidy frame (as :func:`load_results`).

    Parameters
    ----------
    experiment
        An :class:`Experiment`, or the path of an experiment file.
    out
        Results folder (default: a new temporary folder, named in ``frame.attrs["store"]``).
        If it holds an interrupted sweep of the same experiment, only missing runs are made.
    workers
        Worker processes (default: all cores; 1 runs in this process).
    scheduler
        ``"local"`` for a local Dask cluster, or a Dask scheduler address.
    chunk_size
        Runs per task (default: automatic).
    retry_failed
        Re-run runs that failed in an earlier sweep into ``out``.
    progress
        Show a progress bar.
    config
        How to make a run (default: the experiment's own
        :class:`~pppsim.experiment.RunConfiguration`); e.g. one that draws uncertain
        parameters per replication (:mod:`pppsim.calibration.uncertainty`).

    Returns
    -------
    pandas.DataFrame
        One row per finished run: point, replication, seed, run id, varied parameters and
        metrics.

    Examples
    --------
    >>> from pppsim import run_experiment
    >>> from pppsim.experiment import Experiment
    >>> exp = Experiment.from_points([{"legal_barrier": 0.2}, {"legal_barrier": 0.8}],
    ...                              base={"n_organisations": 30}, replications=3, months=24)
    >>> frame = run_experiment(exp, workers=1)
    >>> len(frame)
    6
    """
    if not isinstance(experiment, Experiment):
        experiment = load_experiment(experiment)
    out = Path(out) if out else Path(tempfile.mkdtemp(prefix="pppsim-sweep-"))
    sweep(experiment, out, workers=workers, scheduler=scheduler, chunk_size=chunk_size,
          retry_failed=retry_failed, progress=progress, config=config)
    from .results import load_results  # pandas, loaded only to return the table

    return load_results(out)
