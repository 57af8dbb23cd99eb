"""Figures of a scenario comparison, drawn from the comparison's tables.

Every figure is a ``matplotlib.figure.Figure`` (no pyplot, no global state) 7.5 inches wide,
so that at A4 width its 9-point text prints at about its own size.  Each scenario keeps one
colour in every figure (:func:`scenario_colours`); the first scenario, the reference, is
drawn in near-black.
"""

from __future__ import annotations

import base64
import functools
import io
from collections.abc import Callable, Sequence
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..i18n import _
from ..plotting import LITERAL_TEXT
from .compare import HEADLINE, HEADLINE_NAMES, LIFETIME, SERIES, Series

WIDTH_INCHES = 7.5
DPI = 150
PALETTE = ("#222222", "#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9",
           "#8c564b", "#7f7f7f", "#bcbd22")
"""The reference in near-black, then the Okabe-Ito colour-blind-safe colours."""
STYLE = {"font.size": 9, "axes.titlesize": 10, "axes.labelsize": 9, "legend.fontsize": 9,
         "xtick.labelsize": 8.5, "ytick.labelsize": 8.5, "axes.spines.top": False,
         "axes.spines.right": False, "axes.grid": True, "grid.color": "0.9",
         "grid.linewidth": 0.6} | LITERAL_TEXT
REFERENCE_LINE = {"color": "0.45", "linestyle": "--", "linewidth": 1.0}


def styled[**P](draw: Callable[P, Figure]) -> Callable[P, Figure]:
    """Run a drawing function in the report's matplotlib style."""

    @functools.wraps(draw)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Figure:
        with mpl.rc_context(STYLE):
            return draw(*args, **kwargs)

    return wrapper


def scenario_colours(names: Sequence[str]) -> dict[str, str]:
    """One colour per scenario, in order; the palette repeats after ten scenarios."""
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}


def figure(height: float, rows: int = 1, columns: int = 1, **options: Any
           ) -> tuple[Figure, np.ndarray]:
    """A report-width figure with a grid of axes (call it inside :func:`styled`)."""
    fig = Figure(figsize=(WIDTH_INCHES, height), layout="constrained")
    return fig, fig.subplots(rows, columns, squeeze=False, **options)


def png_data_uri(fig: Figure) -> str:
    """The figure as a ``data:image/png;base64,...`` URI (no timestamp: reproducible bytes)."""
    buffer = io.BytesIO()
    with mpl.rc_context(LITERAL_TEXT):
        fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _series_of(table: pd.DataFrame, scenario: str, series: str) -> pd.DataFrame:
    return table[(table["scenario"] == scenario) & (table["series"] == series)]


def _legend(fig: Figure, colours: dict[str, str]) -> None:
    handles = [Line2D([], [], color=c, linewidth=2.2) for c in colours.values()]
    fig.legend(handles, list(colours), loc="outside upper center",
               ncol=min(len(colours), 3), frameon=False)


@styled
def means_figure(table: pd.DataFrame, colours: dict[str, str],
                 series: Sequence[Series] = SERIES) -> Figure:
    """Mean of each key series per scenario over time, with the 95% CI band of the mean."""
    rows = int(np.ceil(len(series) / 2))
    fig, axes = figure(2.5 * rows + 0.5, rows, 2)
    for ax, spec in zip(axes.flat, series, strict=False):
        for name, colour in colours.items():
            data = _series_of(table, name, spec.name)
            ax.fill_between(data["month"], data["ci_low"], data["ci_high"], color=colour,
                            alpha=0.18, linewidth=0)
            ax.plot(data["month"], data["mean"], color=colour, linewidth=1.8)
        ax.set(title=_(spec.label), xlabel=_("month"), ylabel=_(spec.unit))
        ax.set_ylim(bottom=min(0, ax.get_ylim()[0]))
    for ax in axes.flat[len(series):]:
        ax.set_visible(False)
    _legend(fig, colours)
    return fig


@styled
def fan_figure(table: pd.DataFrame, colours: dict[str, str], spec: Series) -> Figure:
    """Fan chart of one series: per scenario, the median run and the 25-75 and 10-90 % bands
    of single runs; the reference scenario's median as a dashed line in the other panels."""
    names = list(colours)
    columns = min(len(names), 3)
    rows = int(np.ceil(len(names) / columns))
    fig, axes = figure(2.2 * rows + 0.8, rows, columns, sharex=True, sharey=True)
    reference = _series_of(table, names[0], spec.name)
    for k, (ax, name) in enumerate(zip(axes.flat, names, strict=False)):
        data = _series_of(table, name, spec.name)
        colour = colours[name]
        ax.fill_between(data["month"], data["p10"], data["p90"], color=colour, alpha=0.15,
                        linewidth=0)
        ax.fill_between(data["month"], data["p25"], data["p75"], color=colour, alpha=0.35,
                        linewidth=0)
        ax.plot(data["month"], data["p50"], color=colour, linewidth=1.8)
        if k:
            ax.plot(reference["month"], reference["p50"], **REFERENCE_LINE)
        ax.set_title(name, color=colour)
        ax.set_xlabel(_("month"))
        if k % columns == 0:
            ax.set_ylabel(_(spec.unit))
    for ax in axes.flat[len(names):]:
        ax.set_visible(False)
    fig.suptitle(_(spec.label), fontsize=10.5)
    grey = "0.35"
    handles = [Patch(color=grey, alpha=0.15), Patch(color=grey, alpha=0.45),
               Line2D([], [], color=grey, linewidth=1.8), Line2D([], [], **REFERENCE_LINE)]
    labels = [_("10–90% band of runs"), _("25–75% band of runs"), _("median run"),
              _("median run, {reference}").format(reference=names[0])]
    fig.legend(handles, labels[:len(handles) if len(names) > 1 else 3],
               loc="outside lower center", ncol=4, frameon=False, fontsize=8.5)
    return fig


