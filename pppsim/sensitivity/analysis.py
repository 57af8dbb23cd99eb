"""Analysing a sensitivity design: validated outputs in, indices with intervals out.

Model-agnostic: outputs are arrays with one row per design row and one column per
replication, whatever made them.  For every output the replication **mean** and (with two or
more replications) the replication **SD** are analysed as separate outputs, through SALib's
``ProblemSpec``; the share of output variance that is run-to-run noise is reported; and the
dummy parameter's index is checked against zero.

Outputs are validated first, because SALib does not: a NaN gives all-zero indices without a
word, and ``analyze`` trusts that the rows are in the sampler's order.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .problem import (
    DUMMY,
    FAST_INTERFERENCE,
    PAWN_SLIDES,
    RBD_HARMONICS,
    Method,
    SensitivityDesign,
    SensitivityError,
)

STATISTICS = ("mean", "sd")
"""What is analysed of each output across replications."""
NOISE_WARNING = 0.5
"""Noise share (within-point over total variance) above which a warning is given."""
NEGLIGIBLE = 0.01
"""An index below this share of output variance (for Morris and PAWN: of the largest index)
is negligible: never called influential, and a dummy this small raises no warning."""
CONFIDENCE = 0.95
RESAMPLES = 1000


class OutputError(SensitivityError):
    """An output cannot be analysed (NaN or inf, constant, wrong number of rows)."""


def as_runs(values: Any, rows: int, name: str) -> np.ndarray:
    """One output as a (rows, replications) float array, validated.

    Parameters
    ----------
    values
        One value per design row (1-D), or one row per design row and one column per
        replication (2-D), in the design's row order.
    rows
        Rows of the design.
    name
        The output's name, for messages.

    Raises
    ------
    OutputError
        Wrong shape or number of rows, a NaN or infinite value, or a constant output.
    """
    y = np.asarray(values, dtype=float)
    if y.ndim == 1:
        y = y[:, None]
    if y.ndim != 2 or y.shape[1] < 1:
        raise OutputError(f"output '{name}': expected (rows, replications) values, got shape "
                          f"{np.shape(values)}")
    if y.shape[0] != rows:
        raise OutputError(f"output '{name}': {y.shape[0]} rows, but the design has {rows}; "
                          "give one row per design row, in the design's order")
    bad = ~np.isfinite(y)
    if bad.any():
        row, rep = np.argwhere(bad)[0]
        raise OutputError(
            f"output '{name}': {int(bad.sum())} of {y.size} values are NaN or infinite "
            f"(first at row {row}, replication {rep}); SALib would return zeros for it")
    if np.ptp(y) == 0:
        raise OutputError(f"output '{name}' is constant (= {y.flat[0]:g}) in every run: "
                          "there is no variance to apportion")
    return y


def noise_share(y: np.ndarray) -> tuple[float, float]:
    """Share of variance that is run-to-run noise, in single runs and in replication means.

    Parameters
    ----------
    y
        (rows, replications) outputs.

    Returns
    -------
    tuple of float
        ``within / total``: the mean within-point variance over the total variance of all runs
        (population variances, so that within + between = total exactly); and the estimated
        noise variance of the replication means (within-point variance / R) over the variance
        of the means.  Both NaN with one replication.
    """
    reps = y.shape[1]
    if reps < 2:
        return float("nan"), float("nan")
    total = y.var()
    share = float(y.var(axis=1).mean() / total) if total > 0 else float("nan")
    spread = y.mean(axis=1).var(ddof=1)
    in_means = y.var(axis=1, ddof=1).mean() / reps
    return share, float(min(in_means / spread, 1.0)) if spread > 0 else float("nan")


def evaluate(design: SensitivityDesign, function: Callable[[np.ndarray, np.random.Generator],
             float | Mapping[str, float]], *, replications: int = 1, seed: int = 0
             ) -> dict[str, np.ndarray]:
    """Evaluate ``function`` on every row of the design, ``replications`` times.

    Parameters
    ----------
    design
        From :func:`pppsim.sensitivity.sample`.
    function
        ``function(x, rng)``: ``x`` holds one value per real parameter (the dummy is not
        passed), in ``design.parameters`` order; ``rng`` is a ``numpy.random.Generator``, its
        own for every (row, replication), for stochastic functions (deterministic ones ignore
        it).  Returns a number (the output ``"y"``) or a dict of named numbers.
    replications
        Evaluations per row.
    seed
        Seed of the random streams.

    Returns
    -------
    dict of str to ndarray
        Per output, a (rows, replications) array: what :func:`analyse` takes.
    """
    x = design.model_samples
    outputs: dict[str, np.ndarray] = {}
    for row in range(len(x)):
        for rep in range(replications):
            rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(row, rep)))
            value = function(x[row], rng)
            values = value if isinstance(value, Mapping) else {"y": value}
            for name, v in values.items():
                outputs.setdefault(name, np.full((len(x), replications), np.nan))[row, rep] = v
    return outputs


@dataclass
class SensitivityResult:
    """Indices, noise shares and warnings of one analysed design.

    Attributes
    ----------
    design
        The analysed design.
    indices
        One row per (output, statistic, parameter): the method's index columns
        (``Method.index_columns``), the dummy included.
    second_order
        Sobol with second order: one row per (output, statistic, parameter pair) with ``S2``
        and ``S2_conf``; otherwise empty.
    noise
        One row per output: ``replications``, ``noise_share`` (within-point over total
        variance of single runs) and ``noise_share_of_means``.
    skipped
        Outputs or statistics not analysed, with the reason.
    noise_warnings
        Outputs whose noise share exceeds ``NOISE_WARNING``, in plain words.
    confidence
        Level of the confidence intervals (bootstrap, SALib's ``conf_level``).
    """

    design: SensitivityDesign
    indices: pd.DataFrame
    second_order: pd.DataFrame
    noise: pd.DataFrame
    skipped: dict[str, str] = field(default_factory=dict)
    noise_warnings: list[str] = field(default_factory=list)
    confidence: float = CONFIDENCE

    @property
    def method(self) -> Method:
        return self.design.method

    @property
    def inflated(self) -> list[tuple[str, str, float, float]]:
        """(output, statistic, index, half-width) where the dummy's interval excludes 0.

        Only for methods whose index of an inert parameter is 0 (Sobol, eFAST, RBD-FAST), and
        only when the dummy's index is not negligible.
        """
        if not self.design.dummy or not self.method.noise_test:
            return []
        main = self.method.main_index
        dummy = self.indices[self.indices["parameter"] == DUMMY]
        return [(row["output"], row["statistic"], row[main], row[f"{main}_conf"])
                for _, row in dummy.iterrows()
                if row[main] - row[f"{main}_conf"] > 0 and row[main] >= NEGLIGIBLE]

    @property
    def warnings(self) -> list[str]:
        """Every warning in plain words: noise shares, then dummy intervals excluding 0."""
        main = self.method.main_index
        return [*self.noise_warnings, *(
            f"{output} ({statistic}): the dummy parameter's {main} = {value:.3f} ± {conf:.3f} "
            "excludes 0, so noise or too few samples inflate the indices; only parameters "
            "well above the dummy are influential. Add replications or samples"
            for output, statistic, value, conf in self.inflated)]

    def table(self, output: str, statistic: str = "mean") -> pd.DataFrame:
        """The indices of one output and statistic, indexed by parameter."""
        rows = self.indices[(self.indices["output"] == output)
                            & (self.indices["statistic"] == statistic)]
        if rows.empty:
            raise SensitivityError(f"no indices for output '{output}' ({statistic}); "
                                   f"analysed: {', '.join(self.outputs)}")
        return rows.drop(columns=["output", "statistic"]).set_index("parameter")

    @property
    def outputs(self) -> list[str]:
        return list(dict.fromkeys(self.indices["output"]))

    def ranking(self, output: str, statistic: str = "mean") -> pd.DataFrame:
        """Parameters by decreasing main index, with whether each stands out from the dummy.

        A parameter is ``influential`` when its main index exceeds the dummy's (lower bound of
        the parameter's interval above the upper bound of the dummy's, where intervals exist;
        without a dummy, above 0) and is not negligible (``NEGLIGIBLE``).
        """
        table = self.table(output, statistic)
        main = self.method.main_index
        conf = table.get(f"{main}_conf", 0.0)
        low, high = table[main] - conf, table[main] + conf
        floor = high.get(DUMMY, 0.0)
        scale = 1.0 if self.method.noise_test else table[main].max()
        ranked = pd.DataFrame({"index": table[main], "conf": conf,
                               "influential": (low > floor) & (table[main] >= NEGLIGIBLE * scale)})
        return ranked.drop(index=DUMMY, errors="ignore").sort_values("index", ascending=False)


def _bootstrap_seed(seed: int) -> int:
    """A non-zero seed derived from ``seed``: SALib's Sobol, eFAST and PAWN analysers test
    ``if seed:`` and leave seed 0 unseeded (different intervals on every call)."""
    return int(np.random.SeedSequence(seed).generate_state(1)[0]) | 1


def _salib_analyse(design: SensitivityDesign, ys: dict[str, np.ndarray], confidence: float,
                   resamples: int, seed: int) -> dict[str, Any]:
    """Run SALib's analyser of the design's method on each column of ``ys``."""
    seed = _bootstrap_seed(seed)
    spec = design.spec()
    spec["outputs"] = list(ys)
    results = np.column_stack(list(ys.values()))
    spec.set_results(results if len(ys) > 1 else results[:, 0])
    method = design.method
    with warnings.catch_warnings():
        # eFAST's bootstrap-interval caveat is in docs/sensitivity.md; SALib repeats it per call
        warnings.filterwarnings("ignore", message="FAST confidence intervals")
        if method is Method.SOBOL:
            spec.analyze_sobol(calc_second_order=design.second_order, num_resamples=resamples,
                               conf_level=confidence, seed=seed)
        elif method is Method.MORRIS:
            spec.analyze_morris(num_resamples=resamples, conf_level=confidence,
                                num_levels=design.options["levels"], seed=seed)
        elif method is Method.FAST:
            spec.analyze_fast(M=FAST_INTERFERENCE, num_resamples=resamples,
                              conf_level=confidence, seed=seed)
        elif method is Method.RBD_FAST:
            spec.analyze_rbd_fast(M=RBD_HARMONICS, num_resamples=resamples,
                                  conf_level=confidence, seed=seed)
        else:
            spec.analyze_pawn(S=PAWN_SLIDES, seed=seed)
    analysis = spec.analysis
    return analysis if len(ys) > 1 else {next(iter(ys)): analysis}


def analyse(design: SensitivityDesign, outputs: Mapping[str, Any], *,
            confidence: float = CONFIDENCE, resamples: int = RESAMPLES, seed: int = 0,
            skip_invalid: bool = False, statistics: Sequence[str] = STATISTICS
            ) -> SensitivityResult:
    """Sensitivity indices of every output, for the replication mean and SD.

    Parameters
    ----------
    design
        The design the outputs were computed on.
    outputs
        Per output name, its values: (rows,) or (rows, replications), in the design's row
        order (as :func:`evaluate` returns them).
    confidence
        Level of the bootstrap confidence intervals.
    resamples
        Bootstrap resamples.
    seed
        Seed of the bootstrap: the same seed gives the same intervals.
    skip_invalid
        Record invalid outputs in ``skipped`` instead of raising.
    statistics
        Which replication statistics to analyse: ``mean`` and/or ``sd``.

    Returns
    -------
    SensitivityResult

    Raises
    ------
    OutputError
        An output has the wrong number of rows, a NaN or infinite value, or is constant
        (unless ``skip_invalid``).
    """
    rows = len(design.samples)
    ys: dict[str, np.ndarray] = {}
    keys: dict[str, tuple[str, str]] = {}
    noise, skipped, notes = [], {}, []
    for name, values in outputs.items():
        try:
            y = as_runs(values, rows, name)
        except OutputError as exc:
            if not skip_invalid:
                raise
            skipped[name] = str(exc)
            continue
        share, in_means = noise_share(y)
        noise.append({"output": name, "replications": y.shape[1], "noise_share": share,
                      "noise_share_of_means": in_means})
        if share > NOISE_WARNING:
            notes.append(
                f"{name}: {share:.0%} of the variance of single runs is stochastic noise; the "
                f"means of {y.shape[1]} replications still carry an estimated {in_means:.0%}"
                " — add replications if the dummy's index is not near 0")
        columns = {"mean": y.mean(axis=1),
                   "sd": y.std(axis=1, ddof=1) if y.shape[1] > 1 else None}
        for statistic in statistics:
            column = columns[statistic]
            if column is None:
                skipped[f"{name} ({statistic})"] = "one replication per point: no SD"
            elif np.ptp(column) == 0:
                skipped[f"{name} ({statistic})"] = (f"constant (= {column[0]:g}) at every "
                                                    "point: nothing to apportion")
            else:
                label = f"{name} ({statistic})"
                ys[label], keys[label] = column, (name, statistic)
    if not ys:
        raise OutputError("no output can be analysed: " + "; ".join(skipped.values()))
    analysis = _salib_analyse(design, ys, confidence, resamples, seed)
    indices, pairs = [], []
    names = design.names
    for label, result in analysis.items():
        output, statistic = keys[label]
        for i, parameter in enumerate(names):
            row = {"output": output, "statistic": statistic, "parameter": parameter}
            indices.append(row | {c: float(np.asarray(result[c])[i])
                                  for c in design.method.index_columns})
        if design.method is Method.SOBOL and design.second_order:
            for i, j in zip(*np.triu_indices(len(names), 1), strict=True):
                pairs.append({"output": output, "statistic": statistic,
                              "parameter_1": names[i], "parameter_2": names[j],
                              "S2": float(result["S2"][i, j]),
                              "S2_conf": float(result["S2_conf"][i, j])})
    return SensitivityResult(design, pd.DataFrame(indices), pd.DataFrame(pairs),
                             pd.DataFrame(noise), skipped, notes, confidence)

