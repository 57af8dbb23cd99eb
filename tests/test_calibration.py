"""Calibration with uncertainty: calibration files, ABC-SMC on the engine (resumable), the
posterior's outputs, parameter draws in scenarios, the two bands, and the method's check
against a synthetic truth (slow)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import REPO, invoke

from pppsim.calibration.abc import BandDistance, Simulator, calibrate, open_history, particle_seed
from pppsim.calibration.outputs import write_outputs
from pppsim.calibration.targets import (
    PATTERN_MEASURES,
    UNDEFINED_MISS,
    CalibrationError,
    Pattern,
    assumption_parameters,
    load_calibration,
)
from pppsim.calibration.uncertainty import (
    drawn_parameters,
    load_draws,
    run_with_draws,
    two_bands,
)
from pppsim.experiment import Experiment, run_experiment
from pppsim.parameters import DEFAULTS
from pppsim.scenario import load_scenario

SHIPPED = REPO / "experiments" / "calibration" / "targets.toml"
SCREENING = REPO / "experiments" / "calibration" / "screening.toml"
TINY_SCENARIO = 'name = "Tiny"\nmonths = 30\nseed = 3\n[organisations]\nn_organisations = 20\n'


PRIORS = 'prevention_effectiveness = { low = 0.01, high = 0.3 }\nexit_threshold = "range"\n'


def tiny_calibration(folder: Path, *, generations: int = 1, top: str = "", abc: str = "",
                     priors: str = PRIORS, pattern: str = "") -> Path:
    """A calibration file of two parameters on a 20-organisation, 30-month scenario."""
    (folder / "tiny.toml").write_text(TINY_SCENARIO)
    path = folder / "cal.toml"
    path.write_text(f"""{top}
