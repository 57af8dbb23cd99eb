"""What several commands share: the options of a resumable study, and the exit status and
message of an interrupted one."""

from __future__ import annotations

from collections.abc import Callable
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


def resumable_study[F: Callable[..., None]](command: F) -> F:
    """The EXPERIMENT argument and the --out, --workers and --scheduler options of a command
    that runs an experiment file on the sweep engine and resumes when run again."""
    for decorator in reversed((
        click.argument("experiment", type=click.Path(path_type=Path)),
        click.option("--out", type=click.Path(path_type=Path), default=None,
                     help="Results folder (default: runs/<experiment>). Re-run to resume."),
        click.option("--workers", type=click.IntRange(min=1), default=None,
                     help="Worker processes (default: all cores; 1 runs in this process)."),
        click.option("--scheduler", default=None, metavar="ADDRESS",
                     help="Dask scheduler address (tcp://host:8786), or 'local' for a local "
                          "Dask cluster."),
    )):
        command = decorator(command)
    return command


SET_HELP = ("Change a parameter as a scenario file would: section.key=value, e.g. "
            "information_sharing.legal_barrier=0.2 (repeatable; pppsim parameters lists them).")


def scenario_settings[F: Callable[..., None]](command: F) -> F:
    """The repeatable ``--set section.key=value`` option (validated like a scenario file)."""
    return click.option("--set", "settings", multiple=True, metavar="SECTION.KEY=VALUE",
                        help=SET_HELP)(command)


def language_option[F: Callable[..., None]](command: F) -> F:
    """The ``--lang`` option: the language of what the command writes for readers."""
    from ..i18n import LANGUAGE_VARIABLE, LANGUAGES

    return click.option("--lang", type=click.Choice(LANGUAGES), default=None,
                        envvar=LANGUAGE_VARIABLE,
                        help="Language of the report and summaries: en, nl (Nederlands) or "
                             "sv (svenska) (default: $PPPSIM_LANG, else en).")(command)
