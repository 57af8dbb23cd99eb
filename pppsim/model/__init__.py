"""The simulation: agents, mechanisms and the Mesa model. Pure simulation, no I/O."""

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .events import Event, EventKind, EventLog
    from .model import PartnershipModel
    from .organisation import Organisation
    from .partnership import Partnership
    from .vocabulary import EndCause, Funding, Sector, Stage

__all__ = [
    "EndCause",
    "Event",
    "EventKind",
    "EventLog",
    "Funding",
    "Organisation",
    "Partnership",
    "PartnershipModel",
    "Sector",
    "Stage",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), {
    ".events": ("Event", "EventKind", "EventLog"),
    ".model": ("PartnershipModel",),
    ".organisation": ("Organisation",),
    ".partnership": ("Partnership",),
    ".vocabulary": ("EndCause", "Funding", "Sector", "Stage"),
})
