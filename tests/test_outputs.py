"""Every number a run reports measures what its label says.

Harm with and without partnerships is an exact counterfactual; lifetimes are censoring-aware
(Kaplan-Meier); a metric that is undefined in a run is NaN, never a stand-in value; and a run
or comparison in which nothing launches finishes with its normal outputs.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import run_model

from pppsim.cli import cli
from pppsim.experiment import summarise
from pppsim.model.outputs import (
    kaplan_meier_summary,
    partnership_table,
    summary_metrics,
    time_series,
)

SEEDS = range(8)


def test_without_prevention_harm_equals_the_harm_without_partnerships_every_month() -> None:
    model = run_model(seed=3, months=96, n_organisations=60, prevention_effectiveness=0.0)
    series = time_series(model)
    assert model.partnerships_ever, "partnerships must form for the test to mean anything"
    np.testing.assert_array_equal(series["harm"], series["harm_without_prevention"])
    assert (series["harm_prevented"] == 0.0).all()


def test_harm_reduction_is_zero_without_prevention_and_positive_with_it() -> None:
    """Paired over seeds: the default prevents harm; no effectiveness prevents exactly none."""
    runs = {effect: [summary_metrics(run_model(seed=s, months=72, n_organisations=60,
                                               prevention_effectiveness=effect))
                     for s in SEEDS] for effect in (0.0, 0.05)}
    frame = _frame({f"e{effect}": [r["harm_reduction"] for r in rows]
                    for effect, rows in runs.items()})
    table = summarise(frame, ["e0.0", "e0.05"], by=["point"]).set_index("metric")
    assert table.loc["e0.0", "ci_low"] <= 0.0 <= table.loc["e0.0", "ci_high"]
    assert table.loc["e0.05", "ci_low"] > 0.0
    assert all(r["harm_prevented"] == 0.0 for r in runs[0.0])
    assert all(r["harm_prevented"] > 0.0 for r in runs[0.05])


def _frame(columns: dict[str, list[float]]):
    import pandas as pd

    return pd.DataFrame(columns).assign(point=0)


def test_harm_prevented_by_partnerships_adds_up_to_the_model_total() -> None:
    model = run_model(seed=1, months=96, n_organisations=60)
    table = partnership_table(model)
    total = summary_metrics(model)["harm_prevented"]
    assert total > 0.0
    assert table["harm_prevented"].sum() == pytest.approx(total, rel=1e-9)
    series = time_series(model)
    assert series["harm_prevented"].sum() == pytest.approx(total, rel=1e-9)
    gap = series["harm_without_prevention"] - series["harm"]
    np.testing.assert_allclose(series["harm_prevented"], gap, rtol=1e-9, atol=1e-9)


def test_kaplan_meier_summary_equals_lifelines() -> None:
    from lifelines import KaplanMeierFitter
    from lifelines.utils import restricted_mean_survival_time

    rng = np.random.default_rng(5)
    for _ in range(20):
        n = int(rng.integers(1, 60))
        lifetimes = rng.integers(0, 120, n).astype(float)
        ended = rng.random(n) < rng.uniform(0.1, 1.0)
        horizon = float(rng.integers(12, 150))
        median, rmst, _ = kaplan_meier_summary(lifetimes, ended, horizon)
        fitter = KaplanMeierFitter().fit(lifetimes, ended)
        expected_median = fitter.median_survival_time_
        if np.isinf(expected_median):
            assert math.isnan(median)
        else:
            assert median == expected_median
        assert rmst == pytest.approx(restricted_mean_survival_time(fitter, t=horizon))


def test_restricted_mean_variance_is_the_sample_variance_without_censoring() -> None:
    rng = np.random.default_rng(2)
    lifetimes = rng.integers(0, 100, 300).astype(float)
    _, rmst, variance = kaplan_meier_summary(lifetimes, np.ones(300, bool), 80.0)
    capped = np.minimum(lifetimes, 80.0)
    assert rmst == pytest.approx(capped.mean())
    assert variance == pytest.approx(capped.var() / capped.size)


def test_restricted_mean_variance_matches_the_bootstrap_with_censoring() -> None:
    rng = np.random.default_rng(3)
    lifetimes = rng.integers(0, 100, 200).astype(float)
    ended = rng.random(200) < 0.6
    _, _, variance = kaplan_meier_summary(lifetimes, ended, 80.0)
    draws = [kaplan_meier_summary(lifetimes[i], ended[i], 80.0)[1]
             for i in rng.integers(0, 200, (1000, 200))]
    assert np.var(draws) == pytest.approx(variance, rel=0.15)


UNDEFINED_WITHOUT_PARTNERSHIPS = (
    "negotiation_failure_share", "success_share", "failure_share", "early_end_share",
    "median_lifetime_months", "restricted_mean_lifetime_months", "follow_up_ratio",
    "trust_in_partnerships", "satisfaction_private", "satisfaction_public", "free_riding",
    "negotiation_months_mean", "early_failure_share", "failed_lifetime_months",
    "success_share_of_launched", "running_share", "months_failing_before_end",
    "end_share:goals_reached", "end_share:mistrust")


def test_metrics_of_a_run_without_partnerships_are_missing_not_stand_ins() -> None:
    model = run_model(seed=0, months=12, initiation_rate=0.0)
    metrics = summary_metrics(model)
    assert metrics["partnerships_launched"] == 0.0
    for name in UNDEFINED_WITHOUT_PARTNERSHIPS:
        assert math.isnan(metrics[name]), name
    assert metrics["harm_prevented"] == 0.0
    assert metrics["harm_reduction"] == 0.0


def test_median_lifetime_is_missing_while_most_partnerships_still_run() -> None:
    model = run_model(seed=0, months=14, n_organisations=60)
    metrics = summary_metrics(model)
    assert metrics["partnerships_launched"] > 0
    assert metrics["partnerships_ended"] < metrics["partnerships_launched"] / 2
    assert math.isnan(metrics["median_lifetime_months"])
    assert 0 < metrics["restricted_mean_lifetime_months"] <= 14


@pytest.fixture
def idle_scenario(toml_file):
    return toml_file('name = "Idle"\n[behaviour]\ninitiation_rate = 0.0\n')


def test_run_without_partnerships_writes_its_outputs_and_says_so(idle_scenario,
                                                                tmp_path) -> None:
    out = tmp_path / "idle"
    result = CliRunner().invoke(cli, ["run", str(idle_scenario), "--months", "12",
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "no partnership launched" in result.output
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["restricted_mean_lifetime_months"] is None
    assert metrics["partnerships_launched"] == 0.0
    for name in ("timeseries.csv", "partnerships.csv", "events.csv", "overview.png"):
        assert (out / name).exists(), name


def test_compare_without_partnerships_writes_its_report_and_says_so(tmp_path) -> None:
    from conftest import SCENARIOS

    out = tmp_path / "compare"
    result = CliRunner().invoke(cli, [
        "compare", str(SCENARIOS / "baseline.toml"), str(SCENARIOS / "high_barriers.toml"),
        "--replications", "2", "--months", "3", "--out", str(out), "--workers", "1"])
    assert result.exit_code == 0, result.output
    report = (out / "report.html").read_text()
    assert report.count("No partnership launched in any of its 2 runs") == 2
    assert "undefined in all 2 runs" in report


def test_status_names_metrics_undefined_in_some_runs(toml_file, tmp_path) -> None:
    from conftest import BASELINE

    experiment = toml_file(f'''
name = "Some runs launch nothing"
scenario = "{BASELINE}"
months = 12
replications = 2
outputs = ["partnerships_launched", "failure_share", "harm_prevented"]
[fixed]
n_organisations = 30
[design]
kind = "factorial"
[vary]
initiation_rate = [0.0, 0.05]
''', name="experiment.toml")
    out = tmp_path / "sweep"
    runner = CliRunner()
    result = runner.invoke(cli, ["sweep", str(experiment), "--out", str(out), "--workers", "1"])
    assert result.exit_code == 0, result.output
    status = runner.invoke(cli, ["status", str(out)])
    assert status.exit_code == 0, status.output
    from pppsim.experiment import load_results

    runs = load_results(out)
    undefined = int(runs["failure_share"].isna().sum())
    assert undefined >= 2  # at least the runs in which nobody initiates
    assert f"failure_share: {undefined} of 4 runs" in status.output
    assert "harm_prevented:" not in status.output
