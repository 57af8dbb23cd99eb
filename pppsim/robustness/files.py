"""Robustness experiment files: policies x uncertain futures, and the measures to report.

A robustness experiment file looks like::

    name = "Instruments across uncertain futures"
    description = "Which instrument works across the futures we cannot rule out?"
    scenario = "../scenarios/baseline.toml"   # base of every policy (default: all defaults)
    months = 120                              # default: the scenario's horizon
    seed = 1                                  # base seed (default: the scenario's)
    replications = 2                          # runs per policy and future

    [fixed]                                   # parameters set in every run
    n_organisations = 100

    [futures]
    samples = 100                             # futures, sampled by Latin hypercube
    seed = 7                                  # sampler seed (default: the base seed)

    [uncertainties]                           # what nobody controls: ranges (or mean/sd)
    opportunism_mean = { low = 0.1, high = 0.4, label = "opportunism of firms" }

    [[policy]]                                # two or more policies, in plain words
    name = "Current practice"

    [[policy]]
    name = "Data platform"
    description = "Every partnership gets a secure shared platform."
    levers = { platform_share = 1.0 }         # and/or scenario = "../scenarios/x.toml"

    [regret]
    outcome = "harm_prevented"
    better = "higher"                         # or "lower"

    [satisficing]                             # every threshold must be met
    harm_prevented = { at_least = 60 }
    survival_36m = { at_least = 0.5 }

The format is in ``docs/robustness.md``.  Every mistake gives one :class:`ExperimentError`
line naming the file, the field and what is allowed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..experiment import ExperimentError
from ..experiment.experiment import available_outputs
from ..experiment.files import MAX_REPLICATIONS, _check_keys, _factor, _parameter_name, _typed
from ..limits import check_horizon
from ..model.outputs import METRIC_DESCRIPTIONS
from ..parameters import DEFAULTS
from ..scenario import (
    Scenario,
    ScenarioError,
    _read_toml,
    _suggest,
    load_scenario,
    validate_parameters,
)
from .engine import PairedFutures
from .futures import SOURCES, FutureSource, ParameterRanges
from .measures import Threshold

TOP_LEVEL: dict[str, type | tuple[type, ...]] = {
    "name": str, "description": str, "scenario": str, "months": int, "seed": int,
    "replications": int, "outcomes": list, "preferred": str, "fixed": dict, "futures": dict,
    "uncertainties": dict, "policy": list, "regret": dict, "satisficing": dict}
FUTURES_KEYS: dict[str, type] = {"source": str, "samples": int, "seed": int}
POLICY_KEYS: dict[str, type] = {"name": str, "description": str, "scenario": str,
                                "levers": dict}
REGRET_KEYS: dict[str, type] = {"outcome": str, "better": str}
THRESHOLD_KEYS: dict[str, type | tuple[type, ...]] = {"at_least": (int, float),
                                                      "at_most": (int, float)}
MAX_FUTURES = 100_000
MIN_POLICIES = 2
DEFAULT_OUTCOMES = ("harm_prevented", "restricted_mean_lifetime_months", "survival_36m",
                    "partnerships_launched", "partnerships_active_end", "information_followed_up")
"""Outcomes shown in the report's table of means and spread unless ``outcomes`` is given."""


@dataclass(frozen=True)
class Policy:
    """One policy: a name in plain words and the levers it sets on top of the base."""

    name: str
    levers: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""
    scenario: Path | None = None


