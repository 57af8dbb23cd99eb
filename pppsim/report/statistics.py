"""Statistics of a scenario comparison: paired differences, effect sizes, bootstrap ratios,
survival curves and quantile bands.

Pure functions, arrays in and arrays (or frames) out.  Values are paired by replication: with
common random numbers, replication k of every scenario saw the same random history, so the
difference ``b[k] - a[k]`` cancels the noise the scenarios share.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ..experiment import summarise
from ..i18n import N_
from ..model.outputs import kaplan_meier_summary

CONFIDENCE = 0.95
BOOTSTRAP_SAMPLES = 2000
QUANTILES = (0.10, 0.25, 0.50, 0.75, 0.90)
"""Quantiles of the fan charts: 10-90 and 25-75 bands around the median."""
EFFECT_WORDS = ((0.2, N_("negligible")), (0.5, N_("small")), (0.8, N_("medium")),
                (np.inf, N_("large")))
"""Cohen's conventional thresholds for |d|, applied to d_z as a rough guide."""


def paired_comparisons(frame: pd.DataFrame, metrics: Sequence[str], seed: int,
                       confidence: float = CONFIDENCE) -> pd.DataFrame:
    """Every scenario against the first (point 0), paired by replication.

    Parameters
    ----------
    frame
        One row per run with ``point``, ``replication``, ``scenario`` and the ``metrics``
        (as :func:`pppsim.experiment.load_results` gives).
    metrics
        The metrics to compare.
    seed
        Seed of the bootstrap (the same seed gives the same intervals).
    confidence
        Level of the intervals.

    Returns
    -------
    pandas.DataFrame
        One row per (other scenario, metric): ``point``, ``scenario``, ``metric``, ``n``
        (pairs with finite values), ``difference`` (mean of B - A) with its Student-t
        interval ``difference_low``/``difference_high`` (the engine's
        :func:`~pppsim.experiment.summarise` of the paired differences), ``effect_size``
        (Cohen's d_z: mean difference over its standard deviation), and ``ratio``
        (mean B / mean A) with its paired bootstrap interval ``ratio_low``/``ratio_high``.
    """
    runs = frame.set_index(["point", "replication"]).sort_index()
    reference = runs.loc[0, list(metrics)]
    others = runs.drop(index=0, level="point")
    if others.empty:
        return pd.DataFrame(columns=["point", "scenario", "metric", "n", "difference",
                                     "difference_low", "difference_high", "effect_size",
                                     "ratio", "ratio_low", "ratio_high"])
    differences = others[list(metrics)].sub(reference, level="replication").reset_index()
    differences["scenario"] = others["scenario"].to_numpy()
    table = summarise(differences, metrics, by=["point", "scenario"], confidence=confidence)
    table = table.rename(columns={"mean": "difference", "ci_low": "difference_low",
                                  "ci_high": "difference_high"})
    with np.errstate(divide="ignore", invalid="ignore"):
        table["effect_size"] = np.where(table["sd"] > 0, table["difference"] / table["sd"],
                                        np.nan)
    ratios = []
    for row in table.itertuples():
        b = others.loc[row.point, row.metric].to_numpy(dtype=float)
        a = reference.loc[others.loc[row.point].index, row.metric].to_numpy(dtype=float)
        keep = np.isfinite(a) & np.isfinite(b)
        metric_index = list(metrics).index(row.metric)
        rng = np.random.default_rng([seed, row.point, metric_index])
        ratios.append(ratio_interval(a[keep], b[keep], rng, confidence))
    table[["ratio", "ratio_low", "ratio_high"]] = ratios
    return table.drop(columns=["sd", "missing"])


def mean_interval(values: np.ndarray, confidence: float = CONFIDENCE
                  ) -> tuple[float, float, float]:
    """Mean of the finite values and its Student-t interval (NaN interval below two values).

    Examples
    --------
    >>> mean_interval(np.array([1.0, 2.0, 3.0]))[0]
    2.0
    """
    from scipy import stats

    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if len(values) == 0:
        return float("nan"), float("nan"), float("nan")
    mean = float(values.mean())
    if len(values) < 2:
        return mean, float("nan"), float("nan")
    half = float(stats.t.ppf(0.5 + confidence / 2, len(values) - 1)
                 * values.std(ddof=1) / np.sqrt(len(values)))
    return mean, mean - half, mean + half


def effect_word(d: float) -> str:
    """Cohen's label for an effect size: negligible, small, medium or large ('' for NaN)."""
    if not np.isfinite(d):
        return ""
    return next(word for limit, word in EFFECT_WORDS if abs(d) < limit)