name = "tiny"
scenario = "tiny.toml"
seed = 5
[abc]
population = 4
generations = {generations}
replications = 1
predictive_draws = 3
{abc}
[[pattern]]
name = "harm_reduction"
role = "target"
low = 0.02
high = 0.3
source = "a band for the test"
[[pattern]]
name = "negotiation_failure_share"
role = "check"
low = 0.0
high = 0.5
source = "a check for the test"
{pattern}
[priors]
{priors}""")
    return path


# --- calibration files --------------------------------------------------------------------
# Where the schema's allowed range is only a sanity limit, orders of magnitude wider than
# plausible: a tenth to four times the default.
SANITY_LIMITED = {"prevention_effectiveness": (0.005, 0.2), "priority_shift_hazard": (0.0, 0.003),
                  "favouritism_legitimacy_cost": (0.0, 0.032), "initiation_rate": (0.002, 0.08),
                  "trust_build_rate": (0.004, 0.16), "exit_patience_months": (1.0, 24.0),
                  "harm_adaptation_rate": (0.0, 0.12)}


def candidate_spec(*, whole_ranges: bool = False):
    """The shipped calibration with every candidate of the screening as a prior (the
    forty-odd priors the kernel tests are about), on the screening's ranges or on the whole
    allowed ranges of the schema (narrowed where those are only sanity limits)."""
    from dataclasses import replace

    from pppsim.calibration.targets import Prior
    from pppsim.experiment.files import load_experiment
    from pppsim.parameters import allowed_range

    factors = load_experiment(SCREENING).factors
    def bounds(factor):
        if not whole_ranges:
            return factor.low, factor.high
        return SANITY_LIMITED.get(factor.name, allowed_range(factor.name))

    priors = tuple(Prior(f.name, *map(float, bounds(f))) for f in factors)
    return replace(load_calibration(SHIPPED), priors=priors)


def test_shipped_file_loads_with_targets_checks_and_screened_priors():
    spec = load_calibration(SHIPPED)
    assert {p.name for p in spec.targets} >= {"early_end_share", "failure_hazard_ratio",
                                              "harm_reduction"}
    assert spec.checks, "independent checks are kept aside"
    # every assumption is a candidate of the screening, and the priors are screened candidates
    screened = {p.name for p in candidate_spec().priors}
    assert set(assumption_parameters()) <= screened
    assert {p.name for p in spec.priors} < screened
    quick = spec.quick_mode()
    assert quick.abc.population < spec.abc.population and quick.months <= spec.months
    assert quick.fingerprint != spec.fingerprint


def _pattern(name: str, role: str = "check", low: float = 0.1, high: float = 0.2,
             source: str = 'source = "x"') -> str:
    return (f'[[pattern]]\nname = "{name}"\nrole = "{role}"\nlow = {low}\nhigh = {high}\n'
            f"{source}\n")


@pytest.mark.parametrize(("where", "text", "fragment"), [
    ("top", "bogus = 1", "unknown key 'bogus'"),
    ("top", "months = 0", "months = 0 is not allowed"),
    ("abc", "populaton = 3", "unknown key 'populaton' in [abc]; did you mean 'population'"),
    ("abc", "quantile = 1.5", "quantile = 1.5 is not allowed"),
    ("abc", "transition_scaling = 0.0", "transition_scaling = 0.0 is not allowed"),
    ("abc", "epsilon = [1.0, 2.0]", "decreasing"),
    ("abc", 'epsilon = "median"', "epsilon = 'median' is not allowed"),
    ("abc", "seed = 3", "unknown key 'seed' in [abc]"),
    ("priors", 'exit_treshold = "range"', "unknown parameter 'exit_treshold'"),
    ("priors", "join_threshold = { low = 0.5, high = 9.0 }", "allowed range"),
    ("priors", 'trusted_intermediary = "range"', "is a switch"),
    ("priors", "join_threshold = 0.4", 'must be "range"'),
    ("priors", "join_threshold = { low = 0.5, hi = 0.9 }", "unknown key 'hi'"),
    ("priors", 'grant_share = "range"\nstructural_share = "range"', "add up"),
    ("priors", "", "[priors] is empty"),
    ("pattern", _pattern("harm_reduction", "target"), "listed twice"),
    ("pattern", _pattern("lifespan"), "unknown pattern 'lifespan'"),
    ("pattern", _pattern("failure_share", "fit"), "role = 'fit' is not allowed"),
    ("pattern", _pattern("failure_share", low=0.3), "must be below high"),
    ("pattern", _pattern("failure_share", source=""), "'source' is missing"),
    ("pattern", _pattern("failure_share", high='"0.5"'), "high must be a number"),
    ("pattern", _pattern("failure_share", low="nan"), "expected a finite number"),
])
def test_bad_calibration_files_end_in_one_line_and_exit_2(tmp_path, where, text, fragment):
    path = tiny_calibration(tmp_path, **{where: text})
    with pytest.raises(CalibrationError) as error:
        load_calibration(path)
    assert fragment in str(error.value) and "\n" not in str(error.value)
    result = invoke("calibrate", path, "--out", tmp_path / "out")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and fragment in result.stderr
    assert not (tmp_path / "out").exists()


def test_missing_scenario_and_no_target_are_refused(tmp_path):
    path = tiny_calibration(tmp_path)
    path.write_text(path.read_text().replace('scenario = "tiny.toml"', 'scenario = "no.toml"'))
    with pytest.raises(CalibrationError, match="no such file"):
        load_calibration(path)
    path = tiny_calibration(tmp_path)
    path.write_text(path.read_text().replace('role = "target"', 'role = "check"'))
    with pytest.raises(CalibrationError, match="at least one target"):
        load_calibration(path)


# --- the pieces of ABC ----------------------------------------------------------------------
def test_band_distance_is_zero_inside_and_grows_with_the_miss_in_band_widths():
    target = Pattern("harm_reduction", "target", 0.05, 0.15, "s")
    distance = BandDistance((target,))
    assert distance({"harm_reduction": 0.1}, {}) == 0.0
    assert distance({"harm_reduction": 0.25}, {}) == pytest.approx(1.0)
    assert distance({"harm_reduction": 0.0}, {}) == pytest.approx(0.5)
    assert distance({"harm_reduction": float("nan")}, {}) == pytest.approx(UNDEFINED_MISS)


def test_failure_hazard_ratio_pools_runs():
    runs = pd.DataFrame({**{f"at_risk_year_{y}": [50, 50] for y in range(1, 6)},
                         **{f"failed_year_{y}": [5, 5] for y in range(1, 4)},
                         **{f"failed_year_{y}": [1, 2] for y in range(4, 6)}})
    ratio = PATTERN_MEASURES["failure_hazard_ratio"][0](runs)
    assert ratio == pytest.approx((6 / 200) / (30 / 300))


def test_particle_seed_is_a_function_of_seed_values_and_replication():
    params = {"exit_threshold": 0.4, "goal_months": 72}
    assert particle_seed(1, params, 0) == particle_seed(1, dict(reversed(params.items())), 0)
    seeds = {particle_seed(1, params, 0), particle_seed(2, params, 0),
             particle_seed(1, params, 1), particle_seed(1, params | {"goal_months": 73}, 0)}
    assert len(seeds) == 4


def test_a_particle_is_re_simulated_exactly_from_its_seed(tmp_path):
    spec = load_calibration(tiny_calibration(tmp_path))
    simulator = Simulator(spec.base_parameters(), spec.priors, spec.patterns, spec.months, 2,
                          spec.seed)
    particle = {"prevention_effectiveness": 0.1, "exit_threshold": 0.5}
    first, second = simulator(particle), simulator(particle)
    assert json.dumps(first) == json.dumps(second)
    other = simulator({**particle, "exit_threshold": 0.2})
    assert other != first


# --- calibrate end to end -------------------------------------------------------------------
def test_calibrate_writes_every_output_and_resumes_after_the_last_generation(tmp_path):
    path = tiny_calibration(tmp_path, generations=1)
    folder = tmp_path / "out"
    result = invoke("calibrate", path, "--out", folder, "--workers", "1")
    assert result.returncode == 0, result.stderr
    for name in ("posterior.csv", "generations.csv", "parameters.csv", "predictive.csv",
                 "marginals.png", "pairs.png", "summary.md", "calibration.db"):
        assert (folder / name).is_file(), name
    posterior = pd.read_csv(folder / "posterior.csv")
    assert len(posterior) == 4 and posterior["weight"].sum() == pytest.approx(1.0)
    first = posterior.copy()
    predictive = pd.read_csv(folder / "predictive.csv")
    assert set(predictive["role"]) == {"target", "check"}
    summary = (folder / "summary.md").read_text()
    assert "pin down" in summary and "independent check" in summary
    # the point for the defaults: the particles of highest weight (all 4 here, the default
    # being 20) and the posterior mean, each run afresh, one of them chosen, the closest
    point = pd.read_csv(folder / "point.csv")
    assert list(point["candidate"])[-1] == "posterior mean" and len(point) == 5
    assert point["chosen"].sum() == 1
    assert point.loc[point["chosen"], "distance"].iloc[0] == point["distance"].min()
    assert "A point for the defaults" in summary
    # a second generation continues the same history: generation 0 unchanged, one more added
    result = invoke("calibrate", path, "--out", folder, "--workers", "1", "--generations", "2")
    assert result.returncode == 0, result.stderr
    history = open_history(folder)
    assert history.max_t == 1
    frame, _ = history.get_distribution(m=0, t=0)
    assert sorted(frame["exit_threshold"]) == pytest.approx(
        sorted(pd.read_csv(folder / "posterior.csv").pipe(lambda _: first)["exit_threshold"]))
    generations = pd.read_csv(folder / "generations.csv")
    assert list(generations["generation"]) == [0, 1]
    assert ((generations["acceptance_rate"] > 0) & (generations["acceptance_rate"] <= 1)).all()


def test_one_worker_calibration_is_reproducible_from_its_seed(tmp_path):
    path = tiny_calibration(tmp_path)
    spec = load_calibration(path)
    calibrate(spec, tmp_path / "a", workers=1)
    calibrate(spec, tmp_path / "b", workers=1)
    a = open_history(tmp_path / "a").get_distribution(m=0, t=0)[0]
    b = open_history(tmp_path / "b").get_distribution(m=0, t=0)[0]
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))


def test_a_folder_of_another_calibration_is_refused(tmp_path):
    path = tiny_calibration(tmp_path)
    calibrate(load_calibration(path), tmp_path / "out", workers=1)
    path.write_text(path.read_text().replace("seed = 5", "seed = 6"))
    result = invoke("calibrate", path, "--out", tmp_path / "out", "--workers", "1")
    assert result.returncode == 2 and "holds another calibration" in result.stderr


def test_a_calibration_made_with_other_numerics_is_not_resumed(tmp_path):
    from pppsim.numerics import fingerprint

    path = tiny_calibration(tmp_path)
    calibrate(load_calibration(path), tmp_path / "out", workers=1)
    definition = tmp_path / "out" / "calibration.json"
    stored = json.loads(definition.read_text())
    assert stored["numerics"] == fingerprint()
    # as if started on a machine of another kind
    definition.write_text(json.dumps(stored | {"numerics": "0123456789ab"}))
    result = invoke("calibrate", path, "--out", tmp_path / "out", "--workers", "1")
    assert result.returncode == 2, result.stderr
    assert (f"its runs were made with numerics 0123456789ab, the workers now compute with "
            f"{fingerprint()}") in result.stderr
    assert result.stderr.count("\n") == 1


# --- parameter draws --------------------------------------------------------------------------
def write_posterior(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"prevention_effectiveness": [0.02, 0.2], "goal_months": [30, 90],
                  "weight": [0.25, 0.75]}).to_csv(folder / "posterior.csv", index=False)
    return folder


def test_draws_are_seeded_weighted_and_typed(tmp_path):
    draws = load_draws("posterior", write_posterior(tmp_path / "post"))
    first = draws.draw(400, seed=3)
    assert first == draws.draw(400, seed=3) and first != draws.draw(400, seed=4)
    assert all(isinstance(d["goal_months"], int) for d in first)
    share = np.mean([d["prevention_effectiveness"] == 0.2 for d in first])
    assert 0.68 < share < 0.82
    prior = load_draws("prior", SHIPPED)
    values = [d["exit_threshold"] for d in prior.draw(200, seed=1)]
    # uniform on the shipped prior 0.25-0.65: SD 0.4 / sqrt(12) = 0.115
    assert min(values) >= 0.25 and max(values) <= 0.65 and 0.09 < np.std(values) < 0.14


def test_a_scenarios_own_values_win_over_a_draw():
    params = DEFAULTS | {"prevention_effectiveness": 0.4}
    drawn = drawn_parameters(params, {"prevention_effectiveness": 0.01, "goal_months": 30})
    assert drawn["prevention_effectiveness"] == 0.4 and drawn["goal_months"] == 30


@pytest.mark.parametrize(("table", "fragment"), [
    ('posterior = "nowhere"', "no posterior.csv"),
    ('posterior = "post"\nprior = "x.toml"', "exactly one"),
    ('likelihood = "post"', "unknown key 'likelihood'"),
    ('[uncertainty.posterior]', "must be a path"),
    ("posterior = 3", "must be a path"),
])
def test_bad_uncertainty_tables_end_in_one_line(tmp_path, table, fragment):
    write_posterior(tmp_path / "post")
    scenario = tmp_path / "s.toml"
    scenario.write_text(f'name = "S"\n[uncertainty]\n{table}\n')
    result = invoke("patterns", scenario, "--replications", "2")
    assert result.returncode == 2 and fragment in result.stderr
    assert result.stderr.count("\n") == 1


def test_bad_posterior_files_are_refused(tmp_path):
    folder = write_posterior(tmp_path / "post")
    pd.DataFrame({"exit_threshold": [2.0], "weight": [1.0]}).to_csv(folder / "posterior.csv",
                                                                      index=False)
    with pytest.raises(CalibrationError, match="exit_threshold must hold numbers"):
        load_draws("posterior", folder)
    pd.DataFrame({"nonsense": [0.1], "weight": [1.0]}).to_csv(folder / "posterior.csv",
                                                               index=False)
    with pytest.raises(CalibrationError, match="unknown parameter column"):
        load_draws("posterior", folder)


def test_draws_are_common_across_scenarios_and_replications_differ(tmp_path):
    draws = load_draws("posterior", write_posterior(tmp_path / "post"))
    experiment = Experiment.from_points(
        [{"n_organisations": 30}, {"n_organisations": 30, "legal_barrier": 0.9}],
        replications=6, months=36, seed=2, outputs=["harm_prevented", "information_shared"])
    drawn = run_with_draws(experiment, draws, tmp_path / "drawn", workers=1)
    fixed = run_experiment(experiment, tmp_path / "fixed", workers=1)
    # the same draw in replication k of both points: re-running point 0 alone at draw k
    # with the same seed gives the same numbers
    again = run_with_draws(Experiment.from_points(
        [{"n_organisations": 30}], replications=6, months=36, seed=2,
        outputs=["harm_prevented", "information_shared"]), draws, tmp_path / "again",
        workers=1)
    first = drawn[drawn["point"] == 0].sort_values("replication")["harm_prevented"].to_numpy()
    assert np.array_equal(first, again.sort_values("replication")["harm_prevented"].to_numpy())
    assert not np.array_equal(first, fixed[fixed["point"] == 0].sort_values(
        "replication")["harm_prevented"].to_numpy())
    bands = two_bands(fixed, drawn, ["harm_prevented"], ["a", "b"])
    assert list(bands["quantity"]) == ["level", "level", "difference from a"]
    assert ((bands["parameter_share"] >= 0) & (bands["parameter_share"] <= 1)).all()


def test_two_bands_attributes_the_extra_spread_to_parameters():
    rng = np.random.default_rng(0)
    n = 400
    chance = rng.normal(0, 1, n)
    fixed = pd.DataFrame({"point": 0, "replication": range(n), "y": chance})
    drawn = pd.DataFrame({"point": 0, "replication": range(n),
                          "y": rng.normal(0, 1, n) + rng.normal(0, np.sqrt(3), n)})
    row = two_bands(fixed, drawn, ["y"], ["s"]).iloc[0]
    assert row["parameter_share"] == pytest.approx(0.75, abs=0.08)
    assert row["total_high"] - row["total_low"] > 1.6 * (row["chance_high"] - row["chance_low"])


def test_compare_with_uncertainty_reports_two_bands_and_one_sentence(tmp_path):
    write_posterior(tmp_path / "post")
    (tmp_path / "a.toml").write_text('name = "A"\nmonths = 36\n[organisations]\n'
                                     'n_organisations = 30\n[uncertainty]\n'
                                     'posterior = "post"\n')
    (tmp_path / "b.toml").write_text('name = "B"\nbase = "a.toml"\n[information_sharing]\n'
                                     'legal_barrier = 0.9\n')
    result = invoke("compare", tmp_path / "a.toml", tmp_path / "b.toml", "--replications",
                    "4", "--workers", "1", "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    bands = pd.read_csv(tmp_path / "out" / "uncertainty.csv")
    assert {"chance_low", "total_high", "parameter_share"} <= set(bands.columns)
    html = (tmp_path / "out" / "report.html").read_text()
    assert 'id="uncertainty-sentence">About ' in html
    assert "between B and A comes from not knowing" in html
    assert "comes from not knowing the model's uncertain parameters" in result.stdout


def test_scenarios_with_different_uncertainty_sources_are_refused(tmp_path):
    write_posterior(tmp_path / "post")
    (tmp_path / "a.toml").write_text('name = "A"\n[uncertainty]\nposterior = "post"\n')
    (tmp_path / "b.toml").write_text(f'name = "B"\n[uncertainty]\nprior = "{SHIPPED}"\n')
    assert load_scenario(tmp_path / "b.toml").uncertainty.kind == "prior"
    result = invoke("compare", tmp_path / "a.toml", tmp_path / "b.toml", "--replications",
                    "2", "--out", tmp_path / "out")
    assert result.returncode == 2 and "different sources" in result.stderr
    assert not (tmp_path / "out").exists()


def test_claims_under_a_posterior_count_draws(tmp_path):
    from pppsim.claims import CLAIMS, Mode, claims_under_uncertainty, robustness_table

    draws = load_draws("posterior", write_posterior(tmp_path / "post"))
    per_draw = claims_under_uncertainty(draws, 2, Mode("tiny", 3, 12), claims=CLAIMS[3:4],
                                        seed=1, out=tmp_path / "claims", workers=1)
    table = robustness_table(per_draw)
    assert list(table.index) == [4] and int(table.loc[4, "draws"]) == 2
    assert 0 <= table.loc[4, "share"] <= 1
    assert (tmp_path / "claims" / "draw-1").is_dir()


def test_claims_under_a_posterior_stop_on_failed_runs_and_retry_completes(tmp_path,
                                                                        monkeypatch):
    """A draw's claims are judged on all its replications or not at all: a failed run stops
    the check with one line naming the draw's folder; retry_failed re-runs it."""
    from pppsim.claims import CLAIMS, Mode, claims_under_uncertainty
    from pppsim.errors import OutputError
    from pppsim.model.model import PartnershipModel

    draws = load_draws("posterior", write_posterior(tmp_path / "post"))
    tiny, out = Mode("tiny", 2, 2), tmp_path / "claims"

    def broken(self):
        raise RuntimeError("model broke")

    monkeypatch.setattr(PartnershipModel, "step", broken)
    with pytest.raises(OutputError, match=r"draw-0.* did not finish \(first: .*model broke"):
        claims_under_uncertainty(draws, 1, tiny, claims=CLAIMS[3:4], seed=1, out=out,
                                 workers=1)
    monkeypatch.undo()
    with pytest.raises(OutputError, match="--retry-failed"):  # resumed, the failures kept
        claims_under_uncertainty(draws, 1, tiny, claims=CLAIMS[3:4], seed=1, out=out,
                                 workers=1)
    per_draw = claims_under_uncertainty(draws, 1, tiny, claims=CLAIMS[3:4], seed=1, out=out,
                                        workers=1, retry_failed=True)
    assert per_draw["claim"].tolist() == [4] and per_draw["draw"].tolist() == [0]


