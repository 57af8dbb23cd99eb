"""The ``pppsim`` command line: the group, the entry point and one module per command family.

==================  ===========================================================
module              commands
==================  ===========================================================
:mod:`.run`         ``run``, ``parameters``, ``scenarios``
:mod:`.sweep`       ``sweep``, ``status``, ``export``, ``verify``
:mod:`.sensitivity` ``sensitivity``, ``discover``
:mod:`.compare`     ``compare``
:mod:`.robustness`  ``robustness``
:mod:`.claims`      ``claims``, ``patterns``
:mod:`.teaching`    ``demo``, ``explain``, ``app``
==================  ===========================================================

Commands parse options and print; the work is done by the analysis modules they call, which
know nothing of click.  Each command imports those modules inside its function, so that
``pppsim --help`` stays fast.  Errors become one line in :func:`main` through
:func:`pppsim.errors.one_line`.
"""

from __future__ import annotations

import os
import sys

import click

from ..errors import EXIT_BAD_INPUT, one_line
from . import claims as _claims
from . import compare as _compare
from . import robustness as _robustness
from . import run as _run
from . import sensitivity as _sensitivity
from . import sweep as _sweep
from . import teaching as _teaching
from .common import EXIT_INTERRUPTED


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="pppsim")
def cli() -> None:
    """Simulate public-private partnerships for crime prevention."""


for _command in (_run.run, _run.parameters, _run.scenarios, _teaching.app, _teaching.explain,
                 _teaching.demo,
                 _sweep.sweep, _sweep.status, _sweep.verify, _sweep.export,
                 _sensitivity.sensitivity, _sensitivity.discover, _compare.compare,
                 _robustness.robustness, _claims.claims, _claims.patterns):
    cli.add_command(_command)

TRACEBACK_VARIABLE = "PPPSIM_TRACEBACK"
"""Set to 1 to get the full traceback of a reported error (for debugging pppsim)."""


def main(argv: list[str] | None = None) -> None:
    """Entry point: one-line errors and exit code 2 for bad input and faults of the system
    (:func:`pppsim.errors.one_line`), never a traceback; a bug in pppsim keeps its
    traceback."""
    try:
        cli.main(args=argv, prog_name="pppsim", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("pppsim: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except click.Abort:
        click.echo("pppsim: aborted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except click.ClickException as exc:
        message = " ".join(exc.format_message().split())
        click.echo(f"pppsim: error: {message}", err=True)
        sys.exit(EXIT_BAD_INPUT if isinstance(exc, click.UsageError) else exc.exit_code)
    except Exception as exc:
        message = one_line(exc)
        if message is None or os.environ.get(TRACEBACK_VARIABLE) == "1":
            raise
        click.echo(f"pppsim: error: {message}", err=True)
        sys.exit(EXIT_BAD_INPUT)


__all__ = ["TRACEBACK_VARIABLE", "cli", "main"]
