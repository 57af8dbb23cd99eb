"""Experimental designs: which parameter values each design point takes.

A :class:`Factor` is one varied parameter: a list of values, a uniform range, or a normal
distribution truncated to the parameter's allowed range.  :func:`sample_points` turns factors
and a design kind into a list of ``{parameter: value}`` dicts.  Full factorial and value lists
are done here; Latin hypercube, Sobol (Saltelli), Morris and FAST samples come from SALib through
:func:`pppsim.sampling.sample_matrix` (the sampler the sensitivity designs use too) with the
problem given by :func:`salib_problem`, so that the sensitivity analysis of a later step can
pass the very same problem to ``SALib.analyze``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np

from ..errors import PppsimError
from ..parameters import Parameters, allowed_range
from ..sampling import SamplingError, sample_matrix


class DesignKind(StrEnum):
    """The designs a sweep can run."""

    FACTORIAL = "factorial"
    LHS = "lhs"
    SOBOL = "sobol"
    MORRIS = "morris"
    FAST = "fast"
    POINTS = "points"
    """An explicit list of points (built in Python or from scenario files)."""


SAMPLED = (DesignKind.LHS, DesignKind.SOBOL, DesignKind.MORRIS, DesignKind.FAST)
SAMPLERS = {DesignKind.LHS: "latin", DesignKind.SOBOL: "sobol", DesignKind.MORRIS: "morris",
            DesignKind.FAST: "fast"}
"""The :mod:`pppsim.sampling` sampler of each sampled design kind."""




class DesignError(PppsimError):
    """A design cannot be built; the message names the field and what is allowed."""


def design_size(factors: list[Factor], kind: DesignKind, *, samples: int | None = None,
                second_order: bool = False) -> int:
    """The number of design points ``sample_points`` would make, without making them."""
    d = len(factors)
    if kind is DesignKind.FACTORIAL:
        size = 1
        for factor in factors:
            if factor.values is not None:
                size *= len(factor.values)
            elif factor.levels is not None and factor.low is not None:
                size *= factor.levels
            else:
                factor.factorial_values()  # raises: what a factorial factor needs
        return size
    if samples is None or samples < 1:
        raise DesignError(f"a {kind} design needs samples = a positive int")
    per_sample = {DesignKind.LHS: 1, DesignKind.SOBOL: 2 * d + 2 if second_order else d + 2,
                  DesignKind.MORRIS: d + 1, DesignKind.FAST: d}.get(kind, 1)
    return samples * per_sample


def check_size(points: int, replications: int, max_runs: int, kind: DesignKind | str,
               option: str = "--max-runs") -> None:
    """Refuse a design of more than ``max_runs`` runs before it is built in memory."""
    runs = points * replications
    if runs <= max_runs:
        return
    knob = ("the number of values or levels per factor" if kind == DesignKind.FACTORIAL
            else "[design] samples")
    raise DesignError(
        f"the design has {points:,} points x {replications:,} replications = {runs:,} runs, "
        f"more than the limit of {max_runs:,}; lower {knob} or replications, or pass "
        f"{option} {runs} to run it anyway")


@dataclass(frozen=True)
class Factor:
    """One varied parameter.

    Exactly one of ``values`` (a list), ``low``/``high`` (a uniform range) or ``mean``/``sd``
    (a normal distribution truncated to the parameter's allowed range) is set.  ``levels``
    turns a range into evenly spaced values for a factorial design.
    """

    name: str
    values: tuple[Any, ...] | None = None
    low: float | None = None
    high: float | None = None
    mean: float | None = None
    sd: float | None = None
    levels: int | None = None

    @property
    def is_integer(self) -> bool:
        return Parameters.model_fields[self.name].annotation is int

    def allowed_range(self) -> tuple[float, float]:
        """The parameter's allowed (min, max) from the schema."""
        lo, hi = allowed_range(self.name)
        if lo is None or hi is None:
            raise DesignError(f"'{self.name}' has no numeric range; give a list of values")
        return float(lo), float(hi)

    def factorial_values(self) -> list[Any]:
        """The levels a factorial design crosses."""
        if self.values is not None:
            return list(self.values)
        if self.levels is None or self.low is None or self.high is None:
            raise DesignError(
                f"'{self.name}': a factorial design needs a list of values or "
                "{ low, high, levels }")
        return [self.cast(v) for v in np.linspace(self.low, self.high, self.levels)]

    def salib_entry(self) -> tuple[list[float], str]:
        """(bounds, dist) for a SALib problem."""
        if self.values is not None:
            raise DesignError(
                f"'{self.name}': sampled designs need a range {{ low, high }} or "
                "{ mean, sd }, not a list of values")
        if self.mean is not None and self.sd is not None:
            lo, hi = self.allowed_range()
            return [lo, hi, self.mean, self.sd], "truncnorm"
        return [self.low, self.high], "unif"

    def cast(self, value: Any) -> Any:
        """A sampled number as the parameter's type (integers are rounded)."""
        if self.is_integer:
            return round(float(value))
        return float(value)


def salib_problem(factors: list[Factor]) -> dict[str, Any]:
    """The SALib problem dict (names, bounds, dists) of sampled factors."""
    entries = [f.salib_entry() for f in factors]
    return {
        "num_vars": len(factors),
        "names": [f.name for f in factors],
        "bounds": [bounds for bounds, _ in entries],
        "dists": [dist for _, dist in entries],
    }


def sample_points(factors: list[Factor], kind: DesignKind, *, samples: int | None = None,
                  seed: int = 0, second_order: bool = False, levels: int = 4
                  ) -> list[dict[str, Any]]:
    """The design points of ``kind`` as a list of ``{parameter: value}`` dicts.

    Parameters
    ----------
    factors
        The varied parameters.
    kind
        ``factorial`` crosses every factor's values; ``lhs`` draws ``samples`` points;
        ``sobol`` draws Saltelli's ``samples * (D + 2)`` points (``samples * (2 D + 2)`` with
        ``second_order``); ``morris`` ``samples`` trajectories of ``D + 1`` points on a grid of
        ``levels``; ``fast`` ``samples * D`` points.
    samples
        Size parameter of sampled designs (see ``kind``).
    seed
        Seed of the sampler (the same seed gives the same points).
    second_order, levels
        Options of the Sobol and Morris samplers.

    Returns
    -------
    list of dict
        One dict per design point, in the sampler's row order (SALib's analyses rely on it).
    """
    if not factors:
        raise DesignError("no parameters to vary; add a [vary] table")
    if kind is DesignKind.FACTORIAL:
        names = [f.name for f in factors]
        return [dict(zip(names, combo, strict=True))
                for combo in itertools.product(*(f.factorial_values() for f in factors))]
    if kind not in SAMPLERS:
        raise DesignError(f"design kind '{kind}' does not sample factors")
    if samples is None:
        raise DesignError(f"a {kind} design needs samples = a positive int")
    try:
        matrix = sample_matrix(salib_problem(factors), SAMPLERS[kind], samples, seed=seed,
                               second_order=second_order, levels=levels, label=str(kind))
    except SamplingError as exc:
        raise DesignError(str(exc)) from None
    return [{f.name: f.cast(v) for f, v in zip(factors, row, strict=True)} for row in matrix]
