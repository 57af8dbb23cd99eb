"""The ``pppsim sweep``, ``status``, ``export`` and ``verify`` commands."""

from __future__ import annotations

import sys
import time
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..limits import MAX_RUNS
from .common import interrupted, resumable_study, scenario_settings

if TYPE_CHECKING:
    from ..experiment.store import ResultStore

EXIT_DAMAGED = 1
"""Exit status of ``pppsim verify`` when damage remains."""


@click.command()
@resumable_study
@scenario_settings
@click.option("--chunk-size", type=click.IntRange(min=1), default=None,
              help="Runs per task (default: automatic).")
@click.option("--retry-failed", is_flag=True, help="Re-run the runs that failed before.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--max-runs", type=click.IntRange(min=1), default=MAX_RUNS, show_default=True,
              help="Refuse a larger design (points x replications); raise it for a giant.")
def sweep(experiment: Path, out: Path | None, workers: int | None, scheduler: str | None,
          settings: tuple[str, ...], chunk_size: int | None, retry_failed: bool, quiet: bool,
          max_runs: int) -> None:
    """Run every (point, replication) of EXPERIMENT (a .toml file) missing from --out.

    --set changes the experiment's base scenario (and overrides its [fixed] values)."""
    from ..experiment.api import sweep as run
    from ..experiment.executors import open_executor

    out = out or Path("runs") / experiment.stem
    # local worker processes start (and load the model) while the experiment is read
    early = scheduler is None
    try:
        with open_executor(workers) if early else nullcontext() as executor:
            from ..experiment.files import load_experiment

            loaded = load_experiment(experiment, max_runs=max_runs, settings=settings)
            stats = run(loaded, out, workers=workers, scheduler=scheduler,
                        chunk_size=chunk_size, retry_failed=retry_failed,
                        progress=not quiet, executor=executor)
    except KeyboardInterrupt:
        interrupted(out)
    click.echo(stats.text())
    _print_status(out)


def _print_status(folder: Path) -> None:
    from ..experiment.store import ResultStore

    with ResultStore.open(folder) as store:
        counts = store.counts()
        click.echo(f"{folder}: {counts.done} done, {counts.failed} failed, "
                   f"{counts.remaining} remaining of {counts.total} runs")
        failures = store.failures(limit=5)
        for point, replication, seed, error in failures:
            click.echo(f"  failed: point {point} replication {replication} seed {seed}: "
                       f"{error}")
        if counts.failed > len(failures):
            click.echo(f"  ... and {counts.failed - len(failures)} more failures")
        if counts.failed:
            click.echo("  tracebacks: load_results(folder, include_failed=True) or the "
                       "runs table; re-run them with --retry-failed")


def _print_missing(folder: Path) -> None:
    """Name the metrics that are undefined (NaN) in some finished runs, with their counts
    (kept by the ledger as runs finish; counted from the results table for older ledgers)."""
    from ..experiment.store import ResultStore

    with ResultStore.open(folder) as store:
        kept = store.undefined_counts()
    if kept is None:
        from ..experiment.results import load_results

        runs = load_results(folder)
        metrics = runs.attrs.get("metrics") or []
        n_runs = len(runs)
        missing = {m: int(runs[m].isna().sum()) for m in metrics if m in runs}
    else:
        n_runs, missing = kept
    missing = {m: n for m, n in missing.items() if n}
    if not missing:
        return
    click.echo(f"  undefined (NaN) in some of the {n_runs} finished runs, e.g. a share of "
               "ended partnerships where none ended; analyses leave those runs out and say so:")
    for metric, n in sorted(missing.items(), key=lambda item: -item[1]):
        click.echo(f"    {metric}: {n} of {n_runs} runs")


@click.command()
@click.argument("folder", type=click.Path(path_type=Path))
def status(folder: Path) -> None:
    """Show done / failed / remaining runs of a sweep's results FOLDER (read-only)."""
    from ..experiment.store import ResultStore

    _print_status(folder)
    _print_missing(folder)
    with ResultStore.open(folder) as store:
        _print_numerics(store)
        for session in store.sessions():
            started = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(session["started"]))
            state = ("running, or killed" if session["finished"] is None else
                     "interrupted" if session["interrupted"] else "finished")
            click.echo(f"  session {session['session']} {started}: {session['executor']}, "
                       f"{session['workers']} workers, {session['runs_done']} done, "
                       f"{session['runs_failed']} failed ({state})")


def _print_numerics(store: ResultStore) -> None:
    """The numerics the folder's runs were made with (docs/sweeps.md §5).  This machine's
    are not computed here: that would load NumPy, and ``status`` starts fast."""
    made = store.numerics()
    if made is not None:
        click.echo(f"  numerics of its runs: {made} (this machine's: python -m pppsim.numerics)")


def _deprecated_output(ctx: click.Context, param: click.Parameter,
                       value: Path | None) -> Path | None:
    if value is not None:
        click.echo("pppsim: note: --output is deprecated; use --out (as every other "
                   "command)", err=True)
    return value


@click.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["csv", "parquet", "xlsx"]), default="csv",
              show_default=True, help="File format: csv, parquet, or xlsx (a spreadsheet).")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Output file (default: FOLDER/results.<format>).")
@click.option("--output", type=click.Path(path_type=Path), default=None, hidden=True,
              callback=_deprecated_output, expose_value=True,
              help="Deprecated name of --out.")
def export(folder: Path, fmt: str, out: Path | None, output: Path | None) -> None:
    """Write the results of FOLDER as one table (one row per finished run)."""
    from ..experiment.results import export_results

    if out is not None and output is not None:
        raise click.UsageError("give --out only (--output is its deprecated name)")
    click.echo(f"results written to {export_results(folder, fmt, out or output)}")


@click.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--repair", is_flag=True,
              help="Drop the damaged runs (rebuilding a damaged file from its readable rows), "
                   "so that re-running the sweep makes exactly those again.")
def verify(folder: Path, repair: bool) -> None:
    """Check a results FOLDER thoroughly: the SQLite file, the experiment's definition and
    design points, and every stored run against its checksum.

    Exit status 0 if nothing is damaged (or --repair repaired it), 1 if damage remains.
    """
    from ..experiment.store import ResultStore

    report = ResultStore.verify(folder, repair=repair)
    for line in report.lines():
        click.echo(line)
    if report.unrepairable or (not report.ok and not repair):
        sys.exit(EXIT_DAMAGED)
