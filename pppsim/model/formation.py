"""How partnerships form and grow: initiation, the candidate pool, invitations, recruitment.

:class:`Formation` is the part of :class:`~pppsim.model.model.PartnershipModel` that brings
organisations together (docs/ODD.md §7.2.2): an organisation with unmet needs takes the
initiative, gathers a pool of candidates (its acquaintances, those a trusted intermediary
introduces, or a sector's umbrella organisation), ranks them, and invites them one by one.
"""

from __future__ import annotations

from itertools import compress
from typing import TYPE_CHECKING

import numpy as np

from . import accelerator
from . import mechanisms as mech
from .constants import MAX_MEMBERS
from .events import EventKind
from .partnership import Partnership
from .partnership.operation import Members, table_rows
from .state import room_of
from .vocabulary import DOMAINS, Funding, Stage

if TYPE_CHECKING:
    from .model import PartnershipModel
    from .organisation import Organisation


class Formation:
    """Initiation, candidate pool, invitations and recruitment of newcomers."""

    def form_partnerships(self: PartnershipModel) -> None:
        """Organisations with unmet needs try to set up a partnership (CLAIMED [001 L95-L105]).

        An organisation whose goals are unmet and for which a PPS is the best option
        [002 L545-L547] starts an attempt with a chance that grows with its need and capability
        [002 L1540-L1560]; public bodies initiate more often [001 L97].
        """
        p = self.p
        arrays = self.organisation_arrays
        able = arrays.able_to_initiate()
        draws = self.rng.random(len(able))
        # the initiation rate of every organisation with room at once (Organisation.need())
        rates = (p.initiation_rate * (self.interests[able] @ self.harm_ratio)
                 * (0.5 + arrays.capability[able]) * self.initiative[able])
        by_id = self.organisation_by_id  # (indexing the Mesa agent set copies it each time)
        for index in able[draws < rates].tolist():
            org = by_id[index + 1]
            if org.has_room:  # an earlier attempt this month may have taken its last seat
                self.attempt_formation(org)

    def attempt_formation(self: PartnershipModel, initiator: Organisation) -> Partnership | None:
        """Locate, screen and invite partners; start negotiating if enough accept.

        Locate among acquaintances (and a trusted intermediary's introductions) [001 L99,
        L272-L275]; screen by due diligence [001 L101]; choose by goal fit and trust (Klos &
        Nooteboom 2001); invitees join if their expected utility clears a threshold and the
        initiator gives up after repeated refusals (Tomasello et al. 2017).  A public initiator
        may approach a sector's umbrella organisation instead of a single firm [001 L103].
        """
        self.attempts_this_month += 1
        domain = int((initiator.interest * self.harm_ratio).argmax())
        pool = self.candidate_pool(initiator)
        target = 2 + min(int(self.rng.poisson(self.p.extra_partners_mean)), MAX_MEMBERS - 2)
        ranked = self.rank_candidates(initiator, pool, domain)
        funding = self.draw_funding()
        members, refusals = self.invite(initiator, ranked, domain, target, funding)
        member_ids = tuple(o.unique_id for o in members)
        self.events.record(self.month, EventKind.FORMATION_ATTEMPT,
                           organisation=initiator.unique_id, others=member_ids,
                           domain=DOMAINS[domain], invited=len(members) - 1 + refusals,
                           refusals=refusals)
        if len(members) < 2 or len({o.sector for o in members}) < 2:
            self.events.record(self.month, EventKind.FORMATION_FAILED,
                               organisation=initiator.unique_id, others=member_ids,
                               cause="no partners from both sectors", refusals=refusals)
            return None
        return self.start_negotiation(initiator, members, domain, funding)

    def candidate_pool(self: PartnershipModel, initiator: Organisation) -> np.ndarray:
        """Whom the initiator can approach (their places in ``organisations``): acquaintances
        with room, then those a trusted intermediary introduces; for a public initiator,
        possibly the umbrella organisations of the firms it knows instead of the firms
        [001 L103]."""
        arrays = self.organisation_arrays
        row = arrays.trust[initiator.index]  # its acquaintances: those it knows
        introduced = _NOBODY
        if self.p.trusted_intermediary:
            row = row.copy()  # (as it was before the introductions)
            introduced = np.array([o.index for o in self.introductions(initiator)],
                                  dtype=np.intp)
        pool, room = accelerator.compiled_or_not(acquaintances_with_room)(
            row, initiator.index, introduced, arrays.seats_taken, arrays.seat_limit,
            arrays.promised_fte, arrays.commitment_fte, arrays.capacity_fte,
            arrays.capacity_level)
        if initiator.is_public and self.rng.random() < self.p.umbrella_partnering:
            pool = self.stand_in[pool]
            first = np.unique(pool, return_index=True)[1]  # each once, where it came first
            pool = pool[np.sort(first)]
            pool = pool[room[pool]]
        return pool

    def introductions(self: PartnershipModel, initiator: Organisation) -> list[Organisation]:
        """A trusted intermediary introduces strangers from the other sector and vouches for
        them: trust both ways rises by ``intermediary_trust`` [001 L272-L275]."""
        p = self.p
        strangers = [o for o in self.organisations if o.sector is not initiator.sector
                     and o.unique_id not in initiator.trust and not o.is_umbrella]
        chosen = self.rng.choice(len(strangers), size=min(p.intermediary_introductions,
                                                          len(strangers)), replace=False)
        introduced = []
        for j in chosen:
            stranger = strangers[j]
            introduced.append(stranger)
            initiator.trust[stranger.unique_id] = min(
                1.0, initiator.trust_in(stranger) + p.intermediary_trust)
            stranger.trust[initiator.unique_id] = min(
                1.0, stranger.trust_in(initiator) + p.intermediary_trust)
        return introduced

    def rank_candidates(
        self: PartnershipModel, initiator: Organisation, pool: np.ndarray, domain: int,
    ) -> list[int]:
        """Candidates (places in ``organisations``) by goal fit and trust (Klos & Nooteboom
        2001), the best candidate from the other sector first: it is a public-private
        partnership."""
        scores = mech.partner_score(
            self.goal_fit[pool, domain],
            self.organisation_arrays.known_trust(initiator.index, pool),
            self.p.partner_choice_fit_weight)
        ranked = pool[(-scores).argsort(kind="stable")].tolist()
        public = self.public_mask
        for place, candidate in enumerate(ranked):
            if public[candidate] != initiator.is_public:
                ranked.insert(0, ranked.pop(place))
                break
        return ranked

    def invite(
        self: PartnershipModel, initiator: Organisation, ranked: list[int],
        domain: int, target: int, funding: Funding,
    ) -> tuple[list[Organisation], int]:
        """Invite candidates (places in ``organisations``, in order) until ``target`` members
        or ``max_refusals`` refusals.

        Due diligence screens out opportunists [001 L101]; an invitee joins if its expected
        utility clears ``join_threshold`` (Tomasello et al. 2017).  Returns the members
        (initiator first) and the number of refusals.
        """
        p, rng = self.p, self.rng
        barrier = 1.0 - mech.information_pass_through(
            p.legal_barrier, p.organisational_barrier, p.technical_barrier)
        screening = p.screening_strength * initiator.capability
        grant_funded = funding is Funding.GRANT
        by_id = self.organisation_by_id
        members = [initiator]
        refusals = 0
        for k in ranked:
            if len(members) >= target or refusals >= p.max_refusals:
                break
            candidate = by_id[k + 1]
            screened_out = rng.random() < screening * candidate.opportunism
            fit = candidate.goal_fit[domain]
            utility = mech.join_utility(
                fit, candidate.trust_in(initiator), len(members) + 1, barrier=barrier,
                subsidy=p.private_subsidy, strictness=p.grant_strictness,
                is_private=not candidate.is_public, grant_funded=grant_funded,
                coordination_cost=p.coordination_cost,
            ) + rng.normal(0.0, 0.1)
            if screened_out or utility < p.join_threshold:
                refusals += 1
                continue
            members.append(candidate)
        return members, refusals

    def start_negotiation(
        self: PartnershipModel, initiator: Organisation, members: list[Organisation],
        domain: int, funding: Funding,
    ) -> Partnership:
        """A new partnership starts negotiating; each member's seat is reserved meanwhile."""
        partnership = Partnership(self, initiator=initiator, members=members, domain=domain,
                                  funding=funding)
        self.partnerships_ever.append(partnership)
        for org in members:
            org.partnerships[partnership.unique_id] = partnership
            org.memberships_changed()
        self.events.record(self.month, EventKind.NEGOTIATION_STARTED,
                           partnership=partnership.unique_id, organisation=initiator.unique_id,
                           others=tuple(o.unique_id for o in members), domain=DOMAINS[domain],
                           expected_months=partnership.negotiation_months_needed,
                           trust=partnership.initial_trust)
        return partnership

    def draw_funding(self: PartnershipModel) -> Funding:
        """Funding source of a new partnership: grant, structural budget or in kind [002 L578]."""
        draw = self.rng.random()
        if draw < self.p.grant_share:
            return Funding.GRANT
        if draw < self.p.grant_share + self.p.structural_share:
            return Funding.STRUCTURAL
        return Funding.IN_KIND

    def recruit(self: PartnershipModel, partnership: Partnership) -> Organisation | None:
        """Recruit one newcomer from the members' acquaintances (transform or growth)."""
        arrays = self.organisation_arrays
        members = np.array(list(partnership.members), dtype=np.intp) - 1
        known = arrays.trust[members]
        # the highest trust any member has in each organisation it knows, outside the members
        best_trust = np.fmax.reduce(known, axis=0) if len(members) > 1 else known[0].copy()
        best_trust[members] = np.nan
        candidates = (~np.isnan(best_trust) & arrays.room()).nonzero()[0]
        if not len(candidates):
            return None
        scores = mech.partner_score(self.goal_fit[candidates, partnership.domain],
                                    best_trust[candidates], self.p.partner_choice_fit_weight)
        best = self.organisation_by_id[int(candidates[scores.argmax()]) + 1]
        partnership.welcome_newcomer(best)
        return best

    def grow(self: PartnershipModel, partnerships: list[Partnership]) -> None:
        """A thriving partnership sometimes takes in a newcomer: successes attract [002 L897].

        Thriving: not full, past the philanthropic stage and its members on average more
        than 0.75 satisfied; each such partnership recruits with ``recruit_probability``, one
        uniform draw each, in the given order."""
        if not partnerships:
            return
        # the members' exits have just grouped the members of the same partnerships
        # (Members.of), unless one of them left
        prows = table_rows(partnerships)
        members = Members.of(partnerships, prows)
        thriving = accelerator.compiled_or_not(thriving_of)(
            prows, members.rows, members.group, members.sizes, self.partnership_table.stage,
            self.ledgers.satisfaction, MAX_MEMBERS, int(Stage.TRANSACTIONAL))
        thriving = list(compress(partnerships, thriving.tolist()))
        draws = self.rng.random(len(thriving)) < self.p.recruit_probability
        for partnership in compress(thriving, draws.tolist()):
            self.recruit(partnership)


