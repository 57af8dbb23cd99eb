"""The live teaching page: partnerships forming, working and ending, month by month.

Run it with ``pppsim app`` (or ``solara run pppsim/app.py``).  The left column holds the
scenario picker (the shipped scenarios and the case library), the levers as sliders that show
their values and units, and the save-and-share panel (download the settings as a scenario
file, load one, download the run's monthly data as CSV).  The main area has the controls (Step,
Play, Reset), the network of organisations and partnerships, a feed that tells each formation,
exit and dissolution with its cause, and live plots of partnerships by stage, trust between
sectors, satisfaction and crime harm.

The page keeps one model per browser session.  **Reset** builds a new model from the picked
scenario, the sliders and the seed slider, so that a class can repeat the teacher's run.  Each
figure is made once and redrawn in place: a month updates the lines' data, and the network is
redrawn only when a partnership or a membership changed, on a fixed circular layout.  Every
string the page shows is in :mod:`pppsim.app_text`.

The page speaks English, Dutch or Swedish (the language setting at the top of the left column;
it starts in ``$PPPSIM_LANG``, which ``pppsim app --lang`` sets, else in English): its labels,
the feed, the stories, the shipped scenarios' names and descriptions, and numbers are in the
chosen language (:mod:`pppsim.i18n`).  Each component renders inside
``with language(lang):``; the figures are made again when the language changes.
"""

from __future__ import annotations

import io
import math
import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import ipywidgets
import numpy as np
import PIL.Image
import solara
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from . import app_text as text
from .errors import PppsimError
from .explain import feed
from .i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGE_NAMES,
    LANGUAGE_VARIABLE,
    LANGUAGES,
    _,
    current,
    language,
    shown_name,
)
from .library import CASE_DIR, SCENARIO_DIR
from .model import PartnershipModel
from .model.outputs import time_series
from .model.vocabulary import Stage
from .parameters import parameter_table
from .run import SECTOR_COLOURS
from .scenario import (
    Scenario,
    ScenarioError,
    load_scenario,
    scenario_summary,
    scenario_to_toml,
)

DEFAULT_SCENARIO = "baseline"
LEVERS: dict[str, float | None] = {
    "grant_share": None,
    "grant_months": 60,
    "legal_barrier": None,
    "organisational_barrier": None,
    "technical_barrier": None,
    "governance": None,
    "follow_up_capacity": None,
    "initial_trust": None,
    "meeting_interval_months": None,
    "n_organisations": 300,
}
"""The sliders: parameter -> upper limit on the page, or None for the schema's."""
SEED_MAX = 99
PLAY_INTERVAL_S = 0.25
"""Pause between months while playing, in seconds."""

STAGE_COLOURS = {
    Stage.PHILANTHROPIC: "#9ecae1",
    Stage.TRANSACTIONAL: "#3182bd",
    Stage.INTEGRATIVE: "#08306b",
}
NEGOTIATING_COLOUR = "#969696"
FONT = 12
"""Base font size of the figures, for a classroom projector."""
DPI = 80
PNG_OPTIONS = {"compress_level": 1}
"""Fast PNG encoding: a figure is sent once a month, its size matters less than its cost."""

CSS = """
.v-application, .v-application .v-label, .v-application .v-input { font-size: 16px !important; }
.v-application .v-card__title { font-size: 19px !important; padding: 8px 12px !important; }
.pppsim-note p { font-size: 17px; line-height: 1.4; margin: 0.2em 0.4em; }
.pppsim-feed li { font-size: 16px; line-height: 1.35; margin-bottom: 0.3em; }
.pppsim-settings p { font-size: 15px; margin: 0 0.5em; color: #333; }
.pppsim-month { font-size: 22px; font-weight: bold; margin: 0 0.6em; }
.pppsim-figure img, img.pppsim-figure { width: 100%; height: auto; }
.pppsim-levers .v-input__slot { margin-bottom: 0 !important; flex-wrap: wrap; }
.pppsim-levers .v-input__slot .v-label { width: 100%; max-width: 100%; height: auto;
  white-space: normal; line-height: 1.25; margin-bottom: 4px; }
.v-application .v-card__title { word-break: normal; white-space: normal; }
.pppsim-save .v-btn { max-width: 100%; margin-bottom: 6px; }
.pppsim-save .widget-upload { max-width: 100%; }
.pppsim-save .v-alert { word-break: break-word; }
.pppsim-levers .v-messages { display: none; }
"""


