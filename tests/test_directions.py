"""Fast paired direction tests: each mechanism pushes the model's outcomes the way it should.

Every test runs the same eight seeds under two settings of one lever (a small region of 40
organisations over five years, everything else at its default) and checks the direction of the
paired difference in an outcome: its mean over the eight pairs, and in at least six of the
eight pairs.  A broken or reversed mechanism fails here within seconds, long before the
replicated claims (``pppsim claims``) would show it.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest

from pppsim.model import PartnershipModel
from pppsim.model.outputs import summary_metrics

SEEDS = range(8)
SMALL = {"n_organisations": 40}
MONTHS = 60


@cache
def _metrics(seed: int, overrides: tuple[tuple[str, Any], ...]) -> dict[str, float]:
    model = PartnershipModel(rng=seed, **(SMALL | dict(overrides)))
    model.run(MONTHS)
    return summary_metrics(model)


def paired(metric: str, low: dict[str, Any], high: dict[str, Any]) -> list[float]:
    """``metric`` under ``high`` minus under ``low``, one difference per seed."""
    return [_metrics(seed, tuple(sorted(high.items())))[metric]
            - _metrics(seed, tuple(sorted(low.items())))[metric] for seed in SEEDS]


def assert_rises(differences: list[float]) -> None:
    mean = sum(differences) / len(differences)
    assert mean > 0, differences
    assert sum(d > 0 for d in differences) >= 6, differences


def assert_falls(differences: list[float]) -> None:
    assert_rises([-d for d in differences])


LOW_BARRIERS = {"legal_barrier": 0.1, "organisational_barrier": 0.1, "technical_barrier": 0.1}
HIGH_BARRIERS = {"legal_barrier": 0.9, "organisational_barrier": 0.8, "technical_barrier": 0.8}
GRANTS = {"grant_share": 1.0, "structural_share": 0.0, "grant_months": 12,
          "grant_renewal_probability": 0.0}
STRUCTURAL = {"grant_share": 0.0, "structural_share": 1.0}


def test_higher_barriers_mean_less_information_shared() -> None:
    assert_falls(paired("information_shared", LOW_BARRIERS, HIGH_BARRIERS))


def test_short_grants_end_partnerships_sooner_than_structural_funding() -> None:
    assert_falls(paired("active_partnerships_mean", STRUCTURAL, GRANTS))
    assert_falls(paired("running_share", STRUCTURAL, GRANTS))
    # under structural funding no grant can end; under grants, grant ends end partnerships
    # (the share is undefined, NaN, in a seed where no partnership ended at all)
    shares = [_metrics(seed, tuple(sorted(GRANTS.items())))["end_share:funding_ended"]
              for seed in SEEDS]
    assert sum(share > 0 for share in shares) >= 6, shares


def test_scarce_follow_up_leaves_shared_information_unused_and_firms_less_satisfied() -> None:
    ample, scarce = {"follow_up_capacity": 3.0}, {"follow_up_capacity": 0.1}
    assert_falls(paired("follow_up_ratio", ample, scarce))
    assert_falls(paired("satisfaction_private", ample, scarce))


def test_opportunism_means_more_free_riding() -> None:
    assert_rises(paired("free_riding", {"opportunism_mean": 0.05}, {"opportunism_mean": 0.6}))


def test_control_based_governance_curbs_free_riding() -> None:
    trust, control = {"governance": 0.0, "opportunism_mean": 0.4}, \
        {"governance": 1.0, "opportunism_mean": 0.4}
    assert_falls(paired("free_riding", trust, control))


def test_low_starting_trust_means_fewer_partnerships_launched() -> None:
    assert_falls(paired("partnerships_launched", {"initial_trust": 0.8}, {"initial_trust": 0.2}))


def test_more_initiative_means_more_partnerships_and_more_harm_prevented() -> None:
    rare, often = {"initiation_rate": 0.005}, {"initiation_rate": 0.05}
    assert_rises(paired("partnerships_launched", rare, often))
    assert_rises(paired("harm_prevented", rare, often))


def test_impatient_members_leave_more_often() -> None:
    patient = {"exit_threshold": 0.2, "exit_patience_months": 24}
    impatient = {"exit_threshold": 0.6, "exit_patience_months": 2}
    assert_rises(paired("private_exits", patient, impatient))


@pytest.mark.parametrize("metric", ["information_shared", "partnerships_launched"])
def test_the_same_seed_and_setting_give_the_same_outcome(metric: str) -> None:
    """The pairing is sound: the same setting twice differs by exactly nothing."""
    assert paired(metric, {}, {}) == [0.0] * len(SEEDS)
