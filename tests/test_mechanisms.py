"""Each mechanism in ``pppsim.model.mechanisms`` alone: the direction or value it must produce.

These tests assert directions, bounds and limiting values that follow from the seed claims,
not calibrated magnitudes, so they hold for any sensible calibration of the constants.
"""

from __future__ import annotations

import inspect
import itertools

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from pppsim.model import mechanisms as mech
from pppsim.model.vocabulary import GRIEVANCE_CAUSES, EndCause, Stage
from pppsim.parameters import DEFAULTS

ALPHA = DEFAULTS["partner_choice_fit_weight"]
ROLE_CLARITY = DEFAULTS["role_clarity"]
HALF = DEFAULTS["meeting_half_saturation"]
IRRITATION = DEFAULTS["meeting_irritation"]
NORM = DEFAULTS["reliability_norm"]

unit = st.floats(0.0, 1.0, allow_nan=False)
open_unit = st.floats(0.01, 0.99, allow_nan=False)
positive = st.floats(0.01, 100.0, allow_nan=False)
interests = st.lists(st.floats(0.0, 10.0, allow_nan=False), min_size=4, max_size=4).map(
    np.array)


# --- initial trust -------------------------------------------------------------------------
@given(base=unit, prejudice=st.floats(0.0, 0.5), imbalance=st.floats(0.0, 0.5))
def test_initial_trust_is_lower_across_sectors_and_lowest_from_the_weaker_side(
    base: float, prejudice: float, imbalance: float,
) -> None:
    same = mech.initial_trust(base, prejudice, imbalance, cross_sector=False,
                              truster_is_private=True)
    public_to_private = mech.initial_trust(base, prejudice, imbalance, cross_sector=True,
                                           truster_is_private=False)
    private_to_public = mech.initial_trust(base, prejudice, imbalance, cross_sector=True,
                                           truster_is_private=True)
    assert same == pytest.approx(base)
    assert 0.0 <= private_to_public <= public_to_private <= same <= 1.0


def test_initial_trust_falls_with_prejudice_and_stays_in_unit_interval() -> None:
    values = [mech.initial_trust(0.5, prejudice, 0.0, cross_sector=True,
                                 truster_is_private=False) for prejudice in (0.0, 0.2, 0.4)]
    assert values[0] > values[1] > values[2]
    assert mech.initial_trust(0.1, 0.5, 0.5, cross_sector=True, truster_is_private=True) == 0.0


# --- goal overlap and partner choice ------------------------------------------------------
@given(a=interests, b=interests)
def test_goal_overlap_is_symmetric_and_in_unit_interval(a: np.ndarray, b: np.ndarray) -> None:
    overlap = mech.goal_overlap(a, b)
    assert overlap == pytest.approx(mech.goal_overlap(b, a))
    assert -1e-9 <= overlap <= 1.0 + 1e-9


@given(a=interests, b=interests)
def test_goal_overlap_with_norms_given_is_the_same_number(a: np.ndarray, b: np.ndarray) -> None:
    given_norms = mech.goal_overlap(a, b, norm_a=float(np.linalg.norm(a)),
                                    norm_b=float(np.linalg.norm(b)))
    assert given_norms == mech.goal_overlap(a, b)  # exactly: the norms are only kept


def test_goal_overlap_limits() -> None:
    a = np.array([1.0, 2.0, 0.0, 0.5])
    assert mech.goal_overlap(a, 3.0 * a) == pytest.approx(1.0)
    assert mech.goal_overlap(np.array([1.0, 0, 0, 0]), np.array([0, 1.0, 0, 0])) == 0.0
    assert mech.goal_overlap(np.zeros(4), a) == 0.0


@given(fit=open_unit, trust=open_unit, delta=st.floats(0.001, 0.5))
def test_partner_score_rises_with_fit_and_trust(fit: float, trust: float, delta: float) -> None:
    score = mech.partner_score(fit, trust, ALPHA)
    assert mech.partner_score(min(1.0, fit + delta), trust, ALPHA) > score
    assert mech.partner_score(fit, min(1.0, trust + delta), ALPHA) > score


def test_partner_score_is_zero_without_fit() -> None:
    assert mech.partner_score(0.0, 0.9, ALPHA) == 0.0
    assert mech.partner_score(1.0, 1.0, ALPHA) == pytest.approx(1.0)


# --- joining ------------------------------------------------------------------------------
JOIN = {"barrier": 0.3, "subsidy": 0.0, "strictness": 0.0, "is_private": True,
        "grant_funded": False, "coordination_cost": DEFAULTS["coordination_cost"]}


def test_join_utility_rises_with_fit_and_trust() -> None:
    base = mech.join_utility(0.5, 0.5, 2, **JOIN)
    assert mech.join_utility(0.8, 0.5, 2, **JOIN) > base
    assert mech.join_utility(0.5, 0.8, 2, **JOIN) > base


