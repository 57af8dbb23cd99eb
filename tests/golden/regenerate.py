"""Golden runs: SHA-256 digests of the results of a few fixed simulations.

``tests/test_golden.py`` reruns every case below and compares its digests with
``tests/golden/golden.json``, so that a change meant to leave results alone (a refactoring, a
speed-up, a renamed attribute) is proved to leave them byte-identical for the same seed.

Regenerate the golden file ONLY when a change is meant to alter results, and in the same commit
that says why::

    .venv/bin/python -m tests.golden.regenerate

The digests are recorded per numerics fingerprint (:mod:`pppsim.numerics`): NumPy and OpenBLAS
compute ``exp``, ``log``, ``power`` and matrix products with code of the CPU's choosing, so a
machine with AVX-512 and one without give results that differ in the last bits.  On a machine
with AVX-512 the script records both: this machine's set, and the set of a machine without it
(:func:`without_avx512`: the same interpreter with NumPy's AVX-512 code and OpenBLAS's
AVX-512 kernels switched off, as a machine without AVX-512 runs them), each with the month of
joint work as numpy code and, where numba is installed, compiled (:func:`accelerators`).
It replaces every set it cannot make here.  ``--add`` records this machine's set beside the
others instead, for a machine whose numerics no set covers (record it on an unchanged
checkout, before a change).

Each digest covers one part of a run, so a failure says which part moved: the event log, the
monthly series, the partnership table and the end-of-run metrics.  Every value is written out
deterministically before hashing: floats by ``repr`` (NaN as ``nan``), integers and booleans as
such, strings quoted, containers in their own order (dicts keep their insertion order, as the
event log's values do in ``events.csv``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import subprocess
import sys
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pppsim import numerics
from pppsim.model import accelerator
from pppsim.run import RunResult, simulate
from pppsim.scenario import load_scenario

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden.json"
SCENARIOS = HERE.parent.parent / "scenarios"


@dataclass(frozen=True)
class Case:
    """One golden run: a scenario file, overrides of its parameters, a seed and a horizon."""

    name: str
    scenario: str
    seed: int
    months: int
    overrides: dict[str, Any] = field(default_factory=dict)


CASES = (
    Case("baseline-seed1", "baseline.toml", seed=1, months=120),
    Case("baseline-seed2", "baseline.toml", seed=2, months=120),
    # umbrella organisations and a trusted intermediary's introductions
    Case("umbrella-intermediary-seed3", "umbrella_partnering.toml", seed=3, months=120,
         overrides={"trusted_intermediary": True, "partnership_culture": 0.5}),
    # grants that end or are renewed, no evaluations (goals reached between evaluations),
    # an exit strategy everywhere
    Case("grants-unevaluated-seed4", "short_grant.toml", seed=4, months=120,
         overrides={"evaluation_interval_months": 0, "exit_strategy_share": 1.0}),
    # a small region over three years: formation, negotiation and early ends
    Case("small-high-barriers-seed5", "high_barriers.toml", seed=5, months=36,
         overrides={"n_organisations": 40}),
    # privacy-enhancing technology, several representatives with turnover, a broad scope
    Case("pet-representatives-scope-seed6", "privacy_technology.toml", seed=6, months=60,
         overrides={"n_organisations": 60, "pet_share": 0.5, "representatives_per_member": 2,
                    "representative_turnover": 0.05, "scope_domains": 2}),
)


def canonical(value: Any) -> str:
    """A deterministic text for a value of a result: floats by repr, containers in order."""
    if value is None or value is pd.NA:
        return "None"
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return json.dumps(str(value.value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        number = float(value)
        return "nan" if math.isnan(number) else repr(number)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, dict):
        return "{" + ",".join(f"{canonical(k)}:{canonical(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple | np.ndarray):
        return "[" + ",".join(canonical(v) for v in value) + "]"
    raise TypeError(f"no canonical form for {type(value).__name__}: {value!r}")


def _frame_text(frame: pd.DataFrame) -> str:
    lines = [canonical([str(c) for c in frame.columns]), canonical(list(frame.index))]
    lines += [canonical(list(row)) for row in frame.itertuples(index=False, name=None)]
    return "\n".join(lines)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def run_case(case: Case) -> RunResult:
    scenario = load_scenario(SCENARIOS / case.scenario)
    if case.overrides:
        scenario = scenario.changed(**case.overrides)
    return simulate(scenario, seed=case.seed, months=case.months)


def event_text(result: RunResult) -> str:
    """The event log, one line per event: month, kind, partnership, organisation, others,
    cause, values."""
    return "\n".join(canonical([e.month, e.kind, e.partnership, e.organisation, e.others,
                                e.cause, e.values]) for e in result.model.events.rows)


def digests(result: RunResult) -> dict[str, str]:
    """SHA-256 of each part of a run's results."""
    return {
        "events": _sha(event_text(result)),
        "series": _sha(_frame_text(result.series)),
        "partnerships": _sha(_frame_text(result.partnerships)),
        "metrics": _sha(canonical(result.metrics)),
    }


