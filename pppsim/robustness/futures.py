"""Where uncertain futures come from: an interface, and parameter ranges sampled by Latin
hypercube.

A *future* is one set of values for the parameters nobody controls (how opportunistic firms
are, how fast criminals adapt, how high the legal barrier to sharing is).  Every policy is run
in the same futures, so that policies are compared future by future (paired).

A :class:`FutureSource` gives a table with one row per future and one column per uncertain
parameter.  :class:`ParameterRanges` is the one source so far: ranges (or truncated normals)
sampled by Latin hypercube with the experiments engine's sampler
(:func:`pppsim.experiment.design.sample_points`, SALib's ``latin``).  Draws from a calibrated
posterior fit the same interface: a source that reads a table of posterior draws and returns
``samples`` of its rows, with the same names, ranges and labels.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import pandas as pd

from ..experiment.design import DesignError, DesignKind, Factor, sample_points


class FutureSource(Protocol):
    """Anything that yields the futures of a robustness experiment."""

    @property
    def names(self) -> tuple[str, ...]:
        """The uncertain parameters, in column order."""
        ...

    def futures(self) -> pd.DataFrame:
        """One row per future (index ``future`` from 0), one column per uncertain parameter;
        the same source gives the same table every time."""
        ...

    def ranges(self) -> dict[str, tuple[float, float]]:
        """``{parameter: (low, high)}``: where the futures may lie (for describing boxes)."""
        ...

    def describe(self) -> dict[str, Any]:
        """What determines the futures, as JSON-able data (kept in the run ledger)."""
        ...


@dataclass(frozen=True)
class ParameterRanges:
    """Futures sampled by Latin hypercube from parameter ranges.

    Attributes
    ----------
    factors
        One :class:`~pppsim.experiment.design.Factor` per uncertain parameter: a uniform range
        ``{ low, high }`` or a normal ``{ mean, sd }`` truncated to the parameter's allowed
        range.
    samples
        Number of futures.
    seed
        Seed of the sampler (the same seed gives the same futures).
    labels
        Plain words for the parameters (``opportunism_mean`` -> ``opportunism``); the
        parameter name where none is given.
    """

    factors: tuple[Factor, ...]
    samples: int
    seed: int = 0
    labels: Mapping[str, str] = field(default_factory=dict)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.factors)

    def futures(self) -> pd.DataFrame:
        try:
            rows = sample_points(list(self.factors), DesignKind.LHS, samples=self.samples,
                                 seed=self.seed)
        except DesignError as exc:
            raise ValueError(str(exc)) from None
        frame = pd.DataFrame(rows, columns=list(self.names))
        frame.index.name = "future"
        return frame

    def ranges(self) -> dict[str, tuple[float, float]]:
        out = {}
        for f in self.factors:
            if f.low is not None and f.high is not None:
                out[f.name] = (float(f.low), float(f.high))
            else:
                out[f.name] = f.allowed_range()
        return out

    def describe(self) -> dict[str, Any]:
        return {"source": "ranges", "sampler": "latin hypercube (SALib)",
                "samples": self.samples, "seed": self.seed,
                "factors": {f.name: {k: v for k, v in vars(f).items()
                                     if v is not None and k != "name"} for f in self.factors}}


SOURCES = ("ranges",)
"""The future sources an experiment file may name (``[futures] source``)."""
