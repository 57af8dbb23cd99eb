"""What moves in a partnership in a month, and the conditions it works under.

Each member's ledger is a view of the model's member table
(:class:`~pppsim.model.state.MemberLedger`)."""

from __future__ import annotations

from dataclasses import dataclass

from ..state import MemberLedger

__all__ = ["NO_FLOWS", "Conditions", "Flows", "MemberLedger"]


@dataclass(frozen=True, slots=True)
class Conditions:
    """The month's working conditions, set by the partnership's design and the scenario."""

    meeting_factor: float
    """Trust-building effect of the meeting frequency (1 at one meeting a month)."""
    irritation: float
    """Satisfaction each member loses to too many meetings."""
    overhead: float
    """Share of effort that goes into agreements, monitoring and grant reporting."""
    pass_through: float
    """Share of shareable information that passes the three barriers."""
    meeting_time: float
    """Staff time (FTE) meetings take from each member (all its representatives)."""
    information_value: float = 1.0
    """Value of a passing item relative to a disclosed one (below 1 with privacy-enhancing
    technology)."""


@dataclass(frozen=True, slots=True)
class Flows:
    """What moved in a partnership in its last month of operation: information and output
    (read from its row of the partnership table, :attr:`Partnership.flows`)."""

    shared_private: float = 0.0
    """Information items the firms shared."""
    shared_public: float = 0.0
    """Information items the public members shared."""
    followed: float = 0.0
    """Items of the firms' information the public side followed up."""
    output: float = 0.0
    """Joint output of the month."""
    matured: float = 0.0
    """Output of ``prevention_delay_months`` ago that lowers harm now."""

    @property
    def shared(self) -> float:
        return self.shared_private + self.shared_public


NO_FLOWS = Flows()
"""A partnership's flows before its first month of operation."""
