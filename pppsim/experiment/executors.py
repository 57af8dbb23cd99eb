"""Executors: where runs happen.  All are ``concurrent.futures.Executor`` objects.

* one worker: :class:`InProcessExecutor`, runs in this process (no start-up cost);
* several workers: a ``ProcessPoolExecutor`` with a multiprocessing context of our own (never a
  global ``set_start_method``): *forkserver* where the system has it (Linux, macOS), whose
  server loads the model once and forks every worker from it, else *spawn* (Windows); both
  start workers from a fresh interpreter, so a sweep behaves the same everywhere and from
  Jupyter.  The workers are started in a thread (:attr:`ExecutorInfo.started` says when they
  are), so that the caller goes on meanwhile;
* ``scheduler="local"``: a Dask ``LocalCluster`` on this machine (for testing the Dask path);
* ``scheduler="tcp://host:8786"``: an existing Dask cluster, through ``Client.get_executor()``.

Worker processes, of the pool or of Dask (a worker plugin), load the model before their first
run, freeze what they loaded out of the garbage collector's reach and make its young passes
less often (:func:`prepare_worker`); a sweep in the caller's process makes the young passes
less often while it runs, then hands the collector back as it was.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from ..model import accelerator
from ..numerics import fingerprint
from .experiment import ExperimentError, model_version


class InProcessExecutor(Executor):
    """Runs each task at submission, in this process: one worker, no pickling."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:
            future.set_exception(exc)
        return future


def _up() -> bool:
    return True


@dataclass(frozen=True)
class ExecutorInfo:
    """An open executor, its name for logs, its number of workers, whether they are
    started (``started()``; False while pppsim's pool starts its workers), and the numerics
    its workers compute with (:func:`pppsim.numerics.fingerprint`; one kind, or the executor
    is refused)."""

    executor: Executor
    name: str
    workers: int
    started: Callable[[], bool] = _up
    numerics: str = field(default_factory=fingerprint)


