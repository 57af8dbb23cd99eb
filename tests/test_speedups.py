"""The caches that make a run cheaper hold the very values they stand for, month by month."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pppsim.model import PartnershipModel
from pppsim.model.outputs import MODEL_REPORTERS, MonthView, cross_sector_trust


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


def test_all_partnerships_at_once_give_the_month_of_each_alone_when_none_share_a_member(
) -> None:
    """The month of all operating partnerships at once is the month of each in turn when no
    organisation is in two of them: the arrays over all members only gather what each
    partnership's month would compute alone."""
    from pppsim.model.partnership.operation import operate_all

    def month_of(one_at_a_time: bool) -> tuple:
        model = PartnershipModel(n_organisations=80, rng=11, max_partnerships=1)
        model.run(36)
        operating = [p for p in model.partnerships if p.is_operating]
        members = [i for p in operating for i in p.members]
        assert len(operating) > 3 and len(members) == len(set(members))
        if one_at_a_time:
            for partnership in operating:
                operate_all([partnership])
        else:
            operate_all(operating)
        arrays, table = model.organisation_arrays, model.ledgers
        return (arrays.trust.tobytes(), arrays.standing.tobytes(),
                table.satisfaction[:table.size].tobytes(), model.harm.tobytes(),
                [p.trust_history[-1] for p in operating])

    assert month_of(one_at_a_time=True) == month_of(one_at_a_time=False)


def test_trust_between_two_organisations_in_two_partnerships_moves_by_both_months() -> None:
    """Two organisations that meet in two partnerships in the same month: their trust moves
    by the sum of what each partnership's month does to it, from where it stood."""
    import copy

    from pppsim.model.partnership.operation import operate_all

    model = PartnershipModel(n_organisations=80, rng=5)
    for _ in range(120):
        model.step()
        operating = [p for p in model.partnerships if p.is_operating]
        pairs = [(a, b, k, k + 1 + j) for k, p in enumerate(operating)
                 for j, q in enumerate(operating[k + 1:])
                 for a in p.members for b in q.members
                 if a != b and a in q.members and b in p.members]
        if pairs:
            break
    assert pairs, "no two organisations met in two partnerships"
    a, b, first, second = pairs[0]
    start = model.organisation_arrays.trust[a - 1, b - 1]

    def moved(which: list[int]) -> float:
        twin = copy.deepcopy(model)
        running = [p for p in twin.partnerships if p.is_operating]
        operate_all([running[k] for k in which])
        return float(twin.organisation_arrays.trust[a - 1, b - 1]) - start

    alone = moved([first]) + moved([second])
    assert alone != 0.0
    assert moved([first, second]) == pytest.approx(min(1.0 - start, max(-start, alone)),
                                                    abs=1e-12)
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


def test_cross_sector_trust_is_the_mean_of_every_tie_every_month() -> None:
    """The reported means over the blocks of the trust matrix equal a scan of every tie each
    organisation knows, month by month (introductions add ties)."""
    model = PartnershipModel(n_organisations=80, rng=9, trusted_intermediary=True)
    grew = 0
    for _ in range(60):
        before = sum(len(o.trust) for o in model.organisations)
        model.step()
        grew += sum(len(o.trust) for o in model.organisations) > before
        scanned = _scanned_cross_sector_trust(model)
        reported = tuple(model.datacollector.model_vars[name][-1] for name in
                         ("trust_public_to_private", "trust_private_to_public"))
        assert reported == pytest.approx(scanned, rel=1e-12)
    assert grew > 0  # ties were added during the run


def test_cross_sector_trust_without_any_tie_is_undefined() -> None:
    model = PartnershipModel(n_organisations=20, rng=1)
    for org in model.organisations:
        org.trust.clear()
    assert all(math.isnan(x) for x in cross_sector_trust(model.organisation_arrays))


def test_an_organisations_trust_ties_are_its_row_of_the_trust_matrix() -> None:
    model = PartnershipModel(n_organisations=30, rng=2)
    model.run(24)
    org, other = model.organisations[0], model.organisations[5]
    row = model.organisation_arrays.trust[org.index]
    assert list(org.trust) == [i + 1 for i in range(len(row)) if not math.isnan(row[i])]
    org.trust[other.unique_id] = 0.25
    assert row[other.index] == 0.25 and org.trust_in(other) == 0.25
    del org.trust[other.unique_id]
    assert other.unique_id not in org.trust
    assert org.trust_in(other) == org.prejudice[other.is_public]
    with pytest.raises(ValueError, match="outside"):
        org.trust[other.unique_id] = 1.5


def test_kept_norms_are_those_of_the_fixed_vectors() -> None:
    model = PartnershipModel(n_organisations=80, rng=5)
    model.run(36)
    assert all(o.interest_norm == np.linalg.norm(o.interest) for o in model.organisations)
    assert model._domain_targets  # partnerships admitted members
    for domains, (vector, norm) in model._domain_targets.items():
        assert np.array_equal(vector, model.domain_vector(domains))
        assert norm == np.linalg.norm(vector)


