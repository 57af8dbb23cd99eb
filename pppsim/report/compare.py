"""Scenario comparisons: run scenarios with common random numbers, then build the tables.

:func:`run_comparison` runs every scenario ``replications`` times on the experiments engine
(replication k of every scenario shares one random stream, so differences are paired) and
returns a :class:`Comparison`: the tables behind the report, which
:func:`write_comparison` writes as CSV next to ``report.html``.

A *comparison file* lists scenarios so that a ready comparison needs no long command line::

    name = "Barriers and a data-sharing platform"
    description = "What if sharing gets harder, or every partnership gets a platform?"
    scenarios = ["../scenarios/baseline.toml", "../scenarios/high_barriers.toml"]
    replications = 30        # optional (default 30)
    months = 120             # optional (default: the first scenario's)
    seed = 1                 # optional (default: the first scenario's)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import show
from ..experiment import (
    Experiment,
    ExperimentError,
    ResultStore,
    load_partnerships,
    load_results,
    load_series,
    run_experiment,
    summarise,
)
from ..i18n import N_, _
from ..limits import MAX_COMPARISON_REPLICATIONS, check_horizon
from ..model.outputs import METRIC_DESCRIPTIONS
from ..model.vocabulary import EndCause
from ..parameters import parameter_table
from ..scenario import (
    _TYPE_WORDS,
    Scenario,
    ScenarioError,
    _read_toml,
    _suggest,
    apply_settings,
    check_text,
    find_scenario,
    load_scenario,
    settings_label,
)
from .statistics import (
    effect_word,
    kaplan_meier,
    paired_comparisons,
    pooled_lifetimes,
    quantile_bands,
)

DEFAULT_REPLICATIONS = 30
MAX_REPLICATIONS = MAX_COMPARISON_REPLICATIONS
LIFETIME = "restricted_mean_lifetime_months"
"""Per run: mean months in operation counted up to the horizon (Kaplan-Meier)."""


@dataclass(frozen=True)
class Outcome:
    """An end-of-run outcome shown in the report: its label and units."""

    name: str
    label: str
    unit: str


OUTCOMES = (
    Outcome(LIFETIME, N_("Partnership lifetime, restricted mean (Kaplan-Meier, up to the "
                         "horizon)"), N_("months")),
    Outcome("partnerships_launched", N_("Partnerships launched"), N_("partnerships")),
    Outcome("partnerships_active_end", N_("Partnerships operating at the end"),
            N_("partnerships")),
    Outcome("success_share", N_("Ended partnerships that reached their goals"),
            N_("share (0-1)")),
    Outcome("negotiation_failure_share", N_("Negotiations that broke down"), N_("share (0-1)")),
    Outcome("harm_prevented", N_("Harm prevented over the run (harm without partnerships less "
                                 "harm with them)"), N_("harm index points")),
    Outcome("harm_reduction", N_("Share of the harm without partnerships prevented, last "
                                 "month"), N_("share (0-1)")),
    Outcome("information_shared", N_("Information shared over the run"), N_("items")),
    Outcome("information_followed_up", N_("Information followed up over the run"),
            N_("items")),
    Outcome("follow_up_ratio", N_("Shared information that was followed up"),
            N_("share (0-1)")),
    Outcome("trust_private_to_public", N_("Trust of firms in public bodies, at the end"),
            N_("trust (0-1)")),
    Outcome("trust_public_to_private", N_("Trust of public bodies in firms, at the end"),
            N_("trust (0-1)")),
    Outcome("free_riding", N_("Commitment withheld (free riding)"), N_("share (0-1)")),
)
"""The outcomes of the report's table, in order."""
HEADLINE = (LIFETIME, "harm_prevented", "partnerships_launched")
"""The outcomes of the plain-language summary."""
HEADLINE_NAMES = {LIFETIME: N_("partnership lifetime"), "harm_prevented": N_("harm prevented"),
                  "partnerships_launched": N_("partnerships launched")}
"""The headline outcomes in a few words (summary lines and the headline chart)."""


@dataclass(frozen=True)
class Series:
    """A monthly series shown over time: label, units, and whether it is summed up."""

    name: str
    label: str
    unit: str
    cumulative: bool = False


