"""``pppsim run`` (one simulation) and ``pppsim parameters`` (the parameter table)."""

from __future__ import annotations

from pathlib import Path

import click

from ..limits import MONTHS_RANGE

PROGRESS_WORK = 200 * 240
"""Organisation-months above which a run shows a progress bar."""


@click.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--seed", type=click.IntRange(min=0), default=None,
              help="Random seed (default: the scenario's seed).")
@click.option("--months", type=click.IntRange(*MONTHS_RANGE), default=None,
              help="Horizon in months (default: the scenario's).")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Output folder (default: runs/<scenario>-seed<N>).")
@click.option("--format", "fmt", type=click.Choice(["csv", "parquet"]), default="csv",
              show_default=True, help="Table format.")
def run(scenario: Path, seed: int | None, months: int | None, out: Path | None,
        fmt: str) -> None:
    """Run one simulation of SCENARIO (a .toml file) and write its results."""
    from rich.progress import Progress

    from ..run import simulate, summary_text, write_run
    from ..scenario import load_scenario

    loaded = load_scenario(scenario)
    seed = loaded.seed if seed is None else seed
    months = loaded.months if months is None else months
    out = out or Path("runs") / f"{scenario.stem}-seed{seed}"
    work = loaded.parameters.n_organisations * months
    if work > PROGRESS_WORK:
        with Progress(transient=True) as bar:
            task = bar.add_task(f"simulating {loaded.name}", total=months)
            result = simulate(loaded, seed=seed, months=months,
                              progress=lambda m: bar.update(task, completed=m))
    else:
        result = simulate(loaded, seed=seed, months=months)
    write_run(result, out, fmt)
    click.echo(summary_text(result))
    click.echo(f"results written to {out}/")


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
