"""The case library: real partnerships from the seed documents, set up and checked in the model.

A case is a scenario file under ``scenarios/cases/`` with a ``[case]`` table::

    [case]
    title = "Holsteiner: organised crime on business parks in Rotterdam and Schiedam"
    history = '''A short history in plain words.'''
    sources = ["002 L586", "002 L594"]     # seed line references
    replications = 10                      # runs (seeds 1..N) to check the trajectory over
    finding = ""                           # why the model cannot reproduce it, if it cannot

    [[case.expect]]                        # the documented trajectory, one row per element
    trajectory = "lasted"                  # a name of TRAJECTORIES
    share = 0.5                            # at least this share of the partnerships ...
    months = 60                            # ... (for trajectories that take a number of months)

The scenario's parameters set the case's situation up from what the documents say (actors,
funding, barriers, governance, instruments).  A trajectory is checked on what the partnerships
of a run did, from the model's outputs (its partnership and membership tables and event log):
a replication *shows the trajectory* when every expectation's share is reached.  A share with
no partnership to measure it on (no grant ended, say) is undefined, and the replication does
not show the trajectory; :func:`run_case` counts those.  ``finding`` marks a case that the
model does not reproduce, with the reason; the slow test checks the mark against the runs.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .errors import show
from .library import CASE_DIR
from .limits import MONTHS_RANGE

if TYPE_CHECKING:
    from .model import PartnershipModel
    from .scenario import Scenario


@dataclass(frozen=True)
class Trajectory:
    """A documented trajectory and how it is measured: a share of a run's partnerships."""

    words: str
    """What happened, for the page and the report; ``{months}`` is filled in."""
    measure: Callable[..., float]
    takes_months: bool = False


def _launched(model: PartnershipModel) -> pd.DataFrame:
    from .model.outputs import partnership_table

    table = partnership_table(model)
    return table[table["launched_month"].notna()]


def _share(hits: int, total: int) -> float:
    return hits / total if total else math.nan


def lasted(model: PartnershipModel, months: int) -> float:
    """Share of partnerships launched at least ``months`` before the horizon that were still
    operating ``months`` after their launch."""
    table = _launched(model)
    old = table[table["launched_month"] <= model.month - months]
    kept = old["ended_month"].isna() | (old["ended_month"] - old["launched_month"] >= months)
    return _share(int(kept.sum()), len(old))


def _memberships(model: PartnershipModel) -> pd.DataFrame:
    from .model.outputs import membership_table

    return membership_table(model)


def grew(model: PartnershipModel, months: int) -> float:
    """Share of partnerships operating at least ``months`` months that gained more newcomers
    than members left (before any dissolution)."""
    table = _launched(model)
    lifetime = table["lifetime_months"]
    eligible = set(table.loc[lifetime >= months, "partnership"])
    members = _memberships(model)
    members = members[members["partnership"].isin(eligible)]
    joined = members[~members["founder"]].groupby("partnership").size()
    left = members[members["ended_by"] == "exit"].groupby("partnership").size()
    gained = joined.reindex(sorted(eligible), fill_value=0) > left.reindex(sorted(eligible),
                                                                            fill_value=0)
    return _share(int(gained.sum()), len(eligible))


def lost_members(model: PartnershipModel, months: int) -> float:
    """Share of launched partnerships (launched at least ``months`` before the horizon) that
    lost a member within ``months`` months of launch."""
    table = _launched(model)
    old = table[table["launched_month"] <= model.month - months]
    launch = old.set_index("partnership")["launched_month"]
    members = _memberships(model)
    exits = members[(members["ended_by"] == "exit") & members["partnership"].isin(launch.index)]
    early = exits["ended_month"].astype(float) - exits["partnership"].map(launch) <= months
    return _share(exits.loc[early, "partnership"].nunique(), len(old))


