"""PartnershipModel: organisations forming, running and dissolving crime-prevention PPPs."""

from __future__ import annotations

import inspect
import random
from collections.abc import Callable
from functools import cache
from typing import Any

import mesa
import numpy as np

from ..parameters import DEFAULTS, Parameters
from . import accelerator
from .constants import BASELINE_HARM
from .events import EventLog
from .formation import Formation
from .organisation import Organisation, month_end
from .outputs import MODEL_REPORTERS, MonthView, current_view
from .partnership import Partnership
from .partnership.ending import settle_all
from .partnership.lifecycle import negotiate_all
from .partnership.operation import MONTH_TERMS, Members, operate_all, table_rows
from .state import MemberTable, OrganisationArrays, PartnershipTable, PreventionLog
from .vocabulary import (
    DOMAINS,
    KIND_DOMAIN_AFFINITY,
    PRIVATE_KIND_WEIGHTS,
    PRIVATE_KINDS,
    PUBLIC_KIND_WEIGHTS,
    PUBLIC_KINDS,
    UMBRELLA_KIND,
    EndCause,
    Sector,
)


class MonthlyCollector(mesa.DataCollector):
    """Mesa's ``DataCollector`` of the monthly outputs (:data:`MODEL_REPORTERS`), recording a
    month's outputs from the model's month view all at once.

    Mesa's ``collect`` calls the reporters one by one, each reading its value from the month
    view, and records a deep copy of each value; the values are plain numbers, which a deep
    copy returns as they are, so the view's values appended to ``model_vars`` are the very
    same records.  With other reporters (added to it), Mesa's own ``collect`` collects.
    """

    def __init__(self) -> None:
        super().__init__(model_reporters=MODEL_REPORTERS)

    def collect(self, model: PartnershipModel) -> None:
        if (self.agent_reporters or self.agenttype_reporters
                or self.model_reporters != MODEL_REPORTERS):
            super().collect(model)
            return
        if hasattr(self, "_collection_steps"):  # as Mesa's collect: its record of when
            self._collection_steps.append(model.time)
        self._validated = True  # the reporters are the model's own
        values = current_view(model).values
        for name, column in self.model_vars.items():
            column.append(values[name])


