"""The membership table agrees with the model and its event log, spell by spell."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import run_model

from pppsim.model import EventKind
from pppsim.model.outputs import MEMBERSHIP_COLUMNS, membership_table


@pytest.fixture(scope="module")
def model():
    return run_model(seed=3, months=96, n_organisations=60)


@pytest.fixture(scope="module")
def table(model) -> pd.DataFrame:
    return membership_table(model)


def test_one_row_per_join(model, table) -> None:
    joins = model.events.of_kind(EventKind.JOINED)
    assert len(table) == len(joins) > 0
    assert list(table.columns) == [*MEMBERSHIP_COLUMNS, "months", "censored"]


def test_running_memberships_are_the_members_at_the_end(model, table) -> None:
    running = table[table["censored"]]
    now = {(p.unique_id, org) for p in model.partnerships if p.is_operating for org in p.members}
    assert set(zip(running["partnership"], running["organisation"], strict=True)) == now
    assert running["ended_month"].isna().all() and running["ended_by"].isna().all()
    assert (running["months"] == model.month - running["joined_month"]).all()


def test_every_exit_closes_one_membership_with_its_cause(model, table) -> None:
    exits = model.events.of_kind(EventKind.EXITED)
    left = table[table["ended_by"] == "exit"]
    assert len(left) == len(exits) > 0
    logged = sorted((e.partnership, e.organisation, e.month, str(e.cause)) for e in exits)
    rows = sorted(zip(left["partnership"], left["organisation"], left["ended_month"],
                      left["cause"], strict=True))
    assert rows == logged


def test_a_dissolution_ends_the_memberships_of_those_still_in(model, table) -> None:
    ended = {p.unique_id: p for p in model.partnerships_ever
             if p.end_cause is not None and p.launched_month is not None}
    closed = table[table["ended_by"] == "dissolution"]
    assert len(closed) > 0
    for row in closed.itertuples():
        partnership = ended[row.partnership]
        assert row.ended_month == partnership.ended_month
        assert row.cause == str(partnership.end_cause)
    # no membership outlives its partnership
    finished = table[table["partnership"].isin(ended)]
    assert not finished["censored"].any()


def test_founders_joined_at_launch_and_newcomers_later(model, table) -> None:
    launched = {p.unique_id: p.launched_month for p in model.partnerships_ever}
    founders = table[table["founder"]]
    assert (founders["joined_month"] == founders["partnership"].map(launched)).all()
    newcomers = table[~table["founder"]]
    assert len(newcomers) > 0
    assert (newcomers["joined_month"] >= newcomers["partnership"].map(launched)).all()
    assert (table["months"] >= 0).all()
