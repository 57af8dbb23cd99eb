"""The numerics fingerprint, and a results folder holding runs of one kind of numerics."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import invoke
from test_experiment_sweep import small_experiment

from pppsim import numerics
from pppsim.experiment import ExperimentError, sweep
from pppsim.experiment.store import DATABASE, MANIFEST, ResultStore


def test_the_fingerprint_names_this_process_and_what_it_depends_on() -> None:
    assert re.fullmatch(r"[0-9a-f]{12}", numerics.fingerprint())
    assert numerics.fingerprint() == numerics.fingerprint.__wrapped__()  # computed again
    about = numerics.describe()
    assert about["fingerprint"] == numerics.fingerprint()
    assert about["numpy"] and about["blas"]
    assert numerics.summary(about).startswith(f"{numerics.fingerprint()} (numpy ")


def _numerics_of_runs(folder) -> list[str | None]:
    with sqlite3.connect(folder / DATABASE) as db:
        return [row[0] for row in db.execute("SELECT numerics FROM runs ORDER BY point")]


def test_each_run_and_the_manifest_record_the_numerics(tmp_path) -> None:
    sweep(small_experiment(points=2, months=6), tmp_path / "out", workers=1, progress=False)
    assert _numerics_of_runs(tmp_path / "out") == [numerics.fingerprint()] * 4
    manifest = json.loads((tmp_path / "out" / MANIFEST).read_text())
    assert manifest["numerics"]["fingerprint"] == numerics.fingerprint()
    status = invoke("status", tmp_path / "out")
    assert f"numerics of its runs: {numerics.fingerprint()} (this machine's: python -m " \
        "pppsim.numerics)" in status.stdout
    here = subprocess.run([sys.executable, "-m", "pppsim.numerics"], capture_output=True,
                          text=True, check=True)
    assert here.stdout.startswith(f"{numerics.fingerprint()} (numpy ")


def test_a_run_made_with_other_numerics_is_refused_and_the_finished_runs_kept(
        tmp_path) -> None:
    out, experiment = tmp_path / "out", small_experiment(points=2, months=6)
    sweep(experiment, out, workers=1, progress=False)
    with sqlite3.connect(out / DATABASE) as db:  # as if made on a machine of another kind
        db.execute("UPDATE runs SET numerics = '0123456789ab'")
        db.execute("DELETE FROM runs WHERE point = 1 AND replication = 1")
    with pytest.raises(ExperimentError) as refused:
        sweep(experiment, out, workers=1, progress=False)
    message = str(refused.value)
    assert "\n" not in message
    assert f"with numerics {numerics.fingerprint()}, the folder's runs with 0123456789ab" \
        in message
    assert "run 1/1" in message and "docs/sweeps.md" in message
    assert _numerics_of_runs(out) == ["0123456789ab"] * 3  # nothing written, nothing lost


def test_a_folder_made_before_runs_recorded_numerics_resumes(tmp_path) -> None:
    out, experiment = tmp_path / "out", small_experiment(points=2, months=6)
    sweep(experiment, out, workers=1, progress=False)
    with sqlite3.connect(out / DATABASE) as db:
        db.execute("DELETE FROM runs WHERE point = 1")
        db.execute("ALTER TABLE runs DROP COLUMN numerics")
    with ResultStore.open(out) as old:  # read as it is: the column is absent
        assert old.numerics() is None
        assert old.column_or_null("runs", "numerics") == "NULL"
    stats = sweep(experiment, out, workers=1, progress=False)
    assert (stats.done, stats.failed) == (2, 0)
    assert _numerics_of_runs(out) == [None, None, numerics.fingerprint(),
                                      numerics.fingerprint()]


def test_a_dask_cluster_of_two_kinds_of_numerics_is_refused() -> None:
    """One worker of the local cluster as this machine computes, one started as a machine
    without AVX-512 computes (possible only where this machine has AVX-512)."""
    from dask.distributed import Client, LocalCluster
    from golden.regenerate import without_avx512

    from pppsim.experiment.executors import open_executor

    other = without_avx512()
    if other is None:
        pytest.skip("no AVX-512 code runs here: no second kind of numerics to start")
    dask = Path(sys.executable).parent / "dask"
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        worker = subprocess.Popen(
            [str(dask), "worker", cluster.scheduler_address, "--nthreads", "1", "--no-nanny"],
            env=other, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            client.wait_for_workers(2, timeout=60)
            kinds = set(client.run(numerics.fingerprint).values())
            assert len(kinds) == 2 and numerics.fingerprint() in kinds
            with pytest.raises(ExperimentError) as refused, \
                    open_executor(2, cluster.scheduler_address):
                pass
        finally:
            worker.terminate()
            worker.wait(30)
    message = str(refused.value)
    assert "compute with 2 kinds of numerics" in message and "\n" not in message
    assert all(kind in message for kind in kinds)
