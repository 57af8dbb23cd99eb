"""``pppsim robustness``: policies x uncertain futures, and the report."""

from __future__ import annotations

from pathlib import Path

import click

from .common import interrupted, resumable_study


@click.command("robustness")
@resumable_study
@click.option("--quiet", is_flag=True, help="No progress bar.")
def robustness(experiment: Path, out: Path | None, workers: int | None,
               scheduler: str | None, quiet: bool) -> None:
    """Which policy holds up across uncertain futures, and where does it fail?

    Runs every policy of EXPERIMENT (a .toml file) in the same Latin-hypercube futures, with
    replications, on the sweep engine (resumable; all cores or Dask), then writes report.html
    (self-contained) and CSV tables to --out: ranking, regret, satisficing, and PRIM boxes of
    the futures in which the preferred policy fails.  Format: docs/robustness.md.
    """
    from ..fileio import prepare_folder
    from ..robustness.files import load_robustness
    from ..robustness.report import bottom_line, write_report
    from ..robustness.study import P_REGRET, default_folder, run_robustness

    spec = load_robustness(experiment)
    folder = out or default_folder(experiment)
    prepare_folder(folder)  # OS faults end in one line through pppsim.errors
    try:
        result = run_robustness(spec, folder, workers=workers, scheduler=scheduler,
                                progress=not quiet)
        path = write_report(result)
    except KeyboardInterrupt:
        interrupted(folder)
    click.echo(bottom_line(result))
    for row in result.ranking.itertuples():
        click.echo(f"  {row.rank}. {row.policy}: meets the thresholds in {row.met} of "
                   f"{row.met + row.failed} futures"
                   f"{f' ({row.undefined} undefined, left out)' if row.undefined else ''}; regret "
                   f"mean {row.mean_regret:.3g}, 90th percentile {getattr(row, P_REGRET):.3g}, "
                   f"max {row.max_regret:.3g}")
    click.echo(f"report written to {path} (tables in {folder}/)")
