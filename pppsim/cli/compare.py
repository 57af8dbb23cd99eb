"""``pppsim compare``: run scenarios with common random numbers and write the report."""

from __future__ import annotations

from pathlib import Path

import click

from ..limits import MAX_COMPARISON_REPLICATIONS as MAX_REPLICATIONS
from ..limits import MONTHS_RANGE
from .common import language_option, scenario_settings


@click.command("compare")
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(path_type=Path))
@scenario_settings
@click.option("--replications", type=click.IntRange(2, MAX_REPLICATIONS), default=None,
              help="Runs per scenario (default: 30, or the comparison file's).")
@click.option("--months", type=click.IntRange(*MONTHS_RANGE), default=None,
              help="Horizon in months (default: the first scenario's).")
@click.option("--seed", type=click.IntRange(min=0), default=None,
              help="Base seed (default: the first scenario's).")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: all cores).")
@click.option("--scheduler", default=None, help="'local' or a Dask scheduler address.")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Results folder (default: runs/compare-<scenario files>, or "
                   "runs/<comparison file>).")
@click.option("--title", default=None, help="Title of the report (default: the comparison "
              "file's name, or the scenarios' names).")
@language_option
def compare(scenarios: tuple[Path, ...], settings: tuple[str, ...], replications: int | None,
            months: int | None, seed: int | None, workers: int | None,
            scheduler: str | None, out: Path | None, title: str | None,
            lang: str | None) -> None:
    """Compare SCENARIOS (the first is the reference), or run one comparison file.

    A scenario is a .toml file or a shipped scenario's short name (pppsim scenarios lists
    them): pppsim compare baseline high_barriers.  --set changes every scenario; with one
    scenario it makes the second: pppsim compare baseline --set
    information_sharing.legal_barrier=0.1 compares the baseline with and without it.

    Every scenario runs N times with common random numbers (run k of every scenario sees the
    same chance events); the results folder gets report.html (self-contained: open it
    offline, forward it) and the CSV tables behind it.  Re-running resumes.
    """
    from ..i18n import language
    from ..report.compare import comparison_spec, default_folder, run_comparison
    from ..report.html import bottom_line, localised, summary_lines, write_report

    spec = comparison_spec(scenarios, replications=replications, months=months, seed=seed,
                           settings=settings, title=title)
    folder = out or default_folder(spec)
    comparison = run_comparison(spec, folder, workers=workers, scheduler=scheduler,
                                progress=True)
    with language(lang) as words:
        path = write_report(comparison)
        click.echo(bottom_line(comparison))
        for name, text in summary_lines(comparison):
            click.echo(f"{name}: {text}")
        if comparison.uncertainty_sentence:
            click.echo(localised(comparison).uncertainty_sentence)
        click.echo(words.gettext("report written to {path} (tables in {folder}/)")
                   .format(path=path, folder=folder))
