"""A month of joint work, step by step: contribute, share, produce, value, update members.

Each step is a method of :class:`Operation` that reads the month's :class:`~.ledger.Conditions`
and :class:`~.ledger.Flows` and calls the pure functions of :mod:`pppsim.model.mechanisms`; the
order is that of docs/ODD.md §3 (step 4) and §7.2.4-§7.2.10.
"""

from __future__ import annotations

from math import fsum
from typing import TYPE_CHECKING

import numpy as np

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
        if self.pet:
            resources = max(0.0, resources - self.model.p.pet_cost_keur)
        output, matured, prevented_share = self._produce(
            effort, resources, followed * conditions.information_value, willingness)
        flows = Flows(
            effort=effort, resources=resources,
            external_share=funded / resources if resources > 0 else 0.0,
            willingness=willingness, shared_private=shared_private, shared_public=shared_public,
            followed=followed, follow_up_ratio=ratio, output=output, matured=matured,
            prevented_share=prevented_share)
        societal = self._value(orgs, ledgers, flows, conditions)
        self._update_members(orgs, ledgers, conditions, flows, societal)
        self._close_month(orgs, flows)

    def conditions(self: Partnership) -> Conditions:
        """The month's working conditions from the design: meetings, overhead, barriers.

        Priority discussions in a broad partnership take effort (``scope_conflict`` per domain
        beyond the first [002 L743]); every representative attends the meetings [002 L733];
        privacy-enhancing technology removes part of the legal barrier but keeps only part of
        the value of what it lets through [002 L1322, L1637].
        """
        p = self.model.p
        frequency = mech.meeting_frequency(self.meeting_interval_months)
        overhead = mech.control_overhead(self.governance, p.control_overhead)
        if self.funding is Funding.GRANT:
            overhead += p.grant_reporting_overhead * p.grant_strictness
        overhead += mech.scope_conflict_share(len(self.domains), p.scope_conflict)
        covenant = p.covenant_legal_relief if self.formality >= 0.5 else 0.0
        barriers = (p.legal_barrier, p.organisational_barrier, p.technical_barrier)
        other_relief = {
            "organisational_relief": p.confidentiality_relief * self.confidentiality_agreement,
            "technical_relief": p.platform_relief * self.platform}
        pass_through = mech.information_pass_through(
            *barriers, legal_relief=covenant, **other_relief)
        information_value = 1.0
        if self.pet:
            with_pet = mech.information_pass_through(
                *barriers, legal_relief=mech.combined_relief(covenant, p.pet_legal_relief),
                **other_relief)
            information_value = mech.pet_information_value(with_pet, pass_through,
                                                           p.pet_value_kept)
            pass_through = with_pet
        return Conditions(
            meeting_factor=mech.meeting_trust_factor(frequency, p.meeting_half_saturation),
            irritation=mech.meeting_irritation(frequency, p.meeting_tolerance_per_month,
                                               p.meeting_irritation),
            overhead=min(overhead, 0.95),
            pass_through=pass_through,
            meeting_time=p.meeting_cost_fte * frequency * p.representatives_per_member,
            information_value=information_value,
        )

    def _contribute(
        self: Partnership, orgs: list[Organisation], ledgers: list[MemberLedger],
        conditions: Conditions,
    ) -> tuple[float, float]:
        """Each member delivers its commitment less what it withholds (§7.2.4); returns the
        productive effort (FTE) and the members' money (k EUR).

        What a member withholds is its own temptation plus the share ``reciprocity`` of what
        its partners withheld last month (conditional cooperation).
        """
        p = self.model.p
        n = len(orgs)
        productive_effort = 0.0
        money = 0.0
        last = [led.free_riding for led in ledgers]
        last_total = fsum(last)
        for org, led, before in zip(orgs, ledgers, last, strict=True):
            o_eff = mech.effective_opportunism(org.opportunism, self.governance, p.control_efficacy)
            partners = (last_total - before) / (n - 1) if n > 1 else 0.0
            led.free_riding = mech.conditional_free_riding(
                mech.free_riding(o_eff, n, self.formality, p.role_clarity), partners,
                p.reciprocity)
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
    ) -> tuple[float, float, tuple[tuple[int, float], ...]]:
        """Joint output, and the output of ``prevention_delay_months`` ago that now lowers
        harm (§7.2.7), spread evenly over the partnership's domains; returns output, matured
        output and, per domain, the share of its underlying harm that the matured output
        prevents (§7.2.1).  ``followed`` is the value of the information acted on."""
        model, p = self.model, self.model.p
        multiplier = (mech.governance_value_multiplier(
            self.governance, self.founding_overlap, p.trust_governance_bonus)
            * mech.stage_value(self.stage, p.philanthropic_stage_value,
                               p.integrative_stage_value))
        output = mech.joint_output(effort, resources, followed,
                                   fsum(willingness) / len(willingness), multiplier,
                                   p.information_weight)
        self.pipeline.append(output)
        matured = self.pipeline.popleft() if len(self.pipeline) > p.prevention_delay_months \
            else 0.0
        if matured <= 0.0:
            return output, matured, ()
        each = matured / len(self.domains)
        return output, matured, tuple((d, model.prevent(d, each)) for d in self.domains)

    def _value(
        self: Partnership, orgs: list[Organisation], ledgers: list[MemberLedger], flows: Flows,
        conditions: Conditions,
    ) -> float:
        """Value to each member by motive [002 L465-L523, L1242] (§7.2.8); returns the
        societal value, which all members share.  Information analysed without disclosure is
        worth ``conditions.information_value`` of disclosed information."""
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
            organisational *= conditions.information_value
            by_motive = (societal, organisational, trust_out)
            led.value_by_motive = by_motive
            led.value = float(org.motives @ by_motive)
        return societal

    def _update_members(
        self: Partnership, orgs: list[Organisation], ledgers: list[MemberLedger],
        conditions: Conditions, flows: Flows, societal: float,
    ) -> None:
        """Trust, goal alignment, the pulls on satisfaction, satisfaction and standing of each
        member (§7.2.9-§7.2.10).

        The pulls (:func:`~pppsim.model.mechanisms.satisfaction_pulls`) are computed for all
        members at once, as arrays over members.
        """
        p = self.model.p
        n = len(orgs)
        for org in orgs:
            self._update_trust_of(org, orgs, flows.follow_up_ratio, conditions.meeting_factor,
                                  flows.external_share)
        values = np.array([led.value for led in ledgers])
        effort = np.array([led.effort_fte for led in ledgers])
        money = np.array([led.money_keur for led in ledgers])
        free_riding = np.array([led.free_riding for led in ledgers])
        alignment = mech.drift_alignment(np.array([led.alignment for led in ledgers]),
                                         p.goal_drift)
        cost_share = 0.5 * effort / (effort.sum() or 1.0) + 0.5 * money / (money.sum() or 1.0)
        pulls = mech.satisfaction_pulls(
            value_by_motive=np.array([led.value_by_motive for led in ledgers]).T,
            motives=np.array([org.motives for org in orgs]).T,
            expectation=np.array([led.expectation for led in ledgers]),
            pass_through=conditions.pass_through,
            partners_free_riding=(free_riding.sum() - free_riding) / max(n - 1, 1),
            alignment=alignment, cost_share=cost_share,
            value_share=values / (values.sum() or 1.0), n_members=n,
            irritation=conditions.irritation, memory=p.satisfaction_memory,
            weights=np.array([p.weight_free_riding, p.weight_unequal_benefits,
                              p.weight_misaligned_goals]))
        satisfaction = mech.update_satisfaction(
            np.array([led.satisfaction for led in ledgers]), pulls, p.satisfaction_memory)
        firms = self._firms_represented(orgs)
        for k, (org, led) in enumerate(zip(orgs, ledgers, strict=True)):
            led.alignment = float(alignment[k])
            led.grievances = mech.remember_pulls(led.grievances, pulls[:, k],
                                                 p.satisfaction_memory)
            led.satisfaction = float(satisfaction[k])
            self._update_standing(org, firms, societal)

    def _firms_represented(self: Partnership, orgs: list[Organisation]) -> int:
        """Firms the private members represent: one per firm, every firm of its kind for an
        umbrella organisation [001 L103]."""
        firms = 0
        for org in orgs:
            if org.is_umbrella:
                kind = org.federated_kind
                firms += sum(o.kind == kind for o in self.model.organisations)
            elif not org.is_public:
                firms += 1
        return firms

    def _update_trust_of(
        self: Partnership, org: Organisation, orgs: list[Organisation], follow_up_ratio: float,
        meeting_factor: float, external_share: float,
    ) -> None:
        """Trust of ``org`` in each partner after a month of seeing them deliver.

        Partners that under-deliver, or a public side that does not follow up, lose trust
        [001 L141; 002 L1242]; conflict over external money erodes it [002 L578]; replaced
        representatives take part of the trust they built
        (:func:`~pppsim.model.mechanisms.representative_trust_loss`, [002 L733, L899]).
        """
        p = self.model.p
        build, erosion, norm = p.trust_build_rate, p.trust_erosion_ratio, p.reliability_norm
        conflict = p.allocation_conflict * external_share
        turnover, reps = p.representative_turnover, p.representatives_per_member
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
            if turnover > 0.0:
                baseline = mech.initial_trust(
                    p.initial_trust, p.sector_prejudice, p.power_imbalance,
                    cross_sector=org.sector is not other.sector, truster_is_private=private)
                trust = mech.representative_trust_loss(trust, baseline, turnover, reps)
            known[other_id] = max(0.0, trust - conflict)

    def _update_standing(self: Partnership, org: Organisation, firms: int,
                         societal: float) -> None:
        """Legitimacy and reputation effects of partnering [002 L1254-L1258; 001 L103];
        ``firms``: the number of firms the private members represent."""
        p = self.model.p
        if org.is_public:
            org.standing = mech.public_standing(
                org.standing, societal, firms, p.favouritism_legitimacy_cost)
        else:
            incident = self.model.rng.random() < mech.incident_probability(
                org.risk_style, self.governance)
            org.standing = mech.private_standing(org.standing, incident)

    def _close_month(self: Partnership, orgs: list[Organisation], flows: Flows) -> None:
        """Add the month to the partnership's totals, its trust history and its stage."""
        self.prevented_total += flows.matured
        month = self.model.month
        self.prevented_shares.extend((month, domain, share)
                                     for domain, share in flows.prevented_share if share > 0.0)
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
