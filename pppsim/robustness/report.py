"""The robustness report: one self-contained HTML file (inline CSS, PNG figures as data URIs,
no scripts, no external resources) in the comparison report's style, plus CSV tables."""

from __future__ import annotations

import shlex
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from ..fileio import staged_folder
from ..model.outputs import METRIC_DESCRIPTIONS
from ..parameters import parameter_table
from ..report.compare import OUTCOMES
from ..report.figures import png_data_uri, scenario_colours
from ..report.html import (
    CSS,
    _e,
    _figure,
    _swatch,
    _table,
    definition_list,
    number,
    percent,
    provenance_items,
)
from .figures import failure_figure, outcome_figure, regret_figure, satisficing_figure
from .study import P_REGRET, Robustness, write_tables

REPORT = "report.html"
REPORT_PACKAGES = ("ema_workbench", "matplotlib")
"""Packages the report itself uses, added to the engine manifest's list."""
MIN_FUTURES = 30
"""Below this many futures the report warns that shares and boxes are rough."""
SIGNIFICANCE = 0.05
EXTRA_LABELS = {
    "survival_36m": ("Partnerships still operating three years after launch",
                     "share (0-1)"),
    "median_lifetime_months": ("Partnership lifetime, median (Kaplan-Meier)", "months"),
    "failure_share": ("Launched partnerships that ended without reaching their goals",
                      "share (0-1)"),
    "early_failure_share": ("Partnerships that failed within two years", "share (0-1)"),
}
EXTRA_CSS = """
.bottom-line { background: #f3f6fa; border-left: 4px solid #0072b2; padding: 0.6rem 1rem; }
ol.boxes li { margin: 0.4rem 0; }
"""


def outcome_label(metric: str) -> tuple[str, str]:
    """(label, unit) of a metric in plain words."""
    known = {o.name: (o.label, o.unit) for o in OUTCOMES} | EXTRA_LABELS
    if metric in known:
        return known[metric]
    return METRIC_DESCRIPTIONS.get(metric, metric).capitalize(), ""


def _short(metric: str) -> str:
    """A short lower-case name for sentences: 'harm prevented'."""
    return {"restricted_mean_lifetime_months": "partnership lifetime (restricted mean)",
            "survival_36m": "share of partnerships lasting three years"}.get(
        metric, metric.replace("_", " "))


def futures(n: int) -> str:
    """'1 future', '3 futures'."""
    return f"{n} future{'' if n == 1 else 's'}"


# --- the bottom line ---------------------------------------------------------------------------
def _mcnemar(result: Robustness, a: str, b: str) -> tuple[int, int, float]:
    """Futures where only ``a`` meets the thresholds, where only ``b`` does, and the exact
    McNemar p-value (binomial test on those discordant futures; NaN without any)."""
    met = result.satisfied.pivot(index="future", columns="policy", values="met")
    only_a = int(((met[a] == True) & (met[b] == False)).fillna(False).sum())  # noqa: E712
    only_b = int(((met[a] == False) & (met[b] == True)).fillna(False).sum())  # noqa: E712
    if not only_a + only_b:
        return only_a, only_b, float("nan")
    return only_a, only_b, float(stats.binomtest(only_a, only_a + only_b).pvalue)


