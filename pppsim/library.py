"""Where the shipped scenarios, cases and classroom demonstrations live.

In a source checkout they are the top-level ``scenarios/`` and ``experiments/`` folders (the
files a user edits and the documentation names).  A built wheel carries copies of both inside
the package, under ``pppsim/_data/`` (``setup.py`` copies them at build time), so an installed
``pppsim app`` or ``pppsim demo`` finds them from any folder.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
CHECKOUT = PACKAGE.parent
SHIPPED = ("scenarios", "experiments")
"""The top-level folders a wheel carries as package data."""


def shipped_folder(name: str) -> Path:
    """The folder ``name`` (one of :data:`SHIPPED`): the checkout's own, else the wheel's copy."""
    source = CHECKOUT / name
    if (CHECKOUT / "pyproject.toml").is_file() and source.is_dir():
        return source
    return PACKAGE / "_data" / name


SCENARIO_DIR = shipped_folder("scenarios")
CASE_DIR = SCENARIO_DIR / "cases"
DEMO_DIR = shipped_folder("experiments") / "teaching"
