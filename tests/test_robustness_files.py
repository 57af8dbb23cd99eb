"""Robustness experiment files: what they produce, paired seeds, and one-line errors (exit 2)
for bad ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO

from pppsim.cli import main
from pppsim.experiment import ExperimentError
from pppsim.experiment.seeds import RandomNumbers, run_seed
from pppsim.robustness import load_robustness
from pppsim.scenario import ScenarioError

READY = REPO / "experiments" / "robustness_instruments.toml"
BASELINE = REPO / "scenarios" / "baseline.toml"
VALID = f"""name = "Small"
scenario = "{BASELINE}"
months = 24
seed = 3
replications = 2

[fixed]
n_organisations = 20

[futures]
samples = 5
seed = 9

[uncertainties]
opportunism_mean = {{ low = 0.1, high = 0.4, label = "opportunism" }}
legal_barrier = {{ low = 0.2, high = 0.7 }}

[[policy]]
name = "Current practice"

[[policy]]
name = "Data platform"
levers = {{ platform_share = 1.0 }}

[[policy]]
name = "Structural funding"
scenario = "{REPO / 'scenarios' / 'structural_funding.toml'}"

[satisficing]
harm_prevented = {{ at_least = 100 }}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "robust.toml"
    path.write_text(text)
    return path


def test_ready_experiment_compares_five_instruments_over_100_futures() -> None:
    spec = load_robustness(READY)
    assert spec.n_futures == 100 and spec.replications >= 2
    assert len(spec.policies) == 6 and spec.policies[0].name == "Current practice"
    assert not spec.policies[0].levers
    instruments = {p.name: dict(p.levers) for p in spec.policies[1:]}
    assert instruments["Data platform and confidentiality agreement"] == {
        "platform_share": 1.0, "confidentiality_share": 1.0}
    assert instruments["Covenant with a legal basis"] == {"agreement_formality": 0.8}
    assert instruments["More follow-up capacity"] == {"follow_up_capacity": 1.5}
    assert instruments["Trusted intermediary"] == {"trusted_intermediary": True}
    assert instruments["Structural funding"] == {"grant_share": 0.0, "structural_share": 0.8}
    uncertain = set(spec.futures.names)
    assert all(not uncertain & set(levers) for levers in instruments.values())
    assert spec.regret_outcome == "harm_prevented" and spec.higher_is_better
    assert {t.outcome for t in spec.thresholds} == {"harm_prevented", "survival_36m"}
    # the futures stay inside the ranges of the file
    for name, (low, high) in spec.futures.ranges().items():
        assert spec.future_table[name].between(low, high).all()


def test_policies_meet_the_same_futures_and_seeds(tmp_path: Path) -> None:
    spec = load_robustness(write(tmp_path, VALID))
    experiment = spec.experiment()
    assert experiment.n_points == 3 * 5 and experiment.replications == 2
    runs = list(experiment.runs())
    by_point = {(s.point, s.replication): s for s in runs}
    for future in range(5):
        for replication in range(2):
            same = [by_point[(p * 5 + future, replication)] for p in range(3)]
            # every policy in this future: the same uncertain values and the same seed
            assert len({s.seed for s in same}) == 1
            assert len({(s.params["opportunism_mean"], s.params["legal_barrier"])
                        for s in same}) == 1
            assert same[0].seed == run_seed(3, future, replication, RandomNumbers.INDEPENDENT)
    # different futures (and replications) get different streams
    assert len({by_point[(f, 0)].seed for f in range(5)}) == 5
    assert by_point[(0, 0)].seed != by_point[(0, 1)].seed
    # policy levers on top of the base, the base's other values kept
    assert by_point[(5, 0)].params["platform_share"] == 1.0
    assert by_point[(0, 0)].params["platform_share"] == 0.2
    assert by_point[(10, 0)].params["structural_share"] == 0.8
    assert all(s.params["n_organisations"] == 20 for s in runs)
    assert experiment.definition()["random_numbers"] == "common per future"


def test_same_file_gives_the_same_futures(tmp_path: Path) -> None:
    path = write(tmp_path, VALID)
    a, b = load_robustness(path), load_robustness(path)
    assert a.future_table.equals(b.future_table)
    assert a.experiment().fingerprint == b.experiment().fingerprint


