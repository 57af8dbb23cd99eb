"""A month of joint work of every operating partnership at once: contribute, share, follow
up, produce, value, trust, satisfaction, standing (docs/ODD.md §3 step 4, §7.2.4-§7.2.10).

:func:`operate_all` computes the month as numpy arrays over every member, every ordered pair
of members and every partnership operating this month (:class:`Month`, one method per step),
reading and writing the model's member, partnership and organisation arrays
(:mod:`pppsim.model.state`); each step calls the pure functions of
:mod:`pppsim.model.mechanisms`.  All partnerships work from the trust their
members had at the start of the month; where two organisations meet in more than one
partnership, their trust and standing move by the sum of what each partnership does to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .. import accelerator
from .. import mechanisms as mech
from ..constants import ITEMS_PER_FTE
from ..events import EventKind
from ..vocabulary import Funding, Stage
from .ledger import Conditions

if TYPE_CHECKING:
    from ..model import PartnershipModel
    from ..organisation import Organisation
    from .agent import Partnership


class Operation:
    """One month of joint work: the part of :class:`Partnership` while it operates."""

    def member_terms(self: Partnership) -> MemberTerms:
        """The members' rows in the member table, and what the month's work takes from who
        they are and from the fixed design, written into their rows: each member's
        temptation to free ride (§7.2.4) and each firm's chance of a publicity incident
        (§7.2.10); and the number of firms represented.

        Kept until the membership changes (:meth:`~.lifecycle.Lifecycle.admit` and
        :meth:`~.ending.Ending.remove_member` drop it): the organisations' opportunism and
        risk style, the partnership's governance and formality and the parameters do not
        change during a run, so the values are the very ones recomputed each month would
        give."""
        terms = self._member_terms
        if terms is not None:
            return terms
        p = self.model.p
        orgs = self.organisations()
        n = len(orgs)
        rows = self.member_rows()
        table = self.model.ledgers
        table.temptation[rows] = [mech.free_riding(mech.effective_opportunism(
            org.opportunism, self.governance, p.control_efficacy),
            n, self.formality, p.role_clarity) for org in orgs]
        table.incident_chance[rows] = [
            0.0 if org.is_public else mech.incident_probability(org.risk_style, self.governance)
            for org in orgs]
        terms = MemberTerms(rows=rows, firms=self._firms_represented(orgs))
        self._member_terms = terms
        return terms

    def member_rows(self: Partnership) -> np.ndarray:
        """The members' rows in the member table, in member order: those of
        :meth:`member_terms` while it is kept, without computing the terms."""
        terms = self._member_terms
        if terms is not None:
            return terms.rows
        return np.fromiter((led.row for led in self.members.values()), dtype=np.intp,
                           count=len(self.members))

    def month_terms(self: Partnership) -> tuple[float, ...]:
        """What the month's work and its settling (:func:`~.ending.settle_all`) take from the
        members, the design and the funding, in the order of :data:`MONTH_TERMS`."""
        terms = self.member_terms()
        c = self.conditions()
        funded = self.funding_keur if self.funding is not Funding.IN_KIND else 0.0
        governance = mech.governance_value_multiplier(
            self.governance, self.founding_overlap, self.model.p.trust_governance_bonus)
        values = (c.meeting_time, 1.0 - c.overhead, c.pass_through,
                  c.information_value, c.meeting_factor, c.irritation, funded, float(self.pet),
                  governance, terms.firms, self.launched_month,
                  self.evaluation_interval_months, float(self.exit_strategy))
        return values

    def terms_changed(self: Partnership) -> None:
        """Its members or its funding changed: its row of month terms in the partnership
        table (what :func:`operate_all` reads) is written again before the next month of
        joint work (:func:`refresh_month_terms`)."""
        self._member_terms = None
        self.model.stale_terms[self.unique_id] = self
        self.model.grouped_members = None

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


MONTH_TERMS = ("meeting_time", "kept", "pass_through", "information_value", "meeting_factor",
               "irritation", "funded", "pet", "governance_multiplier", "firms", "launched",
               "evaluation_interval", "exit_strategy")
"""The columns of :meth:`Operation.month_terms`, one row per partnership."""


@dataclass(frozen=True, slots=True, eq=False)
class MemberTerms:
    """A partnership's members' rows in the member table (:meth:`Operation.member_terms`)."""

    rows: np.ndarray
    """The members' rows, in member order."""
    firms: int
    """The number of firms the private members represent [001 L103]."""




