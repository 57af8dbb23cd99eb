"""What a model reports: monthly series, partnership table, end-of-run metrics."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from math import fsum
from typing import TYPE_CHECKING

import numpy as np

from . import accelerator
from .events import EventKind
from .partnership.operation import grouped_rows, table_rows
from .vocabulary import DOMAINS, GRIEVANCE_CAUSES, EndCause, Sector, Stage

if TYPE_CHECKING:
    import pandas as pd

    from .model import PartnershipModel
    from .partnership import Partnership
    from .state import OrganisationArrays


def _mean_or_nan(values: list[float]) -> float:
    """Mean, or NaN where there is nothing to average (no partnership operating yet).

    ``fsum / len`` is exactly what ``statistics.fmean`` computes for a list, without its
    overhead."""
    return fsum(values) / len(values) if values else float("nan")


def _array_mean_or_nan(values: np.ndarray) -> float:
    """:func:`_mean_or_nan` of an array."""
    return float(values.sum()) / len(values) if len(values) else np.nan


def _known_mean(block: np.ndarray) -> float:
    """The mean of the known entries (not NaN) of a block of the trust matrix (NaN if none
    is).  The compiled month's module brings its own version, which adds them up row by row
    as they come (numba indexes no 2-D array by a mask)."""
    return _array_mean_or_nan(block[~np.isnan(block)])


def _cross_sector_means(trust: np.ndarray, n_public: int) -> tuple[float, float]:
    """:func:`cross_sector_trust` of the trust matrix, whose first ``n_public`` organisations
    are the public bodies."""
    return (_known_mean(trust[:n_public, n_public:]),
            _known_mean(trust[n_public:, :n_public]))


class MonthView:
    """Every monthly output (:data:`MODEL_REPORTERS`) of the model as it is now, gathered in
    one pass over its state: ``values``, by name in the reporters' order.

    :meth:`PartnershipModel.collect` builds one while the ``DataCollector`` collects, so that
    the reporters do not each rebuild the list of operating partnerships and scan every trust
    tie; a reporter called outside a collection builds its own.  The organisations' mean
    capability and standing come from the arrays of the month's end
    (:meth:`PartnershipModel.end_month`).
    """

    __slots__ = ("operating", "values")

    def __init__(self, model: PartnershipModel, active: list[Partnership] | None = None
                 ) -> None:
        month = model.month
        if active is None:
            active = list(model.partnerships)
        operating: list[Partnership] = [p for p in active if p.is_operating]
        self.operating = operating
        """The partnerships operating now, in the model's order."""
        arrays, table, ptable = model.organisation_arrays, model.ledgers, model.partnership_table
        prows = table_rows(operating)
        numbers = dict(zip(ARRAY_OUTPUTS, accelerator.compiled_or_not(array_outputs)(
            prows, table.partnership, table.current, len(ptable.stage), ptable.stage,
            ptable.shared_private,
            ptable.shared_public, ptable.followed, table.satisfaction, table.free_riding,
            table.money_keur, table.organisation, arrays.is_public, arrays.trust,
            model.harm, model.harm_underlying, arrays.capability, arrays.standing,
            model.n_public).tolist(),  # the first organisations
            strict=True))
        ended = model.ended_this_month
        failed = sum([p.end_cause is EndCause.NEGOTIATION_FAILED for p in ended])
        private_exits = sum([sector is Sector.PRIVATE for sector, _ in model.exits_this_month])
        self.values: dict[str, float] = {
            "active_partnerships": len(operating),
            "negotiating": len(active) - len(operating),
            "philanthropic": int(numbers["philanthropic"]),
            "transactional": int(numbers["transactional"]),
            "integrative": int(numbers["integrative"]),
            "formation_attempts": model.attempts_this_month,
            # launched this month: operating now, or ended within the month
            "launched": [p.launched_month for p in operating].count(month)
            + [p.launched_month for p in ended].count(month),
            "dissolved": len(ended) - failed,
            "negotiations_failed": failed,
            "private_exits": private_exits,
            "public_exits": len(model.exits_this_month) - private_exits,
            "harm": numbers["harm"],
            "harm_without_prevention": numbers["harm_without_prevention"],
            "harm_prevented": numbers["harm_prevented"],
            "information_shared": numbers["information_shared"],
            "information_followed_up": numbers["information_followed_up"],
            "trust_public_to_private": numbers["trust_public_to_private"],
            "trust_private_to_public": numbers["trust_private_to_public"],
            # every operating partnership has worked this month: its trust is the table's
            "trust_in_partnerships": _mean_or_nan(ptable.trust[prows].tolist()),
            "satisfaction_public": numbers["satisfaction_public"],
            "satisfaction_private": numbers["satisfaction_private"],
            "free_riding": numbers["free_riding"],
            "resources_spent_keur": numbers["members_money_keur"]
            + sum([p.funding_keur for p in operating]),
            "mean_capability": numbers["mean_capability"],
            "public_legitimacy": numbers["public_legitimacy"],
        }


