"""Running a robustness experiment on the engine and computing every table of its report.

:func:`run_robustness` runs (or resumes) every policy in every future ``replications`` times
on the experiments engine (all cores, or a Dask cluster) and returns a :class:`Robustness`
with the tables behind the report; :func:`analyse` computes them from a results folder.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..experiment import ExperimentError, ResultStore, sweep
from ..parameters import parameter_table
from .engine import tidy_runs
from .files import RobustnessSpec
from .measures import (
    REGRET_QUANTILE,
    Failures,
    box_words,
    failure_boxes,
    future_values,
    outcome_summary,
    ranking,
    regret,
    regret_summary,
    satisficing,
    satisficing_summary,
    wide,
)

P_REGRET = f"p{round(REGRET_QUANTILE * 100)}_regret"


@dataclass(frozen=True)
class Robustness:
    """A finished robustness experiment and every table of its report.

    Attributes
    ----------
    spec
        The experiment (policies, futures, measures).
    folder
        The results folder (run ledger, manifest, tables, report).
    runs
        One row per run: ``policy``, ``future``, ``replication``, ``seed``, the parameters
        that differ between points and every metric (NaN where undefined).
    futures
        One row per future: its values of the uncertain parameters.
    values
        Per (policy, future, outcome): the mean over replications where defined.
    outcomes
        Per (outcome, policy): mean and spread across futures, undefined counts.
    regret
        Per (future, policy): the regret outcome, the best policy's value and the regret.
    regret_summary
        Per policy: mean, 90th-percentile and maximum regret, futures left out.
    satisfied
        Per (policy, future): each threshold met or not (NA: undefined), and all met.
    satisficing
        Per policy: futures met, failed, undefined; share met with its Wilson 95% CI.
    ranking
        The policies ordered by satisficing share, then maximum regret.
    preferred
        The policy whose failures are described (the file's ``preferred`` or the top).
    failures
        PRIM boxes of the futures in which the preferred policy fails.
    boxes
        The boxes as a table (one row per restricted parameter of each box).
    policies
        Per policy: the levers it sets.
    manifest
        The engine's manifest (versions, git revision, seeds, definition).
    """

    spec: RobustnessSpec
    folder: Path
    runs: pd.DataFrame
    futures: pd.DataFrame
    values: pd.DataFrame
    outcomes: pd.DataFrame
    regret: pd.DataFrame
    regret_summary: pd.DataFrame
    satisfied: pd.DataFrame
    satisficing: pd.DataFrame
    ranking: pd.DataFrame
    preferred: str
    failures: Failures
    boxes: pd.DataFrame
    policies: pd.DataFrame
    manifest: dict[str, Any]

    @property
    def names(self) -> list[str]:
        return self.spec.names

    def box_sentences(self) -> list[str]:
        """Each failure box in plain words."""
        ranges = self.spec.futures.ranges()
        return [box_words(box, {n: self.spec.label(n) for n in ranges}, ranges)
                for box in self.failures.boxes]


def default_folder(path: Path) -> Path:
    """``runs/<experiment file name>``."""
    return Path("runs") / path.stem


def run_robustness(spec: RobustnessSpec, out: str | Path, *, workers: int | None = None,
                   scheduler: str | None = None, progress: bool = False) -> Robustness:
    """Run (or resume) every policy in every future and compute the report's tables.

    Parameters
    ----------
    spec
        From :func:`pppsim.robustness.load_robustness`.
    out
        Results folder; a folder holding the same experiment is resumed (only missing runs
        are made), one holding another is refused.
    workers, scheduler
        As for :func:`pppsim.run_experiment` (default: all cores; ``"local"`` or a Dask
        scheduler address).
    progress
        Show a progress bar.
    """
    experiment = spec.experiment()
    folder = Path(out)
    sweep(experiment, folder, workers=workers, scheduler=scheduler, progress=progress)
    with ResultStore.open(folder) as store:
        failed = store.failures(limit=1)
    if failed:
        point, replication, seed, error = failed[0]
        policy = spec.names[point // spec.n_futures]
        raise ExperimentError(
            f"{folder}: run {replication} of '{policy}' in future {point % spec.n_futures} "
            f"(seed {seed}) failed: {error}; see pppsim status {folder}")
    return analyse(spec, folder)


def analyse(spec: RobustnessSpec, folder: str | Path) -> Robustness:
    """Every table of the report, from a finished results folder."""
    folder = Path(folder)
    names = spec.names
    runs = tidy_runs(folder, names, spec.n_futures)
    expected = len(names) * spec.n_futures * spec.replications
    if len(runs) != expected:
        raise ExperimentError(f"{folder}: {len(runs)} of {expected} runs are finished; run "
                              "the same command again to complete them")
    futures = spec.future_table.copy()
    values = future_values(runs, spec.outcomes)
    regrets = regret(wide(values, spec.regret_outcome)[names],
                     higher_is_better=spec.higher_is_better)
    regrets = regrets.sort_values(["future", "policy"], key=lambda c: c.map(
        {n: i for i, n in enumerate(names)}) if c.name == "policy" else c,
        ignore_index=True)
    regret_table = regret_summary(regrets, names)
    satisfied = satisficing(values, spec.thresholds)
    satisfying = with_intervals(satisficing_summary(satisfied, names))
    ranked = ranking(regret_table, satisfying)
    preferred = spec.preferred or str(ranked.iloc[0]["policy"])
    met = satisfied[satisfied["policy"] == preferred].set_index("future")["met"]
    failures = failure_boxes(futures, met, preferred)
    return Robustness(
        spec=spec, folder=folder, runs=runs, futures=futures.reset_index(), values=values,
        outcomes=outcome_summary(values, names), regret=regrets, regret_summary=regret_table,
        satisfied=satisfied, satisficing=satisfying, ranking=ranked, preferred=preferred,
        failures=failures, boxes=box_table(failures, spec),
        policies=policy_table(spec),
        manifest=json.loads((folder / "manifest.json").read_text()))


def with_intervals(table: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Add the Wilson interval of each satisficing share (``share_ci_low``/``_high``)."""
    lows, highs = [], []
    for row in table.itertuples():
        judged = row.met + row.failed
        if not judged:
            lows.append(np.nan)
            highs.append(np.nan)
            continue
        ci = stats.binomtest(row.met, judged).proportion_ci(confidence, method="wilson")
        lows.append(float(ci.low))
        highs.append(float(ci.high))
    return table.assign(share_ci_low=lows, share_ci_high=highs)


def box_table(failures: Failures, spec: RobustnessSpec) -> pd.DataFrame:
    """One row per restricted parameter of each failure box, with the box's statistics."""
    rows = []
    for k, box in enumerate(failures.boxes, start=1):
        for name, (low, high) in box.limits.items():
            rows.append({"policy": failures.policy, "box": k, "parameter": name,
                         "label": spec.label(name), "low": low, "high": high,
                         "range_low": box.ranges[name][0], "range_high": box.ranges[name][1],
                         "coverage": box.coverage, "density": box.density, "mass": box.mass})
    return pd.DataFrame(rows, columns=["policy", "box", "parameter", "label", "low", "high",
                                       "range_low", "range_high", "coverage", "density",
                                       "mass"])


def policy_table(spec: RobustnessSpec) -> pd.DataFrame:
    """Per policy: description and every lever it sets (section, units, base value)."""
    info = {row["name"]: row for row in parameter_table()}
    rows = []
    for policy in spec.policies:
        if not policy.levers:
            rows.append({"policy": policy.name, "description": policy.description,
                         "parameter": "", "section": "", "units": "", "value": "",
                         "base_value": ""})
        for name, value in policy.levers.items():
            rows.append({"policy": policy.name, "description": policy.description,
                         "parameter": name, "section": info[name]["section"],
                         "units": info[name]["units"], "value": value,
                         "base_value": spec.base[name]})
    return pd.DataFrame(rows)


TABLE_FILES = {
    "ranking": "ranking.csv", "outcomes": "outcomes.csv", "regret": "regret.csv",
    "satisfied": "satisficing.csv", "boxes": "failure_boxes.csv", "futures": "futures.csv",
    "policies": "policies.csv", "runs": "runs.csv",
}
"""The CSV tables written next to the report, by attribute of :class:`Robustness`."""


def write_tables(result: Robustness, folder: Path | None = None) -> list[Path]:
    """Write the tables as CSV into ``folder`` (default: the results folder); returns the
    paths."""
    from ..fileio import write_csv_tables

    return write_csv_tables(result, TABLE_FILES, folder or result.folder)
