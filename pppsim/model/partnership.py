"""Partnerships: negotiated, operated, evaluated and dissolved month by month."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from statistics import fmean
from typing import TYPE_CHECKING

import mesa

from . import mechanisms as mech
from .events import EventKind
from .vocabulary import AGREEMENTS, GRIEVANCE_CAUSES, EndCause, Funding, Stage

if TYPE_CHECKING:
    from .model import PartnershipModel
    from .organisation import Organisation

STAGE_VALUE = {Stage.PHILANTHROPIC: 0.85, Stage.TRANSACTIONAL: 1.0, Stage.INTEGRATIVE: 1.2}
"""Value multiplier of Austin's stages: merged missions create more [001 L149-L161]."""
OUTPUT_REFERENCE = 0.8
"""Monthly output that members regard as a partnership doing its job."""
INFORMATION_REFERENCE = 0.5
"""Information items per month a member regards as a worthwhile return."""
GOAL_MONTHS = 72
"""Months of reference output a partnership sets as its goal in negotiation (002 L1123)."""
INITIAL_SATISFACTION = 0.7
"""Satisfaction at launch: members start hopeful."""
OPTIMISM_MEAN = 0.15
"""Mean over-estimate of value in negotiation ('under-promise, over-deliver' 002 L846)."""
OPTIMISM_SD = 0.35
"""Spread of misestimated value when expectations are left fully implicit."""
PUBLIC_SHARING_FACTOR = 0.5
"""Public partners share less: sharing may endanger investigations [002 L1312, L1346]."""
UMBRELLA_INFORMATION_FACTOR = 0.7
"""An umbrella organisation passes on generic rather than firm-specific information."""
GRANT_REPORTING_OVERHEAD = 0.15
"""Share of effort a fully strict grant takes for reporting [001 L281]."""
UNEVALUATED_PATIENCE = 1.5
"""Factor by which members wait longer to leave when the partnership never evaluates."""
FORMAL_COMMITMENT = 0.6
"""Share of the priority-shift hazard a fully formal agreement removes (management signed)."""
RECRUIT_PROBABILITY = 0.02
"""Monthly chance a thriving partnership recruits a newcomer [002 L897]."""
MAX_MEMBERS = 10


@dataclass
class MemberLedger:
    """What one member puts into and gets out of a partnership."""

    joined_month: int
    commitment_fte: float
    commitment_keur: float
    expectation: float
    optimism: float
    domain_fit: float
    """Goal overlap of the member's interests with the partnership's crime domain."""
    satisfaction: float = INITIAL_SATISFACTION
    months_dissatisfied: int = 0
    value: float = 0.0
    value_by_motive: tuple[float, float, float] = (0.0, 0.0, 0.0)
    effort_fte: float = 0.0
    money_keur: float = 0.0
    free_riding: float = 0.0
    shared: float = 0.0
    grievances: dict[EndCause, float] = field(
        default_factory=lambda: dict.fromkeys(GRIEVANCE_CAUSES, 0.0)
    )


