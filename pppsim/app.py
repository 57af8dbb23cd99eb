"""The live teaching page: a Mesa SolaraViz view of partnerships forming, working and ending.

Run it with ``pppsim app`` (or ``solara run pppsim/app.py``).  The sidebar holds a scenario
picker (``scenarios/*.toml``) and sliders for the main levers; the main area shows the network
of organisations and partnerships, live plots of partnerships by stage, trust between sectors
and crime harm, and a feed that tells each formation, exit and dissolution with its cause.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import solara
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from pppsim.explain import feed
from pppsim.model import PartnershipModel
from pppsim.model.vocabulary import Stage
from pppsim.parameters import parameter_table
from pppsim.run import SECTOR_COLOURS
from pppsim.scenario import Scenario, load_scenario

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"
DEFAULT_SCENARIO = "baseline"

LEVERS: dict[str, tuple[str, float | None]] = {
    "grant_share": ("Share funded by a grant", None),
    "grant_months": ("Grant duration (months)", 60),
    "legal_barrier": ("Legal barrier", None),
    "organisational_barrier": ("Organisational barrier", None),
    "technical_barrier": ("Technical barrier", None),
    "governance": ("Governance: trust 0 – 1 control", None),
    "follow_up_capacity": ("Follow-up capacity (×)", None),
    "initial_trust": ("Initial trust", None),
    "meeting_interval_months": ("Months between meetings", None),
    "n_organisations": ("Organisations", 300),
}
"""The sliders: parameter -> (label, upper limit on the page or None for the schema's)."""

STAGE_COLOURS = {
    Stage.PHILANTHROPIC: "#9ecae1",
    Stage.TRANSACTIONAL: "#3182bd",
    Stage.INTEGRATIVE: "#08306b",
}
NEGOTIATING_COLOUR = "#969696"
UMBRELLA_MARKER = "D"
FONT = 15
"""Base font size of the figures, for a classroom projector."""

NOTE = """
**What am I looking at?** Public bodies (blue) and firms (orange) team up in partnerships
(squares) against crime. Each month some start negotiating, some launch, some members leave and
some partnerships end. **Watch** trust between the sectors, how many partnerships are at each
stage, how satisfied members are and how much they hold back, and crime harm with and without
partnerships. The feed beside it tells, in plain
words, what just happened and why. Pick a scenario or move a slider, then press **Reset**,
and **Step** or **▶** to run it month by month.
"""

CSS = """
.v-application, .v-application .v-label, .v-application .v-input { font-size: 17px !important; }
.v-application .v-card__title { font-size: 21px !important; }
.pppsim-note p { font-size: 19px; line-height: 1.45; margin: 0.2em 0.4em; }
.pppsim-feed li { font-size: 17px; line-height: 1.4; margin-bottom: 0.35em; }
.pppsim-settings p { font-size: 16px; margin: 0 0.5em; color: #444; }
"""


def scenario_names() -> list[str]:
    """The scenarios a teacher can pick: the stems of ``scenarios/*.toml``, baseline first."""
    names = sorted(path.stem for path in SCENARIO_DIR.glob("*.toml"))
    return sorted(names, key=lambda name: name != DEFAULT_SCENARIO)


def model_params(scenario: Scenario) -> dict[str, Any]:
    """SolaraViz ``model_params``: the levers as sliders, every other parameter fixed.

    The sliders start at the scenario's values; the seed slider sets ``rng``.
    """
    params: dict[str, Any] = {k: v for k, v in scenario.params.items() if k not in LEVERS}
    schema = {row["name"]: row for row in parameter_table()}
    for name, (label, page_max) in LEVERS.items():
        row = schema[name]
        is_int = row["type"] == "int"
        high = row["max"] if page_max is None else page_max
        if name == "grant_share":  # the shares of grant and structural money add up to <= 1
            high = round(1.0 - scenario.params["structural_share"], 2)
        params[name] = {
            "type": "SliderInt" if is_int else "SliderFloat",
            "label": label,
            "value": scenario.params[name],
            "min": row["min"],
            "max": high,
            "step": 1 if is_int else 0.05,
        }
    params["rng"] = {"type": "SliderInt", "label": "Random seed", "value": scenario.seed,
                     "min": 0, "max": 99, "step": 1}
    return params


def settings_line(model: PartnershipModel) -> str:
    """The levers of the run on screen, since the sliders do not show their values."""
    p = model.p
    values = ", ".join(f"{LEVERS[name][0].lower()} {getattr(p, name):g}" for name in LEVERS)
    return f"*This run:* {values}, seed {model._seed}."  # Mesa keeps the seed as _seed


def network_layout(model: PartnershipModel) -> dict[int, tuple[float, float]]:
    """Organisations on a circle, public bodies on the left arc and firms on the right.

    Deterministic (sorted by sector, kind and id), so a Reset with another number of
    organisations gets a fresh, complete layout.
    """
    orgs = sorted(model.organisations, key=lambda o: (not o.is_public, o.kind, o.unique_id))
    n = len(orgs)
    return {o.unique_id: (math.cos(math.pi / 2 + 2 * math.pi * (i + 0.5) / n),
                          math.sin(math.pi / 2 + 2 * math.pi * (i + 0.5) / n))
            for i, o in enumerate(orgs)}


def _figure(width: float = 5.6, height: float = 4.4) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


@solara.component
def NetworkView(model: PartnershipModel) -> None:  # noqa: N802
    """Organisations (by sector) and partnerships (squares, by stage) with their members."""
    update_counter.get()
    layout = solara.use_memo(lambda: network_layout(model), [model])
    fig = _figure(7.0, 6.4)
    ax = fig.subplots()
    for partnership in model.partnerships:
        ids = list(partnership.members) or [o.unique_id for o in partnership._pending_members]
        points = [layout[i] for i in ids]
        cx = 0.55 * sum(x for x, _ in points) / len(points)
        cy = 0.55 * sum(y for _, y in points) / len(points)
        colour = (STAGE_COLOURS[partnership.stage] if partnership.is_operating
                  else NEGOTIATING_COLOUR)
        for x, y in points:
            ax.plot([cx, x], [cy, y], color=colour, lw=1.2, alpha=0.7, zorder=1)
        ax.scatter([cx], [cy], marker="s", s=110, color=colour, edgecolors="black",
                   linewidths=0.6, zorder=3)
    for org in model.organisations:
        x, y = layout[org.unique_id]
        ax.scatter([x], [y], s=45 + 45 * len(org.partnerships),
                   marker=UMBRELLA_MARKER if org.is_umbrella else "o",
                   color=SECTOR_COLOURS[str(org.sector)], edgecolors="white", linewidths=0.5,
                   zorder=2)
    legend = [
        Line2D([], [], marker="o", ls="", color=SECTOR_COLOURS["public"], ms=11,
               label="public body"),
        Line2D([], [], marker="o", ls="", color=SECTOR_COLOURS["private"], ms=11, label="firm"),
        Line2D([], [], marker=UMBRELLA_MARKER, ls="", color=SECTOR_COLOURS["private"], ms=9,
               label="umbrella of firms"),
        Line2D([], [], marker="s", ls="", color=NEGOTIATING_COLOUR, ms=11,
               label="partnership negotiating"),
        *[Line2D([], [], marker="s", ls="", color=colour, ms=11,
                 label=f"partnership, {stage.name.lower()}")
          for stage, colour in STAGE_COLOURS.items()],
    ]
    ax.legend(handles=legend, loc="upper center", bbox_to_anchor=(0.5, -0.01), ncol=2,
              fontsize=FONT - 2, frameon=False)
    ax.set_title(f"Month {model.month}: organisations and partnerships", fontsize=FONT + 2)
    ax.text(-1.08, 1.08, "public", color=SECTOR_COLOURS["public"], fontsize=FONT, ha="left")
    ax.text(1.08, 1.08, "private", color=SECTOR_COLOURS["private"], fontsize=FONT, ha="right")
    ax.set_aspect("equal")
    ax.set_xlim(-1.15, 1.15)
    ax.set_ylim(-1.15, 1.15)
    ax.axis("off")
    solara.FigureMatplotlib(fig, format="png", dependencies=[model, model.month])


def _line_plot(model: PartnershipModel, title: str, ylabel: str,
               lines: dict[str, tuple[str, str, str]], ylim: tuple[float, float] | None = None
               ) -> None:
    """A live line plot of DataCollector columns: column -> (label, colour, line style)."""
    update_counter.get()
    frame = model.datacollector.get_model_vars_dataframe()
    fig = _figure()
    ax = fig.subplots()
    for column, (label, colour, style) in lines.items():
        ax.plot(frame.index, frame[column], color=colour, ls=style, lw=2.5, label=label)
    ax.set_title(title, fontsize=FONT + 2)
    ax.set_xlabel("month", fontsize=FONT)
    ax.set_ylabel(ylabel, fontsize=FONT)
    ax.tick_params(labelsize=FONT - 2)
    ax.set_xlim(0, max(12, len(frame) - 1))
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=FONT - 2, loc="best")
    solara.FigureMatplotlib(fig, format="png", dependencies=[model, model.month])