def test_join_utility_falls_with_partners_beyond_two() -> None:
    utilities = [mech.join_utility(0.5, 0.5, n, **JOIN) for n in (2, 3, 5, 8)]
    assert utilities == sorted(utilities, reverse=True)
    assert utilities[0] > utilities[-1]


def test_join_utility_falls_with_barriers_and_strict_grants() -> None:
    assert mech.join_utility(0.5, 0.5, 2, **JOIN | {"barrier": 0.9}) < mech.join_utility(
        0.5, 0.5, 2, **JOIN | {"barrier": 0.1})
    grant = JOIN | {"grant_funded": True}
    assert mech.join_utility(0.5, 0.5, 2, **grant | {"strictness": 1.0}) < mech.join_utility(
        0.5, 0.5, 2, **grant | {"strictness": 0.0})
    # strictness only matters when the partnership is grant funded
    assert mech.join_utility(0.5, 0.5, 2, **JOIN | {"strictness": 1.0}) == mech.join_utility(
        0.5, 0.5, 2, **JOIN)


def test_subsidy_attracts_firms_only() -> None:
    firm = mech.join_utility(0.5, 0.5, 2, **JOIN | {"subsidy": 1.0})
    assert firm > mech.join_utility(0.5, 0.5, 2, **JOIN)
    public = JOIN | {"is_private": False}
    assert mech.join_utility(0.5, 0.5, 2, **public | {"subsidy": 1.0}) == mech.join_utility(
        0.5, 0.5, 2, **public)


# --- negotiation --------------------------------------------------------------------------
@given(trust=unit, governance=unit, formality=unit, capability=unit)
def test_negotiation_takes_positive_time(
    trust: float, governance: float, formality: float, capability: float,
) -> None:
    assert mech.negotiation_duration(4.0, trust, governance, formality, capability) > 0.0


def test_negotiation_lasts_longer_with_lower_trust_more_control_and_formality() -> None:
    def months(trust=0.5, governance=0.5, formality=0.5, capability=0.3):
        return mech.negotiation_duration(4.0, trust, governance, formality, capability)

    assert months(trust=0.2) > months(trust=0.8)
    assert months(governance=0.9) > months(governance=0.1)
    assert months(formality=0.9) > months(formality=0.1)
    assert months(capability=0.1) > months(capability=0.9)
    assert mech.negotiation_duration(8.0, 0.5, 0.5, 0.5, 0.3) > months()


@given(trust=unit, overlap=unit, base=st.floats(0.0, 0.5))
def test_breakdown_is_a_probability(trust: float, overlap: float, base: float) -> None:
    assert 0.0 <= mech.negotiation_breakdown_probability(base, trust, overlap) <= 1.0


@given(low=unit, high=unit, overlap=unit)
def test_breakdown_more_likely_at_low_trust(low: float, high: float, overlap: float) -> None:
    assume(low < high)
    assert mech.negotiation_breakdown_probability(0.1, low, overlap) >= \
        mech.negotiation_breakdown_probability(0.1, high, overlap)


def test_breakdown_falls_with_trust_and_overlap_and_vanishes_at_full_trust() -> None:
    p = mech.negotiation_breakdown_probability
    assert p(0.1, 0.2, 0.5) > p(0.1, 0.8, 0.5)
    assert p(0.1, 0.5, 0.1) > p(0.1, 0.5, 0.9)
    assert p(0.1, 1.0, 0.0) == 0.0
    assert p(0.0, 0.0, 0.0) == 0.0


# --- information sharing ------------------------------------------------------------------
BARRIERS = ("legal", "organisational", "technical")
barrier_levels = st.tuples(unit, unit, unit)


@given(levels=barrier_levels, reliefs=barrier_levels)
def test_pass_through_is_a_share(levels, reliefs) -> None:
    relief = dict(zip((f"{b}_relief" for b in BARRIERS), reliefs, strict=True))
    assert 0.0 <= mech.information_pass_through(*levels, **relief) <= 1.0


@pytest.mark.parametrize("barrier", BARRIERS)
def test_pass_through_falls_with_each_barrier_and_rises_with_its_relief(barrier: str) -> None:
    def share(level: float, relief: float) -> float:
        levels = dict.fromkeys(BARRIERS, 0.3) | {barrier: level}
        return mech.information_pass_through(**levels, **{f"{barrier}_relief": relief})

    assert share(0.2, 0.0) > share(0.5, 0.0) > share(0.8, 0.0)
    assert share(0.8, 0.0) < share(0.8, 0.5) < share(0.8, 1.0)
    assert share(0.8, 1.0) == pytest.approx(share(0.0, 0.0))  # full relief removes it


def test_pass_through_limits() -> None:
    assert mech.information_pass_through(0.0, 0.0, 0.0) == 1.0
    for barrier in BARRIERS:
        levels = dict.fromkeys(BARRIERS, 0.0) | {barrier: 1.0}
        assert mech.information_pass_through(**levels) == 0.0


