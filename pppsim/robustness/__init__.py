"""Robust policy advice: policies crossed with uncertain futures.

* :mod:`.futures` — where futures come from (:class:`FutureSource`; parameter ranges sampled
  by Latin hypercube now, draws from a calibrated posterior later);
* :mod:`.files` — robustness experiment files (policies, uncertainties, measures);
* :mod:`.engine` — policies x futures on the experiments engine, random numbers paired by
  future;
* :mod:`.measures` — regret, satisficing, ranking and PRIM failure boxes: pure functions on a
  tidy table;
* :mod:`.study` — running an experiment and computing the report's tables;
* :mod:`.report` — the self-contained HTML report and its figures.

The ``pppsim robustness`` command is :mod:`pppsim.cli.robustness`.
"""

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .files import Policy, RobustnessSpec, load_robustness
    from .futures import FutureSource, ParameterRanges
    from .study import Robustness, analyse, run_robustness

__all__ = ["FutureSource", "ParameterRanges", "Policy", "Robustness", "RobustnessSpec",
           "analyse", "load_robustness", "run_robustness"]

__getattr__, __dir__ = lazy_exports(__name__, globals(), {
    ".files": ("Policy", "RobustnessSpec", "load_robustness"),
    ".futures": ("FutureSource", "ParameterRanges"),
    ".study": ("Robustness", "analyse", "run_robustness"),
})
