"""The malformed-input corpus: every bad input and OS fault ends in one line and exit status 2.

Each case builds a hostile input in a temporary folder (a scenario, experiment or comparison
file, a command line, a damaged results folder, a path in the way, a full disk) and runs
``pppsim`` in this process through its entry point :func:`pppsim.cli.main`.  Every case must
end with exit status 2, exactly one line on stderr that starts with ``pppsim: error:`` and names
what is wrong, no traceback, and no partial output that looks complete (no finished file of the
command, no temporary file, and a results store that still verifies).

The number of cases is stated in docs/researchers.md.
"""

from __future__ import annotations

import contextlib
import io
import json
import resource
import shutil
import signal
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import BASELINE, SCENARIOS

from pppsim.cli import main
from pppsim.experiment.lock import FolderLock
from pppsim.experiment.store import DATABASE, ResultStore
from pppsim.fileio import PARTIAL
from pppsim.parameters import parameter_table

EXIT_BAD_INPUT = 2
SMALL_EXPERIMENT = ("months = 3\nreplications = 2\nseed = 4\n[fixed]\nn_organisations = 10\n"
                    "[vary]\nlegal_barrier = [0.2, 0.8]\n")
"""A valid four-run experiment that takes a fraction of a second."""
COMPLETE = ("metrics.json", "overview.png", "scenario.toml", "timeseries.csv", "report.html",
            "report.md", "results.csv", "results.parquet", "outcomes.csv", "indices.csv")
"""Files whose presence says a command finished."""


@dataclass(frozen=True)
class Invocation:
    code: int | str
    stdout: str
    stderr: str


def invoke(args: list[str | Path]) -> Invocation:
    """Run ``pppsim ARGS`` in this process through its entry point; any exception that
    escapes (a traceback for the user) is returned as code 'exception'."""
    out, err = io.StringIO(), io.StringIO()
    code: int | str = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main([str(a) for a in args])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException as exc:
            code = "exception"
            err.write(f"Traceback (escaped): {type(exc).__name__}: {exc}\n")
    return Invocation(code, out.getvalue(), err.getvalue())


@contextlib.contextmanager
def file_size_limit(size: int) -> Iterator[None]:
    """A real 'disk full' for this process: writing past ``size`` bytes fails with EFBIG
    (RLIMIT_FSIZE, SIGXFSZ ignored); restored afterwards."""
    old = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, old[1]))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, old)
        signal.signal(signal.SIGXFSZ, handler)


@dataclass(frozen=True)
class Case:
    """One malformed input: ``build(tmp, finished)`` writes it and returns the arguments;
    the error line must contain every string of ``expect`` (``{tmp}`` is the folder)."""

    id: str
    build: Callable[[Path, Path], list[str | Path]]
    expect: tuple[str, ...] = ()
    fault: Callable[[], contextlib.AbstractContextManager[None]] | None = None


def _file(tmp: Path, name: str, text: str | bytes) -> Path:
    path = tmp / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def run_case(name: str, text: str | bytes, *, expect: tuple[str, ...] = ()) -> Case:
    """``pppsim run FILE`` with a scenario file holding ``text``."""
    return Case(f"scenario:{name}", lambda tmp, _: [
        "run", _file(tmp, "scenario.toml", text), "--out", tmp / "out"],
        ("scenario.toml", *expect))


def sweep_case(name: str, text: str | bytes, *, expect: tuple[str, ...] = (),
               extra: tuple[str, ...] = ()) -> Case:
    """``pppsim sweep FILE`` with an experiment file holding ``text``."""
    return Case(f"experiment:{name}", lambda tmp, _: [
        "sweep", _file(tmp, "exp.toml", text), "--out", tmp / "out", "--workers", "1",
        "--quiet", *extra], ("exp.toml", *expect))


def compare_case(name: str, text: str, *, expect: tuple[str, ...] = ()) -> Case:
    """``pppsim compare FILE`` with a comparison file holding ``text``."""
    def build(tmp: Path, _: Path) -> list[str | Path]:
        _file(tmp, "a.toml", 'name = "A"\nmonths = 3\n')
        _file(tmp, "b.toml", 'name = "B"\nmonths = 3\n')
        return ["compare", _file(tmp, "cmp.toml", text), "--out", tmp / "out", "--workers",
                "1"]
    return Case(f"comparison:{name}", build, ("cmp.toml", *expect))


def args_case(name: str, *args: str, expect: tuple[str, ...] = ()) -> Case:
    """A bad command line (``{baseline}``, ``{tmp}`` and ``{finished}`` are filled in)."""
    def build(tmp: Path, finished: Path) -> list[str | Path]:
        return [a.format(baseline=BASELINE, tmp=tmp, finished=finished) for a in args]
    return Case(f"argument:{name}", build, expect)


