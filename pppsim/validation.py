"""Stylised facts of a scenario over many replications, set beside published patterns.

Measures, over the horizon, what share of partnerships end in success or failure or are still
running, their lifetimes (Kaplan-Meier, all runs pooled), how many negotiations fail, the
harm prevented, the end causes ranked and the end hazard by age (docs/validation.md).  Each
pattern with a literature figure is either a calibration *target* (defaults were set to land
in it) or an independent *check* (never tuned for).  Used by ``pppsim patterns``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .experiment import Experiment, load_partnerships, run_experiment
from .model.vocabulary import EndCause
from .report.statistics import mean_interval, pooled_lifetimes
from .scenario import Scenario

TARGET, CHECK = "calibration target", "independent check"
PATTERNS = [
    ("failure_share", "launched partnerships ending without reaching their goals",
     "30–70% of alliances do not meet their goals (Bamford et al. 2003)"),
    ("success_share_of_launched", "launched partnerships ending with their goals reached", ""),
    ("running_share", "launched partnerships still running at the horizon", ""),
    ("early_end_share", "partnerships ending within five years of launch",
     "34 of 100 alliances end within five years (Lunnan & Haugland 2008)"),
    ("negotiation_failure_share", "negotiations that break down", ""),
    ("harm_reduction", "share of the harm without partnerships prevented, in the last month",
     "about −10% local crime for working partnerships (MacDonald et al. 2010; "
     "Cook & MacDonald 2011)"),
    ("trust_lifetime_correlation", "correlation of a partnership's trust and its lifetime",
     "positive but weak (Vanneste et al. 2014)"),
]
POOLED = [
    ("median_months", "median lifetime, Kaplan-Meier, all runs pooled (months)",
     "median alliance life about 7 years (Bleeke & Ernst; recalled, unverified)"),
    ("restricted_mean_months", "restricted mean lifetime up to the horizon, Kaplan-Meier, "
     "all runs pooled (months)", ""),
]
CALIBRATION_NAMES = {"median_months": "median_lifetime_months"}
"""Where a pattern's name here differs from its name in the calibration file."""


def roles() -> dict[str, str]:
    """Each pattern's role, as the shipped calibration file gives it
    (``experiments/calibration/targets.toml``): fitted as a calibration target, or kept aside
    as an independent check; patterns the calibration does not name have none."""
    from .calibration.targets import TARGET as FITTED
    from .calibration.targets import load_calibration
    from .library import shipped_folder

    spec = load_calibration(shipped_folder("experiments") / "calibration" / "targets.toml")
    named = {p.name: TARGET if p.role == FITTED else CHECK for p in spec.patterns}
    return {key: named[CALIBRATION_NAMES.get(key, key)]
            for key, *_ in PATTERNS + POOLED if CALIBRATION_NAMES.get(key, key) in named}


def stylised_facts(scenario: Scenario, *, replications: int = 30, seed: int = 1,
                   out: str | Path | None = None, workers: int | None = None,
                   progress: bool = False) -> dict[str, pd.DataFrame]:
    """Run a scenario ``replications`` times and measure its stylised facts.

    Returns tables ``patterns`` (metric, meaning, mean, CI, literature), ``causes`` (end causes
    ranked by mean share) and ``hazard`` (end hazard, all ends and failures only, by year of
    age, pooled over runs).
    """
    experiment = Experiment.from_scenarios([scenario], replications=replications, seed=seed,
                                           name=f"patterns-{scenario.name}",
                                           tables=("partnerships",))
    runs = run_experiment(experiment, out, workers=workers, progress=progress)
    partnerships = load_partnerships(runs.attrs["store"])
    lifetimes = pooled_lifetimes(partnerships["lifetime_months"].to_numpy(),
                                 partnerships["ended"].to_numpy(), experiment.months)
    role = roles()
    rows = [(metric, meaning, *_mean_and_missing(runs[metric]), literature,
             role.get(metric, "")) for metric, meaning, literature in PATTERNS]
    rows[4:4] = [(f"pooled:{key}", meaning, lifetimes[key], *_pooled_interval(lifetimes, key),
                  0, literature, role.get(key, "")) for key, meaning, literature in POOLED]
    patterns = pd.DataFrame(rows, columns=["metric", "meaning", "mean", "low", "high",
                                           "missing", "literature", "role"])
    causes = pd.DataFrame(
        [(str(cause), *_mean_and_missing(runs[f"end_share:{cause.name.lower()}"]))
         for cause in EndCause if cause is not EndCause.NEGOTIATION_FAILED],
        columns=["end cause", "mean share", "low", "high", "missing"],
    ).sort_values("mean share", ascending=False, ignore_index=True)
    hazard = pd.DataFrame(
        [(year, runs[f"at_risk_year_{year}"].sum(), runs[f"ended_year_{year}"].sum(),
          runs[f"failed_year_{year}"].sum()) for year in range(1, 6)],
        columns=["year of age", "at risk", "ended", "failed"])
    hazard["hazard"] = hazard["ended"] / hazard["at risk"]
    hazard["failure hazard"] = hazard["failed"] / hazard["at risk"]
    facts = {"patterns": patterns, "causes": causes, "hazard": hazard, "runs": runs}
    if scenario.uncertainty is not None:
        facts["uncertainty"] = _parameter_bands(experiment, runs, scenario, out, workers,
                                                progress)
    return facts