SERIES = (
    Series("active_partnerships", N_("Operating partnerships"), N_("partnerships")),
    Series("harm_prevented", N_("Harm prevented, cumulative"), N_("harm index points"), True),
    Series("information_followed_up", N_("Information followed up"), N_("items per month")),
    Series("trust_private_to_public", N_("Trust of firms in public bodies"), N_("trust (0-1)")),
)
"""The monthly series of the report's time-series plots and fan charts."""


@dataclass(frozen=True)
class ComparisonSpec:
    """What to compare: scenarios and run settings (from the command line or a file)."""

    scenarios: tuple[Scenario, ...]
    replications: int = DEFAULT_REPLICATIONS
    months: int | None = None
    seed: int | None = None
    name: str = ""
    description: str = ""
    source: Path | None = None
    settings: tuple[str, ...] = ()
    """The ``--set`` settings applied, as given (the report's command line repeats them)."""


@dataclass(frozen=True)
class Comparison:
    """A finished comparison: settings and every table of the report.

    Attributes
    ----------
    spec
        The scenarios and settings.
    months, seed, replications
        The horizon, base seed and runs per scenario actually used.
    folder
        The results folder (run ledger, manifest, tables, report).
    runs
        One row per run: the engine's metrics plus :data:`LIFETIME`.
    outcomes
        One row per (outcome, scenario): mean and CI; for scenarios after the first, the
        paired difference from the first with its CI, effect size d_z, and the ratio with
        its bootstrap CI.
    series
        One row per (scenario, series, month): mean with its CI, and quantiles of single runs.
    partnerships
        One row per launched partnership of every run (lifetime, ended, end cause).
    survival
        Kaplan-Meier curve per scenario (all runs' partnerships pooled).
    lifetimes
        Per scenario: partnerships, ended, still operating, and the Kaplan-Meier restricted
        mean and median lifetimes with CIs (all runs pooled).
    end_causes
        Per (scenario, end cause): ended partnerships and their share.
    parameters
        Parameters that differ from the first scenario's, one column per scenario.
    manifest
        The engine's manifest (versions, git revision, seeds, definition).
    """

    spec: ComparisonSpec
    months: int
    seed: int
    replications: int
    folder: Path
    runs: pd.DataFrame
    outcomes: pd.DataFrame
    series: pd.DataFrame
    partnerships: pd.DataFrame
    survival: pd.DataFrame
    lifetimes: pd.DataFrame
    end_causes: pd.DataFrame
    parameters: pd.DataFrame
    manifest: dict[str, Any]
    uncertainty: pd.DataFrame | None = None
    """With ``[uncertainty]`` in the scenarios: per outcome and scenario, the band of single
    runs from chance alone and from chance and parameter uncertainty
    (:func:`pppsim.calibration.uncertainty.two_bands`); None otherwise."""

    @property
    def names(self) -> list[str]:
        """Scenario names, the reference (first) first."""
        return [s.name for s in self.spec.scenarios]

    @property
    def uncertainty_sentence(self) -> str:
        """How much of the spread is parameter uncertainty, in one generated sentence in the
        current language; empty without ``[uncertainty]``."""
        if self.uncertainty is None:
            return ""
        from ..calibration.uncertainty import spread_sentence

        return spread_sentence(self.uncertainty, "harm_prevented",
                               _(HEADLINE_NAMES["harm_prevented"]),
                               comparison_draws(self.spec))


# --- what to compare ---------------------------------------------------------------------
COMPARISON_KEYS: dict[str, type | tuple[type, ...]] = {
    "name": str, "description": str, "scenarios": list, "replications": int, "months": int,
    "seed": int}


def is_comparison_file(path: Path) -> bool:
    """True when ``path`` is a comparison file (a TOML file with a ``scenarios`` list)."""
    return path.suffix == ".toml" and path.is_file() and "scenarios" in _read_toml(path)


