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
:mod:`.calibrate`   ``calibrate``
:mod:`.teaching`    ``demo``, ``explain``, ``cases``, ``app``
==================  ===========================================================

Commands parse options and print; the work is done by the analysis modules they call, which
know nothing of click.  Each command imports those modules inside its function, so that
``pppsim --help`` stays fast.  Errors become one line in :func:`main` through
:func:`pppsim.errors.one_line`.
"""

from __future__ import annotations

import os
import sys
from importlib import import_module

import click

from ..errors import EXIT_BAD_INPUT, one_line
from .common import EXIT_INTERRUPTED

COMMANDS = {
    "run": ".run", "parameters": ".run", "scenarios": ".run", "app": ".teaching",
    "explain": ".teaching", "demo": ".teaching", "cases": ".teaching", "sweep": ".sweep",
    "status": ".sweep", "verify": ".sweep", "export": ".sweep", "sensitivity": ".sensitivity",
    "discover": ".sensitivity", "compare": ".compare", "robustness": ".robustness",
    "claims": ".claims", "patterns": ".claims", "calibrate": ".calibrate",
}
"""Each command and the module of this package that defines it (a function of its name)."""


class LazyGroup(click.Group):
    """A click group that imports a command's module only when the command is used (or listed
    by ``--help``), so that ``pppsim --version`` and each command load no other command."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMANDS.get(cmd_name)
        if module is None:
            return None
        return getattr(import_module(module, __name__), cmd_name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="pppsim")
def cli() -> None:
    """Simulate public-private partnerships for crime prevention."""


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
