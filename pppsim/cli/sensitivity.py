"""The ``pppsim sensitivity`` and ``pppsim discover`` commands."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..fileio import prepare_folder, staged_folder
from ..limits import MAX_RUNS
from ..sensitivity.methods import Method
from .common import interrupted


def _names(value: str | None) -> list[str] | None:
    return [n.strip() for n in value.split(",") if n.strip()] if value else None


@click.command()
@click.argument("experiment", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Study folder (default: runs/sensitivity-<experiment>). Re-run to resume.")
@click.option("--method", type=click.Choice([str(m) for m in Method]), default=None,
              help="Default: the experiment's design kind (an lhs design means rbd-fast).")
@click.option("--samples", type=click.IntRange(min=1), default=None,
              help="Design size (sobol: N, a power of 2; morris: trajectories; fast: samples "
                   "per parameter; rbd-fast, pawn: points). Default: the experiment's.")
@click.option("--second-order/--no-second-order", default=None,
              help="Sobol: also second-order indices (default: the experiment's setting).")
@click.option("--levels", type=click.IntRange(min=2), default=None,
              help="Morris: grid levels (default: the experiment's, else 4).")
@click.option("--replications", type=click.IntRange(min=1), default=None,
              help="Runs per design row (default: the experiment's).")
@click.option("--only", default=None, metavar="A,B,...",
              help="Vary only these parameters; the others stay mid-range.")
@click.option("--outputs", default=None, metavar="A,B,...",
              help="Analyse only these metrics (default: every recorded metric).")
@click.option("--extend", is_flag=True,
              help="Double N of the Sobol study in --out, reusing its finished runs (an "
                   "interrupted extension is finished first).")
@click.option("--no-dummy", is_flag=True, help="Leave out the dummy parameter.")
@click.option("--tolerance", type=click.FloatRange(min=0, min_open=True), default=0.05,
              show_default=True, help="Sobol convergence: largest accepted ST ± half-width.")
@click.option("--confidence", type=click.FloatRange(0.5, 1, max_open=True), default=0.95,
              show_default=True, help="Level of the bootstrap confidence intervals.")
@click.option("--resamples", type=click.IntRange(min=10), default=1000, show_default=True,
              help="Bootstrap resamples.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: all cores; 1 runs in this process).")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Dask scheduler address (tcp://host:8786), or 'local'.")
@click.option("--retry-failed", is_flag=True, help="Re-run the runs that failed before.")
@click.option("--analyse-only", is_flag=True,
              help="Analyse the finished runs in --out without running anything (e.g. with "
                   "other analysis options after the model has changed).")
@click.option("--no-plots", is_flag=True, help="Write tables and the report only.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--max-runs", type=click.IntRange(min=1), default=MAX_RUNS, show_default=True,
              help="Refuse a larger study (design rows x replications); raise it for a giant.")
@click.option("--pilot", is_flag=True,
              help="Run a pilot instead (a Latin hypercube of --samples points, default 20, x "
                   "--replications runs, default 10) and recommend the replications.")
@click.option("--max-replications", type=click.IntRange(min=2), default=None,
              help="With --pilot: the budget (default 20); outputs that need more are named.")
def sensitivity(experiment: Path, out: Path | None, method: str | None, samples: int | None,
                second_order: bool | None, levels: int | None, replications: int | None,
                only: str | None, outputs: str | None, extend: bool, no_dummy: bool,
                tolerance: float, confidence: float, resamples: int, workers: int | None,
                scheduler: str | None, retry_failed: bool, analyse_only: bool, no_plots: bool,
                quiet: bool, max_runs: int, pilot: bool,
                max_replications: int | None) -> None:
    """Global sensitivity analysis of EXPERIMENT (a .toml file with [vary] ranges).

    Samples the ranges with SALib (plus a dummy parameter), runs every design row
    --replications times on the sweep engine (resumable), and analyses the replication mean
    and SD of every recorded metric: indices.csv, noise.csv, convergence.csv, plots/ and
    report.md in --out.  With --pilot, first measure each metric's noise share and the
    replications it needs (--out/pilot/).  Workflow and options: docs/sensitivity.md.
    """
    from ..experiment import load_experiment
    from ..sensitivity import study as studies
    from ..sensitivity.analysis import analyse
    from ..sensitivity.convergence import convergence
    from ..sensitivity.report import metric_descriptions, write_report

    loaded = load_experiment(experiment, max_runs=max_runs)
    out = out or Path("runs") / f"sensitivity-{experiment.stem}"
    if max_replications is not None and not pilot:
        raise click.UsageError("--max-replications goes with --pilot")
    if pilot:
        if extend or analyse_only:
            raise click.UsageError("--pilot runs a pilot; leave out --extend and "
                                   "--analyse-only")
        _run_pilot(loaded, out, experiment, method=method, points=samples,
                   replications=replications, only=_names(only), outputs=_names(outputs),
                   max_replications=max_replications, workers=workers, scheduler=scheduler,
                   retry_failed=retry_failed, quiet=quiet)
        return
    _check_size(loaded, method, samples, second_order, _names(only), not no_dummy,
                replications, extend, max_runs)
    prepare_folder(out)
    study = studies.prepare(loaded, out, method=method, samples=samples,
                            second_order=second_order, levels=levels,
                            replications=replications, only=_names(only),
                            dummy=not no_dummy, double=extend)
    settings = study.settings
    reuse = ""
    if study.resumed:
        reuse = (f" (finishing the interrupted extension from N = {settings.samples // 2}; "
                 f"{study.reused} runs reused)")
    elif extend:
        reuse = f" ({study.reused} reused from N = {settings.samples // 2})"
    click.echo(f"{settings.method}: {len(study.design.samples)} design rows x "
               f"{settings.replications} replications = {study.experiment.n_runs} runs"
               + reuse)
    try:
        if not analyse_only:
            studies.run(study, workers=workers, scheduler=scheduler,
                        retry_failed=retry_failed, progress=not quiet)
    except KeyboardInterrupt:
        interrupted(study.runs_folder)
    values = studies.outputs(study, _names(outputs))
    result = analyse(study.design, values, confidence=confidence, resamples=resamples,
                     seed=loaded.seed, skip_invalid=True)
    analysed = {result.sources[label]: values[result.sources[label]]
                for label in result.outputs}
    table = (convergence(study.design, analysed, confidence=confidence, resamples=resamples,
                         seed=loaded.seed) if settings.method == Method.SOBOL else None)
    command = f"pppsim sensitivity {experiment}"
    with staged_folder(out) as stage:  # all or nothing: no half-written report
        write_report(result, out, title=loaded.name, convergence=table, tolerance=tolerance,
                     descriptions=metric_descriptions(list(values)), command=command,
                     runs=study.experiment.n_runs, plots=not no_plots, into=stage)
    for words in result.undefined:
        click.echo(f"undefined: {words}", err=True)
    for name, reason in result.skipped.items():
        if not any(words.startswith(f"{name}: ") for words in result.undefined):
            click.echo(f"not analysed: {name}: {reason}", err=True)
    for warning in [*result.noise_warnings, *result.notes]:
        click.echo(f"warning: {warning}", err=True)
    if result.inflated:
        labels = ", ".join(f"{output} ({statistic})"
                           for output, statistic, _, _ in result.inflated)
        effect = ("the report ranks by the dummy-corrected indices" if result.corrected
                  else "noise or too few samples inflate these indices")
        click.echo(f"warning: the dummy parameter's interval excludes 0 for {labels}: "
                   f"{effect} (report.md, Warnings)", err=True)
    click.echo(f"{len(result.outputs)} outputs analysed; report: {out / 'report.md'}")


def _check_size(loaded: Any, method: str | None, samples: int | None,
                second_order: bool | None, only: list[str] | None, dummy: bool,
                replications: int | None, extend: bool, max_runs: int) -> None:
    """Refuse a study larger than ``max_runs`` runs before its design is sampled."""
    from ..experiment.design import DesignKind, check_size
    from ..sensitivity.study import DEFAULT_METHOD

    method = method or DEFAULT_METHOD.get(DesignKind(loaded.design["kind"]))
    n = samples or loaded.design.get("samples")
    if method is None or n is None:
        return  # prepare() says what is missing
    d = len(only or loaded.factors) + int(dummy)
    if second_order is None:
        second_order = bool(loaded.design.get("second_order", False))
    per_row = {"sobol": 2 * d + 2 if second_order else d + 2, "morris": d + 1,
               "fast": d}.get(str(method), 1)
    check_size(n * per_row * (2 if extend else 1), replications or loaded.replications,
               max_runs, "sampled")


def _run_pilot(loaded, out: Path, path: Path, *, method: str | None, points: int | None,
               replications: int | None, only: list[str] | None, outputs: list[str] | None,
               max_replications: int | None, workers: int | None, scheduler: str | None,
               retry_failed: bool, quiet: bool) -> None:
    """``pppsim sensitivity --pilot``: run the pilot, print and write its recommendation."""
    from ..experiment import sweep
    from ..sensitivity import pilot as pilots
    from ..sensitivity import study as studies
    from ..sensitivity.problem import SensitivityError

    max_replications = max_replications or pilots.MAX_REPLICATIONS
    made = pilots.prepare_pilot(loaded, out, points=points, replications=replications,
                                only=only)
    click.echo(f"pilot: {made.points} points x {made.replications} replications = "
               f"{made.experiment.n_runs} runs (Latin hypercube over the [vary] ranges)")
    try:
        sweep(made.experiment, made.runs_folder, workers=workers, scheduler=scheduler,
              retry_failed=retry_failed, progress=not quiet)
    except KeyboardInterrupt:
        interrupted(made.runs_folder)
    frame, metrics = pilots.pilot_outputs(made, outputs)
    table = pilots.noise_table(frame, metrics, made.points)
    try:
        settings = studies._settings(loaded, method=method, samples=None, second_order=None,
                                     levels=None, replications=None, only=only, dummy=True,
                                     stored=None, double=False)
        rows = len(studies._design(settings, loaded.factors).samples)
    except SensitivityError:
        rows = None
    lines = pilots.summary_lines(made, table, max_replications, design_rows=rows,
                                 command=f"pppsim sensitivity {path} --out {out}",
                                 seconds=pilots.seconds_per_run(made))
    for line in lines:
        click.echo(line)
    written = pilots.write_pilot(made, table, lines)
    click.echo(f"pilot tables: {written[0]}; report: {written[1]}")


@click.command()
@click.argument("results", type=click.Path(path_type=Path))
@click.option("--metric", required=True, help="The outcome (a recorded metric).")
@click.option("--below", type=float, default=None, help="Cases: runs with metric < VALUE.")
@click.option("--above", type=float, default=None, help="Cases: runs with metric > VALUE.")
@click.option("--density", type=click.FloatRange(0, 1), default=0.8, show_default=True,
              help="Choose the box of largest coverage with at least this density.")
@click.option("--boxes", type=click.IntRange(min=1), default=3, show_default=True,
              help="Most boxes to find.")
@click.option("--mass-min", type=click.FloatRange(0, 1, min_open=True), default=0.05,
              show_default=True, help="Smallest box, as a share of all runs.")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Folder of the trajectory plot and box table (default: RESULTS).")
def discover(results: Path, metric: str, below: float | None, above: float | None,
             density: float, boxes: int, mass_min: float, out: Path | None) -> None:
    """Scenario discovery (PRIM): where do runs of RESULTS end with METRIC below/above VALUE?

    RESULTS is a sweep's results folder or a sensitivity study folder.  Every finished run is
    one case or not; prints each box's conditions, coverage and density, and plots the
    peeling trajectory.
    """
    import pandas as pd

    from ..experiment import load_results
    from ..sensitivity.discovery import discover as find_boxes
    from ..sensitivity.discovery import trajectory_figure
    from ..sensitivity.problem import SensitivityError
    from ..sensitivity.report import slug
    from ..sensitivity.study import SETTINGS_FILE, read_settings, runs_folder

    if (below is None) == (above is None):
        raise click.UsageError("give exactly one of --below VALUE and --above VALUE")
    folder = results
    if (results / SETTINGS_FILE).is_file():
        folder = runs_folder(results, read_settings(results))
    frame = load_results(folder)
    if metric not in frame.attrs["metrics"]:
        raise SensitivityError(f"--metric: '{metric}' was not recorded in {folder} "
                               f"(recorded: {', '.join(frame.attrs['metrics'])})")
    varied = frame.attrs["varied"]
    if not varied:
        raise SensitivityError(f"{folder}: no parameter varies between the runs")
    defined = frame[metric].notna()
    if not defined.all():
        click.echo(f"note: {int((~defined).sum())} runs with undefined {metric} are left out",
                   err=True)
    frame = frame[defined]
    values = frame[metric].to_numpy(dtype=float)
    cases = values < below if below is not None else values > above
    region = f"{metric} < {below:g}" if below is not None else f"{metric} > {above:g}"
    found = find_boxes(frame[varied], cases, density=density, max_boxes=boxes,
                       mass_min=mass_min)
    click.echo(f"{int(cases.sum())} of {len(cases)} runs ({cases.mean():.0%}) have {region}.")
    rows = []
    for k, box in enumerate(found, start=1):
        click.echo(f"box {k}: coverage {box.coverage:.0%}, density {box.density:.0%}, "
                   f"mass {box.mass:.0%}: {box.words()}")
        click.echo(f"  {box.density:.0%} of the runs with {box.words()} have {region};"
                   f" they hold {box.coverage:.0%} of all such runs.")
        rows += [{"box": k, "parameter": name, "low": low, "high": high,
                  "coverage": box.coverage, "density": box.density, "mass": box.mass}
                 for name, (low, high) in box.limits.items()]
    if not found:
        click.echo(f"no box is denser in {region} than the runs as a whole.")
    out = out or results
    name = f"discovery_{slug(metric)}"
    with staged_folder(out) as stage:  # all or nothing
        trajectory_figure(found, f"PRIM peeling trajectory: {region}").savefig(
            stage / f"{name}.png", dpi=110)
        pd.DataFrame(rows, columns=["box", "parameter", "low", "high", "coverage", "density",
                                    "mass"]).to_csv(stage / f"{name}.csv", index=False)
    click.echo(f"peeling trajectory: {out / f'{name}.png'}; boxes: {out / f'{name}.csv'}")
