"""pppsim: an agent-based simulation of public-private partnerships for crime prevention."""

from .model import EndCause, PartnershipModel
from .parameters import Parameters

__version__ = "0.1.0"

__all__ = ["EndCause", "Parameters", "PartnershipModel", "__version__"]