def _parameter_bands(experiment: Experiment, runs: pd.DataFrame, scenario: Scenario,
                     out: str | Path | None, workers: int | None, progress: bool
                     ) -> pd.DataFrame:
    """The patterns' two bands (chance alone; chance and parameter uncertainty) when the
    scenario draws its uncertain parameters (``[uncertainty]``): the runs again, each with
    its own draw (docs/calibration.md)."""
    from .calibration.uncertainty import run_with_draws, two_bands

    drawn = run_with_draws(experiment, scenario.uncertainty,
                           Path(f"{out}-drawn") if out is not None else None,
                           workers=workers, progress=progress)
    bands = two_bands(runs, drawn, [metric for metric, *_ in PATTERNS], [scenario.name])
    meanings = {metric: meaning for metric, meaning, *_ in PATTERNS}
    bands.insert(1, "meaning", bands["outcome"].map(meanings))
    return bands


def _pooled_interval(lifetimes: dict[str, float], key: str) -> tuple[float, float]:
    prefix = key.removesuffix("_months")
    return lifetimes[f"{prefix}_low"], lifetimes[f"{prefix}_high"]


def _mean_and_missing(values: pd.Series) -> tuple[float, float, float, int]:
    """Mean and CI over the runs where a measure is defined, and how many runs it is not."""
    return (*mean_interval(values.to_numpy(dtype=float)), int(values.isna().sum()))


def to_markdown(facts: dict[str, pd.DataFrame], scenario: Scenario, replications: int) -> str:
    """The stylised facts as Markdown tables."""
    lines = [f"Scenario *{scenario.name}*, {scenario.months} months, {replications} "
             "replications; means with 95% confidence intervals.", "",
             "| measure | model | 95% CI | literature | role |", "|---|---|---|---|---|"]
    for r in facts["patterns"].itertuples():
        lines.append(f"| {r.meaning}{_undefined(r.missing, replications)} | "
                     f"{_number(r.mean)} | [{_number(r.low)}, {_number(r.high)}] | "
                     f"{r.literature} | {r.role} |")
    lines += ["", "| end cause | mean share of ended partnerships | 95% CI |", "|---|---|---|"]
    for r in facts["causes"].itertuples():
        lines.append(f"| {r[1]}{_undefined(r.missing, replications)} | {r[2]:.3f} | "
                     f"[{r[3]:.3f}, {r[4]:.3f}] |")
    lines += ["", "| year of age | at risk | ended | of which failed | hazard | failure hazard |",
              "|---|---|---|---|---|---|"]
    for r in facts["hazard"].itertuples():
        lines.append(f"| {r[1]} | {r[2]:.0f} | {r[3]:.0f} | {r[4]:.0f} | {r[5]:.3f} | "
                     f"{r[6]:.3f} |")
    if "uncertainty" in facts:
        lines += ["", f"With the uncertain parameters drawn from "
                  f"{scenario.uncertainty.describe()}, one draw per run: where 95% of single "
                  "runs lie by chance alone (parameters fixed) and by chance and parameter "
                  "uncertainty.", "",
                  "| measure | chance alone | chance and parameters | share of the spread "
                  "from parameters |", "|---|---|---|---|"]
        for r in facts["uncertainty"].itertuples():
            lines.append(f"| {r.meaning} | [{_number(r.chance_low)}, {_number(r.chance_high)}]"
                         f" | [{_number(r.total_low)}, {_number(r.total_high)}] | "
                         f"{_share(r.parameter_share)} |")
    return "\n".join(lines) + "\n"


def _number(value: float) -> str:
    """Three significant digits; 'not reached' for an infinite limit, NaN as undefined."""
    if value == float("inf"):
        return "not reached"
    return "undefined" if value != value else f"{value:.3g}"


def _share(share: float) -> str:
    return "undefined" if share != share else f"{100 * share:.0f}%"


def _undefined(missing: int, replications: int) -> str:
    return (f" (undefined in {missing} of {replications} runs, left out)" if missing
            else "")
