"""One sampler module: sweep designs and sensitivity designs draw the same rows by one rule."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pppsim.experiment import load_experiment
from pppsim.experiment.design import DesignError, DesignKind, Factor, sample_points
from pppsim.sampling import SamplingError, replicate_seeds, sample_matrix
from pppsim.sensitivity import SensitivityError, make_problem, sample
from pppsim.sensitivity.study import prepare

ROOT = Path(__file__).resolve().parent.parent
FACTORS = [Factor("legal_barrier", low=0.2, high=0.6), Factor("governance", low=0.0, high=1.0),
           Factor("initial_trust", low=0.3, high=0.7)]
KINDS = {"lhs": ("rbd-fast", 40), "sobol": ("sobol", 8), "morris": ("morris", 3),
         "fast": ("fast", 70)}


def _sensitivity_rows(kind: str, seed: int, **options) -> np.ndarray:
    method, n = KINDS[kind]
    problem = make_problem([f.name for f in FACTORS], [[f.low, f.high] for f in FACTORS],
                           dummy=False)
    return sample(problem, method, n, seed=seed, **options).samples


@pytest.mark.parametrize("kind", list(KINDS))
def test_sweep_and_sensitivity_designs_give_the_same_points(kind) -> None:
    n = KINDS[kind][1]
    sweep = sample_points(FACTORS, DesignKind(kind), samples=n, seed=9)
    rows = _sensitivity_rows(kind, 9)
    if kind == "fast":
        # the sensitivity design stacks 4 phase shifts; the first is the sweep's design
        assert len(rows) == 4 * len(sweep)
        rows = rows[: len(sweep)]
    values = np.array([[p[f.name] for f in FACTORS] for p in sweep])
    np.testing.assert_array_equal(values, rows)


def test_second_order_sobol_points_agree_too() -> None:
    sweep = sample_points(FACTORS, DesignKind.SOBOL, samples=8, seed=2, second_order=True)
    rows = _sensitivity_rows("sobol", 2, second_order=True)
    np.testing.assert_array_equal(np.array([[p[f.name] for f in FACTORS] for p in sweep]), rows)


@pytest.mark.parametrize("kind, method", [("sobol", "sobol"), ("morris", "morris"),
                                          ("lhs", "rbd-fast")])
def test_a_sweep_and_a_sensitivity_study_of_one_file_run_the_same_points(tmp_path, kind,
                                                                         method) -> None:
    path = tmp_path / "design.toml"
    samples = {"sobol": 8, "morris": 3, "lhs": 30}[kind]
    path.write_text(f"""
scenario = "{ROOT / 'scenarios' / 'baseline.toml'}"
months = 12
seed = 4
[design]
kind = "{kind}"
samples = {samples}
seed = 21
[vary]
legal_barrier = {{ low = 0.1, high = 0.9 }}
n_organisations = {{ low = 20, high = 40 }}
""")
    experiment = load_experiment(path)
    study = prepare(experiment, tmp_path / "study", method=method, dummy=False)
    assert [p.params for p in study.experiment.points] == [p.params for p in
                                                           experiment.points]


@pytest.mark.parametrize("kind, samples, message", [
    ("sobol", 12, "a sobol design needs samples = a power of 2, got 12"),
    ("morris", 1, "a morris design needs samples >= 2 trajectories, got 1"),
    ("fast", 64, "a fast design needs samples > 64 (4 M^2 with interference M = 4), got 64"),
    ("sobol", 0, "a sobol design needs samples = a positive int, got 0"),
])
def test_sweep_and_sensitivity_refuse_a_size_by_the_same_rule(kind, samples, message) -> None:
    with pytest.raises(DesignError) as sweep:
        sample_points(FACTORS, DesignKind(kind), samples=samples, seed=1)
    problem = make_problem([f.name for f in FACTORS], [[f.low, f.high] for f in FACTORS])
    with pytest.raises(SensitivityError) as study:
        sample(problem, KINDS[kind][0], samples, seed=1)
    assert str(sweep.value) == str(study.value) == message


def test_morris_refuses_normal_factors_in_both() -> None:
    normal = [Factor("legal_barrier", mean=0.5, sd=0.1), FACTORS[1]]
    with pytest.raises(DesignError, match="a morris design needs uniform ranges"):
        sample_points(normal, DesignKind.MORRIS, samples=4)
    problem = make_problem(["legal_barrier", "governance"], [[0, 1, 0.5, 0.1], [0, 1]],
                           ["truncnorm", "unif"])
    with pytest.raises(SensitivityError, match="a morris design needs uniform ranges"):
        sample(problem, "morris", 4)


def test_phase_shift_replicates_differ_and_start_with_the_single_design() -> None:
    problem = {"names": ["a", "b"], "bounds": [[0, 1], [0, 1]]}
    single = sample_matrix(problem, "fast", 80, seed=5)
    stacked = sample_matrix(problem, "fast", 80, seed=5, replicates=3)
    assert stacked.shape == (3 * 80 * 2, 2)
    np.testing.assert_array_equal(stacked[:160], single)
    assert not np.array_equal(stacked[160:320], single)
    assert replicate_seeds(5, 3)[0] == 5 and len(set(replicate_seeds(5, 3))) == 3
    with pytest.raises(SamplingError, match="takes no phase-shift replicates"):
        sample_matrix(problem, "sobol", 8, replicates=2)
