"""Seconds per simulated run as the number of organisations grows.

Prints, for 100, 200, 400 and 800 organisations over 120 months, the median wall time of a
few runs and its ratio to the 100-organisation run, so the growth of cost with size is
visible (linear growth doubles the time with each doubling of size).

    .venv/bin/python benchmarks/model_scaling.py [--repeats N] [--months N]
"""

from __future__ import annotations

import argparse
import statistics
import time

from pppsim import PartnershipModel


def seconds_per_run(n_organisations: int, months: int, repeats: int) -> tuple[float, int]:
    times, partnerships = [], 0
    for seed in range(repeats):
        start = time.perf_counter()
        model = PartnershipModel(n_organisations=n_organisations, rng=seed)
        model.run(months)
        times.append(time.perf_counter() - start)
        partnerships = max(partnerships, len(model.partnerships_ever))
    return statistics.median(times), partnerships


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--months", type=int, default=120)
    args = parser.parse_args()
    print(f"{'organisations':>13} {'s/run':>8} {'ratio':>6} {'partnerships':>13}")
    base = None
    for n in (100, 200, 400, 800):
        seconds, partnerships = seconds_per_run(n, args.months, args.repeats)
        base = base or seconds
        print(f"{n:>13} {seconds:>8.3f} {seconds / base:>6.2f} {partnerships:>13}")


if __name__ == "__main__":
    main()