# --- scenario files: one wrong type and one value out of range per parameter ---------------
def _parameter_cases() -> list[Case]:
    cases = []
    for row in parameter_table():
        name, section, kind = row["name"], row["section"], row["type"]
        wrong = {"float": f'"{row["default"]}"', "int": f"{row['default']}.0",
                 "bool": "1"}[kind]
        cases.append(run_case(f"{name}-wrong-type", f"[{section}]\n{name} = {wrong}\n",
                              expect=(f"[{section}] {name} =", "is not allowed")))
        if row["max"] is not None:
            above = row["max"] + (1 if kind == "int" else max(1.0, row["max"]))
            cases.append(run_case(f"{name}-above-range", f"[{section}]\n{name} = {above}\n",
                                  expect=(f"[{section}] {name} = {above}",
                                          f"from {row['min']} to {row['max']}")))
    return cases


NESTED = "a = " + "[" * 3000 + "]" * 3000 + "\n"
SCENARIO_FILES = [
    run_case("malformed", "[trust\ninitial_trust = 0.5\n", expect=("malformed TOML",)),
    run_case("deeply nested", NESTED, expect=("nested too deeply",)),
    run_case("deeply nested tables", "x = " + "{a = " * 2000 + "1" + "}" * 2000 + "\n",
             expect=("malformed TOML",)),
    run_case("not utf-8", b"name = \"caf\xe9\"\n", expect=("not UTF-8",)),
    run_case("binary", bytes(range(256)), expect=("scenario.toml",)),
    run_case("larger than 1 MB", "# " + "x" * 1_100_000 + "\n", expect=("larger than",)),
    run_case("name of 900 kB", 'name = "' + "x" * 900_000 + '"\n',
             expect=("'name' is 900,000",)),
    run_case("name too long", 'name = "' + "x" * 201 + '"\n',
             expect=("'name' is 201 characters long", "at most 200")),
    run_case("description too long", 'description = "' + "d" * 10_001 + '"\n',
             expect=("'description'",)),
    run_case("unknown section", "[trusts]\ninitial_trust = 0.5\n",
             expect=("unknown key 'trusts'",)),
    run_case("unknown parameter", "[trust]\ninitial_trsut = 0.5\n",
             expect=("did you mean 'initial_trust'",)),
    run_case("wrong section", "[funding]\ninitial_trust = 0.5\n",
             expect=("belongs in section [trust]",)),
    run_case("parameter at top level", "initial_trust = 0.5\n",
             expect=("inside section [trust]",)),
    run_case("section not a table", "trust = 0.5\n", expect=("must be a section",)),
    run_case("section an array of tables", "[[trust]]\ninitial_trust = 0.5\n",
             expect=("must be a section",)),
    run_case("bool for a float", "[information_sharing]\nlegal_barrier = true\n",
             expect=("legal_barrier = true", "not a boolean")),
    run_case("text number", '[information_sharing]\nlegal_barrier = "0.5"\n',
             expect=("not text",)),
    run_case("text yes for a switch", '[policy]\ntrusted_intermediary = "yes"\n',
             expect=("trusted_intermediary = 'yes'",)),
    run_case("text true for a switch", '[policy]\ntrusted_intermediary = "true"\n',
             expect=("trusted_intermediary",)),
    run_case("nan", "[information_sharing]\nlegal_barrier = nan\n",
             expect=("legal_barrier = nan",)),
    run_case("inf", "[crime]\nharm_trend = inf\n", expect=("harm_trend = inf",)),
    run_case("negative inf", "[crime]\nharm_trend = -inf\n", expect=("harm_trend = -inf",)),
    run_case("list for a number", "[trust]\ninitial_trust = [0.5]\n",
             expect=("initial_trust = [0.5]",)),
    run_case("table for a number", "[trust]\ninitial_trust = { a = 1 }\n",
             expect=("initial_trust",)),
    run_case("date for a number", "[trust]\ninitial_trust = 2024-01-01\n",
             expect=("initial_trust",)),
    run_case("huge int", "[organisations]\nn_organisations = 99999999999999999999\n",
             expect=("n_organisations",)),
    run_case("funding shares over one", "[funding]\ngrant_share = 0.7\nstructural_share = 0.5\n",
             expect=("at most 1",)),
    run_case("months zero", "months = 0\n", expect=("months = 0", "from 1 to 1200")),
    run_case("months too many", "months = 100000\n", expect=("months = 100000",)),
    run_case("months text", 'months = "24"\n', expect=("'months' must be an int",)),
    run_case("months float", "months = 24.0\n", expect=("'months' must be an int",)),
    run_case("months bool", "months = true\n", expect=("'months' must be an int",)),
    run_case("seed negative", "seed = -1\n", expect=("seed = -1",)),
    run_case("seed float", "seed = 1.5\n", expect=("'seed' must be an int",)),
    run_case("name not text", "name = 5\n", expect=("'name' must be a string",)),
    run_case("base missing", 'base = "nowhere.toml"\n', expect=("no such file",)),
    run_case("base refers to itself", 'base = "scenario.toml"\n', expect=("refers back",)),
    run_case("base with a NUL", 'base = "a\\u0000b.toml"\n', expect=("not a file name",)),
    run_case("base is a folder", 'base = "."\n', expect=("base",)),
]


