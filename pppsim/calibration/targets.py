"""Calibration files: the patterns the model is held to, their roles, and the priors.

A calibration file (``experiments/calibration/targets.toml``) names the scenario the
calibration starts from, the published patterns with their sources and bands, which of them
are *targets* (fitted) and which *checks* (kept aside to test the fit: pattern-oriented
modelling, Grimm et al. 2005), the priors of the uncertain parameters and the settings of
ABC-SMC::

    name = "Baseline calibration"
    scenario = "../../scenarios/baseline.toml"
    months = 120
    seed = 7

    [abc]
    population = 200           # particles per generation
    generations = 8            # at most this many generations
    replications = 4           # runs per particle; patterns are means over them
    epsilon = "quantile"       # adaptive: the `quantile` of the last generation's distances
    quantile = 0.5             # or epsilon = [1.0, 0.5, 0.25] (a fixed schedule)
    minimum_epsilon = 0.0      # stop when epsilon reaches this
    predictive_draws = 40      # posterior draws of the posterior predictive check
    transition_scaling = 1.0   # factor on the proposal kernel's covariance (pyabc's scaling)

    [quick]                    # what --quick changes (a test-sized run)
    population = 12
    generations = 2

    [[pattern]]
    name = "early_end_share"   # a measure of PATTERN_MEASURES
    role = "target"            # target | check
    low = 0.24
    high = 0.44
    source = "Lunnan & Haugland 2008: 34 of 100 non-equity alliances end within five years"

    [priors]                   # uniform priors, on the schema's allowed range or narrower
    exit_threshold = "range"
    prevention_effectiveness = { low = 0.01, high = 0.2 }

Every key is checked; an unknown key, a parameter not in the schema, a bound outside the
parameter's allowed range or a band with ``low >= high`` is refused with a one-line error
naming the file and the field.  New parameters need no code: add them under ``[priors]``.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import PppsimError, show
from ..limits import check_horizon
from ..parameters import DEFAULTS, Parameters, allowed_range
from ..scenario import (
    Scenario,
    _read_toml,
    _suggest,
    check_text,
    load_scenario,
)


class CalibrationError(PppsimError):
    """A calibration file or folder is wrong; the message is one line."""


TARGET, CHECK = "target", "check"


def _nanmean(column: str) -> Callable[[pd.DataFrame], float]:
    def measure(runs: pd.DataFrame) -> float:
        values = runs[column].to_numpy(dtype=float)
        return float(np.nanmean(values)) if np.isfinite(values).any() else float("nan")
    measure.__doc__ = f"Mean over runs of ``{column}`` (runs where it is undefined left out)."
    return measure


def failure_hazard_ratio(runs: pd.DataFrame) -> float:
    """Failure hazard in years 4-5 of age over that in years 1-3, all runs pooled.

    Below 1 when the hazard of failing falls with age (Lunnan & Haugland 2008); NaN when no
    partnership was at risk in either span.
    """
    def hazard(years: range) -> float:
        at_risk = sum(runs[f"at_risk_year_{y}"].sum() for y in years)
        failed = sum(runs[f"failed_year_{y}"].sum() for y in years)
        return failed / at_risk if at_risk else float("nan")

    early, late = hazard(range(1, 4)), hazard(range(4, 6))
    return late / early if early > 0 else float("nan")


def median_lifetime(runs: pd.DataFrame) -> float:
    """Median over runs of each run's Kaplan-Meier median lifetime, in months (runs whose
    median is not reached by the horizon count as the horizon: they lie above it)."""
    values = runs["median_lifetime_months"].to_numpy(dtype=float)
    horizon = float(runs.attrs.get("months", np.nan))
    values = np.where(np.isnan(values), horizon, values)
    return float(np.nanmedian(values)) if np.isfinite(values).any() else float("nan")


PATTERN_MEASURES: dict[str, tuple[Callable[[pd.DataFrame], float], str]] = {
    "early_end_share": (_nanmean("early_end_share"),
                        "partnerships ending within five years of launch"),
    "failure_hazard_ratio": (failure_hazard_ratio,
                             "failure hazard in years 4-5 of age over years 1-3"),
    "failure_share": (_nanmean("failure_share"),
                      "launched partnerships ending without reaching their goals"),
    "harm_reduction": (_nanmean("harm_reduction"),
                       "share of the harm without partnerships prevented, in the last month"),
    "trust_lifetime_correlation": (_nanmean("trust_lifetime_correlation"),
                                   "correlation of a partnership's trust and its lifetime"),
    "median_lifetime_months": (median_lifetime,
                               "median partnership lifetime (months)"),
    "success_share_of_launched": (_nanmean("success_share_of_launched"),
                                  "launched partnerships ending with their goals reached"),
    "negotiation_failure_share": (_nanmean("negotiation_failure_share"),
                                  "negotiations that break down"),
}
"""The patterns a calibration file can name: how each is measured from the runs of one
parameter set (one row per run of the engine's metrics), and what it means."""

RUN_METRICS = sorted({"early_end_share", "failure_share", "harm_reduction",
                      "trust_lifetime_correlation", "median_lifetime_months",
                      "success_share_of_launched", "negotiation_failure_share",
                      *(f"{kind}_year_{y}" for kind in ("at_risk", "failed")
                        for y in range(1, 6))})
"""The engine metrics the measures read (all a calibration run records)."""


UNDEFINED_MISS = 10.0
"""Band widths an undefined pattern counts as (no partnership old enough to measure it): far
enough to lose against any defined value near the band, finite so that the tolerance schedule
can still rank parameter sets that leave some patterns undefined."""


@dataclass(frozen=True)
class Pattern:
    """A published pattern: measure, role, band [low, high] and source."""

    name: str
    role: str
    low: float
    high: float
    source: str

    @property
    def meaning(self) -> str:
        return PATTERN_MEASURES[self.name][1]

    def measure(self, runs: pd.DataFrame) -> float:
        return PATTERN_MEASURES[self.name][0](runs)

    def miss(self, value: float) -> float:
        """How far ``value`` lies outside the band, in band widths (0 inside); an undefined
        value counts as :data:`UNDEFINED_MISS` band widths away."""
        if not np.isfinite(value):
            return UNDEFINED_MISS
        return max(0.0, self.low - value, value - self.high) / (self.high - self.low)


@dataclass(frozen=True)
class Prior:
    """A uniform prior of one parameter on [low, high]."""

    name: str
    low: float
    high: float

    @property
    def is_integer(self) -> bool:
        return Parameters.model_fields[self.name].annotation is int

    def cast(self, value: float) -> float | int:
        return round(float(value)) if self.is_integer else float(value)

    def from_unit(self, unit: float) -> float | int:
        """The parameter value at ``unit`` in [0, 1] of the prior's range.

        ABC-SMC samples every parameter on [0, 1] (:mod:`pppsim.calibration.abc`): pyabc's
        kernel densities are computed in linear space, and over forty parameters whose ranges
        span orders of magnitude (0.005-0.2 beside 1-24 months) their product overflows or
        underflows, so the weights of a generation become NaN."""
        return self.cast(self.low + float(unit) * (self.high - self.low))


@dataclass(frozen=True)
class AbcSettings:
    """ABC-SMC settings (see the module docstring)."""

    population: int = 200
    generations: int = 8
    replications: int = 4
    epsilon: str | tuple[float, ...] = "quantile"
    quantile: float = 0.5
    minimum_epsilon: float = 0.0
    predictive_draws: int = 40
    point_candidates: int = 20
    """Posterior particles (those of highest weight) tried as a point for the defaults."""
    point_replications: int = 20
    """Fresh runs per candidate point, with common random numbers across the candidates."""
    transition_scaling: float = 1.0
    """Factor on the covariance of the proposal kernel (pyabc's MultivariateNormalTransition
    ``scaling``).  With many uniform priors a full-width kernel proposes outside the prior box
    in almost every draw (each parameter must stay inside: with 40 parameters at 0.8 each, 2 in
    10,000 do), so a generation never fills; a smaller kernel keeps proposals inside."""


@dataclass(frozen=True)
class CalibrationSpec:
    """A loaded calibration file."""

    name: str
    scenario: Scenario
    months: int
    seed: int
    patterns: tuple[Pattern, ...]
    priors: tuple[Prior, ...]
    abc: AbcSettings = field(default_factory=AbcSettings)
    quick: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""
    path: Path | None = None

    @property
    def targets(self) -> tuple[Pattern, ...]:
        return tuple(p for p in self.patterns if p.role == TARGET)

    @property
    def checks(self) -> tuple[Pattern, ...]:
        return tuple(p for p in self.patterns if p.role == CHECK)

    def quick_mode(self) -> CalibrationSpec:
        """The spec with the ``[quick]`` settings applied (``months`` among them)."""
        quick = dict(self.quick)
        months = quick.pop("months", self.months)
        return replace(self, abc=replace(self.abc, **quick), months=months)

    def base_parameters(self) -> dict[str, Any]:
        return self.scenario.params

    def definition(self) -> dict[str, Any]:
        """What determines the calibration's particles (a resumed folder must match it);
        ``generations`` is left out so that a finished calibration can be extended."""
        from ..experiment import model_version

        abc = {k: v for k, v in self.abc.__dict__.items()
               if k not in ("generations", "predictive_draws", "point_candidates",
                            "point_replications")}
        return {"model_version": model_version(), "base": self.scenario.params,
                "months": self.months, "seed": self.seed,
                "patterns": [p.__dict__ for p in self.patterns],
                "priors": [p.__dict__ for p in self.priors], "abc": abc}

    @property
    def fingerprint(self) -> str:
        text = json.dumps(self.definition(), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


TOP_KEYS = {"name": str, "description": str, "scenario": str, "months": int, "seed": int,
            "abc": dict, "quick": dict, "pattern": list, "priors": dict}
ABC_KEYS = {"population": int, "generations": int, "replications": int,
            "epsilon": (str, list), "quantile": float, "minimum_epsilon": float,
            "predictive_draws": int, "point_candidates": int, "point_replications": int,
            "transition_scaling": float}
QUICK_KEYS = {"population", "generations", "replications", "predictive_draws",
              "point_candidates", "point_replications", "months"}
PATTERN_KEYS = {"name": str, "role": str, "low": float, "high": float, "source": str}
LIMITS = {"population": (2, 100_000), "generations": (1, 100), "replications": (1, 1000),
          "predictive_draws": (2, 10_000), "point_candidates": (1, 10_000),
          "point_replications": (2, 10_000), "quantile": (0.01, 0.99),
          "minimum_epsilon": (0.0, 1e6), "transition_scaling": (1e-4, 10.0)}


def _kind(value: Any, expected: type | tuple[type, ...]) -> bool:
    """Strict types: an int is fine for a float, a bool is never a number."""
    if isinstance(value, bool):
        return False
    kinds = expected if isinstance(expected, tuple) else (expected,)
    if float in kinds and isinstance(value, int):
        return True
    return isinstance(value, kinds)


def _check_keys(path: Path, where: str, table: Mapping[str, Any],
                allowed: Mapping[str, Any] | set[str]) -> None:
    for key in table:
        if key not in allowed:
            raise CalibrationError(f"{path}: unknown key {show(key)} in {where}"
                                   f"{_suggest(key, list(allowed))}; allowed: "
                                   f"{', '.join(allowed)}")


def _typed(path: Path, where: str, key: str, value: Any, expected: Any) -> Any:
    if not _kind(value, expected):
        words = {int: "an int", float: "a number", str: "a string", dict: "a table",
                 list: "a list"}
        kinds = expected if isinstance(expected, tuple) else (expected,)
        raise CalibrationError(f"{path}: {where}{key} must be "
                               f"{' or '.join(words[k] for k in kinds)}, got {show(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise CalibrationError(f"{path}: {where}{key} = {show(value)} is not allowed: "
                               "expected a finite number")
    if key in LIMITS:
        lo, hi = LIMITS[key]
        if not lo <= value <= hi:
            raise CalibrationError(f"{path}: {where}{key} = {show(value)} is not allowed: "
                                   f"expected {lo} to {hi}")
    return float(value) if expected is float else value


def _abc_settings(path: Path, table: Mapping[str, Any], where: str) -> dict[str, Any]:
    settings = {}
    for key, value in table.items():
        settings[key] = _typed(path, where, key, value, ABC_KEYS[key])
    epsilon = settings.get("epsilon")
    if isinstance(epsilon, str) and epsilon != "quantile":
        raise CalibrationError(f"{path}: {where}epsilon = {show(epsilon)} is not allowed: "
                               "expected \"quantile\" or a list of decreasing numbers")
    if isinstance(epsilon, list):
        if (not epsilon or not all(_kind(e, float) and e >= 0 for e in epsilon)
                or any(b >= a for a, b in itertools.pairwise(epsilon))):
            raise CalibrationError(f"{path}: {where}epsilon = {show(epsilon)} is not allowed: "
                                   "expected a list of decreasing non-negative numbers")
        settings["epsilon"] = tuple(float(e) for e in epsilon)
    return settings


def _pattern(path: Path, i: int, entry: Any) -> Pattern:
    where = f"[[pattern]] {i + 1}: "
    if not isinstance(entry, dict):
        raise CalibrationError(f"{path}: {where}must be a table, got {show(entry)}")
    _check_keys(path, f"[[pattern]] {i + 1}", entry, PATTERN_KEYS)
    missing = [k for k in PATTERN_KEYS if k not in entry]
    if missing:
        raise CalibrationError(f"{path}: {where}'{missing[0]}' is missing")
    values = {k: _typed(path, where, k, entry[k], kind) for k, kind in PATTERN_KEYS.items()}
    if values["name"] not in PATTERN_MEASURES:
        raise CalibrationError(f"{path}: {where}unknown pattern {show(values['name'])}"
                               f"{_suggest(values['name'], list(PATTERN_MEASURES))}; allowed: "
                               f"{', '.join(PATTERN_MEASURES)}")
    if values["role"] not in (TARGET, CHECK):
        raise CalibrationError(f"{path}: {where}role = {show(values['role'])} is not allowed: "
                               f"expected \"{TARGET}\" or \"{CHECK}\"")
    if not values["low"] < values["high"]:
        raise CalibrationError(f"{path}: {where}low = {values['low']} must be below high = "
                               f"{values['high']}")
    check_text(path, "description", values["source"])
    return Pattern(**values)


def _prior(path: Path, name: str, entry: Any) -> Prior:
    if name not in Parameters.model_fields:
        raise CalibrationError(f"{path}: [priors] unknown parameter {show(name)}"
                               f"{_suggest(name, list(Parameters.model_fields))}")
    lo, hi = allowed_range(name)
    if lo is None or hi is None:
        raise CalibrationError(f"{path}: [priors] {name} is a switch; only numeric "
                               "parameters can be calibrated")
    if entry == "range":
        return Prior(name, float(lo), float(hi))
    if not isinstance(entry, dict):
        raise CalibrationError(f"{path}: [priors] {name} must be \"range\" or "
                               f"{{ low = ..., high = ... }}, got {show(entry)}")
    _check_keys(path, f"[priors] {name}", entry, {"low", "high"})
    low = _typed(path, f"[priors] {name}.", "low", entry.get("low", lo), float)
    high = _typed(path, f"[priors] {name}.", "high", entry.get("high", hi), float)
    if not lo <= low < high <= hi:
        raise CalibrationError(f"{path}: [priors] {name} = {{ low = {low}, high = {high} }} "
                               f"is not allowed: expected {lo} <= low < high <= {hi} (the "
                               "parameter's allowed range)")
    return Prior(name, low, high)


def load_calibration(path: str | Path) -> CalibrationSpec:
    """Load and check a calibration file; raises :class:`CalibrationError` (one line)."""
    path = Path(path)
    try:
        data = _read_toml(path)
    except PppsimError as exc:
        raise CalibrationError(str(exc)) from None
    _check_keys(path, "the file", data, TOP_KEYS)
    for key, expected in TOP_KEYS.items():
        if key in data:
            _typed(path, "", key, data[key], expected)
            if expected is str:
                check_text(path, "description" if key == "description" else "name"
                           if key == "name" else "scenario", data[key])
    if "scenario" not in data:
        raise CalibrationError(f"{path}: 'scenario' is missing (the scenario to calibrate)")
    scenario_path = path.parent / data["scenario"]
    if not scenario_path.is_file():
        raise CalibrationError(f"{path}: scenario = {show(data['scenario'])}: no such file "
                               f"({scenario_path})")
    scenario = load_scenario(scenario_path)
    months = data.get("months", scenario.months)
    seed = data.get("seed", scenario.seed)
    check_horizon(str(path), months, seed, CalibrationError)
    abc_table = data.get("abc", {})
    _check_keys(path, "[abc]", abc_table, ABC_KEYS)
    abc = AbcSettings(**_abc_settings(path, abc_table, "[abc] "))
    quick_table = data.get("quick", {})
    _check_keys(path, "[quick]", quick_table, QUICK_KEYS)
    quick = _abc_settings(path, {k: v for k, v in quick_table.items() if k != "months"},
                          "[quick] ")
    if "months" in quick_table:
        months_quick = _typed(path, "[quick] ", "months", quick_table["months"], int)
        check_horizon(str(path), months_quick, None, CalibrationError, section="[quick] ")
        quick["months"] = months_quick
    patterns = tuple(_pattern(path, i, e) for i, e in enumerate(data.get("pattern", [])))
    names = [p.name for p in patterns]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise CalibrationError(f"{path}: pattern {show(twice[0])} is listed twice")
    if not any(p.role == TARGET for p in patterns):
        raise CalibrationError(f"{path}: no [[pattern]] with role = \"target\"; a calibration "
                               "needs at least one target")
    priors = tuple(_prior(path, name, entry) for name, entry in data.get("priors", {}).items())
    if not priors:
        raise CalibrationError(f"{path}: [priors] is empty; name the parameters to calibrate")
    _check_funding(path, scenario, priors)
    return CalibrationSpec(name=data.get("name", path.stem.replace("_", " ")),
                           scenario=scenario, months=months, seed=seed, patterns=patterns,
                           priors=priors, abc=abc, quick=quick,
                           description=data.get("description", ""), path=path)


def _check_funding(path: Path, scenario: Scenario, priors: tuple[Prior, ...]) -> None:
    """Refuse priors that can break a cross-parameter rule of the schema at every draw's
    corner (grant_share + structural_share <= 1)."""
    bounds = {p.name: p.high for p in priors}
    grant = bounds.get("grant_share", scenario.params["grant_share"])
    structural = bounds.get("structural_share", scenario.params["structural_share"])
    if grant + structural > 1.0 + 1e-12:
        raise CalibrationError(f"{path}: [priors] grant_share and structural_share can add up "
                               f"to {grant + structural:g}, more than 1; narrow their highs")


def assumption_parameters() -> list[str]:
    """Numeric parameters whose source is (in part) a stated assumption: the candidates for a
    prior (docs/calibration.md)."""
    names = []
    for name, info in Parameters.model_fields.items():
        source = (info.json_schema_extra or {}).get("source", "")
        if "assumption" in source.lower() and allowed_range(name)[0] is not None:
            names.append(name)
    return names


def parameter_values(priors: tuple[Prior, ...], draw: Mapping[str, float]) -> dict[str, Any]:
    """A draw of the priors' parameters as schema values (integers rounded)."""
    return {p.name: p.cast(draw[p.name]) for p in priors}


__all__ = ["CHECK", "DEFAULTS", "PATTERN_MEASURES", "TARGET", "AbcSettings",
           "CalibrationError", "CalibrationSpec", "Pattern", "Prior", "assumption_parameters",
           "load_calibration", "parameter_values"]