# --- the method against a synthetic truth -----------------------------------------------------
@pytest.mark.slow
def test_posterior_covers_a_synthetic_truth(tmp_path):
    """Simulate the model at known values, make its patterns the targets (bands of two
    standard errors around them), calibrate from wide priors and check the posterior's 95%
    interval covers the truth and is narrower than the prior where the patterns inform."""
    truth = {"prevention_effectiveness": 0.08, "exit_threshold": 0.45}
    scenario = 'name = "Synthetic"\nmonths = 72\nseed = 11\n[organisations]\n' \
               'n_organisations = 30\n'
    (tmp_path / "s.toml").write_text(scenario)
    experiment = Experiment.from_points([truth], base=load_scenario(tmp_path / "s.toml"),
                                        replications=24, seed=99, months=72)
    runs = run_experiment(experiment, tmp_path / "truth", workers=2)
    patterns = {}
    for name in ("harm_reduction", "early_end_share", "failure_share"):
        values = runs[name].to_numpy(dtype=float)
        values = values[np.isfinite(values)]
        centre, error = values.mean(), values.std(ddof=1) / np.sqrt(2)  # 2 runs per particle
        patterns[name] = (centre - 2 * error, centre + 2 * error)
    blocks = "".join(f'[[pattern]]\nname = "{n}"\nrole = "target"\nlow = {lo}\nhigh = {hi}\n'
                     f'source = "synthetic truth"\n' for n, (lo, hi) in patterns.items())
    path = tmp_path / "cal.toml"
    path.write_text(f'name = "synthetic"\nscenario = "s.toml"\nseed = 4\n[abc]\n'
                    f'population = 24\ngenerations = 4\nreplications = 2\n'
                    f'predictive_draws = 4\n{blocks}[priors]\n'
                    'prevention_effectiveness = { low = 0.0, high = 0.3 }\n'
                    'exit_threshold = { low = 0.1, high = 0.9 }\n')
    spec = load_calibration(path)
    calibrate(spec, tmp_path / "cal", workers=1)  # one worker: reproducible from the seed
    outputs = write_outputs(spec, tmp_path / "cal", command="test", workers=2)
    posterior = outputs["posterior"]
    from pyabc.weighted_statistics import weighted_quantile

    for name, value in truth.items():
        low = weighted_quantile(posterior[name].to_numpy(), posterior["weight"].to_numpy(),
                                alpha=0.025)
        high = weighted_quantile(posterior[name].to_numpy(), posterior["weight"].to_numpy(),
                                 alpha=0.975)
        assert low <= value <= high, (name, low, high)
    widths = outputs["parameters"].set_index("parameter")["width_ratio"]
    # the harm reduction informs prevention_effectiveness: its 95% interval is clearly narrower
    # than the prior's (0.54 of it with this seed; 0.42 before the model's state was held in
    # arrays, whose runs of 30 organisations are a little noisier at 2 runs per particle)
    assert widths["prevention_effectiveness"] < 0.6


