"""SALib's samplers behind one function, with one set of rules, for sweeps and sensitivity.

Both the sweep engine's sampled designs (``[design] kind = "lhs" | "sobol" | "morris" |
"fast"``, :func:`pppsim.experiment.design.sample_points`) and the sensitivity designs
(:func:`pppsim.sensitivity.sample`) draw their rows here, so the same problem, sampler, size and
seed give the same rows in both, and a size is accepted or refused by the same rule with the
same words.

The samplers are SALib's (Herman & Usher 2017): ``latin`` (Latin hypercube), ``sobol``
(Saltelli's scheme on a Sobol' sequence), ``morris`` (Morris trajectories on a grid) and
``fast`` (the extended FAST search curves of Saltelli, Tarantola & Chan 1999).  An eFAST design
can be drawn several times with independent random phase shifts (``replicates``): the
spread of the indices between replicates is then an honest interval (Saltelli et al. 1999,
section 3), which SALib's own bootstrap of one search curve is not.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

SAMPLERS = ("latin", "sobol", "morris", "fast")
"""The samplers, by SALib's module names."""
FAST_INTERFERENCE = 4
"""eFAST's interference factor M (SALib's default); the sampler needs n > 4 M**2."""
MORRIS_MIN_TRAJECTORIES = 2
"""Morris: fewer trajectories give no spread (sigma) and no interval for mu*."""


class SamplingError(ValueError):
    """A design cannot be sampled; the message is one line naming the rule."""


def check(sampler: str, n: int, dists: Sequence[str], *, levels: int = 4,
          replicates: int = 1, label: str | None = None) -> None:
    """Refuse a size or option the sampler cannot honour.

    Raises
    ------
    SamplingError
        ``n`` not positive; sobol: ``n`` not a power of 2; morris: non-uniform ranges, fewer
        than 2 trajectories or 2 levels; fast: ``n <= 4 M**2``; ``replicates`` other than 1
        for a sampler other than fast.  ``label`` names the design in the message (default:
        the sampler; a sweep says ``lhs`` for ``latin``).
    """
    if sampler not in SAMPLERS:
        raise SamplingError(f"unknown sampler '{sampler}': expected one of "
                            f"{', '.join(SAMPLERS)}")
    label = label or sampler
    if not isinstance(n, int | np.integer) or isinstance(n, bool) or n < 1:
        raise SamplingError(f"a {label} design needs samples = a positive int, got {n!r}")
    if replicates < 1 or (replicates > 1 and sampler != "fast"):
        raise SamplingError(f"a {label} design takes no phase-shift replicates, got "
                            f"{replicates}")
    if sampler == "sobol" and n & (n - 1):
        raise SamplingError(f"a sobol design needs samples = a power of 2, got {n}")
    if sampler == "morris":
        if any(d != "unif" for d in dists):
            raise SamplingError("a morris design needs uniform ranges { low, high }")
        if n < MORRIS_MIN_TRAJECTORIES:
            raise SamplingError(f"a morris design needs samples >= {MORRIS_MIN_TRAJECTORIES} "
                                f"trajectories, got {n}")
        if levels < 2:
            raise SamplingError(f"a morris design needs levels >= 2, got {levels}")
    if sampler == "fast" and n <= 4 * FAST_INTERFERENCE**2:
        raise SamplingError(f"a fast design needs samples > {4 * FAST_INTERFERENCE**2} "
                            f"(4 M^2 with interference M = {FAST_INTERFERENCE}), got {n}")


def replicate_seeds(seed: int, replicates: int) -> list[int]:
    """The sampler seed of each eFAST phase-shift replicate: ``seed`` itself first, so that
    the first replicate is the single-replicate design, then independent derived seeds."""
    derived = np.random.SeedSequence(seed).spawn(max(replicates - 1, 0))
    return [seed, *(int(s.generate_state(1)[0]) for s in derived)]


def sample_matrix(problem: Mapping[str, Any], sampler: str, n: int, *, seed: int = 0,
                  second_order: bool = False, levels: int = 4, replicates: int = 1,
                  label: str | None = None) -> np.ndarray:
    """The sample matrix of ``sampler``, one row per design point in SALib's row order.

    Parameters
    ----------
    problem
        A SALib problem: ``names``, ``bounds`` and (optional, default uniform) ``dists``.
    sampler
        ``latin`` (``n`` points), ``sobol`` (``n (D + 2)`` rows, ``n (2 D + 2)`` with
        ``second_order``), ``morris`` (``n`` trajectories of ``D + 1`` rows on ``levels``
        levels) or ``fast`` (``n D`` rows per replicate).
    n
        The size asked of the sampler.
    seed
        Sampler seed: the same seed gives the same rows.
    second_order, levels
        Options of the sobol and morris samplers.
    replicates
        fast only: draw the design this many times with independent random phase shifts
        (seeds from :func:`replicate_seeds`) and stack the draws.
    label
        The design's name in error messages (default: ``sampler``).

    Returns
    -------
    numpy.ndarray
    """
    from SALib.sample import fast_sampler, latin, morris, sobol

    names = list(problem["names"])
    dists = list(problem.get("dists") or ["unif"] * len(names))
    check(sampler, n, dists, levels=levels, replicates=replicates, label=label)
    salib = {"names": names, "num_vars": len(names),
             "bounds": [list(b) for b in problem["bounds"]], "dists": dists}
    if sampler == "latin":
        return latin.sample(salib, n, seed=seed)
    if sampler == "sobol":
        with warnings.catch_warnings():
            # SALib warns that n should be a power of 2 (checked above) and about skipping
            warnings.simplefilter("ignore", UserWarning)
            return sobol.sample(salib, n, calc_second_order=second_order, seed=seed)
    if sampler == "morris":
        return morris.sample(salib, n, num_levels=levels, seed=seed)
    return np.vstack([fast_sampler.sample(salib, n, M=FAST_INTERFERENCE, seed=s)
                      for s in replicate_seeds(seed, replicates)])
