"""The benchmark scripts still run: each at a small setting, in a fresh interpreter (all but
``calibration_wall_time.py``, whose smallest useful run takes about two minutes).

The figures they print are not checked here (docs/performance.md says why timings live in
benchmarks, not tests); what is checked is that each script runs to the end and prints the
table it is for, so that a change to the package or to a helper the scripts share does not
leave a benchmark broken until someone next needs its figures. The model runs the numpy way
(``PPPSIM_ACCELERATOR=numpy``): an earlier version extracted by a benchmark would otherwise
compile its own month first (about 35 s).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest
from conftest import REPO

BENCHMARKS = REPO / "benchmarks"
pytestmark = pytest.mark.slow


def _has_commit(revision: str) -> bool:
    """Whether this checkout's git history holds ``revision`` (not in an sdist or a shallow
    clone)."""
    if shutil.which("git") is None or not (REPO / ".git").exists():
        return False
    found = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"],
                           cwd=REPO, capture_output=True)
    return found.returncode == 0


def start_benchmark(tmp_path, script: str, *args: str) -> subprocess.CompletedProcess:
    """Run ``benchmarks/<script>`` with ``args``, the numpy way, its cache under
    ``tmp_path``."""
    env = os.environ | {"PPPSIM_ACCELERATOR": "numpy", "XDG_CACHE_HOME": str(tmp_path),
                        "MPLBACKEND": "Agg"}
    return subprocess.run([sys.executable, str(BENCHMARKS / script), *args], cwd=BENCHMARKS,
                          env=env, capture_output=True, text=True, timeout=600)


def run_benchmark(tmp_path, script: str, *args: str) -> str:
    """:func:`start_benchmark`'s standard output (the test fails with its standard error if
    it exits non-zero)."""
    done = start_benchmark(tmp_path, script, *args)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_model_scaling_compares_two_versions_side_by_side(tmp_path):
    if not _has_commit("HEAD"):
        pytest.skip("needs the git history (an earlier version is extracted from it)")
    out = run_benchmark(tmp_path, "model_scaling.py", "--against", "HEAD", "--sizes", "20",
                        "--repeats", "3", "--months", "12")
    assert "results differ" not in out  # the same code on both sides gives the same runs
    row = re.search(r"^\s+20\s+(\d+)\s+1\.00\s+(\d+)\s+1\.00\s+([\d.]+)$", out, re.M)
    assert row, out
    assert re.search(r"^\s+20\s+[\d.]+\s+[\d.]+-[\d.]+$", out, re.M), out  # the interval
    assert any((tmp_path / "pppsim" / "benchmark").iterdir())  # the extract is kept


def test_cli_startup_times_three_commands_against_an_earlier_version(tmp_path):
    if not _has_commit("6448b18"):
        pytest.skip("needs the git history (the earlier version is extracted from it)")
    out = run_benchmark(tmp_path, "cli_startup.py", "--repeats", "1")
    for command in ("--help", "--version", "status"):
        assert re.search(rf"pppsim {command}\s+[\d.]+\s+[\d.]+\s+[\d.]+$", out, re.M), out


def test_model_phases_splits_a_run_and_a_month(tmp_path):
    out = run_benchmark(tmp_path, "model_phases.py", "--organisations", "40", "--runs", "1",
                        "--months", "24", "--month")
    for part in ("formation (form_partnerships)", "joint work (operate_all)", "model creation",
                 "the rest of the months (step itself)"):
        assert re.search(rf"{re.escape(part)}\s+-?[\d.]+$", out, re.M), out
    # (seeded: seed 0's partnerships work 9 months of these 24)
    assert re.search(r"per month of joint work, 40 organisations, [1-9]\d* such months", out), out
    assert re.search(r"^  update_members\s+[\d.]+$", out, re.M), out


def test_model_phases_says_when_no_partnership_got_to_work(tmp_path):
    out = run_benchmark(tmp_path, "model_phases.py", "--organisations", "20", "--runs", "1",
                        "--months", "1", "--month")
    assert "no month of joint work in 1 runs of 20 organisations" in out


def test_model_profile_prints_its_table(tmp_path):
    out = run_benchmark(tmp_path, "model_profile.py", "--sizes", "20", "30", "--top", "3")
    assert "pppsim/model/model.py:step" in out, out


def test_sweep_throughput_measures_every_tool(tmp_path):
    out = run_benchmark(tmp_path, "sweep_throughput.py", "--points", "2", "--replications",
                        "1", "--months", "6", "--organisations", "20")
    for tool in ("model alone", "pppsim", "mesa.batch_run", "EMA Workbench"):
        assert re.search(rf"^\s+{re.escape(tool)}\s+1 worker :\s+[\d.]+ s", out, re.M), out
    assert "engine overhead" in out


def test_sweep_memory_prints_a_row_per_size(tmp_path):
    out = run_benchmark(tmp_path, "sweep_memory.py", "--sizes", "10", "20")
    assert re.search(r"^\s+10\s+[\d.]+\s+1\.00\s+[\d.]+$", out, re.M), out
    assert re.search(r"^\s+20\s+[\d.]+\s+[\d.]+\s+[\d.]+$", out, re.M), out


def test_sweep_memory_refuses_a_size_below_one_point(tmp_path):
    done = start_benchmark(tmp_path, "sweep_memory.py", "--sizes", "4")
    assert done.returncode == 2
    assert "--sizes: each at least 10 runs (got 4)" in done.stderr


def test_app_step_times_a_step_of_the_page(tmp_path):
    out = run_benchmark(tmp_path, "app_step.py", "--months", "2")
    assert re.search(r"Step: month \+ redraw\s+[\d.]+\s+[\d.]+\s+[\d.]+$", out, re.M), out


def test_numerics_portability_compares_the_two_ways(tmp_path):
    out = run_benchmark(tmp_path, "numerics_portability.py", "--runs", "2")
    assert re.search(r"the same 2 default runs \(seeds 0-1, 120 months\) in both", out), out


def test_dask_worker_freeze_times_both_ways(tmp_path):
    out = run_benchmark(tmp_path, "dask_worker_freeze.py", "--points", "2", "--replications",
                        "1", "--repeats", "1")
    for way in ("with", "without"):
        assert re.search(rf"^{way}\s+worker CPU\s+[\d.]+ s\s+wall\s+[\d.]+ s", out, re.M), out


def test_sensitivity_wall_time_times_a_whole_study(tmp_path):
    out = run_benchmark(tmp_path, "sensitivity_wall_time.py", "--samples", "4",
                        "--replications", "1", "--workers", "1")
    assert re.search(r"1 worker\(s\):\s+[\d.]+ s in all, .* 64 runs", out), out