def _grant_ends(model: PartnershipModel) -> tuple[set[int], set[int], set[int]]:
    """Partnerships whose grant ended: all, those renewed as structural, those dissolved for it."""
    from .model.events import EventKind
    from .model.vocabulary import EndCause

    ended = {row.partnership for row in model.events.of_kind(EventKind.FUNDING_ENDED)}
    renewed = {row.partnership for row in model.events.of_kind(EventKind.FUNDING_RENEWED)}
    stopped = {row.partnership for row in model.events.of_kind(EventKind.DISSOLVED)
               if row.cause == EndCause.FUNDING_ENDED}
    return ended | renewed, renewed, stopped


def survived_funding_end(model: PartnershipModel) -> float:
    """Share of partnerships whose grant ended that carried on (renewed, or in kind)."""
    ended, _renewed, stopped = _grant_ends(model)
    return _share(len(ended - stopped), len(ended))


def structural_embedding(model: PartnershipModel) -> float:
    """Share of partnerships whose grant ended that moved on to a structural budget."""
    ended, renewed, _stopped = _grant_ends(model)
    return _share(len(renewed), len(ended))


def ended_when_grant_stopped(model: PartnershipModel) -> float:
    """Share of the partnerships that ended whose end came with the end of their grant."""
    table = _launched(model)
    ended = table[table["ended_month"].notna()]
    _all, _renewed, stopped = _grant_ends(model)
    return _share(int(ended["partnership"].isin(stopped).sum()), len(ended))


def deepened(model: PartnershipModel) -> float:
    """Share of launched partnerships that reached Austin's integrative stage."""
    from .model.events import EventKind

    table = _launched(model)
    reached = {row.partnership for row in model.events.of_kind(EventKind.STAGE_CHANGED)
               if row.values.get("stage") == "integrative"}
    return _share(int(table["partnership"].isin(reached).sum()), len(table))


TRAJECTORIES: dict[str, Trajectory] = {
    "lasted": Trajectory("kept going for {months} months or more", lasted, True),
    "grew": Trajectory("grew: more partners joined than left (partnerships of {months}+ "
                       "months)", grew, True),
    "lost_members": Trajectory("lost partners within {months} months of the start",
                               lost_members, True),
    "survived_funding_end": Trajectory("carried on when its grant ended",
                                       survived_funding_end),
    "structural_embedding": Trajectory("moved from a grant to structural embedding",
                                       structural_embedding),
    "ended_when_grant_stopped": Trajectory("ended when its grant stopped",
                                           ended_when_grant_stopped),
    "deepened": Trajectory("deepened into an integrative partnership", deepened),
}
"""The trajectories a case can state, each a share of a run's partnerships."""


@dataclass(frozen=True)
class Expectation:
    """One element of a documented trajectory: at least ``share`` of the partnerships."""

    trajectory: str
    share: float
    months: int | None = None

    def words(self) -> str:
        text = TRAJECTORIES[self.trajectory].words.format(months=self.months)
        return f"{text} (at least {self.share:.0%} of the partnerships)"

    def measure(self, model: PartnershipModel) -> float:
        spec = TRAJECTORIES[self.trajectory]
        return spec.measure(model, self.months) if spec.takes_months else spec.measure(model)


@dataclass(frozen=True)
class Case:
    """A case's history, sources and documented trajectory."""

    title: str
    history: str
    sources: tuple[str, ...]
    expect: tuple[Expectation, ...]
    replications: int
    finding: str = ""

    def trajectory_words(self) -> str:
        return "; ".join(e.words() for e in self.expect)


CASE_KEYS = {"title": str, "history": str, "sources": list, "expect": list,
             "replications": int, "finding": str}
REQUIRED = ("title", "history", "sources", "expect", "replications")
EXPECT_KEYS = {"trajectory": str, "share": float, "months": int}
REPLICATIONS_RANGE = (2, 200)


