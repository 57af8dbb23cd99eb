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

from . import mechanisms as mech
from .constants import MAX_MEMBERS
from .events import EventKind
from .partnership import Partnership
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
        orgs = self.organisations
        able = [o.has_room and not o.is_umbrella for o in orgs]
        candidates = list(compress(orgs, able))
        n = len(candidates)
        draws = self.rng.random(n)
        harm_ratio = self.harm_ratio  # Organisation.need() without recomputing it for each
        # The rates of all candidates at once, to within a few units in the last place, pick
        # those whose draw may fall below their rate; the rate of each of those is then
        # computed exactly as Organisation.need() and the decision taken on it.
        able_index = np.flatnonzero(np.fromiter(able, dtype=bool, count=len(able)))
        capability = np.fromiter([o.capability for o in candidates], dtype=float, count=n)
        approximate = (p.initiation_rate * (self.interests[able_index] @ harm_ratio)
                       * (0.5 + capability) * self.initiative[able_index])
        for k in np.flatnonzero(draws < approximate * (1.0 + 1e-9)):
            org, draw = candidates[k], draws[k]
            need = float(org.interest @ harm_ratio)
            rate = p.initiation_rate * need * (0.5 + org.capability)
            if not org.is_public:
                rate *= p.private_initiative
            if draw < rate and org.has_room:
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
        domain = int(np.argmax(initiator.interest * self.harm_ratio))
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

    def candidate_pool(self: PartnershipModel, initiator: Organisation) -> list[Organisation]:
        """Whom the initiator can approach: acquaintances with room, and those a trusted
        intermediary introduces; for a public initiator, possibly the umbrella organisations of
        the firms it knows instead of the firms [001 L103]."""
        pool = [self.organisation_by_id[i] for i in initiator.trust]
        if self.p.trusted_intermediary:
            pool += self.introductions(initiator)
        pool = [o for o in pool if o.has_room and o is not initiator]
        if initiator.is_public and self.rng.random() < self.p.umbrella_partnering:
            pool = [self.umbrella_for[o.kind] if not o.is_public and o.kind in self.umbrella_for
                    else o for o in pool]
            pool = [o for o in dict.fromkeys(pool) if o.has_room]
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
        self: PartnershipModel, initiator: Organisation, pool: list[Organisation], domain: int,
    ) -> list[Organisation]:
        """Candidates by goal fit and trust (Klos & Nooteboom 2001), the best candidate from
        the other sector first: it is a public-private partnership."""
        alpha = self.p.partner_choice_fit_weight
        ranked = sorted(
            pool,
            key=lambda o: -mech.partner_score(o.goal_fit[domain],
                                              initiator.trust_in(o), alpha))
        other_sector = [o for o in ranked if o.sector is not initiator.sector]
        if other_sector:
            ranked.remove(other_sector[0])
            ranked.insert(0, other_sector[0])
        return ranked

    def invite(
        self: PartnershipModel, initiator: Organisation, ranked: list[Organisation],
        domain: int, target: int, funding: Funding,
    ) -> tuple[list[Organisation], int]:
        """Invite candidates in order until ``target`` members or ``max_refusals`` refusals.

        Due diligence screens out opportunists [001 L101]; an invitee joins if its expected
        utility clears ``join_threshold`` (Tomasello et al. 2017).  Returns the members
        (initiator first) and the number of refusals.
        """
        p, rng = self.p, self.rng
        barrier = 1.0 - mech.information_pass_through(
            p.legal_barrier, p.organisational_barrier, p.technical_barrier)
        members = [initiator]
        refusals = 0
        for candidate in ranked:
            if len(members) >= target or refusals >= p.max_refusals:
                break
            screened_out = rng.random() < p.screening_strength * initiator.capability \
                * candidate.opportunism
            fit = candidate.goal_fit[domain]
            utility = mech.join_utility(
                fit, candidate.trust_in(initiator), len(members) + 1, barrier=barrier,
                subsidy=p.private_subsidy, strictness=p.grant_strictness,
                is_private=not candidate.is_public, grant_funded=funding is Funding.GRANT,
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
        domain = partnership.domain
        members = partnership.members
        known: dict[int, float] = {}  # the highest trust any member has in each non-member
        for org in partnership.organisations():
            for other_id, trust in org.trust.items():
                if other_id not in members:
                    before = known.get(other_id, 0.0)
                    known[other_id] = trust if trust > before else before  # max(before, trust)
        by_id = self.organisation_by_id
        candidates = [o for o in map(by_id.__getitem__, known) if o.has_room]
        if not candidates:
            return None
        alpha = self.p.partner_choice_fit_weight
        best = max(candidates, key=lambda o: mech.partner_score(
            o.goal_fit[domain], known[o.unique_id], alpha))
        partnership.welcome_newcomer(best)
        return best

    def maybe_grow(self: PartnershipModel, partnership: Partnership) -> None:
        """A thriving partnership sometimes takes in a newcomer: successes attract [002 L897]."""
        if len(partnership.members) >= MAX_MEMBERS or partnership.stage < Stage.TRANSACTIONAL:
            return
        if partnership.satisfaction > 0.75 and self.rng.random() < self.p.recruit_probability:
            self.recruit(partnership)
