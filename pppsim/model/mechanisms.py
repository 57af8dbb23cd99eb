"""The model's mechanisms as small pure functions.

Each function is one causal claim from the seed documents or one published submodel; its
docstring names the source (``[001 L141]`` = seed file 001, line 141).  They take and return
plain numbers or numpy arrays so that a test can exercise each alone; ``Partnership`` and
``PartnershipModel`` call them in the order of the process overview in docs/ODD.md.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .constants import TRANSACTIONAL_STAGE_VALUE
from .vocabulary import GRIEVANCE_CAUSES, EndCause, Stage


def within(value, low: float, high: float):
    """``value`` held within [``low``, ``high``], elementwise on numpy arrays (the same as
    ``np.clip``, without its dispatch: the month's arrays are small and the call frequent)."""
    return np.minimum(np.maximum(value, low), high)


def divide_where(numerator, denominator, where, out: np.ndarray) -> np.ndarray:
    """``numerator / denominator`` where ``where`` holds, written into ``out`` (which keeps
    its value elsewhere, and is returned): a quotient defined only where its denominator
    allows, with no division elsewhere.  Elementwise on numpy arrays, broadcasting as
    division does.  The compiled month (:mod:`pppsim.model.compiled`) brings its own
    version of this function and of :func:`sum_rows`, the two numpy calls here that numba
    does not compile."""
    return np.divide(numerator, denominator, out=out, where=where)


def sum_rows(x: np.ndarray) -> np.ndarray:
    """The sum of the rows of ``x`` (over its first axis), added in row order."""
    return np.add.reduce(x, axis=0)


def running_max(x: np.ndarray) -> np.ndarray:
    """Each entry's maximum of ``x`` up to it (``np.maximum.accumulate``)."""
    return np.maximum.accumulate(x)


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


def goal_overlap(interest_a: np.ndarray, interest_b: np.ndarray, *,
                 norm_a: float | None = None, norm_b: float | None = None) -> float:
    """Cosine similarity of two organisations' interests over crime domains.

    Goal overlap decides whether partners are worth approaching [001 L107-L111]; different
    goals need not conflict [002 L539], so overlap is graded, not all-or-nothing.

    ``norm_a`` and ``norm_b``, if given, are ``np.linalg.norm`` of the vectors, computed once
    by a caller whose vectors do not change (an organisation's interest, a partnership's
    domains); the result is the same number.
    """
    if norm_a is None:
        norm_a = np.linalg.norm(interest_a)
    if norm_b is None:
        norm_b = np.linalg.norm(interest_b)
    denom = float(norm_a * norm_b)
    return float(interest_a @ interest_b) / denom if denom > 0 else 0.0


def partner_score(fit: float, trust: float, alpha: float) -> float:
    """Attractiveness of a candidate partner: fit^alpha * trust^(1-alpha).

    Partner choice with trust, Klos & Nooteboom 2001 (``alpha`` is
    ``partner_choice_fit_weight``); composition strongly determines the course and result of a
    PPS [002 L1117].
    """
    return fit**alpha * np.maximum(trust, 1e-9) ** (1.0 - alpha)


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
    one barrier (:func:`combined_relief` when two instruments act on the same barrier).
    Barriers act in series, so their pass-through fractions multiply.
    """
    return (
        (1.0 - legal * (1.0 - legal_relief))
        * (1.0 - organisational * (1.0 - organisational_relief))
        * (1.0 - technical * (1.0 - technical_relief))
    )


def combined_relief(*reliefs: float) -> float:
    """Share of one barrier that several instruments remove together: each removes its share of
    what the others leave (a covenant's legal basis, then privacy-enhancing technology on the
    legal barrier that remains [002 L803, L1322])."""
    left = 1.0
    for relief in reliefs:
        left *= 1.0 - relief
    return 1.0 - left


def pet_information_value(pass_with: float, pass_without: float, value_kept: float) -> float:
    """Value, per item shared, of information that passes thanks to privacy-enhancing technology.

    Analysing data without disclosing it (multi-party computation) lets through information the
    legal barrier would stop, but an item analysed blind is worth only ``value_kept`` of a
    disclosed one [002 L1322, L1637-L1639]: of ``pass_with`` items passing, ``pass_without``
    would have passed anyway at full value.  Returns the mean value factor of a passing item.
    """
    if pass_with <= 0.0:
        return 1.0
    return (pass_without + value_kept * (pass_with - pass_without)) / pass_with


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


def conditional_free_riding(own: float, partners: float, reciprocity: float) -> float:
    """Share withheld by a conditional cooperator: its own temptation, plus a share of what it
    has seen its partners withhold.

    Most people cooperate conditionally, matching part of others' contributions, so that
    cooperation decays once some free ride (Fischbacher & Gachter 2010); each partner must
    bring people or means [002 L898].  ``partners`` is the partners' mean withheld share last
    month; works elementwise on numpy arrays over members.
    """
    return own + reciprocity * (1.0 - own) * partners


def scope_domains(founding: int, interests: Iterable[np.ndarray],
                  scope: int) -> tuple[int, ...]:
    """The crime domains a partnership takes on: its founding domain, then the domains its
    members together care most about (the sum of their ``interests``, one array each),
    ``scope`` in all [002 L570-L572]."""
    if scope <= 1:  # (the interests are not added up)
        return (founding,)
    order = [int(d) for d in np.argsort(-sum(interests), kind="stable") if d != founding]
    return (founding, *order[:max(0, scope - 1)])


def scope_conflict_share(scope: int, conflict: float) -> float:
    """Share of effort and of goal alignment lost to priority discussions in a partnership
    with ``scope`` domains: none with one domain, rising with breadth [002 L743; 001 L210]."""
    return min(0.9, conflict * (scope - 1))


def representative_trust_loss(trust, baseline, turnover: float, representatives: int):
    """Trust towards a partner after a month of representative turnover.

    Trust is built person to person [002 L899]: a representative who is replaced takes the
    trust they built above the organisation's prejudice-based ``baseline``.  With several
    representatives, colleagues who stay introduce the newcomer and pass on all but a
    1/``representatives`` share of it ([002 L733]: at least two persons for continuity).  Each
    of the ``representatives`` leaves with probability ``turnover`` and carries 1/representatives
    of the trust, of which 1/representatives is lost: an expected loss of turnover /
    representatives of the trust above the baseline each month.  Works on arrays.
    """
    return trust - (turnover / representatives) * (trust - baseline)


def control_overhead(governance: float, overhead_at_full_control: float) -> float:
    """Share of effort spent on agreements and monitoring instead of action [002 L1292].

    Convex in control: light agreements cost little, while at the control extreme effort goes
    into agreements rather than execution and bureaucracy grows [002 L1290-L1294].
    """
    return overhead_at_full_control * governance**2


def prevented_shares(domains: np.ndarray, amounts: np.ndarray, harm: np.ndarray,
                     underlying: np.ndarray) -> np.ndarray:
    """The share of its domain's underlying harm each entry of a month's prevention takes
    away (:func:`~pppsim.model.partnership.operation.prevent`): entry by entry in the given
    order, each takes the harm ``amounts`` it wants, at most what its domain's ``harm`` has
    left after the entries before it; prevention cannot take more harm than there is
    [001 L191].  ``domains``: each entry's domain; ``harm`` and ``underlying``: each domain's
    harm now and without prevention."""
    order = np.argsort(domains, kind="mergesort")  # stable: the entries' order per domain
    ordered, wanted = domains[order], amounts[order]
    # what the entries of the same domain before each one took (each takes all it wants
    # until the domain's harm is used up)
    before = np.cumsum(wanted) - wanted
    first = np.empty(len(ordered), dtype=np.bool_)
    first[0] = True
    first[1:] = ordered[1:] != ordered[:-1]
    before -= running_max(np.where(first, before, 0.0))
    taken = np.minimum(wanted, np.maximum(0.0, harm[ordered] - before))
    below = underlying[ordered]
    shares = np.empty(len(domains))
    shares[order] = divide_where(taken, below, below > 0, np.zeros(len(taken)))
    return shares


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
    within [0, 1].  Works elementwise on numpy arrays over pairs of partners.
    """
    shortfall = (reliability_norm - reliability) / reliability_norm
    trust = np.where(reliability >= reliability_norm,
                     trust + build_rate * meeting_factor * (1.0 - trust),
                     trust - build_rate * erosion_ratio * shortfall * trust)
    return within(trust, 0.0, 1.0)


def follow_up(shared_by_private: float, follow_up_capacity_items: float) -> tuple[float, float]:
    """Information followed up by the public side, and the ratio followed up.

    Private value often only arrives once the public side follows up; capacity shortages or
    other priorities cause too little or too late follow-up [002 L1242].  The ratio is 1
    where nothing was shared.  Works elementwise on numpy arrays over partnerships.
    """
    shared = np.asarray(shared_by_private, dtype=np.float64)
    followed = np.minimum(shared, follow_up_capacity_items)
    ratio = divide_where(followed, shared, shared > 0, np.ones_like(followed))
    return followed, ratio


def joint_output(
    productive_effort: float, resources: float, followed_information: float, trust: float,
    multiplier: float, information_weight: float,
) -> float:
    """Monthly output of a partnership's prevention and interventions.

    Joint prevention needs both engaged people and money: funding without commitment and
    commitment without funding both achieve little [001 L216-L218], hence a Cobb-Douglas term.
    Joint work yields more where partners trust each other: personal relationships and trust
    bring results and joint conflict resolution [002 L899] (Ansell & Gash 2008: trust ->
    commitment -> outcomes); the factor 0.5 + trust is 1 at medium trust.  Interventions on
    followed-up information add ``information_weight`` per item acted on: sharing and acting on
    information is the core of crime-fighting partnerships [001 L220-L252; 002 L578,
    L1242, L1302-L1330].  Works elementwise on numpy arrays over partnerships.
    """
    joint = 0.25 * np.sqrt(np.maximum(productive_effort, 0.0) * np.maximum(resources, 0.0)) \
        * (0.5 + trust)
    return (joint + information_weight * followed_information) * multiplier


def stage_value(stage: Stage, philanthropic: float, integrative: float) -> float:
    """Value multiplier of Austin's stages: merged missions create more [001 L149-L161].
    Works elementwise on numpy arrays of stages."""
    return np.array([philanthropic, TRANSACTIONAL_STAGE_VALUE, integrative])[stage]


def satisfaction_pulls(
    value_by_motive: np.ndarray, motives: np.ndarray, expectation, pass_through,
    partners_free_riding, alignment, cost_share, value_share, n_members,
    irritation, memory: float, weights: np.ndarray,
) -> np.ndarray:
    """What pulls a member's satisfaction below full, by cause (rows in GRIEVANCE_CAUSES order).

    A member weighs what the partnership brings it against what it expected and what it costs
    [002 L1038-L1055, L897-L898]; TNO's failure reasons [002 L1061] and the Piraeus challenges
    [001 L199-L205] are the causes.  Each pull is in satisfaction units; the target satisfaction
    is 1 minus their sum (:func:`update_satisfaction`):

    * the value shortfall ``max(0, 1 - value / expectation)``, split over the motives that fall
      short (value = motives . value_by_motive, the motives summing to 1): the societal shortfall
      is *only talk, no results* [002 L1272]; the individual one (value of the relationships,
      i.e. trust) *mistrust* [001 L137]; the organisational one is split between *information
      blocked* (the log-share of the barriers' pass-through in the log-shortfall [002 L1302])
      and *insufficient value / no follow-up* (the rest: too little followed up, too little
      shared [002 L1242]);
    * ``weights[0]`` x partners' mean free riding: reciprocity, others' free riding is felt
      (Fischbacher & Gachter 2010; [002 L575]);
    * ``weights[1]`` x (burden share - benefit share) x members: unequal benefits and burdens
      [002 L898, L1061];
    * ``weights[2]`` x (1 - alignment): the partnership's goals no longer match the member's own
      [002 L1061, L1203];
    * meeting irritation / ``memory`` (the steady loss of irritation per month), *only talk*
      [001 L141].

    Inputs may be numpy arrays over members (``value_by_motive`` and ``motives`` then have
    shape (3, members)); the result has shape (7,) or (7, members).
    """
    value_by_motive = np.asarray(value_by_motive, dtype=np.float64)
    motives = np.asarray(motives, dtype=np.float64)
    expectation = np.asarray(expectation, dtype=np.float64)
    ratio = value_by_motive / expectation
    shortfall = np.maximum(0.0, 1.0 - sum_rows(motives * ratio))
    by_motive = np.maximum(0.0, motives * (1.0 - ratio))
    total = sum_rows(by_motive)
    share = divide_where(by_motive, total, total > 0, np.zeros_like(by_motive))
    by_motive = shortfall * share  # societal, organisational, individual
    # the log of what passes over the log of the organisational value (both at most 0: the
    # same quotient as of their negatives, the log-shortfalls)
    log_value = np.log(within(ratio[1], 1e-9, 1.0))
    log_passing = np.log(within(pass_through, 1e-9, 1.0))
    blocked_share = within(divide_where(log_passing, log_value, log_value < 0,
                                        np.ones_like(log_value)), 0.0, 1.0)
    # each cause's row written in turn (a scalar input fills its row for every member); the
    # shape joined with + (numba compiles no unpacking into a tuple)
    pulls = np.empty((_CAUSES,) + np.shape(shortfall))  # noqa: RUF005
    pulls[0] = by_motive[2]                                               # mistrust
    pulls[1] = by_motive[1] * (1.0 - blocked_share)                       # insufficient value
    pulls[2] = weights[0] * partners_free_riding                          # free riding
    pulls[3] = by_motive[1] * blocked_share                               # information blocked
    pulls[4] = weights[2] * (1.0 - alignment)                             # misaligned goals
    pulls[5] = weights[1] * np.maximum(0.0, cost_share - value_share) * n_members  # unequal
    pulls[6] = by_motive[0] + irritation / memory                         # only talk
    return pulls


_CAUSES = len(GRIEVANCE_CAUSES)
"""The number of causes of dissatisfaction (rows of :func:`satisfaction_pulls`)."""


def update_satisfaction(satisfaction, pulls: np.ndarray, memory: float):
    """Move satisfaction towards 1 minus the month's pulls (:func:`satisfaction_pulls`).

    Members judge a PPS by the value it realises against what was expected and what it costs
    them [002 L1038-L1055]; an exponential memory of weight ``memory``; within [0, 1].  Works on
    arrays over members (``pulls`` of shape (7, members)).
    """
    target = 1.0 - sum_rows(np.asarray(pulls))
    return within(satisfaction + memory * (target - satisfaction), 0.0, 1.0)


def remember_pulls(grievances: np.ndarray, pulls: np.ndarray, memory: float) -> np.ndarray:
    """Each cause's pull as the member remembers it, with the same memory as satisfaction.

    Because satisfaction is the same exponential average of 1 minus the pulls, its fall below
    full is (up to the bounds 0 and 1 and the starting level) the sum of these remembered pulls:
    the decomposition of the member's dissatisfaction by cause.
    """
    return grievances + memory * (pulls - grievances)


def tipping_cause(grievances: np.ndarray) -> tuple[EndCause, float]:
    """The cause that tipped a member's decision: the largest remembered pull, and its share
    of the summed pulls [002 L1061; 001 L199-L205]."""
    grievances = np.asarray(grievances, dtype=float)
    k = int(np.argmax(grievances))
    total = float(grievances.sum())
    return GRIEVANCE_CAUSES[k], float(grievances[k]) / total if total > 0 else float("nan")


def drift_alignment(alignment, drift: float):
    """Alignment of a partnership's goals with a member's own after a month: interests and
    priorities move on [002 L1198-L1203], so alignment decays at rate ``drift`` until a review
    realigns the goals [002 L739].  Works on arrays."""
    return alignment * (1.0 - drift)


def public_standing_change(
    societal_value: float, firms_represented: float, favouritism_cost: float,
) -> float:
    """What a month in a partnership does to a public body's legitimacy [002 L1254-L1258;
    001 L103].

    Visible results raise it (0.004 per unit of societal value, at most 1.5 units).  A public
    body must not be seen to favour particular firms [001 L103; 002 L1254]: it loses
    ``favouritism_cost`` divided by the number of firms the private members represent (one for
    each firm, all firms of its kind for an umbrella organisation), so a partnership with one
    firm costs most, several firms less, a sector's federation hardly anything.  Works
    elementwise on numpy arrays over members.
    """
    firms = np.asarray(firms_represented, dtype=np.float64)
    favouritism = divide_where(favouritism_cost, firms, firms > 0, np.zeros_like(firms))
    return 0.004 * np.minimum(societal_value, 1.5) - favouritism


def incident_probability(risk_style: float, governance: float) -> float:
    """Monthly chance that publicity costs a firm its reputation [002 L1258, L1278]: more so
    for action-oriented firms in lightly controlled partnerships."""
    return 0.004 * risk_style * (1.0 - governance)


def private_standing_change(incident: bool) -> float:
    """What a month in a partnership does to a firm's reputation: social commitment raises it
    a little [002 L519]; a publicity incident costs it 0.3 [002 L1258].  Works elementwise on
    numpy arrays over members."""
    return 0.002 - 0.3 * np.asarray(incident, dtype=np.float64)


def next_stage(stage: Stage, trust: float, age_months: int, satisfaction: float) -> Stage:
    """Austin's continuum [001 L161]: one stage up as trust, time together and satisfaction
    grow (trust at least 0.6 + 0.1 stage, 12 (stage + 1) months, satisfaction 0.6), one down
    when trust falls below 0.3.  Works elementwise on numpy arrays over partnerships (stages
    as integers)."""
    stage = np.asarray(stage)
    up = (trust >= _UP_TRUST[stage]) & (age_months >= _UP_MONTHS[stage]) & (satisfaction >= 0.6)
    down = trust < _DOWN_TRUST[stage]
    return stage + up - down  # never both: up needs trust of at least 0.6, down below 0.3


_STAGES = np.arange(len(Stage))
_UP_TRUST = np.where(_STAGES < Stage.INTEGRATIVE, 0.6 + 0.1 * _STAGES, np.inf)
"""The trust a partnership needs to move up from each stage (:func:`next_stage`; none moves up
from the last)."""
_UP_MONTHS = 12 * (_STAGES + 1)
"""The months of operation it needs to move up from each stage."""
_DOWN_TRUST = np.where(_STAGES > Stage.PHILANTHROPIC, 0.3, -np.inf)
"""Below this trust it moves down from each stage (none from the first)."""


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


def evaluation_due(age_months, interval_months):
    """Whether a partnership evaluates this month: at each whole number (at least one) of
    evaluation intervals of age; never with an interval of 0 (regular evaluation [001 L283;
    002 L1162-L1187]).  Works elementwise on numpy arrays over partnerships."""
    interval = np.asarray(interval_months)
    return (interval > 0) & (age_months > 0) & (age_months % np.maximum(interval, 1) == 0)


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


def exit_patience(base_months: float, exit_strategy: bool) -> float:
    """Months a dissatisfied member waits before it leaves [002 L1203, L1280-L1282]: twice as
    long without an agreed exit strategy (parties muddle on [002 L1185])."""
    return base_months * np.where(exit_strategy, 1, 2)


def learn(capability: float, rate: float, culture: float) -> float:
    """PPP capability grows with experience; a partnership-culture policy speeds it.

    From 'critical success factor' to 'core competence' [002 L1554-L1570]; learning routines
    and a PPS office accelerate it [002 L1588-L1596].  A month closes at most the whole gap.
    """
    return capability + min(1.0, rate * (1.0 + 2.0 * culture)) * (1.0 - capability)


def capability_level(capability: float) -> int:
    """TNO's three capability levels: 1 ad hoc, 2 extended, 3 institutionalised [002 L1554]."""
    return 1 + (capability >= 0.4) + (capability >= 0.75)