BAD = [
    ("months = 24", "months = 0", "months = 0 is not allowed: expected an int from 1 to 1200"),
    ("replications = 2", "replications = 0",
     "replications = 0 is not allowed: expected an int from 1 to"),
    ("samples = 5", "samples = 1", "[futures] samples = 1 is not allowed: expected an int "
     "from 2 to 100000"),
    ("samples = 5", "samples = 5\nsource = \"posterior\"",
     "[futures] source = 'posterior' is not allowed: expected one of ranges"),
    ("low = 0.2, high = 0.7", "low = 0.2, high = 1.7",
     "[uncertainties] legal_barrier high: [information_sharing] legal_barrier = 1.7 is not "
     "allowed: expected a float from 0.0 to 1.0"),
    ("low = 0.2, high = 0.7", "low = 0.7, high = 0.2", "low must be below high"),
    ("legal_barrier = {", "legal_barier = {", "unknown parameter 'legal_barier'; did you "
     "mean 'legal_barrier'?"),
    ("{ platform_share = 1.0 }", "{ platform_share = 2.0 }",
     "policy 'Data platform': levers: [information_sharing] platform_share = 2.0 is not "
     "allowed: expected a float from 0.0 to 1.0"),
    ("{ platform_share = 1.0 }", "{ legal_barrier = 0.1 }",
     "policy 'Data platform': 'legal_barrier' is both a lever of this policy and an "
     "uncertainty"),
    ("{ platform_share = 1.0 }", "{ grant_share = 0.9 }",
     "policy 'Data platform': levers: funding.grant_share + funding.structural_share must be "
     "at most 1 (got 0.9 + 0.2)"),
    ("name = \"Data platform\"", "name = \"Current practice\"",
     "two policies are named 'Current practice'"),
    ("{ at_least = 100 }", "{ at_least = 100, at_most = 200 }",
     "[satisficing] harm_prevented: expected { at_least = X } or { at_most = X }"),
    ("harm_prevented = { at_least", "survival_36m = { at_least = 1.5 }\nharm_prevented = "
     "{ at_least", "[satisficing] survival_36m: at_least = 1.5 is not allowed: survival_36m "
     "is a share, expected a number from 0 to 1"),
    ("harm_prevented = { at_least", "harm_prevent = { at_least",
     "[satisficing]: unknown outcome 'harm_prevent'; did you mean 'harm_prevented'?"),
    ("seed = 3", "seed = 3\npreferred = \"Nothing\"",
     "preferred = 'Nothing' is not allowed: expected a policy name"),
    ("seed = 3", "seed = 3\nfutures_count = 3", "unknown key 'futures_count'"),
    ("[satisficing]\nharm_prevented = { at_least = 100 }\n", "[regret]\nbetter = \"more\"\n"
     "[satisficing]\nharm_prevented = { at_least = 100 }\n",
     "[regret] better = 'more' is not allowed: expected \"higher\" or \"lower\""),
    ("[satisficing]\nharm_prevented = { at_least = 100 }\n", "",
     "no [satisficing] thresholds"),
    ("replications = 2", "replications = \"two\"", "'replications' must be an int"),
]


@pytest.mark.parametrize(("old", "new", "message"), BAD)
def test_bad_file_gives_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture,
                                            old: str, new: str, message: str) -> None:
    assert old in VALID
    path = write(tmp_path, VALID.replace(old, new, 1))
    with pytest.raises(ScenarioError):
        load_robustness(path)
    with pytest.raises(SystemExit) as exit_info:
        main(["robustness", str(path), "--out", str(tmp_path / "out")])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith(f"pppsim: error: {path}")
    assert message in err, err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_one_policy_is_not_enough(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    text = VALID.split("[[policy]]\nname = \"Data platform\"")[0] + \
        "[satisficing]\nharm_prevented = { at_least = 100 }\n"
    path = write(tmp_path, text)
    with pytest.raises(SystemExit) as exit_info:
        main(["robustness", str(path)])
    assert exit_info.value.code == 2
    assert "compares at least 2 policies" in capsys.readouterr().err


def test_missing_file_and_uncertainty_list(tmp_path: Path, capsys: pytest.CaptureFixture
                                           ) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["robustness", str(tmp_path / "nothing.toml")])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err == f"pppsim: error: {tmp_path / 'nothing.toml'}: no such " \
        "file\n"
    path = write(tmp_path, VALID.replace("{ low = 0.2, high = 0.7 }", "[0.2, 0.7]"))
    with pytest.raises(ExperimentError, match=r"\[uncertainties\] legal_barrier: expected a "
                       r"range \{ low, high \} or \{ mean, sd \}"):
        load_robustness(path)


def test_a_policy_invalid_in_some_future_is_named_with_the_future(tmp_path: Path) -> None:
    text = VALID.replace("legal_barrier = { low = 0.2, high = 0.7 }",
                         "structural_share = { low = 0.1, high = 0.3 }")
    text = text.replace("{ platform_share = 1.0 }", "{ grant_share = 0.8 }")
    text = text.replace(f'scenario = "{REPO / 'scenarios' / 'structural_funding.toml'}"',
                        "levers = { platform_share = 0.5 }")
    spec_text = write(tmp_path, text)
    with pytest.raises(ExperimentError, match=r"policy 'Data platform' in future \d+: "
                       r"funding.grant_share \+ funding.structural_share must be at most 1"):
        load_robustness(spec_text)


def test_unwritable_results_folder_is_one_line(tmp_path: Path,
                                               capsys: pytest.CaptureFixture) -> None:
    path = write(tmp_path, VALID)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(SystemExit) as exit_info:
        main(["robustness", str(path), "--out", str(blocker / "out"), "--quiet"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"pppsim: error: {blocker / 'out'}: cannot create the folder: ")
