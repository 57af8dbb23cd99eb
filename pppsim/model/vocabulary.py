"""The model's fixed vocabulary: sectors, kinds, domains, stages, agreements, end causes."""

from __future__ import annotations

from enum import IntEnum, StrEnum


class Sector(StrEnum):
    PUBLIC = "public"
    PRIVATE = "private"


PUBLIC_KINDS = ("police", "prosecution service", "municipality", "special investigation service")
PUBLIC_KIND_WEIGHTS = (0.3, 0.15, 0.4, 0.15)
PRIVATE_KINDS = (
    "bank",
    "logistics firm",
    "retailer",
    "security firm",
    "property owner",
    "insurer",
    "online platform",
)
PRIVATE_KIND_WEIGHTS = (0.12, 0.12, 0.24, 0.12, 0.18, 0.1, 0.12)
UMBRELLA_KIND = "umbrella organisation"
"""A sector federation that represents firms of one kind [001 L103]."""

DOMAINS = ("cyber crime", "fraud", "organised crime", "property crime")

# How much each kind of organisation cares about each crime domain
# (002 L467-L539, L604, L697, L814, L879, L962; 001 L97-L133).
KIND_DOMAIN_AFFINITY: dict[str, tuple[float, float, float, float]] = {
    "police": (1.0, 1.0, 1.0, 1.0),
    "prosecution service": (0.8, 1.0, 1.2, 0.6),
    "municipality": (0.3, 0.6, 1.0, 1.4),
    "special investigation service": (0.6, 1.4, 1.2, 0.2),
    "bank": (1.2, 1.6, 0.6, 0.1),
    "logistics firm": (0.3, 0.4, 1.4, 0.8),
    "retailer": (0.4, 0.8, 0.2, 1.4),
    "security firm": (0.6, 0.2, 0.4, 1.6),
    "property owner": (0.1, 0.3, 1.0, 1.4),
    "insurer": (0.4, 1.6, 0.2, 0.8),
    "online platform": (1.6, 1.2, 0.2, 0.1),
}


class Stage(IntEnum):
    """Austin's collaboration continuum [001 L149-L161]."""

    PHILANTHROPIC = 0
    TRANSACTIONAL = 1
    INTEGRATIVE = 2


AGREEMENTS = ("none", "memorandum of understanding", "covenant", "contract", "legal entity")
"""Agreement forms by rising formality [001 L169-L171; 002 L307, L577]."""


class Funding(StrEnum):
    IN_KIND = "in kind"
    STRUCTURAL = "structural"
    GRANT = "grant"


class EndCause(StrEnum):
    """Why a partnership ended: exactly one per ended partnership (docs/ODD.md §7.3).

    TNO's failure reasons [002 L1061] and the Piraeus challenges [001 L199-L205] map onto
    these causes as documented in docs/ODD.md.
    """

    GOALS_REACHED = "goals reached"
    NEGOTIATION_FAILED = "negotiation failed"
    MISTRUST = "mistrust"
    MISALIGNED_GOALS = "misaligned goals"
    INSUFFICIENT_VALUE = "insufficient value / no follow-up"
    FREE_RIDING = "free riding"
    UNEQUAL_BENEFITS = "unequal benefits and burdens"
    ONLY_TALK = "only talk, no results"
    RESOURCES_EXHAUSTED = "resources exhausted"
    FUNDING_ENDED = "funding ended"
    INFORMATION_BLOCKED = "information could not be shared"
    LEGITIMACY_RISK = "legitimacy or reputation risk"
    PRIORITY_SHIFT = "priority shift"


GRIEVANCE_CAUSES = (
    EndCause.MISTRUST,
    EndCause.INSUFFICIENT_VALUE,
    EndCause.FREE_RIDING,
    EndCause.INFORMATION_BLOCKED,
    EndCause.MISALIGNED_GOALS,
    EndCause.UNEQUAL_BENEFITS,
    EndCause.ONLY_TALK,
)
"""Dissatisfaction causes, in the order of a member's grievance vector."""
