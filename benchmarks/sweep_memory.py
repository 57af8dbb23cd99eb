"""Peak memory of a sweep as the number of runs grows: it should stay flat.

Each size runs in a fresh process, in-process (one worker), so the model runs, the store and
the planning all count towards that process's peak resident memory.  Prints runs, peak RSS and
its ratio to the smallest sweep.

    .venv/bin/python benchmarks/sweep_memory.py [--sizes 250 1000 4000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile

CHILD = """
import json, resource, sys, time
from pppsim.experiment import Experiment, sweep
runs = int(sys.argv[1])
points = [{"n_organisations": 10 + i % 5} for i in range(runs // 10)]
experiment = Experiment.from_points(points, replications=10, seed=1, months=6,
                                    outputs=["harm_prevented"], name="memory")
start = time.perf_counter()
sweep(experiment, sys.argv[2], workers=1, progress=False)
peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"runs": experiment.n_runs, "peak_mib": peak_kib / 1024,
                  "seconds": time.perf_counter() - start}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[250, 1000, 4000])
    args = parser.parse_args()
    if min(args.sizes) < 10:  # ten replications of each point
        parser.error(f"--sizes: each at least 10 runs (got {min(args.sizes)})")
    print(f"{'runs':>6} {'peak RSS (MiB)':>15} {'ratio':>6} {'seconds':>8}")
    base = None
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as folder:
            out = subprocess.run([sys.executable, "-c", CHILD, str(size), folder + "/store"],
                                 capture_output=True, text=True, check=True)
        result = json.loads(out.stdout.strip().splitlines()[-1])
        base = base or result["peak_mib"]
        print(f"{result['runs']:>6} {result['peak_mib']:>15.1f} "
              f"{result['peak_mib'] / base:>6.2f} {result['seconds']:>8.1f}")


if __name__ == "__main__":
    main()
