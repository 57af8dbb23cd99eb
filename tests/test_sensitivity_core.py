"""The model-agnostic sensitivity core on functions whose indices are known analytically."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from pppsim.sensitivity import (
    DUMMY,
    OutputError,
    SensitivityError,
    analyse,
    convergence,
    convergence_summary,
    evaluate,
    extend,
    make_problem,
    noise_share,
    replications_needed,
    sample,
)
from pppsim.sensitivity.discovery import discover
from pppsim.sensitivity.report import describe, overall_ranking, screened

A, B = 7.0, 0.1
ISHIGAMI_VARIANCE = A**2 / 8 + B * np.pi**4 / 5 + B**2 * np.pi**8 / 18 + 0.5
ISHIGAMI_S1 = {"x1": (1 + B * np.pi**4 / 5) ** 2 / 2 / ISHIGAMI_VARIANCE,
               "x2": A**2 / 8 / ISHIGAMI_VARIANCE, "x3": 0.0}
ISHIGAMI_ST = {"x1": ISHIGAMI_S1["x1"] + 8 * B**2 * np.pi**8 / 225 / ISHIGAMI_VARIANCE,
               "x2": ISHIGAMI_S1["x2"], "x3": 8 * B**2 * np.pi**8 / 225 / ISHIGAMI_VARIANCE}
G_A = (0.0, 1.0, 4.5, 9.0, 99.0)
NOISE_SD = 2.0


def ishigami(x: np.ndarray, rng: np.random.Generator) -> float:
    return float(np.sin(x[0]) + A * np.sin(x[1]) ** 2 + B * x[2] ** 4 * np.sin(x[0]))


def noisy_ishigami(x: np.ndarray, rng: np.random.Generator) -> float:
    return ishigami(x, rng) + rng.normal(0.0, NOISE_SD)


def g_function(x: np.ndarray, rng: np.random.Generator) -> float:
    return float(np.prod([(abs(4 * xi - 2) + a) / (1 + a) for xi, a in zip(x, G_A,
                                                                            strict=True)]))


def g_indices() -> tuple[np.ndarray, np.ndarray]:
    """Analytic S1 and ST of the Sobol' G-function."""
    partial = np.array([1 / (3 * (1 + a) ** 2) for a in G_A])
    total = np.prod(1 + partial) - 1
    st = np.array([partial[i] * np.prod(np.delete(1 + partial, i)) for i in range(len(G_A))])
    return partial / total, st / total


@pytest.fixture(scope="module")
def ishigami_problem():
    return make_problem(["x1", "x2", "x3"], [[-np.pi, np.pi]] * 3)


@pytest.fixture(scope="module")
def ishigami_sobol(ishigami_problem):
    design = sample(ishigami_problem, "sobol", 1024, seed=1)
    return analyse(design, evaluate(design, ishigami), seed=1)


@pytest.mark.parametrize("index, truth", [("S1", ISHIGAMI_S1), ("ST", ISHIGAMI_ST)])
def test_sobol_indices_of_ishigami_agree_with_the_analytic_values(ishigami_sobol, index,
                                                                  truth) -> None:
    table = ishigami_sobol.table("y")
    for name, value in truth.items():
        estimate, conf = table.loc[name, index], table.loc[name, f"{index}_conf"]
        assert abs(estimate - value) <= conf, (name, index, estimate, conf, value)
        assert conf < 0.1


def test_deterministic_function_gives_the_dummy_zero_and_no_warning(ishigami_sobol) -> None:
    table = ishigami_sobol.table("y")
    assert table.loc[DUMMY, "ST"] == 0.0
    assert ishigami_sobol.warnings == []
    assert list(ishigami_sobol.ranking("y").index) == ["x1", "x2", "x3"]
    assert ishigami_sobol.ranking("y")["influential"].all()
    assert "y (sd)" in ishigami_sobol.skipped


