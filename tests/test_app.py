"""The teaching page rendered without a browser (solara.render): controls, steps, panels."""

from __future__ import annotations

import re

import ipyvuetify as vw
import ipywidgets
import pytest
import solara
from conftest import invoke

from pppsim import app
from pppsim.library import CASE_DIR
from pppsim.model import PartnershipModel
from pppsim.scenario import load_scenario


def test_picker_lists_the_scenario_files_then_the_cases() -> None:
    choices = app.scenario_choices()
    names = list(choices)
    assert names[0] == "baseline"
    scenarios = {p.stem for p in app.SCENARIO_DIR.glob("*.toml")}
    cases = {f"case: {p.stem}" for p in CASE_DIR.glob("*.toml")}
    assert len(cases) >= 6
    assert set(names) == scenarios | cases
    assert all(load_scenario(choices[name]).case is not None for name in cases)


def test_sliders_cover_the_levers_and_respect_the_schema() -> None:
    scenario = load_scenario(app.SCENARIO_DIR / "baseline.toml")
    values = app.lever_values(scenario)
    assert set(values) == set(app.LEVERS) | {"rng"}
    sliders = {s.name: s for s in app.sliders(scenario)}
    assert sliders["grant_share"].high == pytest.approx(1.0 - scenario.params["structural_share"])
    assert all(s.low <= values[s.name] <= s.high for s in sliders.values())
    assert app.slider_label("legal_barrier", 0.4000000001) == "Legal barrier: 0.4 (0–1)"
    assert app.slider_label("grant_months", 24) == "Grant duration: 24 months"
    assert app.slider_label("rng", 7) == "Random seed: 7"


def test_a_run_takes_every_parameter_from_the_scenario_and_the_levers() -> None:
    scenario = load_scenario(app.SCENARIO_DIR / "high_barriers.toml")
    levers = app.lever_values(scenario) | {"rng": 5, "initial_trust": 0.30000000000000004}
    model = app.new_model(scenario, levers)
    assert model.p.model_dump() == scenario.params | {"initial_trust": 0.3}
    assert app.model_seed(model) == 5


def test_settings_download_is_a_scenario_file_the_cli_runs(tmp_path) -> None:
    scenario = load_scenario(CASE_DIR / "holsteiner.toml")
    levers = app.lever_values(scenario) | {"rng": 4, "legal_barrier": 0.65}
    path = tmp_path / "saved.toml"
    path.write_text(app.settings_toml(scenario, levers))
    saved = load_scenario(path)
    assert saved.params == scenario.params | {"legal_barrier": 0.65}
    assert (saved.seed, saved.months) == (4, scenario.months)
    again = app.load_uploaded("saved.toml", path.read_bytes())
    assert again.params == saved.params and again.seed == 4
    done = invoke("run", path, "--months", "2", "--out", tmp_path / "out")
    assert done.returncode == 0, done.stderr


def test_a_bad_uploaded_file_gives_a_one_line_error() -> None:
    with pytest.raises(app.PppsimError) as error:
        app.load_uploaded("bad.toml", b"[information_sharing]\nlegal_barrier = 3.0\n")
    assert str(error.value).startswith("bad.toml: [information_sharing] legal_barrier = 3.0")
    assert "\n" not in str(error.value)


def test_run_csv_has_a_row_per_month() -> None:
    model = PartnershipModel(rng=1, n_organisations=20)
    model.run(5)
    lines = app.run_csv(model).splitlines()
    assert lines[0].startswith("month,") and len(lines) == 1 + 6


def test_layout_places_every_organisation_once() -> None:
    for n in (20, 45):
        model = PartnershipModel(rng=1, n_organisations=n)
        layout = app.network_layout(model)
        assert set(layout) == {o.unique_id for o in model.organisations}
        assert len(set(layout.values())) == len(layout)


def texts(rc, widget=vw.Html) -> list[str]:
    return [str(w.children) for w in rc.find(widget).widgets]


def feed_title(rc) -> str:
    titles = [w.children[0] for w in rc.find(vw.CardTitle).widgets
              if w.children and str(w.children[0]).startswith("What just happened")]
    assert len(titles) == 1
    return titles[0]


def settings_text(rc) -> str:
    found = [t for t in texts(rc) if "This run:" in t]
    assert len(found) == 1
    return found[0]


def test_reset_applies_the_picked_scenario_and_the_seed_slider() -> None:
    _box, rc = solara.render(app.page, handle_error=False)
    scenario = load_scenario(app.SCENARIO_DIR / "high_barriers.toml")
    rc.find(vw.Select, label="Scenario or case").widget.v_model = "high_barriers"
    rc.find(vw.Btn, children=["Step"]).widget.click()
    rc.find(vw.Btn, children=["Reset"]).widget.click()
    expected = app.settings_line(app.new_model(scenario, app.lever_values(scenario)))
    assert "legal barrier 0.8" in expected
    assert expected.removeprefix("*This run:* ") in settings_text(rc)
    seed = rc.find(vw.Slider, label="Random seed: 1").widget
    seed.v_model = 7
    assert rc.find(vw.Slider, label="Random seed: 7").widget is seed
    rc.find(vw.Btn, children=["Reset"]).widget.click()
    assert "seed 7." in settings_text(rc)
    assert "legal barrier 0.8" in settings_text(rc)


