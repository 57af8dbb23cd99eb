"""Ready classroom demonstrations: two scenarios side by side over several seeds.

A demonstration is a folder under ``experiments/teaching/`` with two scenario files and a
``demo.toml`` that names them and says what to show::

    title = "Shared information that nobody follows up"
    order = 3                       # place in the lesson
    scenarios = ["followed_up.toml", "not_followed_up.toml"]
    seeds = 6                       # replications, seeds 1..6, the same for both sides
    months = 96
    metrics = ["follow_up_ratio", "satisfaction_private", "private_exits"]
    series = ["satisfaction_private"]
    teacher = '''A paragraph for the teacher.'''

``metrics`` are end-of-run metrics of :func:`pppsim.model.outputs.summary_metrics`; ``series``
are monthly outputs, drawn for both sides.  Both sides run with the same seeds (common random
numbers), so the contrast is a paired difference with a 95% confidence interval.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .formatting import readable
from .library import DEMO_DIR
from .model.outputs import METRIC_DESCRIPTIONS, MODEL_REPORTERS, summary_metrics, time_series
from .model.vocabulary import EndCause
from .report.statistics import mean_interval
from .run import simulate
from .scenario import Scenario, ScenarioError, load_scenario

MANIFEST = "demo.toml"
SIDE_COLOURS = ("#1b7837", "#b2182b")
"""The first (usually the healthy) side in green, the second in red."""
MANIFEST_KEYS = {"title": str, "order": int, "scenarios": list, "seeds": int, "months": int,
                 "metrics": list, "series": list, "teacher": str}


def metric_description(name: str) -> str:
    """What a metric means, in words, for the printed contrast."""
    if name.startswith("end_share:"):
        cause = EndCause[name.split(":", 1)[1].upper()]
        return f"share of ended partnerships that ended: {cause}"
    return METRIC_DESCRIPTIONS[name]


def _known_metric(name: str) -> bool:
    if name.startswith("end_share:"):
        return name.split(":", 1)[1].upper() in EndCause.__members__
    return name in METRIC_DESCRIPTIONS


@dataclass(frozen=True)
class Demo:
    """A demonstration: a teacher's paragraph and two scenarios to contrast."""

    name: str
    title: str
    order: int
    teacher: str
    sides: tuple[Scenario, Scenario]
    seeds: int
    months: int
    metrics: tuple[str, ...]
    series: tuple[str, ...]
    path: Path


