"""The model's mechanisms as small pure functions.

Each function is one causal claim from the seed documents or one published submodel; its
docstring names the source (``[001 L141]`` = seed file 001, line 141).  They take and return
plain numbers or numpy arrays so that a test can exercise each alone; ``Partnership`` and
``PartnershipModel`` call them in the order of the process overview in docs/ODD.md.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from .constants import FORMAL_COMMITMENT, TRANSACTIONAL_STAGE_VALUE, UNEVALUATED_PATIENCE
from .vocabulary import GRIEVANCE_CAUSES, EndCause, Stage


def clamp01(value: float) -> float:
    """``value`` held within [0, 1] (trust, satisfaction, standing, governance, formality).

    The same as ``min(1.0, max(0.0, value))`` (NaN and -0.0 give 0.0), without the two calls.
    """
    if value > 0.0:
        return value if value < 1.0 else 1.0
    return 0.0


def initial_trust(
    base: float, prejudice: float, power_imbalance: float, *, cross_sector: bool,
    truster_is_private: bool,
) -> float:
    """Starting trust: lower across sectors (prejudice), lower still from the weaker side.

    Prejudice about the other sector and power imbalance lower trust [001 L139, L311];
    trust starts relatively low because partners barely know each other [002 L1250].
    """
    trust = base
    if cross_sector:
        trust -= prejudice
        if truster_is_private:
            trust -= power_imbalance
    return clamp01(trust)


def goal_overlap(interest_a: np.ndarray, interest_b: np.ndarray) -> float:
    """Cosine similarity of two organisations' interests over crime domains.

    Goal overlap decides whether partners are worth approaching [001 L107-L111]; different
    goals need not conflict [002 L539], so overlap is graded, not all-or-nothing.
    """
    denom = float(np.linalg.norm(interest_a) * np.linalg.norm(interest_b))
    return float(interest_a @ interest_b) / denom if denom > 0 else 0.0


def partner_score(fit: float, trust: float, alpha: float) -> float:
    """Attractiveness of a candidate partner: fit^alpha * trust^(1-alpha).

    Partner choice with trust, Klos & Nooteboom 2001 (``alpha`` is
    ``partner_choice_fit_weight``); composition strongly determines the course and result of a
    PPS [002 L1117].
    """
    return fit**alpha * max(trust, 1e-9) ** (1.0 - alpha)


def join_utility(
    fit: float, trust: float, n_members: int, *, barrier: float, subsidy: float,
    strictness: float, is_private: bool, grant_funded: bool, coordination_cost: float,
) -> float:
    """Expected utility of joining a proposed partnership (Tomasello et al. 2017).

    Goal fit and trust in the initiator attract [001 L107-L111, L137]; coordination costs grow
    with the number of partners; firms weigh the risk of sharing information [002 L1312] and
    incentives such as subsidies [001 L125-L133]; over-strict grant requirements deter
    [001 L281].
    """
    utility = 0.5 * fit + 0.5 * trust
    utility -= coordination_cost * max(0, n_members - 2)
    utility -= 0.2 * barrier
    if is_private:
        utility += 0.3 * subsidy
    if grant_funded:
        utility -= 0.2 * strictness
    return utility


def negotiation_duration(
    base_months: float, trust: float, governance: float, formality: float, capability: float,
) -> float:
    """Months a negotiation takes.

    Low trust lengthens it [002 L1250]; control-based design and formal agreements take longer
    up front [002 L1292, L1129-L1142]; capable organisations negotiate faster [002 L1554-L1570].
    """
    return (
        base_months
        * (1.0 + 0.5 * governance + 0.5 * formality)
        * (1.5 - trust)
        / (0.75 + 0.5 * capability)
    )


def negotiation_breakdown_probability(base: float, trust: float, overlap: float) -> float:
    """Monthly chance a negotiation breaks down: more likely at low trust and low overlap.

    Incompatible priorities block formation [001 L311]; trust is needed from the start
    [001 L137].
    """
    return min(1.0, base * (1.0 - trust) * (1.2 - overlap))


def information_pass_through(
    legal: float, organisational: float, technical: float, *, legal_relief: float = 0.0,
    organisational_relief: float = 0.0, technical_relief: float = 0.0,
) -> float:
    """Share of shareable information that passes the three barriers.

    Barriers are legal, organisational and technical [001 L222]; a covenant with a legal basis
    [002 L803], a confidentiality agreement and a secure platform [001 L252] each remove part of
    one barrier.  Barriers act in series, so their pass-through fractions multiply.
    """
    return (
        (1.0 - legal * (1.0 - legal_relief))
        * (1.0 - organisational * (1.0 - organisational_relief))
        * (1.0 - technical * (1.0 - technical_relief))
    )


def effective_opportunism(opportunism: float, governance: float, control_efficacy: float) -> float:
    """Opportunism left after control: control-based governance curbs it [002 L1292].

    The curbing effect is concave in control: basic agreements and monitoring already catch
    most opportunism (contracts reduce opportunism: Cao & Lumineau 2015), further control adds
    less.
    """
    curbed = 1.0 - (1.0 - governance) ** 2
    return opportunism * (1.0 - control_efficacy * curbed)


def free_riding(
    effective_opportunism: float, n_members: int, formality: float, role_clarity: float,
) -> float:
    """Share of its commitment a member withholds.

    Multi-partner partnerships invite more free riding than bilateral ones [002 L575]: the
    return a member gets from its own contribution falls as 1/n (Isaac & Walker 1988), so the
    temptation grows as 1 - 1/n.  A formal agreement that gives every partner specific tasks
    makes withholding visible [001 L62, L80, L313]: role clarity removes up to
    ``role_clarity`` of it.
    """
    if n_members < 2:
        return 0.0
    clarity = 1.0 - role_clarity * formality
    return min(1.0, effective_opportunism * (1.0 - 1.0 / n_members) * 2.0 * clarity)


def control_overhead(governance: float, overhead_at_full_control: float) -> float:
    """Share of effort spent on agreements and monitoring instead of action [002 L1292].

    Convex in control: light agreements cost little, while at the control extreme effort goes
    into agreements rather than execution and bureaucracy grows [002 L1290-L1294].
    """
    return overhead_at_full_control * governance**2


def governance_value_multiplier(governance: float, complementarity: float, bonus: float) -> float:
    """Extra value of trust-based governance when goals are complementary [002 L1290]."""
    return 1.0 + bonus * (1.0 - governance) * complementarity


def meeting_frequency(interval_months: float) -> float:
    """Meetings per month."""
    return 1.0 / interval_months


def meeting_trust_factor(frequency: float, half_saturation: float) -> float:
    """Trust building from meeting, saturating in frequency, 1 at one meeting a month.

    Regular, preferably face-to-face meetings build trust [001 L141]; a second meeting in a
    week adds less than the first in a quarter.
    """
    half = half_saturation
    return frequency * (1.0 + half) / (frequency + half)


def meeting_irritation(frequency: float, tolerance: float, rate: float) -> float:
    """Satisfaction lost per month to too many meetings [001 L141]."""
    return rate * max(0.0, frequency - tolerance)


def update_trust(
    trust: float, reliability: float, build_rate: float, erosion_ratio: float,
    meeting_factor: float, reliability_norm: float,
) -> float:
    """One month of trust between two partners, asymmetric in gain and loss.

    Reliable delivery, signalled in meetings, builds trust in small steps [001 L137, L141];
    under-delivery erodes it ``erosion_ratio`` times faster (Slovic 1993; Klos & Nooteboom
    2001).  Reliable means delivering at least ``reliability_norm`` of the promise.  Stays
    within [0, 1].
    """
    if reliability >= reliability_norm:
        trust += build_rate * meeting_factor * (1.0 - trust)
    else:
        shortfall = (reliability_norm - reliability) / reliability_norm
        trust -= build_rate * erosion_ratio * shortfall * trust
    return clamp01(trust)


def follow_up(shared_by_private: float, follow_up_capacity_items: float) -> tuple[float, float]:
    """Information followed up by the public side, and the ratio followed up.

    Private value often only arrives once the public side follows up; capacity shortages or
    other priorities cause too little or too late follow-up [002 L1242].
    """
    followed = min(shared_by_private, follow_up_capacity_items)
    ratio = followed / shared_by_private if shared_by_private > 0 else 1.0
    return followed, ratio


def joint_output(
    productive_effort: float, resources: float, followed_information: float, trust: float,
    multiplier: float,
) -> float:
    """Monthly output of a partnership's prevention and interventions.

    Joint prevention needs both engaged people and money: funding without commitment and
    commitment without funding both achieve little [001 L216-L218], hence a Cobb-Douglas term.
    Joint work yields more where partners trust each other: personal relationships and trust
    bring results and joint conflict resolution [002 L899] (Ansell & Gash 2008: trust ->
    commitment -> outcomes); the factor 0.5 + trust is 1 at medium trust.  Interventions on
    followed-up information add to it [002 L1242, L1302].
    """
    joint = 0.25 * math.sqrt(max(productive_effort, 0.0) * max(resources, 0.0)) * (0.5 + trust)
    return (joint + 0.15 * followed_information) * multiplier


def stage_value(stage: Stage, philanthropic: float, integrative: float) -> float:
    """Value multiplier of Austin's stages: merged missions create more [001 L149-L161]."""
    return {Stage.PHILANTHROPIC: philanthropic, Stage.TRANSACTIONAL: TRANSACTIONAL_STAGE_VALUE,
            Stage.INTEGRATIVE: integrative}[stage]


