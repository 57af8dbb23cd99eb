"""How much a machine without AVX-512 changes the results of the same runs.

On a CPU with AVX-512, NumPy computes float64 ``exp``, ``log`` and ``power`` with its own vector
code and OpenBLAS multiplies matrices with AVX-512 kernels; a CPU without AVX-512 runs the C
library's functions and the AVX2 kernels.  This script measures both effects on this machine:

* the share of inputs on which NumPy's ``exp``, ``log`` and ``power`` differ from the C
  library's (``math``), here and in a process that computes as a machine without AVX-512
  (``tests/golden/regenerate.py``: ``without_avx512``);
* which of the array operations the model uses give other bits in the two processes (on
  arrays of 3 to 5,000 elements);
* the same runs of the default scenario (seeds 0 to N-1, 120 months) in both processes: how
  many differ at all, how many in a count (partnerships launched, ended, negotiations started),
  and the largest relative difference of an end-of-run metric.

    .venv/bin/python benchmarks/numerics_portability.py [--runs 100]

It needs a CPU with AVX-512 (otherwise there is nothing to compare it with here).  With
``--month-as-numpy`` it compares instead this process, whose month of joint work runs compiled
(numba installed), with one whose month runs as numpy code (``PPPSIM_ACCELERATOR=numpy``):
the same runs, and how far apart they end.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

def operations() -> dict[str, str]:
    """A digest of each array operation the model uses, over arrays of several lengths."""
    import hashlib

    import numpy as np

    digests: dict[str, Any] = {}
    for n in (3, 7, 29, 130, 600, 5000):
        rng = np.random.default_rng(n)
        a, b = rng.uniform(-3.0, 3.0, n), rng.uniform(0.01, 3.0, n)
        groups = np.sort(rng.integers(0, max(1, n // 4), n))
        rows = rng.uniform(0.0, 1.0, (min(n, 600), 5))
        results = {
            "sum": a.sum(), "cumsum": a.cumsum(), "bincount": np.bincount(groups, weights=a),
            "divide": a / b, "sqrt": np.sqrt(b), "maximum": np.maximum(a, 0.3),
            "exp": np.exp(a), "log": np.log(b), "power": b ** 0.37, "dot": a @ b,
            "vecdot": np.vecdot(rows, rows[::-1]), "matmul": rows @ rows.T,
            "matrix-vector": rows @ rows[0], "norm": np.linalg.norm(a),
            "corrcoef": np.corrcoef(a, b)[0, 1] if n > 2 else 0.0}
        for name, value in results.items():
            digests.setdefault(name, hashlib.sha256()).update(
                np.asarray(value, dtype=float).tobytes())
    return {name: digest.hexdigest() for name, digest in digests.items()}


COUNTS = ("partnerships_launched", "partnerships_ended", "negotiations_started",
          "formation_attempts")


def measure(runs: int) -> dict:
    """This process's numerics, its functions' disagreement with ``math`` and its runs."""
    import numpy as np

    from pppsim import numerics
    from pppsim.model import PartnershipModel
    from pppsim.model.outputs import summary_metrics

    anywhere = np.linspace(-6.0, 6.0, 100_001)
    positive = np.linspace(1e-6, 3.0, 100_001)
    functions = {
        "exp": (np.exp(anywhere), [math.exp(v) for v in anywhere.tolist()]),
        "log": (np.log(positive), [math.log(v) for v in positive.tolist()]),
        "power": (np.power(positive, 0.37), [v ** 0.37 for v in positive.tolist()]),
    }
    differing = {name: float(np.mean(ours != np.array(libm)))
                 for name, (ours, libm) in functions.items()}
    metrics = []
    for seed in range(runs):
        model = PartnershipModel(rng=seed)
        model.run(120)
        metrics.append(summary_metrics(model))
    return {"numerics": numerics.summary(), "differing": differing, "metrics": metrics,
            "operations": operations()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--month-as-numpy", action="store_true",
                        help="compare with the month of joint work run as numpy code")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.json:
        print(json.dumps(measure(args.runs)))
        return
    from golden.regenerate import with_month, without_avx512

    if args.month_as_numpy:
        from pppsim.model import accelerator

        if accelerator.compiled() is None:
            sys.exit("the month does not run compiled here (numba not installed, or "
                     f"{accelerator.VARIABLE}=numpy): nothing to compare with")
        other = with_month(dict(os.environ), "numpy")
    else:
        other = without_avx512()
    if other is None:
        sys.exit("no AVX-512 code runs here: nothing to compare with")
    here = measure(args.runs)
    done = subprocess.run([sys.executable, __file__, "--runs", str(args.runs), "--json"],
                          env=other, capture_output=True, text=True, check=True)
    there = json.loads(done.stdout)
    for side in (here, there):
        shares = ", ".join(f"{name} {share:.2%}" for name, share in side["differing"].items())
        print(f"numerics {side['numerics']}: inputs on which NumPy differs from the C "
              f"library: {shares}")
    differ_ops = [name for name in here["operations"]
                  if here["operations"][name] != there["operations"][name]]
    same_ops = [name for name in here["operations"] if name not in differ_ops]
    if not args.month_as_numpy:  # (the same NumPy in both: nothing to say)
        print(f"operations that give other bits in the two: {', '.join(differ_ops)}; the "
              f"same bits: {', '.join(same_ops)}")
    differ = count_differ = 0
    largest = 0.0
    for a, b in zip(here["metrics"], there["metrics"], strict=True):
        differ += a != b
        count_differ += any(a[name] != b[name] for name in COUNTS)
        for name, x in a.items():
            y = b[name]
            if x == x and y == y and x != y:
                largest = max(largest, abs(x - y) / max(abs(x), abs(y)))
    print(f"the same {args.runs} default runs (seeds 0-{args.runs - 1}, 120 months) in both: "
          f"{differ} differ in some end-of-run metric, {count_differ} in a count "
          f"({', '.join(COUNTS)}); largest relative difference of a metric {largest:.1e}")


if __name__ == "__main__":
    main()
