"""A pilot before a sensitivity study: how noisy is each output, and how many replications?

Variance-based indices of a stochastic model need replication means whose noise is small
against the parameters' effects (docs/sensitivity.md, section 4).  The pilot runs a small Latin
hypercube over the experiment's ranges with many replications per point, estimates every
output's noise share ``s`` (one-way random effects, with its interval), and applies the rule

    R = ceil(s (1 - t) / (t (1 - s)))          (noise share of R-run means <= t = 5%)

Outputs that need more replications than the budget (``max_replications``) cannot be estimated
at that budget and are named, to be left out.  The pilot folder (``<study>/pilot``) holds the
engine's ledger (resumable), ``pilot.csv`` and ``pilot.md``; it never touches the study itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..experiment import Experiment, load_results
from ..experiment.design import DesignError, DesignKind, sample_points
from ..experiment.store import ResultStore
from .analysis import NOISE_TARGET, as_runs, replications_needed, variance_split
from .problem import SensitivityError

PILOT_POINTS = 20
"""Latin hypercube points of a pilot (between-point variance needs a few dozen)."""
PILOT_REPLICATIONS = 10
"""Replications per pilot point (the within-point variance is pooled over the points)."""
MAX_REPLICATIONS = 20
"""Default budget: the most replications per design row a study may use."""
FOLDER = "pilot"


@dataclass(frozen=True)
class Pilot:
    """A pilot's engine experiment and folder."""

    experiment: Experiment
    folder: Path
    points: int
    replications: int

    @property
    def runs_folder(self) -> Path:
        return self.folder / "runs"


def prepare_pilot(experiment: Experiment, out: str | Path, *, points: int | None = None,
                  replications: int | None = None, only: Sequence[str] | None = None
                  ) -> Pilot:
    """The pilot of ``experiment``: ``points`` Latin hypercube points of its ``[vary]`` ranges
    (only those in ``only``; the others mid-range), ``replications`` independent runs each."""
    from .study import _check_points, _nominal

    points = points or PILOT_POINTS
    replications = replications or PILOT_REPLICATIONS
    if replications < 2:
        raise SensitivityError(f"--pilot needs at least 2 replications per point, got "
                               f"{replications}")
    factors = list(experiment.factors)
    if not factors:
        raise SensitivityError(f"{experiment.name}: a pilot needs an experiment file with a "
                               "[vary] table of ranges")
    if only:
        unknown = [n for n in only if n not in {f.name for f in factors}]
        if unknown:
            raise SensitivityError(f"--only: '{unknown[0]}' is not varied by "
                                   f"{experiment.name}")
    varied = [f for f in factors if not only or f.name in only]
    fixed = {f.name: _nominal(f) for f in factors if f not in varied}
    try:
        rows = sample_points(varied, DesignKind.LHS, samples=points,
                             seed=int(experiment.design.get("seed", experiment.seed)))
    except DesignError as exc:
        raise SensitivityError(f"--pilot: {exc}") from None
    base = dict(experiment.points[0].params)
    design = [fixed | row for row in rows]
    _check_points(base, design, experiment.name)
    pilot = Experiment.from_points(
        design, base=base, replications=replications, seed=experiment.seed,
        months=experiment.months, outputs=experiment.outputs, random_numbers="independent",
        name=f"{experiment.name} (pilot, {points} points x {replications} replications)")
    return Pilot(pilot, Path(out) / FOLDER, points, replications)


def noise_table(frame: pd.DataFrame, metrics: Sequence[str], points: int,
                target: float = NOISE_TARGET) -> pd.DataFrame:
    """Per metric of a finished pilot: noise share (with its 95% interval), undefined runs,
    and the replications that bring the noise share of the means to ``target``."""
    frame = frame.sort_values(["point", "replication"])
    reps = len(frame) // points
    rows = []
    for metric in metrics:
        values = frame[metric].to_numpy(dtype=float).reshape(points, reps)
        row = {"output": metric, "points": points, "replications": reps, "runs": values.size,
               "undefined_runs": int(np.isnan(values).sum()),
               "points_without_defined_run": int(np.isnan(values).all(axis=1).sum())}
        try:
            as_runs(values, points, metric)
            split = variance_split(values)
        except SensitivityError as exc:
            split, row["problem"] = None, str(exc)
        share = split.share if split else float("nan")
        low, high = split.share_interval() if split else (float("nan"), float("nan"))
        rows.append(row | {"noise_share": share, "noise_share_low": low,
                           "noise_share_high": high,
                           "replications_needed": replications_needed(share, target),
                           "replications_needed_high": replications_needed(high, target)})
    return pd.DataFrame(rows)


def recommend(table: pd.DataFrame, max_replications: int = MAX_REPLICATIONS
              ) -> tuple[int | None, list[str], list[str]]:
    """The replications for a study: the most any output needs within the budget.

    Returns
    -------
    tuple
        ``(replications, estimable, too_noisy)``: the replications (None if no output can be
        estimated within ``max_replications``), the outputs they serve, and the outputs that
        need more than ``max_replications`` (or whose noise could not be estimated).
    """
    needed = table.set_index("output")["replications_needed"]
    estimable = [o for o, r in needed.items() if np.isfinite(r) and r <= max_replications]
    too_noisy = [o for o in needed.index if o not in estimable]
    if not estimable:
        return None, [], too_noisy
    return max(2, int(needed[estimable].max())), estimable, too_noisy