def operate_all(partnerships: list[Partnership], prows: np.ndarray | None = None) -> None:
    """One month of joint work of every operating partnership, in the given order, as arrays
    over every member, pair of members and partnership (module docstring, :class:`Month`),
    compiled where the accelerator is on (:func:`pppsim.model.accelerator.compiled`).
    ``prows``: their rows of the partnership table, if the caller has them."""
    if not partnerships:
        return
    if prows is None:
        prows = table_rows(partnerships)
    compiled = accelerator.compiled()
    if compiled is None:
        Month(partnerships, prows).run()
    else:
        _compiled_month(partnerships, prows, compiled)


def _compiled_month(partnerships: list[Partnership], prows: np.ndarray, compiled) -> None:
    """:class:`Month`, as one call of the compiled month (:func:`pppsim.model.compiled.month`)
    over the same arrays, harm prevented included (:func:`prevent`);
    what it leaves to Python — the prevention log, trust histories, the events of stage
    changes — is done here as :class:`Month` does it."""
    model = partnerships[0].model
    members = Members.of(partnerships, prows)
    refresh_month_terms(model)
    table, arrays, ptable = model.ledgers, model.organisation_arrays, model.partnership_table
    parameters = model.__dict__.get("_compiled_parameters")
    if parameters is None:
        parameters = model._compiled_parameters = compiled.parameters(model.p)
    firms = len(members.rows) - int(arrays.is_public[table.organisation[members.rows]].sum())
    draws = model.rng.random(firms)  # the month's publicity incidents (Month.update_standing)
    (arrays.standing, trust_after, satisfaction, stage, new, *entries) = compiled.month(
        model.month, members.rows, members.sizes, prows, draws, parameters,
        table.organisation, table.temptation, table.commitment_fte, table.commitment_keur,
        table.expectation, table.free_riding, table.effort_fte, table.money_keur, table.shared,
        table.value, table.alignment, table.satisfaction, table.grievances,
        table.value_by_motive, table.incident_chance,
        arrays.is_public, arrays.is_umbrella, arrays.capability, arrays.information,
        arrays.motives, arrays.prejudice, arrays.trust, arrays._pair_label, arrays.standing,
        ptable.terms, ptable.stage, ptable.months_operated, ptable.pipeline,
        ptable.prevented_total, ptable.shared_total, ptable.shared_private_total,
        ptable.followed_total, ptable.shared_private, ptable.shared_public, ptable.followed,
        ptable.output, ptable.matured, ptable.domains, ptable.domain_count,
        model.harm, model.harm_underlying, model.prevented_share)
    log_prevention(model, entries)
    _closed(partnerships, prows, trust_after, stage, new, satisfaction, model)


