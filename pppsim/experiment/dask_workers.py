"""The Dask worker plugin that prepares a worker for pppsim's runs (imports Dask: loaded only
when a sweep runs on Dask)."""

from __future__ import annotations

import gc
from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

from .executors import prepare_worker


class PreparedWorker(WorkerPlugin):
    """Run :func:`~.executors.prepare_worker` once in each worker process (the model loaded,
    then ``gc.freeze``), as pppsim's own pool does in its workers' initializer.

    Dask calls :meth:`setup` in every worker when the plugin is registered and in every worker
    that joins later (a restarted one too); :meth:`teardown` when the plugin is removed or the
    worker closes.  It puts the collector's thresholds back and unfreezes what :meth:`setup`
    froze, so that a worker of a shared cluster goes on as it was, unless the worker had
    frozen objects before (``gc.unfreeze`` would release those too: then all stay frozen)."""

    name = "pppsim-prepared-worker"

    def __init__(self) -> None:
        self.froze = False
        self.threshold: tuple[int, ...] | None = None

    def setup(self, worker: Any) -> None:
        self.froze = gc.get_freeze_count() == 0
        self.threshold = gc.get_threshold()
        prepare_worker()

    def teardown(self, worker: Any) -> None:
        if self.froze:
            gc.unfreeze()
        if self.threshold is not None:
            gc.set_threshold(*self.threshold)