# --- opportunism, free riding, governance -------------------------------------------------
@given(opportunism=unit, governance=unit, efficacy=unit)
def test_control_curbs_opportunism(opportunism: float, governance: float, efficacy: float) -> None:
    curbed = mech.effective_opportunism(opportunism, governance, efficacy)
    assert 0.0 <= curbed <= opportunism
    assert mech.effective_opportunism(opportunism, 0.0, efficacy) == opportunism
    assert mech.effective_opportunism(opportunism, min(1.0, governance + 0.1), efficacy) <= curbed


def test_full_control_with_full_efficacy_removes_opportunism() -> None:
    assert mech.effective_opportunism(0.9, 1.0, 1.0) == 0.0
    assert mech.effective_opportunism(0.6, 1.0, 0.5) < mech.effective_opportunism(0.6, 0.5, 0.5)


@given(opportunism=unit, n=st.integers(2, 30))
def test_free_riding_rises_with_partners_and_is_a_share(opportunism: float, n: int) -> None:
    share = mech.free_riding(opportunism, n, 0.0, ROLE_CLARITY)
    assert 0.0 <= share <= 1.0
    assert mech.free_riding(opportunism, n + 1, 0.0, ROLE_CLARITY) >= share


def test_free_riding_strictly_rises_with_partners_and_opportunism() -> None:
    def share(opportunism: float, n: int) -> float:
        return mech.free_riding(opportunism, n, 0.0, ROLE_CLARITY)

    assert share(0.2, 2) < share(0.2, 3) < share(0.2, 6)
    assert share(0.1, 4) < share(0.3, 4)


@pytest.mark.parametrize("n", [0, 1, 2, 5, 10])
def test_no_free_riding_without_opportunism(n: int) -> None:
    assert mech.free_riding(0.0, n, 0.0, ROLE_CLARITY) == 0.0


def test_no_free_riding_alone() -> None:
    assert mech.free_riding(0.9, 1, 0.0, ROLE_CLARITY) == 0.0


@given(governance=unit, overhead=st.floats(0.0, 0.9))
def test_control_overhead_grows_with_control(governance: float, overhead: float) -> None:
    cost = mech.control_overhead(governance, overhead)
    assert 0.0 <= cost <= overhead
    assert mech.control_overhead(0.0, overhead) == 0.0
    assert mech.control_overhead(1.0, overhead) == pytest.approx(overhead)


def test_trust_based_governance_creates_more_value_when_goals_are_complementary() -> None:
    value = mech.governance_value_multiplier
    assert value(0.0, 0.9, 0.5) > value(1.0, 0.9, 0.5)
    assert value(0.0, 0.9, 0.5) > value(0.0, 0.1, 0.5)
    assert value(1.0, 0.9, 0.5) == pytest.approx(1.0)  # control earns no bonus
    assert value(0.3, 0.7, 0.0) == pytest.approx(1.0)  # no bonus, no effect


# --- meetings -----------------------------------------------------------------------------
def test_meeting_frequency_is_the_inverse_interval() -> None:
    assert mech.meeting_frequency(2.0) == pytest.approx(0.5)
    assert mech.meeting_frequency(0.25) == pytest.approx(4.0)


def test_meeting_trust_factor_saturates() -> None:
    def f(frequency: float) -> float:
        return mech.meeting_trust_factor(frequency, HALF)

    frequencies = [0.0, 1 / 12, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0]
    factors = [f(x) for x in frequencies]
    assert factors[0] == 0.0
    assert factors == sorted(factors)
    assert f(1.0) == pytest.approx(1.0)
    gains = np.diff(factors) / np.diff(frequencies)
    assert all(later < earlier for earlier, later in itertools.pairwise(gains))
    assert f(2000.0) - f(1000.0) < 0.01 * (f(1.0) - f(0.0))  # meeting ever more adds ~nothing


@given(low=st.floats(0.01, 8.0), high=st.floats(0.01, 8.0))
def test_meeting_trust_factor_is_increasing(low: float, high: float) -> None:
    assume(low < high)
    assert mech.meeting_trust_factor(low, HALF) < mech.meeting_trust_factor(high, HALF)


def test_meeting_irritation_grows_above_tolerance_only() -> None:
    def irritation(frequency: float, tolerance: float) -> float:
        return mech.meeting_irritation(frequency, tolerance, IRRITATION)

    assert irritation(0.5, 0.75) == 0.0
    assert irritation(0.75, 0.75) == 0.0
    assert 0.0 < irritation(1.0, 0.75) < irritation(2.0, 0.75) < irritation(4.0, 0.75)
    assert irritation(2.0, 1.0) < irritation(2.0, 0.5)


# --- trust --------------------------------------------------------------------------------
@given(trust=unit, reliability=unit, rate=st.floats(0.0, 0.5), erosion=st.floats(1.0, 10.0),
       meeting=st.floats(0.0, 2.0))