@dataclass(frozen=True)
class RobustnessSpec:
    """A loaded robustness experiment: what to run and which measures to report.

    Attributes
    ----------
    policies
        Two or more policies; the first is listed first in tables (it is no reference:
        regret compares every policy with the best one in each future).
    futures
        The source of the futures (:class:`~pppsim.robustness.futures.FutureSource`).
    base
        The full parameter set every policy starts from (scenario and ``[fixed]``).
    labels
        Plain words for the uncertain parameters.
    regret_outcome, higher_is_better
        The outcome of regret and its direction.
    thresholds
        The satisficing thresholds (all must be met).
    outcomes
        The outcomes of the table of means and spread.
    preferred
        The policy whose failures PRIM describes (None: the top of the ranking).
    """

    name: str
    policies: tuple[Policy, ...]
    futures: FutureSource
    base: Mapping[str, Any]
    replications: int
    seed: int
    months: int
    regret_outcome: str
    higher_is_better: bool
    thresholds: tuple[Threshold, ...]
    outcomes: tuple[str, ...]
    labels: Mapping[str, str] = field(default_factory=dict)
    preferred: str | None = None
    description: str = ""
    source: Path | None = None
    source_text: str = ""
    future_table: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False,
                                       compare=False)
    """One row per future, one column per uncertain parameter (``futures.futures()``)."""

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.policies]

    @property
    def n_futures(self) -> int:
        return len(self.future_table)

    def label(self, name: str) -> str:
        """Plain words for a parameter or outcome."""
        return self.labels.get(name, name.replace("_", " "))

    def params(self, policy: int, future: int) -> dict[str, Any]:
        """The full parameter set of one (policy, future)."""
        values = {k: int(v) if type(DEFAULTS[k]) is int else float(v)
                  for k, v in self.future_table.iloc[future].items()}
        return dict(self.base) | dict(self.policies[policy].levers) | values

    def experiment(self) -> PairedFutures:
        """The engine's experiment: point ``p * F + f`` is policy p in future f."""
        points, labels = [], []
        for p, policy in enumerate(self.policies):
            for f in range(self.n_futures):
                points.append(self.params(p, f))
                labels.append(policy.name)
        experiment = PairedFutures.from_points(
            points, labels=labels, replications=self.replications, seed=self.seed,
            months=self.months, name=self.name)
        return replace(experiment, n_futures=self.n_futures, futures=self.futures.describe(),
                       description=self.description, source_text=self.source_text)


def _metric(where: str, name: Any) -> str:
    metrics = list(available_outputs()[0])
    if not isinstance(name, str) or name not in metrics:
        raise ExperimentError(f"{where}: unknown outcome {name!r}"
                              f"{_suggest(str(name), metrics)} (allowed: "
                              f"{', '.join(metrics)})")
    return name


def _is_share(metric: str) -> bool:
    return METRIC_DESCRIPTIONS.get(metric, "").startswith("share") or metric.endswith("_share")


def _threshold(path: Path, name: str, spec: Any) -> Threshold:
    where = f"{path}: [satisficing] {name}"
    _metric(f"{path}: [satisficing]", name)
    if not isinstance(spec, dict) or len(spec) != 1:
        raise ExperimentError(f"{where}: expected {{ at_least = X }} or {{ at_most = X }}, "
                              f"got {spec!r}")
    _check_keys(where, spec, THRESHOLD_KEYS)
    (kind, value), = spec.items()
    if not np.isfinite(value):
        raise ExperimentError(f"{where}: {kind} = {value} is not allowed: expected a finite "
                              "number")
    if _is_share(name) and not 0 <= value <= 1:
        raise ExperimentError(f"{where}: {kind} = {value} is not allowed: {name} is a share, "
                              "expected a number from 0 to 1")
    return Threshold(name, float(value), at_least=kind == "at_least")