def bottom_line(result: Robustness) -> str:
    """One paragraph: the most robust policy, how clearly, the regret view, where the
    preferred policy fails.  Every number comes from the report's tables."""
    spec = result.spec
    ranked = result.ranking
    top, second = ranked.iloc[0], ranked.iloc[1]
    thresholds = " and ".join(t.words(_short(t.outcome)) for t in spec.thresholds)
    parts = [
        f"Across {spec.n_futures} sampled futures ({spec.replications} "
        f"run{'s' if spec.replications > 1 else ''} of {spec.months} months per policy and "
        f"future), {top.policy} meets every threshold ({thresholds}) in "
        f"{percent(top.share)} of the futures (95% CI {percent(top.share_ci_low)} to "
        f"{percent(top.share_ci_high)}){_undefined_words(top)}."]
    only_top, only_second, p = _mcnemar(result, top.policy, second.policy)
    if top.share == second.share:
        parts.append(f"{second.policy} does so as often.")
    else:
        clear = np.isfinite(p) and p < SIGNIFICANCE
        parts.append(
            f"The next policy, {second.policy}, does so in {percent(second.share)}; "
            f"{top.policy} {'clearly ' if clear else ''}does better "
            f"{'' if clear else 'but the difference could be chance '}(only {top.policy} "
            f"meets them in {futures(only_top)}, only {second.policy} in {only_second}; exact "
            f"McNemar test p = {p:.2g}).")
    unit = outcome_label(spec.regret_outcome)[1]
    by_regret = ranked.sort_values(["max_regret", P_REGRET], kind="stable").iloc[0]
    regret_text = (f"its {_short(spec.regret_outcome)} is never more than "
                   f"{number(by_regret.max_regret)} {unit} below the best policy's in any "
                   f"future (90th percentile {number(by_regret[P_REGRET])})")
    if by_regret.policy == top.policy:
        parts.append(f"{top.policy} also has the smallest worst-case regret: {regret_text}.")
    else:
        parts.append(f"By regret, {by_regret.policy} is the safest choice: {regret_text}; "
                     f"{top.policy} falls up to {number(top.max_regret)} {unit} behind.")
    failures = result.failures
    named = "" if spec.preferred is None else " (the preferred policy of the experiment file)"
    if failures.boxes:
        box = failures.boxes[0]
        parts.append(
            f"{result.preferred}{named} fails its thresholds in {failures.failed} of "
            f"{futures(failures.judged)}, mainly where {result.box_sentences()[0]}: "
            f"{percent(box.density)} of the futures there fail, and they hold "
            f"{percent(box.coverage)} of its failures.")
    elif not failures.failed:
        parts.append(f"{result.preferred}{named} meets its thresholds in every one of the "
                     f"{futures(failures.judged)} where they can be judged.")
    else:
        parts.append(f"{result.preferred}{named} fails its thresholds in {failures.failed} "
                     f"of {futures(failures.judged)}; {failures.reason}.")
    return " ".join(parts)


def _undefined_words(row: pd.Series) -> str:
    if not row.undefined:
        return ""
    return (f"; in {futures(row.undefined)} a threshold outcome is undefined for it, left "
            f"out (counting them as failures gives {percent(row.share_low)}, as "
            f"successes {percent(row.share_high)})")


# --- tables ------------------------------------------------------------------------------------
def _ranking_rows(result: Robustness, colours: dict[str, str]) -> list[str]:
    rows = []
    for row in result.ranking.itertuples():
        undefined = (f'<br><span class="missing">undefined in {futures(row.undefined)}, '
                     "left out</span>" if row.undefined else "")
        regret_undefined = (f'<br><span class="missing">undefined in '
                            f"{futures(row.undefined_futures)}</span>"
                            if row.undefined_futures else "")
        share = (f"{percent(row.share)} [{percent(row.share_ci_low)}, "
                 f"{percent(row.share_ci_high)}]")
        rows.append(
            f'<tr data-policy="{_e(row.policy)}"><td class="num">{row.rank}</td>'
            f"<td>{_swatch(colours[row.policy])}{_e(row.policy)}</td>"
            f'<td class="num">{share}<br><span class="unit">{row.met} met, {row.failed} '
            f"failed</span>{undefined}</td>"
            f'<td class="num">{number(row.mean_regret)}{regret_undefined}</td>'
            f'<td class="num">{number(getattr(row, P_REGRET))}</td>'
            f'<td class="num">{number(row.max_regret)}</td>'
            f'<td class="num">{row.best_in}</td></tr>')
    return rows


