"""Partnership stories and the live feed, told from the model's event log."""

from __future__ import annotations

import pytest

from pppsim.cli import main
from pppsim.explain import (
    CAUSE_IN_WORDS,
    explain,
    feed,
    organisation_name,
    partnership_numbers,
    partnership_story,
)
from pppsim.model import PartnershipModel
from pppsim.model.events import EventKind
from pppsim.model.vocabulary import EndCause


@pytest.fixture(scope="module")
def model() -> PartnershipModel:
    model = PartnershipModel(rng=3, n_organisations=60, grant_months=12)
    model.run(72)
    return model


def started_ids(model: PartnershipModel) -> list[int]:
    return [row.partnership for row in model.events.of_kind(EventKind.NEGOTIATION_STARTED)]


def test_every_end_cause_has_words() -> None:
    assert set(CAUSE_IN_WORDS) == set(EndCause)


def test_explain_tells_every_partnership_once(model: PartnershipModel) -> None:
    text = explain(model)
    ids = started_ids(model)
    ended = len(model.events.of_kind(EventKind.DISSOLVED))
    assert text.splitlines()[0] == (f"{len(ids)} partnerships started negotiating in 72 months; "
                                    f"{ended} ended, {len(ids) - ended} still running.")
    for number in range(1, len(ids) + 1):
        assert text.count(f"Partnership #{number} on ") == 1
    assert f"Partnership #{len(ids) + 1} on " not in text


def test_stories_number_partnerships_from_one_in_starting_order(model: PartnershipModel) -> None:
    ids = started_ids(model)
    assert min(ids) > 1, "the model's ids are shared with organisations: not from 1"
    numbers = partnership_numbers(model)
    assert [numbers[pid] for pid in ids] == list(range(1, len(ids) + 1))
    first = partnership_story(model, 1)
    start = model.events.for_partnership(ids[0])[0]
    assert first.startswith(f"Partnership #1 on {start.values['domain']}, initiated by "
                            f"{organisation_name(model, start.organisation)}")
    told = {int(line.split("partnership #")[1].split(":")[0]) for line in feed(model, 50)}
    assert told and told <= set(range(1, len(ids) + 1))


def test_story_follows_the_event_records(model: PartnershipModel) -> None:
    dissolved = [r for r in model.events.of_kind(EventKind.DISSOLVED)
                 if r.cause != EndCause.NEGOTIATION_FAILED]
    assert dissolved, "the fixture run should end some launched partnerships"
    month, _, pid, _, _, cause, values = dissolved[0]
    story = partnership_story(model, partnership_numbers(model)[pid])
    start = model.events.for_partnership(pid)[0]
    assert f"initiated by {organisation_name(model, start[3])}" in story
    assert f"month {month:>3}: ended after {values['age']} month" in story
    assert f"in operation: {cause} — {CAUSE_IN_WORDS[cause]}" in story
    for row in model.events.for_partnership(pid):
        if row.kind is EventKind.EXITED:
            who = organisation_name(model, row.organisation)
            assert f"{who} ({row.values['sector']}) left" in story
        if row.kind is EventKind.EVALUATED:
            assert f"evaluation decided: {row.cause}; trust {row.values['trust']:.2f}" in story
    assert f"Trust within the partnership: {start[6]['trust']:.2f} (month {start[0]})" in story


def test_evaluations_record_trust_satisfaction_and_information(
        model: PartnershipModel) -> None:
    evaluations = model.events.of_kind(EventKind.EVALUATED)
    assert evaluations
    for row in evaluations:
        assert {"trust", "shared", "shared_by_private", "followed_up"} <= set(row.values)
        assert 0.0 <= row.values["followed_up"] <= row.values["shared_by_private"] + 1e-9
        assert "satisfaction_public" in row.values or "satisfaction_private" in row.values


def test_running_partnership_story_ends_with_its_current_state(
        model: PartnershipModel) -> None:
    running = [p for p in model.partnerships if p.is_operating]
    assert running
    story = partnership_story(model, partnership_numbers(model)[running[0].unique_id])
    assert "operating at the end of the run" in story
    assert f"trust {running[0].trust:.2f}" in story


def test_unknown_partnership_raises(model: PartnershipModel) -> None:
    for number in (-1, 0, len(started_ids(model)) + 1):
        with pytest.raises(KeyError):
            partnership_story(model, number)


def test_feed_is_newest_first_and_limited(model: PartnershipModel) -> None:
    lines = feed(model, limit=8)
    assert len(lines) == 8
    months = [int(line.split(",")[0].removeprefix("month ")) for line in lines]
    assert months == sorted(months, reverse=True)
    assert not any("ended before launch" in line for line in lines)


def test_cli_explain_one_partnership(capsys: pytest.CaptureFixture[str]) -> None:
    main(["explain", "scenarios/baseline.toml", "--months", "24", "--seed", "2"])
    everything = capsys.readouterr().out
    first = int(everything.split("Partnership #")[1].split()[0])
    main(["explain", "scenarios/baseline.toml", "--months", "24", "--seed", "2",
          "--partnership", str(first)])
    one = capsys.readouterr().out
    assert one.startswith(f"Partnership #{first} on ")
    assert one.strip() in everything


@pytest.mark.parametrize("args", [
    ["explain", "scenarios/baseline.toml", "--months", "6", "--partnership", "999"],
    ["explain", "scenarios/missing.toml"],
    ["explain", "scenarios/baseline.toml", "--months", "0"],
])
def test_cli_explain_bad_input(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("pppsim: error: ") and err.count("\n") == 1
