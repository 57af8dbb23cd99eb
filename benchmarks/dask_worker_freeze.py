"""A sweep on a local Dask cluster with pppsim's worker plugin (the model loaded, then
``gc.freeze``, in every worker) and without it, side by side.

Runs the same sweep (``--points`` values of ``legal_barrier`` x ``--replications`` seeds, 100
organisations, 120 months, two Dask workers with one thread each) ``--repeats`` times each
way, in turns (which goes first alternates), each in a fresh interpreter; "without" replaces
the plugin's registration by nothing.  Prints for each sweep the CPU time of the two worker
processes from their start to the end of the sweep (``time.process_time`` read in each
worker: other processes on a shared machine do not count), the sweep's wall time and the mean
time of a run inside the workers (the model's own time, wall clock), then the medians.

    .venv/bin/python benchmarks/dask_worker_freeze.py [--points 8 --replications 8 --repeats 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

CHILD = r"""
import contextlib, json, sys, tempfile, time
from distributed import default_client
from pppsim.experiment import Experiment, executors, sweep
mode, points, replications = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
if mode == "without":
    executors._prepared_workers = lambda client: contextlib.nullcontext()
exp = Experiment.from_points(
    [{"legal_barrier": round(0.1 + 0.8 * i / max(points - 1, 1), 4)} for i in range(points)],
    base={"n_organisations": 100}, replications=replications, seed=1, months=120,
    outputs=["harm_prevented"])
with tempfile.TemporaryDirectory() as folder, \
        executors.open_executor(2, scheduler="local") as info:
    stats = sweep(exp, folder + "/out", executor=info, progress=False)
    cpu = sum(default_client().run(time.process_time).values())
assert stats.done == points * replications, stats
print(json.dumps({"cpu": cpu, "wall": stats.wall_seconds, "run_ms": 1000 * stats.seconds_per_run}))
"""
MODES = ("with", "without")


def line(mode: str, cpu: float, wall: float, run_ms: float) -> str:
    return f"{mode:8} worker CPU {cpu:6.2f} s   wall {wall:6.2f} s   run {run_ms:6.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--points", type=int, default=8)
    parser.add_argument("--replications", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    results: dict[str, list[dict[str, float]]] = {mode: [] for mode in MODES}
    for repeat in range(args.repeats):
        for mode in MODES[::1 if repeat % 2 == 0 else -1]:  # which goes first alternates
            out = subprocess.run([sys.executable, "-c", CHILD, mode, str(args.points),
                                  str(args.replications)],
                                 capture_output=True, text=True, check=True)
            result = json.loads(out.stdout.strip().splitlines()[-1])
            results[mode].append(result)
            print(line(mode, result["cpu"], result["wall"], result["run_ms"]), flush=True)
    print(f"{args.points * args.replications} runs on 2 Dask workers, medians of "
          f"{args.repeats}:")
    for mode in MODES:
        runs = results[mode]
        print(line(mode, *(statistics.median(r[key] for r in runs)
                           for key in ("cpu", "wall", "run_ms"))))


if __name__ == "__main__":
    main()
