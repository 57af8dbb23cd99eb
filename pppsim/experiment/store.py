"""The results store: a run ledger in one SQLite database (WAL mode) per sweep folder.

Why SQLite in WAL mode
----------------------
* Every finished run is committed in its own transaction the moment its result reaches the
  main process.  SQLite transactions are atomic, so a crash, Ctrl-C or SIGKILL leaves each run
  either fully recorded or absent: nothing half-written, and a resumed sweep redoes only the
  absent runs.  ``(point, replication)`` is the primary key, so nothing can be recorded twice.
* In WAL mode readers never block the writer: ``pppsim status`` or a notebook calling
  :func:`pppsim.load_results` can read a sweep while it runs.
* ``synchronous = NORMAL`` (the WAL recommendation) survives the death of the process; only a
  power cut may lose the last few commits, which the next run then simply redoes.
* One file instead of one file per run: no inode storms on shared cluster file systems, and
  memory stays flat because rows are streamed in and out, never held all at once.
* It ships with Python: no server, no dependency.

Only the main process writes (workers send back small metric dicts), and an exclusive folder
lock (:mod:`.lock`) refuses a second writing process, so there is never more than one writer.
Reading never writes: :meth:`ResultStore.open` opens the database read-only (``mode=ro``; on a
folder the user may only read, ``immutable=1``), so a colleague's results or a mounted archive
can be read as they are.

Every run row (and per-run table row) carries a checksum written in the same transaction, so a
damaged value is found instead of loaded: reading refuses a row whose checksum does not match,
and :meth:`ResultStore.verify` (``pppsim verify DIR``) checks the whole file and names the
damaged runs, which ``--repair`` drops so that a resume re-runs exactly those.

Per-run tables an experiment keeps (``tables``, e.g. ``partnerships``) go in ``run_tables``,
one row of column lists (JSON) per (run, table), committed with their run.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import describe_sqlite_error, show
from ..fileio import PARTIAL, atomic_file, prepare_folder
from .errors import ExperimentError, _digest
from .lock import FILES as LOCK_FILES
from .lock import FolderLock

if TYPE_CHECKING:
    from .experiment import Experiment
    from .runner import RunRecord, SweepStats

DATABASE = "runs.sqlite"
MANIFEST = "manifest.json"
EXPERIMENT_FILE = "experiment.toml"
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS points (
    point INTEGER PRIMARY KEY, label TEXT NOT NULL, params TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    point INTEGER NOT NULL, replication INTEGER NOT NULL, run_id TEXT NOT NULL,
    seed INTEGER NOT NULL, status TEXT NOT NULL CHECK (status IN ('done', 'failed')),
    metrics TEXT, series TEXT, error TEXT, traceback TEXT,
    seconds REAL NOT NULL, worker TEXT NOT NULL, finished REAL NOT NULL, checksum TEXT,
    undefined TEXT, numerics TEXT, PRIMARY KEY (point, replication));
CREATE INDEX IF NOT EXISTS runs_by_id ON runs (run_id);
CREATE TABLE IF NOT EXISTS run_tables (
    point INTEGER NOT NULL, replication INTEGER NOT NULL, name TEXT NOT NULL,
    columns TEXT NOT NULL, checksum TEXT, PRIMARY KEY (point, replication, name));
CREATE TABLE IF NOT EXISTS sessions (
    session INTEGER PRIMARY KEY, started REAL NOT NULL, finished REAL,
    executor TEXT NOT NULL, workers INTEGER NOT NULL, chunk_size INTEGER NOT NULL,
    runs_done INTEGER NOT NULL DEFAULT 0, runs_failed INTEGER NOT NULL DEFAULT 0,
    interrupted INTEGER NOT NULL DEFAULT 1);
"""
TABLES = ("meta", "points", "runs", "run_tables", "sessions")
RUN_COLUMNS = ("point", "replication", "run_id", "seed", "status", "metrics", "series", "error",
               "traceback", "seconds", "worker", "finished", "checksum", "undefined", "numerics")
"""``undefined``: the names of the run's metrics that are NaN (a JSON list), so that ``pppsim
status`` counts them without reading every run's metrics.  ``numerics``: the numerics
fingerprint of the process that made the run (:mod:`pppsim.numerics`); the finished runs of a
folder all have the same one (:meth:`ResultStore.commit`)."""
SHOWN_DIFFERENCES = 3
"""Differences named when a folder refuses a changed experiment."""


class StoreError(ExperimentError):
    """A results database cannot be read or written, or is damaged; the message is one line
    naming the database and what to do."""


def run_checksum(point: int, replication: int, run_id: str, seed: int, status: str,
                 metrics: str | None, series: str | None, error: str | None) -> str:
    """The checksum of one stored run: SHA-256 of its identity and stored results (as text)."""
    text = json.dumps([point, replication, run_id, seed, status, metrics, series, error])
    return hashlib.sha256(text.encode()).hexdigest()