class Month:
    """One month of joint work of the given partnerships, step by step (docs/ODD.md §3 step 4,
    §7.2.4-§7.2.10): :meth:`contribute`, :meth:`share`, :meth:`produce`, :meth:`value`,
    :meth:`update_trust`, :meth:`update_members`, :meth:`update_standing`, :meth:`close`.

    Members are rows of arrays over every member of the month (``rows``: their rows in the
    member table; ``group``: the position of their partnership), grouped by partnership in the
    given order; ordered pairs of members (``src``, ``dst``: positions of truster and trusted)
    likewise, truster by truster; a partnership's values are arrays in the given order.  Each
    step reads what the steps before it computed and keeps what it computes as attributes.

    The arrays are small (a few hundred members and pairs), so that a month costs what its
    numpy calls cost rather than their arithmetic: what several steps need is computed once
    (the partnerships' month terms, each member's partners, the firms' and public members'
    groups); a month term is gathered per member where a step reads it (:meth:`each`)."""

    def __init__(self, partnerships: list[Partnership], prows: np.ndarray | None = None) -> None:
        model = partnerships[0].model
        self.model, self.p, self.partnerships = model, model.p, partnerships
        self.table, self.arrays = model.ledgers, model.organisation_arrays
        self.members = Members.of(partnerships, prows)
        self.rows, self.group = rows, group = self.members.rows, self.members.group
        self.size = size = self.members.sizes
        refresh_month_terms(model)
        self.count = count = len(partnerships)
        if prows is None:
            prows = table_rows(partnerships)
        self.prows = prows
        # ``take`` gathers the rows at a fraction of the cost of indexing with ``prows``
        self.terms = dict(zip(MONTH_TERMS, model.partnership_table.terms.take(prows, axis=0).T,
                              strict=True))
        self.n = n = size[group]
        self.partners = partners = n - 1
        """Each member's number of partners."""
        self.orgs = orgs = self.table.organisation[rows]
        self.public = public = self.arrays.is_public[orgs]
        self.private = ~public
        self.by_sector = group + count * public
        """Each member's bin for sums per partnership and sector: the firms' sums of the
        partnerships first, then the public members' (:meth:`sector_totals`)."""
        # ordered pairs, truster by truster: a member's k-th partner is the k-th member of its
        # partnership other than itself
        everyone = np.arange(len(rows))
        self.src = src = everyone.repeat(partners)
        first_pair = partners.cumsum() - partners
        k = np.arange(len(src)) - first_pair[src]
        first_member = (size.cumsum() - size)[group]
        local = (everyone - first_member)[src]
        self.dst = first_member[src] + k + (k >= local)
        self.pair_count = size * (size - 1)
        self.truster, self.trusted = orgs[src], orgs[self.dst]
        self.keys = self.arrays.pair_keys(self.truster, self.trusted)
        self.pair_group = group[src]

    def total(self, x: np.ndarray) -> np.ndarray:
        """Per partnership, the sum of ``x`` over its members."""
        return self.members.total(x)

    def sector_totals(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per partnership, the sum of ``x`` over its firms and over its public members: the
        same sums as :meth:`total` of ``x`` where the member is of the sector, 0 elsewhere
        (adding 0.0 to a sum leaves it as it is)."""
        sums = np.bincount(self.by_sector, weights=x, minlength=2 * self.count)
        return sums[:self.count], sums[self.count:]

    def each(self, name: str) -> np.ndarray:
        """A partnership's month term, for each of its members (gathered when asked: the
        month reads a few of the terms per member)."""
        return self.terms[name][self.group]

    def run(self) -> None:
        self.contribute()
        self.share()
        self.produce()
        self.value()
        self.update_trust()
        self.update_members()
        self.update_standing()
        self.close()

    def contribute(self) -> None:
        """§7.2.4: each member delivers its commitment less what it withholds, its own
        temptation plus a share ``reciprocity`` of what its partners withheld last month."""
        table, rows, p = self.table, self.rows, self.p
        last = table.free_riding[rows]
        partners = (self.total(last)[self.group] - last) / self.partners
        self.withheld = mech.conditional_free_riding(table.temptation[rows], partners,
                                                     p.reciprocity)
        self.delivered = delivered = 1.0 - self.withheld
        self.effort = np.maximum(0.0, table.commitment_fte[rows] * delivered
                                 - self.each("meeting_time"))
        self.money = table.commitment_keur[rows] * delivered
        self.productive = self.total(self.effort * self.each("kept")
                                     * (0.8 + 0.4 * self.arrays.capability[self.orgs]))

    def share(self) -> None:
        """§7.2.5-§7.2.6: each member shares as far as its trust in its partners and the
        barriers let it; public members keep part of their effort for follow-up."""
        p, arrays, public, orgs = self.p, self.arrays, self.public, self.orgs
        self.trust = arrays.known_trust(self.truster, self.trusted, self.keys)
        self.willingness = np.bincount(self.src, weights=self.trust,
                                       minlength=len(self.rows)) / self.partners
        staff_items = ITEMS_PER_FTE * self.effort
        items = staff_items * arrays.information[orgs] * self.willingness \
            * self.each("pass_through")
        umbrella = arrays.is_umbrella[orgs]
        if umbrella.any():
            items = np.where(umbrella, items * p.umbrella_information_factor, items)
        self.shared = np.where(
            public, items * (1.0 - p.follow_up_share) * p.public_sharing_factor, items)
        self.shared_private, self.shared_public = self.sector_totals(self.shared)
        follow_up_items = self.sector_totals(
            staff_items * p.follow_up_share * p.follow_up_capacity)[1]
        self.followed, self.ratio = mech.follow_up(self.shared_private, follow_up_items)

    def produce(self) -> None:
        """§7.2.7: joint output from effort, money and followed-up information; the output
        of ``prevention_delay_months`` ago lowers harm now (:func:`_mature`)."""
        p, terms = self.p, self.terms
        funded = terms["funded"]
        resources = self.total(self.money) + funded
        pet = terms["pet"] > 0
        if pet.any():
            resources = np.where(pet, np.maximum(0.0, resources - p.pet_cost_keur), resources)
        self.external = np.divide(funded, resources, out=np.zeros(self.count),
                                  where=resources > 0)
        self.stage = self.model.partnership_table.stage[self.prows]
        multiplier = terms["governance_multiplier"] * mech.stage_value(
            self.stage, p.philanthropic_stage_value, p.integrative_stage_value)
        self.output = mech.joint_output(
            self.productive, resources, self.followed * terms["information_value"],
            self.total(self.willingness) / self.size, multiplier, p.information_weight)
        self.matured = _mature(self.partnerships, self.prows, self.output, self.model)

    def value(self) -> None:
        """§7.2.8: the value to each member by motive [002 L465-L523, L1242]: societal,
        organisational (information received, followed up), individual (trust)."""
        p, group, public = self.p, self.group, self.public
        n_public = self.total(public)
        self.societal = (0.5 * self.output + 0.5 * self.matured) / p.output_reference
        reference = p.information_reference
        to_public = self.shared_private / np.maximum(n_public, 1.0) / reference
        from_public = self.shared_public / np.maximum(self.size - n_public, 1.0)
        # a firm's own share of the firms' items (public members share apart from them)
        firms_shared = self.shared_private[group]
        own_followed = self.followed[group] * np.divide(
            self.shared, firms_shared, out=np.zeros(len(self.rows)),
            where=self.private & (firms_shared != 0))
        organisational = np.where(public, to_public[group],
                                  (own_followed + from_public[group]) / reference) \
            * self.each("information_value")
        self.value_by_motive = value_by_motive = np.empty((len(self.rows), 3))
        value_by_motive[:, 0] = self.societal[group]
        value_by_motive[:, 1] = organisational
        value_by_motive[:, 2] = self.willingness

    def update_trust(self) -> None:
        """§7.2.9: each member's trust in each partner after seeing it deliver (for a firm
        watching a public member, at most the follow-up ratio); two organisations that meet
        in several partnerships: the sum of what each does to their trust
        (:meth:`~pppsim.model.state.OrganisationArrays.move_trust`)."""
        p, arrays, public, src, dst = self.p, self.arrays, self.public, self.src, self.dst
        delivered = self.delivered
        followed_up = np.minimum(delivered, self.ratio[self.group])
        seen = np.where(self.private[src] & public[dst], followed_up[dst], delivered[dst])
        where = self.pair_group
        after = mech.update_trust(self.trust, seen, p.trust_build_rate, p.trust_erosion_ratio,
                                  self.terms["meeting_factor"][where], p.reliability_norm)
        if p.representative_turnover > 0.0:
            baseline = arrays.prejudice_of(self.truster, self.trusted)
            after = mech.representative_trust_loss(after, baseline, p.representative_turnover,
                                                   p.representatives_per_member)
        after = np.maximum(0.0, after - p.allocation_conflict * self.external[where])
        self.new_trust = arrays.move_trust(self.keys, self.trust, after - self.trust)

    def update_members(self) -> None:
        """§7.2.9-§7.2.10: the month's ledgers, goal alignment, the pulls on satisfaction,
        satisfaction and the remembered pulls of every member."""
        p, table, rows, group = self.p, self.table, self.rows, self.group
        table.free_riding[rows] = self.withheld
        table.effort_fte[rows] = self.effort
        table.money_keur[rows] = self.money
        table.shared[rows] = self.shared
        table.value_by_motive[rows] = self.value_by_motive

        def total_or_one(x: np.ndarray) -> np.ndarray:
            """Per member, the sum of ``x`` over the members of its partnership, 1 where 0."""
            sums = self.total(x)
            sums[sums == 0.0] = 1.0  # in place: the same as np.where, one call less
            return sums[group]

        # rows of a 2-D array gathered with ``take`` (a fraction of the cost of indexing)
        motives = self.arrays.motives.take(self.orgs, axis=0)
        # The value to each member (§7.2.8): its motives weighing the value by motive
        values = np.vecdot(motives, self.value_by_motive)
        alignment = mech.drift_alignment(table.alignment[rows], p.goal_drift)
        effort, money, free_riding = self.effort, self.money, self.withheld
        cost_share = 0.5 * effort / total_or_one(effort) + 0.5 * money / total_or_one(money)
        pulls = mech.satisfaction_pulls(
            value_by_motive=self.value_by_motive.T, motives=motives.T,
            expectation=table.expectation[rows],
            pass_through=self.each("pass_through"),
            partners_free_riding=(self.total(free_riding)[group] - free_riding)
            / np.maximum(self.partners, 1),
            alignment=alignment, cost_share=cost_share,
            value_share=values / total_or_one(values), n_members=self.n,
            irritation=self.each("irritation"),
            memory=p.satisfaction_memory,
            weights=(p.weight_free_riding, p.weight_unequal_benefits,
                     p.weight_misaligned_goals))
        self.satisfaction = mech.update_satisfaction(table.satisfaction[rows], pulls,
                                                     p.satisfaction_memory)
        table.satisfaction[rows] = self.satisfaction
        table.grievances[rows] = mech.remember_pulls(
            table.grievances.take(rows, axis=0).T, pulls, p.satisfaction_memory).T
        table.value[rows] = values
        table.alignment[rows] = alignment

    def update_standing(self) -> None:
        """§7.2.10: legitimacy and reputation; a firm's publicity incident is a uniform draw
        below its chance, in member order; an organisation in several partnerships: the sum
        of what each does to its standing."""
        p, arrays, public, private = self.p, self.arrays, self.public, self.private
        incident = np.zeros(len(self.rows), dtype=bool)
        chance = self.table.incident_chance[self.rows[private]]
        incident[private] = self.model.rng.random(len(chance)) < chance
        change = np.where(public,
                          mech.public_standing_change(self.societal,
                                                      self.terms["firms"],
                                                      p.favouritism_legitimacy_cost)[self.group],
                          mech.private_standing_change(incident))
        arrays.standing = mech.within(
            arrays.standing + np.bincount(self.orgs, weights=change,
                                          minlength=len(arrays.standing)), 0.0, 1.0)

    def close(self) -> None:
        """Each partnership's totals, last month's flows, trust history and stage."""
        ptable, prows = self.model.partnership_table, self.prows
        trust_after = np.bincount(self.pair_group, weights=self.new_trust,
                                  minlength=self.count) / self.pair_count
        satisfaction = self.members.mean(self.satisfaction)
        ptable.prevented_total[prows] += self.matured
        ptable.shared_total[prows] += self.shared_private + self.shared_public
        ptable.shared_private_total[prows] += self.shared_private
        ptable.followed_total[prows] += self.followed
        ptable.shared_private[prows] = self.shared_private
        ptable.shared_public[prows] = self.shared_public
        ptable.followed[prows] = self.followed
        ptable.output[prows] = self.output
        ptable.matured[prows] = self.matured
        # Austin's continuum: a stage up as trust and activity grow [001 L161]
        new = mech.next_stage(self.stage, trust_after, self.model.month - self.terms["launched"],
                              satisfaction)
        ptable.stage[prows] = new
        _closed(self.partnerships, prows, trust_after, self.stage, new, satisfaction,
                self.model)


def refresh_month_terms(model: PartnershipModel) -> None:
    """Write the month terms of every operating partnership whose members or funding changed
    since they were last written (:meth:`Operation.terms_changed`)."""
    for partnership in model.stale_terms.values():
        if partnership.is_operating:
            partnership._table.terms[partnership.row] = partnership.month_terms()
    model.stale_terms.clear()


def _closed(partnerships: list[Partnership], prows: np.ndarray, trust: np.ndarray,
            stage: np.ndarray, new: np.ndarray, satisfaction: np.ndarray,
            model: PartnershipModel) -> None:
    """What a month's close leaves to Python, both ways of running: each partnership's trust
    history and its row of the partnership table (``prows``) get the month's mean trust, and
    an event for each whose stage moved (from ``stage`` to ``new``)."""
    model.partnership_table.trust[prows] = trust
    for partnership, trust_now in zip(partnerships, trust.tolist(), strict=True):
        partnership.trust_history.append(trust_now)
    for k in (new != stage).nonzero()[0].tolist():
        model.events.record(model.month, EventKind.STAGE_CHANGED,
                            partnership=partnerships[k].unique_id,
                            stage=Stage(int(new[k])).name.lower(), trust=float(trust[k]),
                            satisfaction=float(satisfaction[k]))


def _mature(partnerships: list[Partnership], prows: np.ndarray, output: np.ndarray,
            model: PartnershipModel) -> np.ndarray:
    """Each partnership's output enters its pipeline; the output of
    ``prevention_delay_months`` months of operation ago lowers harm now (§7.2.7), spread
    evenly over its domains (:func:`prevent`).  Returns the matured output of each."""
    table = model.partnership_table
    months = table.months_operated[prows]
    width = table.pipeline.shape[1]  # the delay and this month
    table.pipeline[prows, months % width] = output
    months += 1  # a copy of the column's entries
    # the output of ``delay`` months ago: the slot written next month (before the delay has
    # passed, a slot never written: 0)
    matured = np.maximum(table.pipeline[prows, months % width], 0.0)
    table.months_operated[prows] = months
    log_prevention(model, prevent(prows, matured, table.domains, table.domain_count,
                                  model.p.prevention_effectiveness, model.harm,
                                  model.harm_underlying, model.prevented_share))
    return matured


def prevent(prows, matured, domain_table, domain_count, effectiveness, harm, underlying,
            prevented_share):
    """The month's matured output lowers harm (§7.2.7): each partnership (rows ``prows`` of
    the partnership table, in the month's order) with matured output makes one entry per
    crime domain it takes on (the first ``domain_count`` of its row of ``domain_table``), its
    output times ``effectiveness`` spread evenly over them; each entry takes its share of its
    domain's underlying harm (:func:`~pppsim.model.mechanisms.prevented_shares`: the
    partnerships earlier in the month's order first, where too little harm is left), and
    ``prevented_share`` and ``harm`` are written in place.  Returns each entry's partnership
    row, domain and share.  One source for both ways of running: inside the compiled month
    where the accelerator is on (:func:`pppsim.model.compiled.month`), else called by
    :meth:`Month.produce`."""
    preventing = np.flatnonzero(matured > 0.0)
    rows = prows[preventing]
    counts = domain_count[rows]
    # each partnership's first ``count`` domains, one entry each, in its order (x / 1 is x)
    taken = (np.arange(domain_table.shape[1]) < counts.reshape(-1, 1)).ravel()
    domains = domain_table[rows].ravel()[taken]
    amounts = np.repeat(matured[preventing] / counts, counts) * effectiveness
    if not len(domains):  # nothing matured: harm as it is
        return np.repeat(rows, counts), domains, amounts
    shares = mech.prevented_shares(domains, amounts, harm, underlying)
    prevented_share += np.bincount(domains, weights=shares, minlength=len(harm))
    harm[:] = underlying * (1.0 - prevented_share)
    return np.repeat(rows, counts), domains, shares


def log_prevention(model: PartnershipModel, entries: tuple[np.ndarray, ...]) -> None:
    """The month's prevention entries (:func:`prevent`'s partnership rows, domains and
    shares) enter the model's prevention log."""
    entry_rows, domains, shares = entries
    if len(shares):
        model.prevention_log.append(entry_rows, model.month, domains, shares)