def update_satisfaction(
    satisfaction: float, value: float, expectation: float, memory: float, penalty: float,
) -> float:
    """Move satisfaction towards realised value over expectation, minus irritation.

    Members judge a PPS by the value it realises against what was expected [002 L1038-L1055];
    within [0, 1].
    """
    target = min(1.0, value / expectation) if expectation > 0 else 1.0
    satisfaction += memory * (target - satisfaction) - penalty
    return clamp01(satisfaction)


def dominant_grievance(
    grievances: Mapping[EndCause, float], tolerance: Mapping[EndCause, float],
) -> tuple[EndCause, float]:
    """The grievance furthest above what a member tolerates: the cause it gives for leaving.

    Failure reasons after TNO [002 L1061] and EUCPN (Piraeus) [001 L199-L205]; ``tolerance``
    holds the ``tolerance_*`` parameters.
    """
    best, excess = GRIEVANCE_CAUSES[0], -math.inf
    for cause in GRIEVANCE_CAUSES:
        e = grievances[cause] - tolerance[cause]
        if e > excess:
            best, excess = cause, e
    return best, excess


def member_grievances(
    *, trust_in_partners: float, is_public: bool, follow_up_ratio: float,
    organisational_value: float, partners_free_riding: float, pass_through: float,
    domain_fit: float, optimism: float, cost_share: float, value_share: float, n_members: int,
    overhead: float, meeting_share: float, societal_value: float,
) -> dict[EndCause, float]:
    """This month's level of each of a member's seven grievances [002 L1061; 001 L199-L205].

    Mistrust is the trust it lacks in its partners [001 L137]; insufficient value is, for a
    firm, the information not followed up [002 L1242] and, for a public body, the shortfall of
    its information return; free riding is what its partners withhold [002 L575]; information
    blocked is what the barriers stop [002 L1302]; misaligned goals are its misfit with the
    domain plus its misjudged expectations; unequal benefits its excess of burden over benefit
    share, times the number of members; only talk the share of effort lost to overhead and
    meetings while societal results fall short [002 L1272].
    """
    return {
        EndCause.MISTRUST: 1.0 - trust_in_partners,
        EndCause.INSUFFICIENT_VALUE: (1.0 - follow_up_ratio) if not is_public
        else max(0.0, 1.0 - organisational_value),
        EndCause.FREE_RIDING: partners_free_riding,
        EndCause.INFORMATION_BLOCKED: 1.0 - pass_through,
        EndCause.MISALIGNED_GOALS: (1.0 - domain_fit) + abs(optimism),
        EndCause.UNEQUAL_BENEFITS: max(0.0, cost_share - value_share) * n_members,
        EndCause.ONLY_TALK: (overhead + meeting_share) * max(0.0, 1.0 - societal_value),
    }