class PartnershipModel(Formation, mesa.Model):
    """Public and private organisations forming, running and dissolving partnerships.

    One step is one month.  ``step()`` runs the processes of docs/ODD.md §3 in order: crime
    dynamics, formation, negotiation, operation, funding, evaluation, exit and dissolution,
    learning.  Formation and recruitment are in :class:`~pppsim.model.formation.Formation`.
    Every parameter of :class:`pppsim.parameters.Parameters` is a keyword argument with its
    default; ``rng`` seeds all randomness.

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
        self.partnership_table = PartnershipTable(self.p.prevention_delay_months,
                                                  len(MONTH_TERMS), len(DOMAINS))
        """Every partnership's stage, totals, last month's flows and pipeline, one row each."""
        self.prevention_log = PreventionLog()
        """Every month's prevention by every partnership."""
        self.stale_terms: dict[int, Partnership] = {}
        """Partnerships whose month terms must be written again before the next month of
        joint work (:meth:`~pppsim.model.partnership.operation.Operation.terms_changed`)."""
        self.grouped_members: tuple[tuple[Partnership, ...], Members] | None = None
        """The last :meth:`Members.of <pppsim.model.partnership.operation.Members.of>` asked
        for and the partnerships it groups, until a membership changes."""
        self._domain_targets: dict[tuple[int, ...], tuple[np.ndarray, float]] = {}
        """:meth:`domain_target` of each tuple of domains asked for so far."""
        self._create_organisations()
        self._create_network()
        self.month_view: MonthView | None = None
        """What the reporters read, while :meth:`collect` runs (None otherwise)."""
        self.datacollector = MonthlyCollector()
        self.collect()

    # --- set-up ----------------------------------------------------------------------------
    def _create_organisations(self) -> None:
        """Draw organisations from the scenario's distributions (docs/ODD.md §2, §5)."""
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
        self.organisation_arrays = OrganisationArrays(len(sectors))
        """The organisations' changing state and the traits the monthly computations read."""
        self.ledgers = MemberTable()
        """Every membership's ledger, one row each."""
        sigma = np.sqrt(np.log1p(p.capacity_spread**2))
        # what the draws of every organisation of a sector or kind share, computed once
        motive_alphas = np.empty((2, 3))  # row 1: public bodies, row 0: firms
        for public in (True, False):
            societal = p.public_societal_motive if public else p.private_societal_motive
            individual = p.individual_motive
            mean = np.array([societal, max(1.0 - societal - individual, 0.05), individual])
            motive_alphas[int(public)] = 20.0 * mean / mean.sum() + 1e-3
        a = 8.0 * p.opportunism_mean
        # each one's domain affinities: its kind's, an umbrella organisation's those of the
        # kind of firm it represents [001 L103]
        affinity_kinds = [federated.pop(0) if kind == UMBRELLA_KIND else kind for kind in kinds]
        is_public = np.array([sector is Sector.PUBLIC for sector in sectors])
        traits = accelerator.compiled_or_not(draw_organisations)(
            rng, np.array([KIND_DOMAIN_AFFINITY[kind] for kind in affinity_kinds]), is_public,
            motive_alphas, -sigma**2 / 2, sigma, p.information_spread, max(a, 1e-3),
            max(8.0 - a, 1e-3))
        interests, motives, sizes, information, opportunism, risk_styles = traits
        for k, (sector, kind, size, info, opportunistic, risk_style) in enumerate(zip(
                sectors, kinds, sizes.tolist(), information.tolist(), opportunism.tolist(),
                risk_styles.tolist(), strict=True)):
            public = sector is Sector.PUBLIC
            capacity = (p.public_capacity_fte if public else p.private_capacity_fte) * size
            budget = (p.public_budget_keur if public else p.private_budget_keur) * size
            org = Organisation(
                self, sector=sector, kind=str(kind),
                interest=interests[k].copy(), motives=motives[k].copy(),
                capacity_fte=capacity, budget_keur=budget, information=info,
                opportunism=opportunistic, risk_style=risk_style)
            if kind == UMBRELLA_KIND:
                org.federated_kind = affinity_kinds[k]
        self.organisations = self.agents_by_type[Organisation]
        orgs = list(self.organisations)
        self.organisation_by_id = {o.unique_id: o for o in orgs}
        self._kind_counts: dict[str, int] = {}
        for o in orgs:
            self._kind_counts[o.kind] = self._kind_counts.get(o.kind, 0) + 1
        self.public_ids = frozenset(o.unique_id for o in orgs if o.is_public)
        """Ids of the public bodies."""
        self.n_public = len(self.public_ids)
        """How many public bodies there are: the first ``n_public`` organisations."""
        self.public_mask = [o.is_public for o in orgs]
        """Whether each organisation is a public body, in the order of ``organisations``."""
        self.interests = np.array([o.interest for o in orgs])
        """Each organisation's interests over the crime domains, one row each."""
        self.goal_fit = np.array([o.goal_fit for o in orgs])
        """Each organisation's goal fit per crime domain (:attr:`Organisation.goal_fit`)."""
        self.initiative = np.array([1.0 if o.is_public else p.private_initiative
                                    for o in orgs])
        """How readily each organisation takes the initiative, relative to a public body."""
        self.umbrella_for = {o.federated_kind: o for o in orgs if o.is_umbrella}
        self.stand_in = np.array([self.umbrella_for[o.kind].index
                                  if not o.is_public and o.kind in self.umbrella_for
                                  else o.index for o in orgs], dtype=np.intp)
        """For each organisation, who a public initiator approaches instead when it partners
        through umbrella organisations: a firm's umbrella organisation, else itself."""

    def _create_network(self) -> None:
        """Acquaintances: each organisation knows a few others, more often with shared interests.

        PPS often start from existing contacts [002 L1546]; NGOs and networks connect
        [001 L99].  Ties are symmetric; trust on each tie starts from sector prejudice
        (:attr:`Organisation.prejudice`).
        Every public body knows every umbrella organisation [001 L103].
        """
        p, rng = self.p, self.rng
        orgs = [o for o in self.organisations if not o.is_umbrella]
        index = np.array([o.index for o in orgs], dtype=np.intp)
        interests = np.array([o.interest for o in orgs])
        # shared interests, and a chance to know anyone
        weights = _one_thread_product(interests, interests.T) + 0.2
        np.fill_diagonal(weights, 0.0)
        n = len(orgs)
        k = min(p.network_degree, n - 1)
        knower = np.repeat(index, k)
        known = index[draws_without_replacement(rng, weights, k).ravel()]
        ties = [(knower, known), (known, knower)]
        public = np.array([o.is_public for o in orgs], dtype=bool)
        kinds = np.array([o.kind for o in orgs])
        for umbrella in self.umbrella_for.values():
            members = index[public | (kinds == umbrella.federated_kind)]
            ties += [(members, np.full(len(members), umbrella.index)),
                     (np.full(len(members), umbrella.index), members)]
        truster = np.concatenate([a for a, _ in ties])
        trusted = np.concatenate([b for _, b in ties])
        self.organisation_arrays.make_ties(truster, trusted)

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
        partnerships = self.agents_by_type.get(Partnership)
        if partnerships is None:  # none created yet
            return mesa.agent.AgentSet([], random=self.random)
        return partnerships

    def domain_vector(self, domains: int | tuple[int, ...]) -> np.ndarray:
        """Indicator vector over crime domains of one domain or several."""
        vector = np.zeros(len(DOMAINS))
        vector[list(domains) if isinstance(domains, tuple) else domains] = 1.0
        return vector

    def domain_target(self, domains: tuple[int, ...]) -> tuple[np.ndarray, float]:
        """:meth:`domain_vector` of ``domains`` and its ``np.linalg.norm``, computed once per
        tuple of domains in a run (the array is shared: read it, do not change it)."""
        target = self._domain_targets.get(domains)
        if target is None:
            vector = self.domain_vector(domains)
            target = self._domain_targets[domains] = (vector, float(np.linalg.norm(vector)))
        return target

    def organisations_of_kind(self, kind: str | None) -> int:
        """How many organisations are of ``kind`` (the organisations are fixed at creation)."""
        return self._kind_counts.get(kind, 0)

    # --- the month -------------------------------------------------------------------------
    def step(self) -> None:
        """One month, in the order of docs/ODD.md §3."""
        self.ended_this_month = []
        self.exits_this_month = []
        self.attempts_this_month = 0
        self.update_crime()
        self.form_partnerships()
        partnerships = list(self.partnerships)
        negotiate_all([p for p in partnerships if not p.is_operating])
        operating = [p for p in partnerships if p.is_operating]
        shuffle(self.random, operating)
        prows = table_rows(operating)
        operate_all(operating, prows)
        self.grow(settle_all(operating, prows))
        self.release_overcommitted()
        self.finish_month_accounting()
        self.end_month()
        # none has started since formation: those not ended are the model's partnerships
        self.collect([p for p in partnerships if p.is_active])

    def end_month(self) -> None:
        """Every organisation that partners learns, every standing recovers and every
        organisation's available staff fluctuates (:func:`~pppsim.model.organisation.
        month_end`), for all organisations at once, one normal draw each in their order."""
        arrays, p = self.organisation_arrays, self.p
        shocks = self.rng.normal(0.0, p.capacity_shock_sd, size=len(arrays.capability))
        arrays.capability, arrays.standing, arrays.capacity_level = \
            accelerator.compiled_or_not(month_end)(
                arrays.seats_taken, arrays.capability, arrays.standing, arrays.capacity_level,
                shocks, p.learning_rate * p.representatives_per_member, p.partnership_culture,
                p.standing_recovery, p.standing_baseline, p.capacity_persistence)

    def collect(self, active: list[Partnership] | None = None) -> None:
        """Record the month's outputs in the ``DataCollector``, its reporters reading one
        :class:`~pppsim.model.outputs.MonthView` of the model (``active``: the model's
        partnerships, in its order, if the caller has them)."""
        try:
            self.month_view = MonthView(self, active)
            self.datacollector.collect(self)
        finally:
            self.month_view = None

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
        noise = self.rng.normal(0.0, p.harm_noise_sd, size=len(DOMAINS))
        self.harm_underlying = self.harm_underlying * (1.0 + p.harm_trend) * np.exp(noise)
        self.prevented_share = self.prevented_share * (1.0 - p.harm_adaptation_rate)
        self.harm = self.harm_underlying * (1.0 - self.prevented_share)
        self.underlying_history.append(self.harm_underlying)

    def finish_month_accounting(self) -> None:
        """Harm prevented this month: harm without partnerships less harm with them."""
        self.harm_prevented_total += float((self.harm_underlying - self.harm).sum())

    # --- resources -------------------------------------------------------------------------
    def release_overcommitted(self) -> None:
        """Organisations that can no longer staff all their partnerships leave one.

        Parties that cannot deliver people or means cause failure [002 L1061]; Piraeus lacked
        staff and funds [001 L201-L205].  The organisation leaves the partnership that
        satisfies it least.
        """
        overcommitted = self.organisation_arrays.overcommitted(self.p.overstretch)
        for k in np.flatnonzero(overcommitted).tolist():
            org = self.organisation_by_id[k + 1]
            if not org.overcommitted:  # an earlier exit this month may have ended one of its
                continue               # partnerships
            operating = [p for p in org.partnerships.values() if p.is_operating]
            if operating:
                worst = min(operating, key=lambda p: p.members[org.unique_id].satisfaction)
                worst.remove_member(org, EndCause.RESOURCES_EXHAUSTED,
                                    capacity=org.available_fte, promised=org.promised_fte)


