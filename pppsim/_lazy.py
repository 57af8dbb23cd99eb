"""Lazy re-exports for package ``__init__`` modules.

A package names what it offers (``__all__``) but loads each submodule only when one of its
names is first used, so that importing a light part of pppsim (the command line's ``--help``,
``--version`` or ``status``) does not load pandas, Mesa, SciPy or matplotlib.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any


def lazy_exports(
    package: str, namespace: dict[str, Any], exports: dict[str, tuple[str, ...]],
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``: ``exports`` maps each submodule
    (relative, e.g. ``".api"``) to the names it provides."""
    where = {name: module for module, names in exports.items() for name in names}

    def module_getattr(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(module, package), name)
        namespace[name] = value
        return value

    def module_dir() -> list[str]:
        return sorted(set(namespace) | set(where))

    return module_getattr, module_dir
