"""Analysing a sensitivity design: validated outputs in, indices with intervals out.

Model-agnostic: outputs are arrays with one row per design row and one column per
replication, whatever made them.  For every output the replication **mean** and (with two or
more replications) the replication **SD** are analysed as separate outputs with SALib's
analysers; the share of output variance that is run-to-run noise is estimated (a one-way
random-effects split); and the dummy parameter measures what noise and sampling error alone
give an index:

* Sobol and eFAST: **dummy-corrected** indices ``(ST - ST_dummy) / (1 - ST_dummy)`` and
  ``S1 / (1 - ST_dummy)`` beside SALib's raw ones, with paired intervals (the same bootstrap
  resamples, or the same phase-shift replicates, for the parameter and the dummy);
* eFAST: intervals from independent random phase shifts, not SALib's bootstrap of one curve;
* PAWN: a permutation distribution of the index of an inert parameter, so that "influential"
  is a test, not a coin flip against one draw of the dummy.

Outputs are validated first, because SALib does not: an infinite value is an error; a NaN
(an undefined metric, e.g. a lifetime when nothing launched) is counted and either analysed
as an explicitly named conditional output or declared not estimable (:func:`analyse`).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..sampling import FAST_INTERFERENCE
from .problem import (
    DUMMY,
    PAWN_SLIDES,
    RBD_HARMONICS,
    Method,
    SensitivityDesign,
    SensitivityError,
)

STATISTICS = ("mean", "sd")
"""What is analysed of each output across replications."""
NOISE_TARGET = 0.05
"""Largest accepted noise share of the replication means: above it the report says the
output's indices are noise-limited at this design's replications, and names the replications
that would meet it (:func:`replications_needed`)."""
NEGLIGIBLE = 0.01
"""An index below this share of output variance (for Morris and PAWN: of the largest index)
is negligible: never called influential, and a dummy this small raises no warning."""
CONFIDENCE = 0.95
RESAMPLES = 1000
DEFINED = " | defined"
"""Suffix of an output analysed over the runs where it is defined (it is NaN in others)."""


class OutputError(SensitivityError):
    """An output cannot be analysed (infinite, undefined everywhere, constant, wrong number of
    rows, or not estimable at this design)."""


def as_runs(values: Any, rows: int, name: str) -> np.ndarray:
    """One output as a (rows, replications) float array, validated; NaN (undefined) allowed.

    Parameters
    ----------
    values
        One value per design row (1-D), or one row per design row and one column per
        replication (2-D), in the design's row order.  NaN marks a run where the output is
        undefined.
    rows
        Rows of the design.
    name
        The output's name, for messages.

    Raises
    ------
    OutputError
        Wrong shape or number of rows, an infinite value, NaN in every run, or an output that
        is constant wherever it is defined.
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
    infinite = np.isinf(y)
    if infinite.any():
        row, rep = np.argwhere(infinite)[0]
        raise OutputError(f"output '{name}': {int(infinite.sum())} of {y.size} values are "
                          f"infinite (first at row {row}, replication {rep})")
    defined = y[~np.isnan(y)]
    if defined.size == 0:
        raise OutputError(f"output '{name}' is undefined (NaN) in all {y.size} runs")
    if np.ptp(defined) == 0:
        raise OutputError(f"output '{name}' is constant (= {defined[0]:g}) in every run where "
                          "it is defined: there is no variance to apportion")
    return y