def test_trust_stays_in_unit_interval(trust, reliability, rate, erosion, meeting) -> None:
    assert 0.0 <= mech.update_trust(trust, reliability, rate, erosion, meeting, NORM) <= 1.0


@given(trust=open_unit, rate=st.floats(0.01, 0.3))
def test_reliable_delivery_builds_trust_and_under_delivery_erodes_it(trust, rate) -> None:
    assert mech.update_trust(trust, 1.0, rate, 3.0, 1.0, NORM) > trust
    assert mech.update_trust(trust, 0.2, rate, 3.0, 1.0, NORM) < trust


def test_worse_delivery_erodes_more() -> None:
    after = [mech.update_trust(0.6, r, 0.05, 3.0, 1.0, NORM) for r in (0.7, 0.4, 0.1, 0.0)]
    assert after == sorted(after, reverse=True)
    assert after[0] > after[-1]


@given(trust=st.floats(0.2, 0.8), rate=st.floats(0.01, 0.1), erosion=st.floats(1.5, 10.0))
def test_trust_erodes_faster_than_it_builds(trust: float, rate: float, erosion: float) -> None:
    """For the same trust level and the largest shortfall vs the largest surplus."""
    gain = mech.update_trust(trust, 1.0, rate, erosion, 1.0, NORM) - trust
    loss = trust - mech.update_trust(trust, 0.0, rate, erosion, 1.0, NORM)
    # at trust 0.5 the gap to 1 and the distance to 0 are equal: loss/gain = erosion ratio
    mid_gain = mech.update_trust(0.5, 1.0, rate, erosion, 1.0, NORM) - 0.5
    mid_loss = 0.5 - mech.update_trust(0.5, 0.0, rate, erosion, 1.0, NORM)
    assert mid_loss > mid_gain > 0.0
    assert gain > 0.0 and loss > 0.0
    assert loss / trust > gain / (1.0 - trust)  # relative to the room to move


def test_higher_erosion_ratio_erodes_faster() -> None:
    assert mech.update_trust(0.6, 0.2, 0.05, 6.0, 1.0, NORM) < mech.update_trust(
        0.6, 0.2, 0.05, 2.0, 1.0, NORM)


def test_meetings_speed_trust_building() -> None:
    rare = mech.update_trust(0.4, 1.0, 0.05, 3.0, mech.meeting_trust_factor(1 / 6, HALF), NORM)
    monthly = mech.update_trust(0.4, 1.0, 0.05, 3.0, mech.meeting_trust_factor(1.0, HALF), NORM)
    assert 0.4 < rare < monthly


def test_no_trust_change_without_a_rate() -> None:
    assert mech.update_trust(0.4, 1.0, 0.0, 3.0, 1.0, NORM) == 0.4
    assert mech.update_trust(0.4, 0.0, 0.0, 3.0, 1.0, NORM) == 0.4


# --- follow-up ----------------------------------------------------------------------------
@given(shared=st.floats(0.0, 100.0), capacity=st.floats(0.0, 100.0))
def test_follow_up_is_capped_by_capacity_and_by_what_was_shared(shared, capacity) -> None:
    followed, ratio = mech.follow_up(shared, capacity)
    assert 0.0 <= followed <= min(shared, capacity) + 1e-12
    assert 0.0 <= ratio <= 1.0
    if shared > 0:
        assert ratio == pytest.approx(followed / shared)


def test_follow_up_limits() -> None:
    assert mech.follow_up(10.0, 4.0) == (4.0, pytest.approx(0.4))
    assert mech.follow_up(3.0, 10.0) == (3.0, 1.0)
    assert mech.follow_up(5.0, 0.0) == (0.0, 0.0)
    assert mech.follow_up(0.0, 5.0)[0] == 0.0


def test_more_follow_up_capacity_follows_up_more() -> None:
    ratios = [mech.follow_up(10.0, c)[1] for c in (0.0, 2.0, 5.0, 10.0)]
    assert ratios == sorted(ratios) and ratios[0] < ratios[-1]


# --- joint output -------------------------------------------------------------------------
def output(effort: float, money: float, followed: float = 0.0, multiplier: float = 1.0,
           **extra: float) -> float:
    """``joint_output`` by keyword, at medium trust if the mechanism takes trust into account."""
    if "trust" in inspect.signature(mech.joint_output).parameters:
        extra = {"trust": 0.5} | extra
    extra = {"information_weight": DEFAULTS["information_weight"]} | extra
    return mech.joint_output(productive_effort=effort, resources=money,
                             followed_information=followed, multiplier=multiplier, **extra)


def test_funding_without_commitment_and_commitment_without_funding_achieve_nothing() -> None:
    assert output(0.0, 50.0) == 0.0
    assert output(5.0, 0.0) == 0.0
    assert output(2.0, 10.0) > 0.0


