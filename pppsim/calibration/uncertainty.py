"""Parameter uncertainty in scenarios: one parameter draw per replication, and two bands.

A scenario file may say where its uncertain parameters come from::

    [uncertainty]
    posterior = "../experiments/calibration/posterior"   # a calibration folder
    # or: prior = "../experiments/calibration/targets.toml"  (uniform on the prior ranges)

Then ``compare``, ``patterns`` and ``claims`` run replication *k* with parameter draw *k*:
the draws are taken with the experiment's seed, so every compared scenario gets the same
draw in the same replication (differences stay paired), and a scenario's own values win:
a draw replaces a parameter only where the scenario leaves it at its default (a scenario
that sets ``legal_barrier`` keeps it whatever the posterior says).

Two bands are reported per outcome: **chance alone** (the spread over runs at fixed
parameters) and **chance and parameter uncertainty** (the spread over runs, each with its
own draw).  By the law of total variance the share of the spread due to parameter
uncertainty is 1 − Var(chance alone) / Var(both), estimated from the two sets of runs.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import show
from ..experiment import Experiment, RunConfiguration, run_experiment
from ..parameters import DEFAULTS, Parameters, allowed_range
from .targets import CalibrationError

POSTERIOR_FILE = "posterior.csv"
KINDS = ("posterior", "prior")
BAND = (0.025, 0.975)
"""The bands hold the middle 95% of runs."""


@dataclass(frozen=True)
class ParameterDraws:
    """Where uncertain parameters are drawn from: a posterior folder or prior ranges.

    ``table`` holds the posterior particles (one column per parameter and ``weight``) or,
    for priors, one row per parameter with ``low`` and ``high``.
    """

    kind: str
    path: Path
    table: pd.DataFrame = field(compare=False, repr=False)

    @property
    def names(self) -> list[str]:
        if self.kind == "posterior":
            return [c for c in self.table.columns if c != "weight"]
        return self.table["parameter"].tolist()

    def draw(self, n: int, seed: int) -> list[dict[str, Any]]:
        """``n`` parameter draws, a pure function of ``seed`` (weighted resampling of the
        posterior particles, or uniform draws from the prior ranges)."""
        rng = np.random.default_rng([seed, 0x9E3779B9])
        if self.kind == "posterior":
            rows = rng.choice(len(self.table), size=n, replace=True,
                              p=self.table["weight"].to_numpy(dtype=float))
            return [{name: _schema_value(name, self.table[name].iloc[i])
                     for name in self.names} for i in rows]
        lows = self.table["low"].to_numpy(dtype=float)
        highs = self.table["high"].to_numpy(dtype=float)
        values = rng.uniform(lows, highs, size=(n, len(lows)))
        return [{name: _schema_value(name, v) for name, v in zip(self.names, row, strict=True)}
                for row in values]

    @property
    def shown_path(self) -> str:
        """The path as a reader should see it: without ``..`` steps, and relative to the
        current folder when it lies inside it."""
        normal = Path(os.path.normpath(self.path.absolute()))
        try:
            return str(normal.relative_to(Path.cwd()))
        except ValueError:
            return str(normal)

    def describe(self) -> str:
        return f"the {self.kind} in {self.shown_path}"


def _schema_value(name: str, value: Any) -> Any:
    value = value.item() if hasattr(value, "item") else value
    return round(float(value)) if Parameters.model_fields[name].annotation is int \
        else float(value)


def load_draws(kind: str, path: str | Path, *, source: str = "") -> ParameterDraws:
    """Read a posterior folder (``posterior.csv`` of ``pppsim calibrate``) or a calibration
    file's priors; one-line errors naming ``source`` (the scenario file) and the path."""
    where = f"{source}: " if source else ""
    path = Path(path)
    if kind not in KINDS:
        raise CalibrationError(f"{where}[uncertainty] {show(kind)} is not allowed: expected "
                               "posterior = \"FOLDER\" or prior = \"CALIBRATION FILE\"")
    if kind == "prior":
        from .targets import load_calibration

        spec = load_calibration(path)
        table = pd.DataFrame([{"parameter": p.name, "low": p.low, "high": p.high}
                              for p in spec.priors])
        return ParameterDraws(kind, path, table)
    file = path / POSTERIOR_FILE
    if not file.is_file():
        raise CalibrationError(f"{where}[uncertainty] posterior = {show(str(path))}: no "
                               f"{POSTERIOR_FILE} there (write one with pppsim calibrate)")
    try:
        table = pd.read_csv(file)
    except (OSError, ValueError) as exc:
        raise CalibrationError(f"{file}: cannot be read ({' '.join(str(exc).split())})"
                               ) from None
    if "weight" not in table.columns or table.empty:
        raise CalibrationError(f"{file}: expected a 'weight' column and at least one particle")
    for name in table.columns:
        if name == "weight":
            continue
        if name not in Parameters.model_fields:
            raise CalibrationError(f"{file}: unknown parameter column {show(name)}")
        lo, hi = allowed_range(name)
        values = pd.to_numeric(table[name], errors="coerce")
        if values.isna().any() or (lo is not None and (values < lo).any()) or \
                (hi is not None and (values > hi).any()):
            raise CalibrationError(f"{file}: column {name} must hold numbers from {lo} to {hi}")
    weights = pd.to_numeric(table["weight"], errors="coerce")
    if weights.isna().any() or (weights < 0).any() or weights.sum() <= 0:
        raise CalibrationError(f"{file}: weights must be non-negative numbers, not all 0")
    table["weight"] = weights / weights.sum()
    return ParameterDraws(kind, path, table)


