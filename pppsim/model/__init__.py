"""The simulation: agents, mechanisms and the Mesa model. Pure simulation, no I/O."""

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
