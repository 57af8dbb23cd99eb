"""The global sensitivity methods pppsim offers, by name.

Apart from the designs (:mod:`.problem`, which needs numpy and SALib) so that the command line
can list the method names in ``--help`` without loading either.
"""

from __future__ import annotations

from enum import StrEnum


class Method(StrEnum):
    """Global sensitivity methods: each pairs a SALib sampler with its analyser."""

    SOBOL = "sobol"
    """Saltelli's sampling of a Sobol' sequence; first-order, total (and second-order) indices."""
    MORRIS = "morris"
    """Morris elementary effects on ``n`` trajectories: mu*, sigma (screening)."""
    FAST = "fast"
    """Extended FAST: first-order and total indices from ``n`` samples per parameter."""
    RBD_FAST = "rbd-fast"
    """Random-balance-design FAST on a Latin hypercube of ``n`` points: first-order indices."""
    PAWN = "pawn"
    """PAWN, moment-independent (Kolmogorov-Smirnov) indices on a Latin hypercube."""

    @property
    def main_index(self) -> str:
        """The index that ranks parameters (the column of SALib's result)."""
        return {Method.SOBOL: "ST", Method.FAST: "ST", Method.RBD_FAST: "S1",
                Method.MORRIS: "mu_star", Method.PAWN: "median"}[self]

    @property
    def index_columns(self) -> tuple[str, ...]:
        """The per-parameter columns SALib's analyser returns (bar plots and CSV)."""
        return {Method.SOBOL: ("S1", "S1_conf", "ST", "ST_conf"),
                Method.FAST: ("S1", "S1_conf", "ST", "ST_conf"),
                Method.RBD_FAST: ("S1", "S1_conf"),
                Method.MORRIS: ("mu", "mu_star", "sigma", "mu_star_conf"),
                Method.PAWN: ("minimum", "mean", "median", "maximum", "CV")}[self]

    @property
    def sampler(self) -> str:
        """The :mod:`pppsim.sampling` sampler of the method."""
        return {Method.SOBOL: "sobol", Method.MORRIS: "morris", Method.FAST: "fast",
                Method.RBD_FAST: "latin", Method.PAWN: "latin"}[self]

    @property
    def noise_test(self) -> bool:
        """Whether the dummy's main index should be 0, so that its interval can be tested.

        Variance-based indices of an inert parameter are 0 on a deterministic model, and noise
        moves them by a symmetric estimation error plus a shift that the dummy measures.
        Morris' mu* of an inert parameter is exactly 0 on a deterministic model too, but it
        averages *absolute* differences, so any noise makes it positive: the dummy's mu* is a
        noise floor, not a test of 0.  PAWN's KS distance of an inert parameter is positive
        even without noise (sampling error of the conditional distributions).
        """
        return self in (Method.SOBOL, Method.FAST, Method.RBD_FAST)

    @property
    def dummy_corrected(self) -> bool:
        """Whether the indices get dummy-corrected companions (variance-based S1 and ST)."""
        return self in (Method.SOBOL, Method.FAST)
