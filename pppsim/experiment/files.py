"""Experiment files: TOML in, a validated :class:`Experiment` out, one-line errors.

An experiment file looks like::

    name = "Funding and barriers"
    scenario = "../scenarios/baseline.toml"   # base scenario (default: all defaults)
    months = 120                              # default: the scenario's horizon
    seed = 1                                  # base seed; default: the scenario's seed
    replications = 10
    outputs = ["harm_prevented", "partnerships_launched"]   # default: all metrics
    series = ["active_partnerships"]          # monthly series to keep (true = all)
    random_numbers = "common"                 # or "independent"

    [fixed]                                   # parameters set at every point
    n_organisations = 60

    [design]
    kind = "lhs"                              # factorial | lhs | sobol | morris | fast
    samples = 50
    seed = 7                                  # sampler seed (default: the base seed)

    [vary]
    legal_barrier = [0.2, 0.5, 0.8]           # a list of values
    grant_share = { low = 0.0, high = 0.6 }   # a uniform range (levels = n for factorial)
    initial_trust = { mean = 0.5, sd = 0.1 }  # a normal, truncated to the allowed range

Parameter names are flat (no sections).  The full format is in ``docs/sweeps.md``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from ..errors import show
from ..limits import MAX_RUNS, check_horizon
from ..parameters import Parameters
from ..scenario import (
    _TYPE_WORDS,
    Scenario,
    _read_toml,
    _suggest,
    apply_settings,
    check_text,
    load_scenario,
    parse_setting,
    validate_parameters,
)
from .design import (
    SAMPLED,
    DesignError,
    DesignKind,
    Factor,
    check_size,
    design_size,
    sample_points,
)
from .experiment import Experiment, ExperimentError, Point, available_outputs, check_outputs
from .seeds import RandomNumbers

TOP_LEVEL: dict[str, type | tuple[type, ...]] = {
    "name": str, "description": str, "scenario": str, "months": int, "seed": int,
    "replications": int, "outputs": (list, str), "series": (list, bool),
    "random_numbers": str, "fixed": dict, "design": dict, "vary": dict,
}
DESIGN_KEYS: dict[str, type] = {"kind": str, "samples": int, "seed": int,
                                "second_order": bool, "levels": int}
FACTOR_KEYS: dict[str, type | tuple[type, ...]] = {
    "low": (int, float), "high": (int, float), "levels": int,
    "mean": (int, float), "sd": (int, float)}
MAX_REPLICATIONS = 100_000


def _typed(where: str, key: str, value: Any, expected: type | tuple[type, ...]) -> Any:
    """Check a value's TOML type; bools are not ints."""
    kinds = expected if isinstance(expected, tuple) else (expected,)
    if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
        names = " or ".join(_TYPE_WORDS[k] for k in kinds)
        raise ExperimentError(f"{where}: '{key}' must be {names}, got {show(value)}")
    if isinstance(value, str):
        check_text(where, key, value)
    return value


def _check_keys(where: str, table: dict[str, Any], allowed: dict[str, Any]) -> None:
    for key, value in table.items():
        if key not in allowed:
            raise ExperimentError(
                f"{where}: unknown key {show(key)}{_suggest(key, list(allowed))}; "
                f"allowed: {', '.join(allowed)}")
        _typed(where, key, value, allowed[key])


def _parameter_name(where: str, name: str) -> str:
    if name not in Parameters.model_fields:
        suggestion = _suggest(name, list(Parameters.model_fields))
        raise ExperimentError(f"{where}: unknown parameter {show(name)}{suggestion}")
    return name


