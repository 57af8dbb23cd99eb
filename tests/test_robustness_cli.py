"""``pppsim robustness`` end to end on a tiny experiment (in-process, click's CliRunner): the
tables agree with the runs, a second call resumes without running anything, and the report
renders in a real headless Chromium without console errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import ARTIFACTS, REPO

from pppsim.cli import cli
from pppsim.experiment import ResultStore

TINY = f"""name = "Tiny robustness check"
description = "Three policies in six futures, a small city-region over 48 months."
scenario = "{REPO / 'scenarios' / 'baseline.toml'}"
months = 48
seed = 5
replications = 2

[fixed]
n_organisations = 24

[futures]
samples = 6
seed = 2

[uncertainties]
opportunism_mean = {{ low = 0.05, high = 0.6, label = "opportunism" }}
initiation_rate = {{ low = 0.01, high = 0.06, label = "appetite for partnering" }}

[[policy]]
name = "Current practice"

[[policy]]
name = "Data platform"
levers = {{ platform_share = 1.0, confidentiality_share = 1.0 }}

[[policy]]
name = "Structural funding"
scenario = "{REPO / 'scenarios' / 'structural_funding.toml'}"

[satisficing]
harm_prevented = {{ at_least = 25 }}
survival_36m = {{ at_least = 0.5 }}
"""
POLICIES = ["Current practice", "Data platform", "Structural funding"]
FUTURES, REPLICATIONS = 6, 2


@pytest.fixture(scope="session")
def tiny_robustness(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The results folder and standard output of ``pppsim robustness`` on :data:`TINY`."""
    folder = tmp_path_factory.mktemp("robustness")
    path = folder / "tiny.toml"
    path.write_text(TINY)
    result = CliRunner().invoke(cli, ["robustness", str(path), "--out", str(folder / "out"),
                                      "--workers", "1", "--quiet"])
    assert result.exit_code == 0, result.output + repr(result.exception)
    return folder / "out", result.output


def test_command_writes_report_and_tables(tiny_robustness: tuple[Path, str]) -> None:
    folder, output = tiny_robustness
    assert output.startswith("Across 6 sampled futures (2 runs of 48 months per policy and "
                             "future), ")
    assert f"report written to {folder / 'report.html'}" in output
    for name in ("report.html", "ranking.csv", "outcomes.csv", "regret.csv",
                 "satisficing.csv", "failure_boxes.csv", "futures.csv", "policies.csv",
                 "runs.csv", "manifest.json", "runs.sqlite"):
        assert (folder / name).is_file(), name
    runs = pd.read_csv(folder / "runs.csv")
    assert len(runs) == len(POLICIES) * FUTURES * REPLICATIONS
    ranking = pd.read_csv(folder / "ranking.csv")
    assert sorted(ranking["policy"]) == POLICIES
    assert ranking["rank"].tolist() == [1, 2, 3]
    for row in ranking.itertuples():
        assert f"{row.rank}. {row.policy}: meets the thresholds in {row.met} of " in output


def test_tables_agree_with_the_runs(tiny_robustness: tuple[Path, str]) -> None:
    folder, _ = tiny_robustness
    runs = pd.read_csv(folder / "runs.csv")
    futures = pd.read_csv(folder / "futures.csv")
    # every policy met the same futures, with the same seeds per (future, replication)
    for (future, _replication), group in runs.groupby(["future", "replication"]):
        assert group["seed"].nunique() == 1 and len(group) == len(POLICIES)
        assert np.allclose(group["opportunism_mean"], futures.loc[future, "opportunism_mean"])
    # per-future harm = mean of the two replications; regret = best - value
    harm = runs.groupby(["future", "policy"])["harm_prevented"].mean().unstack()
    regret = pd.read_csv(folder / "regret.csv")
    for row in regret.itertuples():
        assert row.value == pytest.approx(harm.loc[row.future, row.policy])
        assert row.best == pytest.approx(harm.loc[row.future].max())
        assert row.regret == pytest.approx(harm.loc[row.future].max() - row.value)
    ranking = pd.read_csv(folder / "ranking.csv").set_index("policy")
    for policy in POLICIES:
        r = regret.loc[regret["policy"] == policy, "regret"]
        assert ranking.loc[policy, "max_regret"] == pytest.approx(r.max())
        assert ranking.loc[policy, "mean_regret"] == pytest.approx(r.mean())
    # outcome table: undefined runs are counted, never filled in
    outcomes = pd.read_csv(folder / "outcomes.csv").set_index(["outcome", "policy"])
    for policy in POLICIES:
        mine = runs[runs["policy"] == policy]
        assert outcomes.loc[("survival_36m", policy), "undefined_runs"] == \
            mine["survival_36m"].isna().sum()
        per_future = mine.groupby("future")["survival_36m"].mean()
        assert outcomes.loc[("survival_36m", policy), "undefined_futures"] == \
            per_future.isna().sum()
        if per_future.notna().any():
            assert outcomes.loc[("survival_36m", policy), "mean"] == \
                pytest.approx(per_future.mean())
    # satisficing: met where both thresholds hold; undefined survival without a harm failure
    # is counted apart
    satisfied = pd.read_csv(folder / "satisficing.csv", dtype={"met": "boolean"})
    survival = runs.groupby(["future", "policy"])["survival_36m"].mean().unstack()
    for row in satisfied.itertuples():
        h, s = harm.loc[row.future, row.policy], survival.loc[row.future, row.policy]
        if h < 25 or (np.isfinite(s) and s < 0.5):
            assert pd.notna(row.met) and not row.met
        elif np.isfinite(s):
            assert pd.notna(row.met) and row.met
        else:
            assert pd.isna(row.met)
    for policy in POLICIES:
        part = satisfied[satisfied["policy"] == policy]
        assert ranking.loc[policy, "undefined"] == part["met"].isna().sum()
        assert ranking.loc[policy, "met"] == (part["met"] == True).sum()  # noqa: E712
    # the tiny case has all three kinds: met, failed and undefined futures
    assert set(satisfied["met"].astype(object).where(satisfied["met"].notna(), None)) == \
        {True, False, None}