def draw_organisations(rng, affinity, public, motive_alphas, size_mu, size_sigma,
                       information_spread, opportunism_a, opportunism_b):
    """Each organisation's random traits (docs/ODD.md §5), drawn organisation by organisation
    in order from the generator ``rng``: its interests over the crime domains (its kind's
    ``affinity`` row times Gamma(4, 0.25) draws, normalised to sum to 1), its motive weights
    (Dirichlet with ``motive_alphas`` row 1 for a ``public`` body, row 0 for a firm), its size
    (lognormal with ``size_mu`` and ``size_sigma``, mean 1), its information holdings (normal
    around 1 with ``information_spread``, at least 0.05), its opportunism (Beta with
    ``opportunism_a`` and ``opportunism_b``) and its risk style (uniform).  Returns the six
    as arrays, one row or entry per organisation.

    The Dirichlet draw is NumPy's ``Generator.dirichlet`` written out (its way for parameters
    of which one is at least 0.1, as the motives' are: they add up to 20): one standard gamma
    draw per motive, scaled by the reciprocal of their sum.  One source for both ways of
    running: compiled where the accelerator is on
    (:func:`pppsim.model.accelerator.compiled_or_not`), where numba's generator gives NumPy's
    draws."""
    n, domains = affinity.shape
    interest, motives = np.empty((n, domains)), np.empty((n, 3))
    size, information = np.empty(n), np.empty(n)
    opportunism, risk_style = np.empty(n), np.empty(n)
    for i in range(n):
        drawn = affinity[i] * rng.gamma(4.0, 0.25, size=domains)
        interest[i] = drawn / drawn.sum()
        alpha = motive_alphas[1 if public[i] else 0]
        total = 0.0
        for j in range(3):
            motives[i, j] = rng.standard_gamma(alpha[j])
            total = total + motives[i, j]
        scale = 1.0 / total
        for j in range(3):
            motives[i, j] = motives[i, j] * scale
        size[i] = rng.lognormal(size_mu, size_sigma)
        information[i] = max(0.05, rng.normal(1.0, information_spread))
        opportunism[i] = rng.beta(opportunism_a, opportunism_b)
        risk_style[i] = rng.random()
    return interest, motives, size, information, opportunism, risk_style


