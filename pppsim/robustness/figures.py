"""Figures of a robustness report, drawn from its tables in the comparison report's style
(:mod:`pppsim.report.figures`: report width, colour-blind-safe colours, no pyplot)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from ..report.figures import REFERENCE_LINE, figure, styled
from .measures import REGRET_QUANTILE, Threshold

MET, FAILED, UNDEFINED = "#009e73", "#d55e00", "#bbbbbb"


def _boxes(ax, data: list[np.ndarray], names: Sequence[str], colours: Mapping[str, str],
           whis: tuple[float, float] | float = (0, 100)) -> None:
    """Horizontal box plots, the first policy at the top, empty rows left blank."""
    y = np.arange(len(names))[::-1]
    shown = [(d, pos, colours[n]) for d, pos, n in zip(data, y, names, strict=True) if len(d)]
    if shown:
        parts = ax.boxplot([d for d, _, _ in shown], positions=[p for _, p, _ in shown],
                           orientation="horizontal", whis=whis, widths=0.55,
                           patch_artist=True, showfliers=False,
                           medianprops={"color": "white", "linewidth": 1.6})
        for patch, (_, _, colour) in zip(parts["boxes"], shown, strict=True):
            patch.set_facecolor(colour)
            patch.set_alpha(0.85)
        for values, pos, colour in shown:
            jitter = np.random.default_rng(0).uniform(-0.18, 0.18, len(values))
            ax.scatter(values, pos + jitter, s=6, color=colour, alpha=0.35, linewidths=0,
                       zorder=3)
    ax.set_yticks(y, names)
    ax.grid(axis="y", visible=False)


@styled
def outcome_figure(values: pd.DataFrame, outcomes: Sequence[str], names: Sequence[str],
                   colours: Mapping[str, str], labels: Mapping[str, str],
                   thresholds: Sequence[Threshold]) -> Figure:
    """Per outcome, the per-future values of every policy (box: middle half of the futures,
    whiskers: all of them, dots: single futures), with the satisficing threshold dashed."""
    fig, axes = figure(0.6 + len(outcomes) * (0.42 * len(names) + 0.7), len(outcomes), 1)
    for ax, outcome in zip(axes[:, 0], outcomes, strict=True):
        part = values[values["outcome"] == outcome]
        data = [part.loc[part["policy"] == n, "value"].dropna().to_numpy() for n in names]
        _boxes(ax, data, names, colours)
        for t in thresholds:
            if t.outcome == outcome:
                ax.axvline(t.value, **REFERENCE_LINE)
                sign = "\u2265" if t.at_least else "\u2264"
                ax.annotate(f"threshold {sign} {t.value:g}",
                            (t.value, 0.0), xycoords=("data", "axes fraction"),
                            xytext=(3, 3), textcoords="offset points", fontsize=8,
                            color="0.35")
        ax.set_title(labels.get(outcome, outcome), loc="left")
    return fig


@styled
def regret_figure(regrets: pd.DataFrame, names: Sequence[str], colours: Mapping[str, str],
                  unit: str) -> Figure:
    """Regret per future of every policy: box (middle half of the futures), whiskers (all
    futures), the 90th percentile (diamond) and the maximum (bar)."""
    fig, axes = figure(0.9 + 0.45 * len(names))
    ax = axes[0, 0]
    data = [regrets.loc[regrets["policy"] == n, "regret"].dropna().to_numpy() for n in names]
    _boxes(ax, data, names, colours)
    y = np.arange(len(names))[::-1]
    for d, pos in zip(data, y, strict=True):
        if len(d):
            ax.scatter([np.quantile(d, REGRET_QUANTILE)], [pos], marker="D", s=34,
                       color="black", zorder=4)
            ax.scatter([d.max()], [pos], marker="|", s=220, color="black", zorder=4)
    ax.set_xlabel(f"regret per future ({unit})")
    ax.set_xlim(left=0)
    handles = [Line2D([], [], marker="D", linestyle="", color="black"),
               Line2D([], [], marker="|", markersize=12, linestyle="", color="black")]
    fig.legend(handles, [f"{round(REGRET_QUANTILE * 100)}th percentile", "maximum"],
               loc="outside upper center", ncol=2, frameon=False)
    return fig


@styled
def satisficing_figure(table: pd.DataFrame, names: Sequence[str]) -> Figure:
    """Share of futures in which each policy meets every threshold, fails, or is undefined."""
    fig, axes = figure(0.9 + 0.4 * len(names))
    ax = axes[0, 0]
    table = table.set_index("policy").loc[list(names)]
    y = np.arange(len(names))[::-1]
    total = table["futures"].to_numpy(dtype=float)
    left = np.zeros(len(names))
    for column, colour in (("met", MET), ("failed", FAILED), ("undefined", UNDEFINED)):
        share = 100 * table[column].to_numpy(dtype=float) / total
        ax.barh(y, share, left=left, color=colour, height=0.6)
        for yi, li, si in zip(y, left, share, strict=True):
            if si >= 7:
                ax.text(li + si / 2, yi, f"{si:.0f}%", ha="center", va="center",
                        color="white", fontsize=8.5)
        left += share
    ax.set_yticks(y, names)
    ax.set_xlim(0, 100)
    ax.set_xlabel("share of the futures (%)")
    ax.grid(axis="y", visible=False)
    fig.legend([Patch(color=MET), Patch(color=FAILED), Patch(color=UNDEFINED)],
              ["meets every threshold", "fails a threshold", "undefined"],
              loc="outside upper center", ncol=3, frameon=False)
    return fig


@styled
def failure_figure(futures: pd.DataFrame, met: pd.Series, box, labels: Mapping[str, str],
                   ranges: Mapping[str, tuple[float, float]], others: Sequence[str]
                   ) -> Figure:
    """The futures over the (first two) parameters the box restricts, failures marked, the
    box drawn; with one restricted parameter the second axis is ``others[0]``."""
    restricted = list(box.limits)
    axes_names = (restricted + [n for n in others if n not in restricted])[:2]
    fig, axes = figure(4.2)
    ax = axes[0, 0]
    x = futures[axes_names[0]].to_numpy(dtype=float)
    y = (futures[axes_names[1]].to_numpy(dtype=float) if len(axes_names) > 1
         else np.zeros(len(futures)))
    met = met.reindex(futures.index)
    for flag, colour, marker, label in ((True, MET, "o", "meets every threshold"),
                                        (False, FAILED, "X", "fails a threshold")):
        keep = (met == flag).fillna(False).to_numpy(dtype=bool)
        ax.scatter(x[keep], y[keep], color=colour, marker=marker, s=30, label=label,
                   alpha=0.85, linewidths=0)
    undefined = met.isna().to_numpy()
    if undefined.any():
        ax.scatter(x[undefined], y[undefined], color=UNDEFINED, s=20, label="undefined")

    def limits(name: str) -> tuple[float, float]:
        if name in box.limits:
            return box.limits[name]
        return ranges[name]

    x0, x1 = limits(axes_names[0])
    if len(axes_names) > 1:
        y0, y1 = limits(axes_names[1])
    else:
        y0, y1 = -1.0, 1.0
    ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, edgecolor="black",
                           linewidth=1.4, linestyle="--", label="box 1"))
    ax.set_xlabel(labels.get(axes_names[0], axes_names[0]))
    if len(axes_names) > 1:
        ax.set_ylabel(labels.get(axes_names[1], axes_names[1]))
    else:
        ax.set_yticks([])
    handles, names = ax.get_legend_handles_labels()
    fig.legend(handles, names, loc="outside upper center", ncol=4, frameon=False)
    return fig
