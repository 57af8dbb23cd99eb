"""The seed documents' twelve claims (docs/ODD.md §1) as paired, replicated experiments.

Each claim compares conditions (parameter overrides of the defaults) run with common random
numbers on the experiments engine: replication k of every condition uses the same random
stream, so per-replication differences are paired.  A claim holds when every one of its checks
holds:

* ``difference``: mean of (B − A) over replications, with a t confidence interval that must lie
  on the expected side of zero;
* ``ratio``: mean(B) / mean(A), with a paired bootstrap interval that must lie below a bound
  ("achieves little" means less than that share of the full effect);
* ``level``: mean of a metric in one condition, with a t interval above a bound;
* ``optimum``: a grid of at least five values of one parameter; the best value must be strictly
  inside the grid and beat both ends, each by a paired difference whose interval excludes zero.

Nothing here is specific to a claim's outcome: the model produces the effects through its
mechanisms (docs/ODD.md), and this module only measures them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .claim_texts import TEXTS
from .errors import OutputError
from .experiment import Experiment, run_experiment
from .formatting import readable
from .report.statistics import mean_interval, ratio_interval


@dataclass(frozen=True)
class Check:
    """One measurable statement inside a claim.

    ``kind`` is ``difference`` (B − A has the sign of ``direction``), ``ratio`` (B / A below
    ``bound``) or ``level`` (A above ``bound``).
    """

    metric: str
    a: str
    b: str = ""
    kind: str = "difference"
    direction: int = 1
    bound: float = 0.0


@dataclass(frozen=True)
class Optimum:
    """An interior-optimum check: ``metric`` over ``values`` of ``parameter``.

    With ``across``, each grid value is run under every one of those condition overrides and
    the metric averaged over them per replication ("across mixed conditions").
    """

    parameter: str
    values: tuple[float, ...]
    metric: str
    across: tuple[Mapping[str, Any], ...] = ({},)


@dataclass(frozen=True)
class Claim:
    """A claim from the seeds: conditions to run and the checks that must hold."""

    number: int
    title: str
    source: str
    conditions: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    checks: tuple[Check, ...] = ()
    optimum: Optimum | None = None
    replication_factor: float = 1.0

    def all_conditions(self) -> dict[str, dict[str, Any]]:
        """Every condition this claim runs, by label (grid points included)."""
        conditions = {k: dict(v) for k, v in self.conditions.items()}
        if self.optimum is not None:
            o = self.optimum
            for value in o.values:
                for i, extra in enumerate(o.across):
                    conditions[_grid_label(o, value, i)] = {**extra, o.parameter: value}
        return conditions


def _grid_label(optimum: Optimum, value: float, i: int) -> str:
    return f"{optimum.parameter}={value}" + (f"|{i}" if len(optimum.across) > 1 else "")


HIGH_BARRIERS = {"legal_barrier": 0.8, "organisational_barrier": 0.6, "technical_barrier": 0.7}
NO_FUNDING = {"grant_share": 0.0, "structural_share": 0.0, "private_budget_keur": 0.0,
              "public_budget_keur": 0.0}
NO_ENGAGEMENT = {"public_capacity_fte": 0.15, "private_capacity_fte": 0.15}

CLAIMS: tuple[Claim, ...] = (
    Claim(1, "Higher information-sharing barriers: less information acted on, less harm "
             "prevented, shorter partnerships", "001 L220-L252; 002 L1302-L1330",
          {"baseline": {}, "high barriers": HIGH_BARRIERS},
          (Check("information_followed_up", "baseline", "high barriers", direction=-1),
           Check("harm_prevented", "baseline", "high barriers", direction=-1),
           Check("survival_36m", "baseline", "high barriers", direction=-1))),
    Claim(2, "Scarce public follow-up capacity: private exits rise, partnerships last less",
          "002 L1242",
          {"baseline": {}, "scarce follow-up": {"follow_up_capacity": 0.33}},
          (Check("private_exits", "baseline", "scarce follow-up", direction=1),
           Check("survival_36m", "baseline", "scarce follow-up", direction=-1))),
    Claim(3, "Governance: pure trust suffers under opportunism, pure control pays overhead when "
             "goals align, a mix does best across conditions", "002 L1288-L1296",
          {"trust, low opportunism": {"governance": 0.0, "opportunism_mean": 0.05},
           "control, low opportunism": {"governance": 1.0, "opportunism_mean": 0.05},
           "trust, high opportunism": {"governance": 0.0, "opportunism_mean": 0.5},
           "mixed, high opportunism": {"governance": 0.5, "opportunism_mean": 0.5}},
          (Check("harm_prevented", "trust, low opportunism", "control, low opportunism",
                 direction=-1),
           Check("harm_prevented", "mixed, high opportunism", "trust, high opportunism",
                 direction=-1)),
          Optimum("governance", (0.0, 0.25, 0.5, 0.75, 1.0), "harm_prevented",
                  across=({"opportunism_mean": 0.05}, {"opportunism_mean": 0.2},
                          {"opportunism_mean": 0.5}))),
    Claim(4, "More partners: more free riding per member, felt as lost trust", "002 L575",
          {"bilateral": {"extra_partners_mean": 0.0},
           "multi-partner": {"extra_partners_mean": 4.0}},
          (Check("trust_in_partnerships", "bilateral", "multi-partner", direction=-1),)),
    Claim(5, "Structural funding: longer partnerships than a time-limited grant; many end when "
             "the grant ends", "001 L191-L193; 002 L578",
          {"two-year grants": {"grant_share": 0.8, "structural_share": 0.0},
           "structural": {"grant_share": 0.0, "structural_share": 0.8}},
          (Check("survival_36m", "two-year grants", "structural", direction=1),
           Check("end_share:funding_ended", "two-year grants", kind="level", bound=0.2))),
    Claim(6, "Meeting frequency has an interior optimum", "001 L141",
          optimum=Optimum("meeting_interval_months", (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 12.0),
                          "harm_prevented")),
    Claim(7, "A newcomer lowers trust in an existing partnership for a while", "001 L141",
          {"baseline": {}},
          (Check("newcomer_trust_dip", "baseline", kind="level", direction=-1, bound=0.0),
           Check("newcomer_trust_recovery", "baseline", kind="level", bound=0.0))),
    Claim(8, "A formal agreement with clear roles lengthens partnerships", "001 L169-L187",
          {"informal": {"agreement_formality": 0.1}, "formal": {"agreement_formality": 0.9}},
          (Check("survival_36m", "informal", "formal", direction=1),),
          replication_factor=2.5),
    Claim(9, "Regular evaluation ends failing partnerships sooner and revitalises salvageable "
             "ones", "001 L283; 002 L1162-L1187",
          {"no evaluation": {"evaluation_interval_months": 0},
           "yearly evaluation": {"evaluation_interval_months": 12}},
          (Check("months_failing_before_end", "no evaluation", "yearly evaluation",
                 direction=-1),
           Check("revitalisations", "yearly evaluation", kind="level", bound=0.0)),
          replication_factor=4.0),
    Claim(10, "Partnering via an umbrella organisation protects public legitimacy",
          "001 L103; 002 L1254",
          {"single firms": {"umbrella_partnering": 0.0},
           "umbrella": {"umbrella_partnering": 0.9}},
          (Check("public_exits", "single firms", "umbrella", direction=-1),)),
    Claim(11, "Low starting trust: fewer partnerships formed, more early failure",
          "001 L137-L143; 002 L1250",
          {"high initial trust": {"initial_trust": 0.7},
           "low initial trust": {"initial_trust": 0.3}},
          (Check("partnerships_launched", "high initial trust", "low initial trust",
                 direction=-1),
           Check("early_failure_share", "high initial trust", "low initial trust",
                 direction=1))),
    Claim(12, "Engaged partners without funding, and funding without engaged partners, both "
              "achieve little", "001 L216-L218",
          {"funded and engaged": {}, "no funding": NO_FUNDING, "no engagement": NO_ENGAGEMENT},
          (Check("harm_prevented", "funded and engaged", "no funding", kind="ratio", bound=0.5),
           Check("harm_prevented", "funded and engaged", "no engagement", kind="ratio",
                 bound=0.5))),
)


@dataclass(frozen=True)
class Mode:
    """How hard to look: replications per condition and the horizon."""

    name: str
    replications: int
    months: int = 120


FULL = Mode("full", replications=40)
QUICK = Mode("quick", replications=16)


def _key(params: Mapping[str, Any]) -> str:
    return json.dumps(dict(sorted(params.items())))


def build_experiments(claims: Iterable[Claim], mode: Mode, seed: int,
                      base: Mapping[str, Any] | None = None) -> list[Experiment]:
    """Experiments holding every distinct condition of the claims, grouped by replications.

    ``base`` (default: the defaults) is what conditions override, e.g. a posterior draw of
    the uncertain parameters.

    Identical conditions shared by several claims run once, with the most replications any of
    those claims asks for.  All experiments share the base seed and use common random numbers,
    so replication k has the same random stream in every condition and differences are paired.
    """
    points: dict[str, dict[str, Any]] = {}
    reps: dict[str, int] = {}
    for claim in claims:
        n = round(mode.replications * claim.replication_factor)
        for params in claim.all_conditions().values():
            key = _key(params)
            points.setdefault(key, params)
            reps[key] = max(reps.get(key, 0), n)
    experiments = []
    for n in sorted(set(reps.values())):
        keys = [k for k in points if reps[k] == n]
        experiments.append(Experiment.from_points(
            [points[k] for k in keys], base=base, labels=keys, replications=n, seed=seed,
            months=mode.months, name=f"claims-{mode.name}-{n}"))
    return experiments


@dataclass
class Verdict:
    """The outcome of one check."""

    claim: int
    statement: str
    conditions: str
    effect: float
    low: float
    high: float
    holds: bool
    replications: int
    missing: int = 0
    """Replications in which the measure is undefined (NaN): left out of the effect."""


def evaluate_claim(claim: Claim, table: Mapping[str, pd.DataFrame], n: int,
                   seed: int = 0) -> list[Verdict]:
    """Verdicts of a claim's checks from per-condition result frames (rows = replications)."""
    labels = {label: _key(params) for label, params in claim.all_conditions().items()}

    def values(label: str, metric: str) -> np.ndarray:
        return table[labels[label]][metric].to_numpy(dtype=float)[:n]

    verdicts = []
    for check in claim.checks:
        a = values(check.a, check.metric)
        if check.kind == "difference":
            b = values(check.b, check.metric)
            effect, lo, hi = mean_interval(b - a)
            holds = lo > 0 if check.direction > 0 else hi < 0
            text, conditions = f"{check.metric}: B − A", f"A = {check.a}; B = {check.b}"
        elif check.kind == "ratio":
            b = values(check.b, check.metric)
            keep = np.isfinite(a) & np.isfinite(b)
            effect, lo, hi = ratio_interval(a[keep], b[keep], np.random.default_rng(seed))
            holds = hi < check.bound
            text = f"{check.metric}: B / A < {check.bound:g}"
            conditions = f"A = {check.a}; B = {check.b}"
        else:
            effect, lo, hi = mean_interval(a)
            holds = lo > check.bound if check.direction > 0 else hi < check.bound
            sign = ">" if check.direction > 0 else "<"
            text, conditions = f"{check.metric} {sign} {check.bound:g}", check.a
        used = a if check.kind == "level" else b - a
        verdicts.append(Verdict(claim.number, text, conditions, effect, lo, hi, bool(holds), n,
                                int(np.isnan(used).sum())))
    if claim.optimum is not None:
        verdicts += _optimum_verdicts(claim, claim.optimum, table, labels, n)
    return verdicts


