"""Build hook: ship the top-level ``scenarios/`` and ``experiments/`` folders in the wheel.

They stay at the top of the source checkout (where users edit them and the documentation
names them); a built wheel carries copies under ``pppsim/_data/`` so that an installed
``pppsim app`` or ``pppsim demo`` finds them from any folder (see ``pppsim/library.py``).
Everything else about the package is in ``pyproject.toml``.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SHIPPED = ("scenarios", "experiments")
"""Kept in step with ``pppsim.library.SHIPPED``."""
PATTERNS = ("*.toml", "posterior/*.csv", "posterior/*.json", "posterior/*.md")
"""What is copied: every TOML file, and the shipped calibration's posterior (its tables,
definition and summary; scenarios can draw from it)."""


class BuildWithData(build_py):
    """``build_py`` that also copies the shipped folders' TOML files and the shipped
    posterior into the package."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:  # an editable install reads the checkout's own folders
            return
        for folder in SHIPPED:
            for source in sorted({path for pattern in PATTERNS
                                  for path in Path(folder).rglob(pattern)}):
                target = Path(self.build_lib) / "pppsim" / "_data" / source
                self.mkpath(str(target.parent))
                self.copy_file(str(source), str(target))


setup(cmdclass={"build_py": BuildWithData})