_STAGES = len(Stage)
"""Austin's stages, counted in :func:`array_outputs`."""

ARRAY_OUTPUTS = (
    "philanthropic", "transactional", "integrative", "harm", "harm_without_prevention",
    "harm_prevented", "information_shared", "information_followed_up",
    "trust_public_to_private", "trust_private_to_public", "satisfaction_public",
    "satisfaction_private", "free_riding", "members_money_keur", "mean_capability",
    "public_legitimacy")
"""What :func:`array_outputs` computes, in its order (the stages in :class:`Stage` order)."""


def array_outputs(prows, partnership, current, partnerships, stage, shared_private,
                  shared_public, followed, satisfaction, free_riding, money, organisation,
                  is_public, trust, harm, underlying, capability, standing, n_public):
    """The monthly outputs :class:`MonthView` takes from the model's arrays, for the
    operating partnerships (rows ``prows`` of the partnership table) and their members (the
    rows of the member table :func:`~pppsim.model.partnership.operation.grouped_rows` finds
    from its columns ``partnership`` and ``current``, grouped as
    :meth:`Members.of <pppsim.model.partnership.operation.Members.of>` groups them), as one
    array in the order of :data:`ARRAY_OUTPUTS` (the cross-sector trusts:
    :func:`cross_sector_trust`, the ``n_public`` public bodies coming first; the members'
    money spent, without the partnerships' funding).  One source for both ways of running:
    compiled where the accelerator is on (:func:`pppsim.model.accelerator.compiled_or_not`)."""
    rows = grouped_rows(prows, partnership, current, partnerships)[0]
    public = is_public[organisation[rows]]
    members_satisfaction = satisfaction[rows]
    stages = np.bincount(stage[prows], minlength=_STAGES)
    to_private, to_public = _cross_sector_means(trust, n_public)
    return np.array([
        float(stages[0]), float(stages[1]), float(stages[2]),
        harm.sum(), underlying.sum(), (underlying - harm).sum(),
        (shared_private[prows] + shared_public[prows]).sum(), followed[prows].sum(),
        to_private, to_public,
        _array_mean_or_nan(members_satisfaction[public]),
        _array_mean_or_nan(members_satisfaction[~public]),
        _array_mean_or_nan(free_riding[rows]), money[rows].sum(),
        _array_mean_or_nan(capability), _array_mean_or_nan(standing[:n_public])])


def cross_sector_trust(arrays: OrganisationArrays,
                       n_public: int | None = None) -> tuple[float, float]:
    """Mean trust of public bodies in the firms they know and of firms in the public bodies
    they know, over every such tie (NaN where there is none).  The public bodies come first
    in the organisation arrays (``n_public`` of them, counted if not given), so each is a
    block of the trust matrix."""
    if n_public is None:
        n_public = int(np.count_nonzero(arrays.is_public))
    return _cross_sector_means(arrays.trust, n_public)


def current_view(model: PartnershipModel) -> MonthView:
    """The model's month view while it collects (:meth:`PartnershipModel.collect`), else one
    made now: what the reporters and the collector read."""
    view = getattr(model, "month_view", None)
    return view if view is not None else MonthView(model)


def _reporter(name: str) -> Callable[[PartnershipModel], float]:
    """The reporter of the monthly output ``name``: its value in the model's month view."""
    return lambda model: current_view(model).values[name]


REPORTED = (
    "active_partnerships", "negotiating", "philanthropic", "transactional", "integrative",
    "formation_attempts", "launched", "dissolved", "negotiations_failed", "private_exits",
    "public_exits", "harm", "harm_without_prevention", "harm_prevented", "information_shared",
    "information_followed_up", "trust_public_to_private", "trust_private_to_public",
    "trust_in_partnerships", "satisfaction_public", "satisfaction_private", "free_riding",
    "resources_spent_keur", "mean_capability", "public_legitimacy")
"""The monthly outputs' names, in the order of the model's time series."""

