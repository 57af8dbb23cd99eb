"""Sensitivity designs: a SALib ``ProblemSpec`` plus the method, its size and a dummy parameter.

A :class:`SensitivityDesign` is plain data: the problem (names, bounds, distributions), the
method that sampled it, the size ``n`` the method was asked for, the sampler's options and seed,
and the sample matrix in SALib's row order.  Nothing here knows about the model: rows of the
matrix are parameter vectors, and any function of a parameter vector can be evaluated on them
(:func:`pppsim.sensitivity.evaluate`).

The **dummy** parameter is an extra column that no model reads.  Whatever index it receives is
estimation error plus stochastic noise, so it is the yardstick for "distinguishable from noise"
[ten Broeke et al. 2016; Khorashadi Zadeh et al. 2017].
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..sampling import SamplingError, sample_matrix
from ..scenario import ScenarioError
from .methods import Method

if TYPE_CHECKING:
    from SALib import ProblemSpec

DUMMY = "dummy"
"""Name of the automatic dummy parameter (uniform on [0, 1], read by nothing)."""
FAST_REPLICATES = 4
"""eFAST designs are drawn this many times with independent random phase shifts; the spread
of the indices between the replicates gives their intervals (Saltelli, Tarantola & Chan 1999).
"""
RBD_HARMONICS = 10
"""RBD-FAST's harmonics M (SALib's default); its bias correction needs n > 2 M."""
PAWN_SLIDES = 10
"""PAWN's conditioning slides S (SALib's default)."""
PAWN_POINTS_PER_SLIDE = 10
"""PAWN compares the output distribution in each slide with the whole: at least this many
points per slide."""


class SensitivityError(ScenarioError):
    """A sensitivity design or analysis cannot be made; the message is one line.

    A :class:`~pppsim.scenario.ScenarioError` (a ``ValueError``), so ``pppsim`` prints it as
    a one-line error with exit code 2.
    """


def make_problem(names: Sequence[str], bounds: Sequence[Sequence[float]],
                 dists: Sequence[str] | None = None, *, dummy: bool = True) -> ProblemSpec:
    """A SALib ``ProblemSpec``, with the dummy parameter appended.

    Parameters
    ----------
    names, bounds, dists
        As in SALib: one name, bounds and distribution (default ``unif``) per parameter.
    dummy
        Append the :data:`DUMMY` parameter (uniform on [0, 1]).

    Returns
    -------
    SALib.ProblemSpec
    """
    names, bounds = list(names), [list(map(float, b)) for b in bounds]
    dists = list(dists) if dists is not None else ["unif"] * len(names)
    if dummy:
        if DUMMY in names:
            raise SensitivityError(f"'{DUMMY}' is reserved for the dummy parameter")
        names, bounds, dists = [*names, DUMMY], [*bounds, [0.0, 1.0]], [*dists, "unif"]
    if len(names) < 2:
        raise SensitivityError("a sensitivity analysis needs at least two parameters")
    from SALib import ProblemSpec  # here: the command line starts without SALib and pandas

    return ProblemSpec({"names": names, "bounds": bounds, "dists": dists})


@dataclass(frozen=True)
class SensitivityDesign:
    """A sampled sensitivity design.

    Attributes
    ----------
    problem
        SALib problem (names, bounds, dists), the dummy included when ``dummy``.
    method
        The method whose sampler made the rows and whose analyser will read them.
    n
        The size asked of the sampler (Sobol: base samples, a power of 2; Morris: trajectories;
        eFAST: samples per parameter in each phase-shift replicate; RBD-FAST and PAWN:
        points).
    seed
        Sampler seed.
    options
        Sampler options: ``second_order`` (Sobol), ``levels`` (Morris), ``replicates``
        (eFAST: independent phase-shift draws, stacked).
    samples
        The sample matrix, one row per design point, in SALib's row order.
    """

    problem: Mapping[str, Any]
    method: Method
    n: int
    seed: int
    options: Mapping[str, Any] = field(default_factory=dict)
    samples: np.ndarray = field(default_factory=lambda: np.empty((0, 0)), repr=False)

    @property
    def names(self) -> list[str]:
        return list(self.problem["names"])

    @property
    def dummy(self) -> bool:
        return DUMMY in self.problem["names"]

    @property
    def parameters(self) -> list[str]:
        """The real parameters (the dummy excluded)."""
        return [n for n in self.names if n != DUMMY]

    @property
    def model_samples(self) -> np.ndarray:
        """The sample matrix without the dummy column: what a model is evaluated on."""
        keep = [i for i, n in enumerate(self.names) if n != DUMMY]
        return self.samples[:, keep]

    @property
    def second_order(self) -> bool:
        return bool(self.options.get("second_order", False))

    def spec(self) -> ProblemSpec:
        """A fresh ``ProblemSpec`` holding this design's samples."""
        from SALib import ProblemSpec

        spec = ProblemSpec({k: self.problem[k] for k in ("names", "bounds", "dists")})
        return spec.set_samples(self.samples)

    def prefix(self, n: int) -> SensitivityDesign:
        """The Sobol design of size ``n`` that the first rows of this one are.

        With a fixed seed SALib's Saltelli sample of ``n`` is the first rows of the sample of
        ``2 n``; this is checked, not assumed, by :func:`sample` when a design is extended.
        """
        if self.method is not Method.SOBOL or n > self.n or n & (n - 1):
            raise SensitivityError(f"no prefix of size {n} in a {self.method} design of "
                                   f"size {self.n}")
        rows = n * self.rows_per_sample
        return SensitivityDesign(self.problem, self.method, n, self.seed, self.options,
                                 self.samples[:rows])

    @property
    def rows_per_sample(self) -> int:
        """Rows per base sample of a Sobol design: D + 2 (2 D + 2 with second order)."""
        d = len(self.names)
        return 2 * d + 2 if self.second_order else d + 2


