"""A results folder protects itself, and inputs are strict: read-only reading, the write lock,
checksums and ``pppsim verify``, strict types, size limits, TOML written back, literal names
in figures, output written all or nothing, and random TOML documents."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import tomli_w
from conftest import BASELINE, valid_parameters
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_malformed import SMALL_EXPERIMENT, file_size_limit, invoke

from pppsim import load_results
from pppsim.errors import OutputError
from pppsim.experiment import Experiment, ExperimentError, load_experiment, load_series
from pppsim.experiment.lock import FolderBusyError, FolderLock
from pppsim.experiment.manifest import build_manifest
from pppsim.experiment.store import DATABASE, ResultStore, StoreError
from pppsim.fileio import PARTIAL, atomic_file, staged_folder
from pppsim.parameters import SECTIONS, Parameters, parameter_table
from pppsim.scenario import Scenario, ScenarioError, load_scenario, scenario_to_toml

PPPSIM = Path(sys.executable).parent / "pppsim"
SLOW_EXPERIMENT = ("months = 60\nreplications = 2\nseed = 5\n[fixed]\nn_organisations = 100\n"
                   "[vary]\nlegal_barrier = { low = 0.0, high = 1.0, levels = 10 }\n")
"""Twenty runs of about a tenth of a second: long enough to meet a sweep while it runs."""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


def sweep_in_process(folder: Path, text: str = SMALL_EXPERIMENT, name: str = "out",
                     *extra: str) -> Path:
    result = invoke(["sweep", write(folder, "exp.toml", text), "--out", folder / name,
                     "--workers", "1", "--quiet", *extra])
    assert result.code == 0, result.stderr
    return folder / name


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sweep_in_process(tmp_path_factory.mktemp("finished"))


def copy(folder: Path, tmp: Path) -> Path:
    return Path(shutil.copytree(folder, tmp / "copy"))


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file's bytes and modification time (ns)."""
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


# --- reading never writes ------------------------------------------------------------------
def test_reading_a_results_folder_writes_nothing(finished: Path, tmp_path: Path) -> None:
    folder = copy(finished, tmp_path)
    before = snapshot(folder)
    assert invoke(["status", folder]).code == 0
    assert invoke(["export", folder, "--out", tmp_path / "r.csv"]).code == 0
    assert invoke(["verify", folder]).code == 0
    frame = load_results(folder)
    with ResultStore.open(folder) as store:
        assert store.counts().done == len(frame) == 4
    assert snapshot(folder) == before  # no byte, no time stamp, no -wal or -shm file


def _unshare_works() -> bool:
    if not shutil.which("unshare") or sys.platform != "linux":
        return False
    done = subprocess.run(["unshare", "-m", "true"], capture_output=True, check=False)
    return done.returncode == 0


READ_ONLY_SCRIPT = """
import sys
import pppsim
from pppsim.cli import main

def run(*args):
    try:
        main(list(args))
    except SystemExit as exc:
        return exc.code
    return 0

folder, wal_mode, wal_left, table, experiment = sys.argv[1:]
print("status", run("status", folder), flush=True)
print("export elsewhere", run("export", folder, "--out", table), flush=True)
print("rows", len(pppsim.load_results(folder)), flush=True)
print("verify", run("verify", folder), flush=True)
print("export into it", run("export", folder), flush=True)
print("sweep into it", run("sweep", experiment, "--out", folder, "--workers", "1", "--quiet"),
      flush=True)
print("status in WAL mode", run("status", wal_mode), flush=True)
print("status with runs left in the WAL", run("status", wal_left), flush=True)
"""
LEFT_IN_THE_WAL = """
import os, sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA journal_mode = WAL")
db.execute("PRAGMA wal_autocheckpoint = 0")
db.execute("DELETE FROM runs WHERE point = 1 AND replication = 1")
os._exit(0)  # killed: the change stays in the WAL file
"""


