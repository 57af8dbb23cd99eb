"""The manifest of a sweep: what made these results (versions, git revision, design, seeds)."""

from __future__ import annotations

import platform
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from email.parser import HeaderParser
from importlib import metadata
from pathlib import Path
from typing import Any

from ..numerics import describe
from .experiment import Experiment, model_version

PACKAGES = ("pppsim", "mesa", "numpy", "scipy", "pandas", "SALib", "pydantic", "dask",
            "distributed", "pyarrow")


def _version(package: str) -> str | None:
    """The installed version of ``package`` (None if it is not installed), as
    ``importlib.metadata.version`` gives it.

    Only the header of the package's metadata file is parsed: ``metadata.version`` parses the
    whole file, long descriptions included (some hundred kilobytes for pandas and pydantic),
    which made the versions of :data:`PACKAGES` take about 15 ms of every sweep's start.  A
    metadata file without a ``Version`` in its header falls back to ``metadata.version``."""
    try:
        distribution = metadata.distribution(package)
    except metadata.PackageNotFoundError:
        return None
    text = distribution.read_text("METADATA") or distribution.read_text("PKG-INFO")
    if text:
        version = HeaderParser().parsestr(text.split("\n\n", 1)[0]).get("Version")
        if version is not None:
            return version
    return distribution.version


def _git(folder: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True,
                          timeout=10, check=True).stdout.strip()


def git_revision(folder: Path) -> dict[str, Any] | None:
    """Commit and dirty flag of the git work tree holding ``folder``, if any (the two git
    commands run at the same time)."""
    with ThreadPoolExecutor(2) as pool:
        commit = pool.submit(_git, folder, "rev-parse", "HEAD")
        dirty = pool.submit(_git, folder, "status", "--porcelain", "--untracked-files=no")
        try:
            return {"commit": commit.result(), "dirty": bool(dirty.result())}
        except (OSError, subprocess.SubprocessError):
            return None


def build_manifest(experiment: Experiment) -> dict[str, Any]:
    """Package versions, git revision, Python, platform, the numerics of this machine
    (:func:`pppsim.numerics.describe`; each run records its own), and the experiment's
    definition.

    The git revision and the platform (``platform.platform`` runs ``uname -p``) wait for
    other programs: they are asked for in threads while the package versions are read, so
    that a sweep's start waits for the slowest of them rather than for all in turn (about
    45 ms in turn in a fresh interpreter here)."""
    with ThreadPoolExecutor(2) as pool:
        system = pool.submit(platform.platform)
        git = pool.submit(git_revision, Path(__file__).resolve().parent)
        packages = {p: _version(p) for p in PACKAGES}
        return {
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "experiment": experiment.name,
            "description": experiment.description,
            "model_version": model_version(),
            "python": sys.version.split()[0],
            "platform": system.result(),
            "numerics": describe(),
            "packages": packages,
            "git": git.result(),
            "definition": experiment.definition(),
            "sampler_seed": experiment.design.get("seed"),
            "base_seed": experiment.seed,
        }
