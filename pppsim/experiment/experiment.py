"""Experiments: design points x replications, with seeds, outputs and an identity.

An :class:`Experiment` is plain data: the full parameter set of every design point, the number
of replications, the base seed, the horizon and the outputs to record.  It is built from an
experiment file (:func:`load_experiment`), from a list of parameter dicts
(:meth:`Experiment.from_points`) or from scenarios (:meth:`Experiment.from_scenarios`).
:meth:`Experiment.runs` lists its (point, replication) pairs as :class:`RunSpec` objects, each
with its seed and a deterministic id.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata, resources
from typing import Any

from ..errors import show
from ..parameters import DEFAULTS, Parameters, _plain
from ..scenario import DEFAULT_MONTHS, Scenario, _suggest
from .design import SAMPLED, DesignKind, Factor, salib_problem
from .errors import ExperimentError, _digest
from .seeds import RandomNumbers, run_seed
from .tables import TABLES


def _python_files(folder: Any) -> list[Any]:
    """The ``.py`` files under ``folder`` and its subfolders, in a fixed order (by relative
    path)."""
    found = []
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.is_dir():
            found += _python_files(entry)
        elif entry.name.endswith(".py"):
            found.append(entry)
    return found


@cache
def model_version() -> str:
    """``<package version>+<hash of the model's source>``: changes whenever the model does.

    The hash covers every ``.py`` file under ``pppsim/model/`` (its subpackages included) and
    ``pppsim/parameters.py``, so a changed or recalibrated model gets new run ids even when the
    package version is unchanged.
    """
    return f"{metadata.version('pppsim')}+{source_digest(resources.files('pppsim'))}"


def source_digest(package: Any) -> str:
    """Ten hex digits of the SHA-256 of the model's source files in ``package`` (the folder
    of pppsim): every ``.py`` file under ``model/`` and ``parameters.py``."""
    texts = [path.read_bytes() for path in _python_files(package / "model")]
    texts.append((package / "parameters.py").read_bytes())
    return hashlib.sha256(b"\0".join(texts)).hexdigest()[:10]


@dataclass(frozen=True)
class Point:
    """One design point: the full parameter set, and an optional label (a scenario name)."""

    params: Mapping[str, Any]
    label: str = ""


@dataclass(frozen=True)
class RunSpec:
    """One (point, replication) pair: what a worker needs to make one run.

    The equivalent of a Mesa 4 ``Scenario`` instance: parameters plus a seed.
    """

    run_id: str
    point: int
    replication: int
    seed: int
    params: Mapping[str, Any]


@dataclass(frozen=True)
class Experiment:
    """Design points x replications, a base seed, a horizon and the outputs to record.

    Attributes
    ----------
    points
        Every design point with its full parameter set.
    replications
        Runs per point, each with its own seed.
    seed
        Base seed; run seeds derive from it (see :func:`pppsim.experiment.seeds.run_seed`).
    months
        Horizon of every run.
    outputs
        End-of-run metrics to record (names of ``summary_metrics``); empty means all.
    series
        Monthly series to record per run (columns of ``time_series``); empty means none.
    tables
        Per-run tables to record (names in :data:`pppsim.experiment.tables.TABLES`, e.g.
        ``partnerships``); empty means none.
    random_numbers
        ``common`` (replication k has the same stream at every point) or ``independent``.
    varied
        Names of the parameters that differ between points (the factor columns of results).
    factors
        The factor specifications of a file-based design (empty for explicit points).
    design
        How the points were made: kind, samples, sampler seed and options.
    """

    points: tuple[Point, ...]
    replications: int = 1
    seed: int = 0
    months: int = DEFAULT_MONTHS
    outputs: tuple[str, ...] = ()
    series: tuple[str, ...] = ()
    random_numbers: RandomNumbers = RandomNumbers.COMMON
    varied: tuple[str, ...] = ()
    factors: tuple[Factor, ...] = ()
    design: Mapping[str, Any] = field(default_factory=lambda: {"kind": "points"})
    name: str = "experiment"
    description: str = ""
    source_text: str = ""
    tables: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.points:
            raise ExperimentError(f"{self.name}: an experiment needs at least one point")
        if self.replications < 1:
            raise ExperimentError(f"{self.name}: replications must be >= 1")
        check_outputs(self.outputs, self.series, source=self.name)
        unknown = sorted(set(self.tables) - set(TABLES))
        if unknown:
            raise ExperimentError(f"{self.name}: unknown table '{unknown[0]}' (allowed: "
                                  f"{', '.join(TABLES)})")

    # --- constructors ----------------------------------------------------------------------
    @classmethod
    def from_points(
        cls,
        points: Iterable[Mapping[str, Any]],
        *,
        base: Scenario | Mapping[str, Any] | None = None,
        labels: Iterable[str] | None = None,
        replications: int = 1,
        seed: int = 0,
        months: int | None = None,
        outputs: Iterable[str] = (),
        series: Iterable[str] = (),
        random_numbers: RandomNumbers | str = RandomNumbers.COMMON,
        name: str = "experiment",
        tables: Iterable[str] = (),
    ) -> Experiment:
        """An experiment from explicit design points.

        Parameters
        ----------
        points
            One dict of parameter overrides per point (unknown names are refused; values are
            validated when each run starts, and an invalid combination becomes a failed run).
        base
            A scenario or dict of parameters the points override (default: the defaults).
        labels
            Optional names of the points (e.g. scenario names), one per point.
        replications, seed, months, outputs, series, random_numbers, name, tables
            As the attributes of :class:`Experiment`; ``months`` defaults to the base
            scenario's horizon.

        Examples
        --------
        >>> exp = Experiment.from_points([{"legal_barrier": 0.2}, {"legal_barrier": 0.8}],
        ...                              replications=5, seed=3, months=24)
        >>> exp.n_runs
        10
        """
        if isinstance(base, Scenario):
            months = base.months if months is None else months
            base = base.params
        base_params = DEFAULTS | _schema_types(base or {})
        overrides = [_schema_types(p) for p in points]
        for i, point in enumerate(overrides):
            unknown = sorted(set(point) - set(Parameters.model_fields))
            if unknown:
                raise ExperimentError(f"{name}: point {i}: unknown parameter '{unknown[0]}'")
        full = [base_params | p for p in overrides]
        labels = list(labels) if labels is not None else [""] * len(full)
        if len(labels) != len(full):
            raise ExperimentError(f"{name}: {len(labels)} labels for {len(full)} points")
        varied = tuple(k for k in DEFAULTS if len({json.dumps(p[k]) for p in full}) > 1)
        return cls(
            points=tuple(Point(p, label) for p, label in zip(full, labels, strict=True)),
            replications=replications, seed=seed,
            months=DEFAULT_MONTHS if months is None else months,
            outputs=tuple(outputs), series=tuple(series),
            random_numbers=RandomNumbers(random_numbers), varied=varied, name=name,
            tables=tuple(tables))

    @classmethod
    def from_scenarios(
        cls,
        scenarios: Iterable[Scenario],
        *,
        replications: int = 1,
        seed: int | None = None,
        months: int | None = None,
        outputs: Iterable[str] = (),
        series: Iterable[str] = (),
        random_numbers: RandomNumbers | str = RandomNumbers.COMMON,
        name: str = "scenarios",
        tables: Iterable[str] = (),
    ) -> Experiment:
        """One point per scenario, labelled with its name: a scenario comparison.

        With common random numbers (the default) replication k of every scenario uses the same
        random stream, so per-replication differences between scenarios are paired.  ``seed``
        and ``months`` default to the first scenario's; scenarios with different horizons need
        an explicit ``months``.  ``tables`` as in :meth:`from_points`.
        """
        scenarios = list(scenarios)
        if not scenarios:
            raise ExperimentError(f"{name}: no scenarios given")
        if months is None:
            horizons = {s.months for s in scenarios}
            if len(horizons) > 1:
                raise ExperimentError(
                    f"{name}: scenarios have different horizons {sorted(horizons)}; "
                    "pass months=")
            months = scenarios[0].months
        return cls.from_points(
            [s.params for s in scenarios], labels=[s.name for s in scenarios],
            replications=replications, seed=scenarios[0].seed if seed is None else seed,
            months=months, outputs=outputs, series=series, random_numbers=random_numbers,
            name=name, tables=tables)

    # --- the runs --------------------------------------------------------------------------
    @property
    def n_points(self) -> int:
        return len(self.points)

    @property
    def n_runs(self) -> int:
        return self.n_points * self.replications

    @property
    def problem(self) -> dict[str, Any]:
        """The SALib problem (names, bounds, dists) of a sampled design."""
        if DesignKind(self.design["kind"]) not in SAMPLED:
            raise ExperimentError(f"{self.name}: a {self.design['kind']} design has no "
                                  "SALib problem")
        return salib_problem(list(self.factors))

    def run(self, point: int, replication: int) -> RunSpec:
        """The run of one (point, replication) pair, with its seed and id."""
        params = self.points[point].params
        seed = run_seed(self.seed, point, replication, self.random_numbers)
        run_id = _digest({"params": params, "months": self.months, "seed": seed,
                          "model": model_version()})
        return RunSpec(run_id, point, replication, seed, params)

    def runs(self, points: Iterable[int] | None = None) -> Iterator[RunSpec]:
        """The runs, point by point (all points by default), generated lazily."""
        for point in range(self.n_points) if points is None else points:
            for replication in range(self.replications):
                yield self.run(point, replication)

    def definition(self) -> dict[str, Any]:
        """Everything that determines the results, as JSON-able data (no name or comments).

        Two experiments with the same definition produce the same runs; a results folder
        refuses an experiment whose definition differs from the one it was made with.
        ``tables`` appears only when some are kept, so folders made before tables existed
        keep their definition.
        """
        definition = {
            "model_version": model_version(),
            "months": self.months,
            "replications": self.replications,
            "seed": self.seed,
            "random_numbers": str(self.random_numbers),
            "outputs": list(self.outputs),
            "series": list(self.series),
            "design": dict(self.design),
            "varied": list(self.varied),
            "n_points": self.n_points,
            "points": _digest([[p.params, p.label] for p in self.points]),
        }
        if self.tables:
            definition["tables"] = list(self.tables)
        return definition

    @property
    def fingerprint(self) -> str:
        """A hash of :meth:`definition`."""
        return _digest(self.definition())


def _schema_types(params: Mapping[str, Any]) -> dict[str, Any]:
    """Values as the schema stores them: NumPy scalars as Python numbers, an int given for a
    float parameter as a float.  Equal values then give equal run ids (1 and 1.0 alike);
    anything else is left for validation when the run starts."""
    typed = {}
    for name, value in params.items():
        value = _plain(value)
        field_info = Parameters.model_fields.get(name)
        if field_info is not None and field_info.annotation is float and type(value) is int:
            value = float(value)
        typed[name] = value
    return typed


def available_outputs() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(metric names, series names) the model reports (without building a model, so that
    neither Mesa nor pandas is loaded to check an experiment's outputs)."""
    from ..model.outputs import METRIC_NAMES, MODEL_REPORTERS

    return METRIC_NAMES, tuple(MODEL_REPORTERS)


def check_outputs(outputs: Iterable[str], series: Iterable[str], *, source: str) -> None:
    """Refuse unknown metric or series names with a one-line message."""
    metrics, columns = available_outputs()
    for kind, names, allowed in (("output", outputs, metrics), ("series", series, columns)):
        for name in names:
            if name not in allowed:
                raise ExperimentError(
                    f"{source}: unknown {kind} {show(name)}{_suggest(name, list(allowed))} "
                    f"(allowed: {', '.join(allowed)})")

