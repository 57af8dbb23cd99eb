"""Reading a results folder: tidy frames, monthly series, export, and per-point summaries."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..fileio import atomic_file
from .experiment import ExperimentError, available_outputs
from .store import ResultStore

ID_COLUMNS = ["point", "replication", "seed", "run_id"]
BATCH_ROWS = 20_000
"""Rows read from the store at a time when streaming results."""


def _layout(store: ResultStore) -> tuple[dict[int, dict[str, Any]], list[str], list[str]]:
    """Per-point columns (label, varied parameters), the varied names, the metric names."""
    definition = store.meta("definition")
    varied = definition["varied"]
    point_columns = {}
    for point, label, params in store.points():
        point_columns[point] = ({"scenario": label} if label else {}) | {
            name: params[name] for name in varied}
    metrics = definition["outputs"] or list(available_outputs()[0])
    return point_columns, varied, metrics


def iter_results(folder: str | Path, *, include_failed: bool = False,
                 batch_rows: int = BATCH_ROWS) -> Iterator[pd.DataFrame]:
    """The results of a sweep in batches of rows (for tables too large for memory).

    Same columns as :func:`load_results`.
    """
    with ResultStore.open(folder) as store:
        point_columns, varied, metrics = _layout(store)
        statuses = ("done", "failed") if include_failed else ("done",)
        columns = "metrics, error" if include_failed else "metrics"
        rows: list[dict[str, Any]] = []
        yielded = False
        for point, replication, run_id, seed, status, values, *error in store.rows(
                statuses, columns):
            row = {"point": point, "replication": replication, "seed": seed, "run_id": run_id}
            row |= point_columns[point]
            if include_failed:
                row |= {"status": status, "error": error[0]}
            row |= json.loads(values) if values else dict.fromkeys(metrics, np.nan)
            rows.append(row)
            if len(rows) == batch_rows:
                yield _frame(rows, folder, varied, metrics)
                rows, yielded = [], True
        if rows or not yielded:
            yield _frame(rows, folder, varied, metrics)


def _frame(rows: list[dict[str, Any]], folder: str | Path, varied: list[str],
           metrics: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    if frame.empty:
        frame = pd.DataFrame(columns=[*ID_COLUMNS, *varied, *metrics])
    frame.attrs = {"store": str(folder), "varied": list(varied), "metrics": list(metrics)}
    return frame


def load_results(folder: str | Path, *, include_failed: bool = False) -> pd.DataFrame:
    """All runs of a sweep as a tidy DataFrame, one row per run.

    Parameters
    ----------
    folder
        A sweep's ``--out`` folder (finished, interrupted or still running).
    include_failed
        Also return failed runs, with ``status`` and ``error`` columns and NaN metrics.

    Returns
    -------
    pandas.DataFrame
        Columns ``point``, ``replication``, ``seed``, ``run_id``, ``scenario`` (when the
        points are labelled), the varied parameters, then the recorded metrics; sorted by
        point and replication.  ``frame.attrs`` holds ``store``, ``varied`` and ``metrics``.

    Examples
    --------
    >>> frame = load_results("runs/quick")                      # doctest: +SKIP
    >>> frame.groupby("legal_barrier")["harm_prevented"].mean()  # doctest: +SKIP
    """
    frames = list(iter_results(folder, include_failed=include_failed))
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    frame.attrs = frames[0].attrs
    return frame


def load_series(folder: str | Path) -> pd.DataFrame:
    """Monthly series of every finished run (when the experiment asked for ``series``).

    Returns
    -------
    pandas.DataFrame
        One row per (run, month): ``point``, ``replication``, ``seed``, ``month`` and one
        column per recorded series.
    """
    with ResultStore.open(folder) as store:
        if not store.meta("definition")["series"]:
            raise ExperimentError(f"{folder}: this sweep recorded no monthly series "
                                  "(set series = [...] in the experiment)")
        frames = []
        for point, replication, _run_id, seed, _status, series in store.rows(
                ("done",), "series"):
            frame = pd.DataFrame(json.loads(series))
            frame.insert(0, "month", range(len(frame)))
            frame.insert(0, "seed", seed)
            frame.insert(0, "replication", replication)
            frame.insert(0, "point", point)
            frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def load_partnerships(folder: str | Path) -> pd.DataFrame:
    """The launched partnerships of every finished run (when the experiment kept
    ``tables=("partnerships",)``): lifetimes for survival analysis.

    Returns
    -------
    pandas.DataFrame
        One row per (run, launched partnership): ``point``, ``replication``, ``seed``,
        ``scenario`` (when the points are labelled), ``launched_month``, ``lifetime_months``,
        ``ended`` (False: still operating at the horizon, right-censored) and ``end_cause``.
    """
    from .tables import PARTNERSHIP_COLUMNS

    with ResultStore.open(folder) as store:
        if "partnerships" not in store.meta("definition").get("tables", []):
            raise ExperimentError(f"{folder}: this sweep kept no partnership tables "
                                  "(run it with tables=(\"partnerships\",))")
        labels = {point: label for point, label, _ in store.points()}
        frames = []
        for point, replication, seed, columns in store.table_rows("partnerships"):
            frame = pd.DataFrame(json.loads(columns), columns=list(PARTNERSHIP_COLUMNS))
            ids = {"point": point, "replication": replication, "seed": seed}
            if labels[point]:
                ids["scenario"] = labels[point]
            frames.append(frame.assign(**ids))
    ids = ["point", "replication", "seed", *(["scenario"] if any(labels.values()) else [])]
    if not frames:
        return pd.DataFrame(columns=[*ids, *PARTNERSHIP_COLUMNS])
    frame = pd.concat(frames, ignore_index=True)
    frame = frame[[*ids, *PARTNERSHIP_COLUMNS]]
    return frame.astype({"launched_month": int, "lifetime_months": int, "ended": bool})


EXPORT_FORMATS = ("csv", "parquet", "xlsx")
XLSX_MAX_ROWS = 1_048_576
"""Rows of one spreadsheet sheet (Excel's limit), the header included."""
EXACT_INTEGER = 2**53
"""Largest integer a spreadsheet number (a double) holds exactly; larger ones become text."""


def export_results(folder: str | Path, fmt: str = "csv", path: str | Path | None = None
                   ) -> Path:
    """Write the results table to CSV, parquet or an Excel workbook, streaming (memory stays
    flat).

    Parameters
    ----------
    folder
        A sweep's results folder.
    fmt
        ``csv``, ``parquet`` or ``xlsx`` (one sheet, a header row, one row per run; an
        undefined value is an empty cell, never 0).
    path
        Output file (default: ``<folder>/results.<fmt>``).

    Returns
    -------
    Path
        The file written.
    """
    if fmt not in EXPORT_FORMATS:
        raise ExperimentError(f"format {fmt!r} is not allowed: expected one of "
                              f"{', '.join(EXPORT_FORMATS)}")
    path = Path(path) if path else Path(folder) / f"results.{fmt}"
    with ResultStore.open(folder) as store:  # a damaged or missing folder, before any file
        done = store.counts().done
    if fmt == "xlsx" and done + 1 > XLSX_MAX_ROWS:
        raise ExperimentError(f"{folder}: {done:,} runs do not fit in a spreadsheet (at most "
                              f"{XLSX_MAX_ROWS - 1:,} rows); export csv or parquet")
    with atomic_file(path, "--out") as tmp:  # a failure leaves no half-written table
        if fmt == "xlsx":
            _write_xlsx(iter_results(folder), tmp)
            return path
        writer = None
        try:
            for i, frame in enumerate(iter_results(folder)):
                if fmt == "csv":
                    frame.to_csv(tmp, mode="w" if i == 0 else "a", header=i == 0, index=False)
                    continue
                import pyarrow as pa
                import pyarrow.parquet as pq

                table = pa.Table.from_pandas(frame, preserve_index=False)
                if writer is None:
                    writer = pq.ParquetWriter(tmp, table.schema)
                writer.write_table(table.cast(writer.schema))
        finally:
            if writer is not None:
                writer.close()
    return path


def _write_xlsx(frames: Iterator[pd.DataFrame], path: Path) -> None:
    """Batches of rows into one sheet of a workbook (openpyxl's write-only mode)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("results")
    for i, frame in enumerate(frames):
        if i == 0:
            sheet.append([str(c) for c in frame.columns])
        for row in frame.itertuples(index=False):
            sheet.append([_cell(value) for value in row])
    book.save(path)


def _cell(value: Any) -> Any:
    """A spreadsheet cell: NaN (undefined) as an empty cell, numpy scalars as Python's."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, np.generic):
        value = value.item()
        if isinstance(value, float) and math.isnan(value):
            return None
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > EXACT_INTEGER:
        return str(value)  # a 64-bit seed would lose digits as a spreadsheet number
    return value


def summarise(frame: pd.DataFrame, metrics: Sequence[str] | None = None,
              by: Sequence[str] | None = None, confidence: float = 0.95) -> pd.DataFrame:
    """Mean and confidence interval of each metric per design point, across replications.

    Parameters
    ----------
    frame
        A frame from :func:`load_results`.
    metrics
        Metrics to summarise (default: all recorded).
    by
        Grouping columns (default: ``point``, ``scenario`` if present, varied parameters).
    confidence
        Level of the Student-t interval of the mean.

    Returns
    -------
    pandas.DataFrame
        One row per (group, metric): the grouping columns, ``metric``, ``n`` (runs where the
        metric is defined), ``missing`` (runs where it is undefined, NaN: those are left out
        of the mean, never filled in), ``mean``, ``sd``, ``ci_low``, ``ci_high`` (NaN with
        fewer than two defined values).
    """
    from scipy import stats

    metrics = list(metrics or frame.attrs.get("metrics") or
                   [c for c in frame.select_dtypes("number") if c not in ID_COLUMNS])
    if by is None:
        by = ["point", *(["scenario"] if "scenario" in frame else []),
              *frame.attrs.get("varied", [])]
    long = frame.melt(id_vars=list(by), value_vars=metrics, var_name="metric")
    grouped = long.groupby([*by, "metric"], sort=False)["value"]
    table = grouped.agg(n="count", runs="size", mean="mean", sd="std").reset_index()
    table.insert(table.columns.get_loc("runs"), "missing", table.pop("runs") - table["n"])
    half = stats.t.ppf(0.5 + confidence / 2, table["n"] - 1) * table["sd"] / np.sqrt(table["n"])
    table["ci_low"] = table["mean"] - half
    table["ci_high"] = table["mean"] + half
    return table
