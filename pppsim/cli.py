"""The ``pppsim`` command line."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from .errors import EXIT_BAD_INPUT, one_line
from .experiment.commands import export as export_command
from .experiment.commands import status as status_command
from .experiment.commands import sweep as sweep_command
from .experiment.commands import verify as verify_command
from .explain import explain_command
from .report.commands import compare as compare_command
from .robustness.commands import robustness as robustness_command
from .scenario import MONTHS_RANGE, load_scenario
from .sensitivity.commands import discover as discover_command
from .sensitivity.commands import sensitivity as sensitivity_command
from .serve import app_command
from .teaching import demo_command

PROGRESS_WORK = 200 * 240
"""Organisation-months above which a run shows a progress bar."""


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="pppsim")
def cli() -> None:
    """Simulate public-private partnerships for crime prevention."""


@cli.command()
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

    from .run import simulate, summary_text, write_run

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


@cli.command()
@click.option("--markdown", is_flag=True, help="Print a Markdown table (as in docs/ODD.md).")
def parameters(markdown: bool) -> None:
    """List every scenario parameter with its section, default, range and units."""
    from .parameters import parameter_markdown, parameter_table

    if markdown:
        click.echo(parameter_markdown())
        return
    for row in parameter_table():
        span = f"{row['min']}..{row['max']}" if row["min"] is not None else "true/false"
        click.echo(f"[{row['section']}] {row['name']} = {row['default']}  ({span}, "
                   f"{row['units']})  {row['why']}")


cli.add_command(app_command)
cli.add_command(explain_command)
cli.add_command(demo_command)
cli.add_command(sweep_command)
cli.add_command(status_command)
cli.add_command(verify_command)
cli.add_command(export_command)
cli.add_command(sensitivity_command)
cli.add_command(discover_command)
cli.add_command(compare_command)
cli.add_command(robustness_command)

@cli.command()
@click.option("--quick", is_flag=True, help="Fewer replications (16 instead of 40 per condition).")
@click.option("--out", type=click.Path(path_type=Path), default=Path("runs/claims"),
              show_default=True, help="Folder for claims.md, claims.csv and the run ledger.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: all cores).")
@click.option("--scheduler", default=None, help="'local' or a Dask scheduler address.")
@click.option("--seed", type=click.IntRange(min=0), default=2024, show_default=True,
              help="Base seed of the paired experiments.")
def claims(quick: bool, out: Path, workers: int | None, scheduler: str | None,
           seed: int) -> None:
    """Check the seed documents' twelve claims as paired experiments."""
    from .claims import FULL, QUICK, claim_table, run_claims, to_markdown

    mode = QUICK if quick else FULL
    verdicts = run_claims(mode, seed=seed, out=out, workers=workers, scheduler=scheduler,
                          progress=True)
    out.mkdir(parents=True, exist_ok=True)
    verdicts.to_csv(out / "claims.csv", index=False)
    (out / "claims.md").write_text(to_markdown(verdicts, mode, seed))
    for number, row in claim_table(verdicts).iterrows():
        checks = verdicts[verdicts["claim"] == number]
        effects = "; ".join(f"{r.statement} = {r.effect:.3g} [{r.low:.3g}, {r.high:.3g}]"
                            for r in checks.itertuples())
        click.echo(f"{'holds' if row.holds else 'FAILS'}  {number:>2}. {row.title} "
                   f"[{row.source}]\n        {effects}")
    summary = claim_table(verdicts)
    click.echo(f"{int(summary['holds'].sum())} of {len(summary)} claims hold "
               f"({mode.name} mode); written to {out}/claims.md and claims.csv")
    if not summary["holds"].all():
        sys.exit(1)


@cli.command()
@click.argument("scenario", type=click.Path(path_type=Path),
                default=Path("scenarios/baseline.toml"))
@click.option("--replications", type=click.IntRange(min=2), default=30, show_default=True)
@click.option("--seed", type=click.IntRange(min=0), default=1, show_default=True)
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: all cores).")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Folder for patterns.md and the run ledger (default: runs/patterns-<name>).")
def patterns(scenario: Path, replications: int, seed: int, workers: int | None,
             out: Path | None) -> None:
    """Stylised facts of SCENARIO (default: the baseline) beside published patterns."""
    from .validation import stylised_facts, to_markdown

    loaded = load_scenario(scenario)
    out = out or Path("runs") / f"patterns-{scenario.stem}"
    facts = stylised_facts(loaded, replications=replications, seed=seed, out=out / "runs",
                           workers=workers, progress=True)
    text = to_markdown(facts, loaded, replications)
    (out / "patterns.md").write_text(text)
    click.echo(text)
    click.echo(f"written to {out}/patterns.md")


TRACEBACK_VARIABLE = "PPPSIM_TRACEBACK"
"""Set to 1 to get the full traceback of a reported error (for debugging pppsim)."""


def main(argv: list[str] | None = None) -> None:
    """Entry point: one-line errors and exit code 2 for bad input and faults of the system
    (:func:`pppsim.errors.one_line`), never a traceback; a bug in pppsim keeps its
    traceback."""
    try:
        cli.main(args=argv, prog_name="pppsim", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("pppsim: interrupted", err=True)
        sys.exit(130)
    except click.Abort:
        click.echo("pppsim: aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        message = " ".join(exc.format_message().split())
        click.echo(f"pppsim: error: {message}", err=True)
        sys.exit(EXIT_BAD_INPUT if isinstance(exc, click.UsageError) else exc.exit_code)
    except Exception as exc:
        message = one_line(exc)
        if message is None or os.environ.get(TRACEBACK_VARIABLE) == "1":
            raise
        click.echo(f"pppsim: error: {message}", err=True)
        sys.exit(EXIT_BAD_INPUT)


if __name__ == "__main__":
    main()
