"""The seed claims: the harness's statistics, and every claim holding in quick mode."""

import numpy as np
import pandas as pd
import pytest

from pppsim.claims import (
    CLAIMS,
    QUICK,
    Check,
    Claim,
    Optimum,
    build_experiments,
    claim_table,
    evaluate_claim,
    run_claims,
)


def _table(claim, values_by_label, metric="m"):
    """Per-condition frames keyed as the harness keys them, from label -> values."""
    from pppsim.claims import _key

    conditions = claim.all_conditions()
    return {_key(conditions[label]): pd.DataFrame({metric: values})
            for label, values in values_by_label.items()}


def test_difference_check_needs_the_interval_on_the_expected_side():
    claim = Claim(0, "t", "s", {"a": {"governance": 0.1}, "b": {"governance": 0.9}},
                  (Check("m", "a", "b", direction=1),))
    rng = np.random.default_rng(0)
    base = rng.normal(10, 1, 30)
    up = _table(claim, {"a": base, "b": base + 1.0 + rng.normal(0, 0.1, 30)})
    flat = _table(claim, {"a": base, "b": base + rng.normal(0, 1.0, 30)})
    assert evaluate_claim(claim, up, 30)[0].holds
    assert not evaluate_claim(claim, flat, 30)[0].holds
    down = Claim(0, "t", "s", claim.conditions, (Check("m", "a", "b", direction=-1),))
    assert not evaluate_claim(down, up, 30)[0].holds


def test_ratio_and_level_checks():
    claim = Claim(0, "t", "s", {"a": {"governance": 0.1}, "b": {"governance": 0.9}},
                  (Check("m", "a", "b", kind="ratio", bound=0.5),
                   Check("m", "b", kind="level", bound=2.0)))
    rng = np.random.default_rng(1)
    verdicts = evaluate_claim(claim, _table(claim, {"a": rng.normal(10, 1, 40),
                                                    "b": rng.normal(3, 0.5, 40)}), 40)
    assert verdicts[0].holds and 0.25 < verdicts[0].effect < 0.35
    assert verdicts[1].holds and verdicts[1].low > 2.0
    verdicts = evaluate_claim(claim, _table(claim, {"a": rng.normal(10, 1, 40),
                                                    "b": rng.normal(7, 0.5, 40)}), 40)
    assert not verdicts[0].holds


def test_optimum_must_be_strictly_inside_and_beat_both_ends():
    values = (0.0, 0.25, 0.5, 0.75, 1.0)
    claim = Claim(0, "t", "s", optimum=Optimum("governance", values, "m"))
    rng = np.random.default_rng(2)
    noise = rng.normal(0, 0.2, 30)
    peaked = {f"governance={v}": 5 - 8 * (v - 0.5) ** 2 + noise for v in values}
    rising = {f"governance={v}": 5 + 2 * v + noise for v in values}
    assert all(v.holds for v in evaluate_claim(claim, _table(claim, peaked), 30))
    assert not any(v.holds for v in evaluate_claim(claim, _table(claim, rising), 30))


def test_claims_share_conditions_and_pair_replications():
    experiments = build_experiments(CLAIMS, QUICK, seed=7)
    labels = [p.label for e in experiments for p in e.points]
    assert len(labels) == len(set(labels))  # identical conditions run once
    assert all(e.seed == 7 for e in experiments)
    assert {e.random_numbers.value for e in experiments} == {"common"}
    assert min(e.replications for e in experiments) == QUICK.replications


def test_every_claim_of_model_md_is_checked_with_enough_grid_points():
    assert [c.number for c in CLAIMS] == list(range(1, 13))
    for claim in CLAIMS:
        assert claim.checks or claim.optimum
        if claim.optimum is not None:
            assert len(claim.optimum.values) >= 5