# --- experiment files ------------------------------------------------------------------------
VARY = "[vary]\nlegal_barrier = [0.2, 0.8]\n"
RANGE = "[vary]\nlegal_barrier = { low = 0.1, high = 0.5 }\n"
EXPERIMENT_FILES = [
    sweep_case("malformed", "[vary\n", expect=("malformed TOML",)),
    sweep_case("deeply nested", NESTED, expect=("nested too deeply",)),
    sweep_case("nothing to vary", "replications = 2\n", expect=("nothing to vary",)),
    sweep_case("unknown key", "replication = 3\n" + VARY, expect=("did you mean",)),
    sweep_case("replications zero", "replications = 0\n" + VARY,
               expect=("replications = 0",)),
    sweep_case("replications text", 'replications = "3"\n' + VARY,
               expect=("'replications' must be an int",)),
    sweep_case("replications too many", "replications = 1000001\n" + VARY,
               expect=("replications = 1000001",)),
    sweep_case("months float", "months = 12.5\n" + VARY, expect=("'months' must be an int",)),
    sweep_case("seed negative", "seed = -3\n" + VARY, expect=("seed = -3",)),
    sweep_case("name too long", 'name = "' + "n" * 300 + '"\n' + VARY, expect=("'name'",)),
    sweep_case("outputs unknown", 'outputs = ["harm"]\n' + VARY,
               expect=("unknown output 'harm'",)),
    sweep_case("outputs not names", "outputs = [1, 2]\n" + VARY, expect=("'outputs'",)),
    sweep_case("outputs twice", 'outputs = ["harm_prevented", "harm_prevented"]\n' + VARY,
               expect=("twice",)),
    sweep_case("series unknown", 'series = ["nope"]\n' + VARY, expect=("unknown series",)),
    sweep_case("random numbers unknown", 'random_numbers = "shared"\n' + VARY,
               expect=("random_numbers = 'shared'",)),
    sweep_case("scenario missing", 'scenario = "none.toml"\n' + VARY,
               expect=("none.toml", "no such file")),
    sweep_case("scenario is the experiment", 'scenario = "exp.toml"\n' + VARY,
               expect=("exp.toml",)),
    sweep_case("fixed text", '[fixed]\nn_organisations = "30"\n' + VARY,
               expect=("[fixed]", "n_organisations = '30'")),
    sweep_case("fixed bool for float", "[fixed]\ninitial_trust = true\n" + VARY,
               expect=("[fixed]", "initial_trust = true")),
    sweep_case("fixed float for int", "[fixed]\nn_organisations = 30.0\n" + VARY,
               expect=("[fixed]", "n_organisations = 30.0")),
    sweep_case("fixed unknown", "[fixed]\nno_such = 1\n" + VARY,
               expect=("unknown parameter 'no_such'",)),
    sweep_case("both fixed and varied", "[fixed]\nlegal_barrier = 0.2\n" + VARY,
               expect=("both in [fixed] and in [vary]",)),
    sweep_case("vary text values", '[vary]\nlegal_barrier = ["0.2", "0.8"]\n',
               expect=("legal_barrier = '0.2'", "not text")),
    sweep_case("vary bool values", "[vary]\nlegal_barrier = [true, false]\n",
               expect=("legal_barrier = true", "not a boolean")),
    sweep_case("vary int switch", "[vary]\ntrusted_intermediary = [0, 1]\n",
               expect=("trusted_intermediary = 0",)),
    sweep_case("vary switch as a range",
               "[vary]\ntrusted_intermediary = { low = 0, high = 1 }\n",
               expect=("is a switch",)),
    sweep_case("vary float for int", "[vary]\nn_organisations = [40.0, 50.0]\n",
               expect=("n_organisations = 40.0",)),
    sweep_case("vary mixed list", '[vary]\nlegal_barrier = [0.2, "high"]\n',
               expect=("'high'",)),
    sweep_case("vary empty list", "[vary]\nlegal_barrier = []\n", expect=("empty",)),
    sweep_case("vary out of range", "[vary]\nlegal_barrier = [0.2, 1.5]\n",
               expect=("legal_barrier = 1.5",)),
    sweep_case("vary unknown", "[vary]\nlegal_barier = [0.2]\n", expect=("did you mean",)),
    sweep_case("vary not a list", "[vary]\nlegal_barrier = 0.2\n",
               expect=("expected a list of values",)),
    sweep_case("vary low above high",
               "[vary]\nlegal_barrier = { low = 0.5, high = 0.1, levels = 2 }\n",
               expect=("low must be below high",)),
    sweep_case("vary levels one", "[vary]\nlegal_barrier = { low = 0.1, high = 0.5, levels = 1 }\n",
               expect=("levels must be >= 2",)),
    sweep_case("vary range without levels", RANGE, expect=("factorial",)),
    sweep_case("vary low text", '[vary]\nlegal_barrier = { low = "0.1", high = 0.5 }\n',
               expect=("'low' must be",)),
    sweep_case("vary sd nan", "[design]\nkind = \"lhs\"\nsamples = 4\n"
               "[vary]\nlegal_barrier = { mean = 0.5, sd = nan }\n", expect=("sd = nan",)),
    sweep_case("vary sd inf", "[design]\nkind = \"lhs\"\nsamples = 4\n"
               "[vary]\nlegal_barrier = { mean = 0.5, sd = inf }\n", expect=("sd = inf",)),
    sweep_case("vary sd zero", "[design]\nkind = \"lhs\"\nsamples = 4\n"
               "[vary]\nlegal_barrier = { mean = 0.5, sd = 0 }\n", expect=("sd = 0",)),
    sweep_case("vary mean nan", "[design]\nkind = \"lhs\"\nsamples = 4\n"
               "[vary]\nlegal_barrier = { mean = nan, sd = 0.1 }\n", expect=("mean",)),
    sweep_case("vary high inf", "[design]\nkind = \"lhs\"\nsamples = 4\n"
               "[vary]\nlegal_barrier = { low = 0.1, high = inf }\n", expect=("high",)),
    sweep_case("vary unknown key", "[vary]\nlegal_barrier = { low = 0.1, top = 0.5 }\n",
               expect=("unknown key 'top'",)),
    sweep_case("design kind unknown", '[design]\nkind = "grid"\n' + VARY,
               expect=("kind = 'grid'",)),
    sweep_case("design seed negative", '[design]\nkind = "lhs"\nsamples = 4\nseed = -1\n'
               + RANGE, expect=("[design] seed = -1",)),
    sweep_case("design seed text", '[design]\nkind = "lhs"\nsamples = 4\nseed = "7"\n' + RANGE,
               expect=("'seed' must be an int",)),
    sweep_case("morris levels zero", '[design]\nkind = "morris"\nsamples = 4\nlevels = 0\n'
               + RANGE, expect=("levels = 0",)),
    sweep_case("morris levels one", '[design]\nkind = "morris"\nsamples = 4\nlevels = 1\n'
               + RANGE, expect=("levels = 1",)),
    sweep_case("morris with a normal", '[design]\nkind = "morris"\nsamples = 4\n'
               "[vary]\nlegal_barrier = { mean = 0.5, sd = 0.1 }\n", expect=("morris",)),
    sweep_case("samples zero", '[design]\nkind = "lhs"\nsamples = 0\n' + RANGE,
               expect=("samples = 0",)),
    sweep_case("samples missing", '[design]\nkind = "lhs"\n' + RANGE, expect=("samples",)),
    sweep_case("sobol not a power of 2", '[design]\nkind = "sobol"\nsamples = 6\n' + RANGE,
               expect=("power of 2",)),
    sweep_case("fast too few", '[design]\nkind = "fast"\nsamples = 10\n' + RANGE,
               expect=("samples > 64",)),
    sweep_case("sampled with a list", '[design]\nkind = "lhs"\nsamples = 4\n' + VARY,
               expect=("not a list of values",)),
    sweep_case("factorial with samples", '[design]\nkind = "factorial"\nsamples = 4\n' + VARY,
               expect=("samples applies to sampled designs",)),
    sweep_case("factorial with seed", '[design]\nseed = 4\n' + VARY,
               expect=("seed applies to sampled designs",)),
    sweep_case("levels in a sampled design", '[design]\nkind = "lhs"\nsamples = 4\n'
               "[vary]\nlegal_barrier = { low = 0.1, high = 0.5, levels = 3 }\n",
               expect=("levels applies to factorial designs",)),
    sweep_case("levels 100000 on three factors",
               "[vary]\n" + "".join(f"{n} = {{ low = 0.1, high = 0.5, levels = 100000 }}\n"
                                    for n in ("legal_barrier", "initial_trust", "governance")),
               expect=("1,000,000,000,000,000 runs", "--max-runs")),
    sweep_case("lhs of 10^9 samples", '[design]\nkind = "lhs"\nsamples = 1000000000\n' + RANGE,
               expect=("1,000,000,000 runs", "lower [design] samples")),
    sweep_case("sobol of 2^30 samples",
               '[design]\nkind = "sobol"\nsamples = 1073741824\n' + RANGE,
               expect=("3,221,225,472 runs",)),
    sweep_case("over an explicit limit", VARY, extra=("--max-runs", "1"),
               expect=("2 points x 1 replications = 2 runs", "more than the limit of 1")),
]