def parse_case(path: Path, table: dict[str, Any]) -> Case:
    """Check a ``[case]`` table; a ScenarioError names the file, the key and what is allowed."""
    from .scenario import ScenarioError

    def fail(message: str) -> ScenarioError:
        return ScenarioError(f"{path}: [case] {message}")

    unknown = sorted(set(table) - set(CASE_KEYS))
    if unknown:
        raise fail(f"unknown key {show(unknown[0])}; keys are {', '.join(CASE_KEYS)}")
    for key in REQUIRED:
        if key not in table:
            raise fail(f"'{key}' is missing")
    for key, kind in CASE_KEYS.items():
        if key in table and (not isinstance(table[key], kind) or isinstance(table[key], bool)):
            raise fail(f"'{key}' must be a {kind.__name__}, got {show(table[key])}")
    if not all(isinstance(s, str) for s in table["sources"]) or not table["sources"]:
        raise fail("'sources' must be a non-empty list of seed line references like "
                   "\"002 L586\"")
    low, high = REPLICATIONS_RANGE
    if not low <= table["replications"] <= high:
        raise fail(f"replications = {table['replications']} is not allowed: expected an int "
                   f"from {low} to {high}")
    if not table["expect"]:
        raise fail("'expect' must list at least one [[case.expect]] row")
    return Case(" ".join(table["title"].split()), " ".join(table["history"].split()),
                tuple(table["sources"]), tuple(_expectation(fail, row)
                                               for row in table["expect"]),
                table["replications"], " ".join(table.get("finding", "").split()))


def _expectation(fail: Callable[[str], Exception], row: Any) -> Expectation:
    if not isinstance(row, dict):
        raise fail(f"each 'expect' row must be a table, got {show(row)}")
    unknown = sorted(set(row) - set(EXPECT_KEYS))
    if unknown:
        raise fail(f"unknown key {show(unknown[0])} in an expect row; keys are "
                   f"{', '.join(EXPECT_KEYS)}")
    name = row.get("trajectory")
    if name not in TRAJECTORIES:
        raise fail(f"trajectory = {show(name)} is not allowed: expected one of "
                   f"{', '.join(TRAJECTORIES)}")
    share = row.get("share")
    if not isinstance(share, float) or not 0.0 < share <= 1.0:
        raise fail(f"share = {show(share)} for '{name}' is not allowed: expected a float "
                   "from 0 (exclusive) to 1")
    months = row.get("months")
    if TRAJECTORIES[name].takes_months:
        if not isinstance(months, int) or isinstance(months, bool) \
                or not MONTHS_RANGE[0] <= months <= MONTHS_RANGE[1]:
            raise fail(f"months = {show(months)} for '{name}' is not allowed: expected an int "
                       f"from {MONTHS_RANGE[0]} to {MONTHS_RANGE[1]}")
    elif months is not None:
        raise fail(f"'{name}' takes no 'months'")
    return Expectation(name, share, months)


def case_paths() -> list[Path]:
    """The case files of the library, by name."""
    return sorted(CASE_DIR.glob("*.toml"))


def load_case(name_or_path: str | Path) -> Scenario:
    """A case by name (a file in ``scenarios/cases``) or path; it must have a ``[case]``."""
    from .scenario import ScenarioError, load_scenario

    path = Path(name_or_path)
    if not path.is_file():
        path = CASE_DIR / f"{name_or_path}.toml"
    if not path.is_file():
        known = ", ".join(p.stem for p in case_paths()) or "none"
        raise ScenarioError(f"no case '{name_or_path}' (known: {known})")
    scenario = load_scenario(path)
    if scenario.case is None:
        raise ScenarioError(f"{path}: is a scenario without a [case] table")
    return scenario


