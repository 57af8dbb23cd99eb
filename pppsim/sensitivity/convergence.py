"""Convergence of Sobol indices: the indices and their interval widths against N.

A Sobol design of size N starts with the design of size N/2 (same seed), so the indices at
every power of 2 up to N come from the runs already made.  An index has converged when its
interval is narrower than a tolerance and it no longer moves when N doubles.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .analysis import CONFIDENCE, RESAMPLES, analyse
from .problem import DUMMY, Method, SensitivityDesign, SensitivityError

MIN_SIZE = 16
"""Smallest N in a convergence table (smaller Sobol estimates are mostly noise)."""
TOLERANCE = 0.05
"""Default stopping tolerance: the largest accepted ± half-width of an ST interval."""


def convergence(design: SensitivityDesign, outputs: Mapping[str, Any], *,
                sizes: Sequence[int] | None = None, statistics: Sequence[str] = ("mean",),
                confidence: float = CONFIDENCE, resamples: int = RESAMPLES, seed: int = 0
                ) -> pd.DataFrame:
    """Sobol indices of the nested designs of size ``sizes`` (default: powers of 2 to N).

    Parameters
    ----------
    design
        A Sobol design.
    outputs
        As for :func:`pppsim.sensitivity.analyse`, for the whole design.
    sizes
        The N to analyse (powers of 2 up to ``design.n``); default ``16, 32, ..., design.n``
        (from ``design.n / 2`` for designs smaller than 32).
    statistics, confidence, resamples, seed
        As for :func:`pppsim.sensitivity.analyse`.

    Returns
    -------
    pandas.DataFrame
        The indices table of :class:`~pppsim.sensitivity.SensitivityResult` with a column
        ``n``; outputs that cannot be analysed at some N are left out at that N.
    """
    if design.method is not Method.SOBOL:
        raise SensitivityError(f"convergence needs a sobol design, not {design.method}")
    if sizes is None:
        first = min(MIN_SIZE, max(design.n // 2, 1))
        sizes = [2**k for k in range(int(math.log2(first)), int(math.log2(design.n)) + 1)]
    frames = []
    for n in sizes:
        small = design.prefix(n)
        rows = len(small.samples)
        subset = {name: np.asarray(values, dtype=float)[:rows]
                  for name, values in outputs.items()}
        result = analyse(small, subset, confidence=confidence, resamples=resamples, seed=seed,
                         skip_invalid=True, statistics=statistics)
        frames.append(result.indices.assign(n=n))
    table = pd.concat(frames, ignore_index=True)
    return table[["n", *[c for c in table if c != "n"]]]


def convergence_summary(table: pd.DataFrame, tolerance: float = TOLERANCE,
                        index: str | None = None) -> pd.DataFrame:
    """Per output and statistic: has ``index`` converged at the largest N?

    Parameters
    ----------
    table
        From :func:`convergence`.
    tolerance
        Largest accepted ± half-width of the intervals, and largest accepted change of an
        index since N/2.
    index
        ``ST``, ``S1``, ``ST_corrected`` or ``S1_corrected``; default ``ST_corrected`` where
        the table has it (a design with a dummy), else ``ST``.

    Returns
    -------
    pandas.DataFrame
        One row per (output, statistic): ``n`` (largest), ``widest`` (largest half-width over
        the real parameters), ``change`` (largest change since N/2), ``converged`` and
        ``n_needed``, the N at which the widest interval should reach the tolerance (intervals
        narrow as 1/sqrt(N)), a power of 2 (NaN when an interval is undefined); ``index``,
        the index summarised.
    """
    if index is None:
        index = "ST_corrected" if "ST_corrected" in table else "ST"
    real = table[table["parameter"] != DUMMY]
    rows = []
    for (output, statistic), group in real.groupby(["output", "statistic"], sort=False):
        sizes = sorted(group["n"].unique())
        last = group[group["n"] == sizes[-1]].set_index("parameter")
        widest = float(last[f"{index}_conf"].max(skipna=False))
        change = float("nan")
        if len(sizes) > 1:
            before = group[group["n"] == sizes[-2]].set_index("parameter")
            change = float((last[index] - before[index]).abs().max())
        converged = bool(widest <= tolerance and not change > tolerance)
        needed = sizes[-1] * (widest / tolerance) ** 2 if np.isfinite(widest) else np.inf
        rows.append({"output": output, "statistic": statistic, "n": int(sizes[-1]),
                     "widest": widest, "change": change, "converged": converged,
                     "index": index,
                     "n_needed": int(sizes[-1]) if converged else
                     int(2 ** math.ceil(math.log2(max(needed, 2 * sizes[-1]))))
                     if np.isfinite(needed) else float("nan")})
    return pd.DataFrame(rows)