@pytest.mark.skipif(not _unshare_works(), reason="needs mount namespaces (unshare -m)")
def test_a_read_only_mount_can_be_read_but_not_written(finished: Path, tmp_path: Path) -> None:
    """Folders on a read-only file system (a colleague's results, a mounted archive)."""
    mounted = tmp_path / "ro"
    folder = Path(shutil.copytree(finished, mounted / "clean"))
    wal_mode = Path(shutil.copytree(finished, mounted / "wal"))
    with sqlite3.connect(wal_mode / DATABASE) as db:  # as an older pppsim left it
        db.execute("PRAGMA journal_mode = WAL")
    wal_left = Path(shutil.copytree(finished, mounted / "left"))
    subprocess.run([sys.executable, "-c", LEFT_IN_THE_WAL, str(wal_left / DATABASE)],
                   check=True, timeout=60)
    Path(f"{wal_left / DATABASE}-shm").unlink()
    assert Path(f"{wal_left / DATABASE}-wal").stat().st_size > 0
    script = write(tmp_path, "read_only.py", READ_ONLY_SCRIPT)
    experiment = write(tmp_path, "exp.toml", SMALL_EXPERIMENT)
    command = (f"mount --bind {mounted} {mounted} && mount -o remount,bind,ro {mounted} && "
               f"{sys.executable} {script} {folder} {wal_mode} {wal_left} "
               f"{tmp_path / 'r.csv'} {experiment}")
    done = subprocess.run(["unshare", "-m", "sh", "-c", command], capture_output=True,
                          text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    for line in ("status 0", "export elsewhere 0", "rows 4", "verify 0", "export into it 2",
                 "sweep into it 2", f"{folder}: 4 done, 0 failed, 0 remaining of 4 runs",
                 f"{folder}: 4 stored runs checked: no damage found", "status in WAL mode 0",
                 f"{wal_mode}: 4 done, 0 failed, 0 remaining of 4 runs",
                 "status with runs left in the WAL 2"):
        assert line in lines, (line, done.stdout)
    assert len(pd.read_csv(tmp_path / "r.csv")) == 4
    errors = done.stderr.splitlines()
    assert len(errors) == 3 and "Traceback" not in done.stderr, done.stderr
    assert all(f"{folder}: cannot write into this folder (it is read-only" in e
               for e in errors[:2])
    assert f"{wal_left / DATABASE}: the last runs of an interrupted sweep are still in " \
           "runs.sqlite-wal" in errors[2]


# --- one writer: the lock -------------------------------------------------------------------
def test_two_writers_racing_for_a_new_folder_never_collide(tmp_path: Path) -> None:
    exp = load_experiment(write(tmp_path, "exp.toml", SMALL_EXPERIMENT))
    manifest = build_manifest(exp)
    for attempt in range(8):
        folder = tmp_path / f"race{attempt}"
        barrier = threading.Barrier(2)
        refused = threading.Event()
        outcomes: list[object] = []

        def create(folder: Path = folder, barrier: threading.Barrier = barrier,
                   refused: threading.Event = refused, outcomes: list = outcomes) -> None:
            barrier.wait()
            try:
                store = ResultStore.create(folder, exp, manifest)
            except Exception as exc:
                outcomes.append(exc)
                refused.set()
                return
            refused.wait(timeout=20)  # hold the folder until the other has tried
            store.close()
            outcomes.append("created")

        threads = [threading.Thread(target=create) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert outcomes.count("created") == 1, outcomes
        (loser,) = [o for o in outcomes if o != "created"]
        assert isinstance(loser, FolderBusyError), loser
        assert "is writing to this results folder" in str(loser)
        with ResultStore.open(folder) as store:
            assert store.counts().total == 4


def test_a_second_sweep_is_refused_and_a_killed_ones_lock_does_not_block(
        tmp_path: Path) -> None:
    folder = tmp_path / "out"
    experiment = write(tmp_path, "exp.toml", SLOW_EXPERIMENT)
    process = subprocess.Popen([str(PPPSIM), "sweep", str(experiment), "--out", str(folder),
                                "--workers", "1", "--chunk-size", "1", "--quiet"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 90
        while _done(folder) < 3 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
        assert _done(folder) >= 3, "the first sweep did not start"
        second = invoke(["sweep", experiment, "--out", folder, "--workers", "1", "--quiet"])
        assert second.code == 2
        assert f"another pppsim (process {process.pid} on " in second.stderr
        assert second.stderr.count("\n") == 1
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    committed = _done(folder)
    assert 3 <= committed < 20, "the first sweep was not killed part-way"
    status = invoke(["status", folder])
    assert f"{committed} done, 0 failed, {20 - committed} remaining of 20 runs" in status.stdout
    assert f"1 workers, {committed} done, 0 failed (running, or killed)" in status.stdout
    resumed = invoke(["sweep", experiment, "--out", folder, "--workers", "1", "--quiet"])
    assert resumed.code == 0, resumed.stderr
    assert f"finished: {20 - committed} runs done, 0 failed" in resumed.stdout
    assert f"{folder}: 20 done, 0 failed, 0 remaining of 20 runs" in resumed.stdout


def _done(folder: Path) -> int:
    try:
        with sqlite3.connect(f"file:{folder / DATABASE}?mode=ro", uri=True, timeout=5) as db:
            return db.execute("SELECT count(*) FROM runs").fetchone()[0]
    except sqlite3.Error:
        return 0


# --- checksums and pppsim verify ----------------------------------------------------------
def test_a_changed_value_is_found_named_dropped_and_re_run(finished: Path,
                                                          tmp_path: Path) -> None:
    reference = load_results(finished)
    folder = copy(finished, tmp_path)
    with sqlite3.connect(folder / DATABASE) as db:
        (metrics,) = db.execute("SELECT metrics FROM runs WHERE point = 1 AND replication = 0"
                                ).fetchone()
        db.execute("UPDATE runs SET metrics = ? WHERE point = 1 AND replication = 0",
                   (metrics.replace('"harm_prevented": ', '"harm_prevented": 1', 1),))
    with pytest.raises(StoreError, match="point 1, replication 0 are damaged"):
        load_results(folder)
    report = invoke(["verify", folder])
    assert report.code == 1
    assert "damaged: point 1 replication 0: its checksum does not match" in report.stdout
    assert invoke(["verify", folder, "--repair"]).code == 0
    assert invoke(["verify", folder]).code == 0
    resumed = invoke(["sweep", write(tmp_path, "exp.toml", SMALL_EXPERIMENT), "--out",
                      folder, "--workers", "1", "--quiet"])
    assert "finished: 1 runs done, 0 failed of 1 planned" in resumed.stdout, resumed.stderr
    pd.testing.assert_frame_equal(load_results(folder), reference, check_exact=True)


def test_a_damaged_page_is_rebuilt_and_resumed_to_the_same_results(tmp_path: Path) -> None:
    text = SLOW_EXPERIMENT.replace("months = 120", "months = 12").replace(
        "n_organisations = 100", "n_organisations = 20")
    whole = sweep_in_process(tmp_path, text, "whole")
    folder = copy(whole, tmp_path)
    data = bytearray((folder / DATABASE).read_bytes())
    where = data.find(b'"trust_public_to_private"', len(data) // 2)
    while data[where // 4096 * 4096] != 0x0D:  # a leaf page of a table (the runs)
        where = data.find(b'"trust_public_to_private"', where + 1)
    page = where // 4096
    data[page * 4096: page * 4096 + 16] = b"\xff" * 16  # its b-tree page header destroyed
    (folder / DATABASE).write_bytes(bytes(data))
    status = invoke(["status", folder])
    assert status.code == 2 and "malformed" in status.stderr and "pppsim verify" in \
        status.stderr
    report = invoke(["verify", folder])
    assert report.code == 1 and "the database file is damaged" in report.stdout
    repaired = invoke(["verify", folder, "--repair"])
    assert repaired.code == 0, repaired.stdout
    assert "rebuilt the database from its readable rows" in repaired.stdout
    assert list(folder.glob(f"{DATABASE}.damaged-*"))
    resumed = invoke(["sweep", tmp_path / "exp.toml", "--out", folder, "--workers", "1",
                      "--quiet"])
    assert resumed.code == 0, resumed.stderr
    assert invoke(["verify", folder]).code == 0
    pd.testing.assert_frame_equal(load_results(folder), load_results(whole), check_exact=True)


def test_a_lost_definition_is_restored_from_the_manifest(finished: Path,
                                                         tmp_path: Path) -> None:
    folder = copy(finished, tmp_path)
    with sqlite3.connect(folder / DATABASE) as db:
        db.execute("DELETE FROM meta WHERE key = 'definition'")
    status = invoke(["status", folder])
    assert status.code == 2 and "definition is missing; run pppsim verify" in status.stderr
    repaired = invoke(["verify", folder, "--repair"])
    assert "restored the experiment's definition from manifest.json" in repaired.stdout
    assert repaired.code == 0
    resumed = invoke(["sweep", write(tmp_path, "exp.toml", SMALL_EXPERIMENT), "--out",
                      folder, "--workers", "1", "--quiet"])
    assert "finished: nothing to run, every run is already in the folder" in resumed.stdout, \
        resumed.stderr
    pd.testing.assert_frame_equal(load_results(folder), load_results(finished),
                                  check_exact=True)


def test_lost_design_points_come_back_on_resume(finished: Path, tmp_path: Path) -> None:
    folder = copy(finished, tmp_path)
    with sqlite3.connect(folder / DATABASE) as db:
        db.execute("DELETE FROM points WHERE point = 1")
    assert invoke(["status", folder]).code == 2
    resumed = invoke(["sweep", write(tmp_path, "exp.toml", SMALL_EXPERIMENT), "--out",
                      folder, "--workers", "1", "--quiet"])
    assert resumed.code == 0, resumed.stderr
    assert invoke(["verify", folder]).code == 0
    pd.testing.assert_frame_equal(load_results(folder), load_results(finished),
                                  check_exact=True)


def test_ledgers_without_checksums_stay_readable(finished: Path, tmp_path: Path) -> None:
    folder = copy(finished, tmp_path)
    with sqlite3.connect(folder / DATABASE) as db:
        db.execute("ALTER TABLE runs DROP COLUMN checksum")
        db.execute("ALTER TABLE run_tables DROP COLUMN checksum")
    report = ResultStore.verify(folder)
    assert report.ok and report.runs == 4 and report.unchecked == 4
    pd.testing.assert_frame_equal(load_results(folder), load_results(finished),
                                  check_exact=True)
    sweep_in_process(tmp_path, SMALL_EXPERIMENT, "copy")  # resume adds the column
    report = ResultStore.verify(folder)
    assert report.ok and report.runs == 4 and report.unchecked == 4


# --- a disk that fills up mid-sweep -----------------------------------------------------------
def test_a_full_disk_mid_sweep_leaves_a_store_that_resumes(tmp_path: Path) -> None:
    text = SMALL_EXPERIMENT.replace("[0.2, 0.8]", "[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]")
    experiment = write(tmp_path, "exp.toml", text)
    for limit in (120_000, 150_000, 200_000, 300_000):  # the first that fills up part-way
        out = tmp_path / f"out{limit}"
        args = ["sweep", experiment, "--out", out, "--workers", "1", "--quiet"]
        with file_size_limit(limit):
            full = invoke(args)
        assert full.code == 2 and full.stderr.count("\n") == 1, full.stderr
        assert "runs.sqlite: the disk failed" in full.stderr
        report = ResultStore.verify(out)
        if report.ok and 0 < report.runs < 16:
            break
    else:
        pytest.fail("no size limit filled the disk part-way through the sweep")
    assert invoke(args).code == 0
    clean = sweep_in_process(tmp_path, text, "clean")
    pd.testing.assert_frame_equal(load_results(out), load_results(clean), check_exact=True)


# --- strict types ----------------------------------------------------------------------------
def test_equal_values_of_either_number_type_give_the_same_runs(tmp_path: Path) -> None:
    ints = load_experiment(write(tmp_path, "a.toml", "[vary]\nlegal_barrier = [0, 1]\n"))
    floats = load_experiment(write(tmp_path, "b.toml", "[vary]\nlegal_barrier = [0.0, 1.0]\n"))
    assert [r.run_id for r in ints.runs()] == [r.run_id for r in floats.runs()]
    assert [type(p.params["legal_barrier"]) for p in ints.points] == [float, float]
    from_python = Experiment.from_points([{"legal_barrier": 0}, {"legal_barrier": np.int64(1)}])
    assert [r.run_id for r in from_python.runs()] == [r.run_id for r in floats.runs()]


def test_numpy_numbers_are_numbers_and_text_is_not() -> None:
    params = Parameters(n_organisations=np.int64(40), legal_barrier=np.float32(0.5),
                        trusted_intermediary=np.bool_(True))
    assert (params.n_organisations, params.trusted_intermediary) == (40, True)
    for bad in ({"legal_barrier": "0.5"}, {"legal_barrier": True}, {"n_organisations": 40.0},
                {"trusted_intermediary": 1}, {"harm_trend": float("nan")}):
        with pytest.raises(ValueError, match=next(iter(bad))):
            Parameters(**bad)


# --- size limits -----------------------------------------------------------------------------
def test_the_size_limit_names_the_runs_and_can_be_raised(tmp_path: Path) -> None:
    text = SMALL_EXPERIMENT.replace("[0.2, 0.8]", "[0.2, 0.5, 0.8]")  # 3 points x 2 = 6 runs
    refused = invoke(["sweep", write(tmp_path, "exp.toml", text), "--out", tmp_path / "out",
                      "--workers", "1", "--quiet", "--max-runs", "5"])
    assert refused.code == 2
    assert "3 points x 2 replications = 6 runs, more than the limit of 5" in refused.stderr
    assert "--max-runs 6" in refused.stderr
    assert not (tmp_path / "out").exists()
    sweep_in_process(tmp_path, text, "out", "--max-runs", "6")
    assert len(load_results(tmp_path / "out")) == 6
    with pytest.raises(ExperimentError, match="1,000,000,000 runs"):
        load_experiment(write(tmp_path, "big.toml", '[design]\nkind = "lhs"\n'
                              "samples = 1000000000\n[vary]\nlegal_barrier = "
                              "{ low = 0.1, high = 0.5 }\n"))


# --- TOML written back -------------------------------------------------------------------------
HOSTILE_NAMES = ['Cost $\\frac{1}{$ and $x^2$', 'say "no"', "back\\slash \\n \\u0041",
                 "two\nlines\r\nand a\ttab", "'single' and \"double\" and '''", "$", "[trust]",
                 'name = "x"\n[trust]\ninitial_trust = 9', "emoji \U0001f600 and \u00e9"]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_names_write_toml_that_reads_back(name: str, tmp_path: Path) -> None:
    scenario = Scenario(name, description=name + " (description)", months=7, seed=3).changed(
        legal_barrier=0.85, trusted_intermediary=True)
    for only_changed in (True, False):
        path = write(tmp_path, "s.toml", scenario_to_toml(scenario, only_changed=only_changed))
        again = load_scenario(path)
        assert (again.name, again.description, again.months, again.seed) == (
            scenario.name, scenario.description, 7, 3)
        assert again.params == scenario.params


TEXT = st.text(max_size=200)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params=valid_parameters(), name=TEXT, description=st.text(max_size=300),
       months=st.integers(1, 1200), seed=st.integers(0, 2**64))
def test_every_written_scenario_reloads_to_the_same_parameters(
        tmp_path_factory: pytest.TempPathFactory, params: dict, name: str, description: str,
        months: int, seed: int) -> None:
    scenario = Scenario(name or "x", Parameters(**params), description, months, seed)
    path = tmp_path_factory.mktemp("toml") / "s.toml"
    path.write_text(scenario_to_toml(scenario, only_changed=False))
    again = load_scenario(path)
    assert again.params == scenario.params
    assert (again.name, again.description, again.months, again.seed) == (
        scenario.name, scenario.description, months, seed)


def test_a_run_with_a_hostile_name_writes_its_figure_and_a_repeatable_scenario(
        tmp_path: Path) -> None:
    name = 'Cost $\\frac{1}{$ "quoted" back\\slash\nnew line $x^2$'
    path = write(tmp_path, "s.toml", tomli_w.dumps({"name": name, "base": str(BASELINE)}))
    result = invoke(["run", path, "--months", "24", "--out", tmp_path / "out"])
    assert result.code == 0, result.stderr
    assert (tmp_path / "out" / "overview.png").read_bytes().startswith(b"\x89PNG")
    written = load_scenario(tmp_path / "out" / "scenario.toml")
    assert written.name == name
    assert written.params == load_scenario(BASELINE).params
    assert (written.months, written.seed) == (24, load_scenario(BASELINE).seed)
    assert not list(tmp_path.rglob(f"*{PARTIAL}*"))


def test_report_figures_draw_dollar_signs_literally() -> None:
    from pppsim.report.figures import end_cause_figure, png_data_uri, survival_figure

    names = ["A $x^2$", "B $\\frac{$", "C $"]
    colours = dict(zip(names, ["#000000", "#0072b2", "#d55e00"], strict=True))
    survival = pd.DataFrame([{"scenario": n, "months": m, "survival": 1 - m / 40,
                              "ci_low": 0.9 - m / 40, "ci_high": 1.0} for n in names
                             for m in range(0, 30, 6)])
    causes = pd.DataFrame([{"scenario": n, "end_cause": c, "share": s} for n in names
                           for c, s in (("goals reached", 0.4), ("mistrust", 0.6))])
    for figure in (survival_figure(survival, colours, 36), end_cause_figure(causes, colours)):
        assert png_data_uri(figure).startswith("data:image/png;base64,")
        texts = [t.get_text() for t in figure.findobj(lambda o: hasattr(o, "get_text"))]
        assert any("$x^2$" in t for t in texts)


# --- all or nothing -------------------------------------------------------------------------
def test_a_staged_folder_changes_nothing_unless_it_completes(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.md").write_text("old")
    with pytest.raises(RuntimeError), staged_folder(out) as stage:
        (stage / "report.md").write_text("new")
        (stage / "table.csv").write_text("half")
        raise RuntimeError("the figure failed")
    assert sorted(p.name for p in out.iterdir()) == ["report.md"]
    assert (out / "report.md").read_text() == "old"
    with staged_folder(out) as stage:
        (stage / "report.md").write_text("new")
        (stage / "plots").mkdir()
        (stage / "plots" / "a.png").write_text("png")
    assert (out / "report.md").read_text() == "new"
    assert sorted(p.name for p in out.iterdir()) == ["plots", "report.md"]
    with pytest.raises(RuntimeError), staged_folder(tmp_path / "new") as stage:
        raise RuntimeError
    assert not (tmp_path / "new").exists()


def test_an_atomic_file_is_old_or_new_never_half(tmp_path: Path) -> None:
    target = tmp_path / "results.csv"
    target.write_text("old")
    with pytest.raises(OutputError, match=r"results\.csv: cannot be written"), \
            file_size_limit(1000), atomic_file(target) as tmp:
        tmp.write_text("x" * 5000)
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.csv"]


# --- random TOML documents --------------------------------------------------------------------
NAMES = [*SECTIONS, "name", "description", "months", "seed", "base",
         *(row["name"] for row in parameter_table()), "vary", "fixed", "design", "kind"]
SCALARS = (st.integers(-2**63, 2**63 - 1) | st.floats() | st.booleans() | st.text(max_size=20)
           | st.dates())
KEYS = st.sampled_from(NAMES) | st.text(min_size=1, max_size=12)
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(KEYS, inner, max_size=5), max_leaves=20)
DOCUMENTS = st.dictionaries(KEYS, VALUES, max_size=8)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=DOCUMENTS)
def test_any_toml_document_loads_or_fails_in_one_line(
        tmp_path_factory: pytest.TempPathFactory, document: dict) -> None:
    path = tmp_path_factory.mktemp("doc") / "doc.toml"
    path.write_text(tomli_w.dumps(document))
    for load in (load_scenario, load_experiment):
        try:
            loaded = load(path)
        except ScenarioError as exc:
            message = str(exc)
            assert str(path) in message and "\n" not in message, message
            assert len(message) < 2100
        else:
            assert isinstance(loaded, Scenario | Experiment)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=400) | st.text(max_size=400).map(str.encode))
def test_any_bytes_load_or_fail_in_one_line(tmp_path_factory: pytest.TempPathFactory,
                                            data: bytes) -> None:
    path = tmp_path_factory.mktemp("bytes") / "doc.toml"
    path.write_bytes(data)
    try:
        load_scenario(path)
    except ScenarioError as exc:
        assert str(path) in str(exc) and "\n" not in str(exc)


def test_load_series_refuses_a_damaged_series(tmp_path: Path) -> None:
    exp = Experiment.from_points([{"legal_barrier": 0.2}], base={"n_organisations": 10},
                                 replications=2, months=3, series=("harm",))
    from pppsim.experiment import sweep

    sweep(exp, tmp_path / "out", workers=1, progress=False)
    with sqlite3.connect(tmp_path / "out" / DATABASE) as db:
        db.execute("UPDATE runs SET series = replace(series, '4', '5') WHERE replication = 1")
    with pytest.raises(StoreError, match="point 0, replication 1 are damaged"):
        load_series(tmp_path / "out")
    report = ResultStore.verify(tmp_path / "out", repair=True)
    assert [(p, r) for p, r, _ in report.damaged] == [(0, 1)]
    assert len(load_series(tmp_path / "out")) == 4  # one run of four months


def test_a_store_refuses_a_writer_lock_held_elsewhere_in_python(finished: Path,
                                                                tmp_path: Path) -> None:
    folder = copy(finished, tmp_path)
    exp = load_experiment(write(tmp_path, "exp.toml", SMALL_EXPERIMENT))
    with FolderLock(folder), pytest.raises(FolderBusyError, match="is writing to this"):
        ResultStore.create(folder, exp, build_manifest(exp))
    with ResultStore.create(folder, exp, build_manifest(exp)) as store:  # free again
        assert store.counts().done == 4


def test_scenario_changes_are_strict() -> None:
    """Scenario.changed keeps strict validation: an int for a switch is refused."""
    scenario = replace(Scenario("x"), months=12)
    with pytest.raises(ScenarioError, match="trusted_intermediary = 1"):
        scenario.changed(trusted_intermediary=1)
