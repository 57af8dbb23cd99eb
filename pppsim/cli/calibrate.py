"""``pppsim calibrate``: ABC-SMC against published patterns; the posterior and its checks."""

from __future__ import annotations

import shlex
import sys
import time
from pathlib import Path

import click

from .common import interrupted


@click.command()
@click.argument("targets", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Calibration folder (default: runs/<targets file>, with -quick for "
                   "--quick). Re-run to resume after the last finished generation.")
@click.option("--quick", is_flag=True,
              help="The file's [quick] settings: a test-sized calibration.")
@click.option("--population", type=click.IntRange(2, 100_000), default=None,
              help="Particles per generation (default: the file's [abc] population).")
@click.option("--generations", type=click.IntRange(1, 100), default=None,
              help="Generations at most (default: the file's); raise it to extend a "
                   "finished calibration.")
@click.option("--replications", type=click.IntRange(1, 1000), default=None,
              help="Runs per particle (default: the file's).")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: all cores; 1 runs in this process, "
                   "reproducibly from the seed).")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Dask scheduler address (tcp://host:8786), or 'local' for a local Dask "
                   "cluster.")
def calibrate(targets: Path, out: Path | None, quick: bool, population: int | None,
              generations: int | None, replications: int | None, workers: int | None,
              scheduler: str | None) -> None:
    """Calibrate the uncertain parameters to the patterns of TARGETS (a .toml file) by
    ABC-SMC; write the weighted posterior, acceptance per generation, marginal and pairs
    plots, posterior predictive checks of every target and independent check, and
    summary.md (which parameters the patterns pin down)."""
    from dataclasses import replace

    from ..calibration.abc import calibrate as run
    from ..calibration.outputs import write_outputs
    from ..calibration.targets import load_calibration

    spec = load_calibration(targets)
    if quick:
        spec = spec.quick_mode()
    settings = {k: v for k, v in (("population", population), ("generations", generations),
                                  ("replications", replications)) if v is not None}
    spec = replace(spec, abc=replace(spec.abc, **settings))
    out = out or Path("runs") / (targets.stem + ("-quick" if quick else ""))
    command = "pppsim calibrate " + " ".join(shlex.quote(a) for a in sys.argv[2:])
    start = time.perf_counter()
    try:
        run(spec, out, workers=workers, scheduler=scheduler)
        outputs = write_outputs(spec, out, command=command, workers=workers,
                                scheduler=scheduler)
    except KeyboardInterrupt:
        interrupted(out)
    generations_table = outputs["generations"]
    for row in generations_table.itertuples():
        click.echo(f"generation {row.generation}: epsilon {row.epsilon:.3g}, "
                   f"{row.accepted} of {row.simulations} accepted "
                   f"({100 * row.acceptance_rate:.0f}%)")
    verdicts = outputs["parameters"]["verdict"].value_counts()
    click.echo(f"{len(outputs['parameters'])} parameters: "
               f"{verdicts.get('pinned down', 0)} pinned down, "
               f"{verdicts.get('narrowed', 0)} narrowed, "
               f"{verdicts.get('left open', 0)} left open by the patterns")
    click.echo(f"written to {out}/ (summary.md, posterior.csv, predictive.csv, "
               f"marginals.png, pairs.png) in {time.perf_counter() - start:.0f} s")
