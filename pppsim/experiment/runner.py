"""Running the (point, replication) pairs of an experiment on any concurrent.futures executor.

Shaped like Mesa 4's replacement of ``batch_run`` (mesa issue #3768): a
:class:`RunConfiguration` instantiates, runs and reduces one model (``instantiate_model``,
``run_model``, ``extract_output``); :class:`~pppsim.experiment.experiment.RunSpec` plays the
part of a Mesa 4 ``Scenario`` (parameters plus a seed); :func:`run_sweep` is ``run_scenarios``
with a :class:`~pppsim.experiment.store.ResultStore`.  Workers receive chunks of runs, reduce
each run to its metrics (and requested series) and send back only those.
"""

from __future__ import annotations

import os
import socket
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    BrokenExecutor,
    Executor,
    Future,
    as_completed,
    wait,
)
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..numerics import fingerprint
from .executors import InProcessExecutor, model_loaded
from .experiment import Experiment, ExperimentError, RunSpec, model_version
from .tables import TABLES

if TYPE_CHECKING:
    from ..model import PartnershipModel
    from .store import ResultStore

IN_FLIGHT_PER_WORKER = 2
"""Chunks queued per worker: enough to keep workers busy, few enough to keep memory flat."""
PLAN_BATCH_POINTS = 256
"""Points whose ledger entries are looked up at once when planning the remaining runs."""


@dataclass(frozen=True)
class RunRecord:
    """What one run sends back: its identity, metrics (series, tables) or its error."""

    run_id: str
    point: int
    replication: int
    seed: int
    metrics: dict[str, float] | None
    series: dict[str, list[float]] | None
    seconds: float
    worker: str
    error: str | None = None
    traceback: str | None = None
    tables: dict[str, dict[str, list]] | None = None
    numerics: str | None = None
    """The numerics fingerprint of the process that made it (:mod:`pppsim.numerics`)."""


@dataclass(frozen=True)
class RunConfiguration:
    """How to make one run: horizon, outputs, series and tables to keep (Mesa 4's
    RunConfiguration).

    Subclass and override :meth:`instantiate_model`, :meth:`run_model` or
    :meth:`extract_output` to change what a run does; instances are sent to workers, so they
    must pickle.
    """

    months: int
    outputs: tuple[str, ...] = ()
    series: tuple[str, ...] = ()
    model_version: str = field(default_factory=model_version)
    tables: tuple[str, ...] = ()

    @classmethod
    def of(cls, experiment: Experiment) -> RunConfiguration:
        return cls(experiment.months, experiment.outputs, experiment.series,
                   tables=experiment.tables)

    def instantiate_model(self, spec: RunSpec) -> PartnershipModel:
        """A model with the run's parameters and seed (parameters are validated here)."""
        from ..model import PartnershipModel

        return PartnershipModel(rng=spec.seed, **spec.params)

    def run_model(self, model: PartnershipModel) -> None:
        for _ in range(self.months):
            model.step()

    def extract_output(self, model: PartnershipModel
                       ) -> tuple[dict[str, float], dict[str, list[float]] | None]:
        """The recorded metrics (all if ``outputs`` is empty) and the requested series."""
        from ..model.outputs import summary_metrics, time_series

        metrics = summary_metrics(model)
        if self.outputs:
            metrics = {name: metrics[name] for name in self.outputs}
        if not self.series:
            return metrics, None
        frame = time_series(model)
        return metrics, {name: frame[name].astype(float).tolist() for name in self.series}

    def extract_tables(self, model: PartnershipModel) -> dict[str, dict[str, list]] | None:
        """The requested per-run tables, each reduced to a few columns (column lists)."""
        if not self.tables:
            return None
        return {name: TABLES[name](model) for name in self.tables}

    def execute(self, spec: RunSpec) -> RunRecord:
        """One run, start to finish; an exception becomes a failed record with its traceback."""
        worker = f"{socket.gethostname()}:{os.getpid()}"
        start = time.perf_counter()
        try:
            if self.model_version != model_version():
                raise RuntimeError(f"worker has model version {model_version()}, the sweep "
                                   f"needs {self.model_version}; install the same pppsim")
            model = self.instantiate_model(spec)
            self.run_model(model)
            metrics, series = self.extract_output(model)
            tables = self.extract_tables(model)
        except Exception as exc:
            message = " ".join(f"{type(exc).__name__}: {exc}".split())
            return RunRecord(spec.run_id, spec.point, spec.replication, spec.seed, None, None,
                             time.perf_counter() - start, worker, message,
                             traceback.format_exc(), numerics=fingerprint())
        return RunRecord(spec.run_id, spec.point, spec.replication, spec.seed, metrics, series,
                         time.perf_counter() - start, worker, tables=tables,
                         numerics=fingerprint())


