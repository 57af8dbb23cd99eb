"""Stylised facts of a scenario over many replications, set beside published patterns.

Measures, over the horizon, what share of partnerships end in success or failure or are still
running, their median lifetime, how many negotiations fail, the end causes ranked, the end
hazard by age, and the other patterns of docs/ODD.md §1.  Used by
``pppsim patterns`` and for docs/validation.md.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .experiment import Experiment, run_experiment
from .model.vocabulary import EndCause
from .report.statistics import mean_interval
from .scenario import Scenario

PATTERNS = [
    ("failure_share", "launched partnerships ending without reaching their goals",
     "30–70% of alliances do not meet their goals (Bamford et al. 2003)"),
    ("success_share_of_launched", "launched partnerships ending with their goals reached", ""),
    ("running_share", "launched partnerships still running at the horizon", ""),
    ("early_end_share", "partnerships ending within five years of launch",
     "34 of 100 alliances end within five years (Lunnan & Haugland 2008)"),
    ("median_lifetime_months", "median lifetime of ended partnerships (months)",
     "median alliance life about 7 years (Bleeke & Ernst; recalled, unverified)"),
    ("negotiation_failure_share", "negotiations that break down", ""),
    ("harm_reduction", "harm below the harm without partnerships, at the horizon",
     "about −10% local crime for working partnerships (MacDonald et al. 2010; "
     "Cook & MacDonald 2011)"),
    ("trust_lifetime_correlation", "correlation of a partnership's trust and its lifetime",
     "positive but weak (Vanneste et al. 2014)"),
]


def stylised_facts(scenario: Scenario, *, replications: int = 30, seed: int = 1,
                   out: str | Path | None = None, workers: int | None = None,
                   progress: bool = False) -> dict[str, pd.DataFrame]:
    """Run a scenario ``replications`` times and measure its stylised facts.

    Returns tables ``patterns`` (metric, meaning, mean, CI, literature), ``causes`` (end causes
    ranked by mean share) and ``hazard`` (end hazard, all ends and failures only, by year of
    age, pooled over runs).
    """
    experiment = Experiment.from_scenarios([scenario], replications=replications, seed=seed,
                                           name=f"patterns-{scenario.name}")
    runs = run_experiment(experiment, out, workers=workers, progress=progress)
    patterns = pd.DataFrame(
        [(metric, meaning, *mean_interval(runs[metric].to_numpy()), literature)
         for metric, meaning, literature in PATTERNS],
        columns=["metric", "meaning", "mean", "low", "high", "literature"])
    causes = pd.DataFrame(
        [(str(cause), *mean_interval(runs[f"end_share:{cause.name.lower()}"].to_numpy()))
         for cause in EndCause if cause is not EndCause.NEGOTIATION_FAILED],
        columns=["end cause", "mean share", "low", "high"],
    ).sort_values("mean share", ascending=False, ignore_index=True)
    hazard = pd.DataFrame(
        [(year, runs[f"at_risk_year_{year}"].sum(), runs[f"ended_year_{year}"].sum(),
          runs[f"failed_year_{year}"].sum()) for year in range(1, 6)],
        columns=["year of age", "at risk", "ended", "failed"])
    hazard["hazard"] = hazard["ended"] / hazard["at risk"]
    hazard["failure hazard"] = hazard["failed"] / hazard["at risk"]
    return {"patterns": patterns, "causes": causes, "hazard": hazard, "runs": runs}


def to_markdown(facts: dict[str, pd.DataFrame], scenario: Scenario, replications: int) -> str:
    """The stylised facts as Markdown tables."""
    lines = [f"Scenario *{scenario.name}*, {scenario.months} months, {replications} "
             "replications; means with 95% confidence intervals.", "",
             "| measure | model | 95% CI | literature |", "|---|---|---|---|"]
    for r in facts["patterns"].itertuples():
        lines.append(f"| {r.meaning} | {r.mean:.3g} | [{r.low:.3g}, {r.high:.3g}] | "
                     f"{r.literature} |")
    lines += ["", "| end cause | mean share of ended partnerships | 95% CI |", "|---|---|---|"]
    for r in facts["causes"].itertuples():
        lines.append(f"| {r[1]} | {r[2]:.3f} | [{r[3]:.3f}, {r[4]:.3f}] |")
    lines += ["", "| year of age | at risk | ended | of which failed | hazard | failure hazard |",
              "|---|---|---|---|---|---|"]
    for r in facts["hazard"].itertuples():
        lines.append(f"| {r[1]} | {r[2]:.0f} | {r[3]:.0f} | {r[4]:.0f} | {r[5]:.3f} | "
                     f"{r[6]:.3f} |")
    return "\n".join(lines) + "\n"