def test_month_terms_in_the_partnership_table_are_those_of_now() -> None:
    """What the month of joint work reads from the partnership table (written when members
    or funding change) equals the terms computed afresh, month by month, for every operating
    partnership (grants end and are renewed or carried on in kind; members come and go)."""
    model = PartnershipModel(n_organisations=80, rng=4, grant_share=0.8, grant_months=12,
                             evaluation_interval_months=6)
    from pppsim.model.partnership.operation import refresh_month_terms

    checked = 0
    for _ in range(72):
        model.step()
        refresh_month_terms(model)  # what the next month of joint work does first
        for p in model.partnerships:
            if p.is_operating:
                p._member_terms = None  # recompute the members' terms too
                fresh = np.array(p.month_terms(), dtype=float)
                assert np.array_equal(model.partnership_table.terms[p.row], fresh)
                checked += 1
    assert checked > 100


def test_moving_trust_sums_each_pairs_changes_in_order_as_labelling_by_sorting_does() -> None:
    """move_trust labels each pair through its scratch instead of np.unique: the same sums,
    added in the same order, bit for bit, however often a pair recurs."""
    from pppsim.model.state import OrganisationArrays

    rng = np.random.default_rng(3)
    n = 12
    for _ in range(50):
        arrays = OrganisationArrays(n)
        arrays.trust[:] = rng.random((n, n))
        truster, trusted = rng.integers(0, n, 300), rng.integers(0, n, 300)
        keys = arrays.pair_keys(truster, trusted)
        start = arrays.trust[truster, trusted]
        change = rng.normal(0.0, 0.3, 300)
        expected = arrays.trust.copy()
        pairs, index = np.unique(keys, return_inverse=True)
        first = start[np.unique(index, return_index=True)[1]]
        new = np.minimum(np.maximum(first + np.bincount(index, weights=change), 0.0), 1.0)
        expected.flat[pairs] = new
        moved = arrays.move_trust(keys, start, change)
        assert moved.tobytes() == new[index].tobytes()
        assert arrays.trust.tobytes() == expected.tobytes()


def test_the_kept_grouping_of_members_is_that_of_now() -> None:
    """Members.of keeps its last grouping only while no membership changes: month by month
    it equals a grouping built afresh, the month's ordered pairs are those of each
    partnership in turn, and a member's exit drops the kept grouping."""
    from pppsim.model.partnership.operation import Members, Month
    from pppsim.model.state import ordered_pairs
    from pppsim.model.vocabulary import EndCause

    model = PartnershipModel(n_organisations=80, rng=5)
    for _ in range(60):
        model.step()
        operating = [p for p in model.partnerships if p.is_operating]
        if not operating:
            continue
        grouping = Members.of(operating)
        assert Members.of(operating) is grouping
        rows = [np.array([led.row for led in p.members.values()]) for p in operating]
        assert np.array_equal(grouping.rows, np.concatenate(rows))
        assert grouping.sizes.tolist() == [len(r) for r in rows]
        assert np.array_equal(grouping.group, np.repeat(np.arange(len(rows)), grouping.sizes))
    offsets = (np.cumsum(grouping.sizes) - grouping.sizes).tolist()
    pairs = [ordered_pairs(int(n)) for n in grouping.sizes]
    month = Month(operating)
    for got, side in ((month.src, 0), (month.dst, 1)):
        wanted = [pair[side] + offset for pair, offset in zip(pairs, offsets, strict=True)]
        assert np.array_equal(got, np.concatenate(wanted))
    partnership = next(p for p in operating if len(p.members) > 2)
    leaver = model.organisation_by_id[next(iter(partnership.members))]
    partnership.remove_member(leaver, EndCause.PRIORITY_SHIFT)
    after = Members.of(operating)
    assert after is not grouping and len(after.rows) == len(grouping.rows) - 1


@pytest.mark.parametrize("seed", range(12))
def test_draws_without_replacement_are_numpys_choice_row_by_row(seed: int) -> None:
    """The acquaintance network's sampler picks what ``rng.choice(..., replace=False, p=...)``
    picks row after row, repeated picks included, and leaves the generator where it would."""
    from pppsim.model.model import draws_without_replacement

    make = np.random.default_rng(seed)
    n = int(make.integers(4, 120))
    k = int(make.integers(1, n))
    interests = make.dirichlet(np.full(6, 0.05 if seed % 2 else 1.0), size=n)
    weights = interests @ interests.T + (0.001 if seed % 3 == 0 else 0.2)
    np.fill_diagonal(weights, 0.0)
    numpy_rng, ours = np.random.default_rng(seed), np.random.default_rng(seed)
    expected = [numpy_rng.choice(n, size=k, replace=False, p=row / row.sum())
                for row in weights]
    assert np.array_equal(draws_without_replacement(ours, weights, k), np.array(expected))
    assert ours.random() == numpy_rng.random()