@dataclass(frozen=True)
class VarianceSplit:
    """One-way random-effects split of an output's variance (design rows as groups).

    Attributes
    ----------
    within
        Run-to-run (noise) variance: the pooled within-row mean square.
    between
        Variance of the row means that the parameters cause (method of moments,
        ``(MSB - MSW) / n0``, at least 0).
    noise_of_means
        Average noise variance of a row mean: ``within / n_i`` averaged over the rows.
    spread_of_means
        Variance of the row means (``ddof = 1``).
    f_ratio, df_between, df_within
        ``MSB / MSW`` and its degrees of freedom, for the interval of the noise share.
    balanced
        Whether every row has the same number of defined runs.
    """

    within: float
    between: float
    noise_of_means: float
    spread_of_means: float
    f_ratio: float
    df_between: int
    df_within: int
    balanced: bool
    replications: float

    @property
    def share(self) -> float:
        """Noise share of single runs: ``within / (within + between)``."""
        total = self.within + self.between
        return self.within / total if total > 0 else float("nan")

    @property
    def share_of_means(self) -> float:
        """Noise share of the replication means (at most 1)."""
        if not self.spread_of_means > 0:
            return float("nan")
        return min(self.noise_of_means / self.spread_of_means, 1.0)

    def share_interval(self, confidence: float = CONFIDENCE) -> tuple[float, float]:
        """Exact interval of :attr:`share` for balanced rows and normal noise (the interval
        of the intraclass correlation from the F distribution; Searle, Casella & McCulloch
        1992, section 3.6); NaN when unbalanced."""
        if not self.balanced or not self.df_within or not np.isfinite(self.f_ratio):
            return float("nan"), float("nan")
        tail = (1 - confidence) / 2
        r = self.replications
        upper_f = stats.f.ppf(1 - tail, self.df_between, self.df_within)
        lower_f = stats.f.ppf(tail, self.df_between, self.df_within)
        low_icc = (self.f_ratio / upper_f - 1) / (self.f_ratio / upper_f + r - 1)
        high_icc = (self.f_ratio / lower_f - 1) / (self.f_ratio / lower_f + r - 1)
        clip = lambda v: float(min(max(v, 0.0), 1.0))  # noqa: E731
        return clip(1 - high_icc), clip(1 - low_icc)


def variance_split(y: np.ndarray) -> VarianceSplit | None:
    """The :class:`VarianceSplit` of (rows, replications) outputs (NaN = undefined run).

    Rows without a defined run are left out; None when fewer than two rows have one or no row
    has two.
    """
    y = np.asarray(y, dtype=float)
    counts = (~np.isnan(y)).sum(axis=1)
    y, counts = y[counts > 0], counts[counts > 0]
    k, total = len(counts), int(counts.sum())
    if k < 2 or total - k < 1:
        return None
    means = np.nansum(y, axis=1) / counts
    within = float(np.nansum((y - means[:, None]) ** 2) / (total - k))
    grand = float(np.nansum(y) / total)
    msb = float((counts * (means - grand) ** 2).sum() / (k - 1))
    n0 = (total - (counts**2).sum() / total) / (k - 1)
    return VarianceSplit(
        within=within, between=max((msb - within) / n0, 0.0),
        noise_of_means=float((within / counts).mean()),
        spread_of_means=float(means.var(ddof=1)),
        f_ratio=msb / within if within > 0 else float("inf"),
        df_between=k - 1, df_within=total - k, balanced=bool((counts == counts[0]).all()),
        replications=float(n0))


def noise_share(y: np.ndarray) -> tuple[float, float]:
    """Share of variance that is run-to-run noise, in single runs and in replication means.

    A one-way random-effects split with the design rows as groups: the noise variance is the
    pooled within-row variance (``n - 1`` corrected), the parameters' variance is the
    variance of the row means less the noise they still carry.  Unbiased for any number of
    replications (the plain ratio of within-row to total population variance is biased low
    by ``(R - 1) / R``).  Undefined runs (NaN) are left out.

    Parameters
    ----------
    y
        (rows, replications) outputs.

    Returns
    -------
    tuple of float
        Noise share of single runs, ``within / (within + between)``; and of the means of the
        row's replications, ``mean(within / n_i) / var(row means)`` (at most 1).  Both NaN
        with one replication.
    """
    split = variance_split(y)
    if split is None:
        return float("nan"), float("nan")
    return split.share, split.share_of_means


