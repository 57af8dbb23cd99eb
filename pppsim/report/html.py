"""The comparison report: one self-contained HTML file (inline CSS, PNG figures as data URIs,
no scripts, no external resources), so it opens offline and can be forwarded as it is."""

from __future__ import annotations

import dataclasses
import html
import shlex
from collections.abc import Iterable
from datetime import datetime
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from ..fileio import staged_folder
from ..i18n import _, current, shown_name
from .compare import (
    HEADLINE,
    HEADLINE_NAMES,
    LIFETIME,
    SERIES,
    Comparison,
    metric_description,
    write_tables,
)
from .figures import (
    end_cause_figure,
    fan_figure,
    headline_figure,
    means_figure,
    png_data_uri,
    scenario_colours,
    survival_figure,
)
from .statistics import BOOTSTRAP_SAMPLES

REPORT = "report.html"
MINUS = "\u2212"
SEEDS_SHOWN = 12
FEW_RUNS = 10
"""Below this many runs per scenario the report warns that its intervals are rough."""
REPORT_PACKAGES = ("lifelines", "matplotlib")
"""Packages the report itself uses, added to the engine manifest's list."""
CSS = """
@page { size: A4; margin: 14mm; }
body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; color: #222; margin: 0 auto;
       max-width: 50rem; padding: 1.2rem; line-height: 1.45; font-size: 15px; }
h1 { font-size: 1.55rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ccc; }
.subtitle, .caption, .note { color: #555; font-size: 0.9rem; }
.bottom-line { font-size: 1.12rem; background: #f3f6fa; border-left: 4px solid #0072b2;
               padding: 0.7rem 1rem; margin: 1rem 0; }
.summary { background: #f3f6fa; border-left: 4px solid #0072b2; padding: 0.6rem 1rem; }
.summary li { margin: 0.45rem 0; }
img { width: 100%; height: auto; display: block; margin: 0.6rem 0 0.2rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.82rem; margin: 0.6rem 0; }
th, td { border-bottom: 1px solid #ddd; padding: 0.25rem 0.4rem; text-align: left;
         vertical-align: top; }
th { background: #f2f2f2; }
tr.group th { background: #fff; border-bottom: 1px solid #999; padding-top: 0.7rem;
              font-weight: bold; }
tr.group th .note, tr.group th .unit { font-weight: normal; }
.warning { background: #fff4e5; border-left: 4px solid #e69f00; padding: 0.4rem 0.8rem; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
#lifetimes-table td.num { white-space: normal; }
.swatch { display: inline-block; width: 0.75em; height: 0.75em; margin-right: 0.35em;
          border-radius: 2px; vertical-align: baseline; }
.same { color: #999; }
.changed { font-weight: bold; }
.unit { color: #666; font-size: 0.85em; }
.missing { color: #8c510a; font-size: 0.85em; white-space: normal; display: inline-block; }
tr.reading td { color: #8c510a; font-size: 0.9em; font-style: italic; border-top: none; }
dl.manifest { display: grid; grid-template-columns: max-content 1fr; gap: 0.15rem 1rem;
              font-size: 0.85rem; }
dl.manifest dt { font-weight: bold; }
dl.manifest dd { margin: 0; overflow-wrap: anywhere; }
figure { margin: 0; page-break-inside: avoid; }
"""


# --- numbers in words --------------------------------------------------------------------
def _decimals(size: float) -> int:
    """Decimals a number of this size deserves in a sentence or a table."""
    return 0 if size >= 100 else 1 if size >= 10 else 2 if size >= 1 else \
        3 if size >= 0.01 or size == 0 else 4


def _minus(text: str) -> str:
    return text.replace("-", MINUS)


def number(x: float) -> str:
    """A number with as many decimals as its size deserves, in the current language's
    style (``1,234`` / ``1.234`` / ``1 234``); a dash when missing."""
    if x is None or not np.isfinite(x):
        return "\u2014"
    return _minus(current().number(x, _decimals(abs(x))))


def count(n: int) -> str:
    """A whole number (partnerships, runs) in the current language's style: ``1,234``."""
    return current().number(n, 0)


def estimate(value: float, low: float, high: float) -> str:
    """``value [low, high]``; without the interval when it is missing."""
    if not (np.isfinite(low) and np.isfinite(high)):
        return number(value)
    separator = "; " if current().locale.number_symbols["latn"]["decimal"] == "," else ", "
    return f"{number(value)} [{number(low)}{separator}{number(high)}]"