def shuffle(generator: random.Random, items: list) -> None:
    """Shuffle ``items`` in place exactly as ``generator.shuffle(items)`` does (Python's
    Fisher-Yates: for each place from the last, a position below it drawn from
    ``getrandbits`` of its bit length, redrawn while out of range), with the same draws and the
    same order, without a method call per item: the month's order of the operating
    partnerships, about a hundred shuffles of some dozens a run."""
    getrandbits = generator.getrandbits
    for i in range(len(items) - 1, 0, -1):
        n = i + 1
        bits = n.bit_length()
        j = getrandbits(bits)
        while j >= n:
            j = getrandbits(bits)
        items[i], items[j] = items[j], items[i]


@cache
def _blas_threads() -> Any:
    """A ``threadpoolctl`` controller of the BLAS libraries NumPy loaded (made once a
    process), or None without ``threadpoolctl``."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    return ThreadpoolController()


def _one_thread_product(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` computed by the BLAS library on one thread.

    OpenBLAS splits a product of a few hundred rows between threads, which then keep
    spinning for some 100 ms of CPU after it; one thread computes the very same numbers
    (the threads only share out the output's rows and columns) at a fraction of that cost.
    """
    controller = _blas_threads()
    if controller is None:  # pragma: no cover
        return a @ b
    with controller.limit(limits=1, user_api="blas"):
        return a @ b