def default_workers() -> int:
    """All cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)


MODEL_MODULE = "pppsim.model.model"
"""What a worker needs loaded before its first run (Mesa, numpy, pandas: a second or two)."""
READY_MODULE = "pppsim.experiment.ready"
"""Imported by the forkserver after the model: the compiled month loaded, once for all the
workers forked from it (:mod:`pppsim.experiment.ready`)."""


def prepare_worker() -> None:
    """Load the model before the first run and move what is loaded out of the garbage
    collector's reach: in a worker process of a sweep (pppsim's own pool, a Dask worker).

    The model is loaded (a forked worker already has it), with the compiled month where the
    accelerator is on (:func:`pppsim.model.accelerator.warm_up`), so that the runs' own times,
    which size the chunks, do not include loading it.  Then everything loaded so far (modules,
    classes, functions: some hundred thousand objects) is frozen (``gc.freeze``): it lives as
    long as the worker, and the collector's full passes during runs no longer walk it (they
    took about 6 ms of a 195 ms run at 100 organisations); a forked worker also keeps sharing
    those pages with its server.  The collector's young passes are made less often
    (:func:`young_passes_for_runs`).  Only in worker processes: a sweep in the caller's own
    process (one worker) makes its young passes less often while it runs and then hands the
    collector back as it was, and freezes nothing."""
    import_module(MODEL_MODULE)
    accelerator.warm_up()  # the compiled month, loaded from the cache the sweep filled
    gc.freeze()
    gc.set_threshold(*young_passes_for_runs(gc.get_threshold()))


YOUNG_PASS = 10_000
"""Container objects allocated (net) between two young passes of the collector while runs are
made (Python's default: 2,000)."""


def young_passes_for_runs(threshold: tuple[int, ...]) -> tuple[int, ...]:
    """The collector's thresholds (``gc.get_threshold()``) for making runs: a young pass after
    :data:`YOUNG_PASS` allocations instead of Python's 2,000; a higher one, or a collector
    turned off (0), is kept.

    A run allocates and frees containers at a pace that made the default two young passes
    per run at 100 organisations, each taking about 1.6 ms (timed with ``gc.callbacks`` over
    16 runs: 3.7 ms of a 101 ms run); at 10,000, 0.4 passes per run took 1.3 ms in all, and
    the run 98.5 ms.  Cyclic garbage is found as before, only in fewer passes; results never
    depend on when (the golden runs are unchanged with it)."""
    young, *older = threshold
    return (YOUNG_PASS if 0 < young < YOUNG_PASS else young, *older)


@contextmanager
def _runs_here() -> Iterator[None]:
    """A sweep in this process (one worker): young passes as for runs
    (:func:`young_passes_for_runs`) while it lasts, then the collector as it was."""
    before = gc.get_threshold()
    gc.set_threshold(*young_passes_for_runs(before))
    try:
        yield
    finally:
        gc.set_threshold(*before)


def model_loaded() -> bool:
    """Whether this process has the model loaded already (a script or notebook that made a
    model, or imported it): then it can make runs at once, without loading it first."""
    return MODEL_MODULE in sys.modules


def _start_worker() -> None:
    """A new worker of pppsim's pool leaves Ctrl-C to the main process, which stops the sweep
    cleanly, and is prepared (:func:`prepare_worker`)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    prepare_worker()


def _worker_context() -> multiprocessing.context.BaseContext:
    """Forkserver, its server preloading the model and the compiled month (loaded once, not
    once per worker), where the system has it; spawn elsewhere."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["__main__", MODEL_MODULE, READY_MODULE])
    return context


def _started() -> None:
    """A task that does nothing: submitted once per worker, it starts the workers (and their
    imports) while the main process prepares the sweep."""


def _start_workers(pool: ProcessPoolExecutor, workers: int, started: threading.Event) -> None:
    """Start the pool's workers (a task that does nothing for each), then set ``started``.

    Runs in a thread: starting a worker through the forkserver waits until the server has
    loaded the model (most of a second), and the caller meanwhile reads the experiment,
    prepares the results folder, or makes runs itself (:func:`~.runner.run_sweep`).  A pool
    that cannot start its workers fails the same way on the caller's own next submission,
    which reports it (the sweep's message on stopped workers)."""
    try:
        for _ in range(workers):
            pool.submit(_started)
    except Exception:  # reported by the caller's next submission
        pass
    finally:
        started.set()


@contextmanager
def open_executor(workers: int | None = None, scheduler: str | None = None
                  ) -> Iterator[ExecutorInfo]:
    """Open the executor for a sweep and close it afterwards.

    Parameters
    ----------
    workers
        Local worker processes (default: all cores); with ``scheduler="local"``, the number of
        Dask workers.  Ignored for a remote scheduler (its workers are counted).
    scheduler
        ``None`` for local processes, ``"local"`` for a local Dask cluster, or the address of
        a Dask scheduler (``tcp://host:8786``).
    """
    workers = workers or default_workers()
    if scheduler is None:
        if workers == 1:
            with _runs_here():
                yield ExecutorInfo(InProcessExecutor(), "in-process", 1)
            return
        accelerator.warm_up(if_not_cached=True)  # compiled once here, not in every worker
        pool = ProcessPoolExecutor(max_workers=workers, initializer=_start_worker,
                                   mp_context=_worker_context())
        started = threading.Event()
        starter = threading.Thread(target=_start_workers, args=(pool, workers, started),
                                   name="pppsim-start-workers", daemon=True)
        starter.start()
        try:
            yield ExecutorInfo(pool, "process pool", workers, started.is_set)
        finally:
            starter.join()
            pool.shutdown(wait=True, cancel_futures=True)
        return
    with _dask_client(workers, scheduler) as (client, name):
        identities = client.run(_worker_identity).values()  # one round trip to every worker
        versions = {version for version, _ in identities}
        if versions != {model_version()}:
            raise ExperimentError(
                f"Dask workers at {scheduler} run model version(s) {sorted(versions)}, this "
                f"machine {model_version()}: install the same pppsim on every worker")
        kinds = {numerics for _, numerics in identities}
        if len(kinds) != 1:
            raise ExperimentError(
                f"Dask workers at {scheduler} compute with {len(kinds)} kinds of numerics "
                f"({', '.join(sorted(kinds))}): the same seed would give results that differ "
                "in the last bits from worker to worker; use workers of one kind (the same "
                "CPU family, NumPy and BLAS; docs/sweeps.md §5)")
        with _prepared_workers(client):
            count = sum(client.nthreads().values())
            with client.get_executor(pure=False) as executor:
                yield ExecutorInfo(executor, name, count, numerics=kinds.pop())


def _worker_identity() -> tuple[str, str]:
    """What a Dask worker must share with the sweep: its model version and its numerics."""
    return model_version(), fingerprint()


@contextmanager
def _prepared_workers(client: Any) -> Iterator[None]:
    """Every Dask worker, and any that joins, is prepared like a worker of pppsim's pool
    (:func:`prepare_worker`, by a worker plugin) until the sweep ends; then the plugin is
    removed and each worker's collector is handed back as it was."""
    from .dask_workers import PreparedWorker

    client.register_plugin(PreparedWorker())
    try:
        yield
    finally:
        # a lost scheduler, or a plugin another pppsim sweep on the cluster removed already
        with suppress(OSError, TimeoutError, ValueError):
            client.unregister_worker_plugin(PreparedWorker.name)


@contextmanager
def _dask_client(workers: int, scheduler: str) -> Iterator[tuple[Any, str]]:
    from dask.distributed import Client, LocalCluster

    if scheduler == "local":
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster, Client(cluster) as client:
            yield client, "dask local cluster"
        return
    try:
        client = Client(scheduler, timeout="10s")
    except (OSError, ValueError, TypeError) as exc:
        raise ExperimentError(f"cannot reach the Dask scheduler at {scheduler}: "
                              f"{' '.join(str(exc).split())}") from None
    with client:
        yield client, f"dask {scheduler}"
