"""Model tests: invariants over random valid scenarios, determinism, Mesa integration, event log."""

from __future__ import annotations

import inspect
from collections import Counter

import mesa
import pandas as pd
import pytest
from conftest import run_model, valid_parameters
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pppsim.model import EndCause, Event, EventKind, PartnershipModel
from pppsim.model.outputs import partnership_table, summary_metrics, time_series
from pppsim.parameters import DEFAULTS, Parameters

EPS = 1e-9


def check_invariants(model: PartnershipModel) -> None:
    """Every state invariant of the model, checked at the end of a month."""
    orgs = list(model.organisations)
    active = {p.unique_id: p for p in model.partnerships}

    for org in orgs:
        assert org.capacity_fte >= 0.0 and org.budget_keur >= 0.0
        assert org.capacity_level >= 0.0
        assert 0.0 <= org.standing <= 1.0
        assert 0.0 <= org.capability <= 1.0 + EPS
        assert all(0.0 <= t <= 1.0 for t in org.trust.values()), org.trust
        assert org.unique_id not in org.trust
        assert len(org.partnerships) <= org.max_partnerships
        for pid, partnership in org.partnerships.items():
            assert pid in active, "an organisation lists a partnership that has ended"
            assert partnership.unique_id == pid
            if partnership.is_operating:
                assert org.unique_id in partnership.members
            else:
                assert org.unique_id in partnership.founders

    for partnership in active.values():
        assert partnership.end_cause is None
        listed = partnership.members if partnership.is_operating else partnership.founders
        assert len(set(partnership.founders)) == len(partnership.founders)
        for org_id in listed:
            assert partnership.unique_id in model.organisation_by_id[org_id].partnerships
        if partnership.is_operating:
            orgs_in = partnership.organisations()
            assert len(orgs_in) >= 2
            assert any(o.is_public for o in orgs_in) and any(not o.is_public for o in orgs_in)
            for ledger in partnership.members.values():
                assert 0.0 <= ledger.satisfaction <= 1.0
                assert 0.0 <= ledger.free_riding <= 1.0
                assert ledger.effort_fte >= 0.0 and ledger.money_keur >= 0.0
                assert ledger.commitment_fte >= 0.0 and ledger.commitment_keur >= 0.0
        assert 0.0 <= partnership.governance <= 1.0
        assert 0.0 <= partnership.formality <= 1.0

    assert (model.harm >= 0.0).all()
    assert model.harm_prevented_total >= 0.0


def check_ended(model: PartnershipModel) -> None:
    """Every ended partnership has one end cause and one DISSOLVED event; others none."""
    dissolved = Counter(row.partnership for row in model.events.of_kind(EventKind.DISSOLVED))
    causes = {row.partnership: row.cause for row in model.events.of_kind(EventKind.DISSOLVED)}
    active = {p.unique_id for p in model.partnerships}
    for partnership in model.partnerships_ever:
        pid = partnership.unique_id
        if partnership.end_cause is None:
            assert pid in active
            assert dissolved[pid] == 0
        else:
            assert isinstance(partnership.end_cause, EndCause)
            assert pid not in active
            assert dissolved[pid] == 1
            assert causes[pid] == partnership.end_cause
            assert partnership.ended_month is not None
            assert all(pid not in o.partnerships for o in model.organisations)
    assert set(dissolved) <= {p.unique_id for p in model.partnerships_ever}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params=valid_parameters(), months=st.integers(12, 48), seed=st.integers(0, 2**16))
def test_invariants_hold_every_month_for_any_valid_scenario(params, months, seed) -> None:
    model = PartnershipModel(rng=seed, **params)
    check_invariants(model)
    for _ in range(months):
        model.step()
        check_invariants(model)
    check_ended(model)
    assert len(time_series(model)) == months + 1


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**16))
def test_invariants_hold_in_a_busy_default_world(seed: int) -> None:
    """Defaults, many organisations and a long horizon: many formations, exits and endings."""
    model = PartnershipModel(rng=seed, n_organisations=80, initiation_rate=0.08)
    for _ in range(60):
        model.step()
        check_invariants(model)
    check_ended(model)
    assert any(p.end_cause is not None for p in model.partnerships_ever)


# --- determinism --------------------------------------------------------------------------
def outputs_of(model: PartnershipModel) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return time_series(model), partnership_table(model), model.events.to_frame()


def test_same_seed_gives_identical_results() -> None:
    a = outputs_of(run_model(seed=7, months=36, n_organisations=60))
    b = outputs_of(run_model(seed=7, months=36, n_organisations=60))
    for frame_a, frame_b in zip(a, b, strict=True):
        pd.testing.assert_frame_equal(frame_a, frame_b)
    assert len(a[1]) > 0 and len(a[2]) > 0  # the comparison covered real activity


@settings(max_examples=5, deadline=None)
@given(params=valid_parameters(), seed=st.integers(0, 2**16))
def test_same_seed_identical_for_any_valid_scenario(params, seed) -> None:
    first = run_model(seed=seed, months=24, **params)
    second = run_model(seed=seed, months=24, **params)
    assert first.events.rows == second.events.rows
    pd.testing.assert_frame_equal(time_series(first), time_series(second))
    pd.testing.assert_frame_equal(partnership_table(first), partnership_table(second))


def test_different_seeds_give_different_results() -> None:
    a = outputs_of(run_model(seed=1, months=36, n_organisations=60))
    b = outputs_of(run_model(seed=2, months=36, n_organisations=60))
    assert not a[0].equals(b[0])
    assert not a[2].equals(b[2])


