"""Sensitivity studies of the model: an experiment file's ranges, sampled, run on the engine.

A study folder (``--out``) holds::

    study.json            the study's settings (method, N, replications, parameters)
    runs/<method>-N<n>/   the engine's results folder (resumable ledger) of each design size
    indices.csv, noise.csv, convergence.csv, report.md, plots/   (written by .report)

The design rows become the engine's design points in SALib's row order (point i = row i),
so the results come back in that order and are checked against the design before analysis.
Runs use **independent** random streams: with common random numbers the rows that differ
only in the dummy column would repeat the very same runs, and the dummy could not show noise.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from ..experiment import Experiment, Factor, RunRecord, load_results, sweep
from ..experiment.design import DesignError, DesignKind, salib_problem
from ..experiment.experiment import ExperimentError
from ..experiment.manifest import build_manifest
from ..experiment.store import DATABASE, ResultStore
from ..scenario import ScenarioError, validate_parameters
from .analysis import OutputError
from .problem import (
    Method,
    SensitivityDesign,
    SensitivityError,
    extend,
    make_problem,
    sample,
)

SETTINGS_FILE = "study.json"
DEFAULT_METHOD = {DesignKind.SOBOL: Method.SOBOL, DesignKind.MORRIS: Method.MORRIS,
                  DesignKind.FAST: Method.FAST, DesignKind.LHS: Method.RBD_FAST}
"""The method a design kind implies when no method is given."""


@dataclass(frozen=True)
class StudySettings:
    """What a study samples: everything but N must stay the same for a folder's life."""

    method: str
    samples: int
    second_order: bool
    levels: int
    replications: int
    seed: int
    parameters: tuple[str, ...]
    dummy: bool

    def same_but_size(self, other: StudySettings) -> list[str]:
        """Names of the settings (other than ``samples``) that differ from ``other``."""
        mine, theirs = asdict(self), asdict(other)
        return [k for k in mine if k != "samples" and mine[k] != theirs[k]]


@dataclass(frozen=True)
class Study:
    """A sampled study: settings, the SALib design, the engine experiment and its folder."""

    settings: StudySettings
    design: SensitivityDesign
    experiment: Experiment
    factors: tuple[Factor, ...]
    folder: Path
    reused: int = 0
    """Runs of the half-size design copied into this one by ``--extend``."""
    resumed: bool = False
    """Whether ``--extend`` finishes an interrupted extension rather than doubling N."""

    @property
    def runs_folder(self) -> Path:
        return runs_folder(self.folder, self.settings)


def runs_folder(out: Path, settings: StudySettings) -> Path:
    return out / "runs" / f"{settings.method}-N{settings.samples}"


def finished(folder: Path) -> bool:
    """Whether the engine's results folder holds every run of its design (done or failed)."""
    if not (folder / DATABASE).is_file():
        return False
    try:
        with ResultStore.open(folder) as store:
            counts = store.counts()
    except ExperimentError:           # interrupted before its first run was recorded
        return False
    return counts.total > 0 and counts.remaining == 0


def _settings(experiment: Experiment, *, method: str | None, samples: int | None,
              second_order: bool | None, levels: int | None, replications: int | None,
              only: Sequence[str] | None, dummy: bool, stored: StudySettings | None,
              double: bool) -> StudySettings:
    """The study's settings: the options given, else the stored study's, else the file's."""
    kind = DesignKind(experiment.design["kind"])
    if not experiment.factors:
        raise SensitivityError(f"{experiment.name}: a sensitivity study needs an experiment "
                               "file with a [vary] table of ranges")
    if method is None:
        method = stored.method if stored else DEFAULT_METHOD.get(kind)
        if method is None:
            raise SensitivityError(f"{experiment.name}: a {kind} design implies no method; "
                                   "give --method (sobol, morris, fast, rbd-fast, pawn)")
    names = [f.name for f in experiment.factors]
    if only:
        unknown = [n for n in only if n not in names]
        if unknown:
            raise SensitivityError(f"--only: '{unknown[0]}' is not varied by "
                                   f"{experiment.name} (varied: {', '.join(names)})")
        names = [n for n in names if n in only]
    given = samples
    if samples is None:
        samples = stored.samples if stored else experiment.design.get("samples")
    if samples is None:
        raise SensitivityError(f"{experiment.name}: give --samples (the design has none)")
    settings = StudySettings(
        method=str(Method(method)), samples=samples,
        second_order=(second_order if second_order is not None
                      else stored.second_order if stored
                      else bool(experiment.design.get("second_order", False))),
        levels=levels or (stored.levels if stored else experiment.design.get("levels", 4)),
        replications=replications or experiment.replications,
        seed=int(experiment.design.get("seed", experiment.seed)),
        parameters=tuple(names), dummy=dummy)
    if stored is None:
        if double:
            raise SensitivityError("--extend needs a finished study in --out; run it once "
                                   "without --extend first")
        return settings
    changed = settings.same_but_size(stored)
    if changed:
        raise SensitivityError(
            f"the study in --out was made with other settings ({', '.join(changed)}: "
            f"{getattr(stored, changed[0])} -> {getattr(settings, changed[0])}); "
            "use a new --out")
    if double:
        if given is not None:
            raise SensitivityError("--extend doubles the N of the study in --out; leave out "
                                   "--samples")
        return StudySettings(**asdict(settings) | {"samples": 2 * stored.samples})
    if settings.samples != stored.samples:
        raise SensitivityError(
            f"the study in --out has N = {stored.samples}, not {settings.samples}; leave out "
            "--samples to re-analyse it, add --extend to double it, or use a new --out")
    return settings