def percent(share: float) -> str:
    """A share as a percentage: 0.253 -> '25%', 0.0625 -> '6.2%', 0 -> '0%'."""
    if not np.isfinite(share):
        return "\u2014"
    value = 100 * share
    return current().percent(share, 0 if value >= 10 or value == 0 else 1)


def percent_change(ratio: float) -> str:
    """A ratio as a signed percentage change: 1.18 -> '+18%', 0.953 -> '-4.7%'."""
    if not np.isfinite(ratio):
        return "\u2014"
    change = ratio - 1
    return _minus(current().percent(change, 0 if abs(change) >= 0.1 else 1, sign=True))


# --- the bottom line ---------------------------------------------------------------------
def _about(ratio: float) -> str:
    """The size of a relative change in round words: 0.58 -> '40%', 1.062 -> '6%'."""
    change = 100 * abs(ratio - 1)
    rounded = 5 * round(change / 5) if change >= 10 else max(1, round(change))
    return current().percent(rounded / 100)


def _changes(row: dict[str, pd.Series]) -> str | None:
    """What clearly changes in harm prevented and partnership lifetime, as a clause that
    follows 'under <scenario>,'; None when neither changes detectably."""
    harm, lifetime = row["harm_prevented"], row[LIFETIME]
    parts = []
    if is_clear(harm):
        template = (_("partnerships prevent about {percent} more harm") if harm["ratio"] > 1
                    else _("partnerships prevent about {percent} less harm"))
        parts.append(template.format(percent=_about(harm["ratio"])))
    if is_clear(lifetime):
        longer = lifetime["ratio"] > 1
        if parts:
            template = (_("they last about {percent} longer") if longer
                        else _("they last about {percent} shorter"))
        else:
            template = (_("partnerships last about {percent} longer") if longer
                        else _("partnerships last about {percent} shorter"))
        parts.append(template.format(percent=_about(lifetime["ratio"])))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else _("{first} and {second}").format(
        first=parts[0], second=parts[1])