def ratio_interval(a: np.ndarray, b: np.ndarray, rng: np.random.Generator,
                   confidence: float = CONFIDENCE, samples: int = BOOTSTRAP_SAMPLES
                   ) -> tuple[float, float, float]:
    """``mean(b) / mean(a)`` and its paired percentile-bootstrap interval.

    Replications are resampled in pairs (the same indices for ``a`` and ``b``), which keeps
    the common random numbers' pairing.  NaN when ``mean(a)`` is zero; NaN interval with
    fewer than two pairs.

    Examples
    --------
    >>> ratio_interval(np.array([2.0, 4.0]), np.array([3.0, 6.0]), np.random.default_rng(0))
    (1.5, 1.5, 1.5)
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if len(a) == 0 or a.mean() == 0:
        return float("nan"), float("nan"), float("nan")
    ratio = float(b.mean() / a.mean())
    if len(a) < 2:
        return ratio, float("nan"), float("nan")
    index = rng.integers(0, len(a), size=(samples, len(a)))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = b[index].mean(axis=1) / a[index].mean(axis=1)
    low, high = np.quantile(ratios[np.isfinite(ratios)], [(1 - confidence) / 2,
                                                           (1 + confidence) / 2])
    return ratio, float(low), float(high)


def kaplan_meier(lifetimes: np.ndarray, ended: np.ndarray,
                 confidence: float = CONFIDENCE) -> pd.DataFrame:
    """Kaplan-Meier survival curve (lifelines) with its pointwise confidence band.

    Parameters
    ----------
    lifetimes
        Months in operation of each partnership.
    ended
        True when the partnership ended, False when it was still operating at the horizon
        (right-censored).

    Returns
    -------
    pandas.DataFrame
        ``months``, ``survival`` (share still operating), ``ci_low``, ``ci_high`` (Greenwood,
        exponential), ``at_risk`` (partnerships still observed at that age).
    """
    from lifelines import KaplanMeierFitter

    fitter = KaplanMeierFitter(alpha=1 - confidence).fit(lifetimes, ended)
    band = fitter.confidence_interval_survival_function_
    return pd.DataFrame({
        "months": fitter.survival_function_.index.to_numpy(dtype=float),
        "survival": fitter.survival_function_.iloc[:, 0].to_numpy(),
        "ci_low": band.iloc[:, 0].to_numpy(),
        "ci_high": band.iloc[:, 1].to_numpy(),
        "at_risk": fitter.event_table["at_risk"].to_numpy(),
    })


def restricted_mean_lifetime(lifetimes: np.ndarray, ended: np.ndarray, horizon: float,
                             confidence: float = CONFIDENCE) -> tuple[float, float, float]:
    """Restricted mean lifetime up to ``horizon`` with its confidence interval.

    The restricted mean survival time: the area under the Kaplan-Meier curve from 0 to
    ``horizon``, with a normal interval from Greenwood's variance of that area
    (:func:`pppsim.model.outputs.kaplan_meier_summary`).  Unlike a plain mean it counts
    partnerships still running at the end correctly (they lasted *at least* their observed
    lifetime).  NaN (three times) without partnerships.
    """
    _, mean, variance = kaplan_meier_summary(lifetimes, ended, horizon)
    half = stats.norm.ppf(0.5 + confidence / 2) * np.sqrt(variance)
    return mean, mean - half, mean + half


def pooled_lifetimes(lifetimes: np.ndarray, ended: np.ndarray, horizon: float
                     ) -> dict[str, float]:
    """Kaplan-Meier lifetime measures of pooled partnerships, with 95% CIs.

    ``restricted_mean_months`` (with ``_low``/``_high``, see
    :func:`restricted_mean_lifetime`) and ``median_months`` with lifelines' interval
    (``median_low``/``median_high``; the median is NaN where the curve never falls to one
    half, the upper limit infinite where its band does not).  All NaN without partnerships.
    """
    from lifelines import KaplanMeierFitter
    from lifelines.utils import median_survival_times

    mean, mean_low, mean_high = restricted_mean_lifetime(lifetimes, ended, horizon)
    median = low = high = float("nan")
    if len(lifetimes):
        fitter = KaplanMeierFitter().fit(lifetimes, ended)
        median = float(fitter.median_survival_time_)
        median = median if np.isfinite(median) else float("nan")
        low, high = (float(v) for v in
                     median_survival_times(fitter.confidence_interval_).iloc[0])
    return {"restricted_mean_months": mean, "restricted_mean_low": mean_low,
            "restricted_mean_high": mean_high, "median_months": median, "median_low": low,
            "median_high": high}


def quantile_bands(series: pd.DataFrame, columns: Sequence[str],
                   by: Sequence[str] = ("point", "month")) -> pd.DataFrame:
    """Quantiles of single runs (for fan charts) of each series, per group.

    Returns
    -------
    pandas.DataFrame
        One row per (group, series): the ``by`` columns, ``metric`` and ``p10``, ``p25``,
        ``p50``, ``p75``, ``p90``.
    """
    long = series.melt(id_vars=list(by), value_vars=list(columns), var_name="metric")
    table = long.groupby([*by, "metric"], sort=False)["value"].quantile(list(QUANTILES))
    table = table.unstack()
    table.columns = [f"p{round(q * 100)}" for q in table.columns]
    return table.reset_index()
