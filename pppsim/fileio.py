"""Output files all or nothing: a failed command leaves no partial output that looks complete.

* :func:`atomic_file` writes one file through a temporary file next to it, renamed over the
  target only when it is complete (a full disk or Ctrl-C leaves the old file, or none).
* :func:`staged_folder` writes a set of files (a run's tables and figure, a report and its
  tables) into a hidden staging folder inside the output folder and moves them into place
  only when every one is written.

Both turn an ``OSError`` into an :class:`~pppsim.errors.OutputError` that names the output
(not the temporary name) and what to do.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from .errors import OutputError, describe_os_error

PARTIAL = ".partial-"
"""Part of the names of temporary files and folders: never a finished output."""


def _reason(exc: OSError) -> str:
    text = describe_os_error(exc)
    return text.split(": ", 1)[1] if exc.filename is not None and ": " in text else text


def prepare_folder(folder: Path, option: str = "--out", hint: str | None = None) -> bool:
    """Make sure ``folder`` is a folder we can write into; returns True if it was created.

    Raises
    ------
    OutputError
        If it exists and is not a folder (a file, ``/dev/null``), or cannot be created.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder}: exists and is not a folder; choose another {option}")
    created = not folder.exists()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{folder}: cannot create the folder: {_reason(exc)}") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"{folder}: cannot write into this folder (it is read-only, or you "
                          f"may not write it); {hint or f'choose another {option}'}")
    return created


@contextmanager
def atomic_file(path: str | Path, option: str = "--output") -> Iterator[Path]:
    """``with atomic_file(path) as tmp:`` write ``tmp``; it becomes ``path`` when complete.

    The target must be a regular file or absent (never a folder or a device such as
    ``/dev/null``); its folder is created if needed.
    """
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"{path}: is a folder, but a file is expected; choose a file name "
                          f"for {option}")
    if path.exists() and not path.is_file():
        raise OutputError(f"{path}: exists and is not a regular file; choose another "
                          f"{option}")
    prepare_folder(path.parent, option)
    tmp = path.with_name(f".{path.name}{PARTIAL}{os.getpid()}")
    try:
        yield tmp
        os.replace(tmp, path)
    except OSError as exc:
        _remove(tmp)
        raise OutputError(f"{path}: cannot be written: {_reason(exc)}") from None
    except BaseException:
        _remove(tmp)
        raise


@contextmanager
def staged_folder(out: str | Path, option: str = "--out") -> Iterator[Path]:
    """``with staged_folder(out) as stage:`` write files into ``stage``; they move into
    ``out`` (replacing files of the same names) only if the block finishes.

    On an error nothing in ``out`` changes, and an ``out`` this call created is removed again
    if it is still empty.
    """
    out = Path(out)
    created = prepare_folder(out, option)
    try:
        stage = Path(tempfile.mkdtemp(prefix=PARTIAL, dir=out))
    except OSError as exc:
        raise OutputError(f"{out}: cannot write into this folder: {_reason(exc)}") from None
    try:
        try:
            yield stage
            sources = sorted(stage.rglob("*"))
            for source in sources:
                target = out / source.relative_to(stage)
                if target.exists() and target.is_dir() != source.is_dir():
                    raise OutputError(
                        f"{target}: is in the way of the {'folder' if source.is_dir() else 'file'}"
                        f" pppsim writes here; move it away or choose another {option}")
            for source in sources:
                target = out / source.relative_to(stage)
                if source.is_dir():
                    target.mkdir(exist_ok=True)
                else:
                    os.replace(source, target)
        except OSError as exc:
            raise OutputError(f"{out}: cannot write the results: {_reason(exc)}") from None
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        if created:
            with suppress(OSError):
                out.rmdir()
        raise
    shutil.rmtree(stage, ignore_errors=True)


def _remove(path: Path) -> None:
    with suppress(OSError):
        path.unlink(missing_ok=True)


def write_csv_tables(owner: object, table_files: dict[str, str], folder: Path) -> list[Path]:
    """Write each table attribute of ``owner`` named in ``table_files`` (attribute -> file
    name) as CSV into ``folder``; returns the paths."""
    paths = []
    for attribute, file_name in table_files.items():
        path = Path(folder) / file_name
        getattr(owner, attribute).to_csv(path, index=False)
        paths.append(path)
    return paths