@dataclass(frozen=True, slots=True)
class Members:
    """The members of some partnerships, grouped by partnership in the given order."""

    rows: np.ndarray
    """Their rows in the member table."""
    group: np.ndarray
    """For each, the position of its partnership."""
    sizes: np.ndarray
    """Each partnership's number of members."""

    @classmethod
    def of(cls, partnerships: list[Partnership], prows: np.ndarray | None = None) -> Members:
        """The members of ``partnerships`` (``prows``: their rows of the partnership table,
        if the caller has them), in their order, from the member table's columns
        ``partnership`` and ``current`` (:func:`grouped_rows`).

        The month of joint work, the members' exits after it, recruitment and the month's
        view each group the members of (mostly) the same partnerships: the last grouping is
        kept on the model (``grouped_members``) until a membership changes
        (:meth:`Operation.terms_changed` drops it)."""
        key = tuple(partnerships)
        if not key:
            empty = np.zeros(0, dtype=np.intp)
            return cls(empty, empty, empty)
        model = key[0].model
        kept = model.grouped_members
        if kept is not None and kept[0] == key:
            return kept[1]
        if prows is None:
            prows = table_rows(partnerships)
        table = model.ledgers
        members = cls(*accelerator.compiled_or_not(grouped_rows)(
            prows, table.partnership, table.current, len(model.partnership_table.stage)))
        for array in (members.rows, members.group, members.sizes):  # shared: read only
            array.flags.writeable = False
        model.grouped_members = (key, members)
        return members

    def total(self, x: np.ndarray) -> np.ndarray:
        """Per partnership, the sum of ``x`` (one value per member) over its members."""
        return np.bincount(self.group, weights=x, minlength=len(self.sizes))

    def mean(self, x: np.ndarray) -> np.ndarray:
        """Per partnership, the mean of ``x`` over its members."""
        return self.total(x) / self.sizes


def table_rows(partnerships: list[Partnership]) -> np.ndarray:
    """The partnerships' rows of the model's partnership table, in their order."""
    return np.fromiter([partnership.row for partnership in partnerships], dtype=np.intp,
                       count=len(partnerships))


def grouped_rows(prows, partnership, current, partnerships):
    """The rows of the member table whose ``partnership`` (its row in the partnership table)
    is one of ``prows`` and that are ``current`` (the member has not left), grouped in the
    order of ``prows`` and ascending within each (the order the members joined, that of
    :attr:`Partnership.members`); for each, the position of its partnership in ``prows``; and
    each partnership's number of members (``partnerships``: the partnership table's rows).
    One source for both ways of running: compiled where the accelerator is on
    (:func:`pppsim.model.accelerator.compiled_or_not`)."""
    position = np.full(partnerships, -1, dtype=np.intp)
    position[prows] = np.arange(len(prows))
    of_row = position[partnership]
    rows = np.flatnonzero((of_row >= 0) & (current > 0))
    group = of_row[rows]
    order = np.argsort(group, kind="mergesort")
    return rows[order], group[order], np.bincount(group, minlength=len(prows))
