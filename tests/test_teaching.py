"""Classroom demonstrations: manifests, paired runs, the printed contrast and the figure."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pppsim.cli import main
from pppsim.parameters import Parameters
from pppsim.scenario import ScenarioError
from pppsim.teaching import (
    DEMO_DIR,
    contrast_table,
    finding,
    list_demos,
    load_demo,
    run_demo,
)

FAILURE_MECHANISMS = ["trust_erodes", "free_riding", "no_follow_up", "grant_ends"]


def test_failure_mechanisms_come_first() -> None:
    demos = list_demos()
    assert [d.name for d in demos[:4]] == FAILURE_MECHANISMS
    assert len(demos) >= 6


@pytest.mark.parametrize("demo", list_demos(), ids=lambda d: d.name)
def test_demo_is_a_real_pair_with_a_paragraph(demo) -> None:
    first, second = demo.sides
    assert first.differences(second), "the two sides must differ"
    assert set(first.differences(second)) <= set(Parameters.model_fields)
    assert len(demo.teacher.split()) >= 40
    assert {p.name for p in demo.path.glob("*.toml")} == {"demo.toml"} | {
        s.path.name for s in demo.sides}


def test_contrast_is_paired_over_the_same_seeds() -> None:
    demo = load_demo("no_follow_up")
    result = run_demo(demo, seeds=2, months=30)
    assert list(result.metrics.groupby("side")["seed"].apply(list)) == [[1, 2], [1, 2]]
    table = contrast_table(result)
    assert list(table["metric"]) == list(demo.metrics)
    a = result.metrics[result.metrics.side == 0]["follow_up_ratio"].mean()
    b = result.metrics[result.metrics.side == 1]["follow_up_ratio"].mean()
    row = table.set_index("metric").loc["follow_up_ratio"]
    assert row["difference"] == pytest.approx(b - a)
    assert row["ci_low"] <= row["difference"] <= row["ci_high"]
    assert all(len(s) == 31 for side in result.series.values() for s in side)


def test_cli_demo_prints_numbers_and_writes_a_figure(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "grant.png"
    main(["demo", "grant_ends", "--seeds", "2", "--months", "36", "--out", str(out)])
    text = capsys.readouterr().out
    assert text.startswith("When the grant ends")
    assert "What the runs showed" in text
    assert "end_share:funding_ended" in text and "95% interval" in text
    assert out.stat().st_size > 10_000


def test_cli_demo_by_path_and_listing(capsys: pytest.CaptureFixture[str]) -> None:
    main(["demo"])
    listing = capsys.readouterr().out
    assert all(name in listing for name in FAILURE_MECHANISMS)
    assert load_demo(DEMO_DIR / "barriers").name == "barriers"


def test_bad_demo_manifest_is_one_line(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "demo.toml").write_text(
        'title = "x"\norder = 1\nscenarios = ["a.toml"]\nseeds = 3\nmonths = 12\n'
        'metrics = []\nseries = []\nteacher = "t"\n')
    with pytest.raises(ScenarioError, match="exactly two"):
        load_demo(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", "no_such_demo"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("pppsim: error: no demonstration") and err.count("\n") == 1


def finding_row(difference: float, low: float, high: float, missing: int = 0) -> pd.Series:
    return pd.Series({"metric": "satisfaction_public", "first": 0.8,
                      "second": 0.8 + difference, "difference": difference, "ci_low": low,
                      "ci_high": high, "seeds": 6, "missing": missing})


def test_finding_names_the_direction_only_when_the_interval_excludes_zero() -> None:
    assert "lower in B by 0.108" in finding(finding_row(-0.108, -0.134, -0.082))
    assert "higher in B by 0.05" in finding(finding_row(0.05, 0.01, 0.09))
    text = finding(finding_row(-0.01, -0.04, 0.02))
    assert "no clear difference" in text and "lower" not in text
    assert "undefined in 2 of 6 seeds" in finding(finding_row(0.05, 0.01, 0.09, missing=2))
