"""Figures of a sensitivity analysis: index bars, the Morris mu*-sigma plane, convergence.

Figures are made with ``matplotlib.figure.Figure`` (no pyplot, no global state), so they can be
drawn from any thread or worker, and are returned for the caller to save or show.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from .analysis import SensitivityResult
from .problem import DUMMY, Method

DUMMY_COLOUR = "0.6"
COLOURS = ("tab:blue", "tab:orange")
STATISTIC_TITLES = {"mean": "replication mean", "sd": "replication SD"}
LABELLED = 12
"""Morris plot: only the parameters with the largest mu* (and the dummy) are labelled."""


def _bars(ax, table: pd.DataFrame, method: Method) -> None:
    """Grouped bars of one output's indices with their intervals, largest first, the dummy
    in grey.

    Sobol and eFAST with a dummy show the dummy-corrected S1 and ST (what the report ranks
    by); PAWN shows the median KS statistic with its range over the slides and the
    permutation floor of an inert parameter.  The legend's swatches are drawn from the
    colours, not taken from the first bar (which may be the grey dummy).
    """
    corrected = "ST_corrected" in table
    main = "ST_corrected" if corrected else method.main_index
    table = table.sort_values(main, ascending=False, na_position="last")
    names = list(table.index)
    x = np.arange(len(names))
    if method is Method.PAWN:
        columns = [("median", "median KS")]
        low = (table["median"] - table["minimum"]).to_numpy()
        high = (table["maximum"] - table["median"]).to_numpy()
        errors = [np.vstack([low, high])]
    else:
        wanted = ("S1_corrected", "ST_corrected") if corrected else ("S1", "ST", "mu_star")
        columns = [(c, c.replace("_corrected", " (dummy-corrected)"))
                   for c in wanted if c in table]
        errors = [table[f"{c}_conf"].to_numpy() for c, _ in columns]
    width = 0.8 / len(columns)
    handles = []
    for k, ((column, label), error) in enumerate(zip(columns, errors, strict=True)):
        colours = [DUMMY_COLOUR if n == DUMMY else COLOURS[k] for n in names]
        ax.bar(x + (k - (len(columns) - 1) / 2) * width, table[column], width, yerr=error,
               color=colours, capsize=2)
        handles.append(Patch(facecolor=COLOURS[k], label=label))
    if DUMMY in names:
        handles.append(Patch(facecolor=DUMMY_COLOUR, label="dummy parameter"))
    if method is Method.PAWN:
        floor = float(table["median_floor"].iloc[0])
        handles.append(ax.axhline(floor, color=DUMMY_COLOUR, linestyle="--", linewidth=1,
                                  label="floor: an inert parameter (permutations)"))
    elif DUMMY in names and not corrected:
        conf = table.loc[DUMMY, f"{main}_conf"] if f"{main}_conf" in table else 0.0
        handles.append(ax.axhline(table.loc[DUMMY, main] + conf, color=DUMMY_COLOUR,
                                  linestyle="--", linewidth=1, label="dummy (noise floor)"))
    ax.set_xticks(x, names, rotation=45, ha="right", fontsize=8)
    ax.axhline(0, color="black", linewidth=0.5)
    if table[main].isna().all():
        ax.text(0.5, 0.5, "not estimable: the dummy's raw ST reaches 1\n(the means are all "
                "noise at this design)", transform=ax.transAxes, ha="center", va="center",
                fontsize=9)
    ax.legend(handles=handles, fontsize=8)


def indices_figure(result: SensitivityResult, output: str) -> Figure:
    """Bar plot of the indices of ``output`` (a panel per analysed statistic) with intervals."""
    statistics = [s for s in ("mean", "sd")
                  if ((result.indices["output"] == output)
                      & (result.indices["statistic"] == s)).any()]
    figure = Figure(figsize=(4 + 0.45 * len(result.design.names), 3.6 * len(statistics)),
                    layout="constrained")
    axes = figure.subplots(len(statistics), 1, squeeze=False)[:, 0]
    for ax, statistic in zip(axes, statistics, strict=True):
        _bars(ax, result.table(output, statistic), result.method)
        ax.set_title(f"{output}: {STATISTIC_TITLES[statistic]}", fontsize=10)
        ax.set_ylabel("PAWN median KS (bars: min–max over slides)"
                      if result.method is Method.PAWN
                      else f"{result.method} index ({result.confidence:.0%} CI)")
    return figure


def morris_figure(result: SensitivityResult, output: str, statistic: str = "mean") -> Figure:
    """The Morris plane: mu* against sigma, with the line sigma = mu*.

    Far from the origin = influential; above the line = non-linear or interacting, below =
    roughly linear and additive.  The ``LABELLED`` largest and the dummy are named.
    """
    table = result.table(output, statistic)
    figure = Figure(figsize=(6, 5), layout="constrained")
    ax = figure.subplots()
    colours = [DUMMY_COLOUR if n == DUMMY else COLOURS[0] for n in table.index]
    ax.errorbar(table["mu_star"], table["sigma"], xerr=table["mu_star_conf"], fmt="none",
                ecolor="0.7", linewidth=1)
    ax.scatter(table["mu_star"], table["sigma"], c=colours, zorder=3)
    labelled = {*table["mu_star"].nlargest(LABELLED).index, DUMMY}
    for name, row in table.iterrows():
        if name in labelled:
            ax.annotate(name, (row["mu_star"], row["sigma"]), fontsize=7,
                        xytext=(3, 3), textcoords="offset points")
    top = max(float(table["mu_star"].max()), float(table["sigma"].max()), 1e-12) * 1.1
    ax.plot([0, top], [0, top], color="0.5", linestyle="--", linewidth=1,
            label="sigma = mu*")
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_xlabel("mu* (mean absolute elementary effect)")
    ax.set_ylabel("sigma (spread of elementary effects)")
    ax.set_title(f"Morris screening: {output} ({STATISTIC_TITLES[statistic]})", fontsize=10)
    ax.legend(fontsize=8)
    return figure


def convergence_figure(table: pd.DataFrame, output: str, statistic: str = "mean",
                       tolerance: float | None = None) -> Figure:
    """ST and S1 of every parameter, and their interval half-widths, against N (the
    dummy-corrected indices where the table has them).

    Parameters
    ----------
    table
        From :func:`pppsim.sensitivity.convergence`.
    output, statistic
        Which output.
    tolerance
        Drawn as the stopping line on the half-width panel.
    """
    rows = table[(table["output"] == output) & (table["statistic"] == statistic)]
    st, s1 = (("ST_corrected", "S1_corrected") if "ST_corrected" in rows else ("ST", "S1"))
    figure = Figure(figsize=(11, 4), layout="constrained")
    value_ax, width_ax = figure.subplots(1, 2)
    for k, (name, group) in enumerate(rows.groupby("parameter", sort=False)):
        colour = DUMMY_COLOUR if name == DUMMY else f"C{k % 10}"
        group = group.sort_values("n")
        n = group["n"].to_numpy()
        value_ax.plot(n, group[st], marker="o", color=colour, label=name)
        value_ax.fill_between(n, group[st] - group[f"{st}_conf"],
                              group[st] + group[f"{st}_conf"], color=colour, alpha=0.12)
        value_ax.plot(n, group[s1], linestyle=":", color=colour)
        width_ax.plot(n, group[f"{st}_conf"], marker="o", color=colour, label=name)
    if tolerance is not None:
        width_ax.axhline(tolerance, color="black", linestyle="--", linewidth=1,
                         label=f"tolerance {tolerance:g}")
    sizes = rows["n"].to_numpy(dtype=float)
    for ax in (value_ax, width_ax):
        ax.set_xscale("log", base=2)
        if len(sizes):  # fixed, so that an all-NaN panel (undefined intervals) still draws
            ax.set_xlim(sizes.min() / 1.2, sizes.max() * 1.2)
        ax.set_xlabel("N (base samples)")
    value_ax.set_ylabel(f"{st} (solid, CI band), {s1} (dotted)")
    width_ax.set_ylabel(f"{st} interval half-width")
    value_ax.set_title(f"{output} ({STATISTIC_TITLES[statistic]}): indices", fontsize=10)
    width_ax.set_title("interval half-width against N", fontsize=10)
    width_ax.legend(fontsize=7, ncol=2)
    return figure