def replications_needed(share: float, target: float = NOISE_TARGET) -> float:
    """Replications R whose means carry at most ``target`` noise, given the single-run noise
    share ``s``: the noise share of a mean of R runs is ``s / (s + R (1 - s))``, so
    ``R = ceil(s (1 - target) / (target (1 - s)))``.  Infinite for pure noise, NaN if ``s``
    is."""
    if not np.isfinite(share):
        return float("nan")
    if share >= 1:
        return float("inf")
    return float(max(1, math.ceil(share * (1 - target) / (target * (1 - share)) - 1e-9)))


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
        it).  Returns a number (the output ``"y"``) or a dict of named numbers; NaN for an
        undefined value.
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


def index_columns(design: SensitivityDesign) -> tuple[str, ...]:
    """The per-parameter columns of the indices table for this design."""
    columns = design.method.index_columns
    if design.method.dummy_corrected and design.dummy:
        columns += ("S1_corrected", "S1_corrected_conf", "ST_corrected", "ST_corrected_conf")
    if design.method is Method.PAWN:
        columns += ("median_floor", "p_value")
    return columns


@dataclass
class SensitivityResult:
    """Indices, noise shares and warnings of one analysed design.

    Attributes
    ----------
    design
        The analysed design.
    indices
        One row per (output, statistic, parameter): :func:`index_columns`, the dummy included.
    second_order
        Sobol with second order: one row per (output, statistic, parameter pair) with ``S2``
        and ``S2_conf``; otherwise empty.
    noise
        One row per output: ``replications``, ``runs``, ``undefined_runs``,
        ``noise_share`` (single runs) with its interval (``noise_share_low``/``_high``,
        balanced rows only), ``noise_share_of_means`` and ``replications_needed`` (for a
        noise share of the means of at most ``NOISE_TARGET``).
    skipped
        Outputs or statistics not analysed, with the reason.
    noise_warnings
        Outputs whose means carry more than ``NOISE_TARGET`` noise, in plain words.
    undefined
        Outputs with undefined (NaN) runs: how many, and what was analysed, in plain words.
    notes
        Other warnings of the analysers (e.g. bootstrap resamples of a constant output).
    confidence
        Level of the confidence intervals.
    sources
        The output each analysed label comes from (``x | defined`` comes from ``x``).
    """

    design: SensitivityDesign
    indices: pd.DataFrame
    second_order: pd.DataFrame
    noise: pd.DataFrame
    skipped: dict[str, str] = field(default_factory=dict)
    noise_warnings: list[str] = field(default_factory=list)
    undefined: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    confidence: float = CONFIDENCE
    sources: dict[str, str] = field(default_factory=dict)

    @property
    def method(self) -> Method:
        return self.design.method

    @property
    def corrected(self) -> bool:
        """Whether the ranking reads dummy-corrected indices (Sobol and eFAST with a dummy)."""
        return self.method.dummy_corrected and self.design.dummy

    @property
    def main_index(self) -> str:
        """The column that ranks the parameters: ``ST_corrected`` where there is one."""
        return "ST_corrected" if self.corrected else self.method.main_index

    @property
    def inflated(self) -> list[tuple[str, str, float, float]]:
        """(output, statistic, index, half-width) where the dummy's raw interval excludes 0.

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
        """Every warning in plain words: noise, undefined runs, the dummy, the analysers."""
        main = self.method.main_index
        if self.corrected:
            advice = (f"the raw {main} of every parameter is inflated by about as much; the "
                      f"ranking reads the dummy-corrected {main}_corrected, which removes it")
        else:
            advice = ("noise or too few samples inflate the indices; only parameters well "
                      "above the dummy are influential. Add replications or samples")
        return [*self.noise_warnings, *self.undefined, *(
            f"{output} ({statistic}): the dummy parameter's {main} = {value:.3f} ± {conf:.3f} "
            f"excludes 0: {advice}"
            for output, statistic, value, conf in self.inflated), *self.notes]

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
        return list(dict.fromkeys(self.indices["output"])) if not self.indices.empty else []

    def ranking(self, output: str, statistic: str = "mean") -> pd.DataFrame:
        """Parameters by decreasing main index, with whether each stands out from noise.

        ``influential``, by method (never for a negligible index, ``NEGLIGIBLE``):

        * Sobol, eFAST with a dummy: the dummy-corrected ST's interval lies above 0 (a paired
          test of "above the dummy"); without a dummy, the raw ST's interval lies above 0;
        * RBD-FAST, Morris: the interval lies above the dummy's (above 0 without a dummy);
        * PAWN: the index exceeds ``median_floor``, the ``confidence`` quantile of the index
          of an inert parameter (a permutation test).
        """
        table = self.table(output, statistic)
        main = self.main_index
        value = table[main]
        scale = 1.0 if self.method.noise_test else float(value.max())
        big = value >= NEGLIGIBLE * scale
        if self.method is Method.PAWN:
            conf = pd.Series(np.nan, index=table.index)
            above = value > table["median_floor"]
        else:
            conf = table[f"{main}_conf"]
            floor = 0.0
            if self.design.dummy and not self.corrected:
                floor = (table[main] + table[f"{main}_conf"]).get(DUMMY, 0.0)
            above = (value - conf) > floor
        ranked = pd.DataFrame({"index": value, "conf": conf,
                               "influential": (above & big).fillna(False).astype(bool)})
        if self.method is Method.PAWN:
            ranked["p_value"] = table["p_value"]
        return ranked.drop(index=DUMMY, errors="ignore").sort_values(
            "index", ascending=False, na_position="last")


def _bootstrap_seed(seed: int) -> int:
    """A non-zero seed derived from ``seed``: SALib's Sobol and PAWN analysers test
    ``if seed:`` and leave seed 0 unseeded (different intervals on every call)."""
    return int(np.random.SeedSequence(seed).generate_state(1)[0]) | 1


def _problem(design: SensitivityDesign) -> dict[str, Any]:
    names = design.names
    return {"names": names, "num_vars": len(names), "groups": None,
            "bounds": [list(b) for b in design.problem["bounds"]],
            "dists": list(design.problem.get("dists") or ["unif"] * len(names))}


def _corrected(s1: np.ndarray, st: np.ndarray, dummy: int) -> tuple[np.ndarray, np.ndarray]:
    """``S1 / (1 - ST_d)`` and ``(ST - ST_d) / (1 - ST_d)`` along the last axis (NaN where the
    dummy's ST reaches 1: noise leaves no variance to apportion)."""
    st_d = st[..., dummy:dummy + 1]
    denominator = np.where(1 - st_d > 0, 1 - st_d, np.nan)
    return s1 / denominator, (st - st_d) / denominator


def _sobol(design: SensitivityDesign, y: np.ndarray, confidence: float, resamples: int,
           seed: int, notes: list[str], label: str) -> dict[str, np.ndarray]:
    from SALib.analyze import sobol

    step = design.rows_per_sample
    a, b = y[0::step], y[step - 1::step]
    if np.ptp(np.r_[a, b]) == 0:
        raise OutputError(
            f"{label}: constant (= {a[0]:g}) at all {2 * design.n} rows of the A and B "
            f"matrices (the first and last row of each base sample), varying only in the "
            f"rows between: its Sobol indices are not estimable at N = {design.n} (SALib "
            "would report 0 ± 0); double N with --extend")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = sobol.analyze(_problem(design), y, calc_second_order=design.second_order,
                               num_resamples=resamples, conf_level=confidence, seed=seed,
                               keep_resamples=True)
    if any("constant" in str(w.message) for w in caught):
        notes.append(f"{label}: some bootstrap resamples of the {design.n} base samples see "
                     "a constant output, so its Sobol intervals are unreliable; double N "
                     "with --extend")
    columns = {c: np.asarray(result[c], dtype=float) for c in ("S1", "S1_conf", "ST",
                                                               "ST_conf")}
    if design.dummy:
        dummy = design.names.index(DUMMY)
        z = stats.norm.ppf(0.5 + confidence / 2)
        s1, st = _corrected(columns["S1"], columns["ST"], dummy)
        boot_s1, boot_st = _corrected(np.asarray(result["S1_conf_all"]),
                                      np.asarray(result["ST_conf_all"]), dummy)
        columns |= {"S1_corrected": s1, "S1_corrected_conf": z * boot_s1.std(axis=0, ddof=1),
                    "ST_corrected": st, "ST_corrected_conf": z * boot_st.std(axis=0, ddof=1)}
    if design.second_order:
        columns |= {"S2": np.asarray(result["S2"]), "S2_conf": np.asarray(result["S2_conf"])}
    return columns


def _fast(design: SensitivityDesign, y: np.ndarray, confidence: float
          ) -> dict[str, np.ndarray]:
    """eFAST indices: the mean over the phase-shift replicates, with a t interval from their
    spread (and the dummy-corrected indices, corrected within each replicate)."""
    from SALib.analyze import fast

    replicates = int(design.options["replicates"])
    blocks = np.split(y, replicates)
    if any(np.ptp(block) == 0 for block in blocks):
        raise OutputError("constant within a phase-shift replicate: eFAST indices are not "
                          "estimable at this size; use more samples")
    s1, st = [], []
    for block in blocks:
        with warnings.catch_warnings():
            # SALib's bootstrap interval of one search curve is not used (see module doc)
            warnings.filterwarnings("ignore", message="FAST confidence intervals")
            result = fast.analyze(_problem(design), block, M=FAST_INTERFERENCE,
                                  num_resamples=2, conf_level=confidence)
        s1.append(np.asarray(result["S1"], dtype=float))
        st.append(np.asarray(result["ST"], dtype=float))
    s1, st = np.array(s1), np.array(st)
    t = stats.t.ppf(0.5 + confidence / 2, replicates - 1) / np.sqrt(replicates)
    columns = {"S1": s1.mean(axis=0), "S1_conf": t * s1.std(axis=0, ddof=1),
               "ST": st.mean(axis=0), "ST_conf": t * st.std(axis=0, ddof=1)}
    if design.dummy:
        s1_c, st_c = _corrected(s1, st, design.names.index(DUMMY))
        columns |= {"S1_corrected": s1_c.mean(axis=0),
                    "S1_corrected_conf": t * s1_c.std(axis=0, ddof=1),
                    "ST_corrected": st_c.mean(axis=0),
                    "ST_corrected_conf": t * st_c.std(axis=0, ddof=1)}
    return columns


def inert_pawn_medians(y: np.ndarray, column: np.ndarray, resamples: int,
                       rng: np.random.Generator, slides: int = PAWN_SLIDES) -> np.ndarray:
    """PAWN's median KS statistic of ``resamples`` inert parameters: ``column`` randomly
    permuted against ``y``.

    The statistic is SALib's (``SALib.analyze.pawn``: slides between the quantiles of the
    column, the last one open at the top; the two-sample KS statistic of each slide's outputs
    against all outputs; the median over the slides), vectorised over the permutations:
    SALib calls ``scipy.stats.ks_2samp``, which also computes an exact p-value that PAWN
    does not use and that makes a thousand permutations take minutes.  The tests check that
    it equals SALib's index on unpermuted columns.
    """
    y, column = np.asarray(y, dtype=float), np.asarray(column, dtype=float)
    n = len(y)
    order = np.argsort(y, kind="stable")
    ends = np.r_[y[order][1:] != y[order][:-1], True]      # last run of each tied value
    everything = (np.arange(1, n + 1) / n)[ends]
    step = 1 / slides
    edges = np.nanquantile(column, np.arange(0, 1 + step, step))
    slide = np.full(n, -1)
    for s in range(slides):
        slide[(column >= edges[s]) & (column < edges[s + 1])] = s
    permuted = np.stack([slide[rng.permutation(n)] for _ in range(resamples)])[:, order]
    distances = np.full((resamples, slides), np.nan)
    for s in range(slides):
        member = permuted == s
        size = member.sum(axis=1)
        if not size.any():
            continue
        within = np.cumsum(member, axis=1)[:, ends] / np.maximum(size, 1)[:, None]
        distances[:, s] = np.where(size > 0, np.abs(within - everything).max(axis=1), np.nan)
    return np.nanmedian(distances, axis=1)


def _pawn(design: SensitivityDesign, y: np.ndarray, confidence: float, resamples: int,
          seed: int) -> dict[str, np.ndarray]:
    """PAWN indices, and the permutation distribution of the median KS statistic of an inert
    parameter: ``median_floor`` (its ``confidence`` quantile) and each parameter's
    ``p_value`` (share of the permutations at least as large, Phipson & Smyth 2010)."""
    from SALib.analyze import pawn

    result = pawn.analyze(_problem(design), design.samples, y, S=PAWN_SLIDES)
    columns = {c: np.asarray(result[c], dtype=float) for c in design.method.index_columns}
    # Every Latin hypercube column has the same quantile slides, so any column serves.
    column = design.samples[:, design.names.index(DUMMY) if design.dummy else 0]
    null = inert_pawn_medians(y, column, resamples, np.random.default_rng(seed))
    median = columns["median"]
    columns["median_floor"] = np.full(len(median), float(np.quantile(null, confidence)))
    columns["p_value"] = (1 + (null[None, :] >= median[:, None] - 1e-12).sum(axis=1)) / (
        resamples + 1)
    return columns


def _analyse_column(design: SensitivityDesign, y: np.ndarray, confidence: float,
                    resamples: int, seed: int, notes: list[str], label: str
                    ) -> dict[str, np.ndarray]:
    """The method's index columns (and S2) of one analysed column of outputs."""
    from SALib.analyze import morris, rbd_fast

    method = design.method
    if method is Method.SOBOL:
        return _sobol(design, y, confidence, resamples, seed, notes, label)
    if method is Method.FAST:
        return _fast(design, y, confidence)
    if method is Method.PAWN:
        return _pawn(design, y, confidence, resamples, seed)
    if method is Method.MORRIS:
        result = morris.analyze(_problem(design), design.samples, y,
                                num_resamples=resamples, conf_level=confidence,
                                num_levels=design.options["levels"], seed=seed)
    else:
        result = rbd_fast.analyze(_problem(design), design.samples, y, M=RBD_HARMONICS,
                                  num_resamples=resamples, conf_level=confidence, seed=seed)
    return {c: np.asarray(result[c], dtype=float) for c in method.index_columns}


def _undefined_words(name: str, y: np.ndarray, method: Method) -> tuple[str, str | None]:
    """Plain words on the undefined runs of ``name``, and the reason it is not estimable
    (None if it can be analysed as ``name | defined``)."""
    undefined = int(np.isnan(y).sum())
    empty = int((np.isnan(y).all(axis=1)).sum())
    words = (f"{name}: {undefined} of {y.size} runs ({undefined / y.size:.0%}) are undefined "
             "(NaN)")
    if empty:
        reason = (f"{empty} of {len(y)} design rows have no defined run; {method} indices need "
                  "every row, so they are not estimable at this design (add replications, or "
                  "narrow the ranges to where it is defined)")
        return f"{words}, and {reason}", f"undefined in {undefined} of {y.size} runs, and {reason}"
    return (f"{words}; analysed as '{name}{DEFINED}': at each design row the mean (and SD) "
            "of the runs where it is defined"), None


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
        order (as :func:`evaluate` returns them); NaN where a run leaves it undefined.
    confidence
        Level of the confidence intervals.
    resamples
        Bootstrap resamples (Sobol, Morris, RBD-FAST) or permutations (PAWN).
    seed
        Seed of the bootstrap and permutations: the same seed gives the same intervals.
    skip_invalid
        Record outputs that cannot be analysed in ``skipped`` instead of raising.
    statistics
        Which replication statistics to analyse: ``mean`` and/or ``sd``.

    Returns
    -------
    SensitivityResult

    Notes
    -----
    An output that is **undefined (NaN) in some runs** is never zero-filled or silently
    dropped.  Every method's estimator needs every design row (Sobol's A, B and AB rows,
    Morris' trajectories, eFAST's search curves, the Latin hypercube's strata), so:

    * if every design row has at least one defined run, the output is analysed as
      ``<name> | defined``: per row, the mean (SD: of rows with two or more defined runs)
      over the runs where it is defined, i.e. the indices of the conditional mean;
    * if some design row has no defined run, the output is not estimable at this design.

    Either way ``undefined`` says how many runs were undefined, and ``noise`` counts them.

    Raises
    ------
    OutputError
        An output has the wrong number of rows, an infinite value, no defined value, is
        constant, or is not estimable at this design (unless ``skip_invalid``).
    """
    rows = len(design.samples)
    seed = _bootstrap_seed(seed)
    noise, skipped, noisy, undefined, notes = [], {}, [], [], []
    indices, pairs, sources = [], [], {}
    names = design.names

    def skip(key: str, reason: str) -> None:
        if not skip_invalid:
            raise OutputError(reason)
        skipped[key] = reason

    for name, values in outputs.items():
        try:
            y = as_runs(values, rows, name)
        except OutputError as exc:
            skip(name, str(exc))
            continue
        label = name + DEFINED if np.isnan(y).any() else name
        split = variance_split(y)
        share, in_means = (split.share, split.share_of_means) if split else (np.nan, np.nan)
        low, high = split.share_interval(confidence) if split else (np.nan, np.nan)
        needed = replications_needed(share)
        reps = y.shape[1]
        noise.append({"output": label, "replications": reps, "runs": y.size,
                      "undefined_runs": int(np.isnan(y).sum()), "noise_share": share,
                      "noise_share_low": low, "noise_share_high": high,
                      "noise_share_of_means": in_means, "replications_needed": needed})
        if label != name:
            words, reason = _undefined_words(name, y, design.method)
            undefined.append(words)
            if reason:
                skip(name, reason if skip_invalid else words)
                continue
        if in_means > NOISE_TARGET:
            target = (f"{needed:.0f} replications would meet it" if np.isfinite(needed)
                      else "no number of replications meets it")
            noisy.append(
                f"{label}: {share:.0%} of the variance of single runs is noise, and the means "
                f"of {reps} replications still carry an estimated {in_means:.0%} (target "
                f"{NOISE_TARGET:.0%}; {target}): at this design's budget its indices are "
                "noise-limited — raw indices inflated, corrected ones wide")
        counts = (~np.isnan(y)).sum(axis=1)
        columns = {"mean": np.nanmean(y, axis=1), "sd": None}
        if reps > 1 and counts.min() >= 2:
            columns["sd"] = np.nanstd(y, axis=1, ddof=1)
        for statistic in statistics:
            column, key = columns[statistic], f"{label} ({statistic})"
            if column is None:
                skipped[key] = ("one replication per point: no SD" if reps == 1 else
                                "fewer than 2 defined runs at some design row: no SD")
                continue
            if np.ptp(column) == 0:
                skipped[key] = f"constant (= {column[0]:g}) at every point: nothing to apportion"
                continue
            try:
                result = _analyse_column(design, column, confidence, resamples, seed, notes,
                                         key)
            except OutputError as exc:
                skip(key, str(exc))
                continue
            sources[label] = name
            for i, parameter in enumerate(names):
                row = {"output": label, "statistic": statistic, "parameter": parameter}
                indices.append(row | {c: float(result[c][i]) for c in index_columns(design)})
            if "S2" in result:
                for i, j in zip(*np.triu_indices(len(names), 1), strict=True):
                    pairs.append({"output": label, "statistic": statistic,
                                  "parameter_1": names[i], "parameter_2": names[j],
                                  "S2": float(result["S2"][i, j]),
                                  "S2_conf": float(result["S2_conf"][i, j])})
    if not indices:
        raise OutputError("no output can be analysed: " + "; ".join(skipped.values()))
    return SensitivityResult(design, pd.DataFrame(indices), pd.DataFrame(pairs),
                             pd.DataFrame(noise), skipped, noisy, undefined, notes, confidence,
                             sources)
