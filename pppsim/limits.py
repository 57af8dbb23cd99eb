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