# --- comparison files --------------------------------------------------------------------
COMPARISON_FILES = [
    compare_case("unknown key", 'scenarios = ["a.toml", "b.toml"]\nreplication = 3\n',
                 expect=("unknown key 'replication'",)),
    compare_case("scenarios empty", "scenarios = []\n", expect=("at least one",)),
    compare_case("scenarios not names", "scenarios = [1, 2]\n", expect=("scenarios",)),
    compare_case("scenario missing", 'scenarios = ["a.toml", "none.toml"]\n',
                 expect=("none.toml", "no such file")),
    compare_case("replications one", 'scenarios = ["a.toml", "b.toml"]\nreplications = 1\n',
                 expect=("replications = 1",)),
    compare_case("replications text",
                 'scenarios = ["a.toml", "b.toml"]\nreplications = "30"\n',
                 expect=("'replications' must be",)),
    compare_case("same names twice", 'scenarios = ["a.toml", "a.toml"]\n',
                 expect=("two scenarios are named 'A'",)),
    compare_case("name too long", 'scenarios = ["a.toml"]\nname = "' + "n" * 500 + '"\n',
                 expect=("'name'",)),
]


# --- command lines -------------------------------------------------------------------------
ARGUMENTS = [
    args_case("no command given", "frobnicate", expect=("No such command",)),
    args_case("unknown option", "run", "{baseline}", "--fast", expect=("--fast",)),
    args_case("run without a scenario", "run", expect=("SCENARIO",)),
    args_case("run months zero", "run", "{baseline}", "--months", "0", expect=("--months",)),
    args_case("run months text", "run", "{baseline}", "--months", "ten",
              expect=("--months",)),
    args_case("run seed negative", "run", "{baseline}", "--seed", "-1", expect=("--seed",)),
    args_case("run format unknown", "run", "{baseline}", "--format", "xml",
              expect=("--format",)),
    args_case("run missing file", "run", "{tmp}/none.toml", expect=("no such file",)),
    args_case("run a folder", "run", "{tmp}", expect=("is a directory",)),
    args_case("run /dev/zero", "run", "/dev/zero", expect=("not a regular file",)),
    args_case("run /dev/null", "run", "/dev/null", expect=("not a regular file",)),
    args_case("sweep missing file", "sweep", "{tmp}/none.toml", expect=("no such file",)),
    args_case("sweep workers zero", "sweep", "{tmp}/x.toml", "--workers", "0",
              expect=("--workers",)),
    args_case("sweep chunk size zero", "sweep", "{tmp}/x.toml", "--chunk-size", "0",
              expect=("--chunk-size",)),
    args_case("sweep max runs zero", "sweep", "{tmp}/x.toml", "--max-runs", "0",
              expect=("--max-runs",)),
    args_case("status of a missing folder", "status", "{tmp}/none",
              expect=("not a sweep results folder",)),
    args_case("status of a file", "status", "{baseline}", expect=("not a sweep results",)),
    args_case("status of an empty folder", "status", "{tmp}", expect=("not a sweep results",)),
    args_case("export format unknown", "export", "{finished}", "--format", "xml",
              expect=("--format",)),
    args_case("export of a missing folder", "export", "{tmp}/none",
              expect=("not a sweep results folder",)),
    args_case("verify of a missing folder", "verify", "{tmp}/none",
              expect=("not a sweep results folder",)),
    args_case("compare one replication", "compare", "{baseline}", "--replications", "1",
              expect=("--replications",)),
    args_case("compare the same scenario twice", "compare", "{baseline}", "{baseline}",
              expect=("two scenarios are named",)),
    args_case("compare missing file", "compare", "{tmp}/none.toml", expect=("no such file",)),
    args_case("sensitivity levels one", "sensitivity", "{tmp}/x.toml", "--levels", "1",
              expect=("--levels",)),
    args_case("sensitivity of 2^30 samples", "sensitivity",
              str(Path(__file__).parent.parent / "experiments" / "sensitivity_quick.toml"),
              "--samples", "1073741824", "--out", "{tmp}/out",
              expect=("runs, more than the limit of 1,000,000", "--max-runs")),
    args_case("sensitivity missing file", "sensitivity", "{tmp}/none.toml",
              expect=("no such file",)),
    args_case("discover without a region", "discover", "{finished}", "--metric",
              "harm_prevented", expect=("--below",)),
    args_case("discover unknown metric", "discover", "{finished}", "--metric", "nope",
              "--below", "1", expect=("'nope' was not recorded",)),
    args_case("discover a missing folder", "discover", "{tmp}/none", "--metric", "x",
              "--below", "1", expect=("not a sweep results folder",)),
    args_case("explain a missing file", "explain", "{tmp}/none.toml", expect=("no such file",)),
]