def _optimum_verdicts(claim: Claim, o: Optimum, table: Mapping[str, pd.DataFrame],
                      labels: Mapping[str, str], n: int) -> list[Verdict]:
    """Best grid value strictly inside, and better than each end by a paired interval > 0."""
    curves = np.array([
        np.mean([table[labels[_grid_label(o, v, i)]][o.metric].to_numpy(dtype=float)[:n]
                 for i in range(len(o.across))], axis=0)
        for v in o.values])  # grid value x replication
    means = curves.mean(axis=1)
    best = int(np.argmax(means))
    inside = 0 < best < len(o.values) - 1
    grid = ", ".join(f"{v:g}: {m:.3g}" for v, m in zip(o.values, means, strict=True))
    verdicts = [Verdict(claim.number, f"{o.metric} best at {o.parameter} = {o.values[best]:g} "
                        f"(strictly inside the grid)", grid, float(o.values[best]),
                        float(o.values[0]), float(o.values[-1]), inside, n)]
    for end in (0, len(o.values) - 1):
        gain = curves[best] - curves[end]
        effect, lo, hi = mean_interval(gain)
        verdicts.append(Verdict(
            claim.number, f"{o.metric}: best − {o.parameter} = {o.values[end]:g}",
            f"best = {o.values[best]:g}; end = {o.values[end]:g}", effect, lo, hi,
            bool(inside and lo > 0), n, int(np.isnan(gain).sum())))
    return verdicts