def test_joint_output_needs_both_effort_and_money() -> None:
    """Spreading a fixed total over both inputs beats putting it all in one."""
    balanced = output(5.0, 5.0)
    assert balanced > output(10.0, 0.0)
    assert balanced > output(0.0, 10.0)
    assert balanced > output(9.0, 1.0)


@given(effort=st.floats(0.0, 20.0), money=st.floats(0.0, 100.0),
       followed=st.floats(0.0, 50.0), multiplier=st.floats(0.0, 3.0))
def test_joint_output_is_nonnegative_and_monotone(effort, money, followed, multiplier) -> None:
    produced = output(effort, money, followed, multiplier)
    assert produced >= 0.0
    assert output(effort + 1.0, money, followed, multiplier) >= produced
    assert output(effort, money + 1.0, followed, multiplier) >= produced
    assert output(effort, money, followed + 1.0, multiplier) >= produced


def test_followed_up_information_adds_output() -> None:
    assert output(2.0, 5.0, 3.0) > output(2.0, 5.0, 0.0)
    assert output(0.0, 0.0, 3.0) > 0.0


def test_joint_output_scales_with_its_multiplier() -> None:
    assert output(2.0, 5.0, 1.0, 2.0) == pytest.approx(2.0 * output(2.0, 5.0, 1.0, 1.0))
    assert output(2.0, 5.0, 1.0, 0.0) == 0.0


# --- satisfaction: the pulls of each cause ---------------------------------------------
WEIGHTS = np.array([DEFAULTS["weight_free_riding"], DEFAULTS["weight_unequal_benefits"],
                    DEFAULTS["weight_misaligned_goals"]])
CAUSE = {cause: k for k, cause in enumerate(GRIEVANCE_CAUSES)}


def pulls(**changes) -> np.ndarray:
    """``satisfaction_pulls`` of a member in an ordinary situation, with ``changes``."""
    inputs = {
        "value_by_motive": np.array([1.0, 1.0, 0.6]), "motives": np.array([0.4, 0.4, 0.2]),
        "expectation": 1.0, "pass_through": 0.5, "partners_free_riding": 0.1,
        "alignment": 0.8, "cost_share": 0.3, "value_share": 0.3, "n_members": 3,
        "irritation": 0.0, "memory": 0.2, "weights": WEIGHTS} | changes
    return mech.satisfaction_pulls(**inputs)


PULL_INPUTS = {
    "value_by_motive": st.lists(st.floats(0.0, 3.0), min_size=3, max_size=3),
    "motives": st.lists(st.floats(0.01, 1.0), min_size=3, max_size=3),
    "expectation": st.floats(0.2, 2.0), "pass_through": st.floats(0.01, 1.0),
    "partners_free_riding": unit, "alignment": unit, "cost_share": unit,
    "value_share": unit, "n_members": st.integers(2, 10), "irritation": st.floats(0.0, 0.2),
}


def _pull_inputs(draw: dict) -> dict:
    motives = np.array(draw["motives"])
    return draw | {"value_by_motive": np.array(draw["value_by_motive"]),
                   "motives": motives / motives.sum(), "memory": 0.2, "weights": WEIGHTS}


@given(st.fixed_dictionaries(PULL_INPUTS))
def test_pulls_cover_every_cause_are_never_negative_and_split_the_value_shortfall(draw) -> None:
    inputs = _pull_inputs(draw)
    levels = mech.satisfaction_pulls(**inputs)
    assert levels.shape == (len(GRIEVANCE_CAUSES),)
    assert (levels >= -1e-12).all()
    value = float(inputs["motives"] @ inputs["value_by_motive"])
    shortfall = max(0.0, 1.0 - value / inputs["expectation"])
    value_causes = [CAUSE[c] for c in (EndCause.MISTRUST, EndCause.INSUFFICIENT_VALUE,
                                       EndCause.INFORMATION_BLOCKED)]
    talk = levels[CAUSE[EndCause.ONLY_TALK]] - inputs["irritation"] / 0.2
    assert levels[value_causes].sum() + talk == pytest.approx(shortfall, abs=1e-9)


def test_pulls_work_on_arrays_over_members() -> None:
    """The same numbers member by member and for all members at once (shape (7, members))."""
    values = np.array([[1.0, 0.2], [0.5, 0.9], [0.4, 0.7]])
    together = pulls(value_by_motive=values, motives=np.full((3, 2), 1 / 3),
                     expectation=np.array([1.0, 1.3]), alignment=np.array([0.9, 0.4]),
                     partners_free_riding=np.array([0.0, 0.3]))
    for k in range(2):
        alone = pulls(value_by_motive=values[:, k], motives=np.full(3, 1 / 3),
                      expectation=[1.0, 1.3][k], alignment=[0.9, 0.4][k],
                      partners_free_riding=[0.0, 0.3][k])
        assert together[:, k] == pytest.approx(alone)