_NOBODY = np.zeros(0, dtype=np.intp)
"""No organisation (places in the organisation arrays)."""


def acquaintances_with_room(trust_row, me, introduced, seats_taken, seat_limit, promised_fte,
                            commitment_fte, capacity_fte, capacity_level):
    """Whom the organisation at place ``me`` can approach (:meth:`Formation.candidate_pool`):
    those it knows (not NaN in its ``trust_row``), then those ``introduced`` to it, each with
    room for another partnership (:func:`~pppsim.model.state.room_of`), itself excepted; and
    every organisation's room.  One source for both ways of running: compiled where the
    accelerator is on (:func:`pppsim.model.accelerator.compiled_or_not`)."""
    pool = np.concatenate((np.flatnonzero(~np.isnan(trust_row)), introduced))
    room = room_of(seats_taken, seat_limit, promised_fte, commitment_fte, capacity_fte,
                   capacity_level)
    return pool[room[pool] & (pool != me)], room


def thriving_of(prows, rows, group, sizes, stage, satisfaction, max_members, transactional):
    """Which of the partnerships at rows ``prows`` of the partnership table thrive
    (:meth:`Formation.grow`): fewer than ``max_members`` members, at least at the
    ``transactional`` stage, and their members (rows ``rows`` of the member table, grouped
    by ``group``, ``sizes`` of each) more than 0.75 satisfied on average.  One source for
    both ways of running: compiled where the accelerator is on
    (:func:`pppsim.model.accelerator.compiled_or_not`)."""
    mean = np.bincount(group, weights=satisfaction[rows], minlength=len(sizes)) / sizes
    return (sizes < max_members) & (stage[prows] >= transactional) & (mean > 0.75)
