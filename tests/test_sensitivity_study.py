"""``pppsim sensitivity`` and ``pppsim discover`` on the model: tiny designs, end to end."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pppsim.cli import main
from pppsim.experiment import ResultStore, load_experiment, load_results
from pppsim.sensitivity import DUMMY, OutputError, noise_share
from pppsim.sensitivity.study import outputs, prepare, run

ROOT = Path(__file__).resolve().parent.parent
QUICK = ROOT / "experiments" / "sensitivity_quick.toml"
PPPSIM = Path(sys.executable).parent / "pppsim"
METRICS = ["partnerships_launched", "harm_prevented", "trust_public_to_private"]


def pppsim(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(PPPSIM), *map(str, args)], capture_output=True, text=True,
                          timeout=300, check=False)


def cli(capsys, *args: str | Path) -> tuple[int, str, str]:
    """Run ``pppsim`` in this process; returns exit code, stdout, stderr."""
    try:
        main([str(a) for a in args])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def study(tmp_path_factory) -> tuple[subprocess.CompletedProcess[str], Path]:
    """The quick Sobol study, run as a user runs it, then doubled with --extend."""
    out = tmp_path_factory.mktemp("sensitivity") / "quick"
    first = pppsim("sensitivity", QUICK, "--out", out, "--workers", "2", "--quiet")
    assert first.returncode == 0, first.stderr
    for name in ("indices", "report"):
        suffix = ".csv" if name == "indices" else ".md"
        (out / f"{name}_n16{suffix}").write_bytes((out / f"{name}{suffix}").read_bytes())
    doubled = pppsim("sensitivity", QUICK, "--out", out, "--workers", "2", "--quiet",
                     "--extend")
    return first, doubled, out


def test_sensitivity_writes_tables_plots_and_a_report(study) -> None:
    first, _, out = study
    assert "96 design rows x 2 replications = 192 runs" in first.stdout
    assert "Traceback" not in first.stderr
    indices = pd.read_csv(out / "indices_n16.csv")
    assert set(indices["output"]) == set(METRICS)
    assert set(indices["statistic"]) == {"mean", "sd"}
    assert set(indices["parameter"]) == {"legal_barrier", "governance", "initial_trust",
                                         DUMMY}
    assert {"S1", "S1_conf", "ST", "ST_conf", "ST_corrected", "ST_corrected_conf"} <= set(
        indices.columns)
    noise = pd.read_csv(out / "noise.csv").set_index("output")
    assert noise.loc["harm_prevented", "noise_share"] > 0.05
    assert (noise["undefined_runs"] == 0).all()
    for metric in METRICS:
        for prefix in ("", "convergence_"):
            assert (out / "plots" / f"{prefix}{metric}.png").stat().st_size > 0
    report = (out / "report_n16.md").read_text()
    assert report.startswith("# Sensitivity analysis: Sensitivity quick check")
    assert "## trust_public_to_private: mean trust of public bodies" in report
    assert "Noise:" in report and "N = 16" in report


def test_the_quick_report_names_the_obvious_driver_of_end_trust(study) -> None:
    """End-of-run trust is driven by initial_trust; at N = 8 the report said that no
    parameter stood out."""
    _, _, out = study
    report = (out / "report_n16.md").read_text()
    section = report.split("## trust_public_to_private")[1].split("\n## ")[0]
    mean = next(line for line in section.splitlines() if line.startswith("Mean:"))
    assert mean.startswith("Mean: **initial_trust** (corrected ST = ")
    assert "matters most" in mean
    inert = mean.split("No detectable influence")[1]
    assert "legal_barrier" in inert and "governance" in inert
    # the two noisy outputs are named as noise-limited at this budget
    for noisy in ("partnerships_launched", "harm_prevented"):
        assert f"- {noisy}: " in report and "noise-limited" in report


def test_extend_doubles_n_reusing_every_finished_run(study, tmp_path) -> None:
    _, doubled, out = study
    assert doubled.returncode == 0, doubled.stderr
    assert ("192 design rows x 2 replications = 384 runs (192 reused from N = 16)"
            in doubled.stdout)
    assert json.loads((out / "study.json").read_text())["samples"] == 32
    table = pd.read_csv(out / "convergence.csv")
    assert sorted(table["n"].unique()) == [16, 32]
    fresh = tmp_path / "fresh"
    again = pppsim("sensitivity", QUICK, "--out", fresh, "--samples", "32", "--workers", "2",
                   "--quiet", "--no-plots")
    assert again.returncode == 0, again.stderr
    pd.testing.assert_frame_equal(pd.read_csv(fresh / "indices.csv"),
                                  pd.read_csv(out / "indices.csv"))


def test_an_interrupted_extension_is_finished_by_the_same_command(tmp_path, capsys) -> None:
    """N = 4 -> 8 interrupted; running the same --extend command again finishes N = 8
    instead of doubling again to 16."""
    out = tmp_path / "s"
    options = ("--replications", "1", "--workers", "1", "--quiet", "--no-plots")
    assert cli(capsys, "sensitivity", QUICK, "--out", out, "--samples", "4", *options)[0] == 0
    experiment = load_experiment(QUICK)
    extension = prepare(experiment, out, replications=1, double=True)
    run(extension, workers=1, progress=False)
    with sqlite3.connect(extension.runs_folder / "runs.sqlite") as db:   # interrupted
        db.execute("DELETE FROM runs WHERE point >= 40")
    code, stdout, stderr = cli(capsys, "sensitivity", QUICK, "--out", out, "--extend",
                               *options)
    assert code == 0, stderr
    assert "finishing the interrupted extension from N = 4; 24 runs reused" in stdout
    assert "48 design rows x 1 replications = 48 runs" in stdout
    assert json.loads((out / "study.json").read_text())["samples"] == 8
    assert not (out / "runs" / "sobol-N16").exists()
    with ResultStore.open(out / "runs" / "sobol-N8") as store:
        assert store.counts().remaining == 0
        assert store.sessions()[-1]["runs_done"] == 8          # only the deleted runs
    fresh = tmp_path / "fresh"
    assert cli(capsys, "sensitivity", QUICK, "--out", fresh, "--samples", "8", *options)[0] == 0
    pd.testing.assert_frame_equal(pd.read_csv(fresh / "indices.csv"),
                                  pd.read_csv(out / "indices.csv"))
    code, _, stderr = cli(capsys, "sensitivity", QUICK, "--out", out, "--extend", *options)
    assert code == 0, stderr                                     # finished: doubles again
    assert json.loads((out / "study.json").read_text())["samples"] == 16


def test_extend_refuses_an_unfinished_study_that_is_not_an_extension(tmp_path, capsys) -> None:
    out = tmp_path / "s"
    study = prepare(load_experiment(QUICK), out, samples=4, replications=1)
    run(study, workers=1, progress=False)
    with sqlite3.connect(study.runs_folder / "runs.sqlite") as db:
        db.execute("DELETE FROM runs WHERE point >= 20")
    code, _, stderr = cli(capsys, "sensitivity", QUICK, "--out", out, "--extend",
                          "--replications", "1", "--workers", "1", "--quiet")
    assert code == 2
    assert stderr.strip() == ("pppsim: error: the study in --out (N = 4) is not finished; run "
                              "the same command without --extend to finish it, then extend it")


def test_the_strongest_lever_of_end_trust_is_initial_trust(study) -> None:
    _, _, out = study
    indices = pd.read_csv(out / "indices.csv")
    trust = indices[(indices["output"] == "trust_public_to_private")
                    & (indices["statistic"] == "mean")].set_index("parameter")
    assert trust["ST_corrected"].idxmax() == "initial_trust"
    low = trust.loc["initial_trust", "ST_corrected"] - trust.loc["initial_trust",
                                                                 "ST_corrected_conf"]
    assert low > 0.5


def test_rerunning_resumes_and_gives_identical_indices(study, capsys) -> None:
    _, _, out = study
    before = (out / "indices.csv").read_bytes()
    code, _, stderr = cli(capsys, "sensitivity", QUICK, "--out", out, "--workers", "1",
                          "--quiet", "--no-plots")
    assert code == 0, stderr
    assert (out / "indices.csv").read_bytes() == before
    with ResultStore.open(out / "runs" / "sobol-N32") as store:
        assert store.sessions()[-1]["runs_done"] == 0


def test_discover_finds_where_end_trust_is_low(study, capsys) -> None:
    _, _, out = study
    code, stdout, stderr = cli(capsys, "discover", out, "--metric",
                               "trust_public_to_private", "--below", "0.3")
    assert code == 0, stderr
    assert "box 1: coverage" in stdout and "initial_trust <=" in stdout
    boxes = pd.read_csv(out / "discovery_trust_public_to_private.csv")
    assert "initial_trust" in set(boxes["parameter"])
    assert (out / "discovery_trust_public_to_private.png").stat().st_size > 0


def test_missing_runs_are_refused_before_analysis(tmp_path) -> None:
    experiment = load_experiment(QUICK)
    study = prepare(experiment, tmp_path / "s", samples=4, replications=1)
    run(study, workers=1, progress=False)
    assert set(outputs(study)) == set(METRICS)
    with sqlite3.connect(study.runs_folder / "runs.sqlite") as db:
        db.execute("DELETE FROM runs WHERE point = 3")
    with pytest.raises(OutputError, match="23 of 24 runs are finished"):
        outputs(study)


def test_only_varies_the_named_parameters_and_fixes_the_others_mid_range(tmp_path) -> None:
    experiment = load_experiment(QUICK)
    study = prepare(experiment, tmp_path / "s", method="morris", samples=2,
                    only=["governance", "initial_trust"])
    assert study.design.names == ["governance", "initial_trust", DUMMY]
    params = [p.params for p in study.experiment.points]
    assert {p["legal_barrier"] for p in params} == {0.5}
    assert len({p["governance"] for p in params}) > 1
    assert str(study.experiment.random_numbers) == "independent"


@pytest.mark.parametrize("args, message", [
    (["--samples", "12"], "a sobol design needs samples = a power of 2, got 12"),
    (["--extend"], "--extend needs a finished study in --out"),
    (["--method", "pawn", "--samples", "8"], "a pawn design needs samples >= 100, got 8"),
    (["--only", "grant_keur"], "--only: 'grant_keur' is not varied"),
    (["--method", "morris", "--samples", "1"],
     "a morris design needs samples >= 2 trajectories, got 1"),
    (["--method", "fast", "--samples", "20"], "a fast design needs samples > 64"),
    (["--pilot", "--replications", "1"], "--pilot needs at least 2 replications per point"),
    (["--pilot", "--extend"], "--pilot runs a pilot; leave out --extend and --analyse-only"),
    (["--max-replications", "5"], "--max-replications goes with --pilot"),
    (["--pilot", "--only", "grant_keur"], "--only: 'grant_keur' is not varied"),
])
def test_bad_sensitivity_options_give_one_line_errors(tmp_path, capsys, args, message) -> None:
    code, _, stderr = cli(capsys, "sensitivity", QUICK, "--out", tmp_path / "o", *args)
    assert code == 2
    assert message in stderr
    assert stderr.count("\n") == 1 and "Traceback" not in stderr


def test_a_design_row_the_model_refuses_is_reported_before_any_run(tmp_path, capsys) -> None:
    path = tmp_path / "shares.toml"
    path.write_text(QUICK.read_text().replace('scenario = "../scenarios/baseline.toml"', "")
                    .replace("initial_trust = { low = 0.2, high = 0.8 }",
                             "grant_share = { low = 0.3, high = 0.8 }\n"
                             "structural_share = { low = 0.1, high = 0.7 }"))
    code, _, stderr = cli(capsys, "sensitivity", path, "--out", tmp_path / "o")
    assert code == 2
    assert "design row" in stderr and "must be at most 1" in stderr
    assert "narrow the [vary] ranges" in stderr
    assert not (tmp_path / "o" / "runs").exists()


def test_a_factorial_experiment_needs_a_method(tmp_path, capsys) -> None:
    code, _, stderr = cli(capsys, "sensitivity", ROOT / "experiments" / "quick.toml",
                          "--out", tmp_path / "o")
    assert code == 2
    assert "a factorial design implies no method; give --method" in stderr


@pytest.mark.parametrize("args, message", [
    (["--metric", "harm_prevented"], "give exactly one of --below VALUE and --above VALUE"),
    (["--metric", "harm_prevented", "--below", "1", "--above", "2"], "give exactly one"),
    (["--metric", "nope", "--below", "1"], "'nope' was not recorded"),
])
def test_bad_discover_options_give_one_line_errors(study, capsys, args, message) -> None:
    _, _, out = study
    code, _, stderr = cli(capsys, "discover", out, *args)
    assert code == 2
    assert message in stderr and "Traceback" not in stderr


def test_pilot_measures_noise_and_recommends_replications(tmp_path, capsys) -> None:
    out = tmp_path / "s"
    code, stdout, stderr = cli(capsys, "sensitivity", QUICK, "--out", out, "--pilot",
                               "--samples", "8", "--replications", "4", "--workers", "1",
                               "--quiet", "--max-replications", "10")
    assert code == 0, stderr
    assert "pilot: 8 points x 4 replications = 32 runs" in stdout
    table = pd.read_csv(out / "pilot" / "pilot.csv").set_index("output")
    assert list(table.index) == METRICS
    assert (table["runs"] == 32).all() and (table["replications"] == 4).all()
    frame = load_results(out / "pilot" / "runs")
    assert len(frame) == 32 and frame["legal_barrier"].nunique() == 8
    # the table's noise share is the random-effects split of the pilot's runs
    for metric in METRICS:
        values = frame.sort_values(["point", "replication"])[metric].to_numpy().reshape(8, 4)
        assert table.loc[metric, "noise_share"] == pytest.approx(noise_share(values)[0])
    needed = table["replications_needed"]
    estimable = [m for m in METRICS if needed[m] <= 10]
    noisy = [m for m in METRICS if not needed[m] <= 10]
    expected = max(2, int(needed[estimable].max()))
    assert f"recommendation: replications = {expected} (meets the 5% target for " \
        f"{', '.join(estimable)})" in stdout
    for metric in noisy:  # an output that is all noise needs infinitely many: named alone
        assert (f"{metric} (needs {needed[metric]:.0f})" if np.isfinite(needed[metric])
                else metric) in stdout
    assert f"--replications {expected}" in stdout
    assert (out / "pilot" / "pilot.md").read_text().startswith("# Pilot: ")
    assert not (out / "study.json").exists()          # the study itself is untouched


def test_undefined_runs_are_counted_on_the_console_and_in_the_report(tmp_path,
                                                                      capsys) -> None:
    """trust_in_partnerships is undefined (NaN) in runs where no partnership exists."""
    path = tmp_path / "nan.toml"
    path.write_text(QUICK.read_text().replace(
        '"../scenarios/baseline.toml"', f'"{ROOT / "scenarios" / "baseline.toml"}"').replace(
        'outputs = ["partnerships_launched", "harm_prevented", "trust_public_to_private"]',
        'outputs = ["trust_public_to_private", "trust_in_partnerships"]'))
    out = tmp_path / "o"
    code, _, stderr = cli(capsys, "sensitivity", path, "--out", out, "--samples", "4",
                          "--replications", "3", "--workers", "1", "--quiet", "--no-plots")
    assert code == 0, stderr
    frame = load_results(out / "runs" / "sobol-N4").sort_values(["point", "replication"])
    values = frame["trust_in_partnerships"].to_numpy(dtype=float).reshape(-1, 3)
    count = int(np.isnan(values).sum())
    assert 0 < count < values.size
    words = (f"trust_in_partnerships: {count} of {values.size} runs "
             f"({count / values.size:.0%}) are undefined (NaN)")
    assert f"undefined: {words}" in stderr
    report = (out / "report.md").read_text()
    assert words in report
    noise = pd.read_csv(out / "noise.csv").set_index("output")
    assert noise.loc["trust_in_partnerships | defined", "undefined_runs"] == count
    indices = pd.read_csv(out / "indices.csv")
    if np.isnan(values).all(axis=1).any():
        assert "not estimable at this design" in stderr
        assert "trust_in_partnerships" not in " ".join(indices["output"])
    else:
        assert "analysed as 'trust_in_partnerships | defined'" in stderr
        assert "trust_in_partnerships | defined" in set(indices["output"])


@pytest.mark.parametrize("name", ["sobol_main_levers", "morris_all_levers"])
def test_ready_designs_load_and_sample(tmp_path, name) -> None:
    experiment = load_experiment(ROOT / "experiments" / f"{name}.toml")
    study = prepare(experiment, tmp_path / name)
    rows = {"sobol_main_levers": 64 * 16, "morris_all_levers": 10 * 114}[name]
    assert len(study.design.samples) == rows
    assert study.experiment.n_runs == rows * experiment.replications
    if name == "sobol_main_levers":
        assert set(study.design.parameters) >= {
            "grant_keur", "grant_months", "legal_barrier", "organisational_barrier",
            "technical_barrier", "information_weight", "governance", "follow_up_capacity",
            "initial_trust",
            "sector_prejudice", "meeting_interval_months", "opportunism_mean",
            "n_organisations"}