def test_sobol_total_indices_of_the_g_function_agree_with_the_analytic_values() -> None:
    names = [f"x{i}" for i in range(len(G_A))]
    design = sample(make_problem(names, [[0, 1]] * len(G_A)), "sobol", 1024, seed=2)
    table = analyse(design, evaluate(design, g_function), seed=2).table("y")
    s1, st = g_indices()
    for name, first, total in zip(names, s1, st, strict=True):
        assert abs(table.loc[name, "S1"] - first) <= table.loc[name, "S1_conf"], name
        assert abs(table.loc[name, "ST"] - total) <= table.loc[name, "ST_conf"], name


def test_rbd_fast_first_order_indices_of_ishigami_agree_with_the_analytic_values(
        ishigami_problem) -> None:
    design = sample(ishigami_problem, "rbd-fast", 1000, seed=1)
    table = analyse(design, evaluate(design, ishigami), seed=1).table("y")
    for name, value in ISHIGAMI_S1.items():
        assert abs(table.loc[name, "S1"] - value) <= table.loc[name, "S1_conf"], name


@pytest.mark.parametrize("method, size", [("morris", 40), ("fast", 500), ("pawn", 1000)])
def test_every_method_ranks_the_influential_ishigami_parameters_above_the_dummy(
        ishigami_problem, method, size) -> None:
    design = sample(ishigami_problem, method, size, seed=1)
    result = analyse(design, evaluate(design, ishigami), seed=1)
    ranking = result.ranking("y")
    assert set(ranking.index[:2]) == {"x1", "x2"}
    assert ranking.loc[["x1", "x2"], "influential"].all()
    assert DUMMY not in ranking.index
    if method == "morris":
        assert screened(result) == {"y": ["x2", "x1", "x3"]}


@pytest.mark.slow
def test_noise_one_replicate_inflates_the_dummy_and_replicates_shrink_it(
        ishigami_problem) -> None:
    design = sample(ishigami_problem, "sobol", 512, seed=1)
    single = analyse(design, evaluate(design, noisy_ishigami, seed=5), seed=1)
    assert single.table("y").loc[DUMMY, "ST"] > 0.1
    assert any("dummy" in w for w in single.warnings)
    averaged = analyse(design, evaluate(design, noisy_ishigami, replications=20, seed=5),
                       seed=1)
    dummy = averaged.table("y").loc[DUMMY]
    assert dummy["ST"] < 0.03
    assert averaged.table("y").loc["x2", "ST"] == pytest.approx(ISHIGAMI_ST["x2"], abs=0.1)
    noise = averaged.noise.set_index("output").loc["y"]
    expected = NOISE_SD**2 / (NOISE_SD**2 + ISHIGAMI_VARIANCE)
    assert noise["noise_share"] == pytest.approx(expected, abs=0.05)
    assert noise["noise_share_of_means"] < noise["noise_share"] / 10
    assert "sd" in set(averaged.indices["statistic"])


@pytest.mark.parametrize("method, size", [("sobol", 64), ("fast", 100)])
def test_the_same_seed_gives_the_same_intervals_even_seed_0(ishigami_problem, method,
                                                           size) -> None:
    design = sample(ishigami_problem, method, size, seed=0)
    outputs = evaluate(design, noisy_ishigami, replications=2)
    first, second = (analyse(design, outputs, seed=0, resamples=50).indices for _ in range(2))
    pd.testing.assert_frame_equal(first, second)


def test_noise_share_is_the_one_way_random_effects_split() -> None:
    y = np.array([[1.0, 3.0], [5.0, 7.0]])
    # MSW = 2 (pooled, n - 1), MSB = 16, between = (16 - 2) / 2 = 7: noise 2 / (2 + 7)
    share, in_means = noise_share(y)
    assert share == pytest.approx(2.0 / 9.0)
    assert in_means == pytest.approx((2.0 / 2) / 8.0)
    assert np.isnan(noise_share(y[:, :1])[0])