def execute_chunk(config: RunConfiguration, specs: Sequence[RunSpec]) -> list[RunRecord]:
    """Run a chunk of runs on a worker; returns one record per run."""
    return [config.execute(spec) for spec in specs]


def remaining_runs(experiment: Experiment, store: ResultStore, *, retry_failed: bool
                   ) -> Iterator[RunSpec]:
    """Runs without a record (and failed runs if ``retry_failed``), lazily, in point order."""
    for first in range(0, experiment.n_points, PLAN_BATCH_POINTS):
        end = min(first + PLAN_BATCH_POINTS, experiment.n_points)
        recorded = store.finished(first, end)
        for spec in experiment.runs(range(first, end)):
            status = recorded.get((spec.point, spec.replication))
            if status is None or (retry_failed and status == "failed"):
                yield spec


TASK_SECONDS = 0.5
"""Automatic chunks aim at tasks of about this many seconds: dispatch overhead stays small
next to the runs, and Ctrl-C has little to wait for."""
MAX_CHUNK = 64


class ChunkSize:
    """Runs per task: fixed, or (automatic) one run at first, then as many as take about
    :data:`TASK_SECONDS` at the mean run time seen so far, and towards the end of the sweep
    no more than an even share of the runs not yet handed out among the tasks in flight
    (``IN_FLIGHT_PER_WORKER * workers``), down to one run per task.  Results never depend on
    it.

    The share at the end keeps the workers finishing together: with half-second tasks, the
    last one would otherwise leave the other workers idle for up to half a second (a few per
    cent of a sweep of a few seconds on two workers); runs are handed out one by one when
    few are left.  ``planned``: the runs this session hands out (0: unknown, no share).
    While ``starting()`` (the workers are starting and the runs are made in this process
    meanwhile, see :func:`run_sweep`) a task is one run, so that this process is free for
    the workers as soon as they are up."""

    def __init__(self, fixed: int | None = None, *, planned: int = 0, workers: int = 1,
                 starting: Callable[[], bool] | None = None) -> None:
        self.fixed = fixed
        self.starting = starting
        self.runs = 0
        self.seconds = 0.0
        self.largest = fixed or 1
        self.uncut = planned
        self.slots = IN_FLIGHT_PER_WORKER * max(workers, 1)

    def record(self, seconds: float) -> None:
        self.runs += 1
        self.seconds += seconds

    def cut(self, runs: int) -> None:
        """``runs`` more runs were handed out in a task."""
        self.uncut = max(self.uncut - runs, 0)

    def __call__(self) -> int:
        if self.fixed:
            return self.fixed
        if self.starting is not None and self.starting():
            return 1
        size = 1 if not self.runs else round(TASK_SECONDS * self.runs / max(self.seconds, 1e-6))
        if self.uncut:
            size = min(size, -(-self.uncut // self.slots))  # the share, rounded up
        size = max(1, min(MAX_CHUNK, size))
        self.largest = max(self.largest, size)
        return size


def _chunks(specs: Iterator[RunSpec], size: ChunkSize) -> Iterator[list[RunSpec]]:
    """Consecutive chunks of ``specs``, each of the size current when it is cut."""
    chunk: list[RunSpec] = []
    for spec in specs:
        chunk.append(spec)
        if len(chunk) >= size():
            size.cut(len(chunk))
            yield chunk
            chunk = []
    if chunk:
        size.cut(len(chunk))
        yield chunk


@dataclass
class SweepStats:
    """What one sweep invocation did."""

    executor: str
    workers: int
    chunk_size: int
    planned: int
    done: int = 0
    failed: int = 0
    run_seconds: float = 0.0
    wall_seconds: float = 0.0
    interrupted: bool = False

    @property
    def finished(self) -> int:
        return self.done + self.failed

    @property
    def runs_per_second(self) -> float:
        return self.finished / self.wall_seconds if self.wall_seconds else float("nan")

    @property
    def seconds_per_run(self) -> float:
        """Mean time of one run inside the worker (the model's own time)."""
        return self.run_seconds / self.finished if self.finished else float("nan")

    @property
    def overhead_per_run(self) -> float:
        """Worker-seconds per run beyond the model's own time (dispatch, pickling, store)."""
        if not self.finished:
            return float("nan")
        return self.wall_seconds * self.workers / self.finished - self.seconds_per_run

    def text(self) -> str:
        """A few lines for the terminal; no timing when nothing ran (a resumed sweep that
        was already complete)."""
        status = "interrupted" if self.interrupted else "finished"
        if not self.finished:
            return (f"{status}: nothing to run, every run is already in the folder"
                    if not self.planned else
                    f"{status}: no run finished of {self.planned} planned this session")
        return (f"{status}: {self.done} runs done, {self.failed} failed of {self.planned} "
                f"planned this session\n"
                f"  executor {self.executor}, {self.workers} workers, "
                f"up to {self.chunk_size} runs per task\n"
                f"  wall time {self.wall_seconds:.1f} s, {self.runs_per_second:.2f} runs/s "
                "(as on the progress bar), "
                f"{self.seconds_per_run * 1000:.1f} ms per run in the model, "
                f"{self.overhead_per_run * 1000:.1f} ms overhead per run")


def run_sweep(
    experiment: Experiment,
    store: ResultStore,
    executor: Executor,
    *,
    executor_name: str,
    workers: int,
    chunk_size: int | None = None,
    retry_failed: bool = False,
    config: RunConfiguration | None = None,
    on_record: Callable[[RunRecord], None] | None = None,
    on_start: Callable[[int], None] | None = None,
    started: Callable[[], bool] | None = None,
) -> SweepStats:
    """Run every run of ``experiment`` that ``store`` does not hold yet (Mesa 4's run_scenarios).

    Each run is committed to the store as soon as its chunk comes back; at most
    ``IN_FLIGHT_PER_WORKER * workers`` chunks are queued, so memory stays flat however many
    runs there are.  Ctrl-C stops submitting, keeps what has finished and re-raises.

    Parameters
    ----------
    experiment, store
        What to run, and where results go (already opened for this experiment).
    executor
        Any ``concurrent.futures.Executor`` (process pool, Dask ``Client.get_executor()``, ...).
    executor_name, workers
        For the statistics and the session log; ``workers`` sizes the queue and chunks.
    chunk_size
        Runs per task (default: automatic, see :class:`ChunkSize`).
    retry_failed
        Also re-run the runs that failed before.
    config
        How to make a run (default: :meth:`RunConfiguration.of` the experiment).
    on_record
        Called with every record as it is committed (progress bars).
    on_start
        Called once with the number of runs planned for this session.
    started
        Whether the executor's workers are up (:attr:`~.executors.ExecutorInfo.started`;
        default: they are).  While they start (pppsim's pool: most of a second, in which its
        forkserver loads the model), runs are made in this process, one at a time and each
        committed at once, if chunks are automatic and this process has the model loaded
        already (:func:`~.executors.model_loaded`); then the workers get every run.  Which
        process makes a run never changes its results.
    """
    config = config or RunConfiguration.of(experiment)
    counts = store.counts()
    planned = counts.remaining + (counts.failed if retry_failed else 0)
    here = InProcessExecutor()

    def starting() -> bool:
        return (chunk_size is None and started is not None and not started()
                and model_loaded())

    size = ChunkSize(chunk_size, planned=planned, workers=workers, starting=starting)
    stats = SweepStats(executor_name, workers, size.largest, planned)
    start = time.perf_counter()  # the progress bar's rate and the summary's count from here
    if on_start:
        on_start(planned)
    session = store.start_session(executor_name, workers)
    chunks = _chunks(remaining_runs(experiment, store, retry_failed=retry_failed), size)
    in_flight: set[Future[list[RunRecord]]] = set()

    def stopped(exc: BrokenExecutor) -> ExperimentError:
        return ExperimentError(
            f"the workers stopped ({type(exc).__name__}: a worker died, was killed or "
            "could not start); finished runs are saved, run the same command again to "
            "continue")

    def submit(chunk: list[RunSpec]) -> Future[list[RunRecord]]:
        try:
            return executor.submit(execute_chunk, config, chunk)
        except BrokenExecutor as exc:
            raise stopped(exc) from None

    def commit(future: Future[list[RunRecord]]) -> None:
        try:
            records = future.result()
        except BrokenExecutor as exc:
            raise stopped(exc) from None
        for record in records:
            store.commit(record)
            size.record(record.seconds)
            stats.run_seconds += record.seconds
            if record.error:
                stats.failed += 1
            else:
                stats.done += 1
            if on_record:
                on_record(record)

    try:
        while True:
            while len(in_flight) < IN_FLIGHT_PER_WORKER * workers:
                chunk = next(chunks, None)
                if chunk is None:
                    break
                if starting():  # made here now, committed before the next is cut
                    in_flight.add(here.submit(execute_chunk, config, chunk))
                    break
                in_flight.add(submit(chunk))
            if not in_flight:
                break
            finished, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in finished:
                commit(future)
    except KeyboardInterrupt:
        # keep what is already running (short tasks), drop the rest; Ctrl-C again to abandon
        stats.interrupted = True
        running = [f for f in in_flight if not f.cancel()]
        for future in as_completed(running):
            commit(future)
        raise
    except BaseException:
        stats.interrupted = True
        for future in in_flight:
            future.cancel()
        raise
    finally:
        stats.wall_seconds = time.perf_counter() - start
        stats.chunk_size = size.largest
        store.end_session(session, stats)
    return stats