def _share_of_proposals_inside_the_priors(spec, scaling: float) -> float:
    """Fit pyabc's proposal kernel to a generation drawn from the priors, as generation 1
    does, and return the share of its proposals that stay inside every prior's range."""
    import pyabc

    rng = np.random.default_rng(3)
    lows = np.array([p.low for p in spec.priors])
    highs = np.array([p.high for p in spec.priors])
    names = [p.name for p in spec.priors]
    generation = pd.DataFrame(rng.uniform(lows, highs, size=(spec.abc.population, len(names))),
                              columns=names)
    kernel = pyabc.MultivariateNormalTransition(scaling=scaling)
    kernel.fit(generation, np.full(len(generation), 1 / len(generation)))
    np.random.seed(3)  # pyabc's kernels draw from numpy's global generator
    proposals = kernel.rvs(400)[names].to_numpy()
    return float(np.mean(np.all((proposals >= lows) & (proposals <= highs), axis=1)))


def _effective_share(spec, scaling: float, draws: int = 300) -> float:
    """Effective sample size over draws of a generation proposed by pyabc's kernel, fitted to
    an evenly weighted generation drawn from the priors (on [0, 1], as the calibration samples)
    and kept inside the prior box: the weights are prior over kernel density."""
    import pyabc

    names = [p.name for p in spec.priors]
    rng = np.random.default_rng(4)
    generation = pd.DataFrame(rng.uniform(0, 1, size=(spec.abc.population, len(names))),
                              columns=names)
    kernel = pyabc.MultivariateNormalTransition(scaling=scaling)
    kernel.fit(generation, np.full(len(generation), 1 / len(generation)))
    np.random.seed(4)
    kept = pd.DataFrame(columns=names)
    while len(kept) < draws:
        proposals = kernel.rvs(2000)
        inside = proposals[((proposals >= 0) & (proposals <= 1)).all(axis=1)]
        kept = pd.concat([kept, inside]) if len(kept) else inside
    kept = kept.iloc[:draws]
    weights = 1 / np.array([kernel.pdf(kept.iloc[i]) for i in range(draws)])
    weights /= weights.sum()
    return float(1 / np.sum(weights ** 2) / draws)


