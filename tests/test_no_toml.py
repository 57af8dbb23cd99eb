"""Questions without writing TOML: shipped scenarios by short name, ``pppsim scenarios``,
``--set section.key=value`` checked like a scenario file, ``--title``; and the tables and logs
a policymaker opens: ``export --format xlsx``, progress lines in a log file."""

from __future__ import annotations

import io
import math
from pathlib import Path

import pytest
from conftest import SCENARIOS, invoke
from rich.console import Console

import pppsim.scenario as scenario_module
from pppsim.experiment.files import load_experiment
from pppsim.experiment.progress import SweepProgress
from pppsim.experiment.runner import RunRecord, SweepStats
from pppsim.report.compare import comparison_spec, default_folder
from pppsim.scenario import (
    ScenarioError,
    apply_settings,
    find_scenario,
    load_scenario,
    open_scenario,
    shipped_scenarios,
)

BASELINE = load_scenario(SCENARIOS / "baseline.toml")


# --- shipped scenarios by short name --------------------------------------------------------
def test_every_shipped_scenario_is_found_by_its_short_name() -> None:
    shipped = shipped_scenarios()
    assert {path.stem for path in SCENARIOS.glob("*.toml")} <= set(shipped)
    for name, path in shipped.items():
        assert find_scenario(name) == path
        assert find_scenario(f"{name}.toml") == path
    assert find_scenario(SCENARIOS / "baseline.toml") == SCENARIOS / "baseline.toml"


