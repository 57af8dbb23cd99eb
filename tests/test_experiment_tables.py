"""Per-run tables in sweeps: optional, validated, stored with their run, the same from any
executor."""

from __future__ import annotations

import pytest

from pppsim.experiment import (
    Experiment,
    ExperimentError,
    load_partnerships,
    load_results,
    run_experiment,
)
from pppsim.experiment.tables import PARTNERSHIP_COLUMNS


def small(**kwargs) -> Experiment:
    return Experiment.from_points([{"legal_barrier": 0.2}, {"legal_barrier": 0.8}],
                                  base={"n_organisations": 30}, replications=2, seed=4,
                                  months=36, outputs=["partnerships_launched",
                                                      "partnerships_ended"], **kwargs)


def test_tables_are_optional_and_leave_older_definitions_unchanged() -> None:
    assert "tables" not in small().definition()
    assert small(tables=["partnerships"]).definition()["tables"] == ["partnerships"]
    assert small().fingerprint != small(tables=["partnerships"]).fingerprint


def test_unknown_table_is_refused() -> None:
    with pytest.raises(ExperimentError, match="unknown table 'events' \\(allowed: "
                                              "partnerships\\)"):
        small(tables=["events"])


@pytest.mark.slow
def test_partnership_tables_match_the_metrics_in_any_executor(tmp_path) -> None:
    local = run_experiment(small(tables=["partnerships"]), tmp_path / "one", workers=1)
    run_experiment(small(tables=["partnerships"]), tmp_path / "pool", workers=2)
    table = load_partnerships(tmp_path / "one")
    assert list(table.columns) == ["point", "replication", "seed", *PARTNERSHIP_COLUMNS]
    assert table.equals(load_partnerships(tmp_path / "pool"))
    per_run = table.groupby(["point", "replication"])
    launched = local.set_index(["point", "replication"])["partnerships_launched"]
    assert per_run.size().reindex(launched.index, fill_value=0).tolist() == launched.tolist()
    ended = local.set_index(["point", "replication"])["partnerships_ended"]
    assert per_run["ended"].sum().reindex(ended.index, fill_value=0).tolist() == \
        ended.tolist()
    assert (table["end_cause"].notna() == table["ended"]).all()
    assert (table["launched_month"] + table["lifetime_months"] <= 36).all()


def test_loading_partnerships_of_a_sweep_without_tables_explains(tmp_path) -> None:
    run_experiment(small(), tmp_path / "out", workers=1)
    assert len(load_results(tmp_path / "out")) == 4
    with pytest.raises(ExperimentError, match="kept no partnership tables"):
        load_partnerships(tmp_path / "out")
