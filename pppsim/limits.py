"""Size limits and ranges the command line shows as option defaults.

They live in this module of constants, apart from the code that enforces them, so that
``pppsim --help`` can show them without loading the engine, SciPy or pandas.
"""

MAX_RUNS = 1_000_000
"""Largest design (points x replications) built without an explicit ``--max-runs``: about 80
core-hours of 100-organisation, ten-year runs, and 1.7 GB of design points in memory."""

MAX_COMPARISON_REPLICATIONS = 100_000
"""Most runs per scenario a comparison accepts."""

MONTHS_RANGE = (1, 1200)
"""The horizons a scenario, experiment or command accepts, in months (the one home of the limit)."""


def check_horizon(where: str, months: int | None, seed: int | None,
                  error: type[Exception], section: str = "") -> None:
    """Raise ``error`` with one line naming ``where`` (a file, or ``--set``) when ``months``
    lies outside :data:`MONTHS_RANGE` or ``seed`` is negative; ``None`` is not checked.
    ``section`` names a table of the file the values come from (``"[quick] "``).

    The one check of a horizon and a seed, for scenarios, ``--set``, experiments, comparisons,
    robustness studies and calibration files alike.
    """
    prefix = f"{where}: " if where else ""
    if months is not None and not MONTHS_RANGE[0] <= months <= MONTHS_RANGE[1]:
        raise error(f"{prefix}{section}months = {months} is not allowed: expected an int from "
                    f"{MONTHS_RANGE[0]} to {MONTHS_RANGE[1]} (months)")
    if seed is not None and seed < 0:
        raise error(f"{prefix}{section}seed = {seed} is not allowed: expected an int >= 0")
