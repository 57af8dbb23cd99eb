"""Robustness measures on small tables computed by hand, and PRIM on a synthetic case whose
failing region is known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pppsim.robustness.measures import (
    Threshold,
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

POLICIES = ["A", "B", "C"]


def runs_table() -> pd.DataFrame:
    """Three policies x five futures x two replications; harm and lifetime per run.

    Per-future means of harm (replications averaged):
        future   0    1    2    3    4
        A       10    4    7    3    6
        B        8    6    7    5    2
        C        9    5  NaN    1    6
    C's harm is undefined in both runs of future 2; B's lifetime is undefined in one run of
    future 0 and in both runs of future 4.
    """
    harm = {"A": [(9, 11), (4, 4), (6, 8), (3, 3), (5, 7)],
            "B": [(8, 8), (5, 7), (7, 7), (4, 6), (2, 2)],
            "C": [(9, 9), (5, 5), (np.nan, np.nan), (1, 1), (6, 6)]}
    life = {"A": [(20, 20), (10, 14), (30, 30), (13, 13), (20, 20)],
            "B": [(np.nan, 16), (12, 12), (11, 11), (40, 40), (np.nan, np.nan)],
            "C": [(15, 15), (11, 11), (20, 20), (12, 14), (12, 12)]}
    rows = []
    for policy in POLICIES:
        for future in range(5):
            for replication in range(2):
                rows.append({"policy": policy, "future": future, "replication": replication,
                             "harm": harm[policy][future][replication],
                             "life": life[policy][future][replication]})
    return pd.DataFrame(rows)


def test_future_values_average_defined_replications_and_count_the_rest() -> None:
    values = future_values(runs_table(), ["harm", "life"]).set_index(
        ["policy", "future", "outcome"])
    assert values.loc[("A", 0, "harm"), "value"] == 10
    assert values.loc[("B", 0, "life"), "value"] == 16       # the defined run only
    assert values.loc[("B", 0, "life"), "defined"] == 1
    assert np.isnan(values.loc[("B", 4, "life"), "value"])   # never filled in
    assert values.loc[("B", 4, "life"), "defined"] == 0
    assert np.isnan(values.loc[("C", 2, "harm"), "value"])


def test_regret_by_hand() -> None:
    values = future_values(runs_table(), ["harm"])
    table = regret(wide(values, "harm")[POLICIES]).set_index(["future", "policy"])
    # future 0: best is A (10): A 0, B 10-8 = 2, C 10-9 = 1
    assert table.loc[0, "regret"].tolist() == [0.0, 2.0, 1.0]
    assert table.loc[0, "best_policy"].tolist() == ["A", "A", "A"]
    # future 1: best B (6): A 2, B 0, C 1; future 3: best B (5): A 2, B 0, C 4
    assert table.loc[1, "regret"].tolist() == [2.0, 0.0, 1.0]
    assert table.loc[3, "regret"].tolist() == [2.0, 0.0, 4.0]
    # future 4: A and C tie at 6: both 0, B 4
    assert table.loc[4, "regret"].tolist() == [0.0, 4.0, 0.0]
    # future 2: C undefined, so no policy can be compared there
    assert table.loc[2, "regret"].isna().all()
    assert table.loc[2, "best"].isna().all()

    summary = regret_summary(table.reset_index(), POLICIES).set_index("policy")
    # A's regrets over the four comparable futures: 0, 2, 2, 0
    assert summary.loc["A", "mean_regret"] == pytest.approx(1.0)
    assert summary.loc["A", "max_regret"] == 2.0
    # 90th percentile of sorted (0, 0, 2, 2), linear: position 0.9 * 3 = 2.7 -> 2
    assert summary.loc["A", "p90_regret"] == pytest.approx(2.0)
    # C: 1, 1, 4, 0 -> mean 1.5; sorted (0, 1, 1, 4): position 2.7 -> 1 + 0.7 * 3 = 3.1
    assert summary.loc["C", "mean_regret"] == pytest.approx(1.5)
    assert summary.loc["C", "p90_regret"] == pytest.approx(3.1)
    assert summary.loc["C", "max_regret"] == 4.0
    # B: 2, 0, 0, 4 -> mean 1.5, max 4; best in futures 1 and 3
    assert summary.loc["B", "mean_regret"] == pytest.approx(1.5)
    assert summary.loc["B", "best_in"] == 2
    assert summary.loc["A", "best_in"] == 2
    assert (summary["undefined_futures"] == 1).all()
    assert (summary["futures"] == 5).all()


def test_regret_when_lower_is_better() -> None:
    table = pd.DataFrame({"A": [3.0, 1.0], "B": [2.0, 5.0]})
    result = regret(table, higher_is_better=False)
    # future 0: best (lowest) is B = 2: A 1, B 0; future 1: best A = 1: A 0, B 4
    assert result["regret"].tolist() == [1.0, 0.0, 0.0, 4.0]
    assert result["best_policy"].tolist() == ["B", "B", "A", "A"]


def test_satisficing_by_hand() -> None:
    values = future_values(runs_table(), ["harm", "life"])
    thresholds = [Threshold("harm", 5), Threshold("life", 12)]
    table = satisficing(values, thresholds).set_index(["policy", "future"])
    met = table["met"]
    # A: harm 10,4,7,3,6 (>= 5?) T F T F T; life 20,12,30,13,20 all >= 12
    assert [met[("A", f)] for f in range(5)] == [True, False, True, False, True]
    assert table.loc[("A", 1), "failed_on"] == "harm"
    # B: harm 8,6,7,5,2 -> T T T T F; life 16,12,11,40,NaN -> T T F T NA
    #    future 4: harm fails, so it fails although life is undefined
    assert [met[("B", f)] for f in range(5)] == [True, True, False, True, False]
    assert table.loc[("B", 2), "failed_on"] == "life"
    assert table.loc[("B", 4), "failed_on"] == "harm"
    # C: harm 9,5,NaN,1,6 -> T T NA F T; life 15,11,20,13,12 -> T F T T T
    #    future 2: harm undefined and life met: cannot be judged
    assert met[("C", 0)] and not met[("C", 1)] and not met[("C", 3)] and met[("C", 4)]
    assert pd.isna(met[("C", 2)])

    summary = satisficing_summary(table.reset_index(), POLICIES).set_index("policy")
    assert summary.loc["A", ["met", "failed", "undefined"]].tolist() == [3, 2, 0]
    assert summary.loc["A", "share"] == pytest.approx(3 / 5)
    assert summary.loc["B", ["met", "failed", "undefined"]].tolist() == [3, 2, 0]
    assert summary.loc["C", ["met", "failed", "undefined"]].tolist() == [2, 2, 1]
    assert summary.loc["C", "share"] == pytest.approx(2 / 4)
    assert summary.loc["C", "share_low"] == pytest.approx(2 / 5)
    assert summary.loc["C", "share_high"] == pytest.approx(3 / 5)


def test_at_most_thresholds() -> None:
    values = pd.DataFrame({"policy": ["A", "A", "A"], "future": [0, 1, 2],
                           "outcome": ["x"] * 3, "value": [0.1, 0.5, np.nan]})
    table = satisficing(values, [Threshold("x", 0.3, at_least=False)])
    assert table["met"].tolist()[:2] == [True, False]
    assert pd.isna(table["met"].iloc[2])


def test_ranking_orders_by_share_then_maximum_regret() -> None:
    values = future_values(runs_table(), ["harm", "life"])
    regrets = regret_summary(regret(wide(values, "harm")[POLICIES]), POLICIES)
    satisfied = satisficing_summary(
        satisficing(values, [Threshold("harm", 5), Threshold("life", 12)]), POLICIES)
    ranked = ranking(regrets, satisfied)
    # A and B both meet 3 of 5; A's maximum regret (2) is below B's (4); C meets 2 of 4 = 50%
    assert ranked["policy"].tolist() == ["A", "B", "C"]
    assert ranked["rank"].tolist() == [1, 2, 3]


def test_outcome_summary_counts_undefined_futures_and_runs() -> None:
    values = future_values(runs_table(), ["harm", "life"])
    summary = outcome_summary(values, POLICIES).set_index(["outcome", "policy"])
    assert summary.loc[("harm", "A"), "mean"] == pytest.approx(6.0)
    assert summary.loc[("harm", "C"), "undefined_futures"] == 1
    assert summary.loc[("harm", "C"), "undefined_runs"] == 2
    assert summary.loc[("harm", "C"), "mean"] == pytest.approx((9 + 5 + 1 + 6) / 4)
    assert summary.loc[("life", "B"), "undefined_futures"] == 1
    assert summary.loc[("life", "B"), "undefined_runs"] == 3
    assert summary.loc[("life", "B"), "mean"] == pytest.approx((16 + 12 + 11 + 40) / 4)


def synthetic_futures(n: int = 300) -> pd.DataFrame:
    """Futures spread evenly over three parameters in [0, 1] (a Latin hypercube)."""
    from scipy.stats import qmc

    sample = qmc.LatinHypercube(d=3, seed=11).random(n)
    frame = pd.DataFrame(sample, columns=["opportunism", "capacity", "noise"])
    frame.index.name = "future"
    return frame


def test_prim_finds_a_known_failing_region() -> None:
    futures = synthetic_futures()
    # the policy fails exactly when opportunism is high and capacity low
    failing = (futures["opportunism"] > 0.6) & (futures["capacity"] < 0.4)
    met = pd.Series(~failing, index=futures.index, dtype="boolean")
    met.iloc[:10] = pd.NA                      # ten futures cannot be judged
    result = failure_boxes(futures, met, "A")
    assert result.undefined == 10
    assert result.judged == 290
    assert result.failed == int(failing.iloc[10:].sum())
    box = result.boxes[0]
    assert set(box.limits) == {"opportunism", "capacity"}     # noise is not restricted
    # the default box: the largest coverage with density >= 0.8, so it may reach a little
    # beyond the region (capacity 0.4 / 0.5 = density 0.8) but holds nearly every failure
    assert box.density >= 0.8 and box.coverage >= 0.9
    assert 0.54 <= box.limits["opportunism"][0] <= 0.66
    assert 0.34 <= box.limits["capacity"][1] <= 0.52
    # asking for a denser box recovers the region's edges
    dense = failure_boxes(futures, met, "A", density=0.95).boxes[0]
    assert set(dense.limits) == {"opportunism", "capacity"}
    assert dense.limits["opportunism"][0] == pytest.approx(0.6, abs=0.05)
    assert dense.limits["capacity"][1] == pytest.approx(0.4, abs=0.05)
    assert dense.density >= 0.95 and dense.coverage >= 0.8
    words = box_words(box, {"opportunism": "opportunism", "capacity": "follow-up capacity"},
                      {"opportunism": (0.0, 1.0), "capacity": (0.0, 1.0)})
    assert words.startswith("opportunism is high (0.")
    assert " and follow-up capacity is low (0." in words


def test_no_box_when_a_policy_never_fails_or_always_fails() -> None:
    futures = synthetic_futures(50)
    never = failure_boxes(futures, pd.Series(True, index=futures.index, dtype="boolean"), "A")
    assert never.boxes == () and never.failed == 0 and "no failure" in never.reason
    always = failure_boxes(futures, pd.Series(False, index=futures.index, dtype="boolean"),
                           "A")
    assert always.boxes == () and always.failed == 50 and "every future" in always.reason