def test_each_cause_pulls_harder_as_it_worsens() -> None:
    base = pulls()
    worse = {
        EndCause.FREE_RIDING: pulls(partners_free_riding=0.4),
        EndCause.MISALIGNED_GOALS: pulls(alignment=0.4),
        EndCause.UNEQUAL_BENEFITS: pulls(cost_share=0.5, value_share=0.2),
        EndCause.INFORMATION_BLOCKED: pulls(pass_through=0.2,
                                            value_by_motive=np.array([1.0, 0.4, 0.6])),
        EndCause.MISTRUST: pulls(value_by_motive=np.array([1.0, 1.0, 0.1])),
        EndCause.ONLY_TALK: pulls(value_by_motive=np.array([0.2, 1.0, 0.6])),
    }
    for cause, levels in worse.items():
        assert levels[CAUSE[cause]] > base[CAUSE[cause]], cause


def test_a_shortfall_of_information_not_due_to_the_barriers_is_insufficient_value() -> None:
    """With nothing blocked, the organisational shortfall is too little followed up."""
    open_barriers = pulls(pass_through=1.0, value_by_motive=np.array([1.0, 0.3, 1.0]))
    assert open_barriers[CAUSE[EndCause.INFORMATION_BLOCKED]] == 0.0
    assert open_barriers[CAUSE[EndCause.INSUFFICIENT_VALUE]] > 0.0


def test_unequal_benefits_vanish_when_fairly_served() -> None:
    assert pulls(cost_share=0.2, value_share=0.3)[CAUSE[EndCause.UNEQUAL_BENEFITS]] == 0.0
    burdened = pulls(cost_share=0.4, value_share=0.2, n_members=4)
    assert burdened[CAUSE[EndCause.UNEQUAL_BENEFITS]] == pytest.approx(WEIGHTS[1] * 0.2 * 4)


@given(satisfaction=unit, total=st.floats(0.0, 3.0), memory=st.floats(0.01, 1.0))
def test_satisfaction_stays_in_unit_interval(satisfaction, total, memory) -> None:
    levels = np.full(len(GRIEVANCE_CAUSES), total / len(GRIEVANCE_CAUSES))
    assert 0.0 <= mech.update_satisfaction(satisfaction, levels, memory) <= 1.0


def test_satisfaction_falls_below_full_by_the_remembered_pulls() -> None:
    """The decomposition: from full satisfaction and no remembered pulls, satisfaction after
    any months equals 1 minus the sum of the remembered pulls (inside the bounds)."""
    rng = np.random.default_rng(3)
    satisfaction, remembered = 1.0, np.zeros(len(GRIEVANCE_CAUSES))
    for _ in range(24):
        month = rng.uniform(0.0, 0.08, len(GRIEVANCE_CAUSES))
        satisfaction = mech.update_satisfaction(satisfaction, month, 0.2)
        remembered = mech.remember_pulls(remembered, month, 0.2)
    assert satisfaction == pytest.approx(1.0 - remembered.sum())


def test_the_tipping_cause_is_the_largest_remembered_pull() -> None:
    remembered = np.array([0.05, 0.02, 0.2, 0.01, 0.1, 0.0, 0.02])
    cause, share = mech.tipping_cause(remembered)
    assert cause is GRIEVANCE_CAUSES[2]
    assert share == pytest.approx(0.2 / remembered.sum())
    assert np.isnan(mech.tipping_cause(np.zeros(len(GRIEVANCE_CAUSES)))[1])


def test_goals_drift_out_of_alignment() -> None:
    assert mech.drift_alignment(0.8, 0.01) == pytest.approx(0.792)
    assert mech.drift_alignment(np.array([0.8, 0.5]), 0.0) == pytest.approx([0.8, 0.5])


@given(own=unit, partners=unit, reciprocity=unit)
def test_conditional_cooperators_withhold_more_when_partners_do(own, partners,
                                                                reciprocity) -> None:
    withheld = mech.conditional_free_riding(own, partners, reciprocity)
    assert own - 1e-12 <= withheld <= 1.0 + 1e-12
    assert mech.conditional_free_riding(own, min(1.0, partners + 0.1), reciprocity) >= withheld


# --- representatives, scope, privacy-enhancing technology -----------------------------------
def test_more_representatives_keep_more_trust_through_turnover() -> None:
    one = mech.representative_trust_loss(0.8, 0.3, 0.05, 1)
    three = mech.representative_trust_loss(0.8, 0.3, 0.05, 3)
    assert one == pytest.approx(0.8 - 0.05 * 0.5)
    assert 0.3 < one < three < 0.8
    assert mech.representative_trust_loss(0.8, 0.3, 0.0, 1) == 0.8


def test_scope_takes_the_founding_domain_then_the_members_main_interests() -> None:
    interests = [np.array([0.2, 1.0, 0.4, 0.1]), np.array([0.0, 0.5, 0.5, 0.0])]
    assert mech.scope_domains(3, interests, 1) == (3,)
    assert mech.scope_domains(3, interests, 3) == (3, 1, 2)
    assert mech.scope_conflict_share(1, 0.1) == 0.0
    assert mech.scope_conflict_share(4, 0.1) == pytest.approx(0.3)