@solara.component
def StagePlot(model: PartnershipModel) -> None:  # noqa: N802
    """Active partnerships by Austin stage, and those still negotiating."""
    _line_plot(model, "Partnerships by stage", "partnerships", {
        **{stage.name.lower(): (stage.name.lower(), colour, "-")
           for stage, colour in STAGE_COLOURS.items()},
        "negotiating": ("negotiating", NEGOTIATING_COLOUR, "--"),
    })


@solara.component
def TrustPlot(model: PartnershipModel) -> None:  # noqa: N802
    """Mean trust of each sector towards the other, and within partnerships."""
    _line_plot(model, "Trust between sectors", "trust (0–1)", {
        "trust_public_to_private": ("public bodies → firms", SECTOR_COLOURS["public"], "-"),
        "trust_private_to_public": ("firms → public bodies", SECTOR_COLOURS["private"], "-"),
        "trust_in_partnerships": ("within partnerships", "black", ":"),
    }, ylim=(0.0, 1.0))


@solara.component
def HarmPlot(model: PartnershipModel) -> None:  # noqa: N802
    """Crime harm with the partnerships, and what it would have been without them."""
    _line_plot(model, "Crime harm", "harm index", {
        "harm_without_prevention": ("without partnerships", "grey", "--"),
        "harm": ("with partnerships", "#a50f15", "-"),
    })