def load_comparison(path: str | Path) -> ComparisonSpec:
    """Load a comparison file; a mistake gives a one-line :class:`ScenarioError`."""
    path = Path(path)
    data = _read_toml(path)
    for key, value in data.items():
        if key not in COMPARISON_KEYS:
            raise ScenarioError(f"{path}: unknown key {show(key)}"
                                f"{_suggest(key, list(COMPARISON_KEYS))}; allowed: "
                                f"{', '.join(COMPARISON_KEYS)}")
        expected = COMPARISON_KEYS[key]
        if isinstance(value, bool) or not isinstance(value, expected):
            raise ScenarioError(f"{path}: '{key}' must be {_TYPE_WORDS[expected]}, "
                                f"got {show(value)}")
        if isinstance(value, str):
            check_text(path, key, value)
    files = data.get("scenarios", [])
    if not files or not all(isinstance(f, str) for f in files):
        raise ScenarioError(f"{path}: 'scenarios' must list at least one scenario file")
    for file in files:
        check_text(path, "scenario", file)
        if not (path.parent / file).is_file():
            raise ScenarioError(f"{path}: scenarios: {show(file)}: no such file "
                                f"({path.parent / file})")
    return ComparisonSpec(
        scenarios=tuple(load_scenario(path.parent / f) for f in files),
        replications=data.get("replications", DEFAULT_REPLICATIONS),
        months=data.get("months"), seed=data.get("seed"),
        name=data.get("name", path.stem.replace("_", " ")),
        description=data.get("description", ""), source=path)


def comparison_spec(paths: Sequence[Path | str], *, replications: int | None = None,
                    months: int | None = None, seed: int | None = None,
                    settings: Sequence[str] = (), title: str | None = None) -> ComparisonSpec:
    """What ``pppsim compare NAME ...`` compares: scenario files or shipped scenarios by short
    name (:func:`~pppsim.scenario.find_scenario`), or one comparison file.

    Options given here override a comparison file's.  ``settings`` (``--set
    section.key=value``) change every scenario; with a single scenario they make the second
    one instead: the scenario as it is against the scenario so changed.  ``title`` replaces
    the report's title.  Raises :class:`ScenarioError` (one line) for a missing or bad file,
    a bad setting, or two scenarios with the same name.
    """
    if not paths:
        raise ScenarioError("give at least one scenario file")
    files = [find_scenario(p) for p in paths]
    comparison_files = [p for p in files if is_comparison_file(p)]
    if comparison_files and len(files) > 1:
        raise ScenarioError(f"{comparison_files[0]}: is a comparison file; give it alone")
    if comparison_files:
        spec = load_comparison(files[0])
        scenarios = tuple(apply_settings(s, settings) for s in spec.scenarios)
    elif len(files) == 1 and settings:
        reference = load_scenario(files[0])
        changed = apply_settings(reference, settings)
        if changed.name == reference.name:
            changed = replace(changed, name=f"{reference.name}, {settings_label(settings)}")
        scenarios = (reference, changed)
        spec = ComparisonSpec(scenarios)
    else:
        scenarios = tuple(apply_settings(load_scenario(p), settings) for p in files)
        spec = ComparisonSpec(scenarios)
    if title is not None:
        check_text("--title", "name", title)
    settings_given = {"replications": replications or spec.replications,
                      "months": months or spec.months,
                      "seed": spec.seed if seed is None else seed}
    spec = ComparisonSpec(scenarios, name=title or spec.name, description=spec.description,
                          source=spec.source, settings=tuple(settings), **settings_given)
    _check_spec(spec)
    return spec


def _check_spec(spec: ComparisonSpec) -> None:
    where = f"{spec.source}: " if spec.source else ""
    if not 2 <= spec.replications <= MAX_REPLICATIONS:
        raise ScenarioError(f"{where}replications = {spec.replications} is not allowed: "
                            f"expected an int from 2 to {MAX_REPLICATIONS} (confidence "
                            "intervals need at least two runs per scenario)")
    check_horizon(spec.source, spec.months, spec.seed, ScenarioError)
    names = [s.name for s in spec.scenarios]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ScenarioError(f"{where}two scenarios are named '{twice[0]}'; a comparison "
                            "needs different names (set name = \"...\" in the files)")
    horizons = {s.months for s in spec.scenarios}
    if spec.months is None and len(horizons) > 1:
        raise ScenarioError(f"{where}the scenarios have different horizons "
                            f"{sorted(horizons)} months; choose one with --months")