# --- OS faults and damaged folders -----------------------------------------------------------
def _out_is_file(tmp: Path, _: Path) -> list[str | Path]:
    _file(tmp, "taken", "not a folder")
    return ["sweep", _file(tmp, "exp.toml", SMALL_EXPERIMENT), "--out", tmp / "taken",
            "--workers", "1", "--quiet"]


def _run_out_is_file(tmp: Path, _: Path) -> list[str | Path]:
    _file(tmp, "taken", "not a folder")
    return ["run", BASELINE, "--months", "24", "--out", tmp / "taken"]


def _compare_out_is_file(tmp: Path, _: Path) -> list[str | Path]:
    _file(tmp, "taken", "not a folder")
    return ["compare", SCENARIOS / "baseline.toml", SCENARIOS / "high_barriers.toml",
            "--replications", "2", "--out", tmp / "taken", "--workers", "1"]


def _sensitivity_out_is_file(tmp: Path, _: Path) -> list[str | Path]:
    _file(tmp, "taken", "not a folder")
    text = ('months = 3\n[fixed]\nn_organisations = 10\n[design]\nkind = "sobol"\n'
            "samples = 4\n[vary]\nlegal_barrier = { low = 0.1, high = 0.5 }\n"
            "initial_trust = { low = 0.2, high = 0.8 }\n")
    return ["sensitivity", _file(tmp, "exp.toml", text), "--out", tmp / "taken",
            "--workers", "1", "--quiet"]


