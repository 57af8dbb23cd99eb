"""Global sensitivity analysis: a thin layer over SALib's ``ProblemSpec`` that understands noise.

The model-agnostic core works on any function of a parameter vector:

>>> import numpy as np
>>> from pppsim.sensitivity import analyse, evaluate, make_problem, sample
>>> problem = make_problem(["x1", "x2", "x3"], [[-np.pi, np.pi]] * 3)
>>> design = sample(problem, "sobol", 256, seed=1)
>>> def ishigami(x, rng):
...     return np.sin(x[0]) + 7 * np.sin(x[1]) ** 2 + 0.1 * x[2] ** 4 * np.sin(x[0])
>>> result = analyse(design, evaluate(design, ishigami), seed=1)
>>> result.ranking("y").index[0]
'x1'

The model layer (:mod:`.study`) runs such designs on the experiments engine, and
``pppsim sensitivity`` / ``pppsim discover`` are the command line (``docs/sensitivity.md``).
"""

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .analysis import (
        DEFINED,
        NOISE_TARGET,
        OutputError,
        SensitivityResult,
        analyse,
        evaluate,
        noise_share,
        replications_needed,
        variance_split,
    )
    from .convergence import convergence, convergence_summary
    from .problem import (
        DUMMY,
        Method,
        SensitivityDesign,
        SensitivityError,
        extend,
        make_problem,
        sample,
    )

__all__ = [
    "DEFINED",
    "DUMMY",
    "NOISE_TARGET",
    "Method",
    "OutputError",
    "SensitivityDesign",
    "SensitivityError",
    "SensitivityResult",
    "analyse",
    "convergence",
    "convergence_summary",
    "evaluate",
    "extend",
    "make_problem",
    "noise_share",
    "replications_needed",
    "sample",
    "variance_split",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), {
    ".analysis": (
        "DEFINED", "NOISE_TARGET", "OutputError", "SensitivityResult", "analyse",
        "evaluate", "noise_share", "replications_needed", "variance_split",
    ),
    ".convergence": ("convergence", "convergence_summary"),
    ".problem": (
        "DUMMY", "Method", "SensitivityDesign", "SensitivityError", "extend",
        "make_problem", "sample",
    ),
})
