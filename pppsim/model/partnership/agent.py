"""The partnership agent: its design, its state and what is derived from them."""

from __future__ import annotations

from math import fsum
from typing import TYPE_CHECKING

import mesa
import numpy as np

from .. import mechanisms as mech
from ..state import column, ordered_pairs
from ..vocabulary import AGREEMENTS, Funding, Stage
from .ending import Ending
from .ledger import NO_FLOWS, Flows, MemberLedger
from .lifecycle import Lifecycle
from .operation import MemberTerms, Operation

if TYPE_CHECKING:
    from ..model import PartnershipModel
    from ..organisation import Organisation
    from ..state import OrganisationArrays
    from ..vocabulary import EndCause


class Partnership(Lifecycle, Operation, Ending, mesa.Agent):
    """A public-private partnership in the alliance form [002 L280-L341].

    It carries its design (governance, agreement, funding, meeting and evaluation intervals,
    platform, confidentiality agreement, exit strategy, privacy-enhancing technology, the crime
    domains it takes on), its Austin stage [001 L149-L161],
    per-member ledgers, shared and followed-up information, and once ended, exactly one end
    cause.  TNO's phases [002 L1068-L1190] are its states: negotiating (no ``launched_month``),
    operating, and ended (an ``end_cause``); evaluation, revitalisation and transformation are
    the decisions of an evaluation, in the event log.

    Its behaviour is in three parts: :class:`~.lifecycle.Lifecycle` (negotiate, launch, admit),
    :class:`~.operation.Operation` (a month of joint work) and :class:`~.ending.Ending`
    (funding, evaluation, exits, dissolution).
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
        self._table = model.partnership_table
        self.row = self._table.add(stage=Stage.TRANSACTIONAL, failing_since=-1)
        """Its row in the model's partnership table."""
        self.initiator = initiator.unique_id
        self.domain = domain
        self.domains = mech.scope_domains(domain, (m.interest for m in members),
                                          p.scope_domains)
        """The crime domains it takes on: the founding ``domain`` first [002 L570-L572]."""
        self._draw_design(funding)
        self.members: dict[int, MemberLedger] = {}
        self.member_history: list[int] = []
        self.founders = tuple(m.unique_id for m in members)
        self.started_month = model.month
        self.launched_month: int | None = None
        self.ended_month: int | None = None
        self.end_cause: EndCause | None = None
        self.is_active = True
        """Not ended (negotiating or operating): ``end_cause is None``."""
        self.is_operating = False
        """Launched and not ended: ``launched_month is not None and end_cause is None``.

        Both are attributes, set where a partnership launches (:meth:`~.lifecycle.Lifecycle.
        launch`) and ends (:meth:`~.ending.Ending.dissolve`), not properties: every month
        reads them for every partnership, several times."""
        self.founder_pairs = self.pairs_of(members)
        """Every ordered pair of founders as places in the organisation arrays (truster,
        trusted): their mean trust in each other decides the negotiation (:func:`negotiate_all`
        reads it each month)."""
        self._table.founders[self.row, :len(members)] = [m.index for m in members]
        self._table.founder_count[self.row] = len(members)
        self.initial_trust = self.mean_pair_trust(model.organisation_arrays,
                                                  *self.founder_pairs)
        self.founding_overlap = self.complementarity(members)
        self.negotiation_months_needed = mech.negotiation_duration(
            p.negotiation_months, self.initial_trust, self.governance, self.formality,
            fsum([m.capability for m in members]) / len(members))
        self.months_negotiating = 0
        self.goal_output = 0.0
        self._table.domains[self.row, :len(self.domains)] = self.domains
        self._table.domain_count[self.row] = len(self.domains)
        self.trust_history: list[float] = []
        """Mean trust among the members at the end of each month of operation."""
        self.newcomer_months: list[int] = []
        """Months of operation (indices into trust_history) in which a newcomer joined."""
        self._pending_members = members
        self._member_terms: MemberTerms | None = None
        """What the month's work takes from the members (:meth:`member_terms`); None once
        the membership has changed."""

    def _draw_design(self, funding: Funding) -> None:
        """Governance, formality, funding and the optional instruments of a new partnership."""
        p, rng = self.model.p, self.model.rng
        self.governance = float(mech.clamp01(rng.normal(p.governance, p.governance_spread)))
        self.formality = float(mech.clamp01(
            rng.normal(p.agreement_formality, p.agreement_formality_spread)))
        self.funding = funding
        self.funding_keur = {
            Funding.GRANT: p.grant_keur, Funding.STRUCTURAL: p.structural_keur,
            Funding.IN_KIND: 0.0,
        }[self.funding]
        self.funding_end_month: int | None = None
        self.meeting_interval_months = p.meeting_interval_months
        self.evaluation_interval_months = p.evaluation_interval_months
        # one uniform draw each for the four instruments, in this order
        platform, confidentiality, exit_strategy, pet = rng.random(4).tolist()
        self.platform = platform < p.platform_share
        self.confidentiality_agreement = confidentiality < p.confidentiality_share
        self.exit_strategy = exit_strategy < p.exit_strategy_share
        self.pet = pet < p.pet_share
        """Whether it shares through privacy-enhancing technology [002 L1322, L1637]."""

    # --- state held in the model's partnership table ----------------------------------------
    prevented_total = column("prevented_total", doc="Output that has lowered harm so far.")
    shared_total = column("shared_total", doc="Information items shared so far.")
    shared_private_total = column("shared_private_total",
                                  doc="Information items the firms shared so far.")
    followed_total = column("followed_total",
                            doc="Items of the firms' information followed up so far.")

    @property
    def stage(self) -> Stage:
        """Its stage on Austin's continuum [001 L149-L161]."""
        return Stage(int(self._table.stage[self.row]))

    @property
    def flows(self) -> Flows:
        """What moved in the last month of operation."""
        t, row = self._table, self.row
        if not t.months_operated[row]:
            return NO_FLOWS
        return Flows(shared_private=float(t.shared_private[row]),
                     shared_public=float(t.shared_public[row]),
                     followed=float(t.followed[row]), output=float(t.output[row]),
                     matured=float(t.matured[row]))

    @property
    def prevented_shares(self) -> list[tuple[int, int, float]]:
        """(month, domain, share of its underlying harm) this partnership prevented."""
        return self.model.prevention_log.of(self.row)

    # --- derived state ---------------------------------------------------------------------
    @property
    def agreement(self) -> str:
        """Agreement form from formality: none, MoU, covenant, contract, legal entity."""
        return AGREEMENTS[round(self.formality * (len(AGREEMENTS) - 1))]

    @property
    def last_month(self) -> int:
        """The month it ended, or the current month while it is active."""
        ended = self.ended_month
        return ended if ended is not None else self.model.month

    @property
    def age_months(self) -> int:
        """Months since launch (0 before launch)."""
        launched = self.launched_month
        return 0 if launched is None else self.last_month - launched

    @property
    def trust(self) -> float:
        """Mean trust among the members after the last month of operation (its row of the
        partnership table; at formation, before the first)."""
        if self._table.months_operated[self.row]:
            return float(self._table.trust[self.row])
        return self.initial_trust

    @property
    def satisfaction(self) -> float:
        """The members' mean satisfaction."""
        rows = self.member_terms().rows
        return fsum(self.model.ledgers.satisfaction[rows].tolist()) / len(rows)  # = fmean

    @property
    def clarity(self) -> float:
        """How explicit the design makes expectations: control-style and formal [002 L1173]."""
        return 0.5 * self.governance + 0.5 * self.formality

    def organisations(self) -> list[Organisation]:
        by_id = self.model.organisation_by_id
        return [by_id[i] for i in self.members]

    @staticmethod
    def pairs_of(orgs: list[Organisation]) -> tuple[np.ndarray, np.ndarray]:
        """Every ordered pair of the organisations, as their places in the organisation arrays:
        (truster, trusted), truster by truster."""
        index = np.array([o.index for o in orgs], dtype=np.intp)
        truster, trusted = ordered_pairs(len(orgs))
        return index[truster], index[trusted]

    @staticmethod
    def mean_pair_trust(arrays: OrganisationArrays, truster: np.ndarray,
                        trusted: np.ndarray) -> float:
        """Mean trust of each ``truster`` in each ``trusted`` (places in the organisation
        arrays)."""
        trust = arrays.known_trust(truster, trusted)
        return float(trust.sum()) / len(trust)

    @staticmethod
    def complementarity(orgs: list[Organisation]) -> float:
        """Mean goal overlap of the members with each other."""
        pairs = [mech.goal_overlap(a.interest, b.interest,
                                   norm_a=a.interest_norm, norm_b=b.interest_norm)
                 for i, a in enumerate(orgs) for b in orgs[i + 1:]]
        return fsum(pairs) / len(pairs) if pairs else 0.0

    @property
    def goal_progress(self) -> float:
        """Prevention achieved so far as a share of the goal set at launch (0 before launch)."""
        return self.prevented_total / self.goal_output if self.goal_output else 0.0

    @property
    def failing_since(self) -> int | None:
        """Month since which its members' mean satisfaction has been below the exit
        threshold (None while it is not: :func:`~.ending.consider_exits`)."""
        since = int(self._table.failing_since[self.row])
        return None if since < 0 else since

    @property
    def months_failing(self) -> int:
        """Months its members have on average been below their exit threshold (0 if not)."""
        return 0 if self.failing_since is None else self.last_month - self.failing_since

    def sectors_present(self) -> tuple[bool, bool]:
        orgs = self.organisations()
        return any(o.is_public for o in orgs), any(not o.is_public for o in orgs)
