"""CPU milliseconds per simulated run as the number of organisations grows, this version
against an earlier one, measured side by side in the same run.

For 100, 200, 400 and 800 organisations (``--sizes``) over 120 months, prints the median CPU time
(``time.process_time``, so that other processes on a shared machine do not count) of a few
runs (seeds 0 to ``--repeats`` - 1) of this checkout and of an earlier commit (default
``a6c4f84``, the model before the first speed-up), their growth ratio to the 100-organisation
run, and the speed-up; then the mean CPU per run of each and its speed-up (what a sweep of
those runs costs in all); then the speed-up seed by seed, the two versions' runs of one seed
being made one after the other: its geometric mean over the seeds and a 95% bootstrap interval
of that mean (how far it could move with other seeds, under the same machine load; a busier
or quieter machine moves both versions, and not always alike).

The earlier version is extracted from git (``git archive``) into a folder kept for that commit
(under ``$XDG_CACHE_HOME``, default ``~/.cache``, ``/pppsim/benchmark/``), so that numba's cache
of its compiled functions, which is kept by source folder, is kept too: extracted afresh, a
version that compiles would compile every function again, each the first time a run needs it
(a run of about 80 ms measured 649 ms when that happened mid-measurement).  Each
version runs in its own worker process, and the workers take turns run by run, so that both
see the same machine load.  Each run ends with the end-of-run metrics (what a sweep records).
Each worker makes one run untimed first (a seed not measured), so that what a process does
once (loading the compiled month, lazy imports) is not counted in its first run; a run during
which numba compiled a function (one whose argument types that process had not met yet, with
no compiled version in numba's cache) is made again and the second time counted, and the
benchmark says how many were.
Both versions are checked to give the same harm prevented for the same seed (the speed-up
leaves results byte-identical); ``--results-may-differ`` compares against a version whose
model gives other results (the cost of a run of each, as it is), and says how many differed.

    .venv/bin/python benchmarks/model_scaling.py [--repeats N] [--months N] [--against REV]
        [--results-may-differ]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = (100, 200, 400, 800)

WORKER = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
import pppsim
assert pppsim.__file__.startswith(sys.argv[1]), pppsim.__file__
from pppsim.model import PartnershipModel
from pppsim.model.outputs import summary_metrics
# one run untimed: what a process does once (loading compiled code, lazy imports) is not a run's
PartnershipModel(n_organisations=100, rng=10**6).run(120)
compiles = [0]
if "numba" in sys.modules:  # count numba's compilations (not its loads from its cache)
    from numba.core import event
    class Compiles(event.Listener):
        def on_start(self, event):
            compiles[0] += 1
        def on_end(self, event):
            pass
    event.register("numba:compile", Compiles())
print(json.dumps({"ready": pppsim.__file__}), flush=True)
for line in sys.stdin:
    n, months, seed = json.loads(line)
    remeasured = -1
    while True:  # a run in which numba compiled is measured again (the same run)
        remeasured += 1
        before = compiles[0]
        start = time.process_time()
        model = PartnershipModel(n_organisations=n, rng=seed)
        model.run(months)
        metrics = summary_metrics(model)
        cpu = time.process_time() - start
        if compiles[0] == before:
            break
    print(json.dumps({"cpu": cpu, "remeasured": remeasured,
                      "harm_prevented": metrics["harm_prevented"],
                      "partnerships": len(model.partnerships_ever),
                      "months_worked": sum(len(p.trust_history)
                                           for p in model.partnerships_ever)}), flush=True)
"""


