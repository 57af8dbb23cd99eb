"""pppsim: an agent-based simulation of public-private partnerships for crime prevention."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["EndCause", "Parameters", "PartnershipModel", "__version__"]
__all__ += ["load_results", "run_experiment"]

# The public names load on first use, so that ``import pppsim`` (and the command line's
# ``--help`` and ``--version``) does not pay for pandas, Mesa and numpy up front.
_LAZY = {
    "EndCause": ".model",
    "PartnershipModel": ".model",
    "Parameters": ".parameters",
    "load_results": ".experiment",
    "run_experiment": ".experiment",
}

if TYPE_CHECKING:
    from .experiment import load_results, run_experiment
    from .model import EndCause, PartnershipModel
    from .parameters import Parameters


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        value = getattr(import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'pppsim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