MODEL_REPORTERS: dict[str, Callable[[PartnershipModel], float]] = {
    name: _reporter(name) for name in REPORTED}
"""Monthly model-level outputs, collected by the model's Mesa ``DataCollector`` after each
month (docs/ODD.md §7.4)."""


def time_series(model: PartnershipModel) -> pd.DataFrame:
    """Monthly model-level outputs, one row per month (month 0 = initial state)."""
    frame = model.datacollector.get_model_vars_dataframe()  # pandas, imported by Mesa
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
    import pandas as pd  # here, not at the top: the command line starts without pandas

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


def membership_table(model: PartnershipModel) -> pd.DataFrame:
    """One row per membership: who was in which partnership, from when to when, and why it ended.

    A membership starts when an organisation joins at launch (a founder) or later (a newcomer)
    and ends when the organisation leaves (``ended_by`` = ``exit``, ``cause`` its reason) or
    the partnership dissolves around it (``dissolution``, the partnership's end cause).  A
    membership still running at the end of the run has no end (right-censored), like an
    organisation that leaves and is recruited again has two rows.  Built from the event log.
    """
    import pandas as pd

    by_id = model.organisation_by_id
    partnerships = {p.unique_id: p for p in model.partnerships_ever}
    open_spells: dict[tuple[int, int], dict] = {}
    rows: list[dict] = []
    for event in model.events.rows:
        if event.kind is EventKind.JOINED:
            org, partnership = by_id[event.organisation], partnerships[event.partnership]
            spell = {"partnership": event.partnership, "organisation": event.organisation,
                     "kind": org.kind, "sector": str(org.sector), "umbrella": org.is_umbrella,
                     "founder": event.organisation in partnership.founders
                     and event.month == partnership.launched_month,
                     "joined_month": event.month, "ended_month": None, "ended_by": None,
                     "cause": None}
            open_spells[event.partnership, event.organisation] = spell
            rows.append(spell)
        elif event.kind is EventKind.EXITED:
            spell = open_spells.pop((event.partnership, event.organisation))
            spell |= {"ended_month": event.month, "ended_by": "exit", "cause": str(event.cause)}
        elif event.kind is EventKind.DISSOLVED:
            for org_id in event.others:
                spell = open_spells.pop((event.partnership, org_id), None)
                if spell is not None:
                    spell |= {"ended_month": event.month, "ended_by": "dissolution",
                              "cause": str(event.cause)}
    frame = pd.DataFrame(rows, columns=MEMBERSHIP_COLUMNS)
    ended = frame["ended_month"].astype("Int64")
    frame["ended_month"] = ended
    frame["months"] = (ended.fillna(model.month) - frame["joined_month"]).astype("Int64")
    frame["censored"] = ended.isna()
    return frame


MEMBERSHIP_COLUMNS = ("partnership", "organisation", "kind", "sector", "umbrella", "founder",
                      "joined_month", "ended_month", "ended_by", "cause")


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
    "success_share_of_launched": "share of launched partnerships that ended reaching their goals",
    "running_share": "share of launched partnerships still operating at the horizon",
    **{name: text for y in range(1, 6) for name, text in (
        (f"at_risk_year_{y}", f"partnerships operating at the start of their year {y}"),
        (f"ended_year_{y}", f"partnerships that ended during their year {y} of operation"),
        (f"failed_year_{y}", f"partnerships that ended without reaching their goals during "
         f"their year {y} of operation"))},
    "trust_lifetime_correlation": "correlation between a partnership's mean trust and its "
    "lifetime, over launched partnerships",
    "newcomer_trust_dip": "mean change in a partnership's trust from the month before a "
    "newcomer joined to the month after",
    "newcomer_trust_recovery": "mean change in trust from the month after a newcomer joined "
    "to 12 months later",
    "months_failing_before_end": "mean months a partnership that ended in dissatisfaction had "
    "its members, on average, below their exit threshold",
}
"""End-of-run metrics, by name, in the order of :func:`summary_metrics`."""

METRIC_NAMES: tuple[str, ...] = (*METRIC_DESCRIPTIONS, *(
    f"end_share:{cause.name.lower()}" for cause in EndCause
    if cause is not EndCause.NEGOTIATION_FAILED))