def compute() -> dict[str, dict[str, str]]:
    return {case.name: digests(run_case(case)) for case in CASES}


def recorded() -> dict[str, dict[str, Any]]:
    """The recorded sets, by numerics fingerprint: ``{"numerics": summary, "cases": ...}``."""
    return json.loads(GOLDEN.read_text())


def this_set() -> dict[str, dict[str, Any]]:
    """This process's set of digests, under its numerics fingerprint."""
    return {numerics.fingerprint(): {"numerics": numerics.summary(), "cases": compute()}}


def without_avx512() -> dict[str, str] | None:
    """The environment of a process that computes as a machine without AVX-512 does, or None
    where NumPy runs no AVX-512 code here (the machine is such a machine already).

    NumPy reads ``NPY_DISABLE_CPU_FEATURES`` when it is imported (its dispatch targets above
    AVX2: ``X86_V4`` and the ``AVX512*`` ones); OpenBLAS reads ``OPENBLAS_CORETYPE`` (Haswell:
    the AVX2 kernels)."""
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__

    avx512 = [name for name in __cpu_dispatch__
              if (name == "X86_V4" or name.startswith("AVX512")) and __cpu_features__.get(name)]
    if not avx512:
        return None
    return {**os.environ, "NPY_DISABLE_CPU_FEATURES": " ".join(avx512),
            "OPENBLAS_CORETYPE": "Haswell"}


def accelerators() -> list[str]:
    """The ways the month of joint work can run here (:mod:`pppsim.model.accelerator`):
    ``numpy`` always, ``numba`` where numba is installed."""
    from importlib.util import find_spec

    return ["numpy"] + (["numba"] if find_spec("numba") is not None else [])


def with_month(environment: dict[str, str], choice: str) -> dict[str, str]:
    """``environment``, with the month of joint work run as ``choice`` says."""
    return {**environment, accelerator.VARIABLE: choice}


def set_in(environment: dict[str, str]) -> dict[str, dict[str, Any]]:
    """:func:`this_set` of a fresh interpreter with ``environment``."""
    done = subprocess.run([sys.executable, "-m", "golden.regenerate", "--print"],
                          env={**environment, "PYTHONPATH": str(HERE.parent)},
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description="Record the golden runs' digests.")
    choice = parser.add_mutually_exclusive_group()
    choice.add_argument("--add", action="store_true",
                        help="add this machine's set, keep the others")
    choice.add_argument("--print", action="store_true",
                        help="print this machine's set, write nothing")
    args = parser.parse_args()
    if args.print:
        print(json.dumps(this_set()))
        return
    if args.add:
        golden = recorded() | this_set()
    else:  # every way this machine can compute, each in a fresh interpreter (this one's too)
        golden = {}
        other = without_avx512()
        for choice in accelerators():
            golden |= set_in(with_month(dict(os.environ), choice))
            if other is not None:
                golden |= set_in(with_month(other, choice))
    GOLDEN.write_text(json.dumps(golden, indent=2) + "\n")
    for recorded_set in golden.values():
        print(f"{GOLDEN}: {len(recorded_set['cases'])} cases for numerics "
              f"{recorded_set['numerics']}", file=sys.stderr)


if __name__ == "__main__":
    main()
