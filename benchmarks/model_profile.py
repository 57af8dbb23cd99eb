"""Where a run's time goes: a cProfile summary of one run at 100 and at 800 organisations.

For each size, runs the default scenario (seed 1, 120 months, with the end-of-run metrics, as a
sweep does) once to warm up and once under ``cProfile`` with ``time.process_time`` as its
timer, and prints the functions with the largest cumulative share of the run: cumulative and
own share at each size, and calls at the larger size.  The profiler inflates the cost of small
functions, so the shares matter more than absolute times.

    .venv/bin/python benchmarks/model_profile.py [--sizes 100 800] [--top 25]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time
from pathlib import Path

from pppsim.model import PartnershipModel
from pppsim.model.outputs import summary_metrics

ROOT = Path(__file__).resolve().parent.parent


def run(n: int, seed: int = 1) -> None:
    model = PartnershipModel(n_organisations=n, rng=seed)
    model.run(120)
    summary_metrics(model)


def profile(n: int) -> tuple[float, int, dict[str, tuple[float, float, int]]]:
    """Total profiled seconds, calls, and per function (cumulative, own seconds, calls)."""
    run(n)
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    run(n)
    profiler.disable()
    stats = pstats.Stats(profiler)
    functions = {}
    for (path, _line, name), (_, calls, own, cumulative, _) in stats.stats.items():
        where = Path(path)
        if where.is_relative_to(ROOT):
            label = f"{where.relative_to(ROOT)}:{name}"
        elif path == "~":
            label = name.strip("<>")
        else:
            label = f"{where.parent.name}/{where.name}:{name}"
        functions[label] = (cumulative, own, calls)
    return stats.total_tt, stats.total_calls, functions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=(100, 800))
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    small, large = args.sizes
    (total_s, calls_s, fs), (total_l, calls_l, fl) = profile(small), profile(large)
    print(f"function calls per run: {calls_s:,} at {small} organisations, {calls_l:,} at "
          f"{large}")
    print(f"| function | {small} org: cumulative | own | {large} org: cumulative | own | "
          f"calls at {large} |")
    print("|---|---|---|---|---|---|")
    ours = [f for f in fl if f.startswith("pppsim/")]
    ranked = sorted(ours, key=lambda f: -fl[f][0])
    for label in ranked[:args.top]:
        cum_s, own_s, _ = fs.get(label, (0.0, 0.0, 0))
        cum_l, own_l, calls = fl[label]
        print(f"| `{label}` | {cum_s / total_s:.1%} | {own_s / total_s:.1%} | "
              f"{cum_l / total_l:.1%} | {own_l / total_l:.1%} | {calls:,} |")


if __name__ == "__main__":
    main()
