"""Reading notes (the report explains a higher follow-up ratio that comes from sharing less)
and the bottom line (directions only where the interval excludes no change)."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from pppsim.i18n import language
from pppsim.report.html import bottom_line, reading_notes


def outcomes(changes: dict[str, tuple[float, float, float]]) -> pd.DataFrame:
    """Outcome rows of a two-scenario comparison: per outcome (difference, low, high)."""
    rows = []
    for outcome, (difference, low, high) in changes.items():
        rows.append({"outcome": outcome, "point": 0, "difference": float("nan"),
                     "difference_low": float("nan"), "difference_high": float("nan"),
                     "ratio": float("nan"), "ratio_low": float("nan"),
                     "ratio_high": float("nan")})
        ratio = 1.0 + difference
        rows.append({"outcome": outcome, "point": 1, "difference": difference,
                     "difference_low": low, "difference_high": high, "ratio": ratio,
                     "ratio_low": 1.0 + low, "ratio_high": 1.0 + high})
    return pd.DataFrame(rows)


def comparison(changes) -> SimpleNamespace:
    return SimpleNamespace(outcomes=outcomes(changes), names=["A", "B"])


def test_ratio_up_while_sharing_falls_gets_both_notes() -> None:
    notes = reading_notes(comparison({
        "information_shared": (-0.8, -0.85, -0.75),
        "information_followed_up": (-0.7, -0.75, -0.65),
        "follow_up_ratio": (0.3, 0.2, 0.4),
        "trust_private_to_public": (0.03, 0.01, 0.05)}))
    assert set(notes) == {("follow_up_ratio", 1), ("trust_private_to_public", 1)}
    assert "−80%" in notes[("follow_up_ratio", 1)]
    assert "−70%" in notes[("follow_up_ratio", 1)]


def test_no_note_when_sharing_does_not_clearly_fall() -> None:
    notes = reading_notes(comparison({
        "information_shared": (-0.1, -0.3, 0.1),
        "information_followed_up": (0.0, -0.1, 0.1),
        "follow_up_ratio": (0.3, 0.2, 0.4),
        "trust_private_to_public": (0.03, 0.01, 0.05)}))
    assert notes == {}


def test_trust_note_only_where_trust_clearly_rises() -> None:
    notes = reading_notes(comparison({
        "information_shared": (-0.8, -0.85, -0.75),
        "information_followed_up": (-0.7, -0.75, -0.65),
        "follow_up_ratio": (0.3, 0.2, 0.4),
        "trust_private_to_public": (-0.01, -0.03, 0.01)}))
    assert set(notes) == {("follow_up_ratio", 1)}


# --- the bottom line ----------------------------------------------------------------------
HEADLINE_CHANGES = ("harm_prevented", "restricted_mean_lifetime_months", "partnerships_launched")


def headline(*scenarios: dict[str, tuple[float, float, float]]) -> SimpleNamespace:
    """A comparison of a reference and one scenario per dict of (change, low, high) by
    headline outcome (unchanged outcomes: no detectable change), 30 runs each."""
    frames = []
    for point, changes in enumerate(scenarios, start=1):
        values = {name: changes.get(name, (0.0, -0.1, 0.1)) for name in HEADLINE_CHANGES}
        frame = outcomes(values)
        frames.append(frame if point == 1 else frame[frame["point"] == 1]
                      .assign(point=point))
    table = pd.concat(frames, ignore_index=True)
    table["mean"] = 10.0
    names = ["Ref", *[f"S{k}" for k in range(1, len(scenarios) + 1)]]
    spec = SimpleNamespace(name="", description="",
                           scenarios=[SimpleNamespace(name=n, description="") for n in names])
    return SimpleNamespace(outcomes=table, names=names, replications=30, spec=spec)


def test_bottom_line_gives_directions_only_for_clear_changes() -> None:
    text = bottom_line(headline(
        {"harm_prevented": (-0.42, -0.5, -0.35),
         "restricted_mean_lifetime_months": (-0.3, -0.36, -0.25)},
        {"harm_prevented": (-0.03, -0.07, 0.02)}))
    first, second = text.split(". ", 1)
    assert first == ("Compared with Ref: under S1, partnerships prevent about 40% less harm and "
                     "they last about 30% shorter")
    assert second == "S2 makes no difference we can detect."


def test_bottom_line_when_nothing_changes_detectably_says_so() -> None:
    text = bottom_line(headline({}, {"harm_prevented": (0.2, -0.05, 0.5)}))
    assert "no scenario changes harm prevented" in text
    assert not any(word in text for word in ("less harm", "more harm", "longer", "shorter"))
    assert text.count(". ") == 1 and text.endswith(".")


def test_bottom_line_in_dutch_and_swedish() -> None:
    comparison = headline({"harm_prevented": (0.12, 0.05, 0.2)}, {})
    with language("nl"):
        dutch = bottom_line(comparison)
    with language("sv"):
        swedish = bottom_line(comparison)
    assert dutch.startswith("Vergeleken met Ref: bij S1 voorkomen partnerschappen ongeveer "
                            "10% meer schade.")
    assert swedish.startswith("Jämfört med Ref: med S1 förebygger partnerskapen ungefär "
                              "10\u00a0% mer skada.")
