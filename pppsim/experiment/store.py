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

Only the main process writes (workers send back small metric dicts), so there is never more
than one writer.  Per-run tables an experiment keeps (``tables``, e.g. ``partnerships``) go in
``run_tables``, one row of column lists (JSON) per (run, table), committed with their run.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .experiment import Experiment, ExperimentError
from .runner import RunRecord, SweepStats

DATABASE = "runs.sqlite"
MANIFEST = "manifest.json"
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS points (
    point INTEGER PRIMARY KEY, label TEXT NOT NULL, params TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    point INTEGER NOT NULL, replication INTEGER NOT NULL, run_id TEXT NOT NULL,
    seed INTEGER NOT NULL, status TEXT NOT NULL CHECK (status IN ('done', 'failed')),
    metrics TEXT, series TEXT, error TEXT, traceback TEXT,
    seconds REAL NOT NULL, worker TEXT NOT NULL, finished REAL NOT NULL,
    PRIMARY KEY (point, replication));
CREATE INDEX IF NOT EXISTS runs_by_id ON runs (run_id);
CREATE TABLE IF NOT EXISTS run_tables (
    point INTEGER NOT NULL, replication INTEGER NOT NULL, name TEXT NOT NULL,
    columns TEXT NOT NULL, PRIMARY KEY (point, replication, name));
CREATE TABLE IF NOT EXISTS sessions (
    session INTEGER PRIMARY KEY, started REAL NOT NULL, finished REAL,
    executor TEXT NOT NULL, workers INTEGER NOT NULL, chunk_size INTEGER NOT NULL,
    runs_done INTEGER NOT NULL DEFAULT 0, runs_failed INTEGER NOT NULL DEFAULT 0,
    interrupted INTEGER NOT NULL DEFAULT 1);
