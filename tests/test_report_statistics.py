"""Statistics of scenario comparisons: paired differences, d_z, bootstrap ratios, survival,
quantile bands, and how numbers are written in the report."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pppsim.report.html import number, percent, percent_change
from pppsim.report.statistics import (
    effect_word,
    kaplan_meier,
    paired_comparisons,
    quantile_bands,
    ratio_interval,
    restricted_mean_lifetime,
)

T_975_DF2 = 4.302652729911275  # scipy.stats.t.ppf(0.975, 2)


def two_scenarios(a: list[float], b: list[float]) -> pd.DataFrame:
    """A results frame: scenario A (point 0) and B (point 1), one row per replication."""
    n = len(a)
    return pd.DataFrame({"point": [0] * n + [1] * n, "replication": [*range(n), *range(n)],
                         "scenario": ["A"] * n + ["B"] * n, "x": [*a, *b]})


def test_paired_comparison_matches_hand_computation() -> None:
    table = paired_comparisons(two_scenarios([1.0, 2.0, 3.0], [2.0, 4.0, 5.0]), ["x"], seed=0)
    row = table.iloc[0]
    # differences 1, 2, 2: mean 5/3, sd sqrt(1/3)
    sd = np.sqrt(1 / 3)
    assert (row["point"], row["scenario"], row["metric"], row["n"]) == (1, "B", "x", 3)
    assert row["difference"] == pytest.approx(5 / 3)
    assert row["difference_low"] == pytest.approx(5 / 3 - T_975_DF2 * sd / np.sqrt(3))
    assert row["difference_high"] == pytest.approx(5 / 3 + T_975_DF2 * sd / np.sqrt(3))
    assert row["effect_size"] == pytest.approx((5 / 3) / sd)
    assert row["ratio"] == pytest.approx((11 / 3) / 2)
    assert row["ratio_low"] <= row["ratio"] <= row["ratio_high"]


def test_pairing_is_by_replication_not_by_row_order() -> None:
    frame = two_scenarios([1.0, 5.0, 9.0, 2.0], [1.5, 5.4, 9.6, 2.5])
    shuffled = frame.sample(frac=1.0, random_state=3)
    pd.testing.assert_frame_equal(paired_comparisons(frame, ["x"], seed=1),
                                  paired_comparisons(shuffled, ["x"], seed=1))
    # paired: the large spread between replications does not widen the interval
    row = paired_comparisons(frame, ["x"], seed=1).iloc[0]
    assert row["difference_low"] > 0
    assert effect_word(row["effect_size"]) == "large"


def test_non_finite_pairs_are_dropped() -> None:
    row = paired_comparisons(two_scenarios([1.0, 2.0, np.nan, 3.0], [2.0, 4.0, 7.0, 5.0]),
                             ["x"], seed=0).iloc[0]
    assert row["n"] == 3
    assert row["difference"] == pytest.approx(5 / 3)
    assert row["ratio"] == pytest.approx((11 / 3) / 2)


def test_identical_scenarios_have_zero_difference_and_no_effect_size() -> None:
    row = paired_comparisons(two_scenarios([1.0, 2.0, 3.0], [1.0, 2.0, 3.0]), ["x"],
                             seed=0).iloc[0]
    assert (row["difference"], row["difference_low"], row["difference_high"]) == (0, 0, 0)
    assert np.isnan(row["effect_size"])
    assert (row["ratio"], row["ratio_low"], row["ratio_high"]) == (1.0, 1.0, 1.0)


def test_bootstrap_ratio_is_reproducible_and_paired() -> None:
    rng = np.random.default_rng(5)
    a = rng.gamma(5.0, 2.0, size=30)
    b = 1.2 * a + rng.normal(0, 0.5, size=30)
    first = ratio_interval(a, b, np.random.default_rng(9))
    assert first == ratio_interval(a, b, np.random.default_rng(9))
    assert first[0] == pytest.approx(b.mean() / a.mean())
    assert 1.15 < first[1] < first[0] < first[2] < 1.25
    assert ratio_interval(np.zeros(3), np.ones(3), np.random.default_rng(0))[0] != 1.0
    assert np.isnan(ratio_interval(np.zeros(3), np.ones(3), np.random.default_rng(0))[0])


def test_kaplan_meier_and_restricted_mean_by_hand() -> None:
    lifetimes = np.array([2, 4, 4, 6])
    ended = np.array([True, True, False, True])
    curve = kaplan_meier(lifetimes, ended).set_index("months")
    # S(2) = 3/4; at 4 three at risk, one ends: 3/4 * 2/3 = 1/2; at 6 the last one ends
    assert curve.loc[[0.0, 2.0, 4.0, 6.0], "survival"].tolist() == pytest.approx(
        [1.0, 0.75, 0.5, 0.0])
    assert curve.loc[2.0, "at_risk"] == 4
    assert (curve["ci_low"] <= curve["survival"]).all()
    assert (curve["survival"] <= curve["ci_high"]).all()
    # area under the curve to month 10: 2 * 1 + 2 * 0.75 + 2 * 0.5 + 4 * 0
    mean, low, high = restricted_mean_lifetime(lifetimes, ended, 10)
    assert mean == pytest.approx(4.5)
    assert low < mean < high
    # nobody ended: every partnership counts the whole horizon, with no uncertainty
    assert restricted_mean_lifetime(np.array([3, 5]), np.array([False, False]), 5) == (5, 5, 5)
    assert all(np.isnan(restricted_mean_lifetime(np.array([]), np.array([]), 10)))


def test_quantile_bands_of_single_runs() -> None:
    series = pd.DataFrame({"point": 0, "month": 0, "y": np.arange(1.0, 11.0)})
    row = quantile_bands(series, ["y"]).iloc[0]
    assert row[["p10", "p25", "p50", "p75", "p90"]].tolist() == pytest.approx(
        [1.9, 3.25, 5.5, 7.75, 9.1])


def test_effect_words_follow_cohens_thresholds() -> None:
    assert [effect_word(d) for d in (0.1, -0.3, 0.6, -2.0, np.nan)] == [
        "negligible", "small", "medium", "large", ""]


def test_numbers_are_written_with_sensible_precision() -> None:
    assert [number(x) for x in (1234.4, 56.78, 3.14159, 0.25317, -0.00047, 0.0, np.nan)] == [
        "1,234", "56.8", "3.14", "0.253", "\u22120.0005", "0.000", "\u2014"]
    assert [percent_change(r) for r in (1.18, 0.953, 2.1, np.nan)] == [
        "+18%", "\u22124.7%", "+110%", "\u2014"]
    assert [percent(s) for s in (0.253, 0.0625, 0.0)] == ["25%", "6.2%", "0%"]
