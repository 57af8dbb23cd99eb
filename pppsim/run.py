"""One simulation run: simulate a scenario, write its tables and figure, summarise it."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

from .fileio import staged_folder
from .i18n import N_, _, current, shown_name
from .model import PartnershipModel
from .model.outputs import membership_table, partnership_table, summary_metrics, time_series
from .plotting import LITERAL_TEXT, literal_text
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


def made_with() -> str:
    """TOML comment lines naming what made a run: the model version and the numerics of
    this process (the same seed gives byte-identical results with both the same:
    docs/researchers.md, Reproducibility)."""
    from .experiment import model_version
    from .numerics import summary

    return f"# made with pppsim model {model_version()}\n# numerics {summary()}\n"


def write_run(result: RunResult, out: Path, fmt: str = "csv") -> list[Path]:
    """Write series, partnership and membership tables, event log, metrics, scenario and figure
    to ``out``.

    All or nothing: the files are written into a staging folder and moved into ``out`` only
    when every one is complete (:func:`pppsim.fileio.staged_folder`).
    """
    out = Path(out)
    with staged_folder(out) as stage:
        written = []
        tables = {"timeseries": result.series, "partnerships": result.partnerships,
                  "members": result.members, "events": result.events}
        for name, frame in tables.items():
            path = stage / f"{name}.{fmt}"
            if fmt == "parquet":
                frame.to_parquet(path)
            else:
                frame.to_csv(path, index=name == "timeseries")
            written.append(path)
        metrics_path = stage / "metrics.json"
        metrics_path.write_text(json.dumps(metrics_for_json(result.metrics), indent=2,
                                           allow_nan=False))
        scenario_path = stage / "scenario.toml"
        as_run = replace(result.scenario, seed=result.seed, months=result.months)
        scenario_path.write_text(made_with() + scenario_to_toml(as_run, only_changed=False))
        figure_path = stage / "overview.png"
        fig = overview_figure(result)
        try:
            with matplotlib.rc_context(LITERAL_TEXT):
                fig.savefig(figure_path, dpi=110)
        finally:
            plt.close(fig)
    return [out / p.name for p in (*written, metrics_path, scenario_path, figure_path)]


@literal_text
def overview_figure(result: RunResult) -> plt.Figure:
    """Four panels: partnerships by stage, trust between sectors, harm, end causes (in the
    current language)."""
    s = result.series
    fig, axes = plt.subplots(2, 2, figsize=(11, 7.5), constrained_layout=True)
    fig.suptitle(_("{scenario} (seed {seed})").format(scenario=shown_name(result.scenario.name),
                                                     seed=result.seed), fontsize=13)

    ax = axes[0, 0]
    ax.stackplot(s.index, s["philanthropic"], s["transactional"], s["integrative"],
                 labels=[_(stage) for stage in ("philanthropic", "transactional",
                                                "integrative")],
                 colors=["#c6dbef", "#6baed6", "#08519c"])
    ax.plot(s.index, s["negotiating"], color="k", lw=1, ls="--", label=_("negotiating"))
    ax.set(title=_("Partnerships by Austin stage"), xlabel=_("month"),
           ylabel=_("partnerships"))
    ax.legend(loc="upper left", fontsize=8)

    ax = axes[0, 1]
    ax.plot(s.index, s["trust_public_to_private"], color=SECTOR_COLOURS["public"],
            label=_("public → private"))
    ax.plot(s.index, s["trust_private_to_public"], color=SECTOR_COLOURS["private"],
            label=_("private → public"))
    ax.plot(s.index, s["trust_in_partnerships"], color="k", lw=1,
            label=_("within partnerships"))
    ax.set(title=_("Trust between sectors"), xlabel=_("month"), ylabel=_("trust (0-1)"),
           ylim=(0, 1))
    ax.legend(loc="lower right", fontsize=8)

    ax = axes[1, 0]
    ax.plot(s.index, s["harm_without_prevention"], color="grey", ls="--",
            label=_("without partnerships"))
    ax.plot(s.index, s["harm"], color="#a50f15", label=_("with partnerships"))
    ax.set(title=_("Crime harm (all domains)"), xlabel=_("month"), ylabel=_("harm index"))
    ax.legend(loc="upper left", fontsize=8)

    ax = axes[1, 1]
    table = result.partnerships
    causes = table["end_cause"].dropna().value_counts().sort_values()
    if len(causes):
        colours = ["#31a354" if c == "goals reached" else "#969696" for c in causes.index]
        ax.barh([_(cause) for cause in causes.index], causes.values, color=colours)
    ax.set(title=_("Why partnerships ended"), xlabel=_("partnerships"))
    ax.tick_params(axis="y", labelsize=8)
    return fig


def metrics_for_json(metrics: dict[str, float]) -> dict[str, float | None]:
    """Metrics with undefined values (NaN) as ``None``: JSON ``null``, not the invalid NaN."""
    return {name: None if math.isnan(value) else value for name, value in metrics.items()}


def _value(value: float, decimals: int, unit: str = "") -> str:
    """A number in the current language's style, or 'undefined' when it is missing (NaN)."""
    return _("undefined") if math.isnan(value) else current().number(value, decimals) + unit