def _under_a_file(tmp: Path, _: Path) -> list[str | Path]:
    _file(tmp, "taken", "not a folder")
    return ["sweep", _file(tmp, "exp.toml", SMALL_EXPERIMENT), "--out", tmp / "taken" / "out",
            "--workers", "1", "--quiet"]


def _run_under_a_file(tmp: Path, _: Path) -> list[str | Path]:
    _file(tmp, "taken", "not a folder")
    return ["run", BASELINE, "--months", "24", "--out", tmp / "taken" / "out"]


def _file_in_the_way(tmp: Path, _: Path) -> list[str | Path]:
    (tmp / "out" / "metrics.json").mkdir(parents=True)
    return ["run", BASELINE, "--months", "24", "--out", tmp / "out"]


def _export_into_a_folder(tmp: Path, finished: Path) -> list[str | Path]:
    (tmp / "table.csv").mkdir()
    return ["export", _copy(finished, tmp), "--out", tmp / "table.csv"]


def _export_to_dev_null(tmp: Path, finished: Path) -> list[str | Path]:
    return ["export", _copy(finished, tmp), "--out", "/dev/null"]


def _export_under_a_file(tmp: Path, finished: Path) -> list[str | Path]:
    _file(tmp, "taken", "x")
    return ["export", _copy(finished, tmp), "--out", tmp / "taken" / "r.csv"]


def _not_empty(tmp: Path, _: Path) -> list[str | Path]:
    _file(tmp, "out/notes.txt", "mine")
    return ["sweep", _file(tmp, "exp.toml", SMALL_EXPERIMENT), "--out", tmp / "out",
            "--workers", "1", "--quiet"]


def _copy(finished: Path, tmp: Path) -> Path:
    target = tmp / "results"
    if not target.exists():
        shutil.copytree(finished, target)
    return target


def _sql(folder: Path, statement: str, *args: object) -> None:
    with sqlite3.connect(folder / DATABASE) as db:
        db.execute(statement, args)


def _garbage(command: str) -> Callable[[Path, Path], list[str | Path]]:
    def build(tmp: Path, finished: Path) -> list[str | Path]:
        folder = _copy(finished, tmp)
        (folder / DATABASE).write_bytes(b"this is not a database" * 100)
        return _on(command, tmp, folder)
    return build