@styled
def survival_figure(survival: pd.DataFrame, colours: dict[str, str], months: int) -> Figure:
    """Kaplan-Meier curves: share of partnerships still operating by months since launch,
    with 95% bands."""
    fig, axes = figure(3.9)
    ax = axes[0, 0]
    for name, colour in colours.items():
        data = survival[survival["scenario"] == name]
        if data.empty:
            continue
        ax.fill_between(data["months"], data["ci_low"], data["ci_high"], step="post",
                        color=colour, alpha=0.15, linewidth=0)
        ax.step(data["months"], data["survival"], where="post", color=colour,
                linewidth=1.8, label=name)
    ax.axhline(0.5, **REFERENCE_LINE)
    ax.set(xlabel=_("months since launch"), ylabel=_("share still operating"),
           ylim=(0, 1.02), xlim=(0, months))
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="lower left", frameon=False)
    else:
        ax.text(0.5, 0.5, _("no partnership launched in any run"), transform=ax.transAxes,
                ha="center", va="center", color="#666")
    return fig


@styled
def end_cause_figure(end_causes: pd.DataFrame, colours: dict[str, str]) -> Figure:
    """Share of ended partnerships per end cause, a bar per scenario (causes that occurred)."""
    shares = end_causes.pivot(index="end_cause", columns="scenario", values="share")
    shares = shares.fillna(0.0)[list(colours)]
    shares = shares[shares.sum(axis=1) > 0]
    shares = shares.loc[shares.mean(axis=1).sort_values().index]
    n = len(colours)
    fig, axes = figure(0.9 + max(len(shares), 1) * (0.12 * n + 0.1))
    ax = axes[0, 0]
    height = 0.8 / n
    y = np.arange(len(shares))
    for k, (name, colour) in enumerate(colours.items()):
        ax.barh(y + (n - 1 - k - (n - 1) / 2) * height, 100 * shares[name], height,
                color=colour, label=name)
    ax.set_yticks(y, [_(cause) for cause in shares.index])
    ax.set_xlabel(_("share of ended partnerships (%)"))
    ax.grid(axis="y", visible=False)
    if len(shares):
        ax.legend(loc="lower right", frameon=False)
    else:
        ax.text(0.5, 0.5, _("no partnership ended in any run"), transform=ax.transAxes,
                ha="center", va="center", color="#666")
    return fig


@styled
def headline_figure(outcomes: pd.DataFrame, colours: dict[str, str],
                    shown: Sequence[str] = (HEADLINE[1], LIFETIME)) -> Figure:
    """The report's headline chart: per outcome (harm prevented, partnership lifetime), each
    scenario's change against the reference in percent with its bootstrap 95% interval, and
    the zero line of no change."""
    others = list(colours)[1:]
    fig, axes = figure(1.4 + 0.38 * max(len(others), 1), 1, len(shown), sharey=True)
    y = np.arange(len(others))[::-1]
    for ax, outcome in zip(axes.flat, shown, strict=True):
        rows = outcomes[outcomes["outcome"] == outcome].set_index("scenario")
        for k, name in zip(y, others, strict=True):
            row = rows.loc[name]
            change = 100 * (row[["ratio", "ratio_low", "ratio_high"]].to_numpy(float) - 1)
            if not np.isfinite(change[0]):
                continue
            low, high = change[0] - change[1], change[2] - change[0]
            ax.errorbar(change[0], k, xerr=[[max(low, 0)], [max(high, 0)]]
                        if np.isfinite(low + high) else None, fmt="o",
                        color=colours[name], capsize=3, markersize=6, linewidth=1.6)
        ax.axvline(0, **REFERENCE_LINE)
        ax.margins(x=0.12)
        title = _(HEADLINE_NAMES[outcome])
        ax.set_title(title[:1].upper() + title[1:], fontsize=9.5)
        ax.set_xlabel(_("change against {reference} (%)").format(reference=next(iter(colours))))
        ax.grid(axis="y", visible=False)
    axes[0, 0].set_yticks(y, others)
    axes[0, 0].set_ylim(-0.6, len(others) - 0.4)
    return fig
