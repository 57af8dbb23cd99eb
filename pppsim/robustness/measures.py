"""Robustness measures: pure functions on a tidy table of runs.

The input is one row per run with the columns ``policy``, ``future``, ``replication`` and one
column per outcome (NaN where the outcome is undefined in that run, e.g. a lifetime when no
partnership launched).  Replications of a (policy, future) are averaged first; everything else
works on these per-future values:

* :func:`outcome_summary` — mean and spread of each outcome per policy across futures;
* :func:`regret` and :func:`regret_summary` — per future, the best policy's outcome minus this
  policy's (Savage 1951), and per policy the mean, 90th-percentile and maximum regret
  (minimax regret: the policy whose worst regret is smallest);
* :func:`satisficing` and :func:`satisficing_summary` — per future, whether a policy meets
  every threshold, and per policy the share of futures in which it does (the domain
  criterion of robust decision making, Lempert & Collins 2007);
* :func:`ranking` — the policies ordered by satisficing share, then maximum regret;
* :func:`failure_boxes` — PRIM boxes of the futures in which one policy fails (EMA
  Workbench's PRIM through :func:`pppsim.sensitivity.discovery.discover`).

Undefined values are never filled in: a per-future value is the mean of the replications in
which the outcome is defined, NaN when it is defined in none; every summary counts the
futures (and runs) left out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

REGRET_QUANTILE = 0.9
"""The regret percentile reported next to the maximum (numpy's linear interpolation)."""
QUANTILES = (0.10, 0.50, 0.90)


@dataclass(frozen=True)
class Threshold:
    """A satisficing threshold: ``outcome >= value`` (``at_least``) or ``<= value``."""

    outcome: str
    value: float
    at_least: bool = True

    def met(self, values: pd.Series) -> pd.Series:
        """True / False per value; NA where the value is undefined."""
        passed = values >= self.value if self.at_least else values <= self.value
        return passed.astype("boolean").mask(values.isna())

    def words(self, label: str | None = None) -> str:
        sign = "\u2265" if self.at_least else "\u2264"
        return f"{label or self.outcome} {sign} {self.value:g}"


# --- per-future values ---------------------------------------------------------------------
def future_values(runs: pd.DataFrame, outcomes: Sequence[str]) -> pd.DataFrame:
    """Per (policy, future, outcome): the mean over the replications where it is defined.

    Returns
    -------
    pandas.DataFrame
        Columns ``policy``, ``future``, ``outcome``, ``value`` (NaN when undefined in every
        replication), ``runs`` and ``defined`` (replications in which it is defined).
    """
    long = runs.melt(id_vars=["policy", "future"], value_vars=list(outcomes),
                     var_name="outcome")
    long["value"] = long["value"].astype(float)
    grouped = long.groupby(["policy", "future", "outcome"], sort=False)["value"]
    table = grouped.agg(value="mean", runs="size", defined="count").reset_index()
    return table


def wide(values: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """One outcome's per-future values as a (future x policy) frame."""
    part = values[values["outcome"] == outcome]
    return part.pivot(index="future", columns="policy", values="value")


def outcome_summary(values: pd.DataFrame, policies: Sequence[str]) -> pd.DataFrame:
    """Mean and spread of each outcome per policy across futures.

    Returns
    -------
    pandas.DataFrame
        One row per (outcome, policy): ``futures``, ``undefined_futures`` (no replication
        defined the outcome: left out), ``undefined_runs``, ``mean``, ``sd``, ``p10``,
        ``p50``, ``p90`` of the per-future values.
    """
    rows = []
    for (outcome, policy), group in values.groupby(["outcome", "policy"], sort=False):
        v = group["value"].to_numpy(dtype=float)
        finite = v[np.isfinite(v)]
        row = {"outcome": outcome, "policy": policy, "futures": len(v),
               "undefined_futures": int(len(v) - len(finite)),
               "undefined_runs": int((group["runs"] - group["defined"]).sum()),
               "mean": float(finite.mean()) if len(finite) else np.nan,
               "sd": float(finite.std(ddof=1)) if len(finite) > 1 else np.nan}
        quantiles = np.quantile(finite, QUANTILES) if len(finite) else [np.nan] * 3
        row |= {f"p{round(q * 100)}": float(x) for q, x in zip(QUANTILES, quantiles,
                                                                 strict=True)}
        rows.append(row)
    table = pd.DataFrame(rows)
    order = {p: i for i, p in enumerate(policies)}
    outcomes = list(dict.fromkeys(values["outcome"]))
    table["_o"] = table["outcome"].map(outcomes.index)
    table["_p"] = table["policy"].map(order)
    return table.sort_values(["_o", "_p"]).drop(columns=["_o", "_p"]).reset_index(drop=True)


# --- regret --------------------------------------------------------------------------------
def regret(table: pd.DataFrame, *, higher_is_better: bool = True) -> pd.DataFrame:
    """Regret of every policy in every future.

    Parameters
    ----------
    table
        One outcome's per-future values, future x policy (as :func:`wide` gives).
    higher_is_better
        Whether a larger outcome is better (harm prevented) or a smaller one.

    Returns
    -------
    pandas.DataFrame
        One row per (future, policy): ``value``, ``best`` (the best policy's value in that
        future), ``best_policy`` and ``regret`` (``best - value`` when higher is better,
        ``value - best`` otherwise; 0 for the best policy).  Regret compares policies, so a
        future in which any policy's value is undefined has NaN regret for every policy.

    Examples
    --------
    >>> t = pd.DataFrame({"A": [3.0, 1.0], "B": [2.0, 5.0]})
    >>> regret(t)["regret"].tolist()
    [0.0, 1.0, 4.0, 0.0]
    """
    table = table.astype(float)
    complete = table.notna().all(axis=1)
    best = (table.max(axis=1) if higher_is_better else table.min(axis=1)).where(complete)
    best_policy = pd.Series(None, index=table.index, dtype=object)
    if complete.any():
        sub = table[complete]
        best_policy[complete] = sub.idxmax(axis=1) if higher_is_better else sub.idxmin(axis=1)
    gap = table.rsub(best, axis=0) if higher_is_better else table.sub(best, axis=0)
    rows = []
    for future in table.index:
        for policy in table.columns:
            rows.append({"future": future, "policy": policy,
                         "value": float(table.at[future, policy]),
                         "best": float(best[future]), "best_policy": best_policy[future],
                         "regret": float(gap.at[future, policy])})
    return pd.DataFrame(rows)


def regret_summary(regrets: pd.DataFrame, policies: Sequence[str],
                   quantile: float = REGRET_QUANTILE) -> pd.DataFrame:
    """Per policy: mean, ``quantile`` and maximum regret over the futures where it is
    defined, the number of such futures, the number left out, and in how many futures the
    policy is the best (ties count for every tied policy)."""
    rows = []
    for policy in policies:
        part = regrets[regrets["policy"] == policy]
        r = part["regret"].to_numpy(dtype=float)
        finite = r[np.isfinite(r)]
        rows.append({
            "policy": policy, "futures": len(r), "undefined_futures": int(len(r) - len(finite)),
            "mean_regret": float(finite.mean()) if len(finite) else np.nan,
            f"p{round(quantile * 100)}_regret": float(np.quantile(finite, quantile))
            if len(finite) else np.nan,
            "max_regret": float(finite.max()) if len(finite) else np.nan,
            "best_in": int((finite == 0).sum()),
        })
    return pd.DataFrame(rows)


# --- satisficing -----------------------------------------------------------------------------
def satisficing(values: pd.DataFrame, thresholds: Sequence[Threshold]) -> pd.DataFrame:
    """Whether each policy meets every threshold in each future.

    Parameters
    ----------
    values
        Per-future values (:func:`future_values`).
    thresholds
        The thresholds, all of which a policy must meet.

    Returns
    -------
    pandas.DataFrame
        One row per (policy, future): one boolean column per threshold's outcome (NA where
        undefined), ``met`` (all met: True; any not met: False, even if another is
        undefined; otherwise NA) and ``failed_on`` (the outcomes not met, comma-separated).
    """
    if not thresholds:
        raise ValueError("satisficing needs at least one threshold")
    frame = None
    for threshold in thresholds:
        part = values[values["outcome"] == threshold.outcome][["policy", "future", "value"]]
        part = part.assign(**{threshold.outcome: threshold.met(part["value"])})
        part = part.drop(columns="value")
        frame = part if frame is None else frame.merge(part, on=["policy", "future"])
    names = [t.outcome for t in thresholds]
    flags = frame[names]
    any_false = (flags == False).fillna(False).any(axis=1)  # noqa: E712  (NA-aware)
    all_true = (flags == True).fillna(False).all(axis=1)  # noqa: E712
    met = pd.Series(pd.NA, index=frame.index, dtype="boolean")
    met[all_true] = True
    met[any_false] = False
    frame["met"] = met
    frame["failed_on"] = [", ".join(n for n in names if row[n] is False)
                          for row in flags.astype(object).where(flags.notna(), None)
                          .to_dict("records")]
    return frame.reset_index(drop=True)


def satisficing_summary(satisfied: pd.DataFrame, policies: Sequence[str]) -> pd.DataFrame:
    """Per policy: futures where it meets the thresholds, fails, or cannot be judged
    (undefined), and the share met of the judged futures.  ``share_low`` and ``share_high``
    bound the share over all futures: undefined futures counted as failed, or as met."""
    rows = []
    for policy in policies:
        met = satisfied.loc[satisfied["policy"] == policy, "met"]
        n_met, n_failed = int((met == True).sum()), int((met == False).sum())  # noqa: E712
        undefined = int(met.isna().sum())
        judged = n_met + n_failed
        rows.append({"policy": policy, "futures": len(met), "met": n_met, "failed": n_failed,
                     "undefined": undefined,
                     "share": n_met / judged if judged else np.nan,
                     "share_low": n_met / len(met) if len(met) else np.nan,
                     "share_high": (n_met + undefined) / len(met) if len(met) else np.nan})
    return pd.DataFrame(rows)


# --- ranking -------------------------------------------------------------------------------
def ranking(regrets: pd.DataFrame, satisfied: pd.DataFrame) -> pd.DataFrame:
    """The policies ordered from most to least robust, with the measures side by side.

    Order: largest satisficing share first; ties by smaller maximum regret, then by smaller
    90th-percentile regret, then by smaller mean regret.  ``rank`` starts at 1.
    """
    table = satisfied.merge(regrets.drop(columns="futures"), on="policy",
                            suffixes=("", "_regret"))
    key = f"p{round(REGRET_QUANTILE * 100)}_regret"
    table = table.sort_values(["share", "max_regret", key, "mean_regret"],
                              ascending=[False, True, True, True], na_position="last",
                              kind="stable").reset_index(drop=True)
    table.insert(0, "rank", range(1, len(table) + 1))
    return table


# --- where a policy fails ------------------------------------------------------------------
@dataclass(frozen=True)
class Failures:
    """PRIM boxes of the futures where one policy fails, or why there are none.

    Attributes
    ----------
    policy
        The policy examined.
    boxes
        The boxes (:class:`pppsim.sensitivity.discovery.Box`), first the one with the most
        failures; empty when ``reason`` says why.
    failed, judged, undefined
        Futures where it fails, futures where failing or meeting is defined, futures left out.
    reason
        Why no box was found ('' when boxes were found).
    """

    policy: str
    boxes: tuple
    failed: int
    judged: int
    undefined: int
    reason: str = ""


def failure_boxes(futures: pd.DataFrame, met: pd.Series, policy: str, *,
                  density: float = 0.8, max_boxes: int = 3, mass_min: float = 0.05
                  ) -> Failures:
    """PRIM boxes of the futures in which ``policy`` fails its thresholds.

    Parameters
    ----------
    futures
        One row per future (index ``future``), one column per uncertain parameter.
    met
        Per future (same index): True where the policy meets the thresholds, False where it
        fails, NA where that is undefined (those futures are left out and counted).
    density, max_boxes, mass_min
        As :func:`pppsim.sensitivity.discovery.discover`.
    """
    from ..sensitivity.discovery import discover
    from ..sensitivity.problem import SensitivityError

    met = met.reindex(futures.index)
    judged = met.notna().to_numpy()
    failed = (met == False).fillna(False).to_numpy(dtype=bool)  # noqa: E712
    counts = {"failed": int(failed.sum()), "judged": int(judged.sum()),
              "undefined": int((~judged).sum())}
    if counts["failed"] == 0:
        return Failures(policy, (), reason="it meets the thresholds in every future where "
                        "they are defined: there is no failure to describe", **counts)
    if counts["failed"] == counts["judged"]:
        return Failures(policy, (), reason="it fails in every future where the thresholds "
                        "are defined: no region of the futures is safe", **counts)
    x = futures.loc[judged].reset_index(drop=True)
    try:
        boxes = discover(x, failed[judged], density=density, max_boxes=max_boxes,
                         mass_min=mass_min)
    except SensitivityError as exc:  # pragma: no cover - guarded above
        return Failures(policy, (), reason=str(exc), **counts)
    if not boxes:
        return Failures(policy, (), reason="PRIM found no region where failures are more "
                        "common than elsewhere", **counts)
    return Failures(policy, tuple(boxes), **counts)


def box_words(box, labels: Mapping[str, str], ranges: Mapping[str, tuple[float, float]]
              ) -> str:
    """A box as plain conditions: 'opportunism is high (0.31 or more, of 0.10-0.40)'."""
    parts = []
    for name, (low, high) in box.limits.items():
        label = labels.get(name, name)
        full_low, full_high = ranges.get(name, box.ranges[name])
        span = f"of {full_low:.3g}\u2013{full_high:.3g}"
        raised = low > box.ranges[name][0]
        lowered = high < box.ranges[name][1]
        if raised and lowered:
            parts.append(f"{label} is between {low:.3g} and {high:.3g} ({span})")
        elif raised:
            parts.append(f"{label} is high ({low:.3g} or more, {span})")
        else:
            parts.append(f"{label} is low ({high:.3g} or less, {span})")
    if not parts:
        return "anywhere"
    return ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