class Worker:
    """A Python process with one version of pppsim on its path, running one model at a time."""

    def __init__(self, source: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", WORKER, str(source)], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, text=True, cwd=source)
        json.loads(self.process.stdout.readline())

    def run(self, n: int, months: int, seed: int) -> dict:
        self.process.stdin.write(json.dumps([n, months, seed]) + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait()


def extract(revision: str) -> Path:
    """A folder holding the ``pppsim`` package as it was at ``revision``: extracted once per
    commit into a folder kept for it (module docstring), then found there."""
    commit = subprocess.run(["git", "rev-parse", "--verify", f"{revision}^{{commit}}"],
                            cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    into = base / "pppsim" / "benchmark" / commit
    if not (into / "pppsim").is_dir():
        archive = subprocess.run(["git", "archive", commit, "pppsim"], cwd=ROOT, check=True,
                                 capture_output=True).stdout
        into.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=into.parent) as tmp:
            with tarfile.open(fileobj=BytesIO(archive)) as tar:
                tar.extractall(tmp, filter="data")
            Path(tmp).rename(into)  # whole or not at all
    return into


def paired_speed_up(before: list[float], after: list[float]) -> tuple[float, float, float]:
    """The geometric mean of the seed-by-seed speed-ups ``before / after`` and its 95%
    bootstrap interval (BCa, 10,000 resamples, seeded: the same times give the same
    interval); NaN bounds with fewer than three seeds."""
    import numpy as np
    from scipy import stats

    logs = np.log(np.asarray(before) / np.asarray(after))
    mean = float(np.exp(logs.mean()))
    if len(logs) < 3:
        return mean, float("nan"), float("nan")
    interval = stats.bootstrap((logs,), np.mean, n_resamples=10_000, method="BCa",
                               random_state=np.random.default_rng(0)).confidence_interval
    return mean, float(np.exp(interval.low)), float(np.exp(interval.high))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15,
                        help="seeds per size (0 to N-1; default 15: runs vary from seed to seed)")
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--against", default="a6c4f84",
                        help="git revision to compare with (default: a6c4f84)")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES),
                        help="numbers of organisations (default: 100 200 400 800)")
    parser.add_argument("--results-may-differ", action="store_true",
                        help="compare costs even if the two versions' results differ")
    args = parser.parse_args()
    old, new = Worker(extract(args.against)), Worker(ROOT)
    try:
        times: dict[str, dict[int, list[float]]] = {"old": {}, "new": {}}
        worked: dict[str, dict[int, list[int]]] = {"old": {}, "new": {}}
        differing = 0
        remeasured = {"old": 0, "new": 0}
        for n in args.sizes:
            for seed in range(args.repeats):
                a, b = old.run(n, args.months, seed), new.run(n, args.months, seed)
                if a["harm_prevented"] != b["harm_prevented"]:
                    differing += 1
                if differing and not args.results_may_differ:
                    raise SystemExit(f"results differ at {n} organisations, seed {seed}: "
                                     f"{a['harm_prevented']!r} != {b['harm_prevented']!r}")
                for version, result in (("old", a), ("new", b)):
                    remeasured[version] += result["remeasured"]
                    times[version].setdefault(n, []).append(result["cpu"])
                    worked[version].setdefault(n, []).append(result["months_worked"])
    finally:
        old.close()
        new.close()
    print(f"median CPU ms per run of {args.months} months over {args.repeats} seeds; "
          f"before = {args.against}, after = this checkout")
    if any(remeasured.values()):
        print(f"runs measured again because numba compiled during them: {remeasured['old']} "
              f"before, {remeasured['new']} after")
    if args.results_may_differ:
        print(f"results differ in {differing} of {len(args.sizes) * args.repeats} runs "
              "(each version's run costed as it is)")
    print(f"{'organisations':>13} {'before ms':>10} {'growth':>7} {'after ms':>9} "
          f"{'growth':>7} {'speed-up':>9}")
    medians = {v: {n: 1000 * statistics.median(t) for n, t in times[v].items()} for v in times}
    first = args.sizes[0]
    for n in args.sizes:
        before, after = medians["old"][n], medians["new"][n]
        print(f"{n:>13} {before:>10.0f} {before / medians['old'][first]:>7.2f} "
              f"{after:>9.0f} {after / medians['new'][first]:>7.2f} {before / after:>9.2f}")
    # The median says what a typical run costs; the mean what a sweep of these runs costs
    # (their total CPU): the two differ where some seeds give much busier runs than others.
    print(f"\nmean CPU ms per run (a sweep of these runs costs their total)\n"
          f"{'organisations':>13} {'before ms':>10} {'after ms':>9} {'speed-up':>9}")
    for n in args.sizes:
        before, after = (1000 * statistics.mean(times[v][n]) for v in ("old", "new"))
        print(f"{n:>13} {before:>10.0f} {after:>9.0f} {before / after:>9.2f}")
    print("\nspeed-up seed by seed (the two versions' runs of a seed, made in turn): geometric "
          "mean and its 95% bootstrap interval")
    print(f"{'organisations':>13} {'speed-up':>9} {'95% interval':>14}")
    for n in args.sizes:
        mean, low, high = paired_speed_up(times["old"][n], times["new"][n])
        interval = "(3+ seeds)" if math.isnan(low) else f"{low:.2f}-{high:.2f}"
        print(f"{n:>13} {mean:>9.2f} {interval:>14}")
    if differing:
        # Versions whose models differ may do different amounts of work in a run: the CPU per
        # month of a partnership's operation (the run's total over the months partnerships
        # operated) tells a faster model from a model with fewer partnerships.
        print("\nwork per run: months of operation summed over partnerships (mean), and CPU "
              "microseconds per such month")
        print(f"{'organisations':>13} {'before':>8} {'us each':>8} {'after':>8} {'us each':>8} "
              f"{'speed-up':>9}")
        for n in args.sizes:
            each = {}
            for v in ("old", "new"):
                months = statistics.mean(worked[v][n])
                each[v] = (months, 1e6 * statistics.median(
                    t / w for t, w in zip(times[v][n], worked[v][n], strict=True)))
            (m0, u0), (m1, u1) = each["old"], each["new"]
            print(f"{n:>13} {m0:>8.0f} {u0:>8.1f} {m1:>8.0f} {u1:>8.1f} {u0 / u1:>9.2f}")


if __name__ == "__main__":
    main()
