"""Organisations: the public bodies and firms that form, run and leave partnerships."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from . import mechanisms as mech
from .state import TrustTies, column
from .vocabulary import UMBRELLA_KIND, Sector

if TYPE_CHECKING:
    from .model import PartnershipModel
    from .partnership import Partnership


class Organisation(mesa.Agent):
    """A public body or a firm with motives, capacities, information and directed trust.

    State (docs/ODD.md §2): sector and kind [001 L60, L97-L105; 002 L143, L604, L695];
    interests over crime domains; motive weights (societal, organisational, individual)
    [002 L465-L473]; capacity (FTE) and budget (k EUR) per month, public capacity scarce
    [002 L439]; information holdings; opportunism [001 L139; 002 L297, L575]; risk style
    [002 L1276-L1284]; standing, i.e. legitimacy for public bodies and reputation for firms
    [002 L1254-L1258]; PPP capability [002 L1554-L1570]; and directed trust towards the
    organisations it knows, starting from sector prejudice [001 L137-L141].
    """

    model: PartnershipModel

    def __init__(
        self,
        model: PartnershipModel,
        *,
        sector: Sector,
        kind: str,
        interest: np.ndarray,
        motives: np.ndarray,
        capacity_fte: float,
        budget_keur: float,
        information: float,
        opportunism: float,
        risk_style: float,
    ) -> None:
        super().__init__(model)
        self.sector = sector
        self.kind = kind
        self.is_public = sector is Sector.PUBLIC
        """Whether it is a public body (fixed with its sector; a plain attribute because the
        monthly loops read it often)."""
        self.is_umbrella = kind == UMBRELLA_KIND
        """Whether it is an umbrella organisation representing a kind of firm."""
        self.interest = interest
        self.interest_norm = float(np.linalg.norm(interest))
        """``np.linalg.norm`` of :attr:`interest` (fixed), for goal overlaps."""
        self.motives = motives
        self.capacity_fte = capacity_fte
        self.budget_keur = budget_keur
        self.information = information
        self.opportunism = opportunism
        self.risk_style = risk_style
        self.index = self.unique_id - 1
        """Its position in ``model.organisations`` and in the model's organisation arrays."""
        arrays = model.organisation_arrays
        self._arrays = arrays
        self.trust = TrustTies(arrays.trust[self.index])
        """Its trust in the organisations it knows, by ``unique_id``."""
        self.standing = model.p.standing_baseline
        self.capability = 0.1
        self.capacity_level = 1.0
        self.partnerships: dict[int, Partnership] = {}
        self.federated_kind: str | None = None
        """For an umbrella organisation: the kind of firm it represents."""
        params = model.p
        self.goal_fit = (interest / interest.max()).tolist()
        """Per crime domain: how well it fits the organisation's goals (its interest there
        relative to its main interest)."""
        self.seat_limit = 3 * params.max_partnerships if self.is_umbrella \
            else params.max_partnerships
        """:attr:`max_partnerships`, fixed with the kind and the scenario."""
        self.commitment = max(params.min_commitment_fte,
                              capacity_fte / params.max_partnerships)
        """:attr:`commitment_fte`, fixed with the capacity and the scenario."""
        self.prejudice = {public: mech.initial_trust(
            params.initial_trust, params.sector_prejudice, params.power_imbalance,
            cross_sector=self.is_public is not public, truster_is_private=not self.is_public)
            for public in (True, False)}
        """Trust in an organisation it does not know yet, by whether that one is public
        (sector prejudice [001 L137-L141])."""
        arrays.prejudice[self.index] = (self.prejudice[False], self.prejudice[True])
        arrays.is_public[self.index] = self.is_public
        arrays.is_umbrella[self.index] = self.is_umbrella
        arrays.information[self.index] = information
        arrays.motives[self.index] = motives
        arrays.capacity_fte[self.index] = capacity_fte
        arrays.commitment_fte[self.index] = self.commitment
        arrays.seat_limit[self.index] = self.seat_limit

    # --- state held in the model's organisation arrays ---------------------------------------
    standing = column("standing", table="_arrays", row="index",
                      doc="Legitimacy of a public body, reputation of a firm [002 L1254-L1258].")
    capability = column("capability", table="_arrays", row="index",
                        doc="PPP capability [002 L1554-L1570].")
    capacity_level = column("capacity_level", table="_arrays", row="index",
                            doc="Share of its staff it can give to partnerships this month.")

    # --- derived state ---------------------------------------------------------------------
    @property
    def max_partnerships(self) -> int:
        return self.seat_limit

    @property
    def commitment_fte(self) -> float:
        """Staff this organisation puts into each partnership it joins."""
        return self.commitment

    @property
    def commitment_keur(self) -> float:
        """Money this organisation puts into each partnership it joins, per month."""
        return self.budget_keur / self.model.p.max_partnerships

    @property
    def promised_fte(self) -> float:
        """Staff promised to the partnerships it is a member of (summed by
        :meth:`memberships_changed`)."""
        return float(self._arrays.promised_fte[self.index])

    def memberships_changed(self) -> None:
        """It joined or left a partnership, or one of its partnerships ended or started: its
        seats taken and staff promised are counted again."""
        me = self.unique_id
        commitments = self.model.ledgers.commitment_fte  # (its ledgers' commitment_fte)
        self._arrays.promised_fte[self.index] = sum([
            commitments.item(p.members[me].row) for p in self.partnerships.values()
            if me in p.members])
        self._arrays.seats_taken[self.index] = len(self.partnerships)

    @property
    def available_fte(self) -> float:
        """Staff it can give to partnerships this month."""
        return self.capacity_fte * self.capacity_level

    @property
    def has_room(self) -> bool:
        """Whether it can take on one more partnership: a free seat and the staff for it
        (:meth:`~pppsim.model.state.OrganisationArrays.room`)."""
        return bool(self._arrays.room(self.index))

    @property
    def overcommitted(self) -> bool:
        """Promised clearly more staff than it has
        (:meth:`~pppsim.model.state.OrganisationArrays.overcommitted`)."""
        return bool(self._arrays.overcommitted(self.model.p.overstretch, self.index))

    def trust_in(self, other: Organisation) -> float:
        """Directed trust towards another organisation; prejudice-based if not yet known."""
        return self.trust.get(other.unique_id, self.prejudice[other.is_public])

    def need(self) -> float:
        """Unmet need: interest-weighted crime harm relative to its starting level.

        An organisation whose goals are unmet considers a PPS [002 L545-L547]; rising crime
        complexity drives PPS [002 L427-L431].
        """
        return float(self.interest @ self.model.harm_ratio)


def month_end(seats_taken, capability, standing, level, shocks, learning, culture, recovery,
              baseline, persistence):
    """What a month does to every organisation at its end (docs/ODD.md §7.2.15), for arrays
    of all of them: returns their capability, standing and capacity level.

    PPP capability grows in each month spent partnering (``seats_taken``: in a partnership or
    negotiating one) [002 L1554-L1590], each representative carrying knowledge home [002
    L721, L733] (``learning``: the learning rate times the representatives per member;
    ``culture``: the partnership-culture policy; :func:`~pppsim.model.mechanisms.learn`);
    legitimacy and reputation drift back to their ``baseline`` at rate ``recovery``
    [002 L1254-L1258]; available staff drifts with turnover and competing priorities
    [002 L439, L741]: the capacity level after a month with ``shocks`` (one normal draw each)
    keeps ``persistence`` of its distance from 1.  One source for both ways of running:
    compiled where the accelerator is on (:func:`pppsim.model.accelerator.compiled_or_not`)."""
    capability = np.where(seats_taken > 0, mech.learn(capability, learning, culture),
                          capability)
    standing = standing + recovery * (baseline - standing)
    level = np.maximum(0.0, 1.0 + persistence * (level - 1.0) + shocks)
    return capability, standing, level
