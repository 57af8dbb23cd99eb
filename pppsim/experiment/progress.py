"""A rich progress bar for sweeps: runs done, rate, ETA and failures."""

from __future__ import annotations

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


class SweepProgress:
    """``with SweepProgress(name) as bar:`` then pass ``bar.start`` / ``bar.advance`` to
    :func:`~pppsim.experiment.runner.run_sweep`."""

    def __init__(self, name: str, console: Console | None = None) -> None:
        self.bar = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TaskProgressColumn(), TextColumn("{task.fields[rate]}"),
            TextColumn("[red]{task.fields[failed]} failed"), TimeElapsedColumn(),
            TextColumn("ETA"), TimeRemainingColumn(), console=console)
        self.name = name
        self.task = self.bar.add_task(name, total=None, failed=0, rate="")
        self.failed = 0

    def start(self, planned: int) -> None:
        self.bar.update(self.task, total=planned)

    def advance(self, record: RunRecord) -> None:
        self.failed += record.error is not None
        speed = self.bar.tasks[self.task].speed
        self.bar.update(self.task, advance=1, failed=self.failed,
                        rate=f"{speed:.1f} runs/s" if speed else "")

    def __enter__(self) -> SweepProgress:
        self.bar.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.bar.stop()