def uncertainty_from_table(table: Any, *, base: Path, source: str) -> ParameterDraws:
    """The ``[uncertainty]`` table of a scenario file (paths relative to ``base``)."""
    if not isinstance(table, dict) or len(table) != 1:
        raise CalibrationError(f"{source}: [uncertainty] must hold exactly one of posterior = "
                               "\"FOLDER\" or prior = \"CALIBRATION FILE\"")
    ((kind, where),) = table.items()
    if kind not in KINDS:
        raise CalibrationError(f"{source}: [uncertainty] unknown key {show(kind)}; allowed: "
                               "posterior, prior")
    if not isinstance(where, str) or "\0" in where or len(where) > 4096:
        raise CalibrationError(f"{source}: [uncertainty] {kind} must be a path, got "
                               f"{show(where)}")
    return load_draws(kind, base / where, source=source)


def draws_digest(draws: Sequence[Mapping[str, Any]]) -> str:
    text = json.dumps([dict(sorted(d.items())) for d in draws], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class DrawnRunConfiguration(RunConfiguration):
    """Runs whose replication *k* takes parameter draw *k* where its point leaves a
    parameter at its default (the point's own values win)."""

    draws: tuple[tuple[tuple[str, Any], ...], ...] = ()

    def instantiate_model(self, spec: Any) -> Any:
        from ..model import PartnershipModel

        return PartnershipModel(rng=spec.seed, **drawn_parameters(
            spec.params, dict(self.draws[spec.replication])))


def drawn_parameters(params: Mapping[str, Any], draw: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` with ``draw`` applied where ``params`` holds the default value."""
    return dict(params) | {k: v for k, v in draw.items() if params[k] == DEFAULTS[k]}


def with_draws(experiment: Experiment, draws: ParameterDraws
               ) -> tuple[Experiment, DrawnRunConfiguration]:
    """The experiment with one draw per replication (its definition names the draws, so a
    results folder is never mixed with runs at other draws) and the configuration that
    applies them."""
    drawn = draws.draw(experiment.replications, experiment.seed)
    design = {**experiment.design, "parameter_draws": draws_digest(drawn)}
    experiment = replace(experiment, design=design, name=f"{experiment.name} (drawn)")
    config = DrawnRunConfiguration(
        experiment.months, experiment.outputs, experiment.series, tables=experiment.tables,
        draws=tuple(tuple(sorted(d.items())) for d in drawn))
    return experiment, config


def run_with_draws(experiment: Experiment, draws: ParameterDraws, out: str | Path | None,
                   *, workers: int | None = None, scheduler: str | None = None,
                   progress: bool = False) -> pd.DataFrame:
    """Run ``experiment`` with one parameter draw per replication (see :func:`with_draws`)."""
    experiment, config = with_draws(experiment, draws)
    return run_experiment(experiment, out, workers=workers, scheduler=scheduler,
                          progress=progress, config=config)


def _band(values: np.ndarray) -> tuple[float, float, float]:
    values = values[np.isfinite(values)]
    if not values.size:
        return (float("nan"),) * 3
    low, high = np.quantile(values, BAND)
    return float(values.mean()), float(low), float(high)


def _variance(values: np.ndarray) -> float:
    values = values[np.isfinite(values)]
    return float(np.var(values, ddof=1)) if values.size > 1 else float("nan")


def two_bands(fixed: pd.DataFrame, drawn: pd.DataFrame, metrics: Sequence[str],
              names: Sequence[str]) -> pd.DataFrame:
    """Per outcome and scenario: the level, and for scenarios after the first the paired
    difference from the first, each with its band from chance alone (runs at fixed
    parameters) and from chance and parameter uncertainty (runs with draws), and the share
    of the spread due to parameter uncertainty."""
    rows = []

    def per_replication(frame: pd.DataFrame, point: int, metric: str) -> pd.Series:
        part = frame[frame["point"] == point]
        return part.set_index("replication")[metric].astype(float).sort_index()

    for metric in metrics:
        for point, name in enumerate(names):
            quantities = [("level", per_replication(fixed, point, metric),
                           per_replication(drawn, point, metric))]
            if point:
                quantities.append((
                    f"difference from {names[0]}",
                    per_replication(fixed, point, metric) - per_replication(fixed, 0, metric),
                    per_replication(drawn, point, metric) - per_replication(drawn, 0, metric)))
            for quantity, chance, total in quantities:
                chance_values, total_values = chance.to_numpy(), total.to_numpy()
                mean_c, low_c, high_c = _band(chance_values)
                mean_t, low_t, high_t = _band(total_values)
                var_c, var_t = _variance(chance_values), _variance(total_values)
                share = (float(np.clip(1 - var_c / var_t, 0.0, 1.0))
                         if np.isfinite(var_t) and var_t > 0 and np.isfinite(var_c)
                         else float("nan"))
                rows.append({"outcome": metric, "point": point, "scenario": name,
                             "quantity": quantity, "chance_mean": mean_c,
                             "chance_low": low_c, "chance_high": high_c,
                             "total_mean": mean_t, "total_low": low_t, "total_high": high_t,
                             "parameter_share": share,
                             "runs_chance": int(np.isfinite(chance_values).sum()),
                             "runs_total": int(np.isfinite(total_values).sum())})
    return pd.DataFrame(rows)


def spread_sentence(bands: pd.DataFrame, outcome: str, label: str, draws: ParameterDraws
                    ) -> str:
    """One sentence, in the current language (:mod:`pppsim.i18n`): how much of the spread of
    ``outcome`` (named ``label``, already translated) is parameter uncertainty, for the first
    scenario's difference from the reference if there are two or more, else its level."""
    from ..i18n import _, current

    words = current()
    rows = bands[bands["outcome"] == outcome]
    differences = rows[rows["quantity"] != "level"]
    row = (differences if not differences.empty else rows).iloc[0]
    reference = rows["scenario"].iloc[0]
    what = (_("the difference in {outcome} between {scenario} and {reference}")
            if row.quantity != "level" else _("{outcome} under {scenario}")).format(
        outcome=label, scenario=row.scenario, reference=reference)
    if not np.isfinite(row.parameter_share):
        return _("How much of the spread of {what} is parameter uncertainty cannot be said: "
                 "it is undefined in too many runs.").format(what=what)
    source = (_("the posterior in {path}") if draws.kind == "posterior"
              else _("the prior ranges in {path}")).format(path=draws.shown_path)
    return _("About {parameters} of the run-to-run spread of {what} comes from not knowing "
             "the model's uncertain parameters (drawn from {source}) and {chance} from "
             "chance: 95 in 100 runs lie between {total_low} and {total_high} with both, "
             "between {chance_low} and {chance_high} by chance alone.").format(
        parameters=words.percent(row.parameter_share), what=what, source=source,
        chance=words.percent(1 - row.parameter_share),
        total_low=significant(row.total_low), total_high=significant(row.total_high),
        chance_low=significant(row.chance_low), chance_high=significant(row.chance_high))


def significant(value: float, digits: int = 3) -> str:
    """``value`` to ``digits`` significant digits in the current language's style (as
    ``{:.3g}`` would, without the exponent), with a true minus sign as the report writes."""
    from ..i18n import current

    if not np.isfinite(value) or value == 0:
        return current().number(value, 0)
    decimals = max(0, digits - 1 - int(np.floor(np.log10(abs(value)))))
    return current().number(value, decimals).replace("-", "\u2212")