@solara.component
def SatisfactionPlot(model: PartnershipModel) -> None:  # noqa: N802
    """Satisfaction of each sector's members, and the share of commitment withheld."""
    _line_plot(model, "Satisfaction and free riding", "share (0–1)", {
        "satisfaction_public": ("public bodies satisfied", SECTOR_COLOURS["public"], "-"),
        "satisfaction_private": ("firms satisfied", SECTOR_COLOURS["private"], "-"),
        "free_riding": ("commitment withheld", "black", ":"),
    }, ylim=(0.0, 1.0))


@solara.component
def EventFeed(model: PartnershipModel) -> None:  # noqa: N802
    """What just happened, newest first, in plain words with the cause."""
    update_counter.get()
    lines = feed(model, limit=10)
    with solara.Card(f"What just happened (month {model.month})", classes=["pppsim-feed"]):
        if lines:
            solara.Markdown("\n".join(f"- {line}" for line in lines))
        else:
            solara.Markdown("Nothing has happened yet: press **Step** or **▶**.")


@solara.component
def TeachingView(scenario: Scenario) -> None:  # noqa: N802
    """SolaraViz's controls and model parameters, with the teaching panels laid out below.

    SolaraViz places its ``components`` in a draggable grid that does not appear with
    ipyvuetify 3 in a browser (Solara's gridlayout_v3), so the panels are laid out here,
    reading the same reactive model that SolaraViz's Step, Play and Reset act on.
    """
    model = solara.use_memo(
        lambda: solara.reactive(PartnershipModel(rng=scenario.seed, **scenario.params)), [])
    SolaraViz(
        model,
        components=[],
        model_params=model_params(scenario),
        name=f"Public-private partnerships against crime: {scenario.name}",
        play_interval=400,
    )
    with solara.Div(classes=["pppsim-note"]):
        solara.Markdown(NOTE)
    with solara.Div(classes=["pppsim-settings"]):
        solara.Markdown(settings_line(model.value))
    with solara.Columns([6, 5]):
        NetworkView(model.value)
        EventFeed(model.value)
    with solara.Columns([1, 1]):  # two per row: legible on a classroom projector
        StagePlot(model.value)
        TrustPlot(model.value)
    with solara.Columns([1, 1]):
        SatisfactionPlot(model.value)
        HarmPlot(model.value)


@solara.component
def Page() -> None:  # noqa: N802
    """The teaching page: scenario picker, levers, network, plots and event feed."""
    names = solara.use_memo(scenario_names, [])
    scenario_name = solara.use_reactive(DEFAULT_SCENARIO if DEFAULT_SCENARIO in names
                                        else names[0])
    scenario = solara.use_memo(lambda: load_scenario(SCENARIO_DIR / f"{scenario_name.value}.toml"),
                               [scenario_name.value])
    solara.Style(CSS)
    with solara.Sidebar(), solara.Card("Scenario"):
        solara.Select("Scenario", values=names, value=scenario_name)
        if scenario.description:
            solara.Markdown(scenario.description)
    TeachingView(scenario).key(f"scenario-{scenario_name.value}")


page = Page()
