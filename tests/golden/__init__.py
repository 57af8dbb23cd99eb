"""Golden runs: digests of complete simulation results that must not change by accident."""