class Partnership(mesa.Agent):
    """A public-private partnership in the alliance form [002 L280-L341].

    It carries its design (governance, agreement, funding, meeting and evaluation intervals,
    platform, confidentiality agreement, exit strategy), its Austin stage [001 L149-L161],
    per-member ledgers, shared and followed-up information, and once ended, exactly one end
    cause.  TNO's phases [002 L1068-L1190] are its states: negotiating (no ``launched_month``),
    operating, and ended (an ``end_cause``); evaluation, revitalisation and transformation are
    the decisions of an evaluation, in the event log.
    """

    model: PartnershipModel

    def __init__(
        self,
        model: PartnershipModel,
        *,
        initiator: Organisation,
        members: list[Organisation],
        domain: int,
        funding: Funding,
    ) -> None:
        super().__init__(model)
        p = model.p
        rng = model.rng
        self.initiator = initiator.unique_id
        self.domain = domain
        self.stage = Stage.TRANSACTIONAL
        self.governance = float(min(1.0, max(0.0, rng.normal(p.governance, p.governance_spread))))
        self.formality = float(min(1.0, max(0.0, rng.normal(p.agreement_formality, 0.15))))
        self.funding = funding
        self.funding_keur = {
            Funding.GRANT: p.grant_keur, Funding.STRUCTURAL: p.structural_keur,
            Funding.IN_KIND: 0.0,
        }[self.funding]
        self.funding_end_month: int | None = None
        self.meeting_interval_months = p.meeting_interval_months
        self.evaluation_interval_months = p.evaluation_interval_months
        self.platform = bool(rng.random() < p.platform_share)
        self.confidentiality_agreement = bool(rng.random() < p.confidentiality_share)
        self.exit_strategy = bool(rng.random() < p.exit_strategy_share)

        self.members: dict[int, MemberLedger] = {}
        self.member_history: list[int] = []
        self.founders = tuple(m.unique_id for m in members)
        self.started_month = model.month
        self.launched_month: int | None = None
        self.ended_month: int | None = None
        self.end_cause: EndCause | None = None
        trust = self.mean_trust(members)
        overlap = self.complementarity(members)
        capability = fmean(m.capability for m in members)
        self.negotiation_months_needed = mech.negotiation_duration(
            p.negotiation_months, trust, self.governance, self.formality, capability)
        self.months_negotiating = 0
        self.initial_trust = trust
        self.goal_output = 0.0
        self.pipeline: deque[float] = deque()
        self.prevented_total = 0.0
        self.harm_prevented = 0.0
        self.shared_total = 0.0
        self.shared_private_total = 0.0
        self.followed_total = 0.0
        self.last = {"shared": 0.0, "followed": 0.0, "output": 0.0, "trust": trust,
                     "free_riding": 0.0, "follow_up_ratio": 1.0}
        self.founding_overlap = overlap
        self.trust_history: list[float] = []
        """Mean trust among the members at the end of each month of operation."""
        self.newcomer_months: list[int] = []
        """Months of operation (indices into trust_history) in which a newcomer joined."""
        self.failing_since: int | None = None
        """Month since which mean satisfaction has been below the exit threshold."""
        self._pending_members = members

    # --- derived state ---------------------------------------------------------------------
    @property
    def agreement(self) -> str:
        """Agreement form from formality: none, MoU, covenant, contract, legal entity."""
        return AGREEMENTS[round(self.formality * (len(AGREEMENTS) - 1))]

    @property
    def is_active(self) -> bool:
        return self.end_cause is None

    @property
    def is_operating(self) -> bool:
        return self.launched_month is not None and self.end_cause is None

    @property
    def age_months(self) -> int:
        """Months since launch (0 before launch)."""
        if self.launched_month is None:
            return 0
        end = self.ended_month if self.ended_month is not None else self.model.month
        return end - self.launched_month

    def organisations(self) -> list[Organisation]:
        by_id = self.model.organisation_by_id
        return [by_id[i] for i in self.members]

    @staticmethod
    def mean_trust(orgs: list[Organisation]) -> float:
        """Mean directed trust over all ordered pairs of members."""
        pairs = [a.trust_in(b) for a in orgs for b in orgs if a is not b]
        return fmean(pairs) if pairs else 0.0

    def complementarity(self, orgs: list[Organisation]) -> float:
        """Mean goal overlap of the members with the partnership's domain and each other."""
        pairs = [mech.goal_overlap(a.interest, b.interest)
                 for i, a in enumerate(orgs) for b in orgs[i + 1:]]
        return fmean(pairs) if pairs else 0.0

    @property
    def goal_progress(self) -> float:
        """Prevention achieved so far as a share of the goal set at launch (0 before launch)."""
        return self.prevented_total / self.goal_output if self.goal_output else 0.0

    @property
    def months_failing(self) -> int:
        """Months its members have on average been below their exit threshold (0 if not)."""
        if self.failing_since is None:
            return 0
        end = self.ended_month if self.ended_month is not None else self.model.month
        return end - self.failing_since

    def sectors_present(self) -> tuple[bool, bool]:
        orgs = self.organisations()
        return any(o.is_public for o in orgs), any(not o.is_public for o in orgs)

    # --- formation -------------------------------------------------------------------------
    def negotiate(self) -> None:
        """One month of negotiation: it may break down, or conclude and launch.

        Negotiation takes time and can fail [002 L1119-L1129, L986]; low trust and low goal
        overlap make breakdown likelier [001 L311, L137].  On success the design is fixed
        (phases design and launch) and each member's expectations are set: control-style
        design and formal agreements make expectations explicit, trust-style design leaves them
        implicit and so more often wrong [002 L1288-L1296, L1173].
        """
        model, p = self.model, self.model.p
        orgs = self._pending_members
        self.months_negotiating += 1
        trust = self.mean_trust(orgs)
        breakdown = mech.negotiation_breakdown_probability(
            p.negotiation_breakdown, trust, self.founding_overlap)
        if model.rng.random() < breakdown:
            model.events.record(
                model.month, EventKind.NEGOTIATION_FAILED, partnership=self.unique_id,
                organisation=self.initiator, others=self.founders,
                cause=EndCause.NEGOTIATION_FAILED, trust=trust, overlap=self.founding_overlap,
                breakdown_probability=breakdown, months=self.months_negotiating)
            self.dissolve(EndCause.NEGOTIATION_FAILED)
            return
        if self.months_negotiating < self.negotiation_months_needed:
            return
        model.events.record(
            model.month, EventKind.NEGOTIATION_SUCCEEDED, partnership=self.unique_id,
            organisation=self.initiator, others=self.founders, months=self.months_negotiating,
            trust=trust)
        self.launch(orgs)

    def launch(self, orgs: list[Organisation]) -> None:
        """Design and launch: fix expectations and the goal, start the funding clock."""
        model = self.model
        self.launched_month = model.month
        if self.funding is Funding.GRANT:
            self.funding_end_month = model.month + model.p.grant_months
        clarity = 0.5 * self.governance + 0.5 * self.formality
        for org in orgs:
            self.admit(org, clarity)
        scale = (len(orgs) / 3.0) ** 0.5
        self.goal_output = GOAL_MONTHS * OUTPUT_REFERENCE * scale * model.rng.uniform(0.7, 1.5)
        self._pending_members = []
        model.events.record(
            model.month, EventKind.LAUNCHED, partnership=self.unique_id,
            organisation=self.initiator, others=tuple(self.members),
            governance=self.governance, agreement=self.agreement, funding=str(self.funding),
            platform=self.platform, confidentiality_agreement=self.confidentiality_agreement,
            exit_strategy=self.exit_strategy, goal_output=self.goal_output)

    def admit(self, org: Organisation, clarity: float) -> None:
        """Add a member with its commitment and expectation."""
        model = self.model
        optimism = float(model.rng.normal(OPTIMISM_MEAN, OPTIMISM_SD * (1.0 - 0.7 * clarity)))
        self.members[org.unique_id] = MemberLedger(
            joined_month=model.month,
            commitment_fte=org.commitment_fte,
            commitment_keur=org.commitment_keur,
            expectation=max(0.2, 1.0 + optimism),
            optimism=optimism,
            domain_fit=mech.goal_overlap(org.interest, model.domain_vector(self.domain)),
        )
        org.partnerships[self.unique_id] = self
        self.member_history.append(org.unique_id)
        model.events.record(model.month, EventKind.JOINED, partnership=self.unique_id,
                            organisation=org.unique_id, expectation=1.0 + optimism)

    def welcome_newcomer(self, newcomer: Organisation) -> None:
        """A newcomer joins; incumbents' mutual trust is diluted for a while [001 L141]."""
        incumbents = self.organisations()
        dilution = self.model.p.newcomer_dilution
        for a in incumbents:
            for b in incumbents:
                if a is not b:
                    a.trust[b.unique_id] = a.trust_in(b) * (1.0 - dilution)
        self.admit(newcomer, 0.5 * self.governance + 0.5 * self.formality)
        self.newcomer_months.append(len(self.trust_history))

    # --- operation -------------------------------------------------------------------------
    def operate(self) -> None:
        """One month of joint work: contribute, share, follow up, prevent, value, trust.

        The order follows MODEL.md §3.3; each step is a function in :mod:`mechanisms`.
        """
        model, p = self.model, self.model.p
        orgs = self.organisations()
        ledgers = [self.members[o.unique_id] for o in orgs]
        n = len(orgs)
        funded = self.funding_keur if self.funding is not Funding.IN_KIND else 0.0
        frequency = mech.meeting_frequency(self.meeting_interval_months)
        meeting_factor = mech.meeting_trust_factor(frequency)
        irritation = mech.meeting_irritation(frequency, p.meeting_tolerance_per_month)
        overhead = mech.control_overhead(self.governance, p.control_overhead)
        if self.funding is Funding.GRANT:
            overhead += GRANT_REPORTING_OVERHEAD * p.grant_strictness
        overhead = min(overhead, 0.95)
        pass_through = mech.information_pass_through(
            p.legal_barrier, p.organisational_barrier, p.technical_barrier,
            legal_relief=p.covenant_legal_relief if self.formality >= 0.5 else 0.0,
            organisational_relief=p.confidentiality_relief * self.confidentiality_agreement,
            technical_relief=p.platform_relief * self.platform,
        )
        meeting_time = p.meeting_cost_fte * frequency

        # contributions and information sharing
        willingness = []
        productive_effort = 0.0
        money = 0.0
        shared_private = shared_public = 0.0
        follow_up_items = 0.0
        for org, led in zip(orgs, ledgers, strict=True):
            o_eff = mech.effective_opportunism(org.opportunism, self.governance, p.control_efficacy)
            led.free_riding = mech.free_riding(o_eff, n, self.formality)
            delivered = led.commitment_fte * (1.0 - led.free_riding)
            led.effort_fte = max(0.0, delivered - meeting_time)
            led.money_keur = led.commitment_keur * (1.0 - led.free_riding)
            productive_effort += led.effort_fte * (1.0 - overhead) * (0.8 + 0.4 * org.capability)
            money += led.money_keur
            trust_out = fmean(org.trust_in(o) for o in orgs if o is not org)
            willingness.append(trust_out)
            items = mech.ITEMS_PER_FTE * led.effort_fte * org.information * trust_out * pass_through
            if org.is_public:
                led.shared = items * (1.0 - p.follow_up_share) * PUBLIC_SHARING_FACTOR
                shared_public += led.shared
                follow_up_items += (mech.ITEMS_PER_FTE * led.effort_fte * p.follow_up_share
                                    * p.follow_up_capacity)
            else:
                if org.is_umbrella:
                    items *= UMBRELLA_INFORMATION_FACTOR
                led.shared = items
                shared_private += items
        followed, ratio = mech.follow_up(shared_private, follow_up_items)
        resources = money + funded

        # joint output, delayed prevention
        multiplier = (mech.governance_value_multiplier(
            self.governance, self.founding_overlap, p.trust_governance_bonus)
            * STAGE_VALUE[self.stage])
        output = mech.joint_output(productive_effort, resources, followed,
                                   fmean(willingness), multiplier)
        self.pipeline.append(output)
        matured = self.pipeline.popleft() if len(self.pipeline) > p.prevention_delay_months else 0.0
        harm_prevented = model.prevent(self.domain, matured)

        # value to each member, by motive [002 L465-L523, L1242]
        n_public = sum(o.is_public for o in orgs)
        n_private = n - n_public
        societal = (0.5 * output + 0.5 * matured) / OUTPUT_REFERENCE
        values = []
        for org, led, trust_out in zip(orgs, ledgers, willingness, strict=True):
            if org.is_public:
                organisational = shared_private / max(n_public, 1) / INFORMATION_REFERENCE
            else:
                own_followed = followed * (led.shared / shared_private) if shared_private else 0.0
                organisational = (own_followed + shared_public / max(n_private, 1)) \
                    / INFORMATION_REFERENCE
            individual = trust_out
            by_motive = (societal, organisational, individual)
            led.value_by_motive = by_motive
            led.value = float(org.motives @ by_motive)
            values.append(led.value)

        # trust, satisfaction, grievances
        total_value = sum(values) or 1.0
        total_effort = sum(led.effort_fte for led in ledgers) or 1.0
        total_money = sum(led.money_keur for led in ledgers) or 1.0
        external_share = funded / resources if resources > 0 else 0.0
        memory = p.satisfaction_memory
        for org, led, trust_out in zip(orgs, ledgers, willingness, strict=True):
            self._update_trust_of(org, orgs, ratio, meeting_factor, external_share)
            cost_share = 0.5 * led.effort_fte / total_effort + 0.5 * led.money_keur / total_money
            value_share = led.value / total_value
            others_free_riding = fmean(
                self.members[o.unique_id].free_riding for o in orgs if o is not org)
            grievance_now = {
                EndCause.MISTRUST: 1.0 - trust_out,
                EndCause.INSUFFICIENT_VALUE: (1.0 - ratio) if not org.is_public
                else max(0.0, 1.0 - led.value_by_motive[1]),
                EndCause.FREE_RIDING: others_free_riding,
                EndCause.INFORMATION_BLOCKED: 1.0 - pass_through,
                EndCause.MISALIGNED_GOALS: (1.0 - led.domain_fit) + abs(led.optimism),
                EndCause.UNEQUAL_BENEFITS: max(0.0, cost_share - value_share) * n,
                EndCause.ONLY_TALK: (overhead + meeting_time / max(led.commitment_fte, 1e-9))
                * max(0.0, 1.0 - societal),
            }
            for cause, level in grievance_now.items():
                led.grievances[cause] += memory * (level - led.grievances[cause])
            led.satisfaction = mech.update_satisfaction(
                led.satisfaction, led.value, led.expectation, memory, irritation)
            self._update_standing(org, n_private, societal)

        self.prevented_total += matured
        self.harm_prevented += harm_prevented
        self.shared_total += shared_private + shared_public
        self.shared_private_total += shared_private
        self.followed_total += followed
        trust_now = self.mean_trust(orgs)
        self.last = {"shared": shared_private + shared_public, "followed": followed,
                     "output": output, "trust": trust_now, "follow_up_ratio": ratio,
                     "free_riding": fmean(led.free_riding for led in ledgers),
                     "shared_private": shared_private}
        self.trust_history.append(trust_now)
        self._update_stage(trust_now)

    def _update_trust_of(
        self, org: Organisation, orgs: list[Organisation], follow_up_ratio: float,
        meeting_factor: float, external_share: float,
    ) -> None:
        """Trust of ``org`` in each partner after a month of seeing them deliver.

        Partners that under-deliver, or a public side that does not follow up, lose trust
        [001 L141; 002 L1242]; conflict over external money erodes it [002 L578].
        """
        p = self.model.p
        for other in orgs:
            if other is org:
                continue
            reliability = 1.0 - self.members[other.unique_id].free_riding
            if other.is_public and not org.is_public:
                reliability = min(reliability, follow_up_ratio)
            trust = mech.update_trust(org.trust_in(other), reliability, p.trust_build_rate,
                                      p.trust_erosion_ratio, meeting_factor)
            org.trust[other.unique_id] = max(0.0, trust - p.allocation_conflict * external_share)

    def _update_standing(self, org: Organisation, n_private: int, societal: float) -> None:
        """Legitimacy and reputation effects of partnering [002 L1254-L1258; 001 L103].

        Visible results raise a public body's legitimacy; partnering with one single firm
        costs it legitimacy (an umbrella organisation does not); publicity can cost a firm its
        reputation, more so under action-oriented, lightly controlled partnerships
        [002 L1258, L1278].
        """
        p, rng = self.model.p, self.model.rng
        if org.is_public:
            org.standing += 0.004 * min(societal, 1.5)
            single_firm = [o for o in self.organisations()
                           if not o.is_public and not o.is_umbrella]
            if n_private == 1 and len(single_firm) == 1:
                org.standing -= p.single_firm_legitimacy_cost
        else:
            org.standing += 0.002
            incident = 0.004 * org.risk_style * (1.0 - self.governance)
            if rng.random() < incident:
                org.standing -= 0.3
        org.standing = min(1.0, max(0.0, org.standing))

    def _update_stage(self, trust: float) -> None:
        """Move along Austin's continuum as trust and activity grow [001 L161]."""
        satisfaction = fmean(led.satisfaction for led in self.members.values())
        old = self.stage
        if (self.stage < Stage.INTEGRATIVE and trust >= 0.6 + 0.1 * self.stage
                and self.age_months >= 12 * (self.stage + 1) and satisfaction >= 0.6):
            self.stage = Stage(self.stage + 1)
        elif self.stage > Stage.PHILANTHROPIC and trust < 0.3:
            self.stage = Stage(self.stage - 1)
        if self.stage is not old:
            self.model.events.record(self.model.month, EventKind.STAGE_CHANGED,
                                     partnership=self.unique_id, stage=self.stage.name.lower(),
                                     trust=trust, satisfaction=satisfaction)

    # --- funding, evaluation, exit ---------------------------------------------------------
    def check_funding(self) -> None:
        """A grant ends: renewed, carried on in kind, or the partnership ends.

        The more external funding, the more continuity hangs on its source [002 L578];
        sustainable funding allows long-term work [001 L193]; embedding after the pilot is the
        hard part [002 L683].  Members carry on in kind with probability given by their
        satisfaction and the share of resources they already bring themselves.
        """
        model = self.model
        if self.funding is not Funding.GRANT or model.month < self.funding_end_month:
            return
        if model.rng.random() < model.p.grant_renewal_probability:
            self.funding = Funding.STRUCTURAL
            self.funding_keur = model.p.structural_keur
            model.events.record(model.month, EventKind.FUNDING_RENEWED,
                                partnership=self.unique_id)
            return
        satisfaction = fmean(led.satisfaction for led in self.members.values())
        own = sum(led.commitment_keur for led in self.members.values())
        own_share = own / (own + self.funding_keur) if own + self.funding_keur > 0 else 1.0
        carry_on = satisfaction * (0.5 + 0.5 * own_share)
        model.events.record(model.month, EventKind.FUNDING_ENDED, partnership=self.unique_id,
                            satisfaction=satisfaction, own_share=own_share,
                            carry_on_probability=carry_on)
        if model.rng.random() < carry_on:
            self.funding = Funding.IN_KIND
            self.funding_keur = 0.0
        else:
            self.dissolve(EndCause.FUNDING_ENDED, satisfaction=satisfaction, own_share=own_share)

    def evaluation_due(self) -> bool:
        interval = self.evaluation_interval_months
        return interval > 0 and self.age_months > 0 and self.age_months % interval == 0

    def evaluate(self) -> None:
        """Evaluate: goals reached, continue, revitalise, transform or terminate.

        Members compare value with expectations on goals and functioning [002 L1038-L1055];
        outcomes are vitalise, transform or terminate [002 L1175-L1187].  Regular evaluation
        ends failing partnerships sooner and rescues salvageable ones [001 L283]: a partnership
        whose members are on average below their exit threshold is terminated as a whole, one
        that is unsatisfying but above it is revitalised or transformed.  A partnership
        that reached its goals ends (a success) if it agreed an exit strategy; otherwise it
        sets itself new goals and carries on [002 L1185, L1493].
        """
        model = self.model
        satisfaction = fmean(led.satisfaction for led in self.members.values())
        progress = self.goal_progress
        values = {"satisfaction": satisfaction, "progress": progress}
        if progress >= 1.0:
            if self.exit_strategy:
                self._record_evaluation("goals reached", values)
                self.dissolve(EndCause.GOALS_REACHED, **values)
                return
            self._record_evaluation("goals reached, new goals set", values)
            self.goal_output += self.goal_output
        if satisfaction >= 0.6:
            self._record_evaluation("continue", values)
        elif satisfaction >= model.p.exit_threshold:
            self._revitalise_or_transform(values)
        else:
            cause, excess = self.dominant_grievance()
            self._record_evaluation("terminate", values | {"grievance_excess": excess})
            self.dissolve(cause, **values)
            return

    def _revitalise_or_transform(self, values: dict[str, float]) -> None:
        """Transform (the dissatisfied leave, newcomers are sought) or revitalise.

        The evaluation is the occasion at which members below their exit threshold say so and
        leave, instead of muddling on [002 L1185]; the partnership then seeks replacements
        (transform: a change of composition [002 L1181]).  If nobody is below the threshold,
        expectations are realigned with what the partnership delivers (revitalise [002 L1179]).
        """
        model = self.model
        leaving = [i for i, led in self.members.items()
                   if led.satisfaction < model.p.exit_threshold]
        if leaving:
            self._record_evaluation("transform", values | {"leaving": len(leaving)})
            for org_id in leaving:
                if not self.is_active:
                    return
                led = self.members[org_id]
                cause, excess = mech.dominant_grievance(led.grievances)
                self.remove_member(model.organisation_by_id[org_id], cause,
                                   satisfaction=led.satisfaction, grievance_excess=excess)
            for _ in leaving:
                if self.is_active:
                    model.recruit(self)
            return
        self._record_evaluation("revitalise", values)
        for led in self.members.values():
            led.expectation = 0.5 * led.expectation + 0.5 * max(led.value, 0.2)
            led.optimism *= 0.5
            led.satisfaction = min(1.0, led.satisfaction + 0.1)

    def _record_evaluation(self, decision: str, values: dict) -> None:
        self.model.events.record(self.model.month, EventKind.EVALUATED,
                                 partnership=self.unique_id, cause=decision,
                                 **(self.status_values() | values))

    def status_values(self) -> dict[str, float]:
        """Trust, satisfaction by sector and information totals so far, for the event log.

        EVALUATED and DISSOLVED events carry them, so that a partnership's story can tell how
        trust and satisfaction moved and what was shared and followed up.
        """
        status = {"trust": self.last["trust"], "shared": self.shared_total,
                  "shared_by_private": self.shared_private_total,
                  "followed_up": self.followed_total}
        for sector, public in (("public", True), ("private", False)):
            levels = [led.satisfaction for i, led in self.members.items()
                      if self.model.organisation_by_id[i].is_public is public]
            if levels:
                status[f"satisfaction_{sector}"] = fmean(levels)
        return status

    def dominant_grievance(self) -> tuple[EndCause, float]:
        """The partnership's main problem: the members' mean grievances, furthest over par."""
        ledgers = list(self.members.values())
        mean = {c: fmean(led.grievances[c] for led in ledgers) for c in GRIEVANCE_CAUSES}
        return mech.dominant_grievance(mean)

    def consider_exits(self) -> None:
        """Members leave for lasting dissatisfaction, lost standing or shifted priorities.

        A member leaves when satisfaction stays below its threshold [002 L1203, L1280-L1282]
        (twice as long without an agreed exit strategy: parties muddle on [002 L1185]; and
        longer again without evaluations, where problems surface late [001 L283]), when
        its legitimacy or reputation is at risk [002 L1254-L1258], or when its board's
        priorities shift [002 L1061, L1203] — less often under a formal agreement that its
        senior management signed [002 L1131-L1142; 001 L80, L313].
        """
        model, p = self.model, self.model.p
        patience = p.exit_patience_months * (1 if self.exit_strategy else 2) \
            * (1.0 if self.evaluation_interval_months else UNEVALUATED_PATIENCE)
        shift_hazard = p.priority_shift_hazard * (1.0 - FORMAL_COMMITMENT * self.formality)
        failing = fmean(led.satisfaction for led in self.members.values()) < p.exit_threshold
        if not failing:
            self.failing_since = None
        elif self.failing_since is None:
            self.failing_since = model.month
        for org in self.organisations():
            if not self.is_active:
                return
            led = self.members[org.unique_id]
            if org.standing < p.standing_exit_threshold:
                self.remove_member(org, EndCause.LEGITIMACY_RISK, standing=org.standing,
                                   threshold=p.standing_exit_threshold)
                continue
            if model.rng.random() < shift_hazard:
                self.remove_member(org, EndCause.PRIORITY_SHIFT, hazard=shift_hazard)
                continue
            if led.satisfaction < p.exit_threshold:
                led.months_dissatisfied += 1
            else:
                led.months_dissatisfied = 0
            if led.months_dissatisfied >= patience:
                cause, excess = mech.dominant_grievance(led.grievances)
                self.remove_member(org, cause, satisfaction=led.satisfaction,
                                   threshold=p.exit_threshold, months=led.months_dissatisfied,
                                   grievance_excess=excess)

    def remove_member(self, org: Organisation, cause: EndCause, **values: float) -> None:
        """A member leaves; the partnership dissolves if it is no longer viable.

        A PPS needs two members from different sectors [002 L280-L281, L321]: when fewer than
        two remain, or one sector is gone, it ends with the cause of the exit that broke it.
        """
        model = self.model
        led = self.members.pop(org.unique_id)
        del org.partnerships[self.unique_id]
        values = {"satisfaction": led.satisfaction} | values
        model.events.record(model.month, EventKind.EXITED, partnership=self.unique_id,
                            organisation=org.unique_id, cause=cause, sector=str(org.sector),
                            **values)
        model.exits_this_month.append((org.sector, cause))
        has_public, has_private = self.sectors_present()
        if len(self.members) < 2 or not (has_public and has_private):
            self.dissolve(cause, **values)

    def dissolve(self, cause: EndCause, **values: float) -> None:
        """End the partnership with exactly one cause; every member's seat is released."""
        model = self.model
        assert self.end_cause is None, "a partnership ends once"
        for org_id in list(self.members) + [o.unique_id for o in self._pending_members]:
            model.organisation_by_id[org_id].partnerships.pop(self.unique_id, None)
        self.end_cause = cause
        self.ended_month = model.month
        model.events.record(model.month, EventKind.DISSOLVED, partnership=self.unique_id,
                            others=tuple(self.members) or self.founders, cause=cause,
                            age=self.age_months, **(self.status_values() | values))
        model.ended_this_month.append(self)
        self.remove()