def draws_without_replacement(rng: np.random.Generator, weights: np.ndarray,
                              k: int) -> np.ndarray:
    """``rng.choice(n, size=k, replace=False, p=w / w.sum())`` for each row ``w`` of
    ``weights`` (n rows of n non-negative weights) in turn, one row of picks each: the same
    picks from the same draws, leaving ``rng`` where those calls would.

    NumPy's weighted sampling without replacement draws ``k`` uniforms and looks each up in
    the cumulative weights; if some pick repeats, it keeps the first of each, zeroes the
    weights picked and draws the missing ones the same way, until it has ``k``.  Here the
    cumulative weights of every row are computed at once (row by row these are the very
    sums NumPy computes), the uniforms are drawn ahead in one call, and only the rows that
    repeat a pick repeat NumPy's rounds; the generator is then set to its state after the
    uniforms used.  Creating the acquaintance network of 800 organisations took 800 calls.
    """
    n = len(weights)
    cdf = weights / weights.sum(axis=1, keepdims=True)
    np.cumsum(cdf, axis=1, out=cdf)
    cdf /= cdf[:, -1:].copy()
    start = rng.bit_generator.state
    uniforms = rng.random(n * k)
    used = 0

    def draw(count: int) -> np.ndarray:
        nonlocal uniforms, used
        if used + count > len(uniforms):  # rows that repeated a pick used more
            uniforms = np.concatenate((uniforms, rng.random(max(count, n * k))))
        used += count
        return uniforms[used - count:used]

    chosen = np.empty((n, k), dtype=np.int64)
    for i in range(n):
        picks = cdf[i].searchsorted(draw(k), side="right")
        if len(set(picks.tolist())) < k:
            picks = _without_repeats(picks, weights[i] / weights[i].sum(), k, draw)
        chosen[i] = picks
    rng.bit_generator.state = start
    rng.random(used)
    return chosen


def _without_repeats(picks: np.ndarray, p: np.ndarray, k: int,
                     draw: Callable[[int], np.ndarray]) -> np.ndarray:
    """NumPy's further rounds of :func:`draws_without_replacement` for one row whose first
    ``picks`` repeat: keep the first of each pick, zero the probabilities ``p`` of those
    picked, draw the missing ones, until there are ``k``."""
    found = np.zeros(k, dtype=np.int64)
    n_found = 0
    while True:
        _, first = np.unique(picks, return_index=True)
        first.sort()
        picks = picks.take(first)
        found[n_found:n_found + picks.size] = picks
        n_found += picks.size
        if n_found >= k:
            return found
        x = draw(k - n_found)
        p[found[:n_found]] = 0
        cdf = np.cumsum(p)
        cdf /= cdf[-1]
        picks = cdf.searchsorted(x, side="right")


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
