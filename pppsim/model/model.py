"""PartnershipModel: organisations forming, running and dissolving crime-prevention PPPs."""

from __future__ import annotations

import inspect
from statistics import fmean
from typing import Any

import mesa
import numpy as np

from ..parameters import DEFAULTS, Parameters
from . import mechanisms as mech
from .events import EventKind, EventLog
from .organisation import Organisation
from .partnership import MAX_MEMBERS, RECRUIT_PROBABILITY, Partnership
from .vocabulary import (
    DOMAINS,
    KIND_DOMAIN_AFFINITY,
    PRIVATE_KIND_WEIGHTS,
    PRIVATE_KINDS,
    PUBLIC_KIND_WEIGHTS,
    PUBLIC_KINDS,
    UMBRELLA_KIND,
    EndCause,
    Funding,
    Sector,
    Stage,
)

BASELINE_HARM = 100.0
"""Harm index of each crime domain at the start."""
HARM_NOISE_SD = 0.01
"""Monthly relative noise in each domain's underlying harm (new modus operandi)."""
INFORMATION_SPREAD = 0.3
"""Spread of organisations' information holdings around their interest in a domain."""
MAX_REJECTIONS = 3
"""Refusals after which an initiator gives up recruiting (Tomasello et al. 2017)."""
INTERMEDIARY_INTRODUCTIONS = 3
"""Organisations from the other sector a trusted intermediary introduces."""
INTERMEDIARY_TRUST = 0.1
"""Trust a trusted intermediary's vouching adds towards those it introduces."""
PRIVATE_INITIATIVE = 0.4
"""Relative chance that a firm rather than a public body initiates [001 L97]."""
SCREENING_STRENGTH = 1.0
"""Due diligence: chance of spotting an opportunist scales with capability x opportunism."""