def _join(names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    return _("{items} and {last}").format(items=", ".join(names[:-1]), last=names[-1])


def bottom_line(comparison: Comparison) -> str:
    """Two sentences in plain words: what clearly changes against the reference (harm
    prevented and partnership lifetime, words of direction only where the 95% intervals
    exclude no change), then which scenarios make no difference we can detect.

    Built from the measured numbers of the outcome table, like the summary below it.
    """
    comparison = localised(comparison)
    outcomes = comparison.outcomes.set_index(["outcome", "point"])
    names = comparison.names
    reference = names[0]
    changed, unchanged, empty = [], [], []
    for point, name in enumerate(names[1:], start=1):
        row = {m: outcomes.loc[(m, point)] for m in HEADLINE}
        if _none_launched(row):
            empty.append(name)
            continue
        clause = _changes(row)
        if clause is None:
            unchanged.append(name)
        else:
            changed.append(_("under {scenario}, {changes}").format(scenario=name,
                                                                  changes=clause))
    runs = comparison.replications
    if len(names) == 1:
        return _("One scenario, {scenario}, run {runs} times: its levels are below.").format(
            scenario=reference, runs=runs)
    if changed:
        first = _("Compared with {reference}: {changes}.").format(
            reference=reference, changes="; ".join(changed))
    else:
        first = _("Compared with {reference}, no scenario changes harm prevented or how long "
                  "partnerships last by a difference we can detect.").format(
            reference=reference)
    if unchanged and changed:
        second = _("{scenarios} makes no difference we can detect.") if len(unchanged) == 1 \
            else _("{scenarios} make no difference we can detect.")
        second = second.format(scenarios=_join(unchanged))
    elif changed:
        second = _("Each of these differences holds over the {runs} paired runs per scenario "
                   "(its 95% CI excludes no change).").format(runs=runs)
    else:
        second = _("{runs} paired runs per scenario cannot tell smaller differences from none; "
                   "more runs (--replications) could.").format(runs=runs)
    if empty:
        second += " " + _("Under {scenarios}, no partnership launched at all.").format(
            scenarios=_join(empty))
    return f"{_capitalise(first)} {second}"


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


# --- the plain-language summary ------------------------------------------------------------
def summary_lines(comparison: Comparison) -> list[tuple[str, str]]:
    """One (scenario, sentence) per scenario: the reference's levels, then for every other
    scenario the relative change of the headline outcomes with 95% intervals.  A scenario
    in which no partnership launched says so; runs in which the lifetime is undefined (none
    launched) are counted."""
    comparison = localised(comparison)
    outcomes = comparison.outcomes.set_index(["outcome", "point"])
    names = comparison.names
    reference = names[0]
    lines = []
    row = {m: outcomes.loc[(m, 0)] for m in HEADLINE}
    if _none_launched(row):
        lines.append((reference, _("the reference.") + " " + _no_launch(comparison)))
    else:
        lines.append((reference, _(
            "the reference. Per run, partnerships last on average {lifetime} months within "
            "the {months}-month horizon (restricted mean, 95% CI {lifetime_range}{defined}), "
            "{launched} partnerships are launched (95% CI {launched_range}) and harm prevented "
            "is {harm} harm index points (95% CI {harm_range}).").format(
            lifetime=number(row[LIFETIME]["mean"]), months=comparison.months,
            lifetime_range=_range(row[LIFETIME]), defined=_runs_defined(row[LIFETIME]),
            launched=number(row["partnerships_launched"]["mean"]),
            launched_range=_range(row["partnerships_launched"]),
            harm=number(row["harm_prevented"]["mean"]),
            harm_range=_range(row["harm_prevented"]))))
    for point, name in enumerate(names[1:], start=1):
        row = {m: outcomes.loc[(m, point)] for m in HEADLINE}
        if _none_launched(row):
            lines.append((name, _no_launch(comparison)))
            continue
        lifetime = row[LIFETIME]
        parts = [_("partnerships last {times} as long as under {reference} (restricted mean, "
                   "95% CI {times_range}{defined})").format(
            times=_times(lifetime["ratio"]), reference=reference,
            times_range=_times_range(lifetime), defined=_runs_defined(lifetime))]
        parts += [_("{outcome} {change} (95% CI {low} to {high})").format(
            outcome=_(HEADLINE_NAMES[m]), change=percent_change(row[m]["ratio"]),
            low=percent_change(row[m]["ratio_low"]), high=percent_change(row[m]["ratio_high"]))
            for m in HEADLINE[1:]]
        clear = [_(HEADLINE_NAMES[m]) for m in HEADLINE if is_clear(row[m])]
        unclear = [_(HEADLINE_NAMES[m]) for m in HEADLINE if not is_clear(row[m])]
        verdict = []
        if clear:
            verdict.append(_("clear differences: {outcomes}").format(outcomes=", ".join(clear)))
        if unclear:
            verdict.append(_("could be no change: {outcomes}").format(
                outcomes=", ".join(unclear)))
        text = "; ".join(parts) + ". " + _capitalise("; ".join(verdict)) + "."
        lines.append((name, text))
    return lines


def _none_launched(row: dict[str, pd.Series]) -> bool:
    return bool(row["partnerships_launched"]["mean"] == 0)


def _no_launch(comparison: Comparison) -> str:
    return _("No partnership launched in any of its {runs} runs within the {months}-month "
             "horizon, so partnership lifetimes are undefined and no harm was prevented."
             ).format(runs=comparison.replications, months=comparison.months)


def _runs_defined(row: pd.Series) -> str:
    """', over the k of N runs that launched a partnership' where some launched none."""
    if not row["missing"]:
        return ""
    return _(", over the {defined} of {runs} runs that launched any").format(
        defined=row["n"], runs=row["n"] + row["missing"])


def _range(row: pd.Series) -> str:
    return _between(row["ci_low"], row["ci_high"])


def _between(low: float, high: float) -> str:
    """``low to high`` in the current language."""
    return _("{low} to {high}").format(low=number(low), high=number(high))


def _times(ratio: float) -> str:
    return f"{current().number(ratio, 2)}\u00d7" if np.isfinite(ratio) else "\u2014"


def _times_range(row: pd.Series) -> str:
    if not (np.isfinite(row["ratio_low"]) and np.isfinite(row["ratio_high"])):
        return "\u2014"
    words = current()
    return f"{words.number(row['ratio_low'], 2)}\u2013{words.number(row['ratio_high'], 2)}"


def is_clear(row: pd.Series) -> bool:
    """A difference is clear when both its t interval excludes 0 and its bootstrap ratio
    interval excludes 1 (with few runs the bootstrap interval alone is too narrow)."""
    return bool((row["difference_low"] > 0 or row["difference_high"] < 0)
                and (row["ratio_low"] > 1 or row["ratio_high"] < 1))


# --- HTML pieces -------------------------------------------------------------------------
def _e(value: object) -> str:
    return html.escape(str(value))


def _swatch(colour: str) -> str:
    return f'<span class="swatch" style="background:{colour}"></span>'


def _table(header: Iterable[str], rows: Iterable[str], table_id: str) -> str:
    head = "".join(f"<th>{h}</th>" for h in header)
    return (f'<table id="{table_id}"><thead><tr>{head}</tr></thead><tbody>'
            + "".join(rows) + "</tbody></table>")


def _figure(src: str, alt: str, caption: str) -> str:
    return (f'<figure><img src="{src}" alt="{_e(alt)}">'
            f'<figcaption class="caption">{caption}</figcaption></figure>')


def reading_notes(comparison: Comparison) -> dict[tuple[str, int], str]:
    """Plain sentences that explain a counter-intuitive difference where it is shown.

    Two of the model's mechanisms turn a loss into a seemingly better ratio, and a reader
    should not take that for an improvement:

    * Public partners follow up what their capacity allows [002 L1312-L1330]; when firms share
      less, the same capacity covers a larger share, so the follow-up *ratio* rises although
      less is followed up in total.
    * Firms judge public partners by whether their information is acted on [001 L141;
      002 L1242]; a higher follow-up ratio therefore raises firms' trust in public bodies.

    A note is written only where the comparison shows the pattern (clear differences in the
    directions named), with the measured changes in it.
    """
    table = comparison.outcomes.set_index(["outcome", "point"])
    notes: dict[tuple[str, int], str] = {}
    for point in range(1, len(comparison.names)):
        def row(outcome: str, point: int = point) -> pd.Series | None:
            key = (outcome, point)
            return table.loc[key] if key in table.index else None

        shared, followed = row("information_shared"), row("information_followed_up")
        ratio, trust = row("follow_up_ratio"), row("trust_private_to_public")
        if ratio is None or shared is None or not (_clearly(ratio, +1) and _clearly(shared, -1)):
            continue
        total = (_("; information followed up changed by {change} in total").format(
            change=percent_change(followed["ratio"])) if followed is not None else "")
        notes[("follow_up_ratio", point)] = _(
            "Firms shared less ({change}), so public partners' follow-up capacity covered a "
            "larger share of it{total}. A higher ratio here is not more information acted on."
        ).format(change=percent_change(shared["ratio"]), total=total)
        if trust is not None and _clearly(trust, +1):
            notes[("trust_private_to_public", point)] = _(
                "Firms judge public partners by whether their information is acted on; with "
                "a larger share of it followed up (see the follow-up row), their trust in "
                "public bodies rises, although less is shared.")
    return notes


def _clearly(row: pd.Series, direction: int) -> bool:
    """The paired difference is clear and has the sign ``direction``."""
    return is_clear(row) and (row["difference"] > 0) == (direction > 0)


def _outcome_rows(comparison: Comparison, colours: dict[str, str]) -> list[str]:
    notes = reading_notes(comparison)
    rows = []
    for outcome, group in comparison.outcomes.groupby("outcome", sort=False):
        first = group.iloc[0]
        rows.append(f'<tr class="group"><th colspan="5">{_e(_(first["label"]))} '
                    f'<span class="unit">({_e(_(first["unit"]))})</span> '
                    f'<span class="note">{_e(metric_description(outcome))}</span></th></tr>')
        for row in group.itertuples():
            if row.point == 0:
                paired = f'<td class="num">{_e(_("reference"))}</td><td></td><td></td>'
            else:
                effect = number(row.effect_size) + (f" {_(row.effect)}" if row.effect else "")
                paired = (f'<td class="num">'
                          f"{estimate(row.difference, row.difference_low, row.difference_high)}"
                          f'</td><td class="num">{effect}</td><td class="num">'
                          f"{estimate(row.ratio, row.ratio_low, row.ratio_high)}</td>")
            rows.append(
                f'<tr data-outcome="{_e(outcome)}" data-scenario="{_e(row.scenario)}">'
                f"<td>{_swatch(colours[row.scenario])}{_e(row.scenario)}</td>"
                f'<td class="num">{estimate(row.mean, row.ci_low, row.ci_high)}'
                f"{_missing_note(row.missing, row.n)}</td>{paired}</tr>")
            if (outcome, row.point) in notes:
                rows.append(f'<tr class="reading" data-note-for="{_e(outcome)}" '
                            f'data-note-scenario="{_e(row.scenario)}"><td colspan="5">'
                            f"{_e(notes[(outcome, row.point)])}</td></tr>")
    return rows


def _missing_note(missing: int, defined: int) -> str:
    """'undefined in k of N runs' under a mean that leaves undefined runs out."""
    if not missing:
        return ""
    runs = missing + defined
    text = (_("undefined in all {runs} runs").format(runs=runs) if not defined else
            _("undefined in {missing} of {runs} runs, left out of the mean").format(
                missing=missing, runs=runs))
    return f'<br><span class="missing">{text}</span>'


def _lifetime_rows(comparison: Comparison, colours: dict[str, str]) -> list[str]:
    rows = []
    for row in comparison.lifetimes.itertuples():
        if row.partnerships == 0:
            median = mean = _("no partnership launched")
        elif np.isfinite(row.median_months) and np.isinf(row.median_high):
            median = _("{median} [{low}, not reached]").format(
                median=number(row.median_months), low=number(row.median_low))
        elif np.isfinite(row.median_months):
            median = estimate(row.median_months, row.median_low, row.median_high)
        else:
            median = _("not reached within {months} months").format(months=comparison.months)
        if row.partnerships:
            mean = estimate(row.restricted_mean_months, row.restricted_mean_low,
                            row.restricted_mean_high)
        rows.append(f'<tr data-scenario="{_e(row.scenario)}">'
                    f"<td>{_swatch(colours[row.scenario])}{_e(row.scenario)}</td>"
                    f'<td class="num">{count(row.partnerships)}</td>'
                    f'<td class="num">{count(row.ended)}</td>'
                    f'<td class="num">{count(row.operating_at_end)}</td>'
                    f'<td class="num">{mean}</td><td class="num">{median}</td></tr>')
    return rows


def _end_cause_rows(comparison: Comparison) -> list[str]:
    shares = comparison.end_causes.pivot(index="end_cause", columns="scenario",
                                         values="share")[comparison.names]
    counts = comparison.end_causes.pivot(index="end_cause", columns="scenario",
                                         values="partnerships")[comparison.names]
    shares = shares.loc[counts.sum(axis=1) > 0]
    shares = shares.loc[shares.mean(axis=1).sort_values(ascending=False).index]
    rows = []
    for cause, values in shares.iterrows():
        cells = "".join(f'<td class="num">{percent(values[name])} '
                        f"({count(counts.loc[cause, name])})</td>" for name in comparison.names)
        rows.append(f'<tr data-cause="{_e(cause)}"><td>{_e(_(cause))}</td>{cells}</tr>')
    return rows


def _parameter_rows(comparison: Comparison) -> list[str]:
    names = comparison.names
    rows = []
    for row in comparison.parameters.to_dict("records"):
        cells = []
        for i, name in enumerate(names):
            changed = i > 0 and row[name] != row[names[0]]
            css = "changed" if changed else "same" if i > 0 else ""
            cells.append(f'<td class="num {css}">{_e(row[name])}</td>')
        rows.append(f'<tr><td>{_e(row["parameter"])} <span class="unit">'
                    f'[{_e(row["section"])}] {_e(_(row["units"]))}</span></td>{"".join(cells)}'
                    "</tr>")
    return rows


def command_line(comparison: Comparison) -> str:
    """The ``pppsim compare`` command that repeats this comparison."""
    spec = comparison.spec
    paths = [spec.source] if spec.source else [s.path for s in spec.scenarios]
    words = ["pppsim", "compare", *[str(p) for p in paths]]
    if spec.source is None and spec.settings and len(paths) == 2 and paths[0] == paths[1]:
        words.pop()  # one scenario against itself changed by --set
    for setting in spec.settings:
        words += ["--set", setting]
    words += ["--replications", str(comparison.replications), "--months",
              str(comparison.months), "--seed", str(comparison.seed)]
    if spec.name and spec.source is None:
        words += ["--title", spec.name]
    if current().lang != "en":
        words += ["--lang", current().lang]
    return shlex.join(words)


def _manifest(comparison: Comparison) -> str:
    m = comparison.manifest
    seeds = (comparison.runs[comparison.runs["point"] == 0]
             .sort_values("replication")["seed"].tolist())
    shown = ", ".join(str(s) for s in seeds[:SEEDS_SHOWN])
    if len(seeds) > SEEDS_SHOWN:
        shown += ", \u2026 " + _("({seeds} in all; every seed is in runs.csv)").format(
            seeds=len(seeds))
    items = {
        _("Command"): f"<code>{_e(command_line(comparison))}</code>",
        _("Scenario files"): "<br>".join(_e(s.path) for s in comparison.spec.scenarios),
        _("Runs"): _e(_("{runs} ({per_scenario} per scenario, {months} months each)").format(
            runs=len(comparison.runs), per_scenario=comparison.replications,
            months=comparison.months)),
        _("Random numbers"): _e(_("common: run k of every scenario uses the same random "
                                  "stream")),
        _("Base seed"): _e(m["base_seed"]),
        _("Run seeds (run 1, 2, \u2026)"): _e(shown),
        _("Bootstrap"): _e(_("{samples} paired resamples, seeded with the base seed").format(
            samples=BOOTSTRAP_SAMPLES)),
    } | provenance_items(m, comparison.folder)
    return definition_list(items)


def provenance_items(manifest: dict, folder: Path,
                     packages: tuple[str, ...] = REPORT_PACKAGES) -> dict[str, str]:
    """Manifest rows every report shares: model version, git revision, Python, the versions
    of the engine's and the report's ``packages``, results folder and when the first run
    started (values HTML-escaped)."""
    git = manifest.get("git") or {}
    versions = manifest["packages"] | {p: _version(p) for p in packages}
    packages = ", ".join(f"{k} {v}" for k, v in versions.items() if v)
    dirty = " " + _("(with uncommitted changes)") if git.get("dirty") else ""
    return {
        _("Model version"): _e(manifest["model_version"]),
        _("pppsim git revision"): _e(f"{git.get('commit', _('unknown'))}{dirty}"),
        "Python": _e(_("{python} on {platform}").format(python=manifest["python"],
                                                         platform=manifest["platform"])),
        _("Packages"): _e(packages),
        _("Results folder"): _e(folder),
        _("First run started"): _e(_started(manifest["created"])),
    }


def _started(created: str) -> str:
    """The manifest's ISO time stamp, written for the reader's language (as is if it is not
    an ISO time)."""
    try:
        return current().datetime(datetime.fromisoformat(created))
    except (TypeError, ValueError):
        return str(created)


def definition_list(items: dict[str, str]) -> str:
    """A manifest as an HTML definition list (values already escaped)."""
    return '<dl class="manifest">' + "".join(
        f"<dt>{k}</dt><dd>{v}</dd>" for k, v in items.items()) + "</dl>"


def _version(package: str) -> str | None:
    try:
        return metadata.version(package.replace("_", "-"))
    except metadata.PackageNotFoundError:
        return None


def localised(comparison: Comparison) -> Comparison:
    """The comparison as its readers see it in the current language: the shipped scenarios'
    names and descriptions, and the ready comparison's, translated (:func:`shown_name`) in the
    settings and in every table.  Unchanged when two names would become one."""
    names = {name: _shown_scenario_name(name) for name in comparison.names}
    if names == {n: n for n in names} and not comparison.spec.description \
            and all(not s.description for s in comparison.spec.scenarios):
        return comparison
    if len(set(names.values())) < len(names):
        return comparison
    spec = comparison.spec
    spec = dataclasses.replace(
        spec, name=shown_name(spec.name), description=shown_name(spec.description),
        scenarios=tuple(dataclasses.replace(s, name=names[s.name],
                                            description=shown_name(s.description))
                        for s in spec.scenarios))
    tables = {field.name: getattr(comparison, field.name)
              for field in dataclasses.fields(comparison)
              if isinstance(getattr(comparison, field.name), pd.DataFrame)}
    renamed = {key: (table.assign(scenario=table["scenario"].map(names))
                     if "scenario" in table else table.rename(columns=names))
               for key, table in tables.items()}
    return dataclasses.replace(comparison, spec=spec, **renamed)


def _shown_scenario_name(name: str) -> str:
    """A scenario's name for readers; ``"Baseline, legal_barrier = 0.1"`` (a shipped scenario
    changed by --set) keeps its settings and translates the shipped name."""
    shown = shown_name(name)
    head, comma, rest = name.partition(", ")
    if shown == name and comma and shown_name(head) != head:
        return f"{shown_name(head)}, {rest}"
    return shown


def default_title(comparison: Comparison) -> str:
    """The report's title when none is given: the scenarios by name."""
    names = comparison.names
    if len(names) == 1:
        return names[0]
    return _("{others} compared with {reference}").format(others=_join(names[1:]),
                                                          reference=names[0])


def render(comparison: Comparison) -> str:
    """The whole report as one HTML string, in the current language (:mod:`pppsim.i18n`)."""
    comparison = localised(comparison)
    names = comparison.names
    colours = scenario_colours(names)
    reference = _e(names[0])
    title = comparison.spec.name or default_title(comparison)
    summary = "".join(f"<li>{_swatch(colours[name])}<strong>{_e(name)}</strong>: {_e(text)}"
                      "</li>" for name, text in summary_lines(comparison))
    series_list = ", ".join(_(s.label).lower() for s in SERIES)
    fans = "".join(_figure(png_data_uri(fan_figure(comparison.series, colours, s)),
                           _("Fan chart: {series}").format(series=_(s.label)),
                           _e(_("{series} ({unit}): the line is the median run, the dark band "
                                "holds the middle half of the runs (25\u201375%), the light "
                                "band four in five runs (10\u201390%).").format(
                               series=_(s.label), unit=_(s.unit))))
                   for s in SERIES)
    description = f"<p>{_e(comparison.spec.description)}</p>" if \
        comparison.spec.description else ""
    scenario_descriptions = "".join(
        f"<li>{_swatch(colours[s.name])}<strong>{_e(s.name)}</strong>: "
        f"{_e(s.description or _('no description'))}</li>" for s in comparison.spec.scenarios)
    outcome_header = [_("Scenario"), _("Mean per run [95% CI]"),
                      _("Difference from {reference} [95% CI]").format(reference=reference),
                      _("Effect size d<sub>z</sub>"),
                      _("Ratio to {reference} [95% CI]").format(reference=reference)]
    parameter_header = [_("Parameter"), *[_e(n) for n in names]]
    warning = ""
    if comparison.replications < FEW_RUNS:
        warning = '<p class="warning">' + _e(_(
            "Only {runs} runs per scenario: the intervals are rough (bootstrap intervals in "
            "particular are too narrow with few runs). Use at least {few}, better 30, for "
            "conclusions.").format(runs=comparison.replications, few=FEW_RUNS)) + "</p>"
    headline = ""
    if len(names) > 1:
        headline = _figure(
            png_data_uri(headline_figure(comparison.outcomes, colours)),
            _("Change in harm prevented and partnership lifetime against {reference}").format(
                reference=names[0]),
            _e(_("Change against {reference} per scenario, in percent, with its 95% CI. "
                 "Where an interval crosses the zero line, no difference can be detected."
                 ).format(reference=names[0])))
    subtitle = _(
        "pppsim scenario comparison: {scenarios} scenarios, each run {runs} times for {months} "
        "months with common random numbers (base seed {seed}).").format(
        scenarios=len(names), runs=comparison.replications, months=comparison.months,
        seed=comparison.seed)
    lang = current().lang
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>{_e(title)}</title>
<style>{CSS}</style>
</head>
<body>
<h1>{_e(title)}</h1>
<p class="bottom-line" id="bottom-line">{_e(bottom_line(comparison))}</p>
{headline}
<p class="subtitle">{_e(subtitle)}</p>
{description}
<ul>{scenario_descriptions}</ul>

<h2 id="summary">{_("Summary")}</h2>
<div class="summary"><ul id="summary-lines">{summary}</ul></div>
<p class="note">{_("Run k of every scenario went through the same chance events (the same "
"random numbers), so each difference is measured run by run (paired). The 95% CI "
"(confidence interval) is the range of values compatible with the runs; when it excludes "
"&ldquo;no change&rdquo; (a ratio of 1, a difference of 0) the difference is clear at this "
"number of runs; the summary calls a difference clear when both the interval of the "
"difference and that of the ratio exclude no change. The model shows mechanisms, not "
"forecasts: trust differences more than levels.")}</p>
{warning}
{_uncertainty_section(comparison, colours)}
<h2 id="outcomes">{_("Outcomes at the end of the run")}</h2>
<p class="note">{_("Mean per run across the {runs} runs of each scenario, with its 95% CI. "
"For the other scenarios: the paired difference from {reference} (scenario minus "
"{reference}, run by run) with its CI, the effect size d<sub>z</sub> (the mean difference "
"divided by how much the run-by-run difference varies; about 0.2 small, 0.5 medium, 0.8 "
"large), and the ratio of the means with a bootstrap CI (1 = no change).").format(
    runs=comparison.replications, reference=reference)}</p>
{_table(outcome_header, _outcome_rows(comparison, colours), "outcomes-table")}

<h2 id="over-time">{_("Over time")}</h2>
{_figure(png_data_uri(means_figure(comparison.series, colours)),
         _("Key outputs over time, mean per scenario with 95% bands"),
         _e(_("Mean of {series} per scenario, month by month; the band is the 95% CI of the "
              "mean (where the average run lies, not where single runs go).").format(
             series=series_list)))}

<h2 id="fan-charts">{_("How much single runs vary: fan charts")}</h2>
<p class="note">{_("One run is one possible history. These charts show the spread of single "
"runs, which is what any one city-region might see.")}</p>
{fans}

<h2 id="survival">{_("How long partnerships last")}</h2>
{_figure(png_data_uri(survival_figure(comparison.survival, colours, comparison.months)),
         _("Kaplan-Meier survival curves of partnerships per scenario"),
         _e(_("Share of launched partnerships still operating, by months since launch "
              "(Kaplan\u2013Meier estimate, all runs' partnerships pooled, with 95% bands). "
              "Partnerships still running at the horizon count up to then. Where a curve "
              "crosses the dashed line, half the partnerships had ended.")))}
{_table([_("Scenario"), _("Partnerships launched (all runs)"), _("Ended"),
         _("Operating at the end"), _("Restricted mean lifetime, months [95% CI]"),
         _("Median lifetime, months [95% CI]")],
        _lifetime_rows(comparison, colours),
        "lifetimes-table")}
<p class="caption">{_e(_("Both lifetimes come from the Kaplan\u2013Meier curve above, all "
"runs' partnerships pooled, so partnerships still running at the horizon count correctly. "
"The restricted mean is the area under the curve up to month {months}: the average months a "
"partnership operates within the horizon (the outcome table's lifetime row is the same "
"measure, per run and then averaged). The median is where the curve crosses one half. They "
"differ when many partnerships end early while the rest last long: a low median beside a "
"higher restricted mean says exactly that.").format(months=comparison.months))}</p>

<h2 id="end-causes">{_("Why partnerships end")}</h2>
{_figure(png_data_uri(end_cause_figure(comparison.end_causes, colours)),
         _("Share of ended partnerships per end cause and scenario"),
         _e(_("Share of the partnerships that ended before the horizon, by cause (all runs "
              "pooled).")))}
{_table([_("End cause"), *[_e(n) for n in names]], _end_cause_rows(comparison),
        "end-causes-table")}
<p class="caption">{_("Percentage of ended partnerships (number of partnerships, all runs).")}</p>

<h2 id="parameters">{_("What differs between the scenarios")}</h2>
<p class="note">{_("Parameters whose value differs from {reference} in at least one scenario; "
"all other parameters are the same in every scenario. Changed values are in bold.").format(
    reference=reference)}</p>
{_table(parameter_header, _parameter_rows(comparison), "parameters-table")}

<h2 id="manifest">{_("Run manifest")}</h2>
{_manifest(comparison)}
<p class="note">{_("Tables behind this report (CSV, in the results folder): outcomes.csv, "
"series.csv, survival.csv, lifetimes.csv, end_causes.csv, parameters.csv, runs.csv, "
"partnerships.csv. Same scenarios and seed give the same numbers.")}</p>
</body>
</html>
"""


def _uncertainty_section(comparison: Comparison, colours: dict[str, str]) -> str:
    """Chance alone against chance and parameter uncertainty (scenarios with
    ``[uncertainty]``): the generated sentence and the two bands of the headline outcomes."""
    bands = comparison.uncertainty
    if bands is None:
        return ""
    reference = comparison.names[0]
    rows = []
    for r in bands[bands["outcome"].isin(HEADLINE)].itertuples():
        quantity = (_("level") if r.quantity == "level"
                    else _("difference from {reference}").format(reference=reference))
        rows.append(f"<tr><td>{_e(_(HEADLINE_NAMES[r.outcome]))}</td><td>"
                    f"{_swatch(colours[r.scenario])}{_e(r.scenario)}</td><td>"
                    f"{_e(quantity)}</td><td>{_e(_between(r.chance_low, r.chance_high))}</td>"
                    f"<td>{_e(_between(r.total_low, r.total_high))}</td>"
                    f"<td>{percent(r.parameter_share)}</td></tr>")
    header = [_("Outcome"), _("Scenario"), _("Quantity"), _("95 in 100 runs: chance alone"),
              _("95 in 100 runs: chance and parameter uncertainty"),
              _("Share of the spread from parameter uncertainty")]
    return (f'<h2 id="uncertainty">{_("What we do not know: two bands")}</h2>'
            f'<p id="uncertainty-sentence">{_e(comparison.uncertainty_sentence)}</p>'
            '<p class="note">' + _(
                "The intervals elsewhere in this report cover chance alone: the model's "
                "uncertain parameters are fixed at the scenario's values. Here every scenario "
                "is run again with the uncertain parameters drawn anew in each run (the same "
                "draw in run k of every scenario, so differences stay paired). The bands hold "
                "95 in 100 single runs; the last column is how much wider parameter "
                "uncertainty makes the spread (1 minus the ratio of the variances).")
            + "</p>" + _table(header, rows, "uncertainty-table"))


def write_report(comparison: Comparison) -> Path:
    """Write the CSV tables and ``report.html`` into the comparison's folder, all or nothing
    (a failure leaves the folder's previous report and tables, never a mix)."""
    with staged_folder(comparison.folder) as stage:
        write_tables(comparison, stage)
        (stage / REPORT).write_text(render(comparison), encoding="utf-8")
    return comparison.folder / REPORT