# --- Mesa integration ---------------------------------------------------------------------
def test_batch_run_runs_the_model_unchanged() -> None:
    rows = mesa.batch_run(
        PartnershipModel, parameters={"n_organisations": 30, "legal_barrier": [0.2, 0.8]},
        rng=[1, 2], max_steps=12, number_processes=1, data_collection_period=1,
        display_progress=False)
    frame = pd.DataFrame(rows)
    assert len(frame) == 2 * 2 * 13  # 2 barrier levels x 2 seeds x months 0..12
    assert set(frame["legal_barrier"]) == {0.2, 0.8}
    assert set(frame["Step"]) == set(range(13))
    assert {"active_partnerships", "harm", "trust_public_to_private"} <= set(frame.columns)


def test_signature_exposes_every_parameter_with_its_default() -> None:
    signature = inspect.signature(PartnershipModel)
    params = signature.parameters
    assert "rng" in params
    assert set(params) - {"rng"} == set(Parameters.model_fields)
    for name, default in DEFAULTS.items():
        assert params[name].default == default
        assert params[name].kind is inspect.Parameter.KEYWORD_ONLY


def test_unknown_keyword_is_an_error() -> None:
    with pytest.raises(ValueError, match="legal_barrier_typo"):
        PartnershipModel(rng=1, legal_barrier_typo=0.5)


@pytest.mark.parametrize("override", [
    {"legal_barrier": 1.5}, {"n_organisations": 2}, {"grant_share": 0.7, "structural_share": 0.5},
])
def test_invalid_parameter_values_are_errors(override) -> None:
    with pytest.raises(ValueError):
        PartnershipModel(rng=1, **override)


def test_month_counts_steps() -> None:
    model = run_model(seed=1, months=5, n_organisations=20)
    assert model.month == 5


# --- the event log ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def busy_model() -> PartnershipModel:
    """A busy run with formations, negotiation failures, exits and dissolutions."""
    return run_model(seed=11, months=96, n_organisations=100, initiation_rate=0.05,
                     priority_shift_hazard=0.01, negotiation_breakdown=0.2)


def events_of(model: PartnershipModel, kind: EventKind) -> list[Event]:
    return model.events.of_kind(kind)


def test_event_log_records_every_formation_attempt(busy_model) -> None:
    attempts = events_of(busy_model, EventKind.FORMATION_ATTEMPT)
    assert len(attempts) == time_series(busy_model)["formation_attempts"].sum() > 0
    started = events_of(busy_model, EventKind.NEGOTIATION_STARTED)
    failed = events_of(busy_model, EventKind.FORMATION_FAILED)
    assert len(started) == len(busy_model.partnerships_ever)
    assert len(started) + len(failed) == len(attempts)


def test_event_log_records_every_negotiation_outcome(busy_model) -> None:
    succeeded = {row.partnership for row in events_of(busy_model, EventKind.NEGOTIATION_SUCCEEDED)}
    failed = {row.partnership for row in events_of(busy_model, EventKind.NEGOTIATION_FAILED)}
    assert failed and succeeded and not failed & succeeded
    for partnership in busy_model.partnerships_ever:
        pid = partnership.unique_id
        if partnership.launched_month is not None:
            assert pid in succeeded
        elif partnership.end_cause is EndCause.NEGOTIATION_FAILED:
            assert pid in failed
        else:
            assert partnership.is_active and pid not in succeeded | failed
    for row in events_of(busy_model, EventKind.NEGOTIATION_FAILED):
        assert {"trust", "breakdown_probability"} <= set(row.values)


def test_event_log_records_every_join(busy_model) -> None:
    joins = Counter((row.partnership, row.organisation)
                    for row in events_of(busy_model, EventKind.JOINED))
    history = Counter((p.unique_id, o) for p in busy_model.partnerships_ever
                      for o in p.member_history)
    assert joins == history
    assert sum(joins.values()) > 0


def test_event_log_records_every_exit_with_cause_and_trigger(busy_model) -> None:
    exits = events_of(busy_model, EventKind.EXITED)
    assert exits
    series = time_series(busy_model)
    assert len(exits) == series["private_exits"].sum() + series["public_exits"].sum()
    seen = set()
    for _, _, pid, org, _, cause, values in exits:
        assert pid is not None and org is not None
        assert cause in set(EndCause)
        assert "satisfaction" in values
        seen.add(EndCause(cause))
        if cause == EndCause.LEGITIMACY_RISK:
            assert values["standing"] < values["threshold"]
        elif cause == EndCause.RESOURCES_EXHAUSTED:
            assert values["promised"] > values["capacity"]
        elif cause == EndCause.PRIORITY_SHIFT:
            assert "hazard" in values
        elif "threshold" in values:  # lasting dissatisfaction
            assert values["satisfaction"] < values["threshold"]
            assert "cause_share" in values
    assert len(seen) >= 2


def test_event_log_records_every_dissolution(busy_model) -> None:
    dissolved = events_of(busy_model, EventKind.DISSOLVED)
    ended = [p for p in busy_model.partnerships_ever if p.end_cause is not None]
    assert len(dissolved) == len(ended) > 0
    check_ended(busy_model)
    for row in dissolved:
        assert row.cause in set(EndCause)
        assert "age" in row.values


def test_event_frame_has_one_row_per_event(busy_model) -> None:
    frame = busy_model.events.to_frame()
    assert len(frame) == len(busy_model.events)
    assert set(frame["kind"]) <= {str(k) for k in EventKind}


def test_summary_metrics_are_finite_shares_where_shares(busy_model) -> None:
    metrics = summary_metrics(busy_model)
    for name in ("negotiation_failure_share", "success_share", "failure_share",
                 "follow_up_ratio"):
        assert 0.0 <= metrics[name] <= 1.0, name
    end_shares = [v for k, v in metrics.items() if k.startswith("end_share:")]
    assert sum(end_shares) == pytest.approx(1.0)