def seconds_per_run(pilot: Pilot) -> float:
    """Mean model time of the pilot's finished runs (seconds)."""
    with ResultStore.open(pilot.runs_folder) as store:
        seconds = [row[-1] for row in store.rows(("done",), "seconds") if row[-1] is not None]
    return float(np.mean(seconds)) if seconds else float("nan")


def _percent(value: float) -> str:
    return f"{value:.0%}" if np.isfinite(value) else "n/a"


def describe_output(row: pd.Series, target: float = NOISE_TARGET) -> str:
    """One line on one output of the pilot."""
    text = f"{row['output']}: "
    if not np.isfinite(row["noise_share"]):
        return text + f"noise share not estimable ({row.get('problem') or 'no variance'})"
    interval = (f"95% interval {_percent(row['noise_share_low'])}–"
                f"{_percent(row['noise_share_high'])}" if np.isfinite(row["noise_share_low"])
                else "no interval: unequal numbers of defined runs per point")
    text += f"noise share {_percent(row['noise_share'])} ({interval})"
    needed, high = row["replications_needed"], row["replications_needed_high"]
    if np.isfinite(needed):
        upper = f", up to {high:.0f} at the interval's top" if np.isfinite(high) else ""
        text += (f"; {needed:.0f} replication{'s' if needed > 1 else ''} for {target:.0%} "
                 f"noise in the means{upper}")
    else:
        text += "; pure noise: no number of replications helps"
    if row["undefined_runs"]:
        text += (f"; undefined (NaN) in {row['undefined_runs']} of {row['runs']} runs"
                 + (f", in every run of {row['points_without_defined_run']} points"
                    if row["points_without_defined_run"] else ""))
    return text


def summary_lines(pilot: Pilot, table: pd.DataFrame, max_replications: int, *,
                  design_rows: int | None, command: str, seconds: float) -> list[str]:
    """The pilot's findings in plain words: one line per output, the recommendation, the
    runs it means for the study's design, and the command to run next."""
    lines = [describe_output(row) for _, row in table.iterrows()]
    replications, estimable, too_noisy = recommend(table, max_replications)
    needs = table.set_index("output")["replications_needed"]
    noisy = ", ".join(f"{o} (needs {needs[o]:.0f})" if np.isfinite(needs[o]) else o
                      for o in too_noisy)
    if replications is None:
        lines.append(f"recommendation: no output reaches {NOISE_TARGET:.0%} noise in its "
                     f"means within {max_replications} replications: {noisy}")
        return lines
    lines.append(f"recommendation: replications = {replications} (meets the "
                 f"{NOISE_TARGET:.0%} target for {', '.join(estimable)})")
    if too_noisy:
        lines.append(f"not estimable within {max_replications} replications: {noisy} — leave "
                     "them out (--outputs), or raise the budget")
    if design_rows:
        runs = design_rows * replications
        minutes = runs * seconds / 60
        length = f"{minutes / 60:.1f} h" if minutes >= 90 else f"{minutes:.0f} min"
        estimate = (f"; at the pilot's {seconds:.2f} s per run, an estimated {length} of "
                    "model time (divide by the workers)" if np.isfinite(seconds) else "")
        lines.append(f"the study's design: {design_rows} rows x {replications} = {runs} runs"
                     + estimate)
    outputs = f" --outputs {','.join(estimable)}" if too_noisy else ""
    lines.append(f"next: {command} --replications {replications}{outputs}")
    return lines


def write_pilot(pilot: Pilot, table: pd.DataFrame, lines: Sequence[str]) -> list[Path]:
    """``pilot.csv`` and ``pilot.md`` in the pilot folder."""
    csv, md = pilot.folder / "pilot.csv", pilot.folder / "pilot.md"
    table.to_csv(csv, index=False)
    md.write_text("\n".join([
        f"# Pilot: {pilot.experiment.name}", "",
        f"A Latin hypercube of {pilot.points} points over the varied ranges, "
        f"{pilot.replications} independent runs each; noise shares by a one-way "
        "random-effects split (docs/sensitivity.md, section 4).", "",
        *[f"- {line}" for line in lines], ""]))
    return [csv, md]


def pilot_outputs(pilot: Pilot, metrics: Sequence[str] | None = None) -> tuple[
        pd.DataFrame, list[str]]:
    """The finished pilot's results and the metrics to describe."""
    frame = load_results(pilot.runs_folder)
    expected = pilot.points * pilot.replications
    if len(frame) != expected:
        raise SensitivityError(f"{len(frame)} of {expected} pilot runs are finished; run the "
                               "same command again to complete the pilot")
    recorded = list(frame.attrs["metrics"])
    names = list(metrics) if metrics else recorded
    unknown = [m for m in names if m not in recorded]
    if unknown:
        raise SensitivityError(f"--outputs: '{unknown[0]}' was not recorded (recorded: "
                               f"{', '.join(recorded)})")
    return frame, names