def test_privacy_enhancing_technology_lets_more_through_at_a_lower_value_per_item() -> None:
    without = mech.information_pass_through(0.6, 0.3, 0.3)
    relief = mech.combined_relief(0.0, 0.7)
    with_pet = mech.information_pass_through(0.6, 0.3, 0.3, legal_relief=relief)
    assert with_pet > without
    value = mech.pet_information_value(with_pet, without, 0.8)
    assert 0.8 < value < 1.0
    assert value * with_pet > without  # more value gets through than without it
    assert mech.combined_relief(0.4, 0.5) == pytest.approx(0.7)


# --- standing -----------------------------------------------------------------------------
@given(standing=unit, societal=st.floats(0.0, 5.0), cost=st.floats(0.0, 0.2))
def test_public_standing_rises_with_results_and_falls_with_favouring_few_firms(
    standing: float, societal: float, cost: float,
) -> None:
    def after(standing: float, societal: float, firms: float) -> float:
        # what the month of joint work does: the change, then standing kept within [0, 1]
        return float(mech.within(standing + mech.public_standing_change(societal, firms, cost),
                                 0.0, 1.0))

    no_firm = after(standing, societal, 0)
    one_firm = after(standing, societal, 1)
    federation = after(standing, societal, 12)
    assert 0.0 <= one_firm <= federation <= no_firm <= 1.0
    assert no_firm >= standing
    assert after(0.5, 2.0, 0) == after(0.5, 1.5, 0)  # visible results count up to 1.5


@given(risk=unit, governance=unit)
def test_publicity_incidents_are_likelier_for_risk_takers_under_light_control(
    risk: float, governance: float,
) -> None:
    chance = mech.incident_probability(risk, governance)
    assert 0.0 <= chance <= 0.004
    assert mech.incident_probability(min(1.0, risk + 0.1), governance) >= chance
    assert mech.incident_probability(risk, min(1.0, governance + 0.1)) <= chance


@given(standing=unit)
def test_private_standing_grows_slowly_and_drops_in_an_incident(standing: float) -> None:
    calm, hit = mech.within(standing + mech.private_standing_change(np.array([False, True])),
                            0.0, 1.0).tolist()
    assert 0.0 <= hit < calm <= 1.0
    assert calm == pytest.approx(min(1.0, standing + 0.002))


# --- stage --------------------------------------------------------------------------------
@given(stage=st.sampled_from(list(Stage)), trust=unit, age=st.integers(0, 120),
       satisfaction=unit)
def test_stage_moves_at_most_one_step_and_stays_on_the_continuum(stage, trust, age,
                                                                 satisfaction) -> None:
    new = int(mech.next_stage(stage, trust, age, satisfaction))
    assert new in set(Stage) and abs(new - stage) <= 1
    if new > stage:
        assert trust >= 0.6 + 0.1 * stage and age >= 12 * (stage + 1) and satisfaction >= 0.6
    if new < stage:
        assert trust < 0.3


def test_stage_rises_with_trust_time_and_satisfaction_and_falls_with_mistrust() -> None:
    assert Stage(int(mech.next_stage(Stage.TRANSACTIONAL, 0.75, 24, 0.7))) is Stage.INTEGRATIVE
    assert Stage(int(mech.next_stage(Stage.TRANSACTIONAL, 0.75, 23, 0.7))) is Stage.TRANSACTIONAL
    assert Stage(int(mech.next_stage(Stage.TRANSACTIONAL, 0.75, 24, 0.5))) is Stage.TRANSACTIONAL
    assert Stage(int(mech.next_stage(Stage.TRANSACTIONAL, 0.2, 60, 0.9))) is Stage.PHILANTHROPIC
    assert Stage(int(mech.next_stage(Stage.PHILANTHROPIC, 0.1, 60, 0.1))) is Stage.PHILANTHROPIC
    assert Stage(int(mech.next_stage(Stage.INTEGRATIVE, 1.0, 120, 1.0))) is Stage.INTEGRATIVE
    # all partnerships of a month at once, stages as integers
    stages = mech.next_stage(np.array([1, 1, 0]), np.array([0.75, 0.2, 0.1]),
                             np.array([24, 60, 60]), np.array([0.7, 0.9, 0.1]))
    assert stages.tolist() == [Stage.INTEGRATIVE, Stage.PHILANTHROPIC, Stage.PHILANTHROPIC]


@given(low=st.floats(0.1, 1.0), high=st.floats(1.0, 3.0))
def test_later_stages_create_more_value(low: float, high: float) -> None:
    values = [mech.stage_value(stage, low, high) for stage in Stage]
    assert values == sorted(values)
    assert mech.stage_value(Stage.TRANSACTIONAL, low, high) == 1.0