# --- scenarios -------------------------------------------------------------------------------

CASE_KEY = "case: "
"""Prefix of a case's key in the picker (the key is not shown: see :func:`choice_labels`)."""
LOADED_KEY = "loaded: "
"""Prefix of the picker's key of a scenario file loaded on the page."""


def scenario_choices() -> dict[str, Path]:
    """The picker's entries: scenario stems (baseline first), then ``case: <stem>``."""
    stems = sorted(path.stem for path in SCENARIO_DIR.glob("*.toml"))
    choices = {stem: SCENARIO_DIR / f"{stem}.toml"
               for stem in sorted(stems, key=lambda s: s != DEFAULT_SCENARIO)}
    for path in sorted(CASE_DIR.glob("*.toml")):
        choices[f"{CASE_KEY}{path.stem}"] = path
    return choices


def choice_labels(choices: dict[str, Path]) -> dict[str, str]:
    """What the picker shows for each key, in the current language: a shipped scenario by
    its name (translated, :func:`~pppsim.i18n.shown_name`), a case as ``case: <name>``."""
    return {key: (_(text.CASE).format(name=key.removeprefix(CASE_KEY))
                  if key.startswith(CASE_KEY) else shown_name(scenario_summary(path)[0]))
            for key, path in choices.items()}


def choice_label(key: str, labels: dict[str, str]) -> str:
    """The picker's text for ``key``; a loaded file is ``loaded: <its name>``."""
    if key.startswith(LOADED_KEY):
        return _(text.LOADED).format(name=key.removeprefix(LOADED_KEY))
    return labels[key]


def page_language() -> str:
    """The page's language when it opens: ``$PPPSIM_LANG`` (``pppsim app --lang`` sets it,
    and checks it), English when unset or not one of :data:`~pppsim.i18n.LANGUAGES`."""
    lang = os.environ.get(LANGUAGE_VARIABLE, "")
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


_SCHEMA = {row["name"]: row for row in parameter_table()}


@dataclass(frozen=True)
class Slider:
    """One lever on the page."""

    name: str
    is_int: bool
    low: float
    high: float
    step: float


def sliders(scenario: Scenario) -> list[Slider]:
    """The levers' sliders for a scenario: the schema's ranges, a few capped for the page."""
    result = []
    for name, page_max in LEVERS.items():
        row = _SCHEMA[name]
        is_int = row["type"] == "int"
        high = row["max"] if page_max is None else page_max
        if name == "grant_share":  # the shares of grant and structural money add up to <= 1
            high = round(1.0 - scenario.params["structural_share"], 2)
        high = max(high, scenario.params[name])
        result.append(Slider(name, is_int, row["min"], high, 1 if is_int else 0.05))
    return result


def lever_values(scenario: Scenario) -> dict[str, Any]:
    """The sliders' starting values: the scenario's levers and its seed (``rng``)."""
    return {name: scenario.params[name] for name in LEVERS} | {"rng": scenario.seed}


def clean_value(name: str, value: Any) -> Any:
    """A slider's value as the schema's type (sliders may send 1 for 1.0 and 0.30000000004)."""
    if name == "rng" or _SCHEMA[name]["type"] == "int":
        return int(value)
    return round(float(value), 4)