def _no_definition(command: str) -> Callable[[Path, Path], list[str | Path]]:
    def build(tmp: Path, finished: Path) -> list[str | Path]:
        folder = _copy(finished, tmp)
        _sql(folder, "DELETE FROM meta WHERE key = 'definition'")
        return _on(command, tmp, folder)
    return build


def _flipped_digit(command: str) -> Callable[[Path, Path], list[str | Path]]:
    def build(tmp: Path, finished: Path) -> list[str | Path]:
        folder = _copy(finished, tmp)
        with sqlite3.connect(folder / DATABASE) as db:
            (metrics,) = db.execute("SELECT metrics FROM runs WHERE point = 1 AND "
                                    "replication = 0").fetchone()
            values = json.loads(metrics)
            values["trust_public_to_private"] += 0.1
            db.execute("UPDATE runs SET metrics = ? WHERE point = 1 AND replication = 0",
                       (json.dumps(values),))
        return _on(command, tmp, folder)
    return build


def _lost_point(command: str) -> Callable[[Path, Path], list[str | Path]]:
    def build(tmp: Path, finished: Path) -> list[str | Path]:
        folder = _copy(finished, tmp)
        _sql(folder, "DELETE FROM points WHERE point = 1")
        return _on(command, tmp, folder)
    return build


def _on(command: str, tmp: Path, folder: Path) -> list[str | Path]:
    if command == "sweep":
        return ["sweep", _file(tmp, "exp.toml", SMALL_EXPERIMENT), "--out", folder,
                "--workers", "1", "--quiet"]
    if command == "export":
        return ["export", folder, "--out", tmp / "results.csv"]
    return [command, folder]


def _changed(text: str) -> Callable[[Path, Path], list[str | Path]]:
    def build(tmp: Path, finished: Path) -> list[str | Path]:
        folder = _copy(finished, tmp)
        return ["sweep", _file(tmp, "exp.toml", text), "--out", folder, "--workers", "1",
                "--quiet"]
    return build


def _locked(tmp: Path, finished: Path) -> list[str | Path]:
    folder = _copy(finished, tmp)
    held = FolderLock(folder).acquire()
    _HELD.append(held)
    return ["sweep", _file(tmp, "exp.toml", SMALL_EXPERIMENT), "--out", folder, "--workers",
            "1", "--quiet"]


_HELD: list[FolderLock] = []


def _full_disk(command: str) -> Callable[[Path, Path], list[str | Path]]:
    def build(tmp: Path, finished: Path) -> list[str | Path]:
        if command == "sweep":
            text = SMALL_EXPERIMENT.replace("[0.2, 0.8]", "[0.1, 0.2, 0.3, 0.4, 0.5, 0.6]")
            return ["sweep", _file(tmp, "exp.toml", text), "--out", tmp / "out",
                    "--workers", "1", "--quiet"]
        if command == "run":
            return ["run", BASELINE, "--months", "24", "--out", tmp / "out"]
        return ["export", _copy(finished, tmp), "--out", tmp / "results.csv"]
    return build


def _limit(size: int) -> Callable[[], contextlib.AbstractContextManager[None]]:
    return lambda: file_size_limit(size)


