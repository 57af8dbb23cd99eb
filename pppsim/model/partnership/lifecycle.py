"""How a partnership comes about: negotiation, design and launch, and admitting members."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import accelerator
from .. import mechanisms as mech
from ..events import EventKind
from ..vocabulary import EndCause, Funding
from .ledger import MemberLedger
from .operation import table_rows

if TYPE_CHECKING:
    from ..organisation import Organisation
    from .agent import Partnership


class Lifecycle:
    """Negotiate, launch, admit: the part of :class:`Partnership` before and at its start."""

    def negotiate(self: Partnership, trust: float, draw: float) -> None:
        """One month of negotiation: it may break down, or conclude and launch.

        Negotiation takes time and can fail [002 L1119-L1129, L986]; low trust and low goal
        overlap make breakdown likelier [001 L311, L137].  On success the design is fixed
        (phases design and launch) and each member's expectations are set: control-style
        design and formal agreements make expectations explicit, trust-style design leaves them
        implicit and so more often wrong [002 L1288-L1296, L1173].

        ``trust``: the founders' mean trust in each other; ``draw``: the month's uniform draw
        (both for all negotiating partnerships at once: :func:`negotiate_all`).
        """
        model, p = self.model, self.model.p
        orgs = self._pending_members
        self.months_negotiating += 1
        breakdown = mech.negotiation_breakdown_probability(
            p.negotiation_breakdown, trust, self.founding_overlap)
        if draw < breakdown:
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

    def launch(self: Partnership, orgs: list[Organisation]) -> None:
        """Design and launch: fix expectations and the goal, start the funding clock.

        The goal is ``goal_months`` months of output doing its job (``output_reference``),
        larger for larger partnerships (x sqrt(n / 3)) and drawn x U(0.7, 1.5) [002 L1123].
        """
        model, p = self.model, self.model.p
        self.launched_month = model.month
        self.is_operating = True
        if self.funding is Funding.GRANT:
            self.funding_end_month = model.month + p.grant_months
        self.admit(orgs, self.clarity)
        scale = (len(orgs) / 3.0) ** 0.5
        self.goal_output = p.goal_months * p.output_reference * scale * model.rng.uniform(
            0.7, 1.5)
        self._pending_members = []
        model.events.record(
            model.month, EventKind.LAUNCHED, partnership=self.unique_id,
            organisation=self.initiator, others=tuple(self.members),
            governance=self.governance, agreement=self.agreement, funding=str(self.funding),
            platform=self.platform, confidentiality_agreement=self.confidentiality_agreement,
            exit_strategy=self.exit_strategy, goal_output=self.goal_output)

    def admit(self: Partnership, orgs: list[Organisation], clarity: float) -> None:
        """Add members (in the given order) with their commitment and their expectation of
        value.

        Each one's expectation is 1 + optimism, optimism ~ N(``optimism_mean``,
        ``optimism_sd`` (1 - 0.7 clarity)), one draw each in order: explicit design makes
        expectations accurate [002 L1288-L1296, L1173].  Its goal fit is the overlap of its
        interests with the partnership's domains; its alignment starts there, less the
        priority conflicts of a broad scope [002 L743].
        """
        model, p = self.model, self.model.p
        optimism = model.rng.normal(p.optimism_mean, p.optimism_sd * (1.0 - 0.7 * clarity),
                                    size=len(orgs)).tolist()
        vector, norm = model.domain_target(self.domains)
        fits = [mech.goal_overlap(org.interest, vector, norm_a=org.interest_norm, norm_b=norm)
                for org in orgs]
        rows = model.ledgers.add_rows(
            len(orgs),
            joined_month=model.month,
            partnership=self.row,
            current=1,
            organisation=[org.index for org in orgs],
            commitment_fte=[org.commitment_fte for org in orgs],
            commitment_keur=[org.commitment_keur for org in orgs],
            expectation=[max(0.2, 1.0 + x) for x in optimism],
            optimism=optimism,
            domain_fit=fits,
            satisfaction=p.initial_satisfaction,
            alignment=[self.realigned(fit) for fit in fits],
        )
        for org, row in zip(orgs, rows, strict=True):
            self.members[org.unique_id] = MemberLedger(model.ledgers, row)
        self.terms_changed()
        for org, x in zip(orgs, optimism, strict=True):
            org.partnerships[self.unique_id] = self
            org.memberships_changed()
            self.member_history.append(org.unique_id)
            model.events.record(model.month, EventKind.JOINED, partnership=self.unique_id,
                                organisation=org.unique_id, expectation=1.0 + x)

    def realigned(self: Partnership, fit: float) -> float:
        """A member's alignment with the partnership's goals when they are (re)set: its goal
        fit, less what priority discussions in a broad scope take [002 L743; 001 L210]."""
        p = self.model.p
        return fit * (1.0 - mech.scope_conflict_share(len(self.domains), p.scope_conflict))

    def welcome_newcomer(self: Partnership, newcomer: Organisation) -> None:
        """A newcomer joins with the trust it has in the members, and they in it: at first
        prejudice-based when they do not know it [001 L141]."""
        self.admit([newcomer], self.clarity)
        self.newcomer_months.append(len(self.trust_history))


def negotiate_all(partnerships: list[Partnership]) -> None:
    """A month of negotiation of each of the given partnerships, in order
    (:meth:`Lifecycle.negotiate`): the founders' mean trust in each other for all of them at
    once (:func:`founders_trust`), one uniform draw each."""
    if not partnerships:
        return
    model = partnerships[0].model
    arrays, table = model.organisation_arrays, model.partnership_table
    trust = accelerator.compiled_or_not(founders_trust)(
        table_rows(partnerships), table.founders, table.founder_count, arrays.trust,
        arrays.prejudice, arrays.is_public)
    draws = model.rng.random(len(partnerships)).tolist()
    for partnership, mean, draw in zip(partnerships, trust.tolist(), draws, strict=True):
        partnership.negotiate(mean, draw)


def founders_trust(prows, founders, founder_count, trust, prejudice, is_public):
    """Each partnership's (rows ``prows`` of the partnership table) founders' mean trust in
    each other (the first ``founder_count`` of its row of ``founders``: places in the
    organisation arrays): over every ordered pair of founders, truster by truster, the
    truster's trust in the other, or its prejudice towards the other's sector where it does
    not know it yet, added up in that order.  One source for both ways of running: compiled
    where the accelerator is on (:func:`pppsim.model.accelerator.compiled_or_not`)."""
    count, width = len(prows), founders.shape[1]
    # every (partnership, truster, trusted) of each one's grid of founders' places, in that
    # order, kept where both are founders and the two differ
    cells = np.arange(count * width * width)
    group, truster, trusted = cells // (width * width), cells // width % width, cells % width
    counts = founder_count[prows]
    within = (truster != trusted) & (truster < counts[group]) & (trusted < counts[group])
    places = founders[prows].ravel()
    truster = places[(group * width + truster)[within]]
    trusted = places[(group * width + trusted)[within]]
    known = trust.ravel()[truster * trust.shape[1] + trusted]
    fallback = prejudice.ravel()[truster * 2 + is_public[trusted].astype(np.intp)]
    values = np.where(np.isnan(known), fallback, known)
    return np.bincount(group[within], weights=values, minlength=count) / (counts * (counts - 1))