class PartnershipModel(mesa.Model):
    """Public and private organisations forming, running and dissolving partnerships.

    One step is one month.  ``step()`` runs the processes of MODEL.md §3 in order: crime
    dynamics, formation, negotiation, operation, funding, evaluation, exit and dissolution,
    learning.  Every parameter of :class:`pppsim.parameters.Parameters` is a keyword argument
    with its default; ``rng`` seeds all randomness.

    Examples
    --------
    >>> model = PartnershipModel(n_organisations=60, rng=1)
    >>> model.run(24)
    >>> model.month
    24
    """

    def __init__(self, *, rng: Any = None, **params: Any) -> None:
        super().__init__(rng=rng)
        self.p = Parameters(**params)
        self.events = EventLog()
        self.partnerships_ever: list[Partnership] = []
        self.ended_this_month: list[Partnership] = []
        self.exits_this_month: list[tuple[Sector, EndCause]] = []
        self.attempts_this_month = 0
        self.harm_underlying = np.full(len(DOMAINS), BASELINE_HARM)
        self.prevented_share = np.zeros(len(DOMAINS))
        self.harm = self.harm_underlying.copy()
        self.underlying_history: list[np.ndarray] = []
        """Harm without partnerships per domain, one array per month from month 1."""
        self.harm_prevented_total = 0.0
        self._create_organisations()
        self._create_network()
        self.datacollector = mesa.DataCollector(model_reporters=_MODEL_REPORTERS)
        self.datacollector.collect(self)

    # --- set-up ----------------------------------------------------------------------------
    def _create_organisations(self) -> None:
        """Draw organisations from the scenario's distributions (MODEL.md §2)."""
        p, rng = self.p, self.rng
        n_public = max(1, round(p.n_organisations * p.public_share))
        n_private = max(1, p.n_organisations - n_public)
        sectors = [Sector.PUBLIC] * n_public + [Sector.PRIVATE] * n_private
        kinds = list(rng.choice(PUBLIC_KINDS, size=n_public, p=PUBLIC_KIND_WEIGHTS)) + list(
            rng.choice(PRIVATE_KINDS, size=n_private, p=PRIVATE_KIND_WEIGHTS))
        # umbrella organisations: one federation per private kind [001 L103]
        sectors += [Sector.PRIVATE] * len(PRIVATE_KINDS)
        kinds += [UMBRELLA_KIND] * len(PRIVATE_KINDS)
        federated = list(PRIVATE_KINDS)
        sigma = np.sqrt(np.log1p(p.capacity_spread**2))
        for sector, kind in zip(sectors, kinds, strict=True):
            public = sector is Sector.PUBLIC
            affinity_kind = federated.pop(0) if kind == UMBRELLA_KIND else kind
            affinity = np.asarray(KIND_DOMAIN_AFFINITY[affinity_kind])
            interest = affinity * rng.gamma(4.0, 0.25, size=len(DOMAINS))
            interest = interest / interest.sum()
            societal = p.public_societal_motive if public else p.private_societal_motive
            individual = p.individual_motive
            mean = np.array([societal, max(1.0 - societal - individual, 0.05), individual])
            motives = rng.dirichlet(20.0 * mean / mean.sum() + 1e-3)
            size = rng.lognormal(-sigma**2 / 2, sigma)
            capacity = (p.public_capacity_fte if public else p.private_capacity_fte) * size
            budget = (p.public_budget_keur if public else p.private_budget_keur) * size
            info = max(0.05, rng.normal(1.0, INFORMATION_SPREAD))
            a = 8.0 * p.opportunism_mean
            opportunism = rng.beta(max(a, 1e-3), max(8.0 - a, 1e-3))
            org = Organisation(
                self, sector=sector, kind=str(kind), interest=interest, motives=motives,
                capacity_fte=float(capacity), budget_keur=float(budget), information=info,
                opportunism=float(opportunism), risk_style=float(rng.random()))
            if kind == UMBRELLA_KIND:
                org.federated_kind = affinity_kind
        self.organisations = self.agents_by_type[Organisation]
        self.organisation_by_id = {o.unique_id: o for o in self.organisations}
        self.umbrella_for = {o.federated_kind: o for o in self.organisations if o.is_umbrella}

    def _create_network(self) -> None:
        """Acquaintances: each organisation knows a few others, more often with shared interests.

        PPS often start from existing contacts [002 L1546]; NGOs and networks connect
        [001 L99].  Ties are symmetric; trust on each tie starts from sector prejudice.
        Every public body knows every umbrella organisation [001 L103].
        """
        p, rng = self.p, self.rng
        orgs = [o for o in self.organisations if not o.is_umbrella]
        interests = np.array([o.interest for o in orgs])
        similarity = interests @ interests.T
        n = len(orgs)
        k = min(p.network_degree, n - 1)
        for i, org in enumerate(orgs):
            weights = similarity[i] + 0.2
            weights[i] = 0.0
            chosen = rng.choice(n, size=k, replace=False, p=weights / weights.sum())
            for j in chosen:
                other = orgs[j]
                org.trust.setdefault(other.unique_id, org.trust_in(other))
                other.trust.setdefault(org.unique_id, other.trust_in(org))
        for umbrella in self.umbrella_for.values():
            for org in orgs:
                if org.is_public or org.kind == umbrella.federated_kind:
                    org.trust.setdefault(umbrella.unique_id, org.trust_in(umbrella))
                    umbrella.trust.setdefault(org.unique_id, umbrella.trust_in(org))

    # --- queries ---------------------------------------------------------------------------
    @property
    def month(self) -> int:
        return self.steps

    @property
    def harm_ratio(self) -> np.ndarray:
        """Harm per domain relative to its starting level."""
        return self.harm / BASELINE_HARM

    @property
    def partnerships(self) -> mesa.agent.AgentSet:
        """Partnerships that have not ended (negotiating or operating)."""
        return self.agents_by_type.get(Partnership, mesa.agent.AgentSet([], random=self.random))

    def domain_vector(self, domain: int) -> np.ndarray:
        vector = np.zeros(len(DOMAINS))
        vector[domain] = 1.0
        return vector

    # --- the month -------------------------------------------------------------------------
    def step(self) -> None:
        """One month, in the order of MODEL.md §3."""
        self.ended_this_month = []
        self.exits_this_month = []
        self.attempts_this_month = 0
        self.update_crime()
        self.form_partnerships()
        partnerships = list(self.partnerships)
        for partnership in partnerships:
            if not partnership.is_operating:
                partnership.negotiate()
        operating = [p for p in partnerships if p.is_operating]
        self.random.shuffle(operating)
        for partnership in operating:
            partnership.operate()
        for partnership in operating:
            if partnership.is_active:
                partnership.check_funding()
            if partnership.is_active and partnership.evaluation_due():
                partnership.evaluate()
            elif partnership.is_active and partnership.exit_strategy and \
                    partnership.evaluation_interval_months == 0 and \
                    partnership.goal_progress >= 1.0:
                partnership.dissolve(EndCause.GOALS_REACHED, progress=partnership.goal_progress)
            if partnership.is_active:
                partnership.consider_exits()
            if partnership.is_active:
                self.maybe_grow(partnership)
        self.release_overcommitted()
        self.finish_month_accounting()
        for org in self.organisations:
            org.learn()
            org.recover_standing()
            org.fluctuate_capacity()
        self.datacollector.collect(self)

    def run(self, months: int | None = None) -> None:
        """Run for ``months`` months (default: 120, ten years)."""
        for _ in range(months if months is not None else 120):
            self.step()

    # --- crime -----------------------------------------------------------------------------
    def update_crime(self) -> None:
        """Harm evolves: it trends and shifts with new methods; prevention wears off.

        Crime adapts and changes fast [002 L429-L431]: the underlying harm (the harm there
        would be without any partnership) trends and carries monthly noise.  Prevention lowers
        a share of a domain's harm (:attr:`prevented_share`, a stock); criminals adapt, so
        that share decays at ``harm_adaptation_rate`` a month.  Harm is exactly the underlying
        harm less the prevented share, so without prevention the two are the same month by
        month.  Prevention lowers harm only after a delay [001 L191] (the delay sits in each
        partnership's pipeline).
        """
        p = self.p
        noise = self.rng.normal(0.0, HARM_NOISE_SD, size=len(DOMAINS))
        self.harm_underlying = self.harm_underlying * (1.0 + p.harm_trend) * np.exp(noise)
        self.prevented_share = self.prevented_share * (1.0 - p.harm_adaptation_rate)
        self.harm = self.harm_underlying * (1.0 - self.prevented_share)
        self.underlying_history.append(self.harm_underlying)

    def prevent(self, domain: int, output: float) -> float:
        """Prevent harm in a domain with a partnership's matured output.

        Adds ``output × prevention_effectiveness`` harm points (at most the harm left) to the
        domain's prevented share.  Returns the share of the domain's underlying harm it added;
        :func:`pppsim.model.outputs.harm_prevented_by` turns a partnership's shares into the
        harm it prevented over the run.
        """
        underlying = self.harm_underlying[domain]
        amount = min(self.harm[domain], output * self.p.prevention_effectiveness)
        share = amount / underlying if underlying > 0 else 0.0
        self.prevented_share[domain] += share
        self.harm[domain] = underlying * (1.0 - self.prevented_share[domain])
        return share

    def finish_month_accounting(self) -> None:
        """Harm prevented this month: harm without partnerships less harm with them."""
        self.harm_prevented_total += float((self.harm_underlying - self.harm).sum())

    # --- formation -------------------------------------------------------------------------
    def form_partnerships(self) -> None:
        """Organisations with unmet needs try to set up a partnership (CLAIMED [001 L95-L105]).

        An organisation whose goals are unmet and for which a PPS is the best option
        [002 L545-L547] starts an attempt with a chance that grows with its need and capability
        [002 L1540-L1560]; public bodies initiate more often [001 L97].
        """
        p = self.p
        candidates = [o for o in self.organisations if o.has_room and not o.is_umbrella]
        draws = self.rng.random(len(candidates))
        for org, draw in zip(candidates, draws, strict=True):
            rate = p.initiation_rate * org.need() * (0.5 + org.capability)
            if not org.is_public:
                rate *= PRIVATE_INITIATIVE
            if draw < rate and org.has_room:
                self.attempt_formation(org)

    def attempt_formation(self, initiator: Organisation) -> Partnership | None:
        """Locate, screen and invite partners; start negotiating if enough accept.

        Locate among acquaintances (and a trusted intermediary's introductions) [001 L99,
        L272-L275]; screen by due diligence [001 L101]; choose by goal fit and trust (Klos &
        Nooteboom 2001); invitees join if their expected utility clears a threshold and the
        initiator gives up after repeated refusals (Tomasello et al. 2017).  A public initiator
        may approach a sector's umbrella organisation instead of a single firm [001 L103].
        """
        p, rng = self.p, self.rng
        self.attempts_this_month += 1
        domain = int(np.argmax(initiator.interest * self.harm_ratio))
        pool = [self.organisation_by_id[i] for i in initiator.trust]
        if p.trusted_intermediary:
            strangers = [o for o in self.organisations if o.sector is not initiator.sector
                         and o.unique_id not in initiator.trust and not o.is_umbrella]
            for j in rng.choice(len(strangers), size=min(INTERMEDIARY_INTRODUCTIONS,
                                                         len(strangers)), replace=False):
                stranger = strangers[j]
                pool.append(stranger)
                initiator.trust[stranger.unique_id] = min(
                    1.0, initiator.trust_in(stranger) + INTERMEDIARY_TRUST)
                stranger.trust[initiator.unique_id] = min(
                    1.0, stranger.trust_in(initiator) + INTERMEDIARY_TRUST)
        pool = [o for o in pool if o.has_room and o is not initiator]
        if initiator.is_public and rng.random() < p.umbrella_partnering:
            pool = [self.umbrella_for[o.kind] if not o.is_public and o.kind in self.umbrella_for
                    else o for o in pool]
            pool = [o for o in dict.fromkeys(pool) if o.has_room]
        target = 2 + min(int(rng.poisson(p.extra_partners_mean)), MAX_MEMBERS - 2)
        scored = sorted(
            pool,
            key=lambda o: -mech.partner_score(o.interest[domain] / o.interest.max(),
                                              initiator.trust_in(o)))
        other_sector = [o for o in scored if o.sector is not initiator.sector]
        if other_sector:  # the first invitation goes across sectors: it is a PPP
            scored.remove(other_sector[0])
            scored.insert(0, other_sector[0])
        funding = self.draw_funding()
        grant_funded = funding is Funding.GRANT
        barrier = 1.0 - mech.information_pass_through(
            p.legal_barrier, p.organisational_barrier, p.technical_barrier)
        members = [initiator]
        refusals = 0
        for candidate in scored:
            if len(members) >= target or refusals >= MAX_REJECTIONS:
                break
            screened_out = rng.random() < SCREENING_STRENGTH * initiator.capability \
                * candidate.opportunism
            fit = candidate.interest[domain] / candidate.interest.max()
            utility = mech.join_utility(
                fit, candidate.trust_in(initiator), len(members) + 1, barrier=barrier,
                subsidy=p.private_subsidy, strictness=p.grant_strictness,
                is_private=not candidate.is_public, grant_funded=grant_funded,
            ) + rng.normal(0.0, 0.1)
            if screened_out or utility < p.join_threshold:
                refusals += 1
                continue
            members.append(candidate)
        sectors = {o.sector for o in members}
        member_ids = tuple(o.unique_id for o in members)
        self.events.record(self.month, EventKind.FORMATION_ATTEMPT,
                           organisation=initiator.unique_id, others=member_ids,
                           domain=DOMAINS[domain], invited=len(members) - 1 + refusals,
                           refusals=refusals)
        if len(members) < 2 or len(sectors) < 2:
            self.events.record(self.month, EventKind.FORMATION_FAILED,
                               organisation=initiator.unique_id, others=member_ids,
                               cause="no partners from both sectors", refusals=refusals)
            return None
        partnership = Partnership(self, initiator=initiator, members=members, domain=domain,
                                  funding=funding)
        self.partnerships_ever.append(partnership)
        for org in members:  # a seat is reserved while negotiating
            org.partnerships[partnership.unique_id] = partnership
        self.events.record(self.month, EventKind.NEGOTIATION_STARTED,
                           partnership=partnership.unique_id, organisation=initiator.unique_id,
                           others=member_ids, domain=DOMAINS[domain],
                           expected_months=partnership.negotiation_months_needed,
                           trust=partnership.initial_trust)
        return partnership

    def draw_funding(self) -> Funding:
        """Funding source of a new partnership: grant, structural budget or in kind [002 L578]."""
        draw = self.rng.random()
        if draw < self.p.grant_share:
            return Funding.GRANT
        if draw < self.p.grant_share + self.p.structural_share:
            return Funding.STRUCTURAL
        return Funding.IN_KIND

    def recruit(self, partnership: Partnership) -> Organisation | None:
        """Recruit one newcomer from the members' acquaintances (transform or growth)."""
        domain = partnership.domain
        known: dict[int, float] = {}
        for org in partnership.organisations():
            for other_id, trust in org.trust.items():
                if other_id not in partnership.members:
                    known[other_id] = max(known.get(other_id, 0.0), trust)
        candidates = [self.organisation_by_id[i] for i in known]
        candidates = [o for o in candidates if o.has_room]
        if not candidates:
            return None
        best = max(candidates, key=lambda o: mech.partner_score(
            o.interest[domain] / o.interest.max(), known[o.unique_id]))
        partnership.welcome_newcomer(best)
        return best

    def maybe_grow(self, partnership: Partnership) -> None:
        """A thriving partnership sometimes takes in a newcomer: successes attract [002 L897]."""
        if len(partnership.members) >= MAX_MEMBERS or partnership.stage < Stage.TRANSACTIONAL:
            return
        satisfaction = fmean(led.satisfaction for led in partnership.members.values())
        if satisfaction > 0.75 and self.rng.random() < RECRUIT_PROBABILITY:
            self.recruit(partnership)

    def release_overcommitted(self) -> None:
        """Organisations that can no longer staff all their partnerships leave one.

        Parties that cannot deliver people or means cause failure [002 L1061]; Piraeus lacked
        staff and funds [001 L201-L205].  The organisation leaves the partnership that
        satisfies it least.
        """
        for org in self.organisations:
            operating = [p for p in org.partnerships.values() if p.is_operating]
            if operating and org.overcommitted:
                worst = min(operating, key=lambda p: p.members[org.unique_id].satisfaction)
                worst.remove_member(org, EndCause.RESOURCES_EXHAUSTED,
                                    capacity=org.available_fte, promised=org.promised_fte)