CHANGED = SMALL_EXPERIMENT
OS_FAULTS = [
    Case("fault:sweep --out is a file", _out_is_file, ("taken", "not a folder")),
    Case("fault:run --out is a file", _run_out_is_file, ("taken", "not a folder")),
    Case("fault:compare --out is a file", _compare_out_is_file, ("taken", "not a folder")),
    Case("fault:sensitivity --out is a file", _sensitivity_out_is_file,
         ("taken", "not a folder")),
    Case("fault:sweep --out /dev/null", lambda tmp, _: [
        "sweep", _file(tmp, "exp.toml", SMALL_EXPERIMENT), "--out", "/dev/null", "--workers",
        "1", "--quiet"], ("/dev/null", "not a folder")),
    Case("fault:run --out /dev/null", lambda tmp, _: [
        "run", BASELINE, "--months", "24", "--out", "/dev/null"], ("/dev/null", "not a folder")),
    Case("fault:sweep --out under a file", _under_a_file, ("a part of this path is a file",)),
    Case("fault:run --out under a file", _run_under_a_file,
         ("a part of this path is a file",)),
    Case("fault:run a folder where a file goes", _file_in_the_way,
         ("metrics.json", "in the way")),
    Case("fault:export --out is a folder", _export_into_a_folder,
         ("table.csv", "is a folder")),
    Case("fault:export --out /dev/null", _export_to_dev_null, ("/dev/null",)),
    Case("fault:export --out under a file", _export_under_a_file,
         ("taken: exists and is not a folder",)),
    Case("fault:sweep into a folder of other files", _not_empty, ("not empty",)),
    Case("fault:status of a garbage database", _garbage("status"), ("pppsim verify",)),
    Case("fault:export of a garbage database", _garbage("export"), ("pppsim verify",)),
    Case("fault:resume a garbage database", _garbage("sweep"), ("pppsim verify",)),
    Case("fault:status without a definition", _no_definition("status"),
         ("definition is missing", "pppsim verify")),
    Case("fault:resume without a definition", _no_definition("sweep"),
         ("definition is missing", "pppsim verify")),
    Case("fault:export a flipped digit", _flipped_digit("export"),
         ("point 1, replication 0", "pppsim verify")),
    Case("fault:status of a lost design point", _lost_point("status"),
         ("design points", "pppsim verify")),
    Case("fault:export of a lost design point", _lost_point("export"),
         ("design points",)),
    Case("fault:resume a changed [vary] list",
         _changed(CHANGED.replace("[0.2, 0.8]", "[0.2, 0.9]")),
         ("[vary] legal_barrier values[1]: 0.8 -> 0.9",)),
    Case("fault:resume a changed [fixed] value",
         _changed(CHANGED.replace("n_organisations = 10", "n_organisations = 11")),
         ("n_organisations at point 0: 10 -> 11",)),
    Case("fault:resume with other replications",
         _changed(CHANGED.replace("replications = 2", "replications = 3")),
         ("replications: 2 -> 3",)),
    Case("fault:resume with another seed", _changed(CHANGED.replace("seed = 4", "seed = 5")),
         ("seed: 4 -> 5",)),
    Case("fault:resume with another horizon",
         _changed(CHANGED.replace("months = 3", "months = 4")), ("months: 3 -> 4",)),
    Case("fault:a second writer", _locked, ("is writing to this results folder", "process")),
    Case("fault:sweep on a full disk", _full_disk("sweep"), ("out",), _limit(40_000)),
    Case("fault:run on a full disk", _full_disk("run"), ("out", "file too large"),
         _limit(20_000)),
    Case("fault:export on a full disk", _full_disk("export"), ("results.csv",), _limit(1_000)),
]

CORPUS = [*_parameter_cases(), *SCENARIO_FILES, *EXPERIMENT_FILES, *COMPARISON_FILES,
          *ARGUMENTS, *OS_FAULTS]


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished four-run sweep folder (copied by the cases that damage one)."""
    folder = tmp_path_factory.mktemp("finished")
    result = invoke(["sweep", _file(folder, "exp.toml", SMALL_EXPERIMENT), "--out",
                     folder / "out", "--workers", "1", "--quiet"])
    assert result.code == 0, result.stderr
    return folder / "out"


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


@pytest.mark.parametrize("case", CORPUS, ids=lambda c: c.id)
def test_malformed_input_ends_in_one_line(case: Case, tmp_path: Path, finished: Path) -> None:
    args = case.build(tmp_path, finished)
    before = _snapshot(tmp_path)
    try:
        with case.fault() if case.fault else contextlib.nullcontext():
            result = invoke(args)
    finally:
        while _HELD:
            _HELD.pop().release()
    assert result.code == EXIT_BAD_INPUT, (result.code, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and result.stderr.endswith("\n"), result.stderr
    assert lines[0].startswith("pppsim: error: "), lines[0]
    assert len(lines[0]) < 2100
    for text in case.expect:
        assert text.format(tmp=tmp_path) in lines[0], (text, lines[0])
    # no partial output that looks complete, no temporary files left behind
    after = _snapshot(tmp_path)
    for name, content in after.items():
        assert PARTIAL not in name, name
        if Path(name).name in COMPLETE:
            assert before.get(name) == content, f"{name} was written by a failed command"
    for store in {Path(tmp_path / n).parent for n in after if n.endswith(DATABASE)}:
        if (store / DATABASE).stat().st_size and before.get(
                str((store / DATABASE).relative_to(tmp_path))) is None:
            report = ResultStore.verify(store)
            assert not report.damaged and not [p for p in report.problems
                                               if "interrupted" not in p
                                               and "holds no experiment" not in p], \
                report.lines()


def test_the_corpus_is_large_and_covers_every_kind() -> None:
    kinds = {}
    for case in CORPUS:
        kinds[case.id.split(":")[0]] = kinds.get(case.id.split(":")[0], 0) + 1
    assert len(CORPUS) >= 150
    assert len({c.id for c in CORPUS}) == len(CORPUS)
    assert set(kinds) == {"scenario", "experiment", "comparison", "argument", "fault"}
    assert min(kinds.values()) >= 8, kinds
