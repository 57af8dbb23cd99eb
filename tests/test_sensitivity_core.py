"""The model-agnostic sensitivity core on functions whose indices are known analytically."""

from __future__ import annotations

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
    sample,
)
from pppsim.sensitivity.discovery import discover
from pppsim.sensitivity.report import describe, screened

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


def test_noise_share_splits_variance_exactly() -> None:
    y = np.array([[1.0, 3.0], [5.0, 7.0]])
    share, in_means = noise_share(y)
    assert share == pytest.approx(1.0 / 5.0)
    assert in_means == pytest.approx((2.0 / 2) / 8.0)
    assert np.isnan(noise_share(y[:, :1])[0])


@pytest.mark.parametrize("values, message", [
    (lambda n: np.where(np.arange(n) == 5, np.nan, 1.0 * np.arange(n)), "NaN or infinite"),
    (lambda n: np.where(np.arange(n) == 5, np.inf, 1.0 * np.arange(n)), "NaN or infinite"),
    (lambda n: np.full(n, 3.0), "constant"),
    (lambda n: np.arange(n - 1.0), "rows, but the design has"),
])
def test_invalid_outputs_raise_a_clear_error_instead_of_zeros(ishigami_problem, values,
                                                             message) -> None:
    design = sample(ishigami_problem, "sobol", 16, seed=1)
    with pytest.raises(OutputError, match=message):
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
    assert text.startswith("**x1** (ST = 0.5")
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


def test_prim_refuses_a_region_with_no_cases() -> None:
    x = pd.DataFrame({"a": np.linspace(0, 1, 50), "b": np.linspace(1, 0, 50)})
    with pytest.raises(SensitivityError, match="none of the 50 runs"):
        discover(x, np.zeros(50, dtype=bool))