def _policy(path: Path, index: int, spec: Any, base: dict[str, Any],
            uncertain: set[str], fixed: set[str]) -> Policy:
    where = f"{path}: [[policy]] {index + 1}"
    if not isinstance(spec, dict):
        raise ExperimentError(f"{where}: expected a table with name, description, scenario, "
                              f"levers; got {spec!r}")
    _check_keys(where, spec, POLICY_KEYS)
    if "name" not in spec or not spec["name"].strip():
        raise ExperimentError(f"{where}: 'name' is missing: give the policy a name in plain "
                              "words")
    name = spec["name"].strip()
    where = f"{path}: policy '{name}'"
    levers: dict[str, Any] = {}
    scenario = None
    if "scenario" in spec:
        scenario = path.parent / spec["scenario"]
        loaded = load_scenario(scenario)
        levers |= {k: v for k, v in loaded.params.items() if v != DEFAULTS[k]}
    for lever in spec.get("levers", {}):
        _parameter_name(f"{where}: levers", lever)
    levers |= spec.get("levers", {})
    for lever in levers:
        if lever in uncertain:
            raise ExperimentError(f"{where}: '{lever}' is both a lever of this policy and an "
                                  "uncertainty; a parameter is either set by policy or "
                                  "uncertain")
        if lever in fixed:
            raise ExperimentError(f"{where}: '{lever}' is both a lever of this policy and in "
                                  "[fixed]")
    validate_parameters(base | levers, source=f"{where}: levers")
    return Policy(name, levers, spec.get("description", ""), scenario)