def load_demo(name_or_path: str | Path) -> Demo:
    """Load a demonstration by name (a folder in ``experiments/teaching``) or path.

    Raises
    ------
    ScenarioError
        With a one-line message if the folder, its manifest or a scenario is wrong.
    """
    folder = Path(name_or_path)
    if not folder.is_dir():
        folder = DEMO_DIR / str(name_or_path)
    manifest = folder / MANIFEST
    if not manifest.is_file():
        names = ", ".join(d.name for d in list_demos()) or "none"
        raise ScenarioError(f"no demonstration '{name_or_path}' (known: {names})")
    try:
        data = tomllib.loads(manifest.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{manifest}: not valid TOML: {exc}") from None
    for key, kind in MANIFEST_KEYS.items():
        if not isinstance(data.get(key), kind):
            raise ScenarioError(f"{manifest}: '{key}' must be a {kind.__name__}")
    unknown = set(data) - set(MANIFEST_KEYS)
    if unknown:
        raise ScenarioError(f"{manifest}: unknown key(s) {', '.join(sorted(unknown))}")
    if len(data["scenarios"]) != 2:
        raise ScenarioError(f"{manifest}: 'scenarios' must name exactly two files")
    bad = [m for m in data["metrics"] if not _known_metric(m)]
    bad += [s for s in data["series"] if s not in MODEL_REPORTERS]
    if bad:
        raise ScenarioError(f"{manifest}: unknown metric or series {', '.join(bad)}")
    if data["seeds"] < 2:
        raise ScenarioError(f"{manifest}: 'seeds' must be at least 2")
    left, right = (load_scenario(folder / f) for f in data["scenarios"])
    return Demo(name=folder.name, title=data["title"], order=data["order"],
                teacher=" ".join(data["teacher"].split()), sides=(left, right),
                seeds=data["seeds"], months=data["months"], metrics=tuple(data["metrics"]),
                series=tuple(data["series"]), path=folder)


def list_demos() -> list[Demo]:
    """Every demonstration in ``experiments/teaching``, in lesson order."""
    folders = sorted(p.parent for p in DEMO_DIR.glob(f"*/{MANIFEST}"))
    return sorted((load_demo(f) for f in folders), key=lambda d: (d.order, d.name))


@dataclass
class DemoResult:
    """Both sides of a demonstration, run with the same seeds."""

    demo: Demo
    seeds: list[int]
    months: int
    metrics: pd.DataFrame
    """One row per side and seed: ``side`` (0 or 1), ``seed`` and every metric."""
    series: dict[int, list[pd.DataFrame]]
    """Monthly outputs of each side, one frame per seed."""


def run_demo(demo: Demo, seeds: int | None = None, months: int | None = None) -> DemoResult:
    """Run both sides with seeds 1..N (common random numbers)."""
    seed_list = list(range(1, (seeds or demo.seeds) + 1))
    months = months or demo.months
    rows = []
    series: dict[int, list[pd.DataFrame]] = {0: [], 1: []}
    for side, scenario in enumerate(demo.sides):
        for seed in seed_list:
            model = simulate(scenario, seed=seed, months=months).model
            rows.append({"side": side, "seed": seed} | summary_metrics(model))
            series[side].append(time_series(model))
    return DemoResult(demo, seed_list, months, pd.DataFrame(rows), series)


def contrast_table(result: DemoResult) -> pd.DataFrame:
    """Per metric: mean of each side (over the seeds where it is defined), the paired
    difference with its 95% interval, the number of seeds, and how many seeds it is undefined
    in on either side (left out of the difference)."""
    frame = result.metrics
    rows = []
    for metric in result.demo.metrics:
        a = frame[frame.side == 0].set_index("seed")[metric]
        b = frame[frame.side == 1].set_index("seed")[metric]
        diff = (b - a).dropna()
        difference, low, high = mean_interval(diff.to_numpy())
        rows.append({"metric": metric, "first": a.mean(), "second": b.mean(),
                     "difference": difference, "ci_low": low, "ci_high": high,
                     "seeds": len(a), "missing": len(a) - len(diff)})
    return pd.DataFrame(rows)


def finding(row: pd.Series, first: str = "A", second: str = "B") -> str:
    """One sentence for one metric, generated from the paired difference and its interval.

    The direction is named only when the 95% interval excludes zero; otherwise the sentence
    says that no difference is clear at this number of seeds.  Undefined values (NaN in a
    seed, e.g. a share of ended partnerships where none ended) are counted.
    """
    what = FINDING_NAMES.get(row["metric"], row["metric"].replace("_", " "))
    if row["metric"].startswith("end_share:"):
        what = f"share ending because {metric_description(row['metric']).split(': ', 1)[1]}"
    interval = f"95% interval {readable(row['ci_low'], '+')} to {readable(row['ci_high'], '+')}"
    missing = (f"; undefined in {row['missing']} of {row['seeds']} seeds, left out"
               if row["missing"] else "")
    if not np.isfinite(row["difference"]):
        return f"{what}: undefined on one side in every seed{missing}."
    levels = f"{readable(row['first'])} in {first}, {readable(row['second'])} in {second}"
    if row["ci_low"] > 0:
        verdict = f"higher in {second} by {readable(row['difference'])}"
    elif row["ci_high"] < 0:
        verdict = f"lower in {second} by {readable(-row['difference'])}"
    else:
        verdict = f"no clear difference ({readable(row['difference'], '+')})"
    return f"{what}: {verdict} ({levels}; {interval}{missing})."


FINDING_NAMES = {
    "satisfaction_private": "firms' satisfaction", "satisfaction_public":
    "public bodies' satisfaction", "private_exits": "firms leaving",
    "public_exits": "public bodies leaving", "follow_up_ratio": "share of firms' information "
    "followed up", "harm_prevented": "harm prevented", "free_riding": "commitment withheld "
    "(free riding)", "trust_in_partnerships": "trust within partnerships",
    "trust_private_to_public": "firms' trust in public bodies",
    "restricted_mean_lifetime_months": "partnership lifetime (restricted mean, months)",
    "active_partnerships_mean": "partnerships operating per month",
    "information_shared": "information shared", "information_followed_up":
    "information followed up", "partnerships_ended": "partnerships ended"}
"""Plain names of the metrics the demonstrations show."""


def contrast_text(result: DemoResult) -> str:
    """The contrast in words and numbers, for the terminal."""
    demo = result.demo
    first, second = (s.name for s in demo.sides)
    lines = [demo.title, "=" * len(demo.title), demo.teacher, "",
             f"A = {first}; B = {second}.  {len(result.seeds)} seeds each (the same for A "
             f"and B), {result.months} months.", "",
             f"{'':30} {'A':>9} {'B':>9} {'B - A':>9}  95% interval"]
    table = contrast_table(result)
    for row in table.itertuples():
        lines.append(f"{row.metric:30} {row.first:9.3g} {row.second:9.3g} "
                     f"{row.difference:+9.3g}  [{row.ci_low:+.3g}, {row.ci_high:+.3g}]")
    lines += ["", "What the runs showed (B against A, paired by seed):"]
    lines += [f"  {finding(row)}" for _, row in table.iterrows()]
    lines += ["", "What the numbers are:"]
    lines += [f"  {metric}: {metric_description(metric)}" for metric in table["metric"]]
    return "\n".join(lines)


def contrast_figure(result: DemoResult) -> plt.Figure:
    """One panel per monthly series (mean and range over seeds), one with the metrics."""
    demo = result.demo
    n = len(demo.series) + 1
    fig, axes = plt.subplots(1, n, figsize=(5.2 * n, 4.4), constrained_layout=True)
    fig.suptitle(demo.title, fontsize=15)
    for ax, column in zip(axes[:-1], demo.series, strict=True):
        for side, scenario in enumerate(demo.sides):
            values = pd.concat([s[column] for s in result.series[side]], axis=1)
            ax.fill_between(values.index, values.min(axis=1), values.max(axis=1),
                            color=SIDE_COLOURS[side], alpha=0.15)
            ax.plot(values.index, values.mean(axis=1), color=SIDE_COLOURS[side], lw=2,
                    label=scenario.name)
        ax.set(title=column.replace("_", " "), xlabel="month")
        ax.legend(fontsize=9)
    ax = axes[-1]
    table = contrast_table(result)
    y = np.arange(len(table))
    scale = np.maximum(np.abs(table[["first", "second"]]).max(axis=1), 1e-12)
    for side, column in enumerate(("first", "second")):
        ax.barh(y + (0.2 if side == 0 else -0.2), table[column] / scale, height=0.4,
                color=SIDE_COLOURS[side], label=demo.sides[side].name)
    ax.set_yticks(y, [m.replace("_", " ").replace("end share:", "ended: ")
                      for m in table["metric"]], fontsize=9)
    ax.invert_yaxis()
    ax.set(title="end of run (relative to the larger side)", xlim=(min(0, ax.get_xlim()[0]),
                                                                    1.05))
    ax.legend(fontsize=9, loc="lower right")
    return fig


def markdown_table(results: list[DemoResult]) -> str:
    """The demonstrations as the Markdown table of docs/teachers.md, findings generated."""
    lines = ["| demonstration | A | B | what the runs showed (B against A) |",
             "| --- | --- | --- | --- |"]
    for result in results:
        first, second = result.demo.sides
        findings = "; ".join(finding(row).rstrip(".")
                             for _, row in contrast_table(result).iterrows())
        lines.append(f"| `{result.demo.name}` | {first.name} | {second.name} | {findings} |")
    seeds = {len(r.seeds) for r in results}
    months = {r.months for r in results}
    lines += ["", f"Seeds per side: {', '.join(map(str, sorted(seeds)))}; months: "
              f"{', '.join(map(str, sorted(months)))}."]
    return "\n".join(lines)