# --- funding, evaluation, exits ------------------------------------------------------------
@given(own=st.floats(0.0, 100.0), external=st.floats(0.0, 100.0), satisfaction=unit)
def test_members_carry_on_more_often_the_more_they_fund_and_like_it(
    own: float, external: float, satisfaction: float,
) -> None:
    share = mech.own_funding_share(own, external)
    assert 0.0 <= share <= 1.0
    assert mech.own_funding_share(own + 1.0, external) >= share
    chance = mech.carry_on_probability(satisfaction, share)
    assert 0.0 <= chance <= 1.0
    assert mech.carry_on_probability(min(1.0, satisfaction + 0.1), share) >= chance
    assert mech.carry_on_probability(satisfaction, min(1.0, share + 0.1)) >= chance


def test_no_money_at_all_counts_as_self_funded() -> None:
    assert mech.own_funding_share(0.0, 0.0) == 1.0
    assert mech.own_funding_share(0.0, 8.0) == 0.0


@given(threshold=st.floats(0.0, 0.6), low=unit, high=unit)
def test_evaluation_is_harsher_the_less_satisfied_the_members(threshold, low, high) -> None:
    assume(low <= high)
    order = ["terminate", "renew", "continue"]
    worse = mech.evaluation_decision(low, threshold)
    better = mech.evaluation_decision(high, threshold)
    assert order.index(worse) <= order.index(better)
    assert mech.evaluation_decision(0.6, threshold) == "continue"


@given(expectation=st.floats(0.2, 3.0), optimism=st.floats(-1.0, 2.0), satisfaction=unit,
       value=st.floats(0.0, 3.0))
def test_revitalisation_realigns_expectations_and_lifts_satisfaction(
    expectation, optimism, satisfaction, value,
) -> None:
    new_expectation, new_optimism, new_satisfaction = mech.revitalised(
        expectation, optimism, satisfaction, value)
    target = max(value, 0.2)
    assert min(expectation, target) - 1e-12 <= new_expectation <= max(expectation, target) + 1e-12
    assert abs(new_optimism) <= abs(optimism)
    assert satisfaction <= new_satisfaction <= 1.0


@given(base=st.integers(1, 60))
def test_members_are_more_patient_without_exit_strategy(base: int) -> None:
    quickest = mech.exit_patience(base, exit_strategy=True)
    assert quickest == base
    assert mech.exit_patience(base, exit_strategy=False) > quickest


@given(value=st.floats(-10.0, 10.0))
def test_clamp_keeps_a_value_in_the_unit_interval(value: float) -> None:
    clamped = mech.clamp01(value)
    assert 0.0 <= clamped <= 1.0
    assert clamped == value or not 0.0 <= value <= 1.0


# --- learning -----------------------------------------------------------------------------
@given(capability=unit, rate=st.floats(0.0, 0.2), culture=unit)
def test_learning_is_monotone_and_bounded(capability: float, rate: float, culture: float) -> None:
    learned = mech.learn(capability, rate, culture)
    assert capability - 1e-12 <= learned <= 1.0 + 1e-12


@given(capability=st.floats(0.0, 0.99), rate=st.floats(0.001, 0.2))
def test_partnership_culture_speeds_learning(capability: float, rate: float) -> None:
    assert mech.learn(capability, rate, 1.0) > mech.learn(capability, rate, 0.0) > capability


def test_learning_converges_towards_full_capability() -> None:
    capability = 0.1
    path = []
    for _ in range(500):
        capability = mech.learn(capability, 0.05, 0.0)
        path.append(capability)
    assert path == sorted(path)
    assert 0.95 < path[-1] <= 1.0
    assert mech.learn(1.0, 0.2, 1.0) == pytest.approx(1.0)
    assert mech.learn(0.3, 0.0, 1.0) == 0.3


def test_capability_levels_rise_with_capability() -> None:
    levels = [mech.capability_level(c) for c in np.linspace(0.0, 1.0, 21)]
    assert levels == sorted(levels)
    assert levels[0] == 1 and levels[-1] == 3
    assert set(levels) == {1, 2, 3}



def test_evaluation_is_due_at_whole_intervals_of_age_and_never_without_an_interval() -> None:
    ages = np.arange(0, 40)
    assert np.flatnonzero(mech.evaluation_due(ages, 12)).tolist() == [12, 24, 36]
    assert not mech.evaluation_due(ages, 0).any()
    # all partnerships of a month at once, each with its interval, as one at a time
    intervals = np.array([12, 6, 0, 12])
    ages = np.array([24, 9, 12, 0])
    one_at_a_time = [bool(mech.evaluation_due(a, i))
                     for a, i in zip(ages.tolist(), intervals.tolist(), strict=True)]
    assert mech.evaluation_due(ages, intervals).tolist() == one_at_a_time
    assert mech.evaluation_due(ages, intervals).tolist() == [True, False, False, False]