def _all_finished(experiment: Experiment, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame``, the results of ``experiment``, if every run finished; else an
    :class:`~pppsim.errors.OutputError` naming the first failure."""
    if len(frame) == experiment.n_runs:
        return frame
    from .experiment.results import load_results

    folder = frame.attrs["store"]
    failed = load_results(folder, include_failed=True).query("status == 'failed'")
    first = f" (first: {failed.iloc[0]['error']})" if not failed.empty else ""
    raise OutputError(
        f"{folder}: {experiment.n_runs - len(frame)} of {experiment.n_runs} runs did not "
        f"finish{first}; fix the cause and run again with --retry-failed")


def run_claims(mode: Mode = FULL, *, claims: Iterable[Claim] = CLAIMS, seed: int = 2024,
               out: str | Path | None = None, workers: int | None = None,
               scheduler: str | None = None, progress: bool = False,
               base: Mapping[str, Any] | None = None,
               retry_failed: bool = False) -> pd.DataFrame:
    """Run the claims and return one row per check: claim, statement, effect, CI, holds.

    ``out`` keeps the run ledger, so an interrupted check resumes where it stopped; ``base``
    as in :func:`build_experiments`; ``retry_failed`` re-runs the runs that failed before.

    Raises
    ------
    OutputError
        If a run failed: a claim is judged on all its replications or not at all.
    """
    claims = list(claims)
    results = pd.concat([
        _all_finished(experiment, run_experiment(
            experiment, Path(out) / experiment.name if out is not None else None,
            workers=workers, scheduler=scheduler, progress=progress,
            retry_failed=retry_failed))
        for experiment in build_experiments(claims, mode, seed, base)])
    by_label = {label: frame.sort_values("replication")
                for label, frame in results.groupby("scenario")}
    rows = []
    for claim in claims:
        n = round(mode.replications * claim.replication_factor)
        for verdict in evaluate_claim(claim, by_label, n, seed):
            rows.append({"claim": claim.number, "title": claim.title, "source": claim.source,
                         **verdict.__dict__})
    return pd.DataFrame(rows)


def claim_table(verdicts: pd.DataFrame) -> pd.DataFrame:
    """One row per claim: holds only if all its checks hold."""
    grouped = verdicts.groupby("claim", sort=True)
    return pd.DataFrame({
        "title": grouped["title"].first(),
        "source": grouped["source"].first(),
        "checks": grouped.size(),
        "holds": grouped["holds"].all(),
    })


INTRODUCTION = """\
The seed documents make twelve claims about what makes crime-prevention partnerships last or
fail. pppsim checks each as a paired experiment: the same 100-organisation city-region,
simulated under two (or more) conditions, with common random numbers — replication k of every
condition sees the same random history, so the difference between conditions is due to the
condition alone. A claim *holds* when the 95% confidence interval of every one of its effects
lies on the side the seed predicts. Each effect comes from the mechanisms in
[ODD.md](ODD.md).

```
.venv/bin/pppsim claims            # full mode: 40 runs per condition (more where effects are small)
.venv/bin/pppsim claims --quick    # 16 replications; what the test suite runs
```

Both write this document as `claims.md`, and `claims.csv`, to `runs/claims/` (or `--out DIR`)
and exit non-zero if a claim does not hold. Every number below is written by that command. A
claim is judged on all its replications or not at all: if a run fails, the command stops with
the first error, and `--retry-failed` re-runs the failed runs once the cause is fixed.
"""


def to_markdown(verdicts: pd.DataFrame, mode: Mode, seed: int | None = None) -> str:
    """The claims document: for each claim what the seeds say, what the model does, and the
    measured effects (written from ``verdicts``), then the table of all checks."""
    summary = claim_table(verdicts)
    held = int(summary["holds"].sum())
    base = f"base seed {seed}, " if seed is not None else ""
    lines = ["# The seed claims, as experiments", "", INTRODUCTION,
             f"The numbers below are from a {mode.name} run ({base}at least {mode.replications}",
             f"replications per condition, {mode.months} months): **{held} of {len(summary)} "
             "claims hold**.", ""]
    for number, group in verdicts.groupby("claim", sort=True):
        text = TEXTS[int(number)]
        lines += [f"## {number}. {text.heading}", "",
                  f"*The seeds:* {text.seeds}", "", f"*The model:* {text.model}", "",
                  f"*What is assumed, what emerges:* {text.basis}", "",
                  "*The numbers:*", ""]
        lines += [f"- {_check_sentence(row)}" for row in group.itertuples()]
        holds = summary.loc[number, "holds"]
        lines += ["", f"The claim {'holds' if holds else '**does not hold**'}.", ""]
        if not holds and text.needs:
            lines += [f"*Why not, and what the model would need:* {text.needs}", ""]
    lines += ["## All checks", "",
              "| claim | source | check | conditions | effect | 95% CI | holds |",
              "|---|---|---|---|---|---|---|"]
    for row in verdicts.itertuples():
        ci = f"[{readable(row.low)}, {readable(row.high)}]"
        lines.append(f"| {row.claim}. {row.title} | {row.source} | {row.statement} | "
                     f"{row.conditions} | {readable(row.effect)}{_undefined(row)} | {ci} | "
                     f"{'yes' if row.holds else '**no**'} |")
    lines += ["", f"{held} of {len(summary)} claims hold.", ""]
    return "\n".join(lines)


def _check_sentence(row: Any) -> str:
    """One measured effect in words: what was compared, the effect, its interval, verdict."""
    verdict = "as the seeds say" if row.holds else "**not as the seeds say**"
    return (f"{row.statement} ({row.conditions}): {readable(row.effect)} (95% CI "
            f"{readable(row.low)} to {readable(row.high)}){_undefined(row)}; {verdict}.")


def _undefined(row: Any) -> str:
    return (f" (undefined in {row.missing} of {row.replications} replications, left out)"
            if row.missing else "")


def claims_under_uncertainty(draws: Any, n_draws: int, mode: Mode = QUICK, *,
                             claims: Iterable[Claim] = CLAIMS, seed: int = 2024,
                             out: str | Path | None = None, workers: int | None = None,
                             scheduler: str | None = None, progress: bool = False,
                             retry_failed: bool = False) -> pd.DataFrame:
    """For each claim, the share of parameter draws in which it holds.

    ``draws`` is a :class:`pppsim.calibration.ParameterDraws` (a posterior folder or prior
    ranges); ``n_draws`` draws are taken with ``seed`` and the claims are checked at each,
    the draw replacing the defaults that a claim's conditions do not set (each draw's runs in
    ``out/draw-<k>``, resumable; ``retry_failed`` re-runs the runs that failed before).  One
    row per (draw, claim): whether it holds.

    Raises
    ------
    OutputError
        If a run of a draw failed, as :func:`run_claims`.
    """
    claims = list(claims)
    rows = []
    for k, draw in enumerate(draws.draw(n_draws, seed)):
        verdicts = run_claims(mode, claims=claims, seed=seed, workers=workers,
                              scheduler=scheduler, progress=progress, base=draw,
                              out=Path(out) / f"draw-{k}" if out is not None else None,
                              retry_failed=retry_failed)
        for number, row in claim_table(verdicts).iterrows():
            rows.append({"draw": k, "claim": int(number), "title": row.title,
                         "source": row.source, "holds": bool(row.holds)})
    return pd.DataFrame(rows)


def robustness_table(per_draw: pd.DataFrame) -> pd.DataFrame:
    """Per claim: draws, draws in which it holds, and their share."""
    grouped = per_draw.groupby("claim", sort=True)
    table = pd.DataFrame({"title": grouped["title"].first(), "draws": grouped.size(),
                          "holds_in": grouped["holds"].sum().astype(int)})
    table["share"] = table["holds_in"] / table["draws"]
    return table


def robustness_markdown(per_draw: pd.DataFrame, draws: Any, mode: Mode, seed: int) -> str:
    """The claims under parameter uncertainty as a Markdown table."""
    table = robustness_table(per_draw)
    n = int(table["draws"].max())
    lines = [f"Each claim checked at {n} draws of the uncertain parameters from "
             f"{draws.describe()} ({mode.name} mode: {mode.replications} replications per "
             f"condition, {mode.months} months, base seed {seed}). A claim that holds in "
             "nearly every draw is robust to what we do not know about the parameters.", "",
             "| claim | holds in | share of draws |", "|---|---|---|"]
    for number, row in table.iterrows():
        lines.append(f"| {number}. {row.title} | {row.holds_in} of {row.draws} | "
                     f"{100 * row.share:.0f}% |")
    return "\n".join(lines) + "\n"