def _design(settings: StudySettings, factors: Sequence[Factor]) -> SensitivityDesign:
    chosen = [f for f in factors if f.name in settings.parameters]
    try:
        problem = salib_problem(chosen)
    except DesignError as exc:
        raise SensitivityError(str(exc)) from None
    spec = make_problem(problem["names"], problem["bounds"], problem["dists"],
                        dummy=settings.dummy)
    return sample(spec, settings.method, settings.samples, seed=settings.seed,
                  second_order=settings.second_order, levels=settings.levels)


def _nominal(factor: Factor) -> Any:
    """The value a factor left out by ``--only`` keeps: the middle of its range or its mean."""
    if factor.mean is not None:
        return factor.cast(factor.mean)
    return factor.cast((factor.low + factor.high) / 2)


def _points(design: SensitivityDesign, factors: Sequence[Factor]) -> list[dict[str, Any]]:
    """The design rows as parameter dicts (integers rounded; the dummy dropped)."""
    by_name = {f.name: f for f in factors}
    fixed = {f.name: _nominal(f) for f in factors if f.name not in design.parameters}
    return [fixed | {name: by_name[name].cast(value)
                     for name, value in zip(design.parameters, row, strict=True)}
            for row in design.model_samples]


def _check_points(base: dict[str, Any], points: Sequence[dict[str, Any]], name: str) -> None:
    """Refuse a design with an invalid row before any run (e.g. two shares summing past 1)."""
    for row, point in enumerate(points):
        try:
            validate_parameters(base | point, source=f"{name}: design row {row}")
        except ScenarioError as exc:
            raise SensitivityError(f"{exc}; narrow the [vary] ranges") from None