@pytest.mark.slow
def test_every_claim_holds_in_quick_mode_or_says_why_not(tmp_path):
    """A claim that does not hold must carry the explanation docs/claims.md then prints (what
    the model would need); every other claim must hold."""
    from pppsim.claim_texts import TEXTS

    verdicts = run_claims(QUICK, out=tmp_path, workers=2)
    summary = claim_table(verdicts)
    unexplained = [n for n in summary.index[~summary["holds"]] if not TEXTS[int(n)].needs]
    failing = verdicts[verdicts["claim"].isin(unexplained)][
        ["claim", "statement", "effect", "low", "high"]]
    assert unexplained == [], f"claims not holding, unexplained:\n{failing.to_string()}"
    assert np.isfinite(verdicts["effect"]).all()
    assert (verdicts["replications"] >= QUICK.replications).all()


def test_claims_document_is_written_from_the_verdicts():
    from pppsim.claim_texts import TEXTS
    from pppsim.claims import FULL, to_markdown

    claim = Claim(1, "t", "s", {"a": {"governance": 0.1}, "b": {"governance": 0.9}},
                  (Check("m", "a", "b", direction=1),))
    rng = np.random.default_rng(3)
    base = rng.normal(10, 1, 20)
    b = base + 1.0 + rng.normal(0, 0.1, 20)
    b[:3] = np.nan
    verdicts = pd.DataFrame([{"title": "t", "source": "s", **v.__dict__}
                             for v in evaluate_claim(claim, _table(claim, {"a": base, "b": b}),
                                                     20)])
    text = to_markdown(verdicts, FULL, seed=5)
    row = verdicts.iloc[0]
    from pppsim.formatting import readable

    assert (f"{readable(row['effect'])} (95% CI {readable(row['low'])} to "
            f"{readable(row['high'])})") in text
    assert "undefined in 3 of 20 replications, left out" in text
    assert TEXTS[1].seeds in text and TEXTS[1].model in text and TEXTS[1].basis in text
    assert "Why not" not in text  # a claim that holds gets no explanation of failure
    assert "**1 of 1 claims hold**" in text and "base seed 5" in text


def test_docs_claims_md_carries_the_claim_texts_of_the_code():
    from pathlib import Path

    from pppsim.claim_texts import TEXTS

    doc = (Path(__file__).parent.parent / "docs" / "claims.md").read_text()
    for number, text in TEXTS.items():
        assert f"## {number}. {text.heading}" in doc
        assert f"*The seeds:* {text.seeds}" in doc
        assert f"*The model:* {text.model}" in doc
        assert f"*What is assumed, what emerges:* {text.basis}" in doc


def test_a_claim_that_does_not_hold_is_printed_with_what_the_model_would_need():
    from pppsim.claim_texts import TEXTS
    from pppsim.claims import QUICK, to_markdown

    number = next(n for n, text in TEXTS.items() if text.needs)
    verdicts = pd.DataFrame([{"claim": number, "title": "t", "source": "s", "statement": "m",
                              "conditions": "c", "effect": 0.1, "low": -0.1, "high": 0.3,
                              "holds": False, "replications": 16, "missing": 0}])
    text = to_markdown(verdicts, QUICK)
    assert "**does not hold**" in text
    assert f"*Why not, and what the model would need:* {TEXTS[number].needs}" in text


def test_claims_with_failed_runs_stop_with_one_line_and_retry_completes(tmp_path, monkeypatch):
    """A claim is judged on all its replications or not at all: failed runs stop the check
    with the folder, the count and the first error; --retry-failed then completes it."""
    from pppsim.claims import Mode
    from pppsim.errors import OutputError
    from pppsim.model.model import PartnershipModel

    tiny = Mode("tiny", replications=2, months=2)
    base = {"n_organisations": 20}

    def broken(self):
        raise RuntimeError("model broke")

    monkeypatch.setattr(PartnershipModel, "step", broken)
    with pytest.raises(OutputError, match=r"runs did not finish \(first: .*model broke"):
        run_claims(tiny, claims=CLAIMS[:1], out=tmp_path, workers=1, base=base)
    monkeypatch.undo()
    verdicts = run_claims(tiny, claims=CLAIMS[:1], out=tmp_path, workers=1, base=base,
                          retry_failed=True)
    assert len(verdicts) == len(CLAIMS[0].checks)
    assert (verdicts["replications"] == 2).all()
