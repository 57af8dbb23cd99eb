"""Which floating-point results this machine gives: the numerics fingerprint.

The same scenario and seed give byte-identical results on one machine, in one process or many.
Across machines they need not: NumPy picks the code of ``exp``, ``log`` and ``power`` by the
CPU (on a CPU with AVX-512 its own vector versions, elsewhere the C library's, which differ in
the last bit for about one input in twenty of ``exp`` and ``power``), and OpenBLAS picks the
kernels of a matrix product by the CPU too, each adding up in its own order.  A last-bit
difference mostly stays a last-bit difference in a run's results, but now and then it tips a
decision (a draw against a chance, a threshold) and the run takes another course.

:func:`fingerprint` names the numerics of this process: a digest of the very operations the
model computes with (``exp``, ``log``, ``power``, matrix and vector products, norms, NumPy's
random distributions and the C library's ``math`` functions) on fixed inputs, and whether the
month of joint work runs compiled (:mod:`pppsim.model.accelerator`: compiled code takes
``exp`` and ``log`` from the C library and adds its sums one by one).  Two processes
with the same fingerprint compute the model's arithmetic alike.  A sweep records it with every
run and keeps a results folder to one kind (docs/sweeps.md §5), a calibration keeps its
workers' with its definition, a single run names it in its ``scenario.toml``, and the golden
runs are recorded per fingerprint (``tests/golden``).
"""

from __future__ import annotations

import hashlib
import math
from functools import cache
from typing import Any

import numpy as np

from .model import accelerator

PROBE_SEED = 20231127
"""The seed of the random draws in the probe (any fixed number: only its being fixed matters)."""


def _probe() -> list[np.ndarray]:
    """The probe's results: each operation on inputs in the ranges the model feeds it, on
    arrays of a few lengths (vector code treats a short tail apart from whole blocks)."""
    anywhere = np.linspace(-6.0, 6.0, 1001)
    positive = np.linspace(1e-9, 3.0, 1001)
    # interests-like matrices (organisations x domains), made of exact arithmetic only
    rows = ((np.arange(400 * 5) * 0.6180339887498949) % 1.0).reshape(400, 5)
    results = []
    for n in (1, 5, 13, 1001):
        results += [np.exp(anywhere[:n]), np.log(positive[:n]),
                    np.power(positive[:n], 0.37), positive[:n] ** 1.63]
    for n in (40, 100, 400):
        block = rows[:n]
        results += [block @ block.T, block @ rows[0], np.linalg.norm(block, axis=1),
                    np.array([np.linalg.norm(block[0]), float(block[0] @ block[1])]),
                    np.vecdot(block, block[::-1])]
    generator = np.random.Generator(np.random.PCG64(PROBE_SEED))
    results += [generator.normal(0.0, 1.0, 2000), generator.lognormal(0.0, 0.5, 200),
                generator.gamma(2.0, 1.0, 200), generator.beta(2.0, 5.0, 200),
                generator.dirichlet(np.ones(5), 20).ravel(),
                generator.poisson(3.0, 200).astype(float), generator.uniform(0.0, 1.0, 20)]
    scalars = anywhere.tolist()
    results.append(np.array([math.exp(v) for v in scalars]
                            + [math.log(v) for v in positive.tolist()]
                            + [v ** 0.5 for v in positive.tolist()]
                            + [math.log1p(v * v) for v in scalars]))
    return results


@cache
def fingerprint() -> str:
    """Twelve hex digits naming this process's numerics (module docstring): equal on two
    machines whose NumPy, BLAS and C library compute the model's operations alike."""
    digest = hashlib.sha256()
    for result in _probe():
        digest.update(np.ascontiguousarray(result, dtype=float).tobytes())
    compiled = accelerator.compiled()
    if compiled is not None:  # the compiled month: its own exp, log and sums
        digest.update(accelerator.name().encode())
        digest.update(compiled.probe().tobytes())
    return digest.hexdigest()[:12]


def describe() -> dict[str, Any]:
    """The fingerprint and what it depends on, for a sweep's manifest and error messages:
    NumPy's version and the code it runs ``exp``, ``log`` and ``power`` with on this CPU
    (where NumPy says: ``numpy.lib.introspect``), and the BLAS library with the kernels it
    picked."""
    about: dict[str, Any] = {"fingerprint": fingerprint(), "numpy": np.__version__,
                             "month": accelerator.name()}
    try:
        from numpy.lib.introspect import opt_func_info
    except ImportError:  # a NumPy before numpy.lib.introspect does not say
        pass
    else:
        about["simd"] = {name: next(iter(by_types.values()), {}).get("current")
                         for name, by_types in opt_func_info(
                             func_name="^(exp|log|power)$", signature="^float64").items()}
    try:
        from threadpoolctl import threadpool_info
    except ImportError:  # pragma: no cover - a declared dependency
        return about
    # NumPy's own, and SciPy's once SciPy is loaded: sorted, so the order of imports does not show
    about["blas"] = sorted({" ".join(str(lib.get(key)) for key in ("internal_api", "version",
                                                                   "architecture"))
                            for lib in threadpool_info() if lib.get("user_api") == "blas"})
    return about


def summary(about: dict[str, Any] | None = None) -> str:
    """:func:`describe` in a few words, e.g. ``72ce6a50319b (numpy 2.5.5, exp X86_V4, BLAS
    openblas 0.3.34 SkylakeX)``."""
    about = describe() if about is None else about
    words = [f"numpy {about['numpy']}"]
    if about.get("month", "numpy") != "numpy":
        words.append(f"month compiled with {about['month']}")
    simd = about.get("simd") or {}
    if simd.get("exp"):
        words.append(f"exp {simd['exp']}")
    words += [f"BLAS {blas}" for blas in about.get("blas", [])]
    return f"{about['fingerprint']} ({', '.join(words)})"


if __name__ == "__main__":  # python -m pppsim.numerics: this machine's numerics
    print(summary())