def _outcome_rows(result: Robustness, colours: dict[str, str]) -> list[str]:
    rows = []
    for outcome, group in result.outcomes.groupby("outcome", sort=False):
        label, unit = outcome_label(outcome)
        rows.append(f'<tr class="group"><th colspan="6">{_e(label)} '
                    f'<span class="unit">({_e(unit or outcome)})</span> <span class="note">'
                    f"{_e(METRIC_DESCRIPTIONS.get(outcome, ''))}</span></th></tr>")
        for row in group.itertuples():
            missing = ""
            if row.undefined_futures:
                missing = (f'<br><span class="missing">undefined in all runs of '
                           f"{row.undefined_futures} of {row.futures} futures, left out"
                           "</span>")
            elif row.undefined_runs:
                missing = (f'<br><span class="missing">undefined in {row.undefined_runs} '
                           "runs, left out of their future's mean</span>")
            rows.append(
                f'<tr data-outcome="{_e(outcome)}" data-policy="{_e(row.policy)}">'
                f"<td>{_swatch(colours[row.policy])}{_e(row.policy)}</td>"
                f'<td class="num">{number(row.mean)}{missing}</td>'
                f'<td class="num">{number(row.sd)}</td><td class="num">{number(row.p10)}</td>'
                f'<td class="num">{number(row.p50)}</td><td class="num">{number(row.p90)}</td>'
                "</tr>")
    return rows


def _policy_items(result: Robustness, colours: dict[str, str]) -> str:
    items = []
    for policy in result.spec.policies:
        levers = ", ".join(f"{k} = {v} (base {result.spec.base[k]})"
                           for k, v in policy.levers.items()) or "no lever changed"
        description = f"{_e(policy.description)} " if policy.description else ""
        items.append(f'<li data-policy="{_e(policy.name)}">{_swatch(colours[policy.name])}'
                     f"<strong>{_e(policy.name)}</strong>: {description}"
                     f'<span class="unit">{_e(levers)}</span></li>')
    return "<ul>" + "".join(items) + "</ul>"


def _uncertainty_rows(result: Robustness) -> list[str]:
    info = {row["name"]: row for row in parameter_table()}
    describe = result.spec.futures.describe()["factors"]
    rows = []
    for name, factor in describe.items():
        if "low" in factor:
            spread = f"uniform from {number(factor['low'])} to {number(factor['high'])}"
        else:
            spread = (f"normal, mean {number(factor['mean'])}, sd {number(factor['sd'])}, cut "
                      "to the allowed range")
        row = info[name]
        rows.append(f"<tr><td>{_e(result.spec.label(name))}</td><td><code>{_e(name)}</code> "
                    f'<span class="unit">[{_e(row["section"])}] {_e(row["units"])}</span></td>'
                    f"<td>{_e(spread)}</td><td class=\"num\">{_e(result.spec.base[name])}"
                    f'</td><td class="num">{_e(row["min"])}\u2013{_e(row["max"])}</td></tr>')
    return rows


def _box_items(result: Robustness) -> str:
    failures = result.failures
    if not failures.boxes:
        return f"<p id=\"no-boxes\">{_e(result.preferred)}: {_e(failures.reason)}.</p>"
    items = []
    for k, (box, words) in enumerate(zip(failures.boxes, result.box_sentences(),
                                         strict=True), start=1):
        later = " (among the futures outside the earlier boxes)" if k > 1 else ""
        items.append(
            f"<li>When {_e(words)}{later}: {percent(box.density)} of these futures fail "
            f"(density); they hold {percent(box.coverage)} of all failures (coverage) and "
            f"{percent(box.mass)} of the futures (mass).</li>")
    return '<ol class="boxes" id="failure-boxes">' + "".join(items) + "</ol>"


def command_line(result: Robustness) -> str:
    """The ``pppsim robustness`` command that repeats this experiment."""
    return shlex.join(["pppsim", "robustness", str(result.spec.source), "--out",
                       str(result.folder)])


def _manifest(result: Robustness) -> str:
    m = result.manifest
    futures = result.spec.futures.describe()
    spec = result.spec
    items = {
        "Command": f"<code>{_e(command_line(result))}</code>",
        "Experiment file": _e(spec.source),
        "Runs": f"{len(result.runs)} ({len(spec.policies)} policies \u00d7 "
                f"{spec.n_futures} futures \u00d7 {spec.replications} replications, "
                f"{spec.months} months each)",
        "Futures": _e(f"{futures['sampler']} of {len(futures['factors'])} parameter ranges, "
                      f"{futures['samples']} samples, sampler seed {futures['seed']} "
                      "(futures.csv)"),
        "Random numbers": "paired by future: replication k of every policy in future f uses "
                          "one stream, seeded from SeedSequence(base seed, (f, k)); "
                          "different futures have independent streams (every seed is in "
                          "runs.csv)",
        "Base seed": _e(m["base_seed"]),
    } | provenance_items(m, result.folder, REPORT_PACKAGES)
    return definition_list(items)