def _factor(path: Path, base: dict[str, Any], name: str, spec: Any) -> Factor:
    """Parse and validate one [vary] entry against the parameter schema."""
    where = f"{path}: [vary] {name}"
    _parameter_name(f"{path}: [vary]", name)

    def check(value: Any, what: str) -> Any:
        """The value as the schema holds it (an int given for a float becomes a float, so
        equal values give equal run ids); strict types, allowed range."""
        checked = validate_parameters(base | {name: value}, source=f"{where} {what}")
        return getattr(checked, name)

    if isinstance(spec, list):
        if not spec:
            raise ExperimentError(f"{where}: the list of values is empty")
        return Factor(name, values=tuple(check(value, "value") for value in spec))
    if not isinstance(spec, dict):
        raise ExperimentError(
            f"{where}: expected a list of values, {{ low, high }} or {{ mean, sd }}, "
            f"got {show(spec)}")
    if Parameters.model_fields[name].annotation is bool:
        raise ExperimentError(f"{where}: is a switch (true/false); give a list of values such "
                              "as [false, true], not a range")
    _check_keys(where, spec, FACTOR_KEYS)
    if {"low", "high"} <= spec.keys() and not spec.keys() & {"mean", "sd"}:
        low, high = check(spec["low"], "low"), check(spec["high"], "high")
        if not low < high:
            raise ExperimentError(f"{where}: low must be below high, got {show(spec)}")
        levels = spec.get("levels")
        if levels is not None and levels < 2:
            raise ExperimentError(f"{where}: levels must be >= 2, got {levels}")
        return Factor(name, low=float(low), high=float(high), levels=levels)
    if spec.keys() == {"mean", "sd"}:
        mean = check(spec["mean"], "mean")
        if not (math.isfinite(spec["sd"]) and spec["sd"] > 0):
            raise ExperimentError(f"{where}: sd = {spec['sd']} is not allowed: expected a "
                                  "finite number > 0")
        return Factor(name, mean=float(mean), sd=float(spec["sd"]))
    raise ExperimentError(
        f"{where}: give {{ low, high }} (optionally levels) or {{ mean, sd }}, "
        f"got {show(spec)}")