"""Every key of :func:`summary_metrics`, in its order (the outputs a sweep can record)."""


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
    return float(sum(share * weights[month - 1, domain]
                     for month, domain, share in partnership.prevented_shares))


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
    """Mean, or NaN where there is nothing to average.

    ``np.mean``'s value to the last bit (the pairwise sum in float64, divided by the count),
    without its overhead (a third of the cost for the lists of a run's partnerships: called
    once per launched partnership, the trust histories' means took half the time of
    :func:`summary_metrics`)."""
    if not len(values):
        return float("nan")
    return float(np.add.reduce(np.asarray(values), dtype=np.float64) / len(values))


def _survival(launched: list, age: dict, horizon: int, months: int) -> float:
    """Share of partnerships launched early enough that were still operating ``months`` later
    (``age``: each one's :attr:`~Partnership.age_months`)."""
    eligible = [p for p in launched if p.launched_month <= horizon - months]
    if not eligible:
        return float("nan")
    return sum(p.end_cause is None or age[p] > months for p in eligible) / len(eligible)


def _hazard_counts(launched: list, age: dict) -> dict[str, float]:
    """Partnerships at risk at the start of each year of age, and those ending in it
    (``age``: each one's :attr:`~Partnership.age_months`).

    Summed over replications, ended / at risk is the end hazard by age (liability of newness:
    Lunnan & Haugland 2008).  A partnership is at risk in year y if it was still operating
    y - 1 years after launch.
    """
    counts: dict[str, float] = {}
    for year in range(1, 6):
        start, stop = 12 * (year - 1), 12 * year
        at_risk = [p for p in launched if age[p] >= start]
        counts[f"at_risk_year_{year}"] = float(len(at_risk))
        ended = [p for p in at_risk if p.end_cause is not None and start <= age[p] < stop]
        counts[f"ended_year_{year}"] = float(len(ended))
        counts[f"failed_year_{year}"] = float(sum(
            p.end_cause is not EndCause.GOALS_REACHED for p in ended))
    return counts


def _trust_lifetime_correlation(launched: list, age: dict) -> float:
    """Pearson correlation of mean trust and lifetime (Vanneste et al. 2014: weak, positive;
    ``age``: each one's :attr:`~Partnership.age_months`)."""
    pairs = [(_mean(p.trust_history), age[p]) for p in launched if p.trust_history]
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
    return {"newcomer_trust_dip": _mean(dips), "newcomer_trust_recovery": _mean(recoveries)}


def summary_metrics(model: PartnershipModel) -> dict[str, float]:
    """End-of-run metrics of one run: a flat dict of floats, keys as in METRIC_DESCRIPTIONS.

    Also one ``end_share:<cause>`` per end cause: its share of ended launched partnerships.
    A metric that is undefined in this run (a share of nothing, the lifetime of partnerships
    that never launched) is NaN, never a stand-in value.
    """
    series = {name: np.asarray(values) for name, values
              in model.datacollector.model_vars.items()}
    launched = [p for p in model.partnerships_ever if p.launched_month is not None]
    ended = [p for p in launched if p.end_cause is not None]
    age = {p: p.age_months for p in launched}  # (read often below)
    return (_count_metrics(model, series, launched, ended, age)
            | _flow_metrics(model, series, launched)
            | _history_metrics(model, launched, ended, age) | _end_shares(ended))


def _count_metrics(model: PartnershipModel, series: dict[str, np.ndarray], launched: list,
                   ended: list, age: dict) -> dict[str, float]:
    """How many partnerships were attempted, launched and ended, and how long they lasted
    (Kaplan-Meier: partnerships still running count as censored).  ``series``: the monthly
    outputs from month 0, one array each; ``age``: each launched partnership's
    :attr:`~Partnership.age_months`."""
    horizon = model.month
    attempted = model.partnerships_ever
    successes = sum(p.end_cause is EndCause.GOALS_REACHED for p in ended)
    failed_negotiation = sum(p.end_cause is EndCause.NEGOTIATION_FAILED for p in attempted)
    first_half = [p for p in launched if p.launched_month <= horizon - 60]
    early_end = [p for p in first_half if p.end_cause is not None and age[p] <= 60]
    median, restricted_mean, _ = kaplan_meier_summary(
        np.array([age[p] for p in launched]),
        np.array([p.end_cause is not None for p in launched]), horizon)
    return {
        "formation_attempts": float(series["formation_attempts"][1:].sum()),
        "negotiations_started": float(len(attempted)),
        "negotiation_failure_share": _share(failed_negotiation, len(attempted)),
        "partnerships_launched": float(len(launched)),
        "partnerships_ended": float(len(ended)),
        "partnerships_active_end": float(series["active_partnerships"][-1]),
        "success_share": _share(successes, len(ended)),
        "failure_share": _share(len(ended) - successes, len(launched)),
        "early_end_share": _share(len(early_end), len(first_half)),
        "median_lifetime_months": median,
        "restricted_mean_lifetime_months": restricted_mean,
    }


