"""The teaching page rendered without a browser (solara.render): controls, steps, panels."""

from __future__ import annotations

import ipyvuetify as vw
import ipywidgets
import pytest
import solara

from pppsim import app
from pppsim.model import PartnershipModel
from pppsim.scenario import load_scenario


def test_scenario_picker_lists_the_scenario_files() -> None:
    names = app.scenario_names()
    assert names[0] == "baseline"
    assert set(names) == {p.stem for p in app.SCENARIO_DIR.glob("*.toml")}


def test_sliders_cover_the_levers_and_respect_the_schema() -> None:
    scenario = load_scenario(app.SCENARIO_DIR / "baseline.toml")
    params = app.model_params(scenario)
    sliders = {k: v for k, v in params.items() if isinstance(v, dict)}
    assert set(sliders) == set(app.LEVERS) | {"rng"}
    assert sliders["grant_share"]["max"] == pytest.approx(
        1.0 - scenario.params["structural_share"])
    assert all(s["min"] <= s["value"] <= s["max"] for s in sliders.values())
    fixed = {k: v for k, v in params.items() if not isinstance(v, dict)}
    PartnershipModel(rng=0, **fixed, **{k: s["value"] for k, s in sliders.items()
                                        if k != "rng"})


def test_layout_places_every_organisation_once() -> None:
    for n in (20, 45):
        model = PartnershipModel(rng=1, n_organisations=n)
        layout = app.network_layout(model)
        assert set(layout) == {o.unique_id for o in model.organisations}
        assert len(set(layout.values())) == len(layout)


def feed_title(rc) -> str:
    titles = [w.children[0] for w in rc.find(vw.CardTitle).widgets
              if w.children and str(w.children[0]).startswith("What just happened")]
    assert len(titles) == 1
    return titles[0]


@pytest.mark.slow
def test_page_steps_and_resets_with_a_changed_control() -> None:
    _box, rc = solara.render(solara.AppLayout(children=[app.page]), handle_error=False)
    assert feed_title(rc) == "What just happened (month 0)"
    figures_before = [w.value for w in rc.find(ipywidgets.Image).widgets]
    assert len(figures_before) == 5, "network and four plots"
    step = rc.find(vw.Btn, children=["Step"])
    months = 0
    while months < 24:  # once a partnership operates, every panel has news
        step.widget.click()
        months += 1
        figures_after = [w.value for w in rc.find(ipywidgets.Image).widgets]
        if all(a != b for a, b in zip(figures_before, figures_after, strict=True)):
            break
    else:
        pytest.fail("some figure did not change in 24 months")
    assert feed_title(rc) == f"What just happened (month {months})"

    organisations = rc.find(vw.Slider, label="Organisations").widget
    organisations.v_model = 30
    rc.find(vw.Btn, children=["Reset"]).widget.click()
    assert feed_title(rc) == "What just happened (month 0)"
    settings = [w for w in rc.find(vw.Html).widgets if "This run:" in str(w.children)]
    assert settings and "organisations 30" in str(settings[0].children)
    step.widget.click()
    assert feed_title(rc) == "What just happened (month 1)"