@pytest.mark.parametrize("replications", [2, 4, 10])
def test_noise_share_of_pure_noise_is_one_at_any_replications(replications) -> None:
    y = np.random.default_rng(replications).normal(size=(4000, replications))
    share, in_means = noise_share(y)
    assert share == pytest.approx(1.0, abs=0.03)
    assert in_means == pytest.approx(1.0, abs=0.05)


@pytest.mark.parametrize("replications", [2, 4, 10])
def test_noise_share_of_signal_plus_noise_is_unbiased(replications) -> None:
    rng = np.random.default_rng(100 + replications)
    rows = 20000
    signal = rng.normal(0.0, 1.0, size=(rows, 1))         # variance 1 from the parameters
    y = signal + rng.normal(0.0, 1.0, size=(rows, replications))   # and 1 of noise
    share, in_means = noise_share(y)
    assert share == pytest.approx(0.5, abs=0.02)
    assert in_means == pytest.approx((1 / replications) / (1 + 1 / replications), abs=0.02)


def test_noise_share_with_undefined_runs_counts_only_the_defined_ones() -> None:
    rng = np.random.default_rng(8)
    y = rng.normal(size=(20000, 1)) + rng.normal(size=(20000, 4))
    y[rng.uniform(size=y.shape) < 0.3] = np.nan
    share, _ = noise_share(y)
    assert share == pytest.approx(0.5, abs=0.02)


def test_replications_needed_meet_the_noise_target_and_one_fewer_does_not() -> None:
    def in_means(share: float, r: int) -> float:
        return share / (share + r * (1 - share))

    for share in (0.2, 0.35, 0.5, 0.78, 0.9):
        needed = int(replications_needed(share, 0.05))
        assert in_means(share, needed) <= 0.05 + 1e-12 < in_means(share, needed - 1)
    assert replications_needed(0.5, 0.05) == 19
    assert replications_needed(1.0) == np.inf
    assert np.isnan(replications_needed(float("nan")))


@pytest.mark.parametrize("values, message", [
    (lambda n: np.where(np.arange(n) == 5, np.nan, 1.0 * np.arange(n)),
     "1 of 96 design rows have no defined run; sobol indices need every row, so they are not "
     "estimable at this design"),
    (lambda n: np.where(np.arange(n) == 5, np.inf, 1.0 * np.arange(n)), "are infinite"),
    (lambda n: np.full(n, np.nan), "undefined (NaN) in all 96 runs"),
    (lambda n: np.full(n, 3.0), "constant"),
    (lambda n: np.arange(n - 1.0), "rows, but the design has"),
])
def test_invalid_outputs_raise_a_clear_error_instead_of_zeros(ishigami_problem, values,
                                                             message) -> None:
    design = sample(ishigami_problem, "sobol", 16, seed=1)
    with pytest.raises(OutputError, match=re.escape(message)):
        analyse(design, {"bad": values(len(design.samples))})
    good = evaluate(design, ishigami)["y"]
    result = analyse(design, {"bad": values(len(design.samples)), "good": good},
                     skip_invalid=True)
    assert message in result.skipped["bad"]
    assert result.outputs == ["good"]


def test_a_doubled_sobol_design_starts_with_the_original_rows(ishigami_problem) -> None:
    for second_order in (False, True):
        design = sample(ishigami_problem, "sobol", 32, seed=4, second_order=second_order)
        bigger = extend(design)
        assert bigger.n == 64
        np.testing.assert_array_equal(bigger.samples[: len(design.samples)], design.samples)
        np.testing.assert_array_equal(bigger.prefix(32).samples, design.samples)


def test_second_order_indices_of_ishigami_find_the_x1_x3_interaction(ishigami_problem) -> None:
    design = sample(ishigami_problem, "sobol", 1024, seed=1, second_order=True)
    pairs = analyse(design, evaluate(design, ishigami), seed=1).second_order
    pairs = pairs.set_index(["parameter_1", "parameter_2"])
    assert pairs.loc[("x1", "x3"), "S2"] == pytest.approx(ISHIGAMI_ST["x3"], abs=0.1)
    assert abs(pairs.loc[("x1", "x2"), "S2"]) < 0.1


