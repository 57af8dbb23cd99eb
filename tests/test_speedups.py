"""The caches that make a run cheaper hold the very values they stand for, month by month."""

from __future__ import annotations

import math

import numpy as np

from pppsim.model import PartnershipModel
from pppsim.model.outputs import MODEL_REPORTERS, MonthView


def _fresh_promised(org) -> float:
    me = org.unique_id
    return sum(p.members[me].commitment_fte for p in org.partnerships.values()
               if me in p.members)


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


def test_promised_staff_cache_equals_the_sum_every_month() -> None:
    model = PartnershipModel(n_organisations=80, rng=7, trusted_intermediary=True)
    checked = 0
    for _ in range(60):
        model.step()
        for org in model.organisations:
            assert org.promised_fte == _fresh_promised(org)
            checked += org.promised_fte > 0
    assert checked > 0  # some organisations were members


def test_reporters_read_the_same_values_with_and_without_a_month_view() -> None:
    model = PartnershipModel(n_organisations=80, rng=3)
    model.run(48)
    assert model.month_view is None
    alone = {name: reporter(model) for name, reporter in MODEL_REPORTERS.items()}
    model.month_view = MonthView(model)
    viewed = {name: reporter(model) for name, reporter in MODEL_REPORTERS.items()}
    assert all(_same(alone[k], viewed[k]) for k in alone), (alone, viewed)
    assert alone["active_partnerships"] > 0
    last = model.datacollector.get_model_vars_dataframe().iloc[-1]
    assert all(_same(float(last[k]), float(alone[k])) for k in alone)


def test_metric_names_are_the_keys_of_the_end_of_run_metrics_in_order() -> None:
    from pppsim.experiment.experiment import available_outputs
    from pppsim.model.outputs import METRIC_NAMES, summary_metrics, time_series

    model = PartnershipModel(n_organisations=30, rng=2)
    model.run(3)
    assert tuple(summary_metrics(model)) == METRIC_NAMES
    assert available_outputs() == (METRIC_NAMES, tuple(time_series(model).columns))


def test_launched_counts_every_partnership_launched_in_the_month() -> None:
    """The month view counts launches among the operating and the just-ended partnerships;
    every partnership ever attempted gives the same count, month by month."""
    model = PartnershipModel(n_organisations=80, rng=5)
    launched = 0
    for _ in range(60):
        model.step()
        month = model.month
        expected = sum(p.launched_month == month for p in model.partnerships_ever)
        assert model.datacollector.model_vars["launched"][-1] == expected
        launched += expected
    assert launched > 0


def test_all_partnerships_at_once_give_the_month_of_each_in_turn(monkeypatch) -> None:
    """The members of all operating partnerships weigh the month at once; running each
    partnership's whole month in turn (the definition) gives the very same run."""
    from pppsim.model import model as model_module
    from pppsim.model.outputs import summary_metrics
    from pppsim.model.partnership.operation import operate_all

    batched = PartnershipModel(n_organisations=80, rng=11)
    shared_members = 0
    for _ in range(72):
        batched.step()
        members = [i for p in batched.partnerships if p.is_operating for i in p.members]
        shared_members += len(members) - len(set(members))
    assert shared_members > 0  # organisations in two partnerships at once: order matters

    def one_at_a_time(partnerships):
        for partnership in partnerships:
            operate_all([partnership])

    monkeypatch.setattr(model_module, "operate_all", one_at_a_time)
    in_turn = PartnershipModel(n_organisations=80, rng=11)
    in_turn.run(72)
    # repr: undefined values (NaN) are equal to themselves there, and every bit shows
    assert repr(batched.datacollector.model_vars) == repr(in_turn.datacollector.model_vars)
    assert repr(batched.events.rows) == repr(in_turn.events.rows)
    assert repr(summary_metrics(batched)) == repr(summary_metrics(in_turn))


def test_kept_conditions_are_those_of_the_current_design() -> None:
    model = PartnershipModel(n_organisations=80, rng=4, evaluation_interval_months=6)
    checked = 0
    for _ in range(72):
        model.step()
        for p in model.partnerships:
            if p.is_operating:
                assert p.conditions() == p._conditions_of_design()
                checked += 1
    assert checked > 0


def _scanned_cross_sector_trust(model) -> tuple[float, float]:
    """Mean trust of public bodies in firms and of firms in public bodies, from every tie."""
    public_ids = model.public_ids
    sides = {True: [], False: []}
    for org in model.organisations:
        sides[org.is_public] += [t for i, t in org.trust.items()
                                 if (i in public_ids) is not org.is_public]
    return tuple(math.fsum(v) / len(v) if v else math.nan for v in (sides[True], sides[False]))


def test_kept_cross_sector_ties_give_the_mean_of_every_tie_every_month() -> None:
    """Ties to the other sector are found again only when an organisation's ties grow; the
    reported means equal a scan of every tie, month by month (introductions add ties)."""
    model = PartnershipModel(n_organisations=80, rng=9, trusted_intermediary=True)
    grew = 0
    for _ in range(60):
        before = sum(len(o.trust) for o in model.organisations)
        model.step()
        grew += sum(len(o.trust) for o in model.organisations) > before
        scanned = _scanned_cross_sector_trust(model)
        reported = tuple(model.datacollector.model_vars[name][-1] for name in
                         ("trust_public_to_private", "trust_private_to_public"))
        assert reported == scanned
        assert model.cross_sector_ties.mean_trust() == scanned
    assert grew > 0  # ties were added during the run


def test_kept_cross_sector_ties_without_any_tie_are_undefined() -> None:
    model = PartnershipModel(n_organisations=20, rng=1)
    for org in model.organisations:
        org.trust.clear()
    assert all(math.isnan(x) for x in model.cross_sector_ties.mean_trust())


def test_kept_norms_are_those_of_the_fixed_vectors() -> None:
    model = PartnershipModel(n_organisations=80, rng=5)
    model.run(36)
    assert all(o.interest_norm == np.linalg.norm(o.interest) for o in model.organisations)
    assert model._domain_targets  # partnerships admitted members
    for domains, (vector, norm) in model._domain_targets.items():
        assert np.array_equal(vector, model.domain_vector(domains))
        assert norm == np.linalg.norm(vector)