def _share(value: float, decimals: int = 0) -> str:
    return _("undefined") if math.isnan(value) else current().percent(value, decimals)


SUMMARY_LABELS = {
    "formation_attempts": N_("formation attempts"),
    "negotiations_started": N_("negotiations started"),
    "partnerships_launched": N_("partnerships launched"),
    "partnerships_ended": N_("ended"),
    "partnerships_active_end": N_("still running at the end"),
    "restricted_mean_lifetime_months": N_("lifetime, restricted mean"),
    "median_lifetime_months": N_("lifetime, median"),
    "harm_prevented": N_("harm prevented"),
    "trust_public_to_private": N_("trust public → private"),
    "trust_private_to_public": N_("trust private → public"),
}
"""The rows of the run summary, in order."""


def summary_text(result: RunResult) -> str:
    """A short plain-text summary of a run for the terminal, in the current language.

    Undefined numbers (a share of nothing, the lifetime of partnerships that never launched)
    read 'undefined', and a run in which no partnership launched says so.
    """
    m = result.metrics
    table = result.partnerships
    causes = table["end_cause"].dropna().value_counts()
    labels = {name: _(label) for name, label in SUMMARY_LABELS.items()}
    width = max(28, *(len(label) + 2 for label in labels.values()))
    months = _("{n} months").format(n=result.months)

    def line(name: str, text: str) -> str:
        return f"  {labels[name]:<{width}}{text}"

    lines = [
        _("{scenario}: {months}, seed {seed}, {organisations} organisations").format(
            scenario=shown_name(result.scenario.name), months=months, seed=result.seed,
            organisations=result.scenario.parameters.n_organisations),
        line("formation_attempts", _value(m["formation_attempts"], 0)),
        line("negotiations_started", _value(m["negotiations_started"], 0)
             + (" " + _("({share} broke down)").format(
                 share=_share(m["negotiation_failure_share"]))
                if m["negotiations_started"] else "")),
        line("partnerships_launched", _value(m["partnerships_launched"], 0)),
    ]
    if m["partnerships_launched"] == 0:
        lines.append("  " + _("no partnership launched: lifetimes are undefined and no harm "
                              "was prevented"))
    lifetime_unit = " " + _("months")
    lines += [
        line("partnerships_ended", _value(m["partnerships_ended"], 0)
             + (" " + _("({share} of them reached their goals)").format(
                 share=_share(m["success_share"])) if m["partnerships_ended"] else "")),
        line("partnerships_active_end", _value(m["partnerships_active_end"], 0)),
        line("restricted_mean_lifetime_months",
             _value(m["restricted_mean_lifetime_months"], 0, lifetime_unit) + " "
             + _("(Kaplan-Meier, up to month {month})").format(month=result.months)),
        line("median_lifetime_months", _value(m["median_lifetime_months"], 0, lifetime_unit)
             + ("" if not math.isnan(m["median_lifetime_months"])
                or m["partnerships_launched"] == 0
                else " " + _("(more than half still running)"))),
        line("harm_prevented", _("{value} harm index points ({share} of the harm without "
                                 "partnerships in the last month)").format(
            value=_value(m["harm_prevented"], 1), share=_share(m["harm_reduction"], 1))),
        line("trust_public_to_private", _value(m["trust_public_to_private"], 2)),
        line("trust_private_to_public", _value(m["trust_private_to_public"], 2)),
        "  " + _("end causes, ranked:"),
    ]
    lines += [f"    {n:4d}  {_(cause)}" for cause, n in causes.items()] or \
        ["    " + _("(none)")]
    return "\n".join(lines)
