"""What several commands share: the exit status and message of an interrupted run."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import click

EXIT_INTERRUPTED = 130
"""Exit status after Ctrl-C (128 + SIGINT, as a shell reports it)."""


def interrupted(folder: Path) -> NoReturn:
    """Say where the finished runs of an interrupted (resumable) command are, and exit 130."""
    click.echo(f"pppsim: interrupted; finished runs are saved in {folder}/. "
               "Run the same command again to continue.", err=True)
    raise SystemExit(EXIT_INTERRUPTED) from None