def sample(problem: ProblemSpec | Mapping[str, Any], method: Method | str, n: int, *,
           seed: int = 0, second_order: bool = False, levels: int = 4,
           replicates: int = FAST_REPLICATES) -> SensitivityDesign:
    """Sample a sensitivity design with SALib (through :func:`pppsim.sampling.sample_matrix`).

    Parameters
    ----------
    problem
        From :func:`make_problem` (or any SALib problem dict).
    method
        ``sobol``, ``morris``, ``fast``, ``rbd-fast`` or ``pawn``.
    n
        Size of the design (see :class:`SensitivityDesign`); Sobol needs a power of 2.
    seed
        Sampler seed: the same seed gives the same rows.
    second_order
        Sobol only: also estimate second-order indices (2 D + 2 rows per sample, not D + 2).
    levels
        Morris only: grid levels.
    replicates
        eFAST only: independent random phase shifts (at least 2), whose spread gives the
        intervals; ``replicates * n * D`` rows.

    Returns
    -------
    SensitivityDesign
    """
    method = Method(method)
    problem = {k: problem[k] for k in ("names", "bounds", "dists") if k in problem}
    options: dict[str, Any] = {}
    if method is Method.SOBOL:
        options["second_order"] = second_order
    elif method is Method.MORRIS:
        options["levels"] = levels
    elif method is Method.FAST:
        if replicates < 2:
            raise SensitivityError(f"fast needs at least 2 phase-shift replicates for its "
                                   f"intervals, got {replicates}")
        options["replicates"] = replicates
    elif isinstance(n, int) and not isinstance(n, bool):
        smallest = (2 * RBD_HARMONICS + 1 if method is Method.RBD_FAST
                    else PAWN_SLIDES * PAWN_POINTS_PER_SLIDE)
        if n < smallest:
            raise SensitivityError(f"a {method} design needs samples >= {smallest}, got {n}")
    try:
        samples = sample_matrix(problem, method.sampler, n, seed=seed,
                                second_order=second_order, levels=levels,
                                replicates=options.get("replicates", 1), label=str(method))
    except SamplingError as exc:
        raise SensitivityError(str(exc)) from None
    problem.setdefault("dists", ["unif"] * len(problem["names"]))
    return SensitivityDesign(problem, method, n, seed, options, samples)


def extend(design: SensitivityDesign) -> SensitivityDesign:
    """The Sobol design of twice the size, whose first rows are ``design``'s rows.

    Raises
    ------
    SensitivityError
        For other methods, or if the sampler does not reproduce the rows (then finished runs
        could not be reused).
    """
    if design.method is not Method.SOBOL:
        raise SensitivityError(f"only sobol designs can be extended, not {design.method}")
    bigger = sample(design.problem, design.method, 2 * design.n, seed=design.seed,
                    second_order=design.second_order)
    if not np.array_equal(bigger.samples[: len(design.samples)], design.samples):
        raise SensitivityError("SALib's sobol sample of 2N does not start with the sample of "
                               "N here; the design cannot be extended")
    return bigger
