"""The manifest of a sweep: what made these results (versions, git revision, design, seeds)."""

from __future__ import annotations

import platform
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from .experiment import Experiment, model_version

PACKAGES = ("pppsim", "mesa", "numpy", "scipy", "pandas", "SALib", "pydantic", "dask",
            "distributed", "pyarrow")


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def git_revision(folder: Path) -> dict[str, Any] | None:
    """Commit and dirty flag of the git work tree holding ``folder``, if any."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True,
                                text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=folder, capture_output=True, text=True, timeout=10,
                               check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return {"commit": commit, "dirty": bool(dirty)}


def build_manifest(experiment: Experiment) -> dict[str, Any]:
    """Package versions, git revision, Python, platform, and the experiment's definition."""
    return {
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "experiment": experiment.name,
        "description": experiment.description,
        "model_version": model_version(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "packages": {p: _version(p) for p in PACKAGES},
        "git": git_revision(Path(__file__).resolve().parent),
        "definition": experiment.definition(),
        "sampler_seed": experiment.design.get("seed"),
        "base_seed": experiment.seed,
    }