@dataclass
class CaseResult:
    """A case over its replications: each expectation's share per seed, and the verdict."""

    scenario: Scenario
    shares: pd.DataFrame
    """One row per seed, one column per expectation (its share; NaN when undefined)."""

    @property
    def case(self) -> Case:
        return self.scenario.case

    def held(self) -> pd.DataFrame:
        """Whether each expectation held, per seed (undefined shares do not hold)."""
        limits = [e.share for e in self.case.expect]
        return self.shares.ge(pd.Series(limits, index=self.shares.columns))

    @property
    def shown(self) -> int:
        """Replications that showed the whole documented trajectory."""
        return int(self.held().all(axis=1).sum())

    @property
    def replications(self) -> int:
        return len(self.shares)

    @property
    def undefined(self) -> int:
        """Replications in which some expectation had no partnership to be measured on."""
        return int(self.shares.isna().any(axis=1).sum())

    @property
    def reproduced(self) -> bool:
        """The model reproduces the case when most replications show its trajectory."""
        return self.shown > self.replications / 2


def run_case(scenario: Scenario, replications: int | None = None,
             months: int | None = None) -> CaseResult:
    """Run a case with seeds 1..N and measure each expectation in each run."""
    from .run import simulate

    n = replications or scenario.case.replications
    rows = []
    for seed in range(1, n + 1):
        model = simulate(scenario, seed=seed, months=months).model
        rows.append([e.measure(model) for e in scenario.case.expect])
    columns = [f"{e.trajectory}" + (f"_{e.months}" if e.months else "")
               for e in scenario.case.expect]
    return CaseResult(scenario, pd.DataFrame(rows, columns=columns,
                                             index=pd.RangeIndex(1, n + 1, name="seed")))


def case_status(result: CaseResult) -> str:
    """Reproduced, or not with the case's finding (or a note that the mark is missing)."""
    finding = result.case.finding
    if result.reproduced:
        return "reproduced" + (" (but the case is marked as not reproduced: its finding "
                               "needs revisiting)" if finding else "")
    return f"not reproduced: {finding}" if finding else "not reproduced (no finding recorded)"


def case_report(results: list[CaseResult]) -> str:
    """Each case: in how many replications its documented trajectory occurred, and why not."""
    lines = []
    for result in results:
        case = result.case
        lines += [f"{result.scenario.path.stem}: {case.title}",
                  f"  documented: {case.trajectory_words()}",
                  f"  shown in {result.shown} of {result.replications} replications "
                  f"({result.undefined} with an undefined share)"]
        means = result.shares.mean()
        held = result.held().sum()
        for column in result.shares.columns:
            lines.append(f"    {column:28} mean share {_fmt(means[column])}, held in "
                         f"{held[column]} of {result.replications}")
        lines += [f"  {case_status(result)}", ""]
    return "\n".join(lines).rstrip()


def markdown_table(results: list[CaseResult]) -> str:
    """The case table of docs/teachers.md."""
    lines = ["| case | documented trajectory | shown in | status |", "| --- | --- | --- | --- |"]
    for result in results:
        lines.append(f"| `{result.scenario.path.stem}` ({result.case.title}) | "
                     f"{result.case.trajectory_words()} | {result.shown} of "
                     f"{result.replications} | {case_status(result)} |")
    return "\n".join(lines)


def _fmt(value: float) -> str:
    return "undefined" if not np.isfinite(value) else f"{value:.2f}"


def case_header(scenario: Scenario) -> str:
    """A case told before its stories (``pppsim explain``)."""
    case = scenario.case
    return "\n".join([f"Case: {case.title}", f"  {case.history}",
                      f"  Sources: {', '.join(case.sources)}",
                      f"  What happened in reality: {case.trajectory_words()}.",
                      *( [f"  Finding: the model does not reproduce this case: {case.finding}"]
                         if case.finding else [])])


def run_verdict(scenario: Scenario, model: PartnershipModel) -> str:
    """Whether this one run shows each element of the case's documented trajectory."""
    lines = ["In this run:"]
    for expectation in scenario.case.expect:
        share = expectation.measure(model)
        verdict = ("undefined (no partnership to measure it on)" if not np.isfinite(share)
                   else f"{share:.0%} of the partnerships: "
                   f"{'as documented' if share >= expectation.share else 'not as documented'}")
        lines.append(f"  {expectation.words()}: {verdict}")
    return "\n".join(lines)