def default_folder(spec: ComparisonSpec) -> Path:
    """``runs/<comparison file name>``, or ``runs/compare-<scenario file names>``."""
    if spec.source is not None:
        return Path("runs") / spec.source.stem
    stems = [s.path.stem if s.path else s.name for s in spec.scenarios]
    if spec.settings:
        digest = hashlib.sha256("\0".join(spec.settings).encode()).hexdigest()[:8]
        stems.append(f"set-{digest}")
    return Path("runs") / "-".join(["compare", *stems])


# --- running -----------------------------------------------------------------------------
def run_comparison(spec: ComparisonSpec, out: str | Path | None = None, *,
                   workers: int | None = None, scheduler: str | None = None,
                   progress: bool = False) -> Comparison:
    """Run (or resume) a comparison on the engine and build its tables.

    Parameters
    ----------
    spec
        Scenarios and settings (see :func:`comparison_spec`).
    out
        Results folder (default :func:`default_folder`); a folder holding the same comparison
        is resumed, one holding another is refused.
    workers, scheduler
        As for :func:`pppsim.run_experiment`.
    progress
        Show a progress bar.
    """
    comparison_draws(spec)  # refuse mixed uncertainty sources before any run
    experiment = Experiment.from_scenarios(
        spec.scenarios, replications=spec.replications, seed=spec.seed, months=spec.months,
        series=[s.name for s in SERIES], tables=("partnerships",),
        name=spec.name or " / ".join(s.name for s in spec.scenarios))
    folder = Path(out) if out is not None else default_folder(spec)
    run_experiment(experiment, folder, workers=workers, scheduler=scheduler,
                   progress=progress)
    with ResultStore.open(folder) as store:
        failures = store.failures(limit=1)
    if failures:
        point, replication, seed, error = failures[0]
        raise ExperimentError(
            f"{folder}: run {replication} of '{spec.scenarios[point].name}' (seed {seed}) "
            f"failed: {error}; see pppsim status {folder}")
    comparison = build_comparison(spec, folder, experiment)
    return with_parameter_uncertainty(comparison, experiment, workers=workers,
                                      scheduler=scheduler, progress=progress)


DRAWS_FOLDER = "parameter_draws"
"""Subfolder of a comparison with the runs at one parameter draw per replication."""


def comparison_draws(spec: ComparisonSpec) -> Any:
    """The one source of parameter draws of the compared scenarios (``[uncertainty]``), or
    None; scenarios naming different sources are refused (draws must be common)."""
    sources = {(s.uncertainty.kind, str(s.uncertainty.path)): s.uncertainty
               for s in spec.scenarios if s.uncertainty is not None}
    if len(sources) > 1:
        raise ScenarioError("the compared scenarios draw their uncertain parameters from "
                            f"different sources ({', '.join(f'{k} {p}' for k, p in sources)}); "
                            "a comparison needs one, so that draws are common to all")
    return next(iter(sources.values()), None)


def with_parameter_uncertainty(comparison: Comparison, experiment: Experiment, *,
                               workers: int | None = None, scheduler: str | None = None,
                               progress: bool = False) -> Comparison:
    """The comparison with its two bands, when its scenarios draw uncertain parameters: the
    same scenarios run again (in ``DRAWS_FOLDER``) with parameter draw k in replication k
    of every scenario."""
    from dataclasses import replace

    from ..calibration.uncertainty import run_with_draws, two_bands

    draws = comparison_draws(comparison.spec)
    if draws is None:
        return comparison
    drawn = run_with_draws(experiment, draws, comparison.folder / DRAWS_FOLDER,
                           workers=workers, scheduler=scheduler, progress=progress)
    bands = two_bands(comparison.runs, drawn, [o.name for o in OUTCOMES], comparison.names)
    return replace(comparison, uncertainty=bands)


def build_comparison(spec: ComparisonSpec, folder: Path, experiment: Experiment
                     ) -> Comparison:
    """The report's tables from a finished comparison folder."""
    names = [s.name for s in spec.scenarios]
    runs = load_results(folder)
    partnerships = load_partnerships(folder)
    metrics = [o.name for o in OUTCOMES]
    return Comparison(
        spec=spec, months=experiment.months, seed=experiment.seed,
        replications=experiment.replications, folder=folder, runs=runs,
        outcomes=outcome_table(runs, metrics, experiment.seed),
        series=series_table(load_series(folder), names),
        partnerships=partnerships,
        survival=survival_table(partnerships, names),
        lifetimes=lifetime_table(partnerships, names, experiment.months),
        end_causes=end_cause_table(partnerships, names),
        parameters=parameter_differences(spec.scenarios),
        manifest=json.loads((folder / "manifest.json").read_text()))