def test_proposal_kernel_scaling_keeps_proposals_inside_the_priors():
    """With forty-odd uniform priors (every screened candidate), pyabc's default kernel
    proposes outside the prior box nearly always (a generation then never fills) and a
    scaling of 0.04 keeps a workable share inside."""
    candidates = candidate_spec()
    assert len(candidates.priors) >= 30
    assert _share_of_proposals_inside_the_priors(candidates, 1.0) < 0.02
    assert _share_of_proposals_inside_the_priors(candidates, 0.04) > 0.1


def test_shipped_kernel_keeps_the_importance_weights_even():
    """Over the shipped file's twelve priors a kernel at pyabc's own width gives weights so
    uneven that the effective sample size is a fraction of the population (a quarter width:
    almost none); the shipped scaling keeps it above half, while still proposing inside the
    prior box often enough to be cheap."""
    spec = load_calibration(SHIPPED)
    assert _effective_share(spec, 0.25) < 0.05
    assert _effective_share(spec, 1.0) < 0.25
    assert _effective_share(spec, spec.abc.transition_scaling) > 0.5
    assert _share_of_proposals_inside_the_priors(spec, spec.abc.transition_scaling) > 0.005


def test_kernel_densities_stay_positive_on_the_unit_scale_where_raw_values_underflow():
    """pyabc weighs a particle by prior density over kernel density, in linear space. On the
    parameters' own scales (whole allowed ranges, from 0-0.003 to 6-240 months) the kernel
    density of most proposals underflows to 0 over forty parameters, and the generation's
    weights become NaN; the calibration samples every parameter on [0, 1], where every
    density is positive."""
    import pyabc

    spec = candidate_spec(whole_ranges=True)
    names = [p.name for p in spec.priors]
    lows = np.array([p.low for p in spec.priors])
    highs = np.array([p.high for p in spec.priors])
    rng = np.random.default_rng(1)

    def positive_share(generation: pd.DataFrame) -> float:
        kernel = pyabc.MultivariateNormalTransition(scaling=0.04)
        kernel.fit(generation, np.full(len(generation), 1 / len(generation)))
        np.random.seed(2)
        proposals = kernel.rvs(100)
        return float(np.mean([kernel.pdf(proposals.iloc[i]) > 0 for i in range(100)]))

    raw = pd.DataFrame(rng.uniform(lows, highs, size=(100, len(names))), columns=names)
    unit = pd.DataFrame(rng.uniform(0, 1, size=(100, len(names))), columns=names)
    assert positive_share(raw) < 0.5
    assert positive_share(unit) == 1.0
    prior = spec.priors[0]
    assert prior.from_unit(0.0) == prior.cast(prior.low)
    assert prior.from_unit(1.0) == prior.cast(prior.high)


def test_the_patterns_table_takes_its_roles_from_the_shipped_calibration_file():
    from pppsim.validation import CHECK, TARGET, roles

    spec = load_calibration(SHIPPED)
    expected = {("median_months" if p.name == "median_lifetime_months" else p.name):
                (TARGET if p.role == "target" else CHECK)
                for p in spec.patterns if p.name != "failure_hazard_ratio"}
    assert roles() == expected


def test_a_posterior_is_named_by_a_plain_path(tmp_path, monkeypatch):
    """The sentences that name the posterior show it without '..' steps, relative to the
    current folder when it lies inside it."""
    scenario = load_scenario(REPO / "scenarios" / "baseline_uncertain.toml")
    monkeypatch.chdir(REPO)
    assert scenario.uncertainty.shown_path == "experiments/calibration/posterior"
    monkeypatch.chdir(tmp_path)
    assert scenario.uncertainty.shown_path == str(REPO / "experiments" / "calibration"
                                                  / "posterior")