def run_parameters(scenario: Scenario, levers: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """The seed and model parameters of a run: the scenario with the levers as set."""
    changed = {name: clean_value(name, levers[name]) for name in LEVERS}
    return clean_value("rng", levers["rng"]), scenario.changed(**changed).params


def new_model(scenario: Scenario, levers: dict[str, Any]) -> PartnershipModel:
    """The model a Reset builds: the scenario, the levers and the seed slider's seed."""
    seed, params = run_parameters(scenario, levers)
    return PartnershipModel(rng=seed, **params)


def settings_toml(scenario: Scenario, levers: dict[str, Any]) -> str:
    """The current settings as a scenario file that ``pppsim run`` and the page accept (its
    name and description in the current language)."""
    seed, params = run_parameters(scenario, levers)
    name = shown_name(scenario.name)
    saved = Scenario(_(text.SAVED_NAME).format(scenario=name),
                     scenario.changed(**params).parameters,
                     _(text.SAVED_DESCRIPTION).format(scenario=name),
                     scenario.months, seed)
    return scenario_to_toml(saved)


def load_uploaded(name: str, data: bytes) -> Scenario:
    """A scenario file loaded on the page, checked like any scenario file; an error names the
    file as the user knows it."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(name).name
        path.write_bytes(data)
        try:
            scenario = load_scenario(path)
        except ScenarioError as exc:
            raise ScenarioError(str(exc).replace(str(path), path.name)) from None
    return Scenario(scenario.name, scenario.parameters, scenario.description, scenario.months,
                    scenario.seed, None)


def run_csv(model: PartnershipModel) -> str:
    """The run's monthly outputs as CSV, one row per month."""
    return time_series(model).to_csv()


def _number(value: float) -> str:
    """A lever's value as short as it is (``0.4``, ``24``) in the current language's style
    (``0,4`` in Dutch and Swedish)."""
    from babel.numbers import format_decimal

    return format_decimal(value, format="#,##0.####", locale=current().locale)


def _units(name: str) -> str:
    units = text.UNITS[name]
    return _(units) if units else ""


def slider_label(name: str, value: Any) -> str:
    """A slider's label with its value and units, legible from the back of a classroom."""
    if name == "rng":
        return _(text.SLIDER).format(label=_(text.SEED), value=int(value), units="").strip()
    return _(text.SLIDER).format(label=_(text.LEVERS[name]),
                                 value=_number(clean_value(name, value)),
                                 units=_units(name)).strip()


def settings_line(model: PartnershipModel) -> str:
    """The levers and seed of the run on screen: what Reset last applied."""
    values = ", ".join(_(text.SETTINGS_ITEM).format(label=_(text.LEVERS[name]).lower(),
                                                    value=_number(getattr(model.p, name)))
                       for name in LEVERS)
    return _(text.SETTINGS_LINE).format(values=values, seed=model_seed(model))


def model_seed(model: PartnershipModel) -> int:
    """The seed a model was built with (Mesa keeps it as ``_seed``)."""
    return model._seed


# --- figures ---------------------------------------------------------------------------------

def network_layout(model: PartnershipModel) -> dict[int, tuple[float, float]]:
    """Organisations on a circle, public bodies on the left arc and firms on the right.

    Deterministic (sorted by sector, kind and id) and fixed for the run.
    """
    orgs = sorted(model.organisations, key=lambda o: (not o.is_public, o.kind, o.unique_id))
    n = len(orgs)
    return {o.unique_id: (math.cos(math.pi / 2 + 2 * math.pi * (i + 0.5) / n),
                          math.sin(math.pi / 2 + 2 * math.pi * (i + 0.5) / n))
            for i, o in enumerate(orgs)}


class Blitted:
    """A figure whose static parts are drawn once: each update pastes that background back and
    draws only the changing artists onto it (matplotlib's blitting), then encodes the PNG."""

    def __init__(self, width: float, height: float) -> None:
        self.fig = Figure(figsize=(width, height), dpi=DPI)
        self.canvas = FigureCanvasAgg(self.fig)
        self.background: Any = None
        self.png = b""

    def render(self, artists: list[Any], full: bool) -> bytes:
        """Draw ``artists`` (all ``animated``) on the background; redraw it first if ``full``."""
        if full or self.background is None:
            self.canvas.draw()  # animated artists are left out of the background
            self.background = self.canvas.copy_from_bbox(self.fig.bbox)
        else:
            self.canvas.restore_region(self.background)
        renderer = self.canvas.get_renderer()
        for artist in artists:
            artist.draw(renderer)
        width, height = self.canvas.get_width_height()
        buffer = io.BytesIO()
        PIL.Image.frombuffer("RGBA", (width, height), self.canvas.buffer_rgba(), "raw",
                             "RGBA", 0, 1).save(buffer, format="png", **PNG_OPTIONS)
        self.png = buffer.getvalue()
        return self.png


class NetworkFigure(Blitted):
    """The network of one run: a fixed layout, redrawn only when partnerships change."""

    def __init__(self, model: PartnershipModel) -> None:
        super().__init__(5.6, 5.6)
        self.model = model
        self.layout = network_layout(model)
        self.orgs = sorted(model.organisations, key=lambda o: o.unique_id)
        ax = self.fig.add_axes((0.0, 0.17, 1.0, 0.83))
        self.edges = LineCollection([], linewidths=1.2, alpha=0.7, zorder=1, animated=True)
        ax.add_collection(self.edges)
        self.squares = ax.scatter([], [], marker="s", s=90, edgecolors="black",
                                  linewidths=0.6, zorder=3, animated=True)
        self.dots = []
        for umbrella in (False, True):
            group = [o for o in self.orgs if o.is_umbrella == umbrella]
            if not group:
                continue
            points = [self.layout[o.unique_id] for o in group]
            self.dots.append((group, ax.scatter(
                [x for x, _ in points], [y for _, y in points], marker="D" if umbrella else "o",
                color=[SECTOR_COLOURS[str(o.sector)] for o in group], edgecolors="white",
                linewidths=0.5, zorder=2, animated=True)))
        legend = [
            Line2D([], [], marker="o", ls="", color=SECTOR_COLOURS["public"], ms=9,
                   label=_(text.LEGEND["public"])),
            Line2D([], [], marker="o", ls="", color=SECTOR_COLOURS["private"], ms=9,
                   label=_(text.LEGEND["private"])),
            Line2D([], [], marker="D", ls="", color=SECTOR_COLOURS["private"], ms=7,
                   label=_(text.LEGEND["umbrella"])),
            Line2D([], [], marker="s", ls="", color=NEGOTIATING_COLOUR, ms=9,
                   label=_(text.LEGEND["negotiating"])),
            *[Line2D([], [], marker="s", ls="", color=colour, ms=9,
                     label=_(text.LEGEND["stage"]).format(stage=_(stage.name.lower())))
              for stage, colour in STAGE_COLOURS.items()],
        ]
        self.fig.legend(handles=legend, loc="lower center", ncol=2, fontsize=FONT - 1,
                        frameon=False)
        ax.text(-1.08, 1.08, _(text.PUBLIC), color=SECTOR_COLOURS["public"], fontsize=FONT,
                ha="left")
        ax.text(1.08, 1.08, _(text.PRIVATE), color=SECTOR_COLOURS["private"], fontsize=FONT,
                ha="right")
        ax.set_aspect("equal")
        ax.set_xlim(-1.15, 1.15)
        ax.set_ylim(-1.15, 1.15)
        ax.axis("off")
        self.state: tuple | None = None

    @staticmethod
    def state_of(model: PartnershipModel) -> tuple:
        """What the figure shows: each partnership's stage and members, each org's load."""
        partnerships = tuple(
            (p.unique_id, p.stage if p.is_operating else None,
             tuple(p.members) or tuple(o.unique_id for o in p._pending_members))
            for p in model.partnerships)
        load = tuple(len(o.partnerships) for o in model.organisations)
        return partnerships, load

    def draw(self, model: PartnershipModel) -> bytes:
        """The figure as PNG; redrawn only if a partnership or membership changed."""
        state = self.state_of(model)
        if state == self.state:
            return self.png
        segments, colours, centres, square_colours = [], [], [], []
        for _pid, stage, ids in state[0]:
            points = [self.layout[i] for i in ids]
            cx = 0.55 * sum(x for x, _ in points) / len(points)
            cy = 0.55 * sum(y for _, y in points) / len(points)
            colour = NEGOTIATING_COLOUR if stage is None else STAGE_COLOURS[stage]
            segments += [[(cx, cy), point] for point in points]
            colours += [colour] * len(points)
            centres.append((cx, cy))
            square_colours.append(colour)
        self.edges.set_segments(segments)
        self.edges.set_color(colours or "white")
        self.squares.set_offsets(centres if centres else np.empty((0, 2)))
        self.squares.set_facecolor(square_colours or "white")
        for group, dots in self.dots:
            dots.set_sizes([35 + 35 * len(o.partnerships) for o in group])
        self.state = state
        return self.render([self.edges, *(dots for _, dots in self.dots), self.squares],
                           full=False)


@dataclass(frozen=True)
class PlotSpec:
    """A live line plot: monthly output column -> (label, colour, line style)."""

    key: str
    lines: dict[str, tuple[str, str, str]]
    ylim: tuple[float, float] | None = None


PLOTS = (
    PlotSpec("stages", {
        **{stage.name.lower(): (stage.name.lower(), colour, "-")
           for stage, colour in STAGE_COLOURS.items()},  # labelled text.STAGE_LINE
        "negotiating": (text.LINES["negotiating"], NEGOTIATING_COLOUR, "--")}),
    PlotSpec("trust", {
        "trust_public_to_private": (text.LINES["trust_public_to_private"],
                                    SECTOR_COLOURS["public"], "-"),
        "trust_private_to_public": (text.LINES["trust_private_to_public"],
                                    SECTOR_COLOURS["private"], "-"),
        "trust_in_partnerships": (text.LINES["trust_in_partnerships"], "black", ":")},
        (0.0, 1.0)),
    PlotSpec("satisfaction", {
        "satisfaction_public": (text.LINES["satisfaction_public"], SECTOR_COLOURS["public"],
                                "-"),
        "satisfaction_private": (text.LINES["satisfaction_private"],
                                 SECTOR_COLOURS["private"], "-"),
        "free_riding": (text.LINES["free_riding"], "black", ":")}, (0.0, 1.0)),
    PlotSpec("harm", {
        "harm_without_prevention": (text.LINES["harm_without_prevention"], "grey", "--"),
        "harm": (text.LINES["harm"], "#a50f15", "-")}),
)
"""The four plots, two per row: legible on a classroom projector."""
HEADROOM = 2.0
"""A plot's y axis doubles when a line outgrows it (rarely, so the axes are rarely redrawn)."""
LEAST_TOP = 5.0
"""The least top of an automatic y axis (a handful of partnerships fit from the start)."""


STAGE_NAMES = {stage.name.lower() for stage in STAGE_COLOURS}


def line_label(column: str, label: str) -> str:
    """A plotted line's legend entry in the current language."""
    if column in STAGE_NAMES:
        return _(text.STAGE_LINE).format(stage=_(label))
    return _(label)


class LinePlot(Blitted):
    """One live plot over the run's horizon: axes, legend and labels are drawn once, a month
    redraws the lines; the axes are redrawn only when a line outgrows them."""

    def __init__(self, spec: PlotSpec) -> None:
        super().__init__(4.8, 3.5)
        self.spec = spec
        self.fig.subplots_adjust(left=0.15, right=0.97, bottom=0.15, top=0.9)
        self.ax = self.fig.add_subplot()
        self.lines = {column: self.ax.plot([], [], color=colour, ls=style, lw=2.2,
                                           label=line_label(column, label), animated=True)[0]
                      for column, (label, colour, style) in spec.lines.items()}
        title, ylabel = text.PLOTS[spec.key]
        self.ax.set_title(_(title), fontsize=FONT + 2)
        self.ax.set_xlabel(_(text.MONTH_AXIS), fontsize=FONT)
        self.ax.set_ylabel(_(ylabel), fontsize=FONT)
        self.ax.tick_params(labelsize=FONT - 2)
        self.ax.grid(alpha=0.3)
        self.ax.legend(fontsize=FONT - 2, loc="upper left")
        self.ax.set_ylim(*(spec.ylim or (0.0, 1.0)))
        self.state: tuple | None = None

    def draw(self, model: PartnershipModel, horizon: int) -> bytes:
        """The plot as PNG, redrawn when a month was added (or the run changed)."""
        columns = model.datacollector.model_vars
        months = len(columns["harm"])
        state = (id(model), months)
        if state == self.state:
            return self.png
        full = self.state is None or self.state[0] != id(model)
        x = np.arange(months)
        top = 0.0
        for column, line in self.lines.items():
            values = np.asarray(columns[column], dtype=float)
            line.set_data(x, values)
            if values.size and np.isfinite(values).any():
                top = max(top, float(np.nanmax(values)))
        right = max(horizon, months - 1)
        if full or right > self.ax.get_xlim()[1]:
            self.ax.set_xlim(0, right)
            full = True
        if self.spec.ylim is None and (full or top > self.ax.get_ylim()[1]):
            self.ax.set_ylim(0.0, max(top * HEADROOM, LEAST_TOP))
            full = True
        self.state = state
        return self.render(list(self.lines.values()), full)


class Figures:
    """The page's figures for one session: the network (per run) and the four plots."""

    def __init__(self) -> None:
        self.network: NetworkFigure | None = None
        self.plots = [LinePlot(spec) for spec in PLOTS]

    def network_png(self, model: PartnershipModel) -> bytes:
        if self.network is None or self.network.model is not model:
            self.network = NetworkFigure(model)
        return self.network.draw(model)

    def plot_pngs(self, model: PartnershipModel, horizon: int) -> list[bytes]:
        return [plot.draw(model, horizon) for plot in self.plots]


# --- the page --------------------------------------------------------------------------------

@dataclass
class Session:
    """What one browser session's page acts on."""

    scenario: solara.Reactive[Scenario]
    levers: solara.Reactive[dict[str, Any]]
    model: solara.Reactive[PartnershipModel]
    month: solara.Reactive[int]
    playing: solara.Reactive[bool]
    lock: threading.RLock
    lang: solara.Reactive[str]

    def step(self) -> None:
        with self.lock:
            model = self.model.value
            model.step()
            self.month.set(model.month)

    def reset(self) -> None:
        self.playing.set(False)
        with self.lock:
            model = new_model(self.scenario.value, self.levers.value)
            self.model.set(model)
            self.month.set(model.month)

    def use(self, scenario: Scenario) -> None:
        """Switch to a scenario: sliders to its values and seed, and a new run."""
        self.scenario.set(scenario)
        self.levers.set(lever_values(scenario))
        self.reset()


def prose_html(markdown_text: str) -> str:
    """Markdown as HTML (python-markdown, the library Solara's own Markdown uses)."""
    import markdown

    return markdown.markdown(markdown_text)


@solara.component
def Prose(markdown_text: str) -> None:  # noqa: N802
    """Markdown shown as HTML.  Not ``solara.Markdown``: on mount it fetches KaTeX (for
    maths) from the local front-end files, which solara-assets does not ship, so an offline
    page would log a failed request for every piece of text."""
    solara.HTML(tag="div", unsafe_innerHTML=prose_html(markdown_text),
                classes=["solara-markdown", "rendered_html", "jp-RenderedHTMLCommon"])


@solara.component
def LanguagePicker(session: Session) -> None:  # noqa: N802
    """The page's language: English, Nederlands or svenska."""
    with language(session.lang.value):
        solara.Select(_(text.LANGUAGE), value=session.lang.value, on_value=session.lang.set,
                      values=[{"text": LANGUAGE_NAMES[lang], "value": lang}
                              for lang in LANGUAGES])


@solara.component
def LeverSliders(session: Session) -> None:  # noqa: N802
    """The levers and the seed, each slider labelled with its value and units."""
    levers = session.levers.value

    def setter(name: str) -> Callable[[Any], None]:
        return lambda value: session.levers.set(
            {**session.levers.value, name: clean_value(name, value)})

    with language(session.lang.value), solara.Card(_(text.LEVERS_CARD),
                                                   classes=["pppsim-levers"]):
        for slider in sliders(session.scenario.value):
            widget = solara.SliderInt if slider.is_int else solara.SliderFloat
            widget(slider_label(slider.name, levers[slider.name]), value=levers[slider.name],
                   min=slider.low, max=slider.high, step=slider.step,
                   on_value=setter(slider.name), thumb_label=False)
        seed = levers["rng"]
        solara.SliderInt(slider_label("rng", seed), value=seed, min=0,
                         max=max(SEED_MAX, seed), on_value=setter("rng"), thumb_label=False)


@solara.component
def SavePanel(session: Session, choice: solara.Reactive[str]) -> None:  # noqa: N802
    """Download the settings or the run's data; load a scenario file."""
    error = solara.use_reactive("")
    scenario = session.scenario.value
    stem = (scenario.path.stem if scenario.path else "scenario")
    lang = session.lang.value

    def on_upload(files: Any) -> None:
        if not files:
            return
        name, data = files[0]["name"], bytes(files[0]["content"])
        try:
            loaded = load_uploaded(name, data)
        except PppsimError as exc:
            error.set(str(exc))
            return
        error.set("")
        choice.set(f"{LOADED_KEY}{loaded.name}")
        session.use(loaded)

    def settings() -> str:  # called on a click, outside this render's language block
        with language(lang):
            return settings_toml(session.scenario.value, session.levers.value)

    with language(lang), solara.Card(_(text.SAVE_CARD), classes=["pppsim-save"]):
        solara.FileDownload(settings, filename=f"{stem}-settings.toml",
                            label=_(text.DOWNLOAD_SETTINGS), mime_type="text/plain")
        solara.FileDownload(lambda: run_csv(session.model.value),
                            filename=f"{stem}-seed{model_seed(session.model.value)}.csv",
                            label=_(text.DOWNLOAD_DATA), mime_type="text/csv")
        ipywidgets.FileUpload.element(accept=".toml", multiple=False,
                                      description=_(text.LOAD_SETTINGS), on_value=on_upload,
                                      layout=ipywidgets.Layout(width="100%"))
        if error.value:
            solara.Error(_(text.LOAD_ERROR).format(error=error.value))


@solara.component
def ScenarioPanel(session: Session, choice: solara.Reactive[str]) -> None:  # noqa: N802
    """The picker and the scenario's description (a case's history and trajectory)."""
    choices = solara.use_memo(scenario_choices, [])
    lang = session.lang.value

    def labels_now() -> dict[str, str]:
        with language(lang):
            return choice_labels(choices)

    labels = solara.use_memo(labels_now, [lang])
    keys = list(choices)
    if choice.value not in choices:
        keys.append(choice.value)

    def pick(key: str) -> None:
        choice.set(key)
        if key in choices:
            session.use(load_scenario(choices[key]))

    scenario = session.scenario.value
    with language(lang), solara.Card(_(text.SCENARIO_CARD)):
        solara.Select(_(text.SCENARIO_PICKER), value=choice.value, on_value=pick,
                      values=[{"text": choice_label(key, labels), "value": key}
                              for key in keys])
        if scenario.case is not None:
            Prose(_(text.CASE_HEADING).format(
                history=scenario.case.history, sources=", ".join(scenario.case.sources)))
            Prose(_(text.CASE_EXPECTED).format(
                trajectory=scenario.case.trajectory_words()))
        elif scenario.description:
            Prose(shown_name(scenario.description))


@solara.component
def Controls(session: Session) -> None:  # noqa: N802
    """Step, Play/Pause, Reset and the month."""
    playing = session.playing.value
    with language(session.lang.value), solara.Row(
            style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Button(_(text.CONTROLS["step"]), on_click=session.step, disabled=playing,
                      color="primary")
        solara.Button(_(text.CONTROLS["pause" if playing else "play"]),
                      on_click=lambda: session.playing.set(not session.playing.value),
                      color="primary")
        solara.Button(_(text.CONTROLS["reset"]), on_click=session.reset, color="primary",
                      outlined=True)
        solara.Text(_(text.MONTH).format(month=session.month.value), classes=["pppsim-month"])


@solara.component
def RunSettings(session: Session) -> None:  # noqa: N802
    """The line that says which levers and seed the current run uses."""
    with language(session.lang.value), solara.Div(classes=["pppsim-settings"]):
        Prose(settings_line(session.model.value))


@solara.component
def Panels(session: Session) -> None:  # noqa: N802
    """Network, feed and plots of the current run."""
    lang = session.lang.value
    figures = solara.use_memo(Figures, [lang])  # made again in a new language
    model = session.model.value
    month = session.month.value
    with language(lang):
        with session.lock:
            network = figures.network_png(model)
            plots = figures.plot_pngs(model, session.scenario.value.months)
            lines = feed(model, limit=10)
        with solara.Columns([6, 5]):
            solara.Image(network, classes=["pppsim-figure"])
            with solara.Card(_(text.FEED_TITLE).format(month=month), classes=["pppsim-feed"]):
                Prose("\n".join(f"- {line}" for line in lines) if lines
                                else _(text.FEED_EMPTY))
        for row in (plots[:2], plots[2:]):
            with solara.Columns([1, 1]):
                for png in row:
                    solara.Image(png, classes=["pppsim-figure"])


@solara.component
def Page() -> None:  # noqa: N802
    """The teaching page: language, scenario, levers, controls, network, feed and plots."""
    choices = solara.use_memo(scenario_choices, [])
    first = DEFAULT_SCENARIO if DEFAULT_SCENARIO in choices else next(iter(choices))
    choice = solara.use_reactive(first)

    def start() -> Session:
        scenario = load_scenario(choices[first])
        levers = lever_values(scenario)
        return Session(solara.reactive(scenario), solara.reactive(levers),
                       solara.reactive(new_model(scenario, levers)), solara.reactive(0),
                       solara.reactive(False), threading.RLock(),
                       solara.reactive(page_language()))

    session = solara.use_memo(start, [])

    def play(cancel: threading.Event) -> None:
        while session.playing.value and not cancel.is_set():
            if session.model.value.month >= session.scenario.value.months:
                session.playing.set(False)
                return
            session.step()
            cancel.wait(PLAY_INTERVAL_S)

    solara.use_thread(play, dependencies=[session.playing.value])

    with language(session.lang.value):
        solara.Title(_(text.TAB_TITLE))
        solara.Style(CSS)
        with solara.Columns([3, 9]):
            with solara.Column():
                LanguagePicker(session)
                ScenarioPanel(session, choice)
                LeverSliders(session)
                SavePanel(session, choice)
            with solara.Column():
                Prose("### " + _(text.PAGE_TITLE).format(
                    scenario=shown_name(session.scenario.value.name)))
                Controls(session)
                RunSettings(session)
                Panels(session)
                with solara.Div(classes=["pppsim-note"]):
                    Prose(_(text.NOTE))


page = Page()
