"""Golden runs: the same scenario and seed give the very same results as when recorded.

The digests in tests/golden/golden.json are regenerated (``python -m tests.golden.regenerate``)
only by a change that is meant to alter results, in the same commit that says why.  Any other
change (a refactoring, a speed-up) must leave every digest as it is.

They are recorded per numerics fingerprint (:mod:`pppsim.numerics`; a machine with AVX-512 and
one without differ in the last bits).  A machine whose numerics no recorded set covers skips
the comparison and says so (that the same seed gives the same results run to run is checked
everywhere, in tests/test_model.py); on a machine with AVX-512 the set of a machine without it is
checked as well, in a process that computes as such a machine does.
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
from golden.regenerate import (
    CASES,
    accelerators,
    digests,
    recorded,
    run_case,
    set_in,
    with_month,
    without_avx512,
)

from pppsim import numerics
from pppsim.model import EndCause, EventKind, accelerator
from pppsim.run import RunResult

SETS = recorded()


@pytest.fixture(scope="module")
def results() -> dict[str, RunResult]:
    return {case.name: run_case(case) for case in CASES}


def _moved(now: dict[str, str], before: dict[str, str]) -> list[str]:
    return [part for part in now if now[part] != before[part]]


AGAIN = ("If the change is meant to alter results, run `python -m tests.golden.regenerate` "
         "and say why in the same commit.")


def test_every_case_is_recorded_for_each_numerics() -> None:
    assert SETS
    for fingerprint, recorded_set in SETS.items():
        assert set(recorded_set["cases"]) == {case.name for case in CASES}, fingerprint
        assert recorded_set["numerics"].startswith(fingerprint)


@pytest.mark.parametrize("case", [case.name for case in CASES])
def test_results_are_byte_identical_to_the_golden_run(results, case) -> None:
    here = SETS.get(numerics.fingerprint())
    if here is None:
        pytest.skip(f"no golden runs recorded for the numerics of this machine, "
                    f"{numerics.summary()}; recorded: {', '.join(SETS)}. To check a change "
                    "here, record them first on the unchanged checkout: "
                    "python -m tests.golden.regenerate --add")
    moved = _moved(digests(results[case]), here["cases"][case])
    assert not moved, f"{case}: {', '.join(moved)} changed. {AGAIN}"


def test_results_without_avx512_are_byte_identical_to_their_golden_runs() -> None:
    """The set of a machine without AVX-512 stays true too: checked, where this machine has
    AVX-512, in a process that computes as a machine without it does."""
    other = without_avx512()
    if other is None:
        pytest.skip("no AVX-512 code runs here: this machine's own set is the one checked")
    made = set_in(other)
    (fingerprint, now), = made.items()
    assert fingerprint != numerics.fingerprint()  # the fingerprint tells the two apart
    assert fingerprint in SETS, f"no golden runs recorded for {now['numerics']}. {AGAIN}"
    moved = {case: _moved(made_now, SETS[fingerprint]["cases"][case])
             for case, made_now in now["cases"].items()}
    assert not any(moved.values()), f"{moved} changed without AVX-512. {AGAIN}"


def test_the_months_other_way_is_byte_identical_to_its_golden_runs() -> None:
    """Where numba is installed, the month of joint work runs compiled or as numpy code
    (:mod:`pppsim.model.accelerator`): the way this process does not run it is checked in a
    process that does."""
    here = accelerator.name().split()[0]
    others = [choice for choice in accelerators() if choice != here]
    if not others:
        pytest.skip("numba is not installed: the month runs as numpy code only")
    (fingerprint, now), = set_in(with_month(dict(os.environ), others[0])).items()
    assert fingerprint != numerics.fingerprint()  # the fingerprint tells the two apart
    if fingerprint not in SETS:
        pytest.skip(f"no golden runs recorded for {now['numerics']}")
    moved = {case: _moved(made_now, SETS[fingerprint]["cases"][case])
             for case, made_now in now["cases"].items()}
    assert not any(moved.values()), f"{moved} changed with the month as {others[0]}. {AGAIN}"


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
