"""One line for every error a user can cause or fix: bad input and faults of the system.

Everything the command line reports goes through :func:`one_line`: a :class:`PppsimError`
(bad input: a scenario, experiment or comparison file, an argument, a results folder), an
``OSError`` (missing file, unwritable or read-only folder, full disk, a folder where a file is
expected), an SQLite error that escaped the results store, a ``RecursionError`` (a file nested
too deeply) or a ``MemoryError``.  Each becomes one line naming the path and what to do, with
exit status 2.  Anything else is a bug in pppsim and keeps its traceback.
"""

from __future__ import annotations

import errno
import reprlib
import sqlite3
from typing import Any

EXIT_BAD_INPUT = 2
MAX_MESSAGE = 2000
"""Characters of an error line at most (a hostile input must not make a huge message)."""


class PppsimError(ValueError):
    """Bad input or a fault the user can fix; the message is one line (exit status 2).

    Whitespace in the message (a newline in a quoted name) is folded into single spaces, so
    the message is one line wherever it is shown.
    """

    def __init__(self, message: object = "") -> None:
        super().__init__(" ".join(str(message).split()))


class ScenarioError(PppsimError):
    """A scenario (or experiment) file is missing or wrong; the message is one line."""


class OutputError(PppsimError):
    """An output file or folder cannot be written; the message names it and what to do."""


_REPR = reprlib.Repr(maxstring=80, maxother=80, maxlist=8, maxdict=8, maxlevel=3)


def show(value: Any) -> str:
    """A short ``repr`` of a value for an error message (long strings and lists elided;
    booleans as TOML writes them)."""
    if isinstance(value, bool):
        return str(value).lower()
    return _REPR.repr(value)


OS_REASONS: dict[int, str] = {
    errno.ENOSPC: "no space left on the device: free some space and run the same command "
                  "again",
    errno.EDQUOT: "disk quota exceeded: free some space and run the same command again",
    errno.EFBIG: "file too large for this file system (or the file size limit): write to "
                 "another disk",
    errno.EACCES: "permission denied: choose a file or folder you may use, or change its "
                  "permissions",
    errno.EPERM: "operation not permitted: choose a file or folder you may use",
    errno.EROFS: "the file system is read-only: choose a folder on a writable disk",
    errno.ENOTDIR: "a part of this path is a file, not a folder: choose another path",
    errno.EISDIR: "is a folder, but a file is expected here: choose a file name",
    errno.ENOENT: "no such file or folder",
    errno.EEXIST: "already exists: choose another name",
    errno.ENAMETOOLONG: "the name is too long for the file system",
    errno.ENOTEMPTY: "the folder is not empty: choose another folder",
    errno.EIO: "input/output error: the disk or network file system failed; check it and run "
               "the same command again",
    errno.ELOOP: "too many symbolic links",
    errno.EMFILE: "too many open files: raise the limit (ulimit -n) and run again",
    errno.ENXIO: "no such device",
    errno.ETXTBSY: "the file is busy",
}


def describe_os_error(exc: OSError) -> str:
    """``<path>: <reason and what to do>`` for an ``OSError``."""
    reason = OS_REASONS.get(exc.errno or -1) or (exc.strerror or str(exc) or type(exc).__name__)
    paths = [str(p) for p in (exc.filename, exc.filename2) if p not in (None, "")]
    return f"{' -> '.join(paths)}: {reason}" if paths else reason


def describe_sqlite_error(exc: sqlite3.Error, database: object = "results database") -> str:
    """One line for an SQLite error of a results database: what broke and what to do."""
    text = " ".join(str(exc).split())
    lower = text.lower()
    folder = getattr(database, "parent", None)
    verify = f"pppsim verify {folder}" if folder is not None else "pppsim verify FOLDER"
    if "full" in lower:
        return (f"{database}: the disk is full ({text}); free some space and run the same "
                "command again (finished runs are kept)")
    if "readonly" in lower or "read-only" in lower:
        return (f"{database}: cannot be written ({text}); the folder or file is read-only: "
                "choose another --out, or reading commands only")
    if "unable to open" in lower:
        return (f"{database}: cannot be opened ({text}); check that the folder exists and "
                "that you may read it")
    if "locked" in lower or "busy" in lower:
        return (f"{database}: is busy ({text}); another pppsim is writing it: wait for it, "
                "or stop it")
    if "i/o error" in lower:
        return (f"{database}: the disk failed ({text}); check the disk (full? unplugged?) "
                f"and run the same command again; then {verify}")
    if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
        return f"{database}: is damaged ({text}); run {verify}"
    return f"{database}: {text}; run {verify}"


def one_line(exc: BaseException) -> str | None:
    """The one-line message for an error a user can fix, or None for a bug (keep the
    traceback)."""
    if isinstance(exc, PppsimError):
        message = str(exc)
    elif isinstance(exc, OSError):
        message = describe_os_error(exc)
    elif isinstance(exc, sqlite3.Error):
        message = describe_sqlite_error(exc)
    elif isinstance(exc, RecursionError):
        message = "the input is nested too deeply to be read"
    elif isinstance(exc, MemoryError):
        message = "out of memory: the input or the design is too large for this machine"
    else:
        return None
    message = " ".join(message.split())
    if len(message) > MAX_MESSAGE:
        message = message[: MAX_MESSAGE - 3] + "..."
    return message
