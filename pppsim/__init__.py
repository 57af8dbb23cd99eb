"""pppsim: an agent-based simulation of public-private partnerships for crime prevention."""

from .experiment import load_results, run_experiment
from .model import EndCause, PartnershipModel
from .parameters import Parameters

__version__ = "0.1.0"

__all__ = ["EndCause", "Parameters", "PartnershipModel", "__version__"]
__all__ += ["load_results", "run_experiment"]