def test_the_month_view_holds_every_reporter_and_the_collector_records_them() -> None:
    """The collector records the month view's values under the reporters' names, as Mesa's
    own collect does (and falls back to it when a reporter is added)."""
    import mesa

    model = PartnershipModel(n_organisations=40, rng=4)
    model.run(12)
    assert tuple(MonthView(model).values) == tuple(MODEL_REPORTERS)
    collector = model.datacollector
    assert isinstance(collector, mesa.DataCollector)
    ours = {name: column[-1] for name, column in collector.model_vars.items()}
    mesas = mesa.DataCollector(model_reporters=MODEL_REPORTERS)
    mesas.collect(model)
    assert all(_same(ours[name], column[-1]) and type(ours[name]) is type(column[-1])
               for name, column in mesas.model_vars.items())
    collector._new_model_reporter("month", lambda m: m.month)
    collector.model_vars["month"] = [None] * len(collector.model_vars["harm"])
    model.step()
    assert collector.model_vars["month"][-1] == 13
    assert len({len(column) for column in collector.model_vars.values()}) == 1


def test_a_partnerships_state_flags_follow_its_launch_and_end() -> None:
    """``is_active`` and ``is_operating`` are attributes set at launch and at the end: every
    month they say what the launch month and the end cause say."""
    model = PartnershipModel(rng=2)
    for _ in range(120):
        model.step()
        for p in model.partnerships_ever:
            assert p.is_active == (p.end_cause is None)
            assert p.is_operating == (p.launched_month is not None and p.end_cause is None)
    ever = model.partnerships_ever
    assert any(p.launched_month is None and p.end_cause is not None for p in ever)  # failed
    assert any(p.launched_month is not None and p.end_cause is not None for p in ever)
    assert any(p.is_operating for p in ever)


def test_the_months_shuffle_is_pythons_own_draw_for_draw() -> None:
    """model.shuffle puts any list in the order random.Random.shuffle does and leaves the
    generator where it leaves it, for lists of every length up to some dozens."""
    import random

    from pppsim.model.model import shuffle

    for seed in range(20):
        ours, pythons = random.Random(seed), random.Random(seed)
        for length in range(70):
            a, b = list(range(length)), list(range(length))
            shuffle(ours, a)
            pythons.shuffle(b)
            assert a == b, (seed, length)
        assert ours.random() == pythons.random()


def test_the_month_view_of_the_steps_partnerships_is_the_view_of_the_model() -> None:
    """The step hands the month view its partnerships that have not ended: the values are
    those of a view that walks the model's agent set, month by month."""
    model = PartnershipModel(n_organisations=80, rng=5)
    compared = 0
    for _ in range(60):
        model.step()
        walked = MonthView(model).values
        recorded = {name: column[-1] for name, column in model.datacollector.model_vars.items()}
        assert all(_same(float(walked[k]), float(recorded[k])) for k in walked)
        compared += walked["active_partnerships"] > 0 and walked["dissolved"] > 0
    assert compared > 0  # months with partnerships operating and some ending


@pytest.mark.parametrize("compiled", [False, True], ids=["numpy", "compiled"])
@pytest.mark.parametrize("motives", [(0.6, 0.2, 0.2), (1.0, 0.0, 0.0), (0.0, 0.0, 1.0)])
def test_the_organisations_draws_are_numpys_draw_for_draw(compiled: bool, motives) -> None:
    """``draw_organisations`` draws what NumPy's generator methods draw one organisation after
    another (the motives as ``Generator.dirichlet`` draws them, at motive weights from
    balanced to all on one motive), compiled or not, and leaves the generator where they
    would."""
    from pppsim.model import accelerator
    from pppsim.model.model import draw_organisations

    if compiled and accelerator.compiled() is None:
        pytest.skip("numba is not installed or the accelerator is off")
    draw = accelerator.compiled_or_not(draw_organisations) if compiled else draw_organisations
    n = 60
    make = np.random.default_rng(11)
    affinity = make.uniform(0.1, 1.5, size=(n, 4))
    public = make.random(n) < 0.4
    alphas = np.empty((2, 3))  # row 1 public bodies', row 0 firms', as the model makes them
    individual = motives[2]
    for row, societal in ((1, motives[0]), (0, motives[1])):
        mean = np.array([societal, max(1.0 - societal - individual, 0.05), individual])
        alphas[row] = 20.0 * mean / mean.sum() + 1e-3
    numpy_rng, ours = np.random.default_rng(5), np.random.default_rng(5)
    interest, motive, size, information, opportunism, risk = draw(
        ours, affinity, public, alphas, -0.08, 0.4, 0.3, 2.4, 5.6)
    for i in range(n):
        drawn = affinity[i] * numpy_rng.gamma(4.0, 0.25, size=4)
        assert np.array_equal(interest[i], drawn / drawn.sum())
        assert np.array_equal(motive[i], numpy_rng.dirichlet(alphas[int(public[i])]))
        assert size[i] == numpy_rng.lognormal(-0.08, 0.4)
        assert information[i] == max(0.05, numpy_rng.normal(1.0, 0.3))
        assert opportunism[i] == numpy_rng.beta(2.4, 5.6)
        assert risk[i] == numpy_rng.random()
    assert ours.random() == numpy_rng.random()
