"""Progress of a sweep: a rich bar on a terminal, plain periodic lines in a log.

Both show the same rate as the sweep's final summary (:class:`~.runner.SweepStats`): runs
finished in this session divided by the seconds since the session started, so the bar's
"runs/s" and the summary's agree (a windowed speed would not: runs come back in chunks).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from .runner import RunRecord

LOG_INTERVAL = 10.0
"""Seconds between two progress lines when the output is not a terminal."""


def clock(seconds: float) -> str:
    """``h:mm:ss``."""
    seconds = round(seconds)
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


class SweepProgress:
    """``with SweepProgress(name) as bar:`` then pass ``bar.start`` / ``bar.advance`` to
    :func:`~pppsim.experiment.runner.run_sweep`.

    On a terminal a bar; otherwise (output to a file or a pipe) one plain line every
    :data:`LOG_INTERVAL` seconds and one at the end.  Nothing is shown for a session with
    nothing to run.
    """

    def __init__(self, name: str, console: Console | None = None, *,
                 interval: float = LOG_INTERVAL,
                 now: Callable[[], float] = time.perf_counter) -> None:
        self.console = console or Console()
        self.name = name
        self.interval = interval
        self.now = now
        self.live = self.console.is_terminal
        self.bar = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TaskProgressColumn(), TextColumn("{task.fields[rate]}"),
            TextColumn("[red]{task.fields[failed]} failed"), TimeElapsedColumn(),
            TextColumn("ETA"), TimeRemainingColumn(), console=self.console)
        self.task = self.bar.add_task(name, total=None, failed=0, rate="", visible=False)
        self.planned = 0
        self.finished = 0
        self.failed = 0
        self.started = self.now()
        self.last_line = self.started

    def start(self, planned: int) -> None:
        """The session starts now, with ``planned`` runs to make."""
        self.planned = planned
        self.started = self.last_line = self.now()
        self.bar.update(self.task, total=planned, visible=planned > 0)

    def rate(self) -> float:
        """Runs finished per second since the session started (as the final summary)."""
        elapsed = self.now() - self.started
        return self.finished / elapsed if elapsed > 0 else float("nan")

    def advance(self, record: RunRecord) -> None:
        self.finished += 1
        self.failed += record.error is not None
        rate = self.rate()
        self.bar.update(self.task, advance=1, failed=self.failed,
                        rate=f"{rate:.2f} runs/s" if rate == rate else "")
        if not self.live and (self.now() - self.last_line >= self.interval
                              or self.finished == self.planned):
            self.log_line()

    def log_line(self) -> None:
        """One plain line: runs done of planned, failures, rate, elapsed time and ETA."""
        self.last_line = self.now()
        elapsed = self.last_line - self.started
        rate = self.rate()
        left = self.planned - self.finished
        eta = f", ETA {clock(left / rate)}" if left and rate > 0 else ""
        share = self.finished / self.planned if self.planned else 1.0
        self.console.print(
            f"{self.name}: {self.finished}/{self.planned} runs ({share:.0%}), "
            f"{self.failed} failed, {rate:.2f} runs/s, elapsed {clock(elapsed)}{eta}",
            markup=False, highlight=False, soft_wrap=True)

    def __enter__(self) -> SweepProgress:
        if self.live:
            self.bar.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.live:
            self.bar.stop()
        elif self.finished != self.planned and self.finished:
            self.log_line()  # interrupted: say where it stopped
