"""Reading notes: the report explains a higher follow-up ratio that comes from sharing less."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from pppsim.report.html import reading_notes


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
