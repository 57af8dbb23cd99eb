"""One simulation run: simulate a scenario, write its tables and figure, summarise it."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

from .model import PartnershipModel
from .model.outputs import membership_table, partnership_table, summary_metrics, time_series
from .scenario import Scenario, scenario_to_toml

SECTOR_COLOURS = {"public": "#1f5fa8", "private": "#d9822b"}


@dataclass
class RunResult:
    """A finished run and its tables."""

    scenario: Scenario
    seed: int
    months: int
    model: PartnershipModel

    @property
    def series(self) -> pd.DataFrame:
        return time_series(self.model)

    @property
    def partnerships(self) -> pd.DataFrame:
        return partnership_table(self.model)

    @property
    def members(self) -> pd.DataFrame:
        return membership_table(self.model)

    @property
    def events(self) -> pd.DataFrame:
        frame = self.model.events.to_frame()
        for column in ("partnership", "organisation"):
            frame[column] = frame[column].astype("Int64")
        frame["others"] = frame["others"].map(lambda ids: " ".join(map(str, ids)))
        frame["values"] = frame["values"].map(lambda v: json.dumps(v, default=str))
        return frame

    @property
    def metrics(self) -> dict[str, float]:
        return summary_metrics(self.model)


def simulate(
    scenario: Scenario,
    *,
    seed: int | None = None,
    months: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> RunResult:
    """Run one scenario; ``progress`` is called with the month after each step."""
    seed = scenario.seed if seed is None else seed
    months = scenario.months if months is None else months
    model = PartnershipModel(rng=seed, **scenario.params)
    for month in range(1, months + 1):
        model.step()
        if progress is not None:
            progress(month)
    return RunResult(scenario, seed, months, model)


def write_run(result: RunResult, out: Path, fmt: str = "csv") -> list[Path]:
    """Write series, partnership and membership tables, event log, metrics, scenario and figure
    to ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    tables = {"timeseries": result.series, "partnerships": result.partnerships,
              "members": result.members, "events": result.events}
    for name, frame in tables.items():
        path = out / f"{name}.{fmt}"
        if fmt == "parquet":
            frame.to_parquet(path)
        else:
            frame.to_csv(path, index=name == "timeseries")
        written.append(path)
    metrics_path = out / "metrics.json"
    metrics_path.write_text(json.dumps(result.metrics, indent=2))
    scenario_path = out / "scenario.toml"
    as_run = replace(result.scenario, seed=result.seed, months=result.months)
    scenario_path.write_text(scenario_to_toml(as_run, only_changed=False))
    figure_path = out / "overview.png"
    fig = overview_figure(result)
    fig.savefig(figure_path, dpi=110)
    plt.close(fig)
    return [*written, metrics_path, scenario_path, figure_path]


def overview_figure(result: RunResult) -> plt.Figure:
    """Four panels: partnerships by stage, trust between sectors, harm, end causes."""
    s = result.series
    fig, axes = plt.subplots(2, 2, figsize=(11, 7.5), constrained_layout=True)
    fig.suptitle(f"{result.scenario.name} (seed {result.seed})", fontsize=13)

    ax = axes[0, 0]
    ax.stackplot(s.index, s["philanthropic"], s["transactional"], s["integrative"],
                 labels=["philanthropic", "transactional", "integrative"],
                 colors=["#c6dbef", "#6baed6", "#08519c"])
    ax.plot(s.index, s["negotiating"], color="k", lw=1, ls="--", label="negotiating")
    ax.set(title="Partnerships by Austin stage", xlabel="month", ylabel="partnerships")
    ax.legend(loc="upper left", fontsize=8)

    ax = axes[0, 1]
    ax.plot(s.index, s["trust_public_to_private"], color=SECTOR_COLOURS["public"],
            label="public → private")
    ax.plot(s.index, s["trust_private_to_public"], color=SECTOR_COLOURS["private"],
            label="private → public")
    ax.plot(s.index, s["trust_in_partnerships"], color="k", lw=1, label="within partnerships")
    ax.set(title="Trust between sectors", xlabel="month", ylabel="trust (0-1)", ylim=(0, 1))
    ax.legend(loc="lower right", fontsize=8)

    ax = axes[1, 0]
    ax.plot(s.index, s["harm_without_prevention"], color="grey", ls="--",
            label="without partnerships")
    ax.plot(s.index, s["harm"], color="#a50f15", label="with partnerships")
    ax.set(title="Crime harm (all domains)", xlabel="month", ylabel="harm index")
    ax.legend(loc="upper left", fontsize=8)

    ax = axes[1, 1]
    table = result.partnerships
    causes = table["end_cause"].dropna().value_counts().sort_values()
    if len(causes):
        colours = ["#31a354" if c == "goals reached" else "#969696" for c in causes.index]
        ax.barh(causes.index, causes.values, color=colours)
    ax.set(title="Why partnerships ended", xlabel="partnerships")
    ax.tick_params(axis="y", labelsize=8)
    return fig


def summary_text(result: RunResult) -> str:
    """A short plain-text summary of a run for the terminal."""
    m = result.metrics
    table = result.partnerships
    ended = table.dropna(subset=["end_cause"])
    causes = ended["end_cause"].value_counts()
    lines = [
        f"{result.scenario.name}: {result.months} months, seed {result.seed}, "
        f"{result.scenario.parameters.n_organisations} organisations",
        f"  formation attempts          {m['formation_attempts']:.0f}",
        f"  negotiations started        {m['negotiations_started']:.0f} "
        f"({m['negotiation_failure_share']:.0%} broke down)",
        f"  partnerships launched       {m['partnerships_launched']:.0f}",
        f"  ended                       {m['partnerships_ended']:.0f} "
        f"({m['success_share']:.0%} of them reached their goals)",
        f"  still running at the end    {m['partnerships_active_end']:.0f}",
        f"  median lifetime (ended)     {m['median_lifetime_months']:.0f} months",
        f"  harm prevented              {m['harm_prevented']:.1f} harm points "
        f"({m['harm_reduction']:.1%} below harm without partnerships at the end)",
        f"  trust public → private      {m['trust_public_to_private']:.2f}",
        f"  trust private → public      {m['trust_private_to_public']:.2f}",
        "  end causes, ranked:",
    ]
    lines += [f"    {n:4d}  {cause}" for cause, n in causes.items()] or ["    (none)"]
    return "\n".join(lines)