def prepare(experiment: Experiment, out: str | Path, *, method: str | None = None,
            samples: int | None = None, second_order: bool | None = None,
            levels: int | None = None, replications: int | None = None,
            only: Sequence[str] | None = None, dummy: bool = True,
            double: bool = False) -> Study:
    """Sample the study of ``experiment`` into ``out`` (new, resumed, or doubled).

    Parameters
    ----------
    experiment
        A file-based experiment (its ``[vary]`` ranges, seed, months, outputs, base scenario).
    out
        The study folder.
    method, samples, second_order, levels, replications
        Override the experiment's design (``method`` defaults from its kind: sobol, morris,
        fast; an lhs design means rbd-fast).
    only
        Vary only these parameters; the others stay at the middle of their ranges.
    dummy
        Add the dummy parameter.
    double
        Double N of the Sobol study already in ``out``, reusing its finished runs; if that
        study is itself an extension that was interrupted, finish it instead (so that the
        same command, run again, completes what it started).

    Returns
    -------
    Study
        Ready to run with :func:`run`.
    """
    out = Path(out)
    stored = read_settings(out)
    resumed = False
    if double and stored is not None and not finished(runs_folder(out, stored)):
        half = replace(stored, samples=stored.samples // 2)
        if stored.samples % 2 or not runs_folder(out, half).is_dir():
            raise SensitivityError(
                f"the study in --out (N = {stored.samples}) is not finished; run the same "
                "command without --extend to finish it, then extend it")
        resumed, double = True, False
    settings = _settings(experiment, method=method, samples=samples,
                         second_order=second_order, levels=levels, replications=replications,
                         only=only, dummy=dummy, stored=stored, double=double)
    if double and settings.method != Method.SOBOL:
        raise SensitivityError(f"--extend doubles sobol designs only, not {settings.method}")
    design = (extend(_design(stored, experiment.factors)) if double
              else _design(settings, experiment.factors))
    base = dict(experiment.points[0].params)
    points = _points(design, experiment.factors)
    _check_points(base, points, experiment.name)
    model_experiment = Experiment.from_points(
        points, base=base,
        replications=settings.replications, seed=experiment.seed, months=experiment.months,
        outputs=experiment.outputs, random_numbers="independent",
        name=f"{experiment.name} ({settings.method}, N = {settings.samples})")
    study = Study(settings, design, model_experiment, tuple(experiment.factors), out,
                  resumed=resumed)
    if double or resumed:
        previous = replace(stored, samples=stored.samples // 2) if resumed else stored
        study = replace(study, reused=_reuse(runs_folder(out, previous), study))
    out.mkdir(parents=True, exist_ok=True)
    (out / SETTINGS_FILE).write_text(json.dumps(asdict(settings), indent=2) + "\n")
    return study


def read_settings(out: Path) -> StudySettings | None:
    """The settings of the study in ``out``, if there is one."""
    path = out / SETTINGS_FILE
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text())
        return StudySettings(**data | {"parameters": tuple(data["parameters"])})
    except (ValueError, TypeError, KeyError) as exc:
        raise SensitivityError(f"{path}: not a study settings file ({exc})") from None


def _reuse(previous: Path, study: Study) -> int:
    """Copy the finished runs of the half-size design into the new ledger; returns how many.

    A run is reused only if its id (parameters, seed, horizon, model version) is the id the
    doubled design gives the same (point, replication): the first half of the doubled design
    is the old design, so every finished run qualifies unless the model changed.  Runs the
    new ledger already holds (an interrupted extension, resumed) are counted, not copied
    again.
    """
    experiment = study.experiment
    reused = 0
    with ResultStore.open(previous) as old, ResultStore.create(
            study.runs_folder, experiment, build_manifest(experiment)) as new:
        present = new.finished(0, experiment.n_points)
        for point, replication, run_id, seed, _, metrics, series, seconds, worker, numerics \
                in old.rows(("done",), "metrics, series, seconds, worker, "
                            + old.column_or_null("runs", "numerics")):
            if experiment.run(point, replication).run_id != run_id:
                continue
            if present.get((point, replication)) == "done":
                reused += 1
                continue
            new.commit(RunRecord(run_id, point, replication, seed, json.loads(metrics),
                                 json.loads(series) if series else None, seconds, worker,
                                 numerics=numerics))
            reused += 1
    return reused


def run(study: Study, *, workers: int | None = None, scheduler: str | None = None,
        retry_failed: bool = False, progress: bool = True) -> None:
    """Run the study's missing runs on the engine (resumable; Dask with ``scheduler``)."""
    sweep(study.experiment, study.runs_folder, workers=workers, scheduler=scheduler,
          retry_failed=retry_failed, progress=progress)


def outputs(study: Study, metrics: Sequence[str] | None = None) -> dict[str, np.ndarray]:
    """The recorded metrics as (rows, replications) arrays in the design's row order.

    Raises
    ------
    OutputError
        If runs are missing or failed, or the results do not match the design row by row.
    """
    frame = load_results(study.runs_folder, include_failed=True)
    rows, reps = len(study.design.samples), study.settings.replications
    if frame.empty:
        raise OutputError("no run has finished yet; run the same command again")
    failed = frame[frame["status"] == "failed"]
    if not failed.empty:
        first = failed.iloc[0]
        raise OutputError(
            f"{len(failed)} runs failed (first: point {first['point']}, replication "
            f"{first['replication']}: {first['error']}); fix the cause and re-run with "
            "--retry-failed")
    if len(frame) != rows * reps:
        raise OutputError(f"{len(frame)} of {rows * reps} runs are finished; run the same "
                          "command again to complete the study")
    frame = frame.sort_values(["point", "replication"])
    expected = np.repeat(np.arange(rows), reps), np.tile(np.arange(reps), rows)
    if not (np.array_equal(frame["point"], expected[0])
            and np.array_equal(frame["replication"], expected[1])):
        raise OutputError("the results' points and replications do not match the design")
    points = _points(study.design, study.factors)
    for name in study.design.parameters:
        wanted = np.repeat([p[name] for p in points], reps)
        if not np.allclose(frame[name].to_numpy(dtype=float), wanted):
            raise OutputError(f"the results' values of '{name}' are not the design's, row by "
                              "row; the analysis would pair outputs with the wrong inputs")
    names = list(metrics) if metrics else list(frame.attrs["metrics"])
    unknown = [m for m in names if m not in frame.attrs["metrics"]]
    if unknown:
        raise SensitivityError(f"--outputs: '{unknown[0]}' was not recorded (recorded: "
                               f"{', '.join(frame.attrs['metrics'])})")
    return {m: frame[m].to_numpy(dtype=float).reshape(rows, reps) for m in names}
