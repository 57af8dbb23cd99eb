"""Golden runs: the same scenario and seed give the very same results as when recorded.

The digests in tests/golden/golden.json are regenerated (``python -m tests.golden.regenerate``)
only by a change that is meant to alter results, in the same commit that says why.  Any other
change (a refactoring, a speed-up) must leave every digest as it is.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest
from golden.regenerate import CASES, GOLDEN, digests, run_case

from pppsim.model import EndCause, EventKind
from pppsim.run import RunResult

RECORDED = json.loads(GOLDEN.read_text())


@pytest.fixture(scope="module")
def results() -> dict[str, RunResult]:
    return {case.name: run_case(case) for case in CASES}


def test_every_case_is_recorded() -> None:
    assert set(RECORDED) == {case.name for case in CASES}


@pytest.mark.parametrize("case", [case.name for case in CASES])
def test_results_are_byte_identical_to_the_golden_run(results, case) -> None:
    now = digests(results[case])
    moved = [part for part in now if now[part] != RECORDED[case][part]]
    assert not moved, (
        f"{case}: {', '.join(moved)} changed. If the change is meant to alter results, run "
        "`python -m tests.golden.regenerate` and say why in the same commit.")


def test_the_golden_runs_exercise_every_mechanism(results) -> None:
    """The cases between them see every kind of event, umbrella organisations, newcomers and
    partnerships that reach their goals at an evaluation and between evaluations."""
    kinds = Counter(e.kind for r in results.values() for e in r.model.events.rows)
    assert set(kinds) == set(EventKind)
    umbrella_members = sum(r.partnerships["umbrella"].sum() for r in results.values())
    assert umbrella_members > 0
    newcomers = 0
    for r in results.values():
        launched = {e.partnership: e.month for e in r.model.events.of_kind(EventKind.LAUNCHED)}
        newcomers += sum(1 for e in r.model.events.of_kind(EventKind.JOINED)
                         if e.partnership in launched and e.month > launched[e.partnership])
    assert newcomers > 0
    reached = {name: sum(1 for p in r.model.partnerships_ever
                         if p.end_cause is EndCause.GOALS_REACHED)
               for name, r in results.items()}
    assert reached["baseline-seed1"] + reached["baseline-seed2"] > 0  # at an evaluation
    assert reached["grants-unevaluated-seed4"] > 0  # no evaluations: checked every month
