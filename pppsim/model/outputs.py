"""What a finished (or running) model reports: series, partnership table, end-of-run metrics."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .events import EventKind
from .vocabulary import DOMAINS, GRIEVANCE_CAUSES, EndCause

if TYPE_CHECKING:
    from .model import PartnershipModel
    from .partnership import Partnership


def time_series(model: PartnershipModel) -> pd.DataFrame:
    """Monthly model-level outputs, one row per month (month 0 = initial state)."""
    frame = model.datacollector.get_model_vars_dataframe()
    frame.index.name = "month"
    return frame


PARTNERSHIP_COLUMNS = (
    "partnership", "initiator", "initiator_kind", "domain", "members", "n_members_ever",
    "n_public", "n_private", "umbrella", "governance", "agreement", "funding", "platform",
    "confidentiality_agreement", "exit_strategy", "meeting_interval_months",
    "evaluation_interval_months", "started_month", "negotiation_months", "launched_month",
    "ended_month", "lifetime_months", "end_cause", "success", "final_stage", "harm_prevented",
    "information_shared", "information_followed_up", "goal_progress")
"""Columns of :func:`partnership_table` (also when no partnership was attempted)."""


def partnership_table(model: PartnershipModel) -> pd.DataFrame:
    """One row per partnership ever attempted: members, design, start, end, lifetime, cause.

    Partnerships still running at the end have an empty end and cause (right-censored), which
    is what survival analysis needs.
    """
    by_id = model.organisation_by_id
    weights = persistence_weights(model)
    rows = []
    for p in model.partnerships_ever:
        members = p.member_history or list(p.founders)
        rows.append({
            "partnership": p.unique_id,
            "initiator": p.initiator,
            "initiator_kind": by_id[p.initiator].kind,
            "domain": DOMAINS[p.domain],
            "members": " ".join(str(i) for i in members),
            "n_members_ever": len(members),
            "n_public": sum(by_id[i].is_public for i in members),
            "n_private": sum(not by_id[i].is_public for i in members),
            "umbrella": any(by_id[i].is_umbrella for i in members),
            "governance": round(p.governance, 4),
            "agreement": p.agreement,
            "funding": str(p.funding),
            "platform": p.platform,
            "confidentiality_agreement": p.confidentiality_agreement,
            "exit_strategy": p.exit_strategy,
            "meeting_interval_months": p.meeting_interval_months,
            "evaluation_interval_months": p.evaluation_interval_months,
            "started_month": p.started_month,
            "negotiation_months": p.months_negotiating,
            "launched_month": p.launched_month,
            "ended_month": p.ended_month,
            "lifetime_months": p.age_months if p.launched_month is not None else None,
            "end_cause": str(p.end_cause) if p.end_cause is not None else None,
            "success": p.end_cause is EndCause.GOALS_REACHED if p.end_cause else None,
            "final_stage": p.stage.name.lower(),
            "harm_prevented": harm_prevented_by(p, weights),
            "information_shared": p.shared_total,
            "information_followed_up": p.followed_total,
            "goal_progress": p.goal_progress,
        })
    return pd.DataFrame(rows, columns=PARTNERSHIP_COLUMNS)


def end_cause_counts(model: PartnershipModel) -> Counter[EndCause]:
    """How many partnerships ended of each cause (negotiation failures included)."""
    return Counter(p.end_cause for p in model.partnerships_ever if p.end_cause is not None)


METRIC_DESCRIPTIONS: dict[str, str] = {
    "formation_attempts": "formation attempts over the run",
    "negotiations_started": "attempts that found partners and started negotiating",
    "negotiation_failure_share": "share of negotiations that broke down (missing when none "
    "started)",
    "partnerships_launched": "partnerships that reached operation",
    "partnerships_ended": "launched partnerships that ended before the horizon",
    "partnerships_active_end": "partnerships operating at the horizon",
    "success_share": "share of ended partnerships that reached their goals (missing when none "
    "ended)",
    "failure_share": "share of launched partnerships that ended without reaching their goals "
    "(missing when none launched)",
    "early_end_share": "share of partnerships launched 60+ months before the horizon that ended "
    "within 5 years (missing when none was launched that early)",
    "median_lifetime_months": "median lifetime of launched partnerships, Kaplan-Meier (those "
    "still running count as censored; missing when fewer than half are known to have ended)",
    "restricted_mean_lifetime_months": "restricted mean lifetime: mean months in operation "
    "counted up to the horizon, Kaplan-Meier (missing when none launched)",
    "harm_prevented": "harm prevented over the run: harm without partnerships less harm with "
    "them, summed over domains and months (harm index points)",
    "harm_reduction": "share of the harm without partnerships that was prevented in the last "
    "month",
    "information_shared": "information items shared over the run",
    "information_followed_up": "information items followed up over the run",
    "follow_up_ratio": "information followed up over information shared by firms, over the "
    "run (missing when firms shared nothing)",
    "trust_public_to_private": "mean trust of public bodies towards firms at the end",
    "trust_private_to_public": "mean trust of firms towards public bodies at the end",
    "trust_in_partnerships": "mean trust within operating partnerships, averaged over months",
    "satisfaction_private": "mean satisfaction of firms in partnerships, averaged over months",
    "satisfaction_public": "mean satisfaction of public bodies, averaged over months",
    "private_exits": "firms that left a partnership",
    "public_exits": "public bodies that left a partnership",
    "free_riding": "mean share of commitment withheld, averaged over months",
    "active_partnerships_mean": "mean number of operating partnerships per month",
    "mean_capability": "mean PPP capability of organisations at the end",
    "public_legitimacy": "mean legitimacy of public bodies, averaged over months",
    "negotiation_months_mean": "mean months of negotiation of launched partnerships",
    "early_failure_share": "share of launched partnerships that failed within 24 months",
    "failed_lifetime_months": "mean lifetime of partnerships that ended without reaching goals "
    "(of those that ended so within the run)",
    "revitalisations": "evaluations that revitalised or transformed a partnership",
    "survival_36m": "share of partnerships launched 36+ months before the horizon that were "
    "still operating 36 months after launch",
    "newcomer_trust_dip": "mean change in a partnership's trust from the month before a "
    "newcomer joined to the month after",
    "newcomer_trust_recovery": "mean change in trust from the month after a newcomer joined "
    "to 12 months later",
    "success_share_of_launched": "share of launched partnerships that ended reaching their goals",
    "running_share": "share of launched partnerships still operating at the horizon",
    **{f"at_risk_year_{y}": f"partnerships operating at the start of their year {y}"
       for y in range(1, 6)},
    **{f"ended_year_{y}": f"partnerships that ended during their year {y} of operation"
       for y in range(1, 6)},
    **{f"failed_year_{y}": f"partnerships that ended without reaching their goals during "
       f"their year {y} of operation" for y in range(1, 6)},
    "trust_lifetime_correlation": "correlation between a partnership's mean trust and its "
    "lifetime, over launched partnerships",
    "months_failing_before_end": "mean months a partnership that ended in dissatisfaction had "
    "its members, on average, below their exit threshold",
}
"""End-of-run metrics, by name (the outputs a sweep can record)."""


def kaplan_meier_summary(lifetimes: np.ndarray, ended: np.ndarray, horizon: float
                         ) -> tuple[float, float, float]:
    """Kaplan-Meier median, restricted mean lifetime up to ``horizon``, and its variance.

    The product-limit estimator: partnerships still running are right-censored at their
    current age.  The median is the first age at which the survival curve falls to 0.5 or
    below (NaN when it never does); the restricted mean is the area under the curve from 0 to
    ``horizon`` (NaN without partnerships); its variance is Greenwood's
    sum over event times t_j <= horizon of A_j^2 d_j / (n_j (n_j - d_j)), with A_j the area
    under the curve from t_j to ``horizon`` (Klein & Moeschberger 2003, §4.5).  Median and
    mean equal lifelines' ``KaplanMeierFitter`` (tested); written with numpy because every
    run computes them.
    """
    lifetimes = np.asarray(lifetimes, dtype=float)
    ended = np.asarray(ended, dtype=bool)
    if lifetimes.size == 0:
        return float("nan"), float("nan"), float("nan")
    times = np.unique(lifetimes[ended])
    at_risk = (lifetimes[None, :] >= times[:, None]).sum(axis=1)
    deaths = (ended[None, :] & (lifetimes[None, :] == times[:, None])).sum(axis=1)
    survival = np.cumprod(1.0 - deaths / at_risk)
    below = np.flatnonzero(survival <= 0.5)
    median = float(times[below[0]]) if below.size else float("nan")
    edges = np.concatenate(([0.0], np.minimum(times, horizon), [horizon]))
    areas = np.concatenate(([1.0], survival)) * np.diff(edges)
    rmst = float(areas.sum())
    after = np.cumsum(areas[::-1])[::-1][1:]  # area from each event time to the horizon
    inside = (times <= horizon) & (at_risk > deaths)
    variance = float(np.sum(after[inside] ** 2 * deaths[inside]
                            / (at_risk[inside] * (at_risk[inside] - deaths[inside]))))
    return median, rmst, variance


def harm_prevented_by(partnership: Partnership, weights: np.ndarray) -> float:
    """Harm a partnership prevented over the run, in harm index points.

    Each month's prevention adds a share of its domain's underlying harm, which then decays
    as criminals adapt (:meth:`PartnershipModel.update_crime`); the harm it prevents is that
    share times the underlying harm, summed over the months that follow up to now.  Summed
    over all partnerships this is exactly the model's harm prevented.  ``weights`` are
    :func:`persistence_weights` of the model.
    """
    return float(sum(share * weights[month - 1, partnership.domain]
                     for month, share in partnership.prevented_shares))


def persistence_weights(model: PartnershipModel) -> np.ndarray:
    """Per month (row 0 = month 1) and domain: harm prevented from then to now by a unit
    share of underlying harm prevented then.

    W(t) = H(t) + (1 - a) W(t + 1), with H the underlying harm and a the adaptation rate.
    """
    history = np.array(model.underlying_history).reshape(-1, len(DOMAINS))
    keep = 1.0 - model.p.harm_adaptation_rate
    weights = np.zeros_like(history)
    following = np.zeros(len(DOMAINS))
    for t in range(len(history) - 1, -1, -1):
        following = history[t] + keep * following
        weights[t] = following
    return weights


def _share(count: int, total: int) -> float:
    """count / total, or NaN where there is nothing to divide by."""
    return count / total if total else float("nan")


def _mean(values: list[float]) -> float:
    """Mean, or NaN where there is nothing to average."""
    return float(np.mean(values)) if values else float("nan")


def _survival(launched: list, horizon: int, months: int) -> float:
    """Share of partnerships launched early enough that were still operating ``months`` later."""
    eligible = [p for p in launched if p.launched_month <= horizon - months]
    if not eligible:
        return float("nan")
    return sum(p.end_cause is None or p.age_months > months for p in eligible) / len(eligible)


def _hazard_counts(launched: list) -> dict[str, float]:
    """Partnerships at risk at the start of each year of age, and those ending in it.

    Summed over replications, ended / at risk is the end hazard by age (liability of newness:
    Lunnan & Haugland 2008).  A partnership is at risk in year y if it was still operating
    y - 1 years after launch.
    """
    counts: dict[str, float] = {}
    for year in range(1, 6):
        start, stop = 12 * (year - 1), 12 * year
        at_risk = [p for p in launched if p.age_months >= start]
        counts[f"at_risk_year_{year}"] = float(len(at_risk))
        ended = [p for p in at_risk if p.end_cause is not None and start <= p.age_months < stop]
        counts[f"ended_year_{year}"] = float(len(ended))
        counts[f"failed_year_{year}"] = float(sum(
            p.end_cause is not EndCause.GOALS_REACHED for p in ended))
    return counts


def _trust_lifetime_correlation(launched: list) -> float:
    """Pearson correlation of mean trust and lifetime (Vanneste et al. 2014: weak, positive)."""
    pairs = [(float(np.mean(p.trust_history)), p.age_months) for p in launched
             if p.trust_history]
    if len(pairs) < 3:
        return float("nan")
    trust, lifetime = np.array(pairs).T
    if trust.std() == 0 or lifetime.std() == 0:
        return float("nan")
    return float(np.corrcoef(trust, lifetime)[0, 1])


def _newcomer_trust(launched: list) -> dict[str, float]:
    """Trust around newcomers' arrival: the dip it causes and the recovery a year later.

    A newcomer lowers trust in an existing partnership for a while [001 L141]: from the month
    before the join to the month after, and from then to twelve months after.
    """
    dips, recoveries = [], []
    for p in launched:
        history = p.trust_history
        for month in p.newcomer_months:
            if month >= 1 and month + 1 <= len(history):
                after = history[month]
                dips.append(after - history[month - 1])
                if month + 12 < len(history):
                    recoveries.append(history[month + 12] - after)
    return {"newcomer_trust_dip": float(np.mean(dips)) if dips else float("nan"),
            "newcomer_trust_recovery": float(np.mean(recoveries)) if recoveries
            else float("nan")}


def summary_metrics(model: PartnershipModel) -> dict[str, float]:
    """End-of-run metrics of one run: a flat dict of floats, keys as in METRIC_DESCRIPTIONS.

    Also one ``end_share:<cause>`` per end cause: its share of ended launched partnerships.
    A metric that is undefined in this run (a share of nothing, the lifetime of partnerships
    that never launched) is NaN, never a stand-in value.
    """
    full_series = time_series(model)
    series = full_series.iloc[1:]
    final = full_series.iloc[-1]
    horizon = model.month
    attempted = model.partnerships_ever
    launched = [p for p in attempted if p.launched_month is not None]
    ended = [p for p in launched if p.end_cause is not None]
    successes = sum(p.end_cause is EndCause.GOALS_REACHED for p in ended)
    failed_negotiation = sum(p.end_cause is EndCause.NEGOTIATION_FAILED for p in attempted)
    failed = [p for p in ended if p.end_cause is not EndCause.GOALS_REACHED]
    early_failed = [p for p in failed if p.age_months <= 24]
    dissatisfied = [p for p in failed if p.end_cause in GRIEVANCE_CAUSES]
    renewals = sum(1 for row in model.events.of_kind(EventKind.EVALUATED)
                   if row[5] in ("revitalise", "transform"))
    first_half = [p for p in launched if p.launched_month <= horizon - 60]
    early_end = [p for p in first_half if p.end_cause is not None and p.age_months <= 60]
    shared_private = sum(p.shared_private_total for p in launched)
    followed = sum(p.followed_total for p in launched)
    median, restricted_mean, _ = kaplan_meier_summary(
        np.array([p.age_months for p in launched]),
        np.array([p.end_cause is not None for p in launched]), horizon)
    underlying = model.harm_underlying.sum()

    def avg(column: str) -> float:
        values = series[column][series["active_partnerships"] > 0]
        return float(values.mean()) if len(values) else float("nan")

    metrics = {
        "formation_attempts": float(series["formation_attempts"].sum()),
        "negotiations_started": float(len(attempted)),
        "negotiation_failure_share": _share(failed_negotiation, len(attempted)),
        "partnerships_launched": float(len(launched)),
        "partnerships_ended": float(len(ended)),
        "partnerships_active_end": float(final["active_partnerships"]),
        "success_share": _share(successes, len(ended)),
        "failure_share": _share(len(ended) - successes, len(launched)),
        "early_end_share": _share(len(early_end), len(first_half)),
        "median_lifetime_months": median,
        "restricted_mean_lifetime_months": restricted_mean,
        "harm_prevented": float(model.harm_prevented_total),
        "harm_reduction": float(1.0 - model.harm.sum() / underlying) if underlying > 0
        else float("nan"),
        "information_shared": float(series["information_shared"].sum()),
        "information_followed_up": float(series["information_followed_up"].sum()),
        "follow_up_ratio": followed / shared_private if shared_private > 0 else float("nan"),
        "trust_public_to_private": float(final["trust_public_to_private"]),
        "trust_private_to_public": float(final["trust_private_to_public"]),
        "trust_in_partnerships": avg("trust_in_partnerships"),
        "satisfaction_private": avg("satisfaction_private"),
        "satisfaction_public": avg("satisfaction_public"),
        "private_exits": float(series["private_exits"].sum()),
        "public_exits": float(series["public_exits"].sum()),
        "free_riding": avg("free_riding"),
        "active_partnerships_mean": _mean(series["active_partnerships"].tolist()),
        "mean_capability": float(final["mean_capability"]),
        "public_legitimacy": _mean(series["public_legitimacy"].tolist()),
        "negotiation_months_mean": _mean([p.months_negotiating for p in launched]),
        "early_failure_share": _share(len(early_failed), len(launched)),
        "failed_lifetime_months": _mean([p.age_months for p in failed]),
        "revitalisations": float(renewals),
        "survival_36m": _survival(launched, horizon, 36),
        "success_share_of_launched": _share(successes, len(launched)),
        "running_share": _share(len(launched) - len(ended), len(launched)),
        **_hazard_counts(launched),
        "trust_lifetime_correlation": _trust_lifetime_correlation(launched),
        **_newcomer_trust(launched),
        "months_failing_before_end": _mean([p.months_failing for p in dissatisfied]),
    }
    counts = Counter(p.end_cause for p in ended)
    for cause in EndCause:
        if cause is not EndCause.NEGOTIATION_FAILED:
            metrics[f"end_share:{cause.name.lower()}"] = _share(counts[cause], len(ended))
    return metrics