# --- the page ----------------------------------------------------------------------------------
def render(result: Robustness) -> str:
    """The whole report as one HTML string."""
    spec = result.spec
    names = result.names
    colours = scenario_colours(names)
    title = spec.name or "Robustness of policies"
    description = f"<p>{_e(spec.description)}</p>" if spec.description else ""
    regret_label, regret_unit = outcome_label(spec.regret_outcome)
    better = "higher" if spec.higher_is_better else "lower"
    thresholds = "".join(f"<li>{_e(t.words(outcome_label(t.outcome)[0]))}</li>"
                         for t in spec.thresholds)
    shown = list(dict.fromkeys([spec.regret_outcome, *(t.outcome for t in spec.thresholds)]))
    labels = {o: f"{outcome_label(o)[0].split(' (')[0]} ({outcome_label(o)[1] or o})"
              for o in shown}
    ranges = spec.futures.ranges()
    warning = ""
    if spec.n_futures < MIN_FUTURES:
        warning = (f'<p class="warning">Only {spec.n_futures} futures: shares, regret '
                   "percentiles and the failure boxes are rough. Use at least "
                   f"{MIN_FUTURES}, better 100 or more, for advice.</p>")
    failure_plot = ""
    if result.failures.boxes:
        met = (result.satisfied[result.satisfied["policy"] == result.preferred]
               .set_index("future")["met"])
        failure_plot = _figure(
            png_data_uri(failure_figure(spec.future_table, met, result.failures.boxes[0],
                                        {n: spec.label(n) for n in ranges}, ranges,
                                        list(ranges))),
            f"Futures in which {result.preferred} fails, with the first box",
            f"Each point is a future, placed by the uncertain parameters the first box "
            f"restricts (or the first other one); crosses are futures where "
            f"{_e(result.preferred)} fails a threshold. The dashed rectangle is the box.")
    undefined_regret = int(result.regret_summary["undefined_futures"].max())
    regret_note = (f" In {futures(undefined_regret)} some policy's "
                   f"{_e(_short(spec.regret_outcome))} is undefined (in every run); regret "
                   "cannot compare policies there, so those futures are left out of the regret "
                   "columns." if undefined_regret else "")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>{_e(title)}</title>
<style>{CSS}{EXTRA_CSS}</style>
</head>
<body>
<h1>{_e(title)}</h1>
<p class="subtitle">pppsim robustness analysis: {len(names)} policies, each run in the same
{spec.n_futures} futures ({spec.replications} run{'s' if spec.replications > 1 else ''} per
policy and future, {spec.months} months each, base seed {spec.seed}).</p>
{description}
{_policy_items(result, colours)}

<h2 id="bottom-line">Bottom line</h2>
<p class="bottom-line" id="bottom-line-text">{_e(bottom_line(result))}</p>
<p class="note">A <em>future</em> is one combination of the things no policy controls (listed
<a href="#uncertainties">below</a>), drawn from their ranges by Latin hypercube sampling so
that the futures spread evenly over every range. Every policy meets the same futures, and
within a future the policies also meet the same chance events (the same random numbers), so
they are compared future by future. The model shows mechanisms, not forecasts: read which
policy holds up and where it breaks, more than the levels.</p>
{warning}
<h2 id="ranking">Ranking</h2>
{_table(["Rank", "Policy", "Meets every threshold: share of futures [95% CI]",
         f"Mean regret ({_e(regret_unit)})", "90th-percentile regret", "Maximum regret",
         "Best policy in (futures)"], _ranking_rows(result, colours), "ranking-table")}
<p class="note">Policies are ranked by the share of futures in which they meet every
threshold; ties by the smaller maximum regret. The thresholds are:</p>
<ul id="thresholds">{thresholds}</ul>
<p class="note">A policy's value in a future is the mean of its {spec.replications} runs there
(runs in which an outcome is undefined are left out of that mean). The interval of a share is
Wilson's 95% interval over the futures. Regret is measured in {_e(regret_label.lower())}
({better} is better).{regret_note}</p>