def test_second_call_resumes_without_running_anything(tiny_robustness: tuple[Path, str],
                                                      tmp_path: Path) -> None:
    folder, output = tiny_robustness
    before = (folder / "ranking.csv").read_bytes()
    path = folder.parent / "tiny.toml"
    result = CliRunner().invoke(cli, ["robustness", str(path), "--out", str(folder),
                                      "--workers", "1", "--quiet"])
    assert result.exit_code == 0, result.output
    assert result.output == output
    assert (folder / "ranking.csv").read_bytes() == before
    with ResultStore.open(folder) as store:
        sessions = store.sessions()
    assert sessions[-1]["runs_done"] == 0 and len(sessions) >= 2


def test_another_experiment_in_the_same_folder_is_refused(tiny_robustness: tuple[Path, str],
                                                          tmp_path: Path) -> None:
    folder, _ = tiny_robustness
    path = tmp_path / "other.toml"
    path.write_text(TINY.replace("samples = 6", "samples = 7"))
    result = CliRunner().invoke(cli, ["robustness", str(path), "--out", str(folder),
                                      "--workers", "1", "--quiet"])
    assert result.exit_code != 0
    assert "holds results of a different experiment" in str(result.exception)


@pytest.mark.slow
def test_same_numbers_on_two_worker_processes(tiny_robustness: tuple[Path, str],
                                              tmp_path: Path) -> None:
    folder, _ = tiny_robustness
    result = CliRunner().invoke(cli, ["robustness", str(folder.parent / "tiny.toml"),
                                      "--out", str(tmp_path / "two"), "--workers", "2",
                                      "--quiet"])
    assert result.exit_code == 0, result.output
    for name in ("runs.csv", "ranking.csv", "regret.csv", "satisficing.csv",
                 "failure_boxes.csv"):
        one = pd.read_csv(folder / name)
        two = pd.read_csv(tmp_path / "two" / name)
        pd.testing.assert_frame_equal(one, two)


@pytest.mark.browser
def test_report_renders_offline_without_errors(tiny_robustness: tuple[Path, str],
                                               browser_page: tuple[Any, list[str]]) -> None:
    folder, output = tiny_robustness
    page, errors = browser_page
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.set_viewport_size({"width": 794, "height": 1123})
    page.goto((folder / "report.html").resolve().as_uri(), wait_until="load")
    images = page.eval_on_selector_all(
        "img", "imgs => imgs.map(i => [i.complete, i.naturalWidth, "
               "i.getBoundingClientRect().width])")
    assert len(images) >= 3
    for complete, natural_width, shown_width in images:
        assert complete and natural_width > 0, "broken image"
        assert shown_width <= 794
    assert page.evaluate("document.documentElement.scrollWidth") <= 794
    bottom = page.locator("#bottom-line-text").inner_text()
    assert bottom == output.splitlines()[0]
    assert page.locator("#ranking-table tbody tr").count() == len(POLICIES)
    for section in ("ranking", "outcomes", "regret", "satisficing", "failures",
                    "uncertainties", "manifest"):
        assert page.locator(f"h2#{section}").count() == 1, section
    assert page.locator("#thresholds li").count() == 2
    external = [url for url in requested if not url.startswith(("file:", "data:"))]
    assert not external, f"the report fetched {external}"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "robustness-report.png"), full_page=True)
    assert not errors, f"console errors: {errors}"
