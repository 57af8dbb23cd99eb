"""Sweeps end to end: executors agree, failures are recorded, the ledger resumes."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import REPO, invoke

from pppsim import load_results, run_experiment
from pppsim.experiment import (
    Experiment,
    ExperimentError,
    RunConfiguration,
    export_results,
    load_series,
    summarise,
    sweep,
)
from pppsim.experiment.executors import YOUNG_PASS, young_passes_for_runs
from pppsim.experiment.store import DATABASE, ResultStore
from pppsim.scenario import load_scenario

PPPSIM = Path(sys.executable).parent / "pppsim"
SMALL = {"n_organisations": 30}
OUTPUTS = ("partnerships_launched", "harm_prevented", "trust_public_to_private")


def small_experiment(points: int = 4, replications: int = 2, months: int = 24,
                     **kwargs) -> Experiment:
    barriers = np.linspace(0.1, 0.9, points).round(3)
    return Experiment.from_points([{"legal_barrier": float(b)} for b in barriers], base=SMALL,
                                  replications=replications, seed=11, months=months,
                                  outputs=OUTPUTS, **kwargs)


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> pd.DataFrame:
    """The small experiment run in this process."""
    return run_experiment(small_experiment(), tmp_path_factory.mktemp("ref") / "out", workers=1)


def test_results_are_tidy_with_seeds_and_common_random_numbers(reference) -> None:
    assert list(reference.columns) == ["point", "replication", "seed", "run_id",
                                       "legal_barrier", *OUTPUTS]
    assert len(reference) == 8
    assert reference.groupby("replication")["seed"].nunique().eq(1).all()
    assert reference["seed"].nunique() == 2
    assert reference["legal_barrier"].tolist() == [0.1, 0.1, 0.367, 0.367, 0.633, 0.633,
                                                   0.9, 0.9]
    assert (reference["partnerships_launched"] >= 0).all()


@pytest.mark.slow
def test_process_pool_and_dask_give_identical_results(reference, tmp_path) -> None:
    pool = run_experiment(small_experiment(), tmp_path / "pool", workers=2, chunk_size=3)
    dask = run_experiment(small_experiment(), tmp_path / "dask", workers=2, scheduler="local")
    pd.testing.assert_frame_equal(pool, reference, check_exact=True)
    pd.testing.assert_frame_equal(dask, reference, check_exact=True)


def test_failing_run_is_recorded_and_the_others_complete(tmp_path) -> None:
    # grant_share + structural_share must be at most 1: the (0.6, 0.6) point fails to validate
    exp = Experiment.from_points(
        [{"grant_share": g, "structural_share": s} for g in (0.2, 0.6) for s in (0.2, 0.6)],
        base=SMALL, replications=2, months=12, outputs=OUTPUTS)
    stats = sweep(exp, tmp_path / "out", workers=1, progress=False)
    assert (stats.done, stats.failed) == (6, 2)
    frame = load_results(tmp_path / "out", include_failed=True)
    failed = frame[frame["status"] == "failed"]
    assert failed["point"].tolist() == [3, 3]
    assert failed["error"].str.contains("grant_share \\+ funding.structural_share").all()
    assert failed["harm_prevented"].isna().all()
    with ResultStore.open(tmp_path / "out") as store:
        (trace,) = store.db.execute(
            "SELECT traceback FROM runs WHERE status = 'failed' LIMIT 1").fetchone()
    assert "ValidationError" in trace and "Traceback" in trace
    assert len(load_results(tmp_path / "out")) == 6


class FailsAtPointOne(RunConfiguration):
    """A test hook: every run of point 1 raises."""

    def instantiate_model(self, spec):
        if spec.point == 1:
            raise RuntimeError("injected failure")
        return super().instantiate_model(spec)


def test_retry_failed_reruns_only_the_failures(reference, tmp_path) -> None:
    from pppsim.experiment import run_sweep
    from pppsim.experiment.manifest import build_manifest

    exp, out = small_experiment(), tmp_path / "out"
    with ResultStore.create(out, exp, build_manifest(exp)) as store:
        first = run_sweep(exp, store, _InProcess(), executor_name="test", workers=1,
                          config=FailsAtPointOne(exp.months, exp.outputs))
        assert (first.done, first.failed) == (6, 2)
        again = run_sweep(exp, store, _InProcess(), executor_name="test", workers=1)
        assert again.planned == again.finished == 0
        retry = run_sweep(exp, store, _InProcess(), executor_name="test", workers=1,
                          retry_failed=True)
        assert (retry.planned, retry.done, retry.failed) == (2, 2, 0)
    pd.testing.assert_frame_equal(load_results(out), reference, check_exact=True)


def test_runs_are_made_here_while_the_workers_start_and_results_do_not_change(
        reference, tmp_path) -> None:
    """While the workers start, a caller that has the model loaded (the reference ran here)
    makes runs itself, one at a time, each committed at once; then the workers get the rest."""
    from concurrent.futures import ThreadPoolExecutor

    from pppsim.experiment import run_sweep
    from pppsim.experiment.manifest import build_manifest

    class Counting(ThreadPoolExecutor):
        runs = 0

        def submit(self, fn, /, *args, **kwargs):
            Counting.runs += len(args[1])
            return super().submit(fn, *args, **kwargs)

    exp, out = small_experiment(), tmp_path / "out"
    committed = []
    with ResultStore.create(out, exp, build_manifest(exp)) as store, Counting(2) as pool:
        stats = run_sweep(exp, store, pool, executor_name="test", workers=2,
                          on_record=committed.append, started=lambda: len(committed) >= 3)
    assert (stats.done, Counting.runs) == (8, 5)
    pd.testing.assert_frame_equal(load_results(out), reference, check_exact=True)


def test_automatic_chunks_shrink_to_one_run_at_the_end() -> None:
    """The last tasks are single runs, so that the workers finish together."""
    from pppsim.experiment.runner import ChunkSize, _chunks

    size = ChunkSize(planned=64, workers=2)
    sizes = []
    for chunk in _chunks(iter(range(64)), size):
        sizes.append(len(chunk))
        for _ in chunk:
            size.record(0.1)  # tasks of 0.5 s are 5 runs
    assert sum(sizes) == 64 and max(sizes) == 5 and sizes[-3:] == [1, 1, 1]


def _InProcess():  # noqa: N802 - reads as a class at the call sites
    from pppsim.experiment.executors import InProcessExecutor

    return InProcessExecutor()


def test_changed_experiment_is_refused(tmp_path) -> None:
    sweep(small_experiment(points=2), tmp_path / "out", workers=1, progress=False)
    with pytest.raises(ExperimentError, match=r"holds results of a different experiment .*"
                                              r"replications: 2 -> 3"):
        sweep(small_experiment(points=2, replications=3), tmp_path / "out", workers=1,
              progress=False)


@pytest.mark.slow
def test_sweep_killed_with_sigkill_resumes_to_the_uninterrupted_results(tmp_path) -> None:
    text = (f'scenario = "{REPO / "scenarios" / "baseline.toml"}"\nmonths = 36\nseed = 5\n'
            f"replications = 2\noutputs = {list(OUTPUTS)!r}\n"
            "[fixed]\nn_organisations = 30\n"
            "[vary]\nlegal_barrier = { low = 0.0, high = 1.0, levels = 40 }\n")
    path = tmp_path / "exp.toml"
    path.write_text(text.replace("'", '"'))
    killed, whole = tmp_path / "killed", tmp_path / "whole"
    command = [str(PPPSIM), "sweep", str(path), "--workers", "1", "--chunk-size", "1",
               "--quiet", "--out"]
    process = subprocess.Popen([*command, str(killed)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while _done(killed) < 10 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert 10 <= _done(killed) < 80, "the sweep was not killed part-way"
    resumed = subprocess.run([*command, str(killed)], capture_output=True, text=True,
                             timeout=120, check=False)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{killed}: 80 done, 0 failed, 0 remaining of 80 runs" in resumed.stdout
    run_experiment(path, whole, workers=2)
    a, b = load_results(killed), load_results(whole)
    assert len(a) == 80 and a[["point", "replication"]].drop_duplicates().shape[0] == 80
    pd.testing.assert_frame_equal(a.drop(columns="run_id"), b.drop(columns="run_id"),
                                  check_exact=True)
    assert (a["run_id"] == b["run_id"]).all()


def _done(folder: Path) -> int:
    try:
        with sqlite3.connect(folder / DATABASE, timeout=5) as db:
            return db.execute("SELECT count(*) FROM runs").fetchone()[0]
    except sqlite3.Error:
        return 0


def test_scenarios_with_series_export_and_summary(tmp_path) -> None:
    baseline = load_scenario(REPO / "scenarios" / "baseline.toml").changed(n_organisations=30)
    barriers = replace(baseline.changed(legal_barrier=0.9), name="High barriers")
    exp = Experiment.from_scenarios([baseline, barriers], replications=3, months=12,
                                    outputs=OUTPUTS, series=("active_partnerships", "harm"))
    frame = run_experiment(exp, tmp_path / "out", workers=1)
    assert frame["scenario"].tolist() == ["Baseline"] * 3 + ["High barriers"] * 3
    assert frame.attrs["varied"] == ["legal_barrier"]
    assert frame["seed"].tolist()[:3] == frame["seed"].tolist()[3:]
    series = load_series(tmp_path / "out")
    assert len(series) == 6 * 13
    assert list(series.columns) == ["point", "replication", "seed", "month",
                                    "active_partnerships", "harm"]
    summary = summarise(frame, ["harm_prevented"])
    row = summary.iloc[0]
    values = frame.loc[frame["point"] == 0, "harm_prevented"]
    half = 4.302652729911275 * values.std() / np.sqrt(3)  # t(0.975, df=2)
    assert (row["n"], row["mean"]) == (3, pytest.approx(values.mean()))
    assert (row["ci_low"], row["ci_high"]) == (pytest.approx(values.mean() - half),
                                                pytest.approx(values.mean() + half))
    csv = pd.read_csv(export_results(tmp_path / "out", "csv"))
    parquet = pd.read_parquet(export_results(tmp_path / "out", "parquet"))
    assert csv.shape == parquet.shape == frame.shape
    np.testing.assert_allclose(parquet["harm_prevented"], frame["harm_prevented"])


def test_status_command_counts_runs(tmp_path) -> None:
    sweep(small_experiment(points=2, replications=1), tmp_path / "out", workers=1,
          progress=False)
    result = invoke("status", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert f"{tmp_path / 'out'}: 2 done, 0 failed, 0 remaining of 2 runs" in result.stdout
    assert "in-process, 1 workers, 2 done, 0 failed (finished)" in result.stdout


def test_status_counts_undefined_metrics_as_the_results_table_does(tmp_path) -> None:
    """The ledger's per-run lists of undefined metrics give the counts of the full table,
    also for a ledger whose older runs have no list (counted from the metrics then)."""
    folder = tmp_path / "out"
    exp = replace(small_experiment(points=2, replications=2, months=12),
                  outputs=("success_share", "harm_prevented", "failure_share"))
    sweep(exp, folder, workers=1, progress=False)
    frame = load_results(folder)
    expected = {m: int(frame[m].isna().sum()) for m in frame.attrs["metrics"]}
    assert expected["success_share"] > 0  # nothing ends within a year
    with ResultStore.open(folder) as store:
        runs, kept = store.undefined_counts()
    assert runs == len(frame)
    assert {m: kept.get(m, 0) for m in expected} == expected
    shown = invoke("status", folder).stdout
    assert f"success_share: {expected['success_share']} of {runs} runs" in shown
    with sqlite3.connect(folder / DATABASE) as db:
        db.execute("UPDATE runs SET undefined = NULL WHERE replication = 0")
    with ResultStore.open(folder) as store:
        assert store.undefined_counts() is None
    assert invoke("status", folder).stdout == shown


def test_the_model_version_changes_with_any_model_source_file(tmp_path):
    """A change in a subpackage of the model (the partnership's month, say) gives new run
    ids, as a change in a top-level model module does; a file outside the model does not."""
    import shutil

    from pppsim.experiment.experiment import source_digest

    package = Path(__file__).parent.parent / "pppsim"
    copy = tmp_path / "pppsim"
    shutil.copytree(package / "model", copy / "model")
    shutil.copy(package / "parameters.py", copy / "parameters.py")
    before = source_digest(copy)
    (copy / "report.py").write_text("# not the model\n")
    assert source_digest(copy) == before
    month = copy / "model" / "partnership" / "operation.py"
    month.write_text(month.read_text() + "\n# changed\n")
    assert source_digest(copy) != before


def test_worker_processes_freeze_what_they_loaded_and_the_caller_is_left_alone() -> None:
    import gc

    from pppsim.experiment.executors import open_executor

    frozen_before, threshold = gc.get_freeze_count(), gc.get_threshold()
    with open_executor(workers=2) as info:
        counts = [info.executor.submit(gc.get_freeze_count).result() for _ in range(4)]
        young = {info.executor.submit(gc.get_threshold).result()[0] for _ in range(4)}
    assert min(counts) > 10_000  # the model and its libraries, out of the collector's reach
    assert young == {young_passes_for_runs(threshold)[0]}
    with open_executor(workers=1) as info:
        assert info.executor.submit(gc.get_freeze_count).result() == frozen_before
        assert gc.get_threshold() == young_passes_for_runs(threshold)
    assert gc.get_freeze_count() == frozen_before
    assert gc.get_threshold() == threshold  # handed back as it was
    try:  # a caller who turned the collector off keeps it off, and gets it back so
        gc.set_threshold(0, *threshold[1:])
        with open_executor(workers=1):
            assert gc.get_threshold()[0] == 0
        assert gc.get_threshold() == (0, *threshold[1:])
    finally:
        gc.set_threshold(*threshold)


@pytest.mark.parametrize(("given", "wanted"), [
    ((2000, 10, 10), (YOUNG_PASS, 10, 10)),     # Python's default: raised
    ((1, 5, 7), (YOUNG_PASS, 5, 7)),            # any lower one: raised, the older kept
    ((50_000, 10, 10), (50_000, 10, 10)),       # a higher one: kept
    ((0, 10, 10), (0, 10, 10)),                 # the collector turned off: kept off
])
def test_young_passes_are_made_rarer_never_more_frequent_nor_turned_on(given, wanted) -> None:
    assert young_passes_for_runs(given) == wanted


@pytest.mark.slow
def test_dask_workers_freeze_what_they_loaded() -> None:
    import gc

    from pppsim.experiment.executors import open_executor

    frozen_before = gc.get_freeze_count()
    with open_executor(workers=2, scheduler="local") as info:
        counts = [info.executor.submit(gc.get_freeze_count).result() for _ in range(4)]
    assert min(counts) > 10_000  # the model and its libraries, out of the collector's reach
    assert gc.get_freeze_count() == frozen_before


@pytest.mark.slow
def test_dask_workers_are_prepared_while_the_sweep_lasts_and_handed_back_after() -> None:
    import gc

    from pppsim.experiment.executors import _dask_client, _prepared_workers

    with _dask_client(2, "local") as (client, _):
        before = client.run(gc.get_freeze_count)
        thresholds = client.run(gc.get_threshold)
        with _prepared_workers(client):
            during = client.run(gc.get_freeze_count)
            young = client.run(lambda: gc.get_threshold()[0])
        after = client.run(gc.get_freeze_count)
        thresholds_after = client.run(gc.get_threshold)
    assert len(before) == 2 and set(before.values()) == {0}
    assert during.keys() == before.keys() and min(during.values()) > 10_000  # every worker
    assert set(after.values()) == {0}
    assert min(young.values()) >= 10_000 and thresholds_after == thresholds
