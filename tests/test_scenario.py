"""Scenario files: defaults, sections, inheritance, overrides, round trip, and every bad input."""

from __future__ import annotations

import pytest
from conftest import BASELINE, SCENARIOS

from pppsim.parameters import DEFAULTS, SECTIONS, Parameters, parameter_table, section_of
from pppsim.scenario import (
    DEFAULT_MONTHS,
    Scenario,
    ScenarioError,
    load_scenario,
    scenario_to_toml,
)


# --- loading ------------------------------------------------------------------------------
def test_empty_file_gives_all_defaults(toml_file) -> None:
    scenario = load_scenario(toml_file("", name="my_case.toml"))
    assert scenario.params == DEFAULTS
    assert scenario.months == DEFAULT_MONTHS
    assert scenario.seed == 0
    assert scenario.name == "my case"
    assert scenario.description == ""


def test_top_level_settings_and_sections(toml_file) -> None:
    scenario = load_scenario(toml_file(
        'name = "High barriers"\ndescription = "hard to share"\nmonths = 36\nseed = 4\n'
        "[information_sharing]\nlegal_barrier = 0.8\ntechnical_barrier = 0.7\n"
        "[behaviour]\nmax_partnerships = 5\n"
        "[policy]\ntrusted_intermediary = true\n"))
    assert (scenario.name, scenario.description) == ("High barriers", "hard to share")
    assert (scenario.months, scenario.seed) == (36, 4)
    assert scenario.parameters.legal_barrier == 0.8
    assert scenario.parameters.technical_barrier == 0.7
    assert scenario.parameters.max_partnerships == 5
    assert scenario.parameters.trusted_intermediary is True
    assert scenario.differences(Scenario("defaults")) == {
        "legal_barrier": (0.8, DEFAULTS["legal_barrier"]),
        "technical_barrier": (0.7, DEFAULTS["technical_barrier"]),
        "max_partnerships": (5, DEFAULTS["max_partnerships"]),
        "trusted_intermediary": (True, False),
    }


def test_an_int_is_accepted_for_a_float_parameter(toml_file) -> None:
    scenario = load_scenario(toml_file("[information_sharing]\nlegal_barrier = 1\n"))
    assert scenario.parameters.legal_barrier == 1.0


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.toml")), ids=lambda p: p.stem)
def test_shipped_scenarios_load(path) -> None:
    scenario = load_scenario(path)
    assert isinstance(scenario.parameters, Parameters)
    assert scenario.name


def test_base_inheritance(toml_file) -> None:
    toml_file('months = 48\nseed = 3\n[trust]\ninitial_trust = 0.7\nsector_prejudice = 0.3\n',
              name="base.toml")
    child = load_scenario(toml_file(
        'name = "Child"\nbase = "base.toml"\n[trust]\nsector_prejudice = 0.1\n',
        name="child.toml"))
    assert child.parameters.initial_trust == 0.7  # inherited
    assert child.parameters.sector_prejudice == 0.1  # overridden
    assert (child.months, child.seed) == (48, 3)
    assert child.name == "Child"


def test_base_is_relative_to_the_file_and_chains(toml_file) -> None:
    toml_file("[funding]\ngrant_months = 60\n", name="common/root.toml")
    toml_file('base = "root.toml"\n[crime]\nharm_trend = 0.01\n', name="common/middle.toml")
    leaf = load_scenario(toml_file('base = "common/middle.toml"\nmonths = 12\n',
                                   name="leaf.toml"))
    assert leaf.parameters.grant_months == 60
    assert leaf.parameters.harm_trend == 0.01
    assert leaf.months == 12


def test_base_on_the_shipped_baseline(toml_file) -> None:
    baseline = load_scenario(BASELINE)
    child = load_scenario(toml_file(
        f'base = "{BASELINE.as_posix()}"\n[follow_up]\nfollow_up_capacity = 0.5\n'))
    assert child.differences(baseline) == {
        "follow_up_capacity": (0.5, baseline.parameters.follow_up_capacity)}
    assert child.seed == baseline.seed


def test_changed_returns_a_validated_copy() -> None:
    scenario = load_scenario(BASELINE)
    changed = scenario.changed(legal_barrier=0.9, n_organisations=50)
    assert changed.parameters.legal_barrier == 0.9
    assert changed.parameters.n_organisations == 50
    assert scenario.parameters.legal_barrier == DEFAULTS["legal_barrier"]  # unchanged
    assert (changed.name, changed.months, changed.seed) == (
        scenario.name, scenario.months, scenario.seed)
    assert set(changed.differences(scenario)) == {"legal_barrier", "n_organisations"}
    with pytest.raises(ScenarioError, match="legal_barrier"):
        scenario.changed(legal_barrier=2.0)
    with pytest.raises(ScenarioError, match="unknown parameter"):
        scenario.changed(no_such_lever=1.0)