def table_checksum(point: int, replication: int, name: str, columns: str) -> str:
    """The checksum of one stored per-run table."""
    return hashlib.sha256(json.dumps([point, replication, name, columns]).encode()).hexdigest()


def _guard(method: Callable[..., Any]) -> Callable[..., Any]:
    """SQLite errors inside a store method become one-line :class:`StoreError` naming the
    database and what to do (disk full, read-only, damaged: ``pppsim verify``)."""
    if inspect.isgeneratorfunction(method):
        @functools.wraps(method)
        def generator(self: ResultStore, *args: Any, **kwargs: Any) -> Iterator[Any]:
            try:
                yield from method(self, *args, **kwargs)
            except sqlite3.Error as exc:
                raise StoreError(describe_sqlite_error(exc, self.path)) from None
        return generator

    @functools.wraps(method)
    def wrapper(self: ResultStore, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            raise StoreError(describe_sqlite_error(exc, self.path)) from None
    return wrapper


def _connect_write(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None, timeout=30)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    return db


def _connect_read(path: Path) -> sqlite3.Connection:
    """A read-only connection (``mode=ro``): nothing in the folder is written.

    ``mode=ro`` reads a finished folder, and a sweep while it runs.  A ledger left in WAL mode
    (by an older pppsim, or a sweep that was killed) cannot be opened ``mode=ro`` in a folder
    the user may not write, because SQLite would have to create its WAL index there.  Without
    a WAL file holding runs, it is then opened ``immutable=1`` (no process can be writing a
    folder nobody may write); with one, reading it there would silently miss those runs, and
    the error says so.
    """
    uri = path.resolve().as_uri()
    db = sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None, timeout=30)
    try:
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError:
        db.close()
        if os.access(path.parent, os.W_OK) and os.access(path, os.W_OK):
            raise
        wal = Path(f"{path}-wal")
        if wal.exists() and wal.stat().st_size > 0:
            raise StoreError(
                f"{path}: the last runs of an interrupted sweep are still in {wal.name}, which "
                "cannot be read in a folder you may not write; copy the folder somewhere you "
                "may write and read the copy") from None
        db = sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None)
    return db


@dataclass(frozen=True)
class Counts:
    """How far a sweep is."""

    total: int
    done: int
    failed: int

    @property
    def remaining(self) -> int:
        return self.total - self.done - self.failed


@dataclass
class Verification:
    """What :meth:`ResultStore.verify` found (and, with ``repair``, did)."""

    folder: Path
    runs: int = 0
    """Stored runs checked."""
    problems: list[str] = field(default_factory=list)
    """Damage to the file or to the experiment's definition and design points."""
    damaged: list[tuple[int, int, str]] = field(default_factory=list)
    """(point, replication, what is wrong) of each damaged run."""
    unchecked: int = 0
    """Runs stored without a checksum (by a pppsim older than checksums)."""
    repaired: list[str] = field(default_factory=list)
    """What ``repair`` did."""
    unrepairable: list[str] = field(default_factory=list)
    """Damage ``repair`` cannot undo."""

    @property
    def ok(self) -> bool:
        return not self.problems and not self.damaged

    def lines(self) -> list[str]:
        """The report for the terminal."""
        checked = f"{self.runs} stored runs checked: " if self.runs else ""
        lines = [f"{self.folder}: {checked}"
                 + ("no damage found" if self.ok else
                    f"{len(self.damaged)} damaged runs, {len(self.problems)} other problems")]
        if self.unchecked:
            lines.append(f"  {self.unchecked} runs have no checksum (stored by an older "
                         "pppsim); only their format was checked")
        lines += [f"  problem: {p}" for p in self.problems]
        lines += [f"  damaged: point {p} replication {r}: {why}" for p, r, why in self.damaged]
        lines += [f"  repaired: {r}" for r in self.repaired]
        lines += [f"  cannot be repaired: {u}" for u in self.unrepairable]
        if not self.ok and not self.repaired and not self.unrepairable:
            lines.append(f"  run pppsim verify {self.folder} --repair to repair it: damaged "
                         "runs are dropped, and re-running the sweep makes exactly those again")
        return lines