def _mean_or_nan(values: list[float]) -> float:
    """Mean, or NaN where there is nothing to average (no partnership operating yet)."""
    return fmean(values) if values else float("nan")


def _sector_trust(model: PartnershipModel, truster_public: bool) -> float:
    """Mean trust of one sector's organisations towards the other sector, over known ties."""
    by_id = model.organisation_by_id
    values = [t for o in model.organisations if o.is_public is truster_public
              for i, t in o.trust.items() if by_id[i].is_public is not truster_public]
    return _mean_or_nan(values)


def _member_mean(model: PartnershipModel, attribute: str, public: bool | None = None) -> float:
    values = [getattr(led, attribute) for p in model.partnerships if p.is_operating
              for i, led in p.members.items()
              if public is None or model.organisation_by_id[i].is_public is public]
    return _mean_or_nan(values)


def _operating(model: PartnershipModel) -> list[Partnership]:
    return [p for p in model.partnerships if p.is_operating]


_MODEL_REPORTERS = {
    "active_partnerships": lambda m: len(_operating(m)),
    "negotiating": lambda m: sum(not p.is_operating for p in m.partnerships),
    "philanthropic": lambda m: sum(p.stage is Stage.PHILANTHROPIC for p in _operating(m)),
    "transactional": lambda m: sum(p.stage is Stage.TRANSACTIONAL for p in _operating(m)),
    "integrative": lambda m: sum(p.stage is Stage.INTEGRATIVE for p in _operating(m)),
    "formation_attempts": lambda m: m.attempts_this_month,
    "launched": lambda m: sum(p.launched_month == m.month for p in m.partnerships_ever),
    "dissolved": lambda m: sum(p.end_cause is not EndCause.NEGOTIATION_FAILED
                               for p in m.ended_this_month),
    "negotiations_failed": lambda m: sum(p.end_cause is EndCause.NEGOTIATION_FAILED
                                         for p in m.ended_this_month),
    "private_exits": lambda m: sum(s is Sector.PRIVATE for s, _ in m.exits_this_month),
    "public_exits": lambda m: sum(s is Sector.PUBLIC for s, _ in m.exits_this_month),
    "harm": lambda m: float(m.harm.sum()),
    "harm_without_prevention": lambda m: float(m.harm_underlying.sum()),
    "harm_prevented": lambda m: float((m.harm_underlying - m.harm).sum()),
    "information_shared": lambda m: sum(p.last["shared"] for p in _operating(m)),
    "information_followed_up": lambda m: sum(p.last["followed"] for p in _operating(m)),
    "trust_public_to_private": lambda m: _sector_trust(m, True),
    "trust_private_to_public": lambda m: _sector_trust(m, False),
    "trust_in_partnerships": lambda m: _mean_or_nan([p.last["trust"] for p in _operating(m)]),
    "satisfaction_public": lambda m: _member_mean(m, "satisfaction", True),
    "satisfaction_private": lambda m: _member_mean(m, "satisfaction", False),
    "free_riding": lambda m: _member_mean(m, "free_riding"),
    "resources_spent_keur": lambda m: sum(
        sum(led.money_keur for led in p.members.values()) + p.funding_keur
        for p in _operating(m)),
    "mean_capability": lambda m: fmean(o.capability for o in m.organisations),
    "public_legitimacy": lambda m: fmean(o.standing for o in m.organisations if o.is_public),
}
"""Monthly model-level outputs (MODEL.md §4)."""


def _signature() -> inspect.Signature:
    """``__init__(self, *, rng=None, <every parameter>=<default>)`` for help() and tools.

    ``self`` must come first: ``inspect.signature(PartnershipModel)`` (which ``mesa.batch_run``
    calls) drops it, and rejects a method signature without it.
    """
    params = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_ONLY),
              inspect.Parameter("rng", inspect.Parameter.KEYWORD_ONLY, default=None)]
    params += [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default)
               for name, default in DEFAULTS.items()]
    return inspect.Signature(params)


PartnershipModel.__init__.__signature__ = _signature()
