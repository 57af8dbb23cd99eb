"""Whether the month of joint work runs compiled (:mod:`pppsim.model.compiled`, numba) or
as numpy code (:class:`~pppsim.model.partnership.operation.Month`).

The compiled month is an optional accelerator: installed with ``pip install pppsim[fast]``
(numba), on unless the environment variable ``PPPSIM_ACCELERATOR`` says ``numpy``.  Both give
the same model up to the last bits of floating-point arithmetic (docs/performance.md), so they
are two kinds of numerics (:func:`pppsim.numerics.fingerprint`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import cache
from types import ModuleType

VARIABLE = "PPPSIM_ACCELERATOR"
"""The environment variable that chooses: ``numba`` (required: an error without it),
``numpy`` (off), or unset / ``auto`` (numba where installed)."""

CHOICES = ("auto", "numba", "numpy")


@cache
def compiled() -> ModuleType | None:
    """The compiled month's module if the accelerator is on in this process, else None.

    Decided once per process (at the first month), from :data:`VARIABLE` and whether numba
    imports."""
    choice = os.environ.get(VARIABLE, "auto").strip().lower() or "auto"
    if choice not in CHOICES:
        from ..errors import PppsimError
        raise PppsimError(f"environment variable {VARIABLE}={choice!r}: allowed are "
                         f"{', '.join(CHOICES)}")
    if choice == "numpy":
        return None
    try:
        from . import compiled as module
    except ImportError as error:
        if choice == "numba":
            from ..errors import PppsimError
            raise PppsimError(f"environment variable {VARIABLE}=numba, but numba does not "
                             f"import ({error}); install pppsim[fast] or unset it") from None
        return None
    return module


def compiled_or_not(function: Callable) -> Callable:
    """``function`` (array code of :mod:`pppsim.model` that numba compiles as it is: the
    harm a month's prevention takes, the month's outputs) compiled where the accelerator is
    on, else ``function`` itself: one source for both ways."""
    module = compiled()
    return function if module is None else _compiled_version(module, function)


@cache
def _compiled_version(module: ModuleType, function: Callable) -> Callable:
    """``function`` compiled by ``module`` (:mod:`pppsim.model.compiled`), made once."""
    return module.compiled(function)


def warm_up(*, if_not_cached: bool = False) -> None:
    """Where the accelerator is on, have the compiled code ready in this process now: loaded
    from numba's cache, or compiled (about 35 s) and cached for every later process.

    A short run of a small model, until its partnerships have prevented harm: by then every
    compiled function has run (the organisations' draws, formation's candidates and room,
    negotiation, the month of
    joint work with the harm it prevents, its settling and exits, growth, the month's end,
    the reporters).  With ``if_not_cached``, only where nothing is
    cached yet: a sweep compiles once, before it starts its worker processes, rather than in
    each of them at once."""
    global _warm
    module = compiled()
    if module is None or _warm or (if_not_cached and module.cached()):
        return
    from .model import PartnershipModel

    model = PartnershipModel(n_organisations=40, rng=0)
    for _ in range(120):
        model.step()
        if len(model.prevention_log.entries()):
            break
    _warm = True


_warm = False
"""Whether :func:`warm_up` has run the compiled code in this process (and a forked child)."""


def name() -> str:
    """``numba <version>`` if the month runs compiled in this process, else ``numpy``."""
    module = compiled()
    return "numpy" if module is None else f"numba {module.numba.__version__}"
