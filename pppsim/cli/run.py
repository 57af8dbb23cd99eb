"""``pppsim run`` (one simulation) and ``pppsim parameters`` (the parameter table)."""

from __future__ import annotations

from pathlib import Path

import click

from ..limits import MONTHS_RANGE
from .common import language_option, scenario_settings

PROGRESS_WORK = 200 * 240
"""Organisation-months above which a run shows a progress bar."""


@click.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@scenario_settings
@click.option("--seed", type=click.IntRange(min=0), default=None,
              help="Random seed (default: the scenario's seed).")
@click.option("--months", type=click.IntRange(*MONTHS_RANGE), default=None,
              help="Horizon in months (default: the scenario's).")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Output folder (default: runs/<scenario>-seed<N>).")
@click.option("--format", "fmt", type=click.Choice(["csv", "parquet"]), default="csv",
              show_default=True, help="Table format.")
@language_option
def run(scenario: Path, settings: tuple[str, ...], seed: int | None, months: int | None,
        out: Path | None, fmt: str, lang: str | None) -> None:
    """Run one simulation of SCENARIO (a .toml file, or a shipped scenario by name: see
    pppsim scenarios) and write its results."""
    from rich.progress import Progress

    from ..i18n import language
    from ..run import simulate, summary_text, write_run
    from ..scenario import find_scenario, open_scenario

    loaded = open_scenario(scenario, settings)
    seed = loaded.seed if seed is None else seed
    months = loaded.months if months is None else months
    stem = find_scenario(scenario).stem + ("-changed" if settings else "")
    out = out or Path("runs") / f"{stem}-seed{seed}"
    work = loaded.parameters.n_organisations * months
    if work > PROGRESS_WORK:
        with Progress(transient=True) as bar:
            task = bar.add_task(f"simulating {loaded.name}", total=months)
            result = simulate(loaded, seed=seed, months=months,
                              progress=lambda m: bar.update(task, completed=m))
    else:
        result = simulate(loaded, seed=seed, months=months)
    with language(lang) as words:
        write_run(result, out, fmt)
        click.echo(summary_text(result))
        click.echo(words.gettext("results written to {folder}/").format(folder=out))


@click.command()
def scenarios() -> None:
    """List the shipped scenarios, one line each: the short name to give any command (pppsim
    run NAME, pppsim compare NAME NAME ...) and what the scenario asks."""
    from ..scenario import scenario_summary, shipped_scenarios

    shipped = shipped_scenarios()
    width = max((len(name) for name in shipped), default=0)
    for name, path in shipped.items():
        title, description = scenario_summary(path)
        click.echo(f"{name:{width}}  {title}: {description}" if description else
                   f"{name:{width}}  {title}")


@click.command()
@click.option("--markdown", is_flag=True, help="Print a Markdown table (as in docs/ODD.md).")
def parameters(markdown: bool) -> None:
    """List every scenario parameter with its section, default, range and units."""
    from ..parameters import parameter_markdown, parameter_table

    if markdown:
        click.echo(parameter_markdown())
        return
    for row in parameter_table():
        span = f"{row['min']}..{row['max']}" if row["min"] is not None else "true/false"
        click.echo(f"[{row['section']}] {row['name']} = {row['default']}  ({span}, "
                   f"{row['units']})  {row['why']}")
