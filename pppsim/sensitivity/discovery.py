"""Scenario discovery: the parameter boxes where an outcome falls in a region of interest.

PRIM (Friedman & Fisher 1999), as implemented in EMA Workbench's
``ema_workbench.analysis.prim``, peels the parameter space a little at a time towards the runs
of interest ("cases"), e.g. runs in which partnerships fail.  Each step of the peeling
trajectory is a box with a **coverage** (share of all cases inside the box) and a **density**
(share of the runs in the box that are cases); small boxes are dense but cover little.  We pick
on each trajectory the box with the largest coverage among those at least as dense as a
threshold, then look for the next box among the remaining runs (Bryant & Lempert 2010).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .problem import SensitivityError

DENSITY = 0.8
"""Default density threshold of a chosen box."""
MAX_BOXES = 3
QUASI_P = 0.05
"""Restrictions whose quasi-p value exceeds this are dropped from a chosen box."""


@dataclass(frozen=True)
class Box:
    """One PRIM box: the restricted parameters' limits and how well the box finds the cases.

    Attributes
    ----------
    limits
        ``{parameter: (low, high)}`` of the parameters the box restricts.
    ranges
        ``{parameter: (low, high)}`` of the same parameters over all runs.
    coverage
        Share of all cases that lie in the box (and in no earlier box).
    density
        Share of the runs in the box that are cases.
    mass
        Share of all runs in the box.
    trajectory
        The peeling trajectory (coverage, density, mass, restricted dimensions per step).
    chosen
        The row of the trajectory that is this box (after the dropped restrictions, which
        PRIM appends to the trajectory).
    """

    limits: dict[str, tuple[float, float]]
    ranges: dict[str, tuple[float, float]]
    coverage: float
    density: float
    mass: float
    trajectory: pd.DataFrame
    chosen: int

    def words(self) -> str:
        """The box as conditions on its parameters, e.g. ``legal_barrier >= 0.62``."""
        conditions = []
        for name, (low, high) in self.limits.items():
            full_low, full_high = self.ranges[name]
            if low > full_low and high < full_high:
                conditions.append(f"{low:.3g} <= {name} <= {high:.3g}")
            elif low > full_low:
                conditions.append(f"{name} >= {low:.3g}")
            else:
                conditions.append(f"{name} <= {high:.3g}")
        return " and ".join(conditions) or "anywhere"


def _prim() -> Any:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*not installed", category=UserWarning)
        from ema_workbench.analysis import prim
    return prim


def discover(x: pd.DataFrame, cases: np.ndarray, *, density: float = DENSITY,
             max_boxes: int = MAX_BOXES, mass_min: float = 0.05, peel_alpha: float = 0.05
             ) -> list[Box]:
    """Find up to ``max_boxes`` boxes of the parameter space where ``cases`` concentrate.

    Parameters
    ----------
    x
        One row per run, one numeric column per parameter.
    cases
        Boolean, one per row: is the run in the region of interest?
    density
        On each peeling trajectory choose the box of largest coverage with at least this
        density (for the first box: the densest box if none reaches it; later boxes must
        reach it), then drop its restrictions that are not significant (quasi-p value above
        ``QUASI_P``) as long as the box stays that dense.
    max_boxes
        Most boxes to find.
    mass_min, peel_alpha
        PRIM's smallest box (share of runs) and share of runs peeled per step.

    Returns
    -------
    list of Box
        Stops early when no case remains or a box is no denser than the remaining runs.
    """
    cases = np.asarray(cases, dtype=bool)
    if len(cases) != len(x):
        raise SensitivityError(f"{len(cases)} case flags for {len(x)} runs")
    if not cases.any() or cases.all():
        share = "none" if not cases.any() else "all"
        raise SensitivityError(f"{share} of the {len(cases)} runs are in the region: nothing "
                               "to discover; choose another threshold")
    prim = _prim().Prim(x.astype(float).reset_index(drop=True), cases, mass_min=mass_min,
                        peel_alpha=peel_alpha)
    boxes: list[Box] = []
    explained = np.zeros(len(cases), dtype=bool)
    while len(boxes) < max_boxes and cases[~explained].any():
        base_rate = cases[~explained].mean()
        found = prim.find_box()
        if found is None:
            break
        peeled = found.peeling_trajectory
        dense = peeled.index[peeled["density"] >= density]
        if len(dense):
            chosen = int(peeled.loc[dense, "coverage"].idxmax())
        elif boxes:
            break
        else:
            chosen = int(peeled["density"].idxmax())
        found.select(chosen)
        chosen = _prune(found, chosen, min(density, float(peeled.loc[chosen, "density"])))
        step = found.peeling_trajectory.iloc[chosen]
        if step["density"] <= base_rate:
            break
        limits, initial = found.box_lims[chosen], found.box_lims[0]
        restricted = [name for name in limits.columns
                      if not np.allclose(limits[name], initial[name])]
        boxes.append(Box({n: _bounds(limits, n) for n in restricted},
                         {n: _bounds(initial, n) for n in restricted},
                         float(step["coverage"]), float(step["density"]), float(step["mass"]),
                         found.peeling_trajectory.reset_index(drop=True), chosen))
        explained[found.yi] = True
    return boxes


def _bounds(frame: pd.DataFrame, name: str) -> tuple[float, float]:
    return float(frame[name].iloc[0]), float(frame[name].iloc[1])


def _insignificant(box: Any) -> list[str]:
    """Restricted parameters of the selected box whose restriction is not significant, the
    least significant first.

    EMA Workbench's quasi-p value of a restriction is the binomial probability of the box's
    density arising by chance without it; restrictions with both sides above ``QUASI_P`` are
    candidates for dropping, to leave a box that is easier to read (Bryant & Lempert 2010).
    """
    _, table = box.inspect(style="data")[0]
    quasi_p = table.iloc[:, 2:].min(axis=1, skipna=True).sort_values(ascending=False)
    return [str(name) for name, p in quasi_p.items() if p > QUASI_P]


def _prune(box: Any, chosen: int, floor: float) -> int:
    """Drop the insignificant restrictions of the selected box one at a time, keeping each
    drop only if the box stays at least ``floor`` dense; returns the final box's row.

    Dropping a restriction adds the wider box to the peeling trajectory; a drop that takes
    the density below ``floor`` (the ``density`` threshold, or the chosen box's density when
    no box reached it) is undone by selecting the previous box again, so a reported box is
    never less dense than the threshold it was chosen by.
    """
    for name in _insignificant(box):
        box.drop_restriction(name)
        wider = len(box.peeling_trajectory) - 1
        if float(box.peeling_trajectory.iloc[wider]["density"]) >= floor:
            chosen = wider
        else:
            box.select(chosen)
    return chosen


def trajectory_figure(boxes: list[Box], title: str) -> Figure:
    """The peeling trajectories: density against coverage, the chosen boxes circled."""
    figure = Figure(figsize=(6.5, 5), layout="constrained")
    ax = figure.subplots()
    for k, box in enumerate(boxes):
        t = box.trajectory
        points = ax.scatter(t["coverage"], t["density"], c=t["res_dim"], cmap="viridis",
                            s=18, marker="os^"[k % 3], label=f"box {k + 1} trajectory")
        ax.plot(t["coverage"], t["density"], color="0.7", linewidth=0.8, zorder=0)
        ax.scatter([box.coverage], [box.density], s=160, facecolors="none", edgecolors="red",
                   linewidths=1.5)
        ax.annotate(f"box {k + 1}", (box.coverage, box.density), xytext=(6, -12),
                    textcoords="offset points", fontsize=8, color="red")
    if boxes:
        figure.colorbar(points, ax=ax, label="restricted parameters")
        ax.legend(fontsize=8, loc="lower left")
    ax.set_xlabel("coverage (share of all cases in the box)")
    ax.set_ylabel("density (share of runs in the box that are cases)")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_title(title, fontsize=10)
    return figure