@pytest.mark.parametrize("only_changed", [True, False])
def test_round_trip_through_toml(toml_file, only_changed: bool) -> None:
    original = load_scenario(BASELINE).changed(
        legal_barrier=0.85, grant_months=36, trusted_intermediary=True, harm_trend=-0.01)
    text = scenario_to_toml(original, only_changed=only_changed)
    again = load_scenario(toml_file(text))
    assert again.params == original.params
    assert (again.name, again.description, again.months, again.seed) == (
        original.name, original.description, original.months, original.seed)


def test_toml_lists_only_changed_parameters_by_default() -> None:
    text = scenario_to_toml(Scenario("x").changed(legal_barrier=0.9))
    assert "legal_barrier = 0.9" in text
    assert "[information_sharing]" in text
    assert "technical_barrier" not in text
    full = scenario_to_toml(Scenario("x"), only_changed=False)
    assert all(f"{name} =" in full for name in DEFAULTS)
    assert all(f"[{section}]" in full for section in SECTIONS)


def test_every_parameter_has_a_known_section_and_a_range_that_holds_its_default() -> None:
    for row in parameter_table():
        assert section_of(row["name"]) in SECTIONS
        if row["min"] is not None:
            assert row["min"] <= row["default"] <= row["max"], row["name"]


# --- bad input ----------------------------------------------------------------------------
BAD_FILES = {
    "malformed TOML": ("[trust\ninitial_trust = 0.5\n", ["malformed TOML"]),
    "unknown section": ("[trusts]\ninitial_trust = 0.5\n", ["unknown key 'trusts'", "'trust'"]),
    "unknown parameter": ("[trust]\ninitial_trsut = 0.5\n",
                          ["unknown parameter 'initial_trsut'", "did you mean 'initial_trust'"]),
    "wrong section": ("[funding]\ninitial_trust = 0.5\n",
                      ["initial_trust", "belongs in section [trust]", "[funding]"]),
    "parameter at top level": ("initial_trust = 0.5\n",
                               ["initial_trust", "inside section [trust]"]),
    "wrong type": ('[trust]\ninitial_trust = "high"\n',
                   ["initial_trust", "'high'", "float from 0.0 to 1.0"]),
    "wrong int type": ("[organisations]\nn_organisations = 10.5\n",
                       ["n_organisations", "10.5", "int from 4 to 5000"]),
    "out of range": ("[information_sharing]\nlegal_barrier = 1.5\n",
                     ["[information_sharing] legal_barrier = 1.5", "from 0.0 to 1.0"]),
    "below range": ("[behaviour]\nmax_partnerships = 0\n",
                    ["max_partnerships = 0", "int from 1 to 20"]),
    "funding shares over one": ("[funding]\ngrant_share = 0.7\nstructural_share = 0.5\n",
                                ["grant_share + funding.structural_share", "at most 1"]),
    "months out of range": ("months = 0\n", ["months = 0", "from 1 to 1200"]),
    "negative seed": ("seed = -1\n", ["seed = -1", ">= 0"]),
    "months wrong type": ('months = "ten"\n', ["'months'", "int", "'ten'"]),
    "section not a table": ("trust = 0.5\n", ["'trust' must be a section [trust]"]),
    "base missing": ('base = "nowhere.toml"\n', ["nowhere.toml", "no such file"]),
    "base refers to itself": ('base = "scenario.toml"\n', ["refers back to itself"]),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_scenario_gives_a_one_line_error_naming_file_and_field(toml_file, case) -> None:
    text, expected = BAD_FILES[case]
    path = toml_file(text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = str(info.value)
    assert "\n" not in message
    named = path.parent / "nowhere.toml" if case == "base missing" else path
    assert str(named) in message
    for fragment in expected:
        assert fragment in message, (fragment, message)


def test_base_cycle_is_an_error(toml_file) -> None:
    toml_file('base = "b.toml"\n', name="a.toml")
    toml_file('base = "a.toml"\n', name="b.toml")
    with pytest.raises(ScenarioError, match="refers back"):
        load_scenario(toml_file('base = "a.toml"\n', name="start.toml"))


def test_error_in_base_names_the_base_file(toml_file) -> None:
    toml_file("[trust]\ninitial_trust = 7\n", name="bad_base.toml")
    with pytest.raises(ScenarioError, match=r"bad_base\.toml.*initial_trust"):
        load_scenario(toml_file('base = "bad_base.toml"\n'))


def test_missing_file(tmp_path) -> None:
    with pytest.raises(ScenarioError, match=r"absent\.toml: no such file"):
        load_scenario(tmp_path / "absent.toml")


def test_directory(tmp_path) -> None:
    with pytest.raises(ScenarioError, match="is a directory"):
        load_scenario(tmp_path)


def test_undecodable_file(toml_file) -> None:
    path = toml_file("")
    path.write_bytes(b"name = \"\xff\xfe\"\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)
