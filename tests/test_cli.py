"""The ``pppsim`` command line: a run end to end as a user runs it (the installed executable,
a subprocess), and its options and bad input through the same entry point in this process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import BASELINE, Invocation, invoke

from pppsim.scenario import load_scenario

PPPSIM = Path(sys.executable).parent / "pppsim"
TABLES = ("timeseries", "partnerships", "members", "events")


def pppsim(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(PPPSIM), *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=120, check=False)


def run_baseline(out: Path, *extra: str) -> Invocation:
    return invoke("run", BASELINE, "--months", "24", "--out", out, *extra)


@pytest.fixture(scope="module")
def csv_run(tmp_path_factory) -> tuple[subprocess.CompletedProcess[str], Path]:
    """The baseline for 24 months, run by the installed ``pppsim`` executable."""
    out = tmp_path_factory.mktemp("run") / "baseline"
    return pppsim("run", BASELINE, "--months", "24", "--out", out), out


def test_run_succeeds_and_prints_a_summary(csv_run) -> None:
    result, out = csv_run
    assert result.returncode == 0, result.stderr
    assert "Baseline: 24 months, seed 1" in result.stdout
    assert "partnerships launched" in result.stdout
    assert "end causes, ranked" in result.stdout
    assert f"results written to {out}" in result.stdout
    assert "Traceback" not in result.stderr


def test_run_writes_every_output(csv_run) -> None:
    _, out = csv_run
    for name in TABLES:
        assert (out / f"{name}.csv").stat().st_size > 0
    series = pd.read_csv(out / "timeseries.csv", index_col="month")
    assert list(series.index) == list(range(25))
    events = pd.read_csv(out / "events.csv")
    assert {"month", "kind", "partnership", "cause", "values"} <= set(events.columns)
    assert len(events) > 0
    partnerships = pd.read_csv(out / "partnerships.csv")
    assert {"partnership", "end_cause", "lifetime_months"} <= set(partnerships.columns)
    metrics = json.loads((out / "metrics.json").read_text())
    assert {"partnerships_launched", "harm_prevented", "success_share"} <= set(metrics)
    png = (out / "overview.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 1000


def test_written_scenario_reproduces_the_run(csv_run) -> None:
    _, out = csv_run
    written = load_scenario(out / "scenario.toml")
    assert written.params == load_scenario(BASELINE).params
    assert (written.months, written.seed) == (24, 1)
    from pppsim.experiment import model_version
    from pppsim.numerics import fingerprint

    header = (out / "scenario.toml").read_text().splitlines()[:2]
    assert header[0] == f"# made with pppsim model {model_version()}"
    assert header[1].startswith(f"# numerics {fingerprint()} (numpy ")


def test_same_seed_gives_byte_identical_tables(csv_run, tmp_path) -> None:
    """Here in this process, and before in another: the same bytes."""
    _, first = csv_run
    result = run_baseline(tmp_path / "again")
    assert result.returncode == 0, result.stderr
    for name in TABLES:
        assert (tmp_path / "again" / f"{name}.csv").read_bytes() == \
            (first / f"{name}.csv").read_bytes(), name


def test_another_seed_gives_other_results(csv_run, tmp_path) -> None:
    _, first = csv_run
    result = run_baseline(tmp_path / "seed2", "--seed", "2")
    assert result.returncode == 0, result.stderr
    assert "seed 2" in result.stdout
    assert (tmp_path / "seed2" / "events.csv").read_bytes() != \
        (first / "events.csv").read_bytes()


def test_parquet_format(csv_run, tmp_path) -> None:
    _, first = csv_run
    out = tmp_path / "parquet"
    result = run_baseline(out, "--format", "parquet")
    assert result.returncode == 0, result.stderr
    for name in TABLES:
        assert not (out / f"{name}.csv").exists()
    series = pd.read_parquet(out / "timeseries.parquet")
    expected = pd.read_csv(first / "timeseries.csv", index_col="month")
    assert len(series) == len(expected) == 25
    assert series["active_partnerships"].tolist() == expected["active_partnerships"].tolist()
    assert len(pd.read_parquet(out / "events.parquet")) > 0
    assert (out / "overview.png").stat().st_size > 0


def test_default_output_folder(tmp_path) -> None:
    result = invoke("run", BASELINE, "--months", "3", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "runs" / "baseline-seed1" / "timeseries.csv").exists()


# --- bad input: one line on stderr, exit code 2, no traceback ------------------------------
def assert_bad_input(result: Invocation, *fragments: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("pppsim: error: ")
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    assert result.stdout == ""


BAD_SCENARIOS = {
    "malformed": ("[trust\n", ["malformed TOML"]),
    "unknown key": ("[trust]\ninitial_trsut = 0.5\n",
                    ["initial_trsut", "did you mean 'initial_trust'"]),
    "wrong section": ("[funding]\ninitial_trust = 0.5\n", ["initial_trust", "[trust]"]),
    "wrong type": ('[trust]\ninitial_trust = "high"\n', ["initial_trust", "from 0.0 to 1.0"]),
    "out of range": ("[information_sharing]\nlegal_barrier = 1.5\n",
                     ["legal_barrier = 1.5", "from 0.0 to 1.0"]),
    "funding shares": ("[funding]\ngrant_share = 0.7\nstructural_share = 0.5\n",
                       ["grant_share", "structural_share", "at most 1"]),
}


@pytest.mark.parametrize("case", list(BAD_SCENARIOS))
def test_bad_scenario_file(toml_file, tmp_path, case) -> None:
    text, fragments = BAD_SCENARIOS[case]
    path = toml_file(text, name="bad.toml")
    result = invoke("run", path, "--out", tmp_path / "out")
    assert_bad_input(result, str(path), *fragments)
    assert not (tmp_path / "out").exists()


def test_missing_file(tmp_path) -> None:
    path = tmp_path / "absent.toml"
    assert_bad_input(invoke("run", path), str(path), "no such file")


def test_directory(tmp_path) -> None:
    assert_bad_input(invoke("run", tmp_path), str(tmp_path), "is a directory")


@pytest.mark.parametrize(("option", "value"), [
    ("--seed", "-1"), ("--seed", "abc"), ("--months", "0"), ("--months", "1201"),
    ("--months", "ten"), ("--format", "xlsx"),
])
def test_bad_option_values(tmp_path, option: str, value: str) -> None:
    result = invoke("run", BASELINE, option, value, "--out", tmp_path / "out")
    assert_bad_input(result, option)
    assert not (tmp_path / "out").exists()


def test_unknown_option() -> None:
    assert_bad_input(invoke("run", BASELINE, "--mnths", "3"), "--mnths")


def test_help_and_version() -> None:
    help_result = invoke("run", "--help")
    assert help_result.returncode == 0
    assert "--seed" in help_result.stdout and "--months" in help_result.stdout
    version = invoke("--version")
    assert version.returncode == 0 and "pppsim" in version.stdout


def test_click_is_imported_only_by_the_command_line_package() -> None:
    """Commands live in pppsim/cli/; the analysis modules they call know nothing of click."""
    import ast

    package = Path(__file__).resolve().parent.parent / "pppsim"
    importers = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(name.split(".")[0] == "click" for name in names):
                importers.add(path.relative_to(package).parts[0])
    assert importers == {"cli"}


def test_help_does_not_import_the_plotting_and_teaching_modules() -> None:
    """``pppsim --help`` lists every command without loading what the commands use."""
    code = ("import sys; from pppsim.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('matplotlib', 'pppsim.teaching', 'pppsim.explain', "
            "'pppsim.run', 'solara') if m in sys.modules))")
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           timeout=120, check=True)
    assert "sweep" in shown.stdout and "demo" in shown.stdout
    assert shown.stdout.strip().splitlines()[-1] == "[]"


def test_python_dash_m_runs_the_command_line() -> None:
    shown = subprocess.run([sys.executable, "-m", "pppsim.cli", "--version"],
                           capture_output=True, text=True, timeout=120, check=True)
    assert shown.stdout.startswith("pppsim, version ")