def load_robustness(path: str | Path) -> RobustnessSpec:
    """Load and validate a robustness experiment file.

    Raises
    ------
    ExperimentError
        With one line naming the file, the field and what is allowed.
    """
    path = Path(path)
    data = _read_toml(path)
    _check_keys(str(path), data, TOP_LEVEL)
    scenario = (load_scenario(path.parent / data["scenario"]) if "scenario" in data
                else Scenario(name=path.stem))
    months = data.get("months", scenario.months)
    seed = data.get("seed", scenario.seed)
    check_horizon(str(path), months, seed, ExperimentError)
    replications = data.get("replications", 1)
    if not 1 <= replications <= MAX_REPLICATIONS:
        raise ExperimentError(f"{path}: replications = {replications} is not allowed: "
                              f"expected an int from 1 to {MAX_REPLICATIONS}")

    fixed = data.get("fixed", {})
    for name in fixed:
        _parameter_name(f"{path}: [fixed]", name)
    base = validate_parameters(scenario.params | fixed, source=f"{path}: [fixed]").model_dump()

    # --- futures ----------------------------------------------------------------------------
    uncertainties = data.get("uncertainties", {})
    if not uncertainties:
        raise ExperimentError(f"{path}: no uncertainties; add an [uncertainties] table with "
                              "at least one parameter range, e.g. opportunism_mean = "
                              "{ low = 0.1, high = 0.4 }")
    labels: dict[str, str] = {}
    factors = []
    for name, spec in uncertainties.items():
        if name in fixed:
            raise ExperimentError(f"{path}: '{name}' is both in [fixed] and in "
                                  "[uncertainties]")
        if isinstance(spec, dict) and "label" in spec:
            spec = dict(spec)
            label = _typed(f"{path}: [uncertainties] {name}", "label", spec.pop("label"), str)
            labels[name] = label
        if isinstance(spec, list):
            raise ExperimentError(f"{path}: [uncertainties] {name}: expected a range "
                                  "{ low, high } or { mean, sd } (futures are sampled by "
                                  "Latin hypercube), got a list")
        try:
            factor = _factor(path, base, name, spec)
        except ScenarioError as exc:  # the experiment-file parser names the table [vary]
            raise ExperimentError(str(exc).replace(f"{path}: [vary]",
                                                   f"{path}: [uncertainties]", 1)) from None
        if factor.levels is not None:
            raise ExperimentError(f"{path}: [uncertainties] {name}: 'levels' is for "
                                  "factorial designs; futures are sampled, remove it")
        factors.append(factor)
    futures = data.get("futures", {})
    _check_keys(f"{path}: [futures]", futures, FUTURES_KEYS)
    source = futures.get("source", "ranges")
    if source not in SOURCES:
        raise ExperimentError(f"{path}: [futures] source = {source!r} is not allowed: "
                              f"expected one of {', '.join(SOURCES)} (draws from a calibrated "
                              "posterior are not available yet)")
    samples = futures.get("samples")
    if samples is None:
        raise ExperimentError(f"{path}: [futures] samples is missing: expected the number of "
                              f"futures, an int from 2 to {MAX_FUTURES}")
    if not 2 <= samples <= MAX_FUTURES:
        raise ExperimentError(f"{path}: [futures] samples = {samples} is not allowed: "
                              f"expected an int from 2 to {MAX_FUTURES}")
    sampler_seed = futures.get("seed", seed)
    if sampler_seed < 0:
        raise ExperimentError(f"{path}: [futures] seed = {sampler_seed} is not allowed: "
                              "expected an int >= 0")
    future_source = ParameterRanges(tuple(factors), samples, sampler_seed, labels)

    # --- policies ----------------------------------------------------------------------------
    policies_data = data.get("policy", [])
    if len(policies_data) < MIN_POLICIES:
        raise ExperimentError(f"{path}: {len(policies_data)} [[policy]] table(s): a robustness "
                              f"experiment compares at least {MIN_POLICIES} policies")
    policies = tuple(_policy(path, i, spec, base, set(uncertainties), set(fixed))
                     for i, spec in enumerate(policies_data))
    names = [p.name for p in policies]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ExperimentError(f"{path}: two policies are named '{twice[0]}'; policy names "
                              "must differ")
    same = [(a.name, b.name) for i, a in enumerate(policies) for b in policies[i + 1:]
            if dict(a.levers) == dict(b.levers)]
    if same:
        raise ExperimentError(f"{path}: policies '{same[0][0]}' and '{same[0][1]}' set the "
                              "same levers; every policy must differ")

    # --- measures ----------------------------------------------------------------------------
    regret = data.get("regret", {})
    _check_keys(f"{path}: [regret]", regret, REGRET_KEYS)
    regret_outcome = _metric(f"{path}: [regret] outcome",
                             regret.get("outcome", "harm_prevented"))
    better = regret.get("better", "higher")
    if better not in ("higher", "lower"):
        raise ExperimentError(f"{path}: [regret] better = {better!r} is not allowed: expected "
                              "\"higher\" or \"lower\"")
    satisficing = data.get("satisficing", {})
    if not satisficing:
        raise ExperimentError(f"{path}: no [satisficing] thresholds; add at least one, e.g. "
                              "harm_prevented = { at_least = 60 }")
    thresholds = tuple(_threshold(path, name, spec) for name, spec in satisficing.items())
    outcomes = data.get("outcomes", list(DEFAULT_OUTCOMES))
    for item in outcomes:
        _metric(f"{path}: outcomes", item)
    if len(set(outcomes)) != len(outcomes):
        raise ExperimentError(f"{path}: 'outcomes' lists an outcome twice")
    shown = tuple(dict.fromkeys([*outcomes, regret_outcome, *(t.outcome for t in thresholds)]))
    preferred = data.get("preferred")
    if preferred is not None and preferred not in names:
        raise ExperimentError(f"{path}: preferred = {preferred!r} is not allowed: expected a "
                              f"policy name ({', '.join(repr(n) for n in names)})")

    try:
        table = future_source.futures()
    except ValueError as exc:
        raise ExperimentError(f"{path}: [uncertainties] {exc}") from None
    spec = RobustnessSpec(
        name=data.get("name", path.stem.replace("_", " ")), policies=policies,
        futures=future_source, base=base, replications=replications, seed=seed,
        months=months, regret_outcome=regret_outcome, higher_is_better=better == "higher",
        thresholds=thresholds, outcomes=shown, labels=labels, preferred=preferred,
        description=data.get("description", ""), source=path, source_text=path.read_text(),
        future_table=table)
    _check_combinations(path, spec)
    return spec


def _check_combinations(path: Path, spec: RobustnessSpec) -> None:
    """Every policy in every future is a valid parameter set (e.g. funding shares add up)."""
    for p, policy in enumerate(spec.policies):
        for f in range(spec.n_futures):
            try:
                validate_parameters(spec.params(p, f),
                                    source=f"{path}: policy '{policy.name}' in future {f}")
            except ScenarioError as exc:
                raise ExperimentError(str(exc)) from None