def outcome_table(runs: pd.DataFrame, metrics: Sequence[str], seed: int) -> pd.DataFrame:
    """Mean and CI of each outcome per scenario, and paired comparisons with the first."""
    levels = summarise(runs, metrics, by=["point", "scenario"])
    paired = paired_comparisons(runs, metrics, seed)
    table = levels.merge(paired.drop(columns="n"), how="left",
                         on=["point", "scenario", "metric"])
    table["effect"] = table["effect_size"].map(effect_word)
    described = {o.name: o for o in OUTCOMES}
    table.insert(0, "label", table["metric"].map(lambda m: described[m].label
                                                 if m in described else m))
    table.insert(1, "unit", table["metric"].map(lambda m: described[m].unit
                                                if m in described else ""))
    table = table.rename(columns={"metric": "outcome"})
    order = {name: i for i, name in enumerate(metrics)}
    table = table.sort_values(["outcome", "point"], key=lambda c: c.map(order)
                              if c.name == "outcome" else c, kind="stable")
    columns = ["outcome", "label", "unit", "point", "scenario", "n", "missing", "mean", "ci_low",
               "ci_high", "difference", "difference_low", "difference_high", "effect_size",
               "effect", "ratio", "ratio_low", "ratio_high"]
    return table[columns].reset_index(drop=True)


def series_table(series: pd.DataFrame, names: Sequence[str]) -> pd.DataFrame:
    """Per (scenario, series, month): mean and CI (engine's summarise), and run quantiles."""
    series = series.sort_values(["point", "replication", "month"]).copy()
    for s in SERIES:
        if s.cumulative:
            series[s.name] = series.groupby(["point", "replication"])[s.name].cumsum()
    columns = [s.name for s in SERIES]
    means = summarise(series, columns, by=["point", "month"])
    quantiles = quantile_bands(series, columns, by=["point", "month"])
    table = means.merge(quantiles, on=["point", "month", "metric"])
    table.insert(1, "scenario", table["point"].map(dict(enumerate(names))))
    table = table.rename(columns={"metric": "series"})
    order = {name: i for i, name in enumerate(columns)}
    table = table.sort_values(["point", "series", "month"],
                              key=lambda c: c.map(order) if c.name == "series" else c)
    return table[["point", "scenario", "series", "month", "n", "missing", "mean", "ci_low",
                  "ci_high",
                  "p10", "p25", "p50", "p75", "p90"]].reset_index(drop=True)


def _by_scenario(partnerships: pd.DataFrame, names: Sequence[str]
                 ) -> list[tuple[int, str, pd.DataFrame]]:
    return [(point, name, partnerships[partnerships["point"] == point])
            for point, name in enumerate(names)]


def survival_table(partnerships: pd.DataFrame, names: Sequence[str]) -> pd.DataFrame:
    """Kaplan-Meier curve with 95% band per scenario, all runs' partnerships pooled."""
    columns = ["point", "scenario", "months", "survival", "ci_low", "ci_high", "at_risk"]
    frames = [kaplan_meier(group["lifetime_months"].to_numpy(), group["ended"].to_numpy())
              .assign(point=point, scenario=name)
              for point, name, group in _by_scenario(partnerships, names) if not group.empty]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]


def lifetime_table(partnerships: pd.DataFrame, names: Sequence[str], months: int
                   ) -> pd.DataFrame:
    """Per scenario, all runs' partnerships pooled: launched, ended, still operating, and the
    two Kaplan-Meier lifetime measures with 95% CIs — the restricted mean up to the horizon
    (the measure of the outcome table) and the median (NaN where it is not reached)."""
    rows = []
    for point, name, group in _by_scenario(partnerships, names):
        rows.append({"point": point, "scenario": name, "partnerships": len(group),
                     "ended": int(group["ended"].sum()),
                     "operating_at_end": int((~group["ended"]).sum())}
                    | pooled_lifetimes(group["lifetime_months"].to_numpy(),
                                       group["ended"].to_numpy(), months))
    return pd.DataFrame(rows)