def _defined_mean(values: np.ndarray) -> float:
    """Mean of the values that are not NaN (NaN if none): what pandas' ``Series.mean``
    computes, to the last bit (NaN set to 0, the float sum, divided by the count)."""
    values = np.asarray(values, dtype=float)
    missing = np.isnan(values)
    count = values.size - int(missing.sum())
    if not count:
        return float("nan")
    return float(np.where(missing, 0.0, values).sum() / count)


def _flow_metrics(model: PartnershipModel, series: dict[str, np.ndarray],
                  launched: list) -> dict[str, float]:
    """Harm, information, trust, satisfaction, exits and standing over the run."""
    # the partnerships' totals, in their order (Python's sum of Python floats, as before)
    table, rows = model.partnership_table, [p.row for p in launched]
    shared_private = sum(table.shared_private_total[rows].tolist())
    followed = sum(table.followed_total[rows].tolist())
    underlying = model.harm_underlying.sum()
    active = series["active_partnerships"][1:] > 0

    def avg(column: str) -> float:
        return _defined_mean(series[column][1:][active])

    return {
        "harm_prevented": float(model.harm_prevented_total),
        "harm_reduction": float(1.0 - model.harm.sum() / underlying) if underlying > 0
        else float("nan"),
        "information_shared": float(series["information_shared"][1:].astype(float).sum()),
        "information_followed_up": float(
            series["information_followed_up"][1:].astype(float).sum()),
        "follow_up_ratio": followed / shared_private if shared_private > 0 else float("nan"),
        "trust_public_to_private": float(series["trust_public_to_private"][-1]),
        "trust_private_to_public": float(series["trust_private_to_public"][-1]),
        "trust_in_partnerships": avg("trust_in_partnerships"),
        "satisfaction_private": avg("satisfaction_private"),
        "satisfaction_public": avg("satisfaction_public"),
        "private_exits": float(series["private_exits"][1:].sum()),
        "public_exits": float(series["public_exits"][1:].sum()),
        "free_riding": avg("free_riding"),
        "active_partnerships_mean": _mean(series["active_partnerships"][1:].tolist()),
        "mean_capability": float(series["mean_capability"][-1]),
        "public_legitimacy": _mean(series["public_legitimacy"][1:].tolist()),
    }


def _history_metrics(model: PartnershipModel, launched: list, ended: list,
                     age: dict) -> dict[str, float]:
    """Negotiation, early failure, renewal, survival, hazard by age and trust histories
    (``age``: each launched partnership's :attr:`~Partnership.age_months`)."""
    successes = sum(p.end_cause is EndCause.GOALS_REACHED for p in ended)
    failed = [p for p in ended if p.end_cause is not EndCause.GOALS_REACHED]
    early_failed = [p for p in failed if age[p] <= 24]
    dissatisfied = [p for p in failed if p.end_cause in GRIEVANCE_CAUSES]
    renewals = sum(1 for event in model.events.of_kind(EventKind.EVALUATED)
                   if event.cause in ("revitalise", "transform"))
    return {
        "negotiation_months_mean": _mean([p.months_negotiating for p in launched]),
        "early_failure_share": _share(len(early_failed), len(launched)),
        "failed_lifetime_months": _mean([age[p] for p in failed]),
        "revitalisations": float(renewals),
        "survival_36m": _survival(launched, age, model.month, 36),
        "success_share_of_launched": _share(successes, len(launched)),
        "running_share": _share(len(launched) - len(ended), len(launched)),
        **_hazard_counts(launched, age),
        "trust_lifetime_correlation": _trust_lifetime_correlation(launched, age),
        **_newcomer_trust(launched),
        "months_failing_before_end": _mean([p.months_failing for p in dissatisfied]),
    }


def _end_shares(ended: list) -> dict[str, float]:
    """Each end cause's share of the launched partnerships that ended (NaN when none did)."""
    counts = Counter(p.end_cause for p in ended)
    return {f"end_share:{cause.name.lower()}": _share(counts[cause], len(ended))
            for cause in EndCause if cause is not EndCause.NEGOTIATION_FAILED}
