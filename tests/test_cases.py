"""The case library: case files, the trajectory schema, and each case over its replications."""

from __future__ import annotations

import math

import pytest
from conftest import invoke

from pppsim.cases import TRAJECTORIES, case_paths, load_case, run_case
from pppsim.model import PartnershipModel
from pppsim.scenario import ScenarioError, load_scenario


def test_the_library_has_at_least_six_cases_with_sources_and_trajectories() -> None:
    paths = case_paths()
    assert len(paths) >= 6
    for path in paths:
        case = load_case(path).case
        assert case.history and case.expect
        assert all(s[:3] in {"000", "001", "002", "003", "004"} and " L" in s
                   for s in case.sources)


@pytest.mark.parametrize(("table", "message"), [
    ("[case]\ntitle = 'x'\n", "'history' is missing"),
    ("[case]\ntitle='x'\nhistory='y'\nsources=['002 L1']\nreplications=5\nexpect=[]\n",
     "at least one"),
    ("[case]\ntitle='x'\nhistory='y'\nsources=['002 L1']\nreplications=5\n"
     "[[case.expect]]\ntrajectory='thrived'\nshare=0.5\n", "trajectory = 'thrived'"),
    ("[case]\ntitle='x'\nhistory='y'\nsources=['002 L1']\nreplications=5\n"
     "[[case.expect]]\ntrajectory='lasted'\nshare=0.5\n", "months = None"),
    ("[case]\ntitle='x'\nhistory='y'\nsources=['002 L1']\nreplications=5\ncolour=1\n"
     "[[case.expect]]\ntrajectory='grew'\nshare=0.5\nmonths=12\n", "unknown key 'colour'"),
])
def test_a_bad_case_table_gives_a_one_line_error(toml_file, table: str, message: str) -> None:
    with pytest.raises(ScenarioError) as error:
        load_scenario(toml_file(table))
    assert message in str(error.value) and "\n" not in str(error.value)


def test_trajectory_shares_are_shares_or_undefined() -> None:
    model = PartnershipModel(rng=2, n_organisations=40, grant_share=0.8, structural_share=0.0,
                             grant_months=12)
    model.run(60)
    for name, spec in TRAJECTORIES.items():
        share = spec.measure(model, 12) if spec.takes_months else spec.measure(model)
        assert math.isnan(share) or 0.0 <= share <= 1.0, name
    assert not math.isnan(TRAJECTORIES["survived_funding_end"].measure(model))


@pytest.mark.slow
def test_each_case_is_reproduced_or_marked_with_its_finding() -> None:
    """Runs every case over its replications; a case the model does not reproduce must say
    why (its finding), and a case marked as not reproduced must indeed not be."""
    for path in case_paths():
        scenario = load_case(path)
        result = run_case(scenario)
        print(f"{path.stem}: shown in {result.shown} of {result.replications}")
        if scenario.case.finding:
            assert not result.reproduced, f"{path.stem} is now reproduced: revisit its finding"
        else:
            assert result.reproduced, (f"{path.stem}: shown in {result.shown} of "
                                       f"{result.replications}: record a finding or fix the set-up")


def test_cases_command_reports_each_case(tmp_path) -> None:
    done = invoke("cases", "sofielund", "--replications", "2")
    assert done.returncode == 0, done.stderr
    assert "sofielund: Sofielund" in done.stdout and "of 2 replications" in done.stdout
    bad = invoke("cases", "atlantis")
    assert bad.returncode == 2 and "no case 'atlantis'" in bad.stderr


def test_grant_trajectories_read_the_grant_ends() -> None:
    """With grants only and no renewal, some partnerships end with their grant and none is
    embedded; with structural money only, no grant ends (the grant shares are undefined)."""
    grants = PartnershipModel(rng=3, n_organisations=40, grant_share=1.0, structural_share=0.0,
                              grant_months=12, grant_renewal_probability=0.0)
    grants.run(60)
    assert TRAJECTORIES["ended_when_grant_stopped"].measure(grants) > 0.0
    assert TRAJECTORIES["structural_embedding"].measure(grants) == 0.0
    assert TRAJECTORIES["survived_funding_end"].measure(grants) < 1.0
    structural = PartnershipModel(rng=3, n_organisations=40, grant_share=0.0,
                                  structural_share=1.0)
    structural.run(60)
    assert math.isnan(TRAJECTORIES["survived_funding_end"].measure(structural))
    assert math.isnan(TRAJECTORIES["structural_embedding"].measure(structural))