def public_standing(
    standing: float, societal_value: float, single_firm: bool, single_firm_cost: float,
) -> float:
    """A public body's legitimacy after a month in a partnership [002 L1254-L1258; 001 L103].

    Visible results raise it (0.004 per unit of societal value, at most 1.5 units); partnering
    with one single firm costs it ``single_firm_cost`` (an umbrella organisation does not).
    """
    standing += 0.004 * min(societal_value, 1.5)
    if single_firm:
        standing -= single_firm_cost
    return clamp01(standing)


def incident_probability(risk_style: float, governance: float) -> float:
    """Monthly chance that publicity costs a firm its reputation [002 L1258, L1278]: more so
    for action-oriented firms in lightly controlled partnerships."""
    return 0.004 * risk_style * (1.0 - governance)


def private_standing(standing: float, incident: bool) -> float:
    """A firm's reputation after a month in a partnership: social commitment raises it a
    little [002 L519]; a publicity incident costs it 0.3 [002 L1258]."""
    standing += 0.002
    if incident:
        standing -= 0.3
    return clamp01(standing)


def next_stage(stage: Stage, trust: float, age_months: int, satisfaction: float) -> Stage:
    """Austin's continuum [001 L161]: one stage up as trust, time together and satisfaction
    grow (trust at least 0.6 + 0.1 stage, 12 (stage + 1) months, satisfaction 0.6), one down
    when trust falls below 0.3."""
    if (stage < Stage.INTEGRATIVE and trust >= 0.6 + 0.1 * stage
            and age_months >= 12 * (stage + 1) and satisfaction >= 0.6):
        return Stage(stage + 1)
    if stage > Stage.PHILANTHROPIC and trust < 0.3:
        return Stage(stage - 1)
    return stage