@pytest.fixture
def library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scenario folder with a case library in a subfolder, whose files carry a table this
    version does not know."""
    (tmp_path / "cases").mkdir()
    (tmp_path / "baseline.toml").write_text('name = "Baseline"\ndescription = "Where we are."\n')
    (tmp_path / "cases" / "holsteiner.toml").write_text(
        'name = "Holsteiner"\ndescription = "A harbour case."\n\n[case]\nsource = "x"\n')
    (tmp_path / "cases" / "baseline.toml").write_text('name = "Case baseline"\n')
    monkeypatch.setattr(scenario_module, "shipped_folder", lambda: tmp_path)
    return tmp_path


def test_subfolders_are_found_by_path_or_unique_file_name(library: Path) -> None:
    assert list(shipped_scenarios()) == ["baseline", "cases/baseline", "cases/holsteiner"]
    assert find_scenario("cases/holsteiner") == library / "cases" / "holsteiner.toml"
    assert find_scenario("holsteiner") == library / "cases" / "holsteiner.toml"
    assert find_scenario("baseline") == library / "baseline.toml"  # the top folder first


def test_listing_shows_one_line_per_scenario_even_with_unknown_tables(library: Path) -> None:
    done = invoke("scenarios")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["baseline", "cases/baseline",
                                                   "cases/holsteiner"]
    assert lines[2].endswith("Holsteiner: A harbour case.")


def test_the_shipped_listing_names_every_scenario_with_its_description() -> None:
    done = invoke("scenarios")
    assert done.returncode == 0
    lines = {line.split()[0]: line for line in done.stdout.splitlines()}
    assert set(lines) == set(shipped_scenarios())
    assert "High barriers: Legal, organisational and technical" in lines["high_barriers"]


@pytest.mark.parametrize(("name", "message"), [
    ("baselin", "baselin: no such file or shipped scenario; did you mean 'baseline'?"),
    ("nothing_like_it", "no such file or shipped scenario (pppsim scenarios lists them)"),
])
def test_an_unknown_short_name_is_one_line(name: str, message: str) -> None:
    done = invoke("run", name, "--months", "2")
    assert done.returncode == 2
    assert message in done.stderr and done.stderr.count("\n") == 1


def test_an_ambiguous_file_name_names_the_candidates(library: Path) -> None:
    (library / "cases" / "more").mkdir()
    (library / "cases" / "more" / "holsteiner.toml").write_text('name = "H2"\n')
    with pytest.raises(ScenarioError, match="cases/holsteiner, cases/more/holsteiner"):
        find_scenario("holsteiner")


# --- --set ----------------------------------------------------------------------------------
def test_settings_change_the_scenario_like_a_file_would() -> None:
    changed = open_scenario("baseline", ["information_sharing.legal_barrier=0.15",
                                         "information_sharing.platform_share=1.0",
                                         "months=60", "name=Mine"])
    assert changed.params["legal_barrier"] == 0.15
    assert changed.months == 60 and changed.name == "Mine"
    assert set(BASELINE.differences(changed)) == {"legal_barrier", "platform_share"}


@pytest.mark.parametrize(("setting", "message"), [
    ("information_sharing.legal_barrier=1.5",
     "[information_sharing] legal_barrier = 1.5 is not allowed: expected a float from 0.0 to "
     "1.0"),
    ("information_sharing.legal_barier=0.5",
     "unknown parameter 'legal_barier' in [information_sharing]; did you mean "
     "'legal_barrier'?"),
    ("informaton_sharing.legal_barrier=0.5", "did you mean 'information_sharing'?"),
    ("funding.legal_barrier=0.5", "'legal_barrier' belongs in section [information_sharing]"),
    ("organisations.n_organisations=fifty", "expected an int from"),
    ("organisations.n_organisations=50.0", "not a float"),
    ("organisations.n_organisations=true", "not a boolean"),
    ("legal_barrier=0.2", "write information_sharing.legal_barrier=..."),
    ("base=other.toml", "unknown key 'base'"),
    ("months=0", "--set: months = 0 is not allowed: expected an int from 1 to 1200"),
    ("nothing", "expected section.key=value"),
    ("information_sharing.legal_barrier=0,1",
     "write decimals with a point, as in a scenario file: information_sharing.legal_barrier=0.1"),
])
def test_a_bad_setting_is_one_line_naming_it(setting: str, message: str) -> None:
    done = invoke("run", "baseline", "--months", "2", "--set", setting)
    assert done.returncode == 2, done.stdout
    line = done.stderr
    assert line.count("\n") == 1 and line.startswith("pppsim: error: --set")
    assert message in line, line
    assert "Traceback" not in line


def test_compare_one_scenario_against_itself_changed(tmp_path: Path) -> None:
    spec = comparison_spec(["baseline"], settings=["information_sharing.legal_barrier=0.1"],
                           title="Een convenant")
    assert [s.name for s in spec.scenarios] == ["Baseline", "Baseline, legal_barrier = 0.1"]
    assert BASELINE.differences(spec.scenarios[1]) == {"legal_barrier": (0.4, 0.1)}
    assert spec.name == "Een convenant"
    assert default_folder(spec) != default_folder(comparison_spec(
        ["baseline"], settings=["information_sharing.legal_barrier=0.2"]))
    both = comparison_spec(["baseline", "high_barriers"],
                           settings=["organisations.n_organisations=30"])
    assert [s.params["n_organisations"] for s in both.scenarios] == [30, 30]
    assert [s.name for s in both.scenarios] == ["Baseline", "High barriers"]


def test_every_study_command_refuses_a_bad_setting_before_running(tmp_path: Path) -> None:
    bad = "information_sharing.legal_barrier=2"
    for command in (["run", "baseline"], ["compare", "baseline", "high_barriers"],
                    ["patterns", "baseline"],
                    ["sweep", SCENARIOS.parent / "experiments" / "quick.toml"]):
        done = invoke(*command, "--set", bad, "--out", tmp_path / command[0])
        assert done.returncode == 2, (command, done.stderr)
        assert "legal_barrier = 2 is not allowed" in done.stderr
        assert not (tmp_path / command[0]).exists()


def test_sweep_settings_change_the_base_and_may_not_touch_what_varies() -> None:
    quick = SCENARIOS.parent / "experiments" / "quick.toml"
    plain = load_experiment(quick)
    changed = load_experiment(quick, settings=["organisations.opportunism_mean=0.4"])
    assert {p.params["opportunism_mean"] for p in changed.points} == {0.4}
    assert {p.params["n_organisations"] for p in changed.points} == {30}  # [fixed] kept
    assert [p.params["legal_barrier"] for p in changed.points] == \
        [p.params["legal_barrier"] for p in plain.points]
    with pytest.raises(ScenarioError, match="is varied by"):
        load_experiment(quick, settings=["information_sharing.legal_barrier=0.3"])


def test_settings_apply_to_any_scenario_object() -> None:
    assert apply_settings(BASELINE, []) is BASELINE
    assert math.isclose(apply_settings(BASELINE, ["funding.grant_share=0.1"])
                        .params["grant_share"], 0.1)


# --- export --format xlsx and --out -------------------------------------------------------
@pytest.fixture(scope="module")
def finished_sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sweep")
    experiment = folder / "tiny.toml"
    experiment.write_text('months = 6\nseed = 4\nreplications = 2\noutputs = '
                          '["partnerships_launched", "success_share"]\n\n[fixed]\n'
                          "n_organisations = 15\n\n[vary]\nlegal_barrier = [0.2, 0.8]\n")
    done = invoke("sweep", experiment, "--out", folder / "out", "--workers", "1")
    assert done.returncode == 0, done.stderr
    (folder / "first.txt").write_text(done.stdout)
    return folder / "out"


def test_xlsx_export_holds_every_run_and_leaves_undefined_cells_empty(
        finished_sweep: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from pppsim.experiment.results import load_results

    done = invoke("export", finished_sweep, "--format", "xlsx", "--out", tmp_path / "r.xlsx")
    assert done.returncode == 0, done.stderr
    rows = list(load_workbook(tmp_path / "r.xlsx", read_only=True)["results"].values)
    runs = load_results(finished_sweep)
    header, body = list(rows[0]), rows[1:]
    assert header == list(runs.columns) and len(body) == len(runs)
    for row, (_, run) in zip(body, runs.iterrows(), strict=True):
        row = (*row, *[None] * (len(header) - len(row)))  # a read row ends at its last value
        cells = dict(zip(header, row, strict=True))
        assert str(cells["seed"]) == str(run["seed"])
        if math.isnan(run["success_share"]):
            assert cells["success_share"] is None
        else:
            assert cells["success_share"] == pytest.approx(run["success_share"])
    assert runs["success_share"].isna().any()  # the undefined case is exercised


def test_export_out_and_the_deprecated_output(finished_sweep: Path, tmp_path: Path) -> None:
    done = invoke("export", finished_sweep, "--output", tmp_path / "old.csv")
    assert done.returncode == 0 and (tmp_path / "old.csv").is_file()
    assert "--output is deprecated; use --out" in done.stderr
    done = invoke("export", finished_sweep, "--out", tmp_path / "a.csv", "--output",
                  tmp_path / "b.csv")
    assert done.returncode == 2 and done.stderr.count("\n") == 2  # the note and the error


# --- progress in logs -----------------------------------------------------------------------
def test_progress_in_a_log_is_plain_periodic_lines_with_the_summary_rate() -> None:
    now = [0.0]
    log = io.StringIO()
    progress = SweepProgress("study", Console(file=log, width=30), interval=10,
                             now=lambda: now[0])
    record = RunRecord("id", 0, 0, 1, {}, None, 0.1, "worker")
    with progress:
        progress.start(4)
        for seconds in (1.0, 11.0, 15.0, 20.0):  # a line at 11 s (10 s after the start) and
            now[0] = seconds                      # at the end; none at 1 s and 15 s
            progress.advance(record)
    lines = log.getvalue().splitlines()
    assert lines == ["study: 2/4 runs (50%), 0 failed, 0.18 runs/s, elapsed 0:00:11, ETA "
                     "0:00:11",
                     "study: 4/4 runs (100%), 0 failed, 0.20 runs/s, elapsed 0:00:20"]
    stats = SweepStats("process pool", 1, 1, planned=4, done=4, wall_seconds=20.0)
    assert f"{stats.runs_per_second:.2f} runs/s" in stats.text()


def test_a_resume_with_nothing_to_do_prints_no_nan(finished_sweep: Path) -> None:
    first = (finished_sweep.parent / "first.txt").read_text()
    assert "study: 4/4 runs (100%)" in first or "tiny: 4/4 runs (100%)" in first
    again = invoke("sweep", finished_sweep.parent / "tiny.toml", "--out", finished_sweep,
                   "--workers", "1")
    assert again.returncode == 0
    assert "nothing to run, every run is already in the folder" in again.stdout
    assert "nan" not in again.stdout.lower()
    assert SweepStats("x", 1, 1, planned=3).text() == \
        "finished: no run finished of 3 planned this session"
