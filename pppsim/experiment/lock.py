"""One writer per results folder: an exclusive lock (filelock) naming the process that holds it.

``pppsim sweep`` (and ``compare``, ``sensitivity``, ``verify --repair``) take the lock of the
results folder before they open its ledger for writing and keep it until they finish.  A second
writer is refused with one line naming the holder's process id, host and start time, instead
of both silently running every run.  The lock is an operating-system lock on ``DIR/lock``
(``flock`` on Unix, ``LockFileEx`` on Windows, through `filelock`_): the system releases it when
its process ends in any way, SIGKILL and power cut included, so a stale lock never blocks a
resume.  ``DIR/lock.owner`` says who holds it; it is only information, never the lock itself.
Reading (``status``, ``export``, ``load_results``) takes no lock.

.. _filelock: https://py-filelock.readthedocs.io/
"""

from __future__ import annotations

import json
import os
import socket
import time
from contextlib import suppress
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from .errors import ExperimentError

LOCK = "lock"
OWNER = "lock.owner"
FILES = (LOCK, OWNER)
"""Names the lock leaves in a results folder (not results)."""


class FolderBusyError(ExperimentError):
    """Another process writes to this results folder."""


class FolderLock:
    """The exclusive write lock of one results folder (see the module docstring)."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self._lock = FileLock(self.folder / LOCK, timeout=0, is_singleton=False)

    def acquire(self) -> FolderLock:
        """Take the lock now or raise :class:`FolderBusyError` naming the holder."""
        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            raise FolderBusyError(f"{self.folder}: {self._holder()} is writing to this results "
                             "folder; wait for it to finish, or stop it and run the same "
                             "command again (nothing is lost)") from None
        owner = {"pid": os.getpid(), "host": socket.gethostname(),
                 "since": time.strftime("%Y-%m-%d %H:%M:%S")}
        with suppress(OSError):
            tmp = self.folder / f".{OWNER}.{os.getpid()}"
            tmp.write_text(json.dumps(owner) + "\n")
            os.replace(tmp, self.folder / OWNER)
        return self

    def release(self) -> None:
        if self._lock.is_locked:
            with suppress(OSError):
                (self.folder / OWNER).unlink(missing_ok=True)
            self._lock.release(force=True)

    def _holder(self) -> str:
        owner = read_owner(self.folder)
        if not owner:
            return "another process"
        return (f"another pppsim (process {owner.get('pid')} on {owner.get('host')}, since "
                f"{owner.get('since')})")

    def __enter__(self) -> FolderLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def read_owner(folder: Path) -> dict[str, Any] | None:
    """Who holds (or last held) the lock of ``folder``, if it says."""
    try:
        data = json.loads((Path(folder) / OWNER).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