def test_convergence_narrows_the_intervals_and_stops_at_the_tolerance(ishigami_problem) -> None:
    design = sample(ishigami_problem, "sobol", 256, seed=1)
    table = convergence(design, evaluate(design, ishigami), seed=1)
    assert sorted(table["n"].unique()) == [16, 32, 64, 128, 256]
    widths = table[table["parameter"] == "x1"].groupby("n")["ST_conf"].first()
    assert widths[256] < widths[16] / 2
    loose = convergence_summary(table, tolerance=0.5).iloc[0]
    strict = convergence_summary(table, tolerance=0.01).iloc[0]
    assert loose["converged"] and loose["n_needed"] == 256
    assert not strict["converged"] and strict["n_needed"] > 256
    assert strict["n_needed"] & (strict["n_needed"] - 1) == 0


def test_report_sentence_ranks_in_plain_words(ishigami_sobol) -> None:
    text = describe(ishigami_sobol, "y")
    assert text.startswith("**x1** (corrected ST = 0.5")
    assert "matters most, then **x2**" in text
    assert "**x3**" in text and "mostly through interactions" in text


@pytest.mark.slow
def test_prim_finds_the_box_where_the_cases_are() -> None:
    rng = np.random.default_rng(0)
    x = pd.DataFrame(rng.uniform(size=(1000, 3)), columns=["a", "b", "c"])
    cases = ((x["a"] < 0.3) & (x["b"] > 0.5)).to_numpy()
    strict = discover(x, cases, density=0.95)[0]
    assert set(strict.limits) == {"a", "b"}
    assert strict.limits["a"][1] == pytest.approx(0.3, abs=0.03)
    assert strict.limits["b"][0] == pytest.approx(0.5, abs=0.03)
    assert strict.density >= 0.95 and strict.coverage > 0.9
    assert strict.words().startswith("a <= 0.3")
    lenient = discover(x, cases, density=0.8)[0]
    assert 0.8 <= lenient.density < strict.density
    assert lenient.coverage >= strict.coverage


def test_prim_never_reports_a_box_below_the_density_after_dropping_restrictions() -> None:
    """Dropping insignificant restrictions widened boxes below --density (0.6 became 0.38)."""
    reported = []
    for seed in range(10):
        rng = np.random.default_rng(seed)
        x = pd.DataFrame(rng.uniform(size=(400, 4)), columns=list("abcd"))
        share = 0.15 + 0.4 * (x["a"] < 0.5) + 0.25 * (x["b"] < 0.5)
        cases = rng.uniform(size=400) < share
        for box in discover(x, cases, density=0.6):
            assert (box.trajectory["density"] >= 0.6).any()      # the threshold was reachable
            reported.append(box.density)
            row = box.trajectory.iloc[box.chosen]
            assert row["density"] == box.density and row["coverage"] == box.coverage
    assert len(reported) >= 10 and min(reported) >= 0.6


def test_prim_refuses_a_region_with_no_cases() -> None:
    x = pd.DataFrame({"a": np.linspace(0, 1, 50), "b": np.linspace(1, 0, 50)})
    with pytest.raises(SensitivityError, match="none of the 50 runs"):
        discover(x, np.zeros(50, dtype=bool))


G8_A = (0.0, 1.0, 4.5, 9.0, 99.0, 99.0, 99.0, 99.0)
G8_NOISE_SD = 0.3


def noisy_g8(x: np.ndarray, rng: np.random.Generator) -> float:
    value = np.prod([(abs(4 * xi - 2) + a) / (1 + a) for xi, a in zip(x, G8_A, strict=True)])
    return float(value) + rng.normal(0.0, G8_NOISE_SD)