END_CAUSES = [str(c) for c in EndCause if c is not EndCause.NEGOTIATION_FAILED]


def end_cause_table(partnerships: pd.DataFrame, names: Sequence[str]) -> pd.DataFrame:
    """Per (scenario, end cause): ended partnerships of all runs and their share."""
    rows = []
    for point, name, group in _by_scenario(partnerships, names):
        counts = group.loc[group["ended"], "end_cause"].value_counts()
        ended = int(counts.sum())
        rows += [{"point": point, "scenario": name, "end_cause": cause,
                  "partnerships": int(counts.get(cause, 0)),
                  "share": counts.get(cause, 0) / ended if ended else np.nan}
                 for cause in END_CAUSES]
    return pd.DataFrame(rows)


def parameter_differences(scenarios: Sequence[Scenario]) -> pd.DataFrame:
    """Parameters where some scenario differs from the first: section, units, each value."""
    first = scenarios[0]
    changed = {name for s in scenarios[1:] for name in first.differences(s)}
    rows = []
    for row in parameter_table():
        if row["name"] in changed:
            rows.append({"parameter": row["name"], "section": row["section"],
                         "units": row["units"]}
                        | {s.name: s.params[row["name"]] for s in scenarios})
    return pd.DataFrame(rows, columns=["parameter", "section", "units",
                                       *[s.name for s in scenarios]])


TABLE_FILES = {
    "outcomes": "outcomes.csv", "series": "series.csv", "survival": "survival.csv",
    "lifetimes": "lifetimes.csv", "end_causes": "end_causes.csv",
    "parameters": "parameters.csv", "runs": "runs.csv", "partnerships": "partnerships.csv",
}
"""The CSV tables written next to the report, by attribute of :class:`Comparison`."""


def write_tables(comparison: Comparison, folder: Path | None = None) -> list[Path]:
    """Write the comparison's tables as CSV into ``folder`` (default: its own folder);
    returns the paths."""
    from ..fileio import write_csv_tables

    paths = write_csv_tables(comparison, TABLE_FILES, folder or comparison.folder)
    if comparison.uncertainty is not None:
        path = Path(folder or comparison.folder) / "uncertainty.csv"
        comparison.uncertainty.to_csv(path, index=False)
        paths.append(path)
    return paths


OUTCOME_DESCRIPTIONS = {
    LIFETIME: N_("mean months a partnership stays in operation, counted up to the horizon "
                 "(Kaplan-Meier restricted mean: partnerships still running count correctly)"),
    "partnerships_launched": N_("partnerships that got past negotiation and started work"),
    "partnerships_active_end": N_("partnerships still at work in the last month"),
    "success_share": N_("of the partnerships that ended, the share that ended because it had "
                        "reached its goals (undefined when none ended)"),
    "negotiation_failure_share": N_("of the negotiations that started, the share that broke "
                                    "down (undefined when none started)"),
    "harm_prevented": N_("harm without any partnership minus harm with them, added up over the "
                         "crime domains and months (harm index points)"),
    "harm_reduction": N_("in the last month, the share of the harm there would have been "
                         "without partnerships that they prevented"),
    "information_shared": N_("items of information the partners shared, over the whole run"),
    "information_followed_up": N_("items of shared information that public partners acted "
                                  "on, over the whole run"),
    "follow_up_ratio": N_("items followed up divided by items shared by firms (undefined "
                          "when firms shared nothing)"),
    "trust_private_to_public": N_("average trust of firms in public bodies in the last month"),
    "trust_public_to_private": N_("average trust of public bodies in firms in the last month"),
    "free_riding": N_("average share of promised effort that members held back, over the "
                      "months"),
}
"""What each outcome of the report means, for its readers (translated with the report)."""


def metric_description(name: str) -> str:
    """What an outcome means, in words, in the current language (the model's own
    description for a metric the report does not describe itself)."""
    if name in OUTCOME_DESCRIPTIONS:
        return _(OUTCOME_DESCRIPTIONS[name])
    return METRIC_DESCRIPTIONS.get(name, name)
