"""A month of joint work, step by step: contribute, share, produce, value, update members.

Each step is a method of :class:`Operation` that reads the month's :class:`~.ledger.Conditions`
and :class:`~.ledger.Flows` and calls the pure functions of :mod:`pppsim.model.mechanisms`; the
order is that of docs/ODD.md §3 (step 4) and §7.2.4-§7.2.10.
"""

from __future__ import annotations

from math import fsum
from typing import TYPE_CHECKING

from .. import mechanisms as mech
from ..constants import ITEMS_PER_FTE
from ..events import EventKind
from ..vocabulary import Funding
from .ledger import Conditions, Flows, MemberLedger

if TYPE_CHECKING:
    from ..organisation import Organisation
    from .agent import Partnership


class Operation:
    """One month of joint work: the part of :class:`Partnership` while it operates."""

    def operate(self: Partnership) -> None:
        """One month of joint work: contribute, share, follow up, produce, value, update."""
        orgs = self.organisations()
        ledgers = [self.members[o.unique_id] for o in orgs]
        conditions = self.conditions()
        effort, money = self._contribute(orgs, ledgers, conditions)
        willingness, shared_private, shared_public, follow_up_items = self._share(
            orgs, ledgers, conditions)
        followed, ratio = mech.follow_up(shared_private, follow_up_items)
        funded = self.funding_keur if self.funding is not Funding.IN_KIND else 0.0
        resources = money + funded
        output, matured, prevented_share = self._produce(effort, resources, followed,
                                                         willingness)
        flows = Flows(
            effort=effort, resources=resources,
            external_share=funded / resources if resources > 0 else 0.0,
            willingness=willingness, shared_private=shared_private, shared_public=shared_public,
            followed=followed, follow_up_ratio=ratio, output=output, matured=matured,
            prevented_share=prevented_share)
        societal = self._value(orgs, ledgers, flows)
        self._update_members(orgs, ledgers, conditions, flows, societal)
        self._close_month(orgs, flows)

    def conditions(self: Partnership) -> Conditions:
        """The month's working conditions from the design: meetings, overhead, barriers."""
        p = self.model.p
        frequency = mech.meeting_frequency(self.meeting_interval_months)
        overhead = mech.control_overhead(self.governance, p.control_overhead)
        if self.funding is Funding.GRANT:
            overhead += p.grant_reporting_overhead * p.grant_strictness
        return Conditions(
            meeting_factor=mech.meeting_trust_factor(frequency, p.meeting_half_saturation),
            irritation=mech.meeting_irritation(frequency, p.meeting_tolerance_per_month,
                                               p.meeting_irritation),
            overhead=min(overhead, 0.95),
            pass_through=mech.information_pass_through(
                p.legal_barrier, p.organisational_barrier, p.technical_barrier,
                legal_relief=p.covenant_legal_relief if self.formality >= 0.5 else 0.0,
                organisational_relief=p.confidentiality_relief * self.confidentiality_agreement,
                technical_relief=p.platform_relief * self.platform,
            ),
            meeting_time=p.meeting_cost_fte * frequency,
        )

    def _contribute(
        self: Partnership, orgs: list[Organisation], ledgers: list[MemberLedger],
        conditions: Conditions,
    ) -> tuple[float, float]:
        """Each member delivers its commitment less what it withholds (§7.2.4); returns the
        productive effort (FTE) and the members' money (k EUR)."""
        p = self.model.p
        n = len(orgs)
        productive_effort = 0.0
        money = 0.0
        for org, led in zip(orgs, ledgers, strict=True):
            o_eff = mech.effective_opportunism(org.opportunism, self.governance, p.control_efficacy)
            led.free_riding = mech.free_riding(o_eff, n, self.formality, p.role_clarity)
            delivered = led.commitment_fte * (1.0 - led.free_riding)
            led.effort_fte = max(0.0, delivered - conditions.meeting_time)
            led.money_keur = led.commitment_keur * (1.0 - led.free_riding)
            productive_effort += led.effort_fte * (1.0 - conditions.overhead) \
                * (0.8 + 0.4 * org.capability)
            money += led.money_keur
        return productive_effort, money

    def _share(
        self: Partnership, orgs: list[Organisation], ledgers: list[MemberLedger],
        conditions: Conditions,
    ) -> tuple[tuple[float, ...], float, float, float]:
        """Each member shares information as far as trust and the barriers let it (§7.2.5);
        public members keep part of their effort for follow-up (§7.2.6).

        Returns each member's mean trust in its partners, the items shared by firms and by
        public members, and the items the public side can follow up.
        """
        p = self.model.p
        willingness = []
        shared_private = shared_public = 0.0
        follow_up_items = 0.0
        for org, led in zip(orgs, ledgers, strict=True):
            known = org.trust
            trusts = [known[o.unique_id] if o.unique_id in known else org.trust_in(o)
                      for o in orgs if o is not org]
            trust_out = fsum(trusts) / len(trusts)  # statistics.fmean, without its overhead
            willingness.append(trust_out)
            items = ITEMS_PER_FTE * led.effort_fte * org.information * trust_out \
                * conditions.pass_through
            if org.is_public:
                led.shared = items * (1.0 - p.follow_up_share) * p.public_sharing_factor
                shared_public += led.shared
                follow_up_items += (ITEMS_PER_FTE * led.effort_fte * p.follow_up_share
                                    * p.follow_up_capacity)
            else:
                if org.is_umbrella:
                    items *= p.umbrella_information_factor
                led.shared = items
                shared_private += items
        return tuple(willingness), shared_private, shared_public, follow_up_items

    def _produce(
        self: Partnership, effort: float, resources: float, followed: float,
        willingness: tuple[float, ...],
    ) -> tuple[float, float, float]:
        """Joint output, and the output of ``prevention_delay_months`` ago that now lowers
        harm (§7.2.7); returns output, matured output and the share of the domain's underlying
        harm that the matured output prevents (§7.2.1)."""
        model, p = self.model, self.model.p
        multiplier = (mech.governance_value_multiplier(
            self.governance, self.founding_overlap, p.trust_governance_bonus)
            * mech.stage_value(self.stage, p.philanthropic_stage_value,
                               p.integrative_stage_value))
        output = mech.joint_output(effort, resources, followed,
                                   fsum(willingness) / len(willingness), multiplier)
        self.pipeline.append(output)
        matured = self.pipeline.popleft() if len(self.pipeline) > p.prevention_delay_months \
            else 0.0
        return output, matured, model.prevent(self.domain, matured) if matured > 0.0 else 0.0

    def _value(
        self: Partnership, orgs: list[Organisation], ledgers: list[MemberLedger], flows: Flows,
    ) -> float:
        """Value to each member by motive [002 L465-L523, L1242] (§7.2.8); returns the
        societal value, which all members share."""
        p = self.model.p
        n_public = sum(o.is_public for o in orgs)
        n_private = len(orgs) - n_public
        societal = (0.5 * flows.output + 0.5 * flows.matured) / p.output_reference
        for org, led, trust_out in zip(orgs, ledgers, flows.willingness, strict=True):
            if org.is_public:
                organisational = flows.shared_private / max(n_public, 1) \
                    / p.information_reference
            else:
                own_followed = flows.followed * (led.shared / flows.shared_private) \
                    if flows.shared_private else 0.0
                organisational = (own_followed + flows.shared_public / max(n_private, 1)) \
                    / p.information_reference
            by_motive = (societal, organisational, trust_out)
            led.value_by_motive = by_motive
            led.value = float(org.motives @ by_motive)
        return societal

    def _update_members(
        self: Partnership, orgs: list[Organisation], ledgers: list[MemberLedger],
        conditions: Conditions, flows: Flows, societal: float,
    ) -> None:
        """Trust, grievances, satisfaction and standing of each member (§7.2.9-§7.2.10)."""
        p = self.model.p
        total_value = sum(led.value for led in ledgers) or 1.0
        total_effort = sum(led.effort_fte for led in ledgers) or 1.0
        total_money = sum(led.money_keur for led in ledgers) or 1.0
        n_private = sum(not o.is_public for o in orgs)
        free_riding = [led.free_riding for led in ledgers]
        single_firm = n_private == 1 and sum(
            not o.is_public and not o.is_umbrella for o in orgs) == 1
        for k, (org, led, trust_out) in enumerate(
                zip(orgs, ledgers, flows.willingness, strict=True)):
            partners_free_riding = free_riding[:k] + free_riding[k + 1:]
            self._update_trust_of(org, orgs, flows.follow_up_ratio, conditions.meeting_factor,
                                  flows.external_share)
            levels = mech.member_grievances(
                trust_in_partners=trust_out, is_public=org.is_public,
                follow_up_ratio=flows.follow_up_ratio,
                organisational_value=led.value_by_motive[1],
                partners_free_riding=fsum(partners_free_riding) / len(partners_free_riding),
                pass_through=conditions.pass_through, domain_fit=led.domain_fit,
                optimism=led.optimism,
                cost_share=0.5 * led.effort_fte / total_effort
                + 0.5 * led.money_keur / total_money,
                value_share=led.value / total_value, n_members=len(orgs),
                overhead=conditions.overhead,
                meeting_share=conditions.meeting_time / max(led.commitment_fte, 1e-9),
                societal_value=societal)
            for cause, level in levels.items():
                led.grievances[cause] += p.satisfaction_memory * (level - led.grievances[cause])
            led.satisfaction = mech.update_satisfaction(
                led.satisfaction, led.value, led.expectation, p.satisfaction_memory,
                conditions.irritation)
            self._update_standing(org, single_firm, societal)

    def _update_trust_of(
        self: Partnership, org: Organisation, orgs: list[Organisation], follow_up_ratio: float,
        meeting_factor: float, external_share: float,
    ) -> None:
        """Trust of ``org`` in each partner after a month of seeing them deliver.

        Partners that under-deliver, or a public side that does not follow up, lose trust
        [001 L141; 002 L1242]; conflict over external money erodes it [002 L578].
        """
        p = self.model.p
        build, erosion, norm = p.trust_build_rate, p.trust_erosion_ratio, p.reliability_norm
        conflict = p.allocation_conflict * external_share
        members, known, private = self.members, org.trust, not org.is_public
        for other in orgs:
            if other is org:
                continue
            other_id = other.unique_id
            reliability = 1.0 - members[other_id].free_riding
            if private and other.is_public:
                reliability = min(reliability, follow_up_ratio)
            before = known[other_id] if other_id in known else org.trust_in(other)
            trust = mech.update_trust(before, reliability, build, erosion, meeting_factor, norm)
            known[other_id] = max(0.0, trust - conflict)

    def _update_standing(self: Partnership, org: Organisation, single_firm: bool,
                         societal: float) -> None:
        """Legitimacy and reputation effects of partnering [002 L1254-L1258; 001 L103];
        ``single_firm``: the only private member is one firm (not an umbrella organisation)."""
        p = self.model.p
        if org.is_public:
            org.standing = mech.public_standing(
                org.standing, societal, single_firm, p.single_firm_legitimacy_cost)
        else:
            incident = self.model.rng.random() < mech.incident_probability(
                org.risk_style, self.governance)
            org.standing = mech.private_standing(org.standing, incident)

    def _close_month(self: Partnership, orgs: list[Organisation], flows: Flows) -> None:
        """Add the month to the partnership's totals, its trust history and its stage."""
        self.prevented_total += flows.matured
        if flows.prevented_share > 0.0:
            self.prevented_shares.append((self.model.month, flows.prevented_share))
        self.shared_total += flows.shared_private + flows.shared_public
        self.shared_private_total += flows.shared_private
        self.followed_total += flows.followed
        self.flows = flows
        trust_now = self.mean_trust(orgs)
        self.trust_history.append(trust_now)
        self._update_stage(trust_now)

    def _update_stage(self: Partnership, trust: float) -> None:
        """Move along Austin's continuum as trust and activity grow [001 L161]."""
        satisfaction = self.satisfaction
        old = self.stage
        self.stage = mech.next_stage(self.stage, trust, self.age_months, satisfaction)
        if self.stage is not old:
            self.model.events.record(self.model.month, EventKind.STAGE_CHANGED,
                                     partnership=self.unique_id, stage=self.stage.name.lower(),
                                     trust=trust, satisfaction=satisfaction)