def _outputs(path: Path, data: dict[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    metrics, columns = available_outputs()
    outputs = data.get("outputs", "all")
    if isinstance(outputs, str):
        if outputs != "all":
            raise ExperimentError(f"{path}: 'outputs' must be a list of metric names or \"all\"")
        outputs = list(metrics)
    series = data.get("series", False)
    series = list(columns) if series is True else [] if series is False else series
    for key, names in (("outputs", outputs), ("series", series)):
        for item in names:
            _typed(f"{path}: '{key}'", "item", item, str)
        if len(set(names)) != len(names):
            raise ExperimentError(f"{path}: '{key}' lists a name twice")
    check_outputs(outputs, series, source=str(path))
    return tuple(outputs), tuple(series)


def _check_design(path: Path, kind: DesignKind, design: dict[str, Any],
                  factors: list[Factor]) -> None:
    """Refuse design options that do not apply (they would be silently ignored) or are out
    of range, before anything is sampled."""
    if kind is DesignKind.FACTORIAL:
        given = [k for k in ("samples", "seed", "second_order", "levels") if k in design]
        if given:
            raise ExperimentError(
                f"{path}: [design] {given[0]} applies to sampled designs "
                f"({', '.join(SAMPLED)}), not to a factorial design, which crosses the "
                "[vary] values; remove it")
    else:
        with_levels = [f.name for f in factors if f.levels is not None]
        if with_levels:
            raise ExperimentError(
                f"{path}: [vary] {with_levels[0]}: levels applies to factorial designs; a "
                f"{kind} design samples the range (set [design] samples)")
    if design.get("seed", 0) < 0:
        raise ExperimentError(f"{path}: [design] seed = {design['seed']} is not allowed: "
                              "expected an int >= 0")
    if "samples" in design and design["samples"] < 1:
        raise ExperimentError(f"{path}: [design] samples = {design['samples']} is not "
                              "allowed: expected an int >= 1")
    if design.get("levels", 2) < 2:
        raise ExperimentError(f"{path}: [design] levels = {design['levels']} is not allowed: "
                              "expected an int >= 2 (Morris grid levels)")


def load_experiment(path: str | Path, *, max_runs: int = MAX_RUNS,
                    settings: tuple[str, ...] | list[str] = ()) -> Experiment:
    """Load and validate an experiment file.

    Parameters
    ----------
    path
        A ``.toml`` experiment file (format in ``docs/sweeps.md``).
    max_runs
        Refuse a design of more runs (points x replications) than this, before building it.
    settings
        ``--set section.key=value`` changes of the base scenario, checked like a scenario
        file; they override ``[fixed]`` and may not name a parameter of ``[vary]``.

    Returns
    -------
    Experiment
        Its design points (each with the full parameter set), replications, seeds and outputs.

    Raises
    ------
    ExperimentError
        With a one-line message naming the file, the field and what is allowed.
    """
    path = Path(path)
    data = _read_toml(path)
    _check_keys(str(path), data, TOP_LEVEL)
    if "scenario" in data:
        scenario_path = path.parent / data["scenario"]
        if not scenario_path.is_file():
            raise ExperimentError(f"{path}: scenario = {show(data['scenario'])}: no such file "
                                  f"({scenario_path})")
        scenario = load_scenario(scenario_path)
    else:
        scenario = Scenario(name=path.stem)
    changed = apply_settings(scenario, settings)
    set_here = {parse_setting(text)[1] for text in settings}
    months = changed.months if "months" in set_here else data.get("months", scenario.months)
    seed = changed.seed if "seed" in set_here else data.get("seed", scenario.seed)
    check_horizon(str(path), months, seed, ExperimentError)
    for key in ("name", "description"):
        if key in data:
            check_text(path, key, data[key])
    replications = data.get("replications", 1)
    if not 1 <= replications <= MAX_REPLICATIONS:
        raise ExperimentError(f"{path}: replications = {replications} is not allowed: "
                              f"expected an int from 1 to {MAX_REPLICATIONS}")
    random_numbers = data.get("random_numbers", "common")
    if random_numbers not in set(RandomNumbers):
        raise ExperimentError(f"{path}: random_numbers = {random_numbers!r} is not allowed: "
                              f"expected one of {', '.join(RandomNumbers)}")
    outputs, series = _outputs(path, data)

    fixed = data.get("fixed", {})
    for name in fixed:
        _parameter_name(f"{path}: [fixed]", name)
    base = validate_parameters(scenario.params | fixed, source=f"{path}: [fixed]").model_dump()
    base = validate_parameters(base | {k: v for k, v in changed.params.items()
                                       if k in set_here}, source="--set").model_dump()

    vary = data.get("vary", {})
    varied_and_set = sorted(set(vary) & set_here)
    if varied_and_set:
        raise ExperimentError(f"--set {varied_and_set[0]}: is varied by {path} ([vary]); "
                              "set only parameters the experiment keeps fixed")
    if not vary:
        raise ExperimentError(f"{path}: nothing to vary; add a [vary] table with at least "
                              "one parameter")
    both = sorted(set(vary) & set(fixed))
    if both:
        raise ExperimentError(f"{path}: '{both[0]}' is both in [fixed] and in [vary]")
    factors = [_factor(path, base, name, spec) for name, spec in vary.items()]

    design = data.get("design", {})
    _check_keys(f"{path}: [design]", design, DESIGN_KEYS)
    kind_name = design.get("kind", "factorial")
    kinds = [k for k in DesignKind if k is not DesignKind.POINTS]
    if kind_name not in kinds:
        raise ExperimentError(f"{path}: [design] kind = {kind_name!r} is not allowed: "
                              f"expected one of {', '.join(kinds)}")
    kind = DesignKind(kind_name)
    _check_design(path, kind, design, factors)
    options = {"samples": design.get("samples"), "seed": design.get("seed", seed),
               "second_order": design.get("second_order", False),
               "levels": design.get("levels", 4)}
    try:
        size = design_size(factors, kind, samples=options["samples"],
                           second_order=options["second_order"])
        check_size(size, replications, max_runs, kind)
        overrides = sample_points(factors, kind, **options)
    except DesignError as exc:
        raise ExperimentError(f"{path}: [design] {exc}") from None
    described = {"kind": str(kind)}
    if kind in SAMPLED:
        described |= options
    described["factors"] = {f.name: {k: v for k, v in vars(f).items()
                                     if v is not None and k != "name"} for f in factors}
    return Experiment(
        points=tuple(Point(base | o) for o in overrides),
        replications=replications, seed=seed, months=months, outputs=outputs, series=series,
        random_numbers=RandomNumbers(random_numbers),
        varied=tuple(f.name for f in factors), factors=tuple(factors), design=described,
        name=data.get("name", path.stem.replace("_", " ")),
        description=data.get("description", ""), source_text=path.read_text())
