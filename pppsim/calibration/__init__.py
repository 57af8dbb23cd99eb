"""Calibration with uncertainty: ABC-SMC against published patterns, and the posterior as
the parameter uncertainty of scenarios, comparisons and claims (docs/calibration.md).

* :mod:`.targets` — calibration files: patterns (targets and independent checks), priors,
  ABC settings;
* :mod:`.abc` — :func:`calibrate` on pyabc, each simulation run by the experiments engine;
* :mod:`.outputs` — posterior, generations, predictive checks, plots, summary;
* :mod:`.uncertainty` — parameter draws from a posterior folder or prior ranges, runs with
  one draw per replication, and the two bands (chance alone; chance and parameters).
"""

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .abc import calibrate, particle_seed
    from .outputs import write_outputs
    from .targets import CalibrationError, CalibrationSpec, load_calibration
    from .uncertainty import ParameterDraws, load_draws

__all__ = ["CalibrationError", "CalibrationSpec", "ParameterDraws", "calibrate",
           "load_calibration", "load_draws", "particle_seed", "write_outputs"]

__getattr__, __dir__ = lazy_exports(__name__, globals(), {
    ".abc": ("calibrate", "particle_seed"),
    ".outputs": ("write_outputs",),
    ".targets": ("CalibrationError", "CalibrationSpec", "load_calibration"),
    ".uncertainty": ("ParameterDraws", "load_draws"),
})