def test_dummy_corrected_total_indices_of_a_noisy_g_function_cover_the_analytic_values(
        ) -> None:
    partial = np.array([1 / (3 * (1 + a) ** 2) for a in G8_A])
    total = np.prod(1 + partial) - 1
    analytic = np.array([partial[i] * np.prod(np.delete(1 + partial, i))
                         for i in range(len(G8_A))]) / total
    names = [f"x{i}" for i in range(len(G8_A))]
    design = sample(make_problem(names, [[0, 1]] * len(G8_A)), "sobol", 1024, seed=1)
    result = analyse(design, evaluate(design, noisy_g8, replications=4, seed=1), seed=1,
                     statistics=("mean",))
    table = result.table("y")
    for name, value in zip(names, analytic, strict=True):
        assert abs(table.loc[name, "ST_corrected"] - value) <= table.loc[
            name, "ST_corrected_conf"], (name, table.loc[name], value)
    # the raw ST of the small factors carries the noise the dummy measures (about 0.05)
    assert table.loc[DUMMY, "ST"] == pytest.approx(0.046, abs=0.01)
    assert table.loc["x3", "ST"] - table.loc["x3", "ST_conf"] > 4 * analytic[3]
    assert result.main_index == "ST_corrected"
    ranking = result.ranking("y")
    assert list(ranking.index[:4]) == ["x0", "x1", "x2", "x3"]
    assert ranking.loc[["x0", "x1", "x2", "x3"], "influential"].all()
    assert not ranking.loc[["x4", "x5", "x6", "x7"], "influential"].any()


def test_efast_intervals_come_from_phase_shift_replicates_and_are_honest(
        ishigami_problem) -> None:
    """An even number of samples per parameter (SALib's bootstrap gave about 1e-15 there):
    the stated intervals cover the mean estimate of 20 independent designs about 95% of the
    time."""
    deterministic = sample(ishigami_problem, "fast", 200, seed=1)
    table = analyse(deterministic, evaluate(deterministic, ishigami), seed=1).table("y")
    assert (table.loc[["x1", "x2"], ["S1_conf", "ST_conf"]] > 1e-3).all().all()
    assert table.loc["x3", "ST_conf"] > 1e-3
    estimates, widths, sizes = [], [], []
    for seed in range(20):
        design = sample(ishigami_problem, "fast", 200, seed=seed)
        sizes.append(len(design.samples))
        table = analyse(design, evaluate(design, noisy_ishigami, seed=seed), seed=seed,
                        statistics=("mean",)).table("y").loc[["x1", "x2", "x3"]]
        estimates.append(table[["S1", "ST"]].to_numpy())
        widths.append(table[["S1_conf", "ST_conf"]].to_numpy())
    estimates, widths = np.array(estimates), np.array(widths)
    assert (widths > 1e-3).all()
    covered = np.abs(estimates - estimates.mean(axis=0)) <= widths
    assert covered.mean() >= 0.85
    assert set(sizes) == {4 * 200 * 4}            # 4 phase shifts x 200 samples x 4 columns


def test_efast_needs_two_phase_shift_replicates(ishigami_problem) -> None:
    with pytest.raises(SensitivityError, match="at least 2 phase-shift replicates"):
        sample(ishigami_problem, "fast", 100, replicates=1)


def test_pawn_labels_an_inert_parameter_influential_only_at_the_test_level(
        ishigami_problem) -> None:
    """Against one draw of the dummy an inert parameter was 'influential' in about half of
    the seeds; against the permutation floor, in about 5%."""
    def additive(x, rng):
        return float(np.sin(x[0]) + 7 * np.sin(x[1]) ** 2)      # x3 is inert

    inert, rankings = 0, []
    for seed in range(40):
        design = sample(ishigami_problem, "pawn", 200, seed=seed)
        rankings.append(analyse(design, evaluate(design, additive), seed=seed).ranking("y"))
        inert += bool(rankings[-1].loc["x3", "influential"])
    assert inert <= 6
    for ranking in rankings:
        assert ranking.loc["x2", "influential"] and ranking.loc["x2", "p_value"] < 0.01