@pytest.mark.slow
def test_page_steps_redraws_and_resets_with_a_changed_control() -> None:
    _box, rc = solara.render(app.page, handle_error=False)
    assert feed_title(rc) == "What just happened (month 0)"
    before = [w.value for w in rc.find(ipywidgets.Image).widgets]
    assert len(before) == 5, "network and four plots"
    step = rc.find(vw.Btn, children=["Step"])
    months = 0
    while months < 24:  # once a partnership operates, every panel has news
        step.widget.click()
        months += 1
        after = [w.value for w in rc.find(ipywidgets.Image).widgets]
        if all(a != b for a, b in zip(before, after, strict=True)):
            break
    else:
        pytest.fail("some figure did not change in 24 months")
    assert feed_title(rc) == f"What just happened (month {months})"
    assert any(f"Month {months}" in t for t in texts(rc))

    organisations = rc.find(vw.Slider, label="Organisations: 100").widget
    organisations.v_model = 30
    rc.find(vw.Btn, children=["Reset"]).widget.click()
    assert feed_title(rc) == "What just happened (month 0)"
    assert "organisations 30" in settings_text(rc)
    step.widget.click()
    assert feed_title(rc) == "What just happened (month 1)"


# --- the page's language ------------------------------------------------------------------
def page_texts(root) -> list[str]:
    """Every text the page shows: labels, buttons, card titles, markdown, picker entries
    (the widget tree walked from the root; markdown's script part left out)."""
    shown, seen, todo = [], set(), [root]
    while todo:
        widget = todo.pop()
        if id(widget) in seen:
            continue
        seen.add(id(widget))
        for key in widget.keys:
            value = getattr(widget, key, None)
            for item in value if isinstance(value, list | tuple) else [value]:
                if isinstance(item, ipywidgets.Widget):
                    todo.append(item)
                elif isinstance(item, str) and key in ("label", "description", "children",
                                                        "template", "unsafe_innerHTML"):
                    shown.append(re.sub(r"<[^>]+>", " ", item.split("<script")[0]))
                elif isinstance(item, dict) and key == "items":
                    shown.append(str(item["text"]))
    return [" ".join(text.split()) for text in shown if text.strip()]


def page_messages() -> list[str]:
    """Every message of pppsim.app_text (the page's own strings)."""
    from pppsim import app_text

    found = []
    for value in vars(app_text).values():
        items = value.values() if isinstance(value, dict) else [value]
        for item in items:
            found += [t for t in (item if isinstance(item, tuple) else (item,))
                      if isinstance(t, str) and t.strip()]
    return found


def english_pieces(lang: str) -> list[str]:
    """The English pieces of the page's messages (split at placeholders and markup) that
    must not be seen in ``lang``: pieces with a word of three letters or more that the
    message's own translation does not contain ("seed" is Dutch too)."""
    from pppsim.i18n import translator

    words = translator(lang)
    pieces = set()
    for message in page_messages():
        translated = words.gettext(message)
        for piece in re.split(r"\{\w*\}|\*\*|\*|[():.,;]", message):
            piece = " ".join(piece.split()).strip(" –-→")
            if re.search(r"[A-Za-z]{3,}", piece) and piece not in translated:
                pieces.add(piece)
    return sorted(pieces)


def test_switching_the_page_to_dutch_shows_dutch_labels_and_no_english_one() -> None:
    from pppsim.explain import feed
    from pppsim.i18n import language

    box, rc = solara.render(app.page, handle_error=False)
    english = " | ".join(page_texts(box))
    pieces = english_pieces("nl")
    assert len([p for p in pieces if p in english]) >= 30  # the check has teeth
    rc.find(vw.Select, label="Language").widget.v_model = "nl"
    step = rc.find(vw.Btn, children=["Stap"])
    for _ in range(6):
        step.widget.click()
    dutch = " | ".join(page_texts(box))
    assert [p for p in pieces if re.search(rf"(?<![\w-]){re.escape(p)}(?![\w-])", dutch)] == []
    for label in ("Taal", "Scenario of praktijkgeval", "Juridische drempel: 0,4 (0–1)",
                  "Wat er net gebeurde (maand 6)", "Maand 6", "Opnieuw", "Basisscenario",
                  "Publiek-private samenwerking tegen criminaliteit: Basisscenario"):
        assert label in dutch
    scenario = load_scenario(app.SCENARIO_DIR / "baseline.toml")
    model = app.new_model(scenario, app.lever_values(scenario))
    model.run(6)
    with language("nl"):
        told = feed(model, limit=10)
    assert told and all(" ".join(line.split()) in dutch for line in told)  # the feed too
    rc.find(vw.Select, label="Taal").widget.v_model = "sv"
    assert "Juridiskt hinder: 0,4 (0–1)" in " | ".join(page_texts(box))
    rc.find(vw.Select, label="Språk").widget.v_model = "en"
    assert "Legal barrier: 0.4 (0–1)" in " | ".join(page_texts(box))


def test_page_opens_in_the_language_of_pppsim_lang(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PPPSIM_LANG", "sv")
    assert app.page_language() == "sv"
    _box, rc = solara.render(app.page, handle_error=False)
    assert rc.find(vw.Select, label="Språk").widget.v_model == "sv"
    monkeypatch.setenv("PPPSIM_LANG", "xx")
    assert app.page_language() == "en"


def test_app_lang_option_is_checked() -> None:
    done = invoke("app", "--lang", "de")
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert "--lang" in invoke("app", "--help").stdout