<h2 id="outcomes">Outcomes across the futures</h2>
<p class="note">For each outcome and policy: the mean over the futures of the policy's value in
each future, how much it varies from future to future (standard deviation), and the 10th, 50th
(median) and 90th percentiles over the futures: in one future in ten the outcome is below the
10th percentile.</p>
{_table(["Policy", "Mean", "SD", "10th pct", "Median", "90th pct"],
        _outcome_rows(result, colours), "outcomes-table")}
{_figure(png_data_uri(outcome_figure(result.values, shown, names, colours, labels,
                                     spec.thresholds)),
         "Outcomes per future for every policy",
         "One row per policy: the box holds the middle half of the futures, the whiskers "
         "reach the lowest and highest future, the dots are single futures, the white line "
         "is the median; the dashed line is the threshold.")}

<h2 id="regret">Regret: how far behind the best policy</h2>
<p class="note">In each future, the regret of a policy is how much {_e(_short(
    spec.regret_outcome))} it gives up compared with the best of the {len(names)} policies in
that same future (0 for the best). A policy with small regret in every future is never much
worse than the best choice would have been, whatever the future turns out to be. The
<strong>maximum regret</strong> is the worst case; the policy with the smallest maximum is the
<em>minimax-regret</em> choice (Savage). The <strong>90th-percentile regret</strong> ignores
the worst tenth of the futures, so one extreme future does not decide.</p>
{_figure(png_data_uri(regret_figure(result.regret, names, colours, regret_unit)),
         "Regret per future of every policy",
         f"Regret in {_e(regret_label.lower())} per future: the box holds the middle half "
         "of the futures, the whiskers reach from the smallest to the largest regret, the "
         "diamond is the 90th percentile and the bar the maximum.")}

<h2 id="satisficing">Satisficing: how often good enough</h2>
<p class="note">A policy <em>satisfices</em> in a future when it meets every threshold there.
The share of futures in which it does is its robustness in the sense of robust decision
making: not the best on average, but good enough in as many futures as possible. Where an
outcome is undefined (e.g. a lifetime when no partnership launched) and no other threshold is
missed, the future cannot be judged for that policy: it is counted apart (grey), never as met
or missed.</p>
{_figure(png_data_uri(satisficing_figure(result.satisficing, names)),
         "Share of futures in which each policy meets every threshold",
         "Share of the futures in which each policy meets every threshold (green), misses at "
         "least one (orange) or cannot be judged because an outcome is undefined (grey).")}

<h2 id="failures">Where {_e(result.preferred)} fails</h2>
<p class="note">{_e(result.preferred)} is {'the preferred policy named in the experiment file'
if spec.preferred else 'the top of the ranking'}. PRIM (the patient rule induction method,
Friedman &amp; Fisher 1999, as in EMA Workbench) looks for a box in the uncertain parameters
where the futures in which it fails its thresholds concentrate: narrow enough that most
futures inside fail (density), wide enough to hold many of the failures (coverage).
{result.failures.failed} of the {futures(result.failures.judged)} that can be judged
{"is a failure" if result.failures.failed == 1 else "are failures"}{
f"; {result.failures.undefined} cannot be judged and are left out" if
result.failures.undefined else ""}.</p>
{_box_items(result)}
{failure_plot}

<h2 id="uncertainties">The uncertainties</h2>
<p class="note">What no policy controls, and the ranges the futures are drawn from. All other
parameters keep the base value in every run.</p>
{_table(["Uncertainty", "Parameter", "Drawn from", "Base value", "Allowed range"],
        _uncertainty_rows(result), "uncertainties-table")}

<h2 id="manifest">Run manifest</h2>
{_manifest(result)}
<p class="note">Tables behind this report (CSV, in the results folder): ranking.csv,
outcomes.csv, regret.csv, satisficing.csv, failure_boxes.csv, futures.csv, policies.csv,
runs.csv. The same experiment file gives the same numbers.</p>
</body>
</html>
"""


def write_report(result: Robustness) -> Path:
    """Write the CSV tables and ``report.html`` into the results folder, all or nothing (a
    failure leaves the folder's previous report and tables, never a mix), as the comparison
    report does."""
    with staged_folder(result.folder) as stage:
        write_tables(result, stage)
        (stage / REPORT).write_text(render(result), encoding="utf-8")
    return result.folder / REPORT