def test_pawn_floor_uses_salib_statistic(ishigami_problem) -> None:
    from SALib.analyze import pawn

    from pppsim.sensitivity.analysis import inert_pawn_medians

    class Identity:
        def permutation(self, n):
            return np.arange(n)

    design = sample(ishigami_problem, "pawn", 300, seed=3)
    y = np.round(evaluate(design, ishigami)["y"][:, 0], 1)          # with ties
    problem = {"names": design.names, "num_vars": 4, "groups": None,
               "bounds": design.problem["bounds"]}
    salib = pawn.analyze(problem, design.samples, y, S=10)["median"]
    mine = [inert_pawn_medians(y, design.samples[:, i], 1, Identity())[0] for i in range(4)]
    np.testing.assert_allclose(mine, salib, rtol=0, atol=1e-12)


def test_sobol_output_constant_on_a_and_b_is_not_estimable(ishigami_problem) -> None:
    """Two extreme parameters can make an output vary only in the AB rows; SALib then
    reports ST = 0 ± 0 with a warning that was lost."""
    design = sample(ishigami_problem, "sobol", 16, seed=1)
    y = np.zeros(len(design.samples))
    y[1] = 1.0                                   # row 1 is the first AB row of sample 0
    with pytest.raises(OutputError, match="not estimable at N = 16"):
        analyse(design, {"rare": y})
    result = analyse(design, {"rare": y, "y": evaluate(design, ishigami)["y"]},
                     skip_invalid=True)
    assert "not estimable at N = 16" in result.skipped["rare (mean)"]
    assert result.outputs == ["y"]


def test_an_output_undefined_in_some_runs_is_analysed_as_a_named_conditional_output(
        ishigami_problem) -> None:
    design = sample(ishigami_problem, "sobol", 256, seed=1)
    outputs = evaluate(design, noisy_ishigami, replications=4, seed=2)["y"]
    undefined = outputs.copy()
    undefined[np.random.default_rng(3).uniform(size=undefined.shape) < 0.2] = np.nan
    undefined[:, 0] = outputs[:, 0]              # every design row keeps a defined run
    count = int(np.isnan(undefined).sum())
    result = analyse(design, {"y": undefined}, seed=1)
    assert result.outputs == ["y | defined"]
    assert result.sources == {"y | defined": "y"}
    noise = result.noise.set_index("output").loc["y | defined"]
    assert noise["undefined_runs"] == count and noise["runs"] == outputs.size
    assert result.undefined == [
        f"y: {count} of {outputs.size} runs ({count / outputs.size:.0%}) are undefined (NaN); "
        "analysed as 'y | defined': at each design row the mean (and SD) of the runs where "
        "it is defined"]
    assert any(w.startswith(f"y: {count} of") for w in result.warnings)
    # the indices are those of the row means over the defined runs, not of zero-filled runs
    direct = analyse(design, {"y": np.nanmean(undefined, axis=1)}, seed=1,
                     statistics=("mean",)).table("y")
    pd.testing.assert_series_equal(result.table("y | defined")["ST"], direct["ST"])
    zero_filled = analyse(design, {"y": np.nan_to_num(undefined).mean(axis=1)}, seed=1,
                          statistics=("mean",)).table("y")
    assert not np.allclose(zero_filled["ST"], direct["ST"])


def test_an_output_undefined_in_every_run_of_a_design_row_is_not_estimable(
        ishigami_problem, tmp_path) -> None:
    design = sample(ishigami_problem, "morris", 10, seed=1)
    y = evaluate(design, noisy_ishigami, replications=3, seed=2)["y"]
    y[[4, 7], :] = np.nan
    y[2, 1] = np.nan
    result = analyse(design, {"sparse": y, "y": evaluate(design, ishigami)["y"]},
                     skip_invalid=True)
    expected = ("sparse: 7 of 150 runs (5%) are undefined (NaN), and 2 of 50 design rows have "
                "no defined run; morris indices need every row, so they are not estimable at "
                "this design")
    assert result.skipped["sparse"].startswith(
        "undefined in 7 of 150 runs, and 2 of 50 design rows have no defined run; morris "
        "indices need every row, so they are not estimable at this design")
    assert result.undefined[0].startswith(expected)
    assert result.outputs == ["y"]
    assert result.noise.set_index("output").loc["sparse | defined", "undefined_runs"] == 7
    from pppsim.sensitivity.report import write_report

    write_report(result, tmp_path, title="t", plots=False)
    report = (tmp_path / "report.md").read_text()
    assert expected in report