class ResultStore:
    """The ledger of one sweep folder.

    Use :meth:`create` (new folder, or resume with the same experiment: takes the folder's
    write lock) or :meth:`open` (read an existing folder, read-only).  The Mesa 4 equivalent
    is a ``Store``.
    """

    def __init__(self, folder: Path, connection: sqlite3.Connection, *,
                 lock: FolderLock | None = None) -> None:
        self.folder = Path(folder)
        self.path = self.folder / DATABASE
        self.db = connection
        self.lock = lock
        self.session: int | None = None
        self._numerics: str | None = None
        """The numerics fingerprint of the folder's finished runs, once known."""

    # --- opening ---------------------------------------------------------------------------
    @classmethod
    def _connected(cls, folder: Path, connect: Callable[[Path], sqlite3.Connection],
                   lock: FolderLock | None = None) -> ResultStore:
        try:
            return cls(folder, connect(folder / DATABASE), lock=lock)
        except sqlite3.Error as exc:
            raise StoreError(describe_sqlite_error(exc, folder / DATABASE)) from None

    @classmethod
    def open(cls, folder: str | Path) -> ResultStore:
        """Open an existing results folder for reading (status, results, export).

        Reading never writes: the database is opened read-only, so this works on folders the
        user may only read, and while a sweep writes the folder.  The cheap checks of
        :meth:`check` run first.
        """
        folder = Path(folder)
        if not (folder / DATABASE).is_file():
            raise ExperimentError(f"{folder}: not a sweep results folder (no {DATABASE})")
        store = cls._connected(folder, _connect_read)
        try:
            store.check()
        except BaseException:
            store.close()
            raise
        return store

    @classmethod
    def create(cls, folder: str | Path, experiment: Experiment,
               manifest: dict[str, Any]) -> ResultStore:
        """Open ``folder`` for ``experiment``: a new ledger, or resume the same experiment.

        Takes the folder's write lock first (:mod:`.lock`) and holds it until :meth:`close`.

        Raises
        ------
        ExperimentError
            If the folder holds results of a different experiment (the message names each
            changed field with both values), another process writes to it, it is damaged
            (the message points to ``pppsim verify``), or it cannot be written.
        """
        folder = Path(folder)
        prepare_folder(folder)
        lock = FolderLock(folder).acquire()
        try:
            if not (folder / DATABASE).exists() and any(
                    p.name not in LOCK_FILES for p in folder.iterdir()):
                raise ExperimentError(f"{folder}: folder is not empty and holds no sweep; "
                                      "choose another --out")
            store = cls._connected(folder, _connect_write, lock)
        except BaseException:
            lock.release()
            raise
        try:
            store._prepare(experiment, manifest)
        except BaseException:
            store.close()
            raise
        return store

    @_guard
    def _prepare(self, experiment: Experiment, manifest: dict[str, Any]) -> None:
        self.db.executescript(f"BEGIN IMMEDIATE; {SCHEMA} COMMIT;")  # all tables or none
        self._add_columns()
        definition = experiment.definition()
        if self.meta("definition") is None and not self._has_design():
            with self.transaction():
                self._set_meta({"definition": definition, "name": experiment.name,
                                "description": experiment.description,
                                "experiment_file": experiment.source_text,
                                "manifest": manifest})
                self.db.executemany(
                    "INSERT INTO points VALUES (?, ?, ?)",
                    ((i, p.label, json.dumps(dict(p.params)))
                     for i, p in enumerate(experiment.points)))
        else:
            self.check(points=False)
            self._check_same(experiment, definition)
            self._restore_points(experiment)
        self._write_files()

    def _restore_points(self, experiment: Experiment) -> None:
        """Design points lost to damage come back from the (same) experiment."""
        stored = self.db.execute("SELECT count(*) FROM points").fetchone()[0]
        if stored == experiment.n_points:
            return
        with self.transaction():
            self.db.executemany(
                "INSERT OR REPLACE INTO points VALUES (?, ?, ?)",
                ((i, p.label, json.dumps(dict(p.params)))
                 for i, p in enumerate(experiment.points)))

    def _write_files(self) -> None:
        """manifest.json and experiment.toml beside the ledger (again, if one was lost)."""
        files = {MANIFEST: json.dumps(self.meta("manifest"), indent=2, default=str) + "\n",
                 EXPERIMENT_FILE: self.meta("experiment_file") or ""}
        for name, text in files.items():
            if text and not (self.folder / name).is_file():
                with atomic_file(self.folder / name, "--out") as tmp:
                    tmp.write_text(text)

    def _add_columns(self) -> None:
        """Ledgers made before checksums get the column (their old rows stay unchecked),
        those made before the list of undefined metrics get that (their old rows have none,
        and ``pppsim status`` then counts from the metrics), and those made before runs
        recorded their numerics get that (their old runs' numerics are unknown)."""
        for table, column in (("runs", "checksum"), ("run_tables", "checksum"),
                              ("runs", "undefined"), ("runs", "numerics")):
            if column not in self._columns(table):
                self.db.execute(f"ALTER TABLE {table} ADD COLUMN {column} TEXT")

    def _has_design(self) -> bool:
        return bool(self.db.execute("SELECT EXISTS (SELECT 1 FROM points) OR "
                                    "EXISTS (SELECT 1 FROM runs)").fetchone()[0])

    def _damaged(self, what: str) -> StoreError:
        return StoreError(f"{self.path}: is damaged: {what}; run pppsim verify {self.folder}")

    @_guard
    def check(self, *, points: bool = True) -> None:
        """The cheap checks (no checksums): tables, definition, design points (unless
        ``points`` is false), run indices.

        Raises
        ------
        StoreError
            If something is damaged; the message points to ``pppsim verify``.
        """
        tables = {row[0] for row in self.db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        missing = [t for t in TABLES if t not in tables]
        if missing:
            if "meta" not in tables or self.meta("definition") is None:
                raise ExperimentError(f"{self.folder}: the sweep was interrupted before it "
                                      "started; run pppsim sweep again")
            raise self._damaged(f"table '{missing[0]}' is missing")
        definition = self._definition()
        if definition is None:
            if self._has_design():
                raise self._damaged("the experiment's definition is missing")
            raise ExperimentError(f"{self.folder}: the sweep was interrupted before it "
                                  "started; run pppsim sweep again")
        stored = self.db.execute("SELECT count(*) FROM points").fetchone()[0]
        if points and stored != definition["n_points"]:
            raise self._damaged(f"{stored} design points are stored, the experiment has "
                                f"{definition['n_points']} (running the same sweep again "
                                "restores them)")
        outside = self.db.execute(
            "SELECT count(*) FROM runs WHERE point < 0 OR point >= ? OR replication < 0 OR "
            "replication >= ?", (definition["n_points"], definition["replications"])
        ).fetchone()[0]
        if outside:
            raise self._damaged(f"{outside} stored runs lie outside the design")

    def _definition(self) -> dict[str, Any] | None:
        try:
            definition = self.meta("definition")
        except ValueError:
            raise self._damaged("the experiment's definition is not readable") from None
        if definition is None:
            return None
        if not (isinstance(definition, dict)
                and isinstance(definition.get("n_points"), int)
                and isinstance(definition.get("replications"), int)):
            raise self._damaged("the experiment's definition is not readable")
        return definition

    def _check_same(self, experiment: Experiment, definition: dict[str, Any]) -> None:
        stored = self.meta("definition")
        definition = json.loads(json.dumps(definition, default=str))
        if _canonical(stored) == _canonical(definition):
            return
        changes = [f"{where}: {old} -> {new}"
                   for where, old, new in _differences(stored, definition)
                   if where not in ("points", "varied")]
        if not changes and stored.get("n_points") == definition.get("n_points"):
            changes += self._point_changes(experiment)
        if not changes:
            changes = ["the design points differ"]
        shown = "; ".join(changes[:SHOWN_DIFFERENCES])
        more = len(changes) - SHOWN_DIFFERENCES
        raise ExperimentError(
            f"{self.folder}: holds results of a different experiment than "
            f"'{experiment.name}' ({shown}{f'; and {more} more' if more > 0 else ''}); use a "
            "new --out folder, or restore the original experiment")

    def _point_changes(self, experiment: Experiment) -> list[str]:
        """The first parameter that differs between the stored and the new design points."""
        differing, first = 0, None
        for (point, label, params), new in zip(self.points(), experiment.points, strict=False):
            changed = [k for k in {**params, **new.params}
                       if json.dumps(params.get(k)) != json.dumps(new.params.get(k))]
            if label != new.label:
                changed.insert(0, "label")
            if changed:
                differing += 1
                if first is None:
                    name = changed[0]
                    old = label if name == "label" else params.get(name, "(absent)")
                    value = new.label if name == "label" else new.params.get(name, "(absent)")
                    first = (f"{name} at point {point}: {_shown(old)} -> {_shown(value)}"
                             + (f", and {len(changed) - 1} more parameters"
                                if len(changed) > 1 else ""))
        if first is None:
            return []
        if differing > 1:
            first += f" ({differing} of {experiment.n_points} points differ)"
        return [first]

    def close(self) -> None:
        """Close the ledger; a writer leaves it in rollback-journal mode (no ``-wal`` and
        ``-shm`` files), so that reading a finished folder writes nothing at all."""
        if self.lock is not None:
            with suppress(sqlite3.Error):
                self.db.execute("PRAGMA busy_timeout = 200")  # a reader may hold it: skip
                self.db.execute("PRAGMA journal_mode = DELETE")
        with suppress(sqlite3.Error):
            self.db.close()
        if self.lock is not None:
            self.lock.release()
            self.lock = None

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- writing ---------------------------------------------------------------------------
    @contextmanager
    @_guard
    def transaction(self) -> Iterator[None]:
        """``with store.transaction():`` BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on error."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            with suppress(sqlite3.Error):
                self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def _set_meta(self, values: dict[str, Any]) -> None:
        self.db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                            ((k, json.dumps(v, default=str)) for k, v in values.items()))

    @_guard
    def numerics(self) -> str | None:
        """The numerics fingerprint of the folder's finished runs (None before the first, or
        in a folder made before runs recorded it)."""
        if self._numerics is None:
            if "numerics" not in self._columns("runs"):
                return None
            row = self.db.execute("SELECT numerics FROM runs WHERE status = 'done' AND "
                                  "numerics IS NOT NULL LIMIT 1").fetchone()
            self._numerics = row[0] if row else None
        return self._numerics

    def _check_numerics(self, record: RunRecord) -> None:
        """Refuse a run made with other numerics than the folder's finished runs."""
        known = self.numerics()
        if known is None:
            self._numerics = record.numerics
        elif record.numerics != known:
            raise ExperimentError(
                f"{self.folder}: run {record.point}/{record.replication} was made on "
                f"{record.worker} with numerics {record.numerics}, the folder's runs with "
                f"{known}: the same seed gives results that differ between the two in the "
                "last bits (docs/sweeps.md §5); finish the sweep on machines of the kind that "
                "started it, or use a new --out folder; finished runs are saved")

    @_guard
    def commit(self, record: RunRecord) -> None:
        """Record one finished (or failed) run atomically, with its checksum; a retried run
        replaces its failure.  The session's counts move in the same transaction, so a
        killed session still shows the runs it committed.

        Raises
        ------
        ExperimentError
            If the run finished with other numerics than the folder's finished runs
            (:meth:`numerics`): for the same seed it would not give the results a run made
            like them gives (docs/sweeps.md §5).  Nothing of it is written.
        """
        status = "failed" if record.error else "done"
        if status == "done" and record.numerics is not None:
            self._check_numerics(record)
        metrics = json.dumps(record.metrics) if record.metrics is not None else None
        undefined = json.dumps([name for name, value in record.metrics.items()
                                if value != value]) if record.metrics is not None else None
        series = json.dumps(record.series) if record.series is not None else None
        checksum = run_checksum(record.point, record.replication, record.run_id, record.seed,
                                status, metrics, series, record.error)
        with self.transaction():
            self.db.execute(
                f"INSERT OR REPLACE INTO runs ({', '.join(RUN_COLUMNS)}) "
                f"VALUES ({', '.join('?' for _ in RUN_COLUMNS)})",
                (record.point, record.replication, record.run_id, record.seed, status, metrics,
                 series, record.error, record.traceback, record.seconds, record.worker,
                 time.time(), checksum, undefined, record.numerics))
            if record.tables:
                rows = [(record.point, record.replication, name, json.dumps(columns))
                        for name, columns in record.tables.items()]
                self.db.executemany(
                    "INSERT OR REPLACE INTO run_tables (point, replication, name, columns, "
                    "checksum) VALUES (?, ?, ?, ?, ?)",
                    ((*row, table_checksum(*row)) for row in rows))
            if self.session is not None:
                failed = int(status == "failed")
                self.db.execute(
                    "UPDATE sessions SET runs_done = runs_done + ?, "
                    "runs_failed = runs_failed + ? WHERE session = ?",
                    (1 - failed, failed, self.session))

    @_guard
    def start_session(self, executor: str, workers: int) -> int:
        """Log the start of one sweep invocation; returns its id."""
        with self.transaction():
            cursor = self.db.execute(
                "INSERT INTO sessions (started, executor, workers, chunk_size) "
                "VALUES (?, ?, ?, 0)", (time.time(), executor, workers))
        self.session = int(cursor.lastrowid)
        return self.session

    @_guard
    def end_session(self, session: int, stats: SweepStats) -> None:
        """Log what a sweep invocation did."""
        with self.transaction():
            self.db.execute(
                "UPDATE sessions SET finished = ?, chunk_size = ?, runs_done = ?, "
                "runs_failed = ?, interrupted = ? WHERE session = ?",
                (time.time(), stats.chunk_size, stats.done, stats.failed,
                 int(stats.interrupted), session))
        if self.session == session:
            self.session = None

    # --- reading ---------------------------------------------------------------------------
    @_guard
    def meta(self, key: str) -> Any:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    @_guard
    def counts(self) -> Counts:
        rows = dict(self.db.execute("SELECT status, count(*) FROM runs GROUP BY status"))
        definition = self.meta("definition")
        return Counts(definition["n_points"] * definition["replications"],
                      rows.get("done", 0), rows.get("failed", 0))

    @_guard
    def undefined_counts(self) -> tuple[int, dict[str, int]] | None:
        """Finished runs, and per metric the number of them in which it is undefined (NaN);
        None for a ledger with runs recorded before it kept that (count from the metrics)."""
        columns = {row[1] for row in self.db.execute("PRAGMA table_info(runs)")}
        if "undefined" not in columns:
            return None
        runs, counts = 0, {}
        for names, n in self.db.execute("SELECT undefined, count(*) FROM runs "
                                        "WHERE status = 'done' GROUP BY undefined"):
            if names is None:
                return None
            try:
                undefined = json.loads(names)
            except ValueError:
                raise self._damaged("a run's list of undefined metrics is not readable") \
                    from None
            runs += n
            for name in undefined:
                counts[name] = counts.get(name, 0) + n
        return runs, counts

    @_guard
    def finished(self, first_point: int, end_point: int) -> dict[tuple[int, int], str]:
        """Status of the recorded runs of points ``first_point <= point < end_point``."""
        rows = self.db.execute(
            "SELECT point, replication, status FROM runs WHERE point >= ? AND point < ?",
            (first_point, end_point))
        return {(p, r): status for p, r, status in rows}

    @_guard
    def points(self) -> Iterator[tuple[int, str, dict[str, Any]]]:
        for point, label, params in self.db.execute(
                "SELECT point, label, params FROM points ORDER BY point"):
            try:
                yield point, label, json.loads(params)
            except ValueError:
                raise self._damaged(f"design point {point} is not readable") from None

    @_guard
    def rows(self, statuses: Iterable[str] = ("done",), columns: str = "metrics"
             ) -> Iterator[tuple[Any, ...]]:
        """Stream (point, replication, run_id, seed, status, <columns>) in point order.

        Every row's checksum is checked: a damaged row raises :class:`StoreError` naming it
        (never a silently wrong value).
        """
        statuses = tuple(statuses)
        marks = ", ".join("?" for _ in statuses)
        cursor = self.db.execute(
            "SELECT point, replication, run_id, seed, status, metrics, series, error, "
            f"{self._checksum('runs')}, {columns} FROM runs WHERE status IN ({marks}) "
            "ORDER BY point, replication", statuses)
        for row in cursor:
            checksum = row[8]
            if checksum is not None and checksum != run_checksum(*row[:8]):
                raise self._damaged_run(row[0], row[1])
            yield (*row[:5], *row[9:])

    def _checksum(self, table: str, prefix: str = "") -> str:
        """The checksum column of ``table`` (NULL in ledgers made before checksums)."""
        return self.column_or_null(table, "checksum", prefix)

    def column_or_null(self, table: str, column: str, prefix: str = "") -> str:
        """``column`` of ``table`` in a query, or NULL in a ledger made before it (read, not
        written, so :meth:`_add_columns` never added it)."""
        return f"{prefix}{column}" if column in self._columns(table) else "NULL"

    def _columns(self, table: str) -> set[str]:
        """The names of the columns ``table`` has in this ledger."""
        return {row[1] for row in self.db.execute(f"PRAGMA table_info({table})")}

    def _damaged_run(self, point: int, replication: int) -> StoreError:
        return StoreError(
            f"{self.path}: the stored results of point {point}, replication {replication} are "
            f"damaged (their checksum does not match); run pppsim verify {self.folder} "
            "--repair, then run the sweep again to re-run them")

    @_guard
    def table_rows(self, name: str) -> Iterator[tuple[int, int, int, str]]:
        """Stream (point, replication, seed, columns as JSON) of one per-run table, in point
        order, for finished runs; checksums are checked as in :meth:`rows`."""
        for point, replication, seed, columns, checksum in self.db.execute(
                "SELECT t.point, t.replication, r.seed, t.columns, "
                f"{self._checksum('run_tables', 't.')} FROM run_tables t "
                "JOIN runs r USING (point, replication) WHERE t.name = ? AND r.status = 'done' "
                "ORDER BY t.point, t.replication", (name,)):
            if checksum is not None and checksum != table_checksum(point, replication, name,
                                                                   columns):
                raise self._damaged_run(point, replication)
            yield point, replication, seed, columns

    @_guard
    def failures(self, limit: int | None = None) -> list[tuple[int, int, int, str]]:
        """(point, replication, seed, error) of failed runs."""
        query = ("SELECT point, replication, seed, error FROM runs WHERE status = 'failed' "
                 "ORDER BY point, replication")
        return list(self.db.execute(query + (f" LIMIT {int(limit)}" if limit else "")))

    @_guard
    def sessions(self) -> list[dict[str, Any]]:
        cursor = self.db.execute("SELECT * FROM sessions ORDER BY session")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor]

    # --- verifying and repairing -----------------------------------------------------------
    @classmethod
    def verify(cls, folder: str | Path, *, repair: bool = False) -> Verification:
        """Check a results folder thoroughly (``pppsim verify``), and optionally repair it.

        Checks the SQLite file (``PRAGMA integrity_check``), the experiment's definition, the
        design points against the definition's digest, and every stored run and per-run
        table against its checksum.  ``repair`` (under the folder's write lock) rebuilds a
        damaged file from its readable rows (keeping the damaged file beside it), restores a
        lost definition from ``manifest.json`` when the design points match it, and drops
        the damaged runs, so that re-running the sweep makes exactly those again.  Without
        ``repair`` nothing is written.
        """
        folder = Path(folder)
        if not (folder / DATABASE).is_file():
            raise ExperimentError(f"{folder}: not a sweep results folder (no {DATABASE})")
        if not repair:
            with cls._connected(folder, _connect_read) as store:
                return store._verify(repair=False)
        prepare_folder(folder, hint="--repair writes to it: copy the folder somewhere you may "
                                    "write, and repair the copy")
        lock = FolderLock(folder).acquire()
        try:
            store = cls._connected(folder, lambda p: sqlite3.connect(
                p, isolation_level=None, timeout=30), lock)
        except BaseException:
            lock.release()
            raise
        with store:
            return store._verify(repair=True)

    @_guard
    def _verify(self, *, repair: bool) -> Verification:
        report = Verification(self.folder)
        damage = self._integrity()
        if damage:
            report.problems.append(f"the database file is damaged ({damage})")
            if not repair:
                return report
            kept, lost = self._salvage()
            report.repaired.append(
                f"rebuilt the database from its readable rows ({kept} runs kept, {lost} "
                "unreadable runs dropped; the damaged file is kept beside it as "
                f"{DATABASE}.damaged-*)")
            if self._integrity():
                report.unrepairable.append("the rebuilt database is still damaged; run the "
                                           "sweep into a new --out folder")
                return report
        tables = {row[0] for row in self.db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        missing = [t for t in TABLES if t not in tables]
        if missing:
            if "meta" not in tables or self.meta("definition") is None:
                report.problems.append("the sweep was interrupted before it started")
                report.unrepairable.append("nothing is stored yet: run pppsim sweep again")
                return report
            report.problems.append(f"tables missing: {', '.join(missing)}")
            report.unrepairable.append("the ledger's tables are lost; run the sweep into a new "
                                       "--out folder")
            return report
        definition = self._check_definition(report, repair)
        self._check_runs(report, definition)
        if repair and report.damaged and definition is not None:
            self._drop(report.damaged)
            report.repaired.append(
                f"dropped {len(report.damaged)} damaged runs; run the same sweep again to "
                "re-run exactly those")
        return report

    def _integrity(self) -> str:
        """'' if ``PRAGMA integrity_check`` passes, else its first complaint."""
        try:
            messages = [row[0] for row in self.db.execute("PRAGMA integrity_check(20)")]
        except sqlite3.DatabaseError as exc:
            if "not a database" in str(exc):
                raise StoreError(
                    f"{self.path}: is not an SQLite database at all ({exc}); nothing can be "
                    "recovered from it: run the sweep into a new --out folder") from None
            return " ".join(str(exc).split())
        if messages == ["ok"]:
            return ""
        return " ".join(messages[0].split()) + (f" and {len(messages) - 1} more"
                                                if len(messages) > 1 else "")

    def _check_definition(self, report: Verification, repair: bool) -> dict[str, Any] | None:
        """The definition, checked against the design points (restored when repairing)."""
        try:
            definition = self._definition()
        except StoreError:
            report.problems.append("the experiment's definition is not readable")
            definition = None
        points = [(point, label, params) for point, label, params in self._raw_points()]
        digest = _digest([[params, label] for _, label, params in points])
        if definition is None:
            if not points:
                report.problems.append("the ledger holds no experiment")
                report.unrepairable.append("run pppsim sweep again to start it")
                return None
            report.problems.append("the experiment's definition is missing")
            restored = self._restorable_definition(len(points), digest)
            if not repair:
                return None
            if restored is None:
                report.unrepairable.append(
                    f"{MANIFEST} holds no definition that matches the stored design points; "
                    "run the sweep into a new --out folder")
                return None
            with self.transaction():
                self._set_meta({"definition": restored})
            report.repaired.append(f"restored the experiment's definition from {MANIFEST}")
            definition = restored
        if len(points) != definition["n_points"] or digest != definition.get("points"):
            report.problems.append(
                f"the stored design points ({len(points)} of {definition['n_points']}) are "
                "incomplete or changed")
            if repair:
                with self.transaction():
                    self.db.execute("DELETE FROM points")
                report.repaired.append("cleared the design points; running the same sweep "
                                       "again restores them from its experiment")
        return definition

    def _raw_points(self) -> Iterator[tuple[int, str, Any]]:
        for point, label, params in self.db.execute(
                "SELECT point, label, params FROM points ORDER BY point"):
            try:
                yield point, label, json.loads(params)
            except ValueError:
                yield point, label, params

    def _restorable_definition(self, n_points: int, digest: str) -> dict[str, Any] | None:
        try:
            manifest = json.loads((self.folder / MANIFEST).read_text())
        except (OSError, ValueError):
            manifest = None
        if manifest is None:
            with suppress(ValueError, sqlite3.Error):
                manifest = self.meta("manifest")
        definition = manifest.get("definition") if isinstance(manifest, dict) else None
        if (isinstance(definition, dict) and definition.get("n_points") == n_points
                and definition.get("points") == digest
                and isinstance(definition.get("replications"), int)):
            return definition
        return None

    def _check_runs(self, report: Verification, definition: dict[str, Any] | None) -> None:
        """Check every run and per-run table (their place in the design only when the
        definition is known)."""
        inf = float("inf")
        n_points, replications = ((definition["n_points"], definition["replications"])
                                  if definition else (inf, inf))
        runs: set[tuple[int, int]] = set()
        for row in self.db.execute(
                "SELECT point, replication, run_id, seed, status, metrics, series, error, "
                f"{self._checksum('runs')} FROM runs ORDER BY point, replication"):
            point, replication, *_, status, metrics, series, _error, checksum = row
            report.runs += 1
            runs.add((point, replication))
            why = None
            if checksum is None:
                report.unchecked += 1
            elif checksum != run_checksum(*row[:8]):
                why = "its checksum does not match (a stored value was changed)"
            if why is None and not (0 <= point < n_points and 0 <= replication < replications):
                why = "it lies outside the design"
            if why is None:
                why = _format_problem(status, metrics, series)
            if why:
                report.damaged.append((point, replication, why))
        damaged = {(p, r) for p, r, _ in report.damaged}
        for point, replication, name, columns, checksum in self.db.execute(
                "SELECT point, replication, name, columns, "
                f"{self._checksum('run_tables')} FROM run_tables "
                "ORDER BY point, replication"):
            if (point, replication) in damaged:
                continue
            why = None
            if (point, replication) not in runs:
                why = f"its '{name}' table has no run"
            elif checksum is not None and checksum != table_checksum(point, replication, name,
                                                                     columns):
                why = f"its '{name}' table's checksum does not match"
            if why:
                report.damaged.append((point, replication, why))
                damaged.add((point, replication))

    def _drop(self, damaged: list[tuple[int, int, str]]) -> None:
        keys = [(p, r) for p, r, _ in damaged]
        with self.transaction():
            self.db.executemany("DELETE FROM runs WHERE point = ? AND replication = ?", keys)
            self.db.executemany("DELETE FROM run_tables WHERE point = ? AND replication = ?",
                                keys)

    def _salvage(self) -> tuple[int, int]:
        """Copy every readable row into a fresh database and put it in place of the damaged
        file (kept as ``runs.sqlite.damaged-<time>``); returns (runs kept, runs lost)."""
        tmp = self.folder / f".{DATABASE}{PARTIAL}{os.getpid()}"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{tmp}{suffix}").unlink(missing_ok=True)
        new = _connect_write(tmp)
        new.executescript(SCHEMA)
        kept = lost = 0
        for table in TABLES:
            try:
                columns = [row[1] for row in self.db.execute(f"PRAGMA table_info({table})")]
                last = self.db.execute(f"SELECT max(rowid) FROM {table}").fetchone()[0] or 0
            except sqlite3.DatabaseError:
                continue
            names = ", ".join(columns)
            insert = (f"INSERT OR REPLACE INTO {table} ({names}) "
                      f"VALUES ({', '.join('?' for _ in columns)})")
            new.execute("BEGIN")
            for rowid in range(1, last + 1):
                try:
                    row = self.db.execute(f"SELECT {names} FROM {table} WHERE rowid = ?",
                                          (rowid,)).fetchone()
                except sqlite3.DatabaseError:
                    lost += table == "runs"
                    continue
                if row is not None:
                    new.execute(insert, row)
                    kept += table == "runs"
            new.execute("COMMIT")
        new.close()
        self.db.close()
        backup = self.folder / f"{DATABASE}.damaged-{time.strftime('%Y%m%d-%H%M%S')}"
        os.replace(self.path, backup)
        for suffix in ("-wal", "-shm"):
            old = Path(f"{self.path}{suffix}")
            if old.exists():
                os.replace(old, f"{backup}{suffix}")
        os.replace(tmp, self.path)
        self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        return kept, lost


def _format_problem(status: str, metrics: str | None, series: str | None) -> str | None:
    """Why a stored run is not readable, or None."""
    if status not in ("done", "failed"):
        return f"status {show(status)} is neither done nor failed"
    for name, text in (("metrics", metrics), ("series", series)):
        if text is None:
            if name == "metrics" and status == "done":
                return "a finished run without metrics"
            continue
        try:
            value = json.loads(text)
        except ValueError:
            return f"its {name} are not readable"
        if not isinstance(value, dict):
            return f"its {name} are not a table of values"
    return None


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


FIELD_NAMES = {"model_version": "model version (the model changed since these runs)",
               "design.kind": "[design] kind"}


def _where(path: list[str]) -> str:
    """A definition path in the words of the experiment file."""
    text = ".".join(path).replace(".[", "[")
    if path[:2] == ["design", "factors"] and len(path) > 2:
        rest = ".".join(path[3:]).replace(".[", "[")
        return f"[vary] {path[2]}" + (f" {rest}" if rest else "")
    if path and path[0] == "design" and len(path) == 2:
        return FIELD_NAMES.get(text, f"[design] {path[1]}")
    return FIELD_NAMES.get(text, text)


def _differences(old: Any, new: Any, path: list[str] | None = None
                 ) -> Iterator[tuple[str, str, str]]:
    """(where, old value, new value) of each differing leaf of two definitions."""
    path = path or []
    if isinstance(old, dict) and isinstance(new, dict):
        for key in [*old, *(k for k in new if k not in old)]:
            if key not in new:
                yield _where([*path, key]), _shown(old[key]), "(absent)"
            elif key not in old:
                yield _where([*path, key]), "(absent)", _shown(new[key])
            else:
                yield from _differences(old[key], new[key], [*path, key])
    elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for i, (a, b) in enumerate(zip(old, new, strict=True)):
            yield from _differences(a, b, [*path, f"[{i}]"])
    elif _canonical(old) != _canonical(new):
        yield _where(path), _shown(old), _shown(new)


def _shown(value: Any) -> str:
    """A value in an error message: JSON-like (so 1 and 1.0 differ), elided when long."""
    if isinstance(value, str):
        return show(value)
    text = json.dumps(value, default=str)
    return text if len(text) <= 60 else show(value)