"""


@dataclass(frozen=True)
class Counts:
    """How far a sweep is."""

    total: int
    done: int
    failed: int

    @property
    def remaining(self) -> int:
        return self.total - self.done - self.failed


class ResultStore:
    """The ledger of one sweep folder.

    Use :meth:`create` (new folder, or resume with the same experiment) or :meth:`open`
    (read an existing folder).  The Mesa 4 equivalent is a ``Store``.
    """

    def __init__(self, folder: Path, connection: sqlite3.Connection) -> None:
        self.folder = folder
        self.db = connection

    # --- opening ---------------------------------------------------------------------------
    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(path, isolation_level=None, timeout=30)
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        return db

    @classmethod
    def open(cls, folder: str | Path) -> ResultStore:
        """Open an existing results folder for reading (and status)."""
        folder = Path(folder)
        path = folder / DATABASE
        if not path.is_file():
            raise ExperimentError(f"{folder}: not a sweep results folder (no {DATABASE})")
        try:
            db = cls._connect(path)
            row = db.execute("SELECT value FROM meta WHERE key = 'definition'").fetchone()
        except sqlite3.DatabaseError as exc:
            raise ExperimentError(f"{path}: not a readable results database ({exc})") from None
        if row is None:
            db.close()
            raise ExperimentError(f"{folder}: the sweep was interrupted before it started; "
                                  "run pppsim sweep again")
        return cls(folder, db)

    @classmethod
    def create(cls, folder: str | Path, experiment: Experiment,
               manifest: dict[str, Any]) -> ResultStore:
        """Open ``folder`` for ``experiment``: a new ledger, or resume the same experiment.

        Raises
        ------
        ExperimentError
            If the folder holds results of a different experiment (the message names what
            changed).
        """
        folder = Path(folder)
        if folder.exists() and not folder.is_dir():
            raise ExperimentError(f"{folder}: exists and is not a folder")
        folder.mkdir(parents=True, exist_ok=True)
        if not (folder / DATABASE).exists() and any(folder.iterdir()):
            raise ExperimentError(f"{folder}: folder is not empty and holds no sweep; "
                                  "choose another --out")
        store = cls(folder, cls._connect(folder / DATABASE))
        store.db.executescript(SCHEMA)
        definition = experiment.definition()
        if store.meta("definition") is not None:
            store._check_same(experiment.name, definition)
            return store
        with store.transaction():
            store._set_meta({"definition": definition, "name": experiment.name,
                             "description": experiment.description,
                             "experiment_file": experiment.source_text,
                             "manifest": manifest})
            store.db.executemany(
                "INSERT INTO points VALUES (?, ?, ?)",
                ((i, p.label, json.dumps(dict(p.params)))
                 for i, p in enumerate(experiment.points)))
        (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, default=str) + "\n")
        if experiment.source_text:
            (folder / "experiment.toml").write_text(experiment.source_text)
        return store

    def _check_same(self, name: str, definition: dict[str, Any]) -> None:
        stored = self.meta("definition")
        definition = json.loads(json.dumps(definition, default=str))
        if stored == definition:
            return
        changed = [k for k in definition if stored.get(k) != definition[k]]
        details = "; ".join(f"{k}: {_short(stored.get(k))} -> {_short(definition[k])}"
                            for k in changed[:3])
        raise ExperimentError(
            f"{self.folder}: holds results of a different experiment than '{name}' "
            f"({details}); use a new --out folder, or restore the original experiment")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- writing ---------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """``with store.transaction():`` BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on error."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def _set_meta(self, values: dict[str, Any]) -> None:
        self.db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                            ((k, json.dumps(v, default=str)) for k, v in values.items()))

    def commit(self, record: RunRecord) -> None:
        """Record one finished (or failed) run atomically; a retried run replaces its failure."""
        with self.transaction():
            self.db.execute(
                "INSERT OR REPLACE INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (record.point, record.replication, record.run_id, record.seed,
                 "failed" if record.error else "done",
                 json.dumps(record.metrics) if record.metrics is not None else None,
                 json.dumps(record.series) if record.series is not None else None,
                 record.error, record.traceback, record.seconds, record.worker, time.time()))
            if record.tables:
                self.db.executemany(
                    "INSERT OR REPLACE INTO run_tables VALUES (?, ?, ?, ?)",
                    ((record.point, record.replication, name, json.dumps(columns))
                     for name, columns in record.tables.items()))

    def start_session(self, executor: str, workers: int) -> int:
        """Log the start of one sweep invocation; returns its id."""
        with self.transaction():
            cursor = self.db.execute(
                "INSERT INTO sessions (started, executor, workers, chunk_size) "
                "VALUES (?, ?, ?, 0)", (time.time(), executor, workers))
        return int(cursor.lastrowid)

    def end_session(self, session: int, stats: SweepStats) -> None:
        """Log what a sweep invocation did."""
        with self.transaction():
            self.db.execute(
                "UPDATE sessions SET finished = ?, chunk_size = ?, runs_done = ?, "
                "runs_failed = ?, interrupted = ? WHERE session = ?",
                (time.time(), stats.chunk_size, stats.done, stats.failed,
                 int(stats.interrupted), session))

    # --- reading ---------------------------------------------------------------------------
    def meta(self, key: str) -> Any:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def counts(self) -> Counts:
        rows = dict(self.db.execute("SELECT status, count(*) FROM runs GROUP BY status"))
        definition = self.meta("definition")
        return Counts(definition["n_points"] * definition["replications"],
                      rows.get("done", 0), rows.get("failed", 0))

    def finished(self, first_point: int, end_point: int) -> dict[tuple[int, int], str]:
        """Status of the recorded runs of points ``first_point <= point < end_point``."""
        rows = self.db.execute(
            "SELECT point, replication, status FROM runs WHERE point >= ? AND point < ?",
            (first_point, end_point))
        return {(p, r): status for p, r, status in rows}

    def points(self) -> Iterator[tuple[int, str, dict[str, Any]]]:
        for point, label, params in self.db.execute(
                "SELECT point, label, params FROM points ORDER BY point"):
            yield point, label, json.loads(params)

    def rows(self, statuses: Iterable[str] = ("done",), columns: str = "metrics"
             ) -> Iterator[tuple[Any, ...]]:
        """Stream (point, replication, run_id, seed, status, <columns>) in point order."""
        marks = ", ".join("?" for _ in statuses)
        yield from self.db.execute(
            f"SELECT point, replication, run_id, seed, status, {columns} FROM runs "
            f"WHERE status IN ({marks}) ORDER BY point, replication", tuple(statuses))

    def table_rows(self, name: str) -> Iterator[tuple[int, int, int, str]]:
        """Stream (point, replication, seed, columns as JSON) of one per-run table, in point
        order, for finished runs."""
        yield from self.db.execute(
            "SELECT t.point, t.replication, r.seed, t.columns FROM run_tables t JOIN runs r "
            "USING (point, replication) WHERE t.name = ? AND r.status = 'done' "
            "ORDER BY t.point, t.replication", (name,))

    def failures(self, limit: int | None = None) -> list[tuple[int, int, int, str]]:
        """(point, replication, seed, error) of failed runs."""
        query = ("SELECT point, replication, seed, error FROM runs WHERE status = 'failed' "
                 "ORDER BY point, replication")
        return list(self.db.execute(query + (f" LIMIT {int(limit)}" if limit else "")))

    def sessions(self) -> list[dict[str, Any]]:
        cursor = self.db.execute("SELECT * FROM sessions ORDER BY session")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor]


def _short(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 40 else text[:37] + "..."