def test_morris_overall_ranking_weighs_outputs_on_different_scales_alike(
        ishigami_problem, tmp_path) -> None:
    """x3 alone drives z, a thousand times larger than y; relative to each output's largest
    mu*, x3 leads z and x1, x2 lead y, and the dummy (read by neither) ranks last."""
    from pppsim.sensitivity.report import write_report

    def both(x, rng):
        return {"y": ishigami(x, rng), "z | defined": 1000.0 * x[2]}

    design = sample(ishigami_problem, "morris", 40, seed=1)
    result = analyse(design, evaluate(design, both), seed=1)
    ranking = overall_ranking(result)
    assert list(ranking.columns) == ["mean relative", "y", "z | defined"]
    assert ranking.loc["x3", "z | defined"] == 1.0 and ranking.loc["x1", "z | defined"] == 0.0
    assert ranking[["y", "z | defined"]].max().tolist() == [1.0, 1.0]
    assert np.allclose(ranking["mean relative"], ranking[["y", "z | defined"]].mean(axis=1))
    assert ranking.index[-1] == DUMMY and ranking.index[0] == "x3"
    write_report(result, tmp_path, title="t", plots=False)
    report = (tmp_path / "report.md").read_text()
    assert "Ranked over all outputs" in report
    # a column per output: as many cells in the header as in a row (a '|' in a name escaped)
    header = next(line for line in report.splitlines() if line.startswith("| rank |"))
    row = next(line for line in report.splitlines() if line.startswith("| 1 |"))
    assert header.replace("\\|", "").count("|") == row.count("|")
    written = pd.read_csv(tmp_path / "screening.csv")
    assert written["parameter"].tolist() == ranking.index.tolist()


def test_morris_gives_an_inert_parameter_mu_star_zero_without_noise(ishigami_problem) -> None:
    design = sample(ishigami_problem, "morris", 20, seed=1)
    table = analyse(design, evaluate(design, ishigami), seed=1).table("y")
    assert table.loc[DUMMY, "mu_star"] == 0.0 and table.loc[DUMMY, "sigma"] == 0.0
    noisy = analyse(design, evaluate(design, noisy_ishigami, seed=1), seed=1).table("y")
    assert noisy.loc[DUMMY, "mu_star"] > 0.5


def test_bar_plot_legend_swatches_have_the_bar_colours() -> None:
    from matplotlib.colors import to_rgba
    from matplotlib.figure import Figure

    from pppsim.sensitivity.plots import COLOURS, DUMMY_COLOUR, _bars
    from pppsim.sensitivity.problem import Method

    # the dummy has the largest index, so its grey bar comes first
    table = pd.DataFrame({"S1": [0.5, 0.1, 0.2], "S1_conf": [0.1] * 3, "ST": [0.9, 0.2, 0.3],
                          "ST_conf": [0.1] * 3}, index=pd.Index([DUMMY, "a", "b"],
                                                                name="parameter"))
    ax = Figure().subplots()
    _bars(ax, table, Method.SOBOL)
    swatches = {text.get_text(): handle.get_facecolor()
                for text, handle in zip(ax.get_legend().get_texts(),
                                        ax.get_legend().legend_handles, strict=True)
                if hasattr(handle, "get_facecolor")}
    assert swatches["S1"] == to_rgba(COLOURS[0])
    assert swatches["ST"] == to_rgba(COLOURS[1])
    assert to_rgba(DUMMY_COLOUR) not in (swatches["S1"], swatches["ST"])