def own_funding_share(own_keur: float, external_keur: float) -> float:
    """Share of a partnership's money its members bring themselves (1 if there is none)."""
    total = own_keur + external_keur
    return own_keur / total if total > 0 else 1.0


def carry_on_probability(satisfaction: float, own_share: float) -> float:
    """Chance the members carry on in kind when a grant ends without renewal.

    Continuity hangs on the source of external money [002 L578]; embedding after the pilot is
    the hard part [002 L683]: satisfied members who already bring most of the resources
    themselves carry on.
    """
    return satisfaction * (0.5 + 0.5 * own_share)


def evaluation_decision(satisfaction: float, exit_threshold: float) -> str:
    """What an evaluation decides from the members' mean satisfaction [002 L1175-L1187]:
    ``continue`` (at least 0.6), ``renew`` (revitalise or transform; at least the exit
    threshold) or ``terminate``."""
    if satisfaction >= 0.6:
        return "continue"
    if satisfaction >= exit_threshold:
        return "renew"
    return "terminate"


def revitalised(
    expectation: float, optimism: float, satisfaction: float, value: float,
) -> tuple[float, float, float]:
    """A member's (expectation, optimism, satisfaction) after revitalisation [002 L1179]:
    expectations move halfway to the value delivered, optimism halves, satisfaction rises 0.1."""
    return (0.5 * expectation + 0.5 * max(value, 0.2), optimism * 0.5,
            min(1.0, satisfaction + 0.1))


def exit_patience(base_months: float, exit_strategy: bool, evaluates: bool) -> float:
    """Months a dissatisfied member waits before it leaves [002 L1203, L1280-L1282]: twice as
    long without an agreed exit strategy (parties muddle on [002 L1185]), longer again where the
    partnership never evaluates (problems surface late [001 L283])."""
    return base_months * (1 if exit_strategy else 2) * (1.0 if evaluates else UNEVALUATED_PATIENCE)


def priority_shift_hazard(base: float, formality: float) -> float:
    """Monthly chance a member's board withdraws support [002 L1061, L1203], lower under a
    formal agreement its senior management signed [002 L1131-L1142; 001 L80, L313]."""
    return base * (1.0 - FORMAL_COMMITMENT * formality)


def learn(capability: float, rate: float, culture: float) -> float:
    """PPP capability grows with experience; a partnership-culture policy speeds it.

    From 'critical success factor' to 'core competence' [002 L1554-L1570]; learning routines
    and a PPS office accelerate it [002 L1588-L1596].
    """
    return capability + rate * (1.0 + 2.0 * culture) * (1.0 - capability)


def capability_level(capability: float) -> int:
    """TNO's three capability levels: 1 ad hoc, 2 extended, 3 institutionalised [002 L1554]."""
    return 1 + (capability >= 0.4) + (capability >= 0.75)
