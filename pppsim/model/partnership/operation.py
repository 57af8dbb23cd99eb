"""A month of joint work, step by step: contribute, share, produce, value, update members.

Each step is a method of :class:`Operation` that reads the month's :class:`~.ledger.Conditions`
and :class:`~.ledger.Flows` and calls the pure functions of :mod:`pppsim.model.mechanisms`; the
order is that of docs/ODD.md §3 (step 4) and §7.2.4-§7.2.10.
"""

from __future__ import annotations

from dataclasses import dataclass
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
        operate_all([self])

    def _work(self: Partnership) -> MonthWork:
        """The month's joint work up to the members' trust (§7.2.4-§7.2.9): contribute, share,
        follow up, produce, value, trust; what the members then weigh is returned."""
        terms = self.member_terms()
        orgs = terms.orgs
        ledgers = list(self.members.values())
        conditions = self.conditions()
        effort, money = self._contribute(orgs, ledgers, terms.temptations, conditions)
        willingness, shared_private, shared_public, follow_up_items = self._share(
            orgs, ledgers, terms.partners, conditions)
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
        trusts = self._update_trust(orgs, ledgers, terms.partners, flows.follow_up_ratio,
                                    conditions.meeting_factor, flows.external_share)
        return MonthWork(self, terms, ledgers, conditions, flows, societal, trusts)

    def member_terms(self: Partnership) -> MemberTerms:
        """The members, and what the month's work takes from who they are and from the fixed
        design: each member's temptation to free ride (§7.2.4), its partners (whose trust it
        reads and updates, §7.2.5 and §7.2.9), each firm's chance of a publicity incident and
        the number of firms represented (§7.2.10).

        Kept until the membership changes: the organisations' opportunism and risk style,
        the partnership's governance and formality and the parameters do not change during a
        run, so the values are the very ones recomputed each month would give."""
        key = (tuple(self.members), self.governance, self.formality)
        cached = self.__dict__.get("_member_terms")
        if cached is not None and cached[0] == key:
            return cached[1]
        p = self.model.p
        orgs = self.organisations()
        n = len(orgs)
        terms = MemberTerms(
            orgs=orgs,
            temptations=[mech.free_riding(mech.effective_opportunism(
                org.opportunism, self.governance, p.control_efficacy),
                n, self.formality, p.role_clarity) for org in orgs],
            incident_chances=[0.0 if org.is_public
                              else mech.incident_probability(org.risk_style, self.governance)
                              for org in orgs],
            firms=self._firms_represented(orgs),
            partners=[[(j, other.unique_id, other.is_public)
                       for j, other in enumerate(orgs) if other is not org] for org in orgs])
        self._member_terms = (key, terms)
        return terms

    def conditions(self: Partnership) -> Conditions:
        """The month's working conditions from the design: meetings, overhead, barriers.

        Priority discussions in a broad partnership take effort (``scope_conflict`` per domain
        beyond the first [002 L743]); every representative attends the meetings [002 L733];
        privacy-enhancing technology removes part of the legal barrier but keeps only part of
        the value of what it lets through [002 L1322, L1637].

        Kept until the design changes (a review may change it).
        """
        design = (self.meeting_interval_months, self.governance, self.funding,
                  len(self.domains), self.formality, self.confidentiality_agreement,
                  self.platform, self.pet)
        cached = self.__dict__.get("_conditions")
        if cached is not None and cached[0] == design:
            return cached[1]
        conditions = self._conditions_of_design()
        self._conditions = (design, conditions)
        return conditions

    def _conditions_of_design(self: Partnership) -> Conditions:
        """:meth:`conditions`, computed."""
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
        temptations: list[float], conditions: Conditions,
    ) -> tuple[float, float]:
        """Each member delivers its commitment less what it withholds (§7.2.4); returns the
        productive effort (FTE) and the members' money (k EUR).

        What a member withholds is its own temptation (``temptations``,
        :meth:`member_terms`) plus the share ``reciprocity`` of what its partners withheld
        last month (conditional cooperation).
        """
        reciprocity = self.model.p.reciprocity
        meeting_time = conditions.meeting_time
        kept = 1.0 - conditions.overhead
        n = len(orgs)
        productive_effort = 0.0
        money = 0.0
        last = [led.free_riding for led in ledgers]
        last_total = fsum(last)
        for org, led, before, own in zip(orgs, ledgers, last, temptations, strict=True):
            partners = (last_total - before) / (n - 1) if n > 1 else 0.0
            withheld = mech.conditional_free_riding(own, partners, reciprocity)
            led.free_riding = withheld
            effort = max(0.0, led.commitment_fte * (1.0 - withheld) - meeting_time)
            led.effort_fte = effort
            led.money_keur = led.commitment_keur * (1.0 - withheld)
            productive_effort += effort * kept * (0.8 + 0.4 * org.capability)
            money += led.money_keur
        return productive_effort, money

    def _share(
        self: Partnership, orgs: list[Organisation], ledgers: list[MemberLedger],
        partners: list[list[tuple[int, int, bool]]], conditions: Conditions,
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
        for org, led, others in zip(orgs, ledgers, partners, strict=True):
            known, prejudice = org.trust, org.prejudice  # Organisation.trust_in, written out
            trusts = [known.get(other, prejudice[public]) for _, other, public in others]
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
        output = mech.joint_output(effort, resources, followed,
                                   fsum(willingness) / len(willingness),
                                   self._value_multiplier(), p.information_weight)
        self.pipeline.append(output)
        matured = self.pipeline.popleft() if len(self.pipeline) > p.prevention_delay_months \
            else 0.0
        if matured <= 0.0:
            return output, matured, ()
        each = matured / len(self.domains)
        return output, matured, tuple((d, model.prevent(d, each)) for d in self.domains)

    def _value_multiplier(self: Partnership) -> float:
        """How much more joint work yields under trust-based governance between
        complementary partners, and in a later stage of Austin's continuum (§7.2.7); kept
        until the stage changes (governance and founding overlap are fixed)."""
        cached = self.__dict__.get("_multiplier")
        if cached is not None and cached[0] is self.stage:
            return cached[1]
        p = self.model.p
        multiplier = (mech.governance_value_multiplier(
            self.governance, self.founding_overlap, p.trust_governance_bonus)
            * mech.stage_value(self.stage, p.philanthropic_stage_value,
                               p.integrative_stage_value))
        self._multiplier = (self.stage, multiplier)
        return multiplier

    def _value(
        self: Partnership, orgs: list[Organisation], ledgers: list[MemberLedger], flows: Flows,
        conditions: Conditions,
    ) -> float:
        """Value to each member by motive [002 L465-L523, L1242] (§7.2.8); returns the
        societal value, which all members share.  Information analysed without disclosure is
        worth ``conditions.information_value`` of disclosed information.  A member's value, its
        motives weighing the three (``motives . value_by_motive``), is computed for all members
        at once by :func:`update_members`."""
        p = self.model.p
        n_public = sum(o.is_public for o in orgs)
        n_private = len(orgs) - n_public
        reference, kept = p.information_reference, conditions.information_value
        societal = (0.5 * flows.output + 0.5 * flows.matured) / p.output_reference
        shared_private, followed = flows.shared_private, flows.followed
        to_public = shared_private / max(n_public, 1) / reference * kept
        from_public = flows.shared_public / max(n_private, 1)
        for org, led, trust_out in zip(orgs, ledgers, flows.willingness, strict=True):
            if org.is_public:
                organisational = to_public
            else:
                own_followed = followed * (led.shared / shared_private) \
                    if shared_private else 0.0
                organisational = (own_followed + from_public) / reference * kept
            led.value_by_motive = (societal, organisational, trust_out)
        return societal

    def _firms_represented(self: Partnership, orgs: list[Organisation]) -> int:
        """Firms the private members represent: one per firm, every firm of its kind for an
        umbrella organisation [001 L103]."""
        firms = 0
        for org in orgs:
            if org.is_umbrella:
                firms += self.model.organisations_of_kind(org.federated_kind)
            elif not org.is_public:
                firms += 1
        return firms

    def _update_trust(
        self: Partnership, orgs: list[Organisation], ledgers: list[MemberLedger],
        partners: list[list[tuple[int, int, bool]]], follow_up_ratio: float,
        meeting_factor: float, external_share: float,
    ) -> list[float]:
        """Trust of each member in each partner after a month of seeing them deliver; returns
        the new trust of every ordered pair, in member order.

        Partners that under-deliver, or a public side that does not follow up, lose trust
        [001 L141; 002 L1242]; conflict over external money erodes it [002 L578]; replaced
        representatives take part of the trust they built
        (:func:`~pppsim.model.mechanisms.representative_trust_loss`, [002 L733, L899]).
        """
        p = self.model.p
        build, erosion, norm = p.trust_build_rate, p.trust_erosion_ratio, p.reliability_norm
        conflict = p.allocation_conflict * external_share
        turnover, reps = p.representative_turnover, p.representatives_per_member
        delivered = [1.0 - led.free_riding for led in ledgers]
        followed_up = [min(r, follow_up_ratio) for r in delivered]
        trusts = []
        for org, others in zip(orgs, partners, strict=True):
            known, prejudice = org.trust, org.prejudice
            seen = followed_up if not org.is_public else delivered
            for j, other_id, other_public in others:
                baseline = prejudice[other_public]
                trust = mech.update_trust(known.get(other_id, baseline),
                                          seen[j] if other_public else delivered[j],
                                          build, erosion, meeting_factor, norm)
                if turnover > 0.0:
                    trust = mech.representative_trust_loss(trust, baseline, turnover, reps)
                trust = max(0.0, trust - conflict)
                known[other_id] = trust
                trusts.append(trust)
        return trusts

    def _update_standing(self: Partnership, org: Organisation, firms: int,
                         societal: float, incident: bool) -> None:
        """Legitimacy and reputation effects of partnering [002 L1254-L1258; 001 L103];
        ``firms``: the number of firms the private members represent; ``incident``: whether a
        firm had a publicity incident this month (a uniform draw below its
        :func:`~pppsim.model.mechanisms.incident_probability`)."""
        if org.is_public:
            org.standing = mech.public_standing(
                org.standing, societal, firms, self.model.p.favouritism_legitimacy_cost)
        else:
            org.standing = mech.private_standing(org.standing, incident)

    def _close_month(self: Partnership, flows: Flows, trusts: list[float]) -> None:
        """Add the month to the partnership's totals, its trust history and its stage;
        ``trusts``: the members' trust in each other after the month (every ordered pair, in
        member order), whose mean is the partnership's trust."""
        self.prevented_total += flows.matured
        month = self.model.month
        self.prevented_shares.extend((month, domain, share)
                                     for domain, share in flows.prevented_share if share > 0.0)
        self.shared_total += flows.shared_private + flows.shared_public
        self.shared_private_total += flows.shared_private
        self.followed_total += flows.followed
        self.flows = flows
        trust_now = fsum(trusts) / len(trusts) if trusts else 0.0
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


@dataclass(slots=True)
class MonthWork:
    """A partnership's month up to its members' trust: what the members then weigh."""

    partnership: Partnership
    terms: MemberTerms
    ledgers: list[MemberLedger]
    conditions: Conditions
    flows: Flows
    societal: float
    trusts: list[float]
    """The members' trust in each other after the month, every ordered pair in member order."""

    @property
    def orgs(self) -> list[Organisation]:
        return self.terms.orgs


@dataclass(frozen=True, slots=True)
class MemberTerms:
    """A partnership's members and what its month takes from who they are
    (:meth:`Operation.member_terms`)."""

    orgs: list[Organisation]
    temptations: list[float]
    """Each member's temptation to free ride, before reciprocity (§7.2.4)."""
    incident_chances: list[float]
    """Each member's monthly chance of a publicity incident (0 for a public member)."""
    firms: int
    """The number of firms the private members represent [001 L103]."""
    partners: list[list[tuple[int, int, bool]]]
    """For each member, its partners in member order: (position, id, whether public)."""


def operate_all(partnerships: list[Partnership]) -> None:
    """One month of joint work of every operating partnership, in the given order.

    Each partnership contributes, shares, produces, values and updates its members' trust in
    turn (:meth:`Operation._work`; trust is shared between partnerships with common members,
    so this stays in order).  Then the members of all of them weigh the month at once, as
    arrays over every member of every partnership (goal alignment, the pulls on satisfaction,
    satisfaction, remembered pulls: :func:`update_members`), and each partnership in turn
    updates its members' standing and closes the month (totals, trust history, stage).
    Nothing in the second part is read by another partnership's first part, and the firms'
    incident draws are taken in the same order as one member at a time.
    """
    if not partnerships:
        return
    works = [p._work() for p in partnerships]
    update_members(works)
    model = partnerships[0].model
    orgs = [org for work in works for org in work.orgs]
    draws = iter(model.rng.random(sum(not org.is_public for org in orgs)).tolist())
    for work in works:
        partnership, terms = work.partnership, work.terms
        for org, chance in zip(terms.orgs, terms.incident_chances, strict=True):
            partnership._update_standing(org, terms.firms, work.societal,
                                         False if org.is_public else next(draws) < chance)
        partnership._close_month(work.flows, work.trusts)


def update_members(works: list[MonthWork]) -> None:
    """Goal alignment, the pulls on satisfaction, satisfaction and the remembered pulls of
    every member of the given partnerships (§7.2.9-§7.2.10), as arrays over all members.

    Per-partnership sums (effort, money, value, partners' free riding) are sums over the
    members of each partnership (``np.bincount`` by partnership)."""
    p = works[0].partnership.model.p
    ledgers = [led for work in works for led in work.ledgers]
    sizes = np.array([len(work.ledgers) for work in works])
    group = np.repeat(np.arange(len(works)), sizes)
    n = sizes[group]
    rows = np.array([(led.effort_fte, led.money_keur, led.free_riding, led.alignment,
                      led.expectation, led.satisfaction, *led.value_by_motive)
                     for led in ledgers])
    effort, money, free_riding, alignment, expectation, satisfaction = rows[:, :6].T
    motives = np.array([org.motives for work in works for org in work.orgs])
    # The value to each member (§7.2.8): one dot product per row, the same as motives @ by_motive
    values = np.vecdot(motives, rows[:, 6:])

    def total(x: np.ndarray) -> np.ndarray:
        """Per member, the sum of ``x`` over the members of its partnership."""
        return np.bincount(group, weights=x, minlength=len(works))[group]

    def or_one(x: np.ndarray) -> np.ndarray:
        return np.where(x != 0.0, x, 1.0)

    alignment = mech.drift_alignment(alignment, p.goal_drift)
    cost_share = 0.5 * effort / or_one(total(effort)) + 0.5 * money / or_one(total(money))
    conditions = [work.conditions for work in works]
    pulls = mech.satisfaction_pulls(
        value_by_motive=rows[:, 6:].T, motives=motives.T,
        expectation=expectation,
        pass_through=np.array([c.pass_through for c in conditions])[group],
        partners_free_riding=(total(free_riding) - free_riding) / np.maximum(n - 1, 1),
        alignment=alignment, cost_share=cost_share,
        value_share=values / or_one(total(values)), n_members=n,
        irritation=np.array([c.irritation for c in conditions])[group],
        memory=p.satisfaction_memory,
        weights=np.array([p.weight_free_riding, p.weight_unequal_benefits,
                          p.weight_misaligned_goals]))
    satisfaction = mech.update_satisfaction(satisfaction, pulls, p.satisfaction_memory)
    grievances = mech.remember_pulls(np.array([led.grievances for led in ledgers]).T, pulls,
                                     p.satisfaction_memory).T.copy()
    for led, v, a, s, g in zip(ledgers, values.tolist(), alignment.tolist(),
                               satisfaction.tolist(), grievances, strict=True):
        led.value = v
        led.alignment = a
        led.satisfaction = s
        led.grievances = g
