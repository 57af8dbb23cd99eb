"""Plain-language stories of partnerships, told from the model's own event log.

Every sentence here is built from one event record (``model.events.rows``): who initiated a
partnership with whom, how long negotiation took, its design, what was shared and followed up
(recorded at each evaluation and at the end), who left when and why, how it ended.  Nothing is
re-derived from the model's equations.  The same sentences feed the event feed of the teaching
page (:mod:`pppsim.app`) and the ``pppsim explain`` command.

Stories number partnerships 1, 2, 3, ... in the order they started negotiating
(:func:`partnership_numbers`); the model's own ids are shared with the organisations' and do
not start at 1.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .model.events import Event, EventKind
from .model.vocabulary import EndCause

if TYPE_CHECKING:
    from .model import PartnershipModel

CAUSE_IN_WORDS: dict[str, str] = {
    EndCause.GOALS_REACHED: "it reached its goals (a success)",
    EndCause.NEGOTIATION_FAILED: "the partners could not agree",
    EndCause.MISTRUST: "trust between the partners had worn away",
    EndCause.MISALIGNED_GOALS: "the partners wanted different things",
    EndCause.INSUFFICIENT_VALUE: "shared information was not followed up, so it was not worth it",
    EndCause.FREE_RIDING: "others were not pulling their weight (free riding)",
    EndCause.UNEQUAL_BENEFITS: "costs and benefits were shared unequally",
    EndCause.ONLY_TALK: "there was only talk and no results",
    EndCause.RESOURCES_EXHAUSTED: "there were no staff left to put in",
    EndCause.FUNDING_ENDED: "the grant ran out and nobody took over the costs",
    EndCause.INFORMATION_BLOCKED: "barriers kept the information from being shared",
    EndCause.LEGITIMACY_RISK: "its legitimacy or reputation was at risk",
    EndCause.PRIORITY_SHIFT: "its board's priorities shifted",
}
"""Each end cause explained for a classroom, keyed by the cause's text."""

FEED_KINDS = (
    EventKind.NEGOTIATION_STARTED,
    EventKind.NEGOTIATION_FAILED,
    EventKind.LAUNCHED,
    EventKind.EXITED,
    EventKind.FUNDING_ENDED,
    EventKind.DISSOLVED,
)
"""Event kinds the live feed tells: formations, launches, exits, funding ends, dissolutions."""


def organisation_name(model: PartnershipModel, org_id: int) -> str:
    """A short readable name, e.g. ``"police #4"`` or ``"retailers' umbrella #97"``."""
    org = model.organisation_by_id[org_id]
    if org.is_umbrella:
        return f"{org.federated_kind}s' umbrella #{org_id}"
    return f"{org.kind} #{org_id}"


def _names(model: PartnershipModel, ids: tuple[int, ...] | list[int]) -> str:
    names = [organisation_name(model, i) for i in ids]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _months(n: int) -> str:
    return f"{n} month{'' if n == 1 else 's'}"


def _governance_words(governance: float) -> str:
    if governance < 0.35:
        return "trust-based"
    if governance > 0.65:
        return "control-based"
    return "a mix of trust and control"


def _agreement_words(agreement: str) -> str:
    if agreement == "none":
        return "no written agreement"
    article = "an" if agreement[0] in "aeiou" else "a"
    return f"{article} {agreement}"


def _information_words(values: dict) -> str:
    shared_private = values.get("shared_by_private", 0.0)
    followed = values.get("followed_up", 0.0)
    ratio = f" ({followed / shared_private:.0%})" if shared_private > 0 else ""
    return (f"{values.get('shared', 0.0):.0f} items of information shared, "
            f"{shared_private:.0f} of them by firms; {followed:.0f} followed up{ratio}")


def _satisfaction_words(values: dict) -> str:
    parts = [f"{sector} {values[f'satisfaction_{sector}']:.2f}"
             for sector in ("public", "private") if f"satisfaction_{sector}" in values]
    return "satisfaction " + ", ".join(parts) if parts else ""


def _status_words(values: dict) -> str:
    parts = [f"trust {values['trust']:.2f}", _satisfaction_words(values),
             _information_words(values)]
    return "; ".join(p for p in parts if p)


def _started(model: PartnershipModel, row: Event) -> str:
    initiator, others, values = row.organisation, row.others, row.values
    partners = [i for i in others if i != initiator]
    return (f"{organisation_name(model, initiator)} took the initiative on "
            f"{values['domain']} and started negotiating with {_names(model, partners)} "
            f"(trust between them {values['trust']:.2f})")


def _negotiation_failed(model: PartnershipModel, row: Event) -> str:
    values = row.values
    return (f"negotiation broke down after {_months(values['months'])} "
            f"(trust {values['trust']:.2f}, goal overlap {values['overlap']:.2f})")


def _negotiation_succeeded(model: PartnershipModel, row: Event) -> str:
    values = row.values
    return f"agreement reached after {_months(values['months'])} of negotiation"


def _launched(model: PartnershipModel, row: Event) -> str:
    v = row.values
    extras = [("a secure information platform", v["platform"]),
              ("a confidentiality agreement", v["confidentiality_agreement"]),
              ("an agreed exit strategy", v["exit_strategy"])]
    with_ = [text for text, present in extras if present]
    without = [text.split(" ", 1)[1] for text, present in extras if not present]
    design = f"{_governance_words(v['governance'])} governance ({v['governance']:.2f}), " \
             f"{_agreement_words(v['agreement'])}, funded {_funding_words(v['funding'])}"
    if with_:
        design += ", with " + " and ".join(with_)
    if without:
        design += ", no " + (", ".join(without[:-1]) + " or " if len(without) > 1 else "") \
            + without[-1]
    return f"launched by {_names(model, row.others)}: {design}"


def _funding_words(funding: str) -> str:
    return {"grant": "by an external grant", "structural": "from a structural budget",
            "in kind": "in kind by its members"}.get(funding, funding)


def _joined(model: PartnershipModel, row: Event) -> str:
    return (f"{organisation_name(model, row.organisation)} joined as a newcomer, with "
            f"expectations of {row.values['expectation']:.2f} (1.00 = realistic)")


def _exited(model: PartnershipModel, row: Event) -> str:
    org_id, cause, v = row.organisation, row.cause, row.values
    why = CAUSE_IN_WORDS.get(cause, str(cause))
    detail = []
    if "months" in v and "threshold" in v:
        detail.append(f"satisfaction {v['satisfaction']:.2f}, below {v['threshold']:.2f} "
                      f"for {v['months']} months")
    elif "standing" in v:
        detail.append(f"standing {v['standing']:.2f}, below {v['threshold']:.2f}")
    elif "satisfaction" in v:
        detail.append(f"satisfaction {v['satisfaction']:.2f}")
    extra = f" ({detail[0]})" if detail else ""
    return f"{organisation_name(model, org_id)} ({v['sector']}) left: {why}{extra}"


def _stage_changed(model: PartnershipModel, row: Event) -> str:
    v = row.values
    return (f"moved to the {v['stage']} stage (trust {v['trust']:.2f}, "
            f"satisfaction {v['satisfaction']:.2f})")


def _evaluated(model: PartnershipModel, row: Event) -> str:
    v = row.values
    text = f"evaluation decided: {row.cause}; {_status_words(v)}"
    if "progress" in v:
        text += f"; {v['progress']:.0%} of its goal reached"
    return text


def _funding_ended(model: PartnershipModel, row: Event) -> str:
    v = row.values
    return (f"its grant ended; members bring {v['own_share']:.0%} of its money themselves "
            f"(satisfaction {v['satisfaction']:.2f})")


def _funding_renewed(model: PartnershipModel, row: Event) -> str:
    return "its grant ended and was replaced by a structural budget"


def _dissolved(model: PartnershipModel, row: Event) -> str:
    v = row.values
    cause = row.cause
    why = CAUSE_IN_WORDS.get(cause, str(cause))
    if cause == EndCause.NEGOTIATION_FAILED:
        return f"ended before launch: {why}"
    return f"ended after {_months(v['age'])} in operation: {cause} — {why}"


SENTENCES: dict[EventKind, Callable[[PartnershipModel, Event], str]] = {
    EventKind.NEGOTIATION_STARTED: _started,
    EventKind.NEGOTIATION_FAILED: _negotiation_failed,
    EventKind.NEGOTIATION_SUCCEEDED: _negotiation_succeeded,
    EventKind.LAUNCHED: _launched,
    EventKind.JOINED: _joined,
    EventKind.EXITED: _exited,
    EventKind.STAGE_CHANGED: _stage_changed,
    EventKind.EVALUATED: _evaluated,
    EventKind.FUNDING_ENDED: _funding_ended,
    EventKind.FUNDING_RENEWED: _funding_renewed,
    EventKind.DISSOLVED: _dissolved,
}
"""One sentence per event kind about one partnership."""


def partnership_numbers(model: PartnershipModel) -> dict[int, int]:
    """Each partnership's story number (1, 2, ... in the order they started negotiating),
    by its id in the model."""
    started = model.events.of_kind(EventKind.NEGOTIATION_STARTED)
    return {row.partnership: number for number, row in enumerate(started, start=1)}


def describe_event(model: PartnershipModel, row: Event,
                   numbers: dict[int, int] | None = None) -> str:
    """One line for the live feed: ``"month 9, partnership #6: launched by ..."``."""
    number = (numbers or partnership_numbers(model))[row.partnership]
    return f"month {row.month}, partnership #{number}: {SENTENCES[row.kind](model, row)}"


def feed(model: PartnershipModel, limit: int = 12) -> list[str]:
    """The latest formations, launches, exits, funding ends and dissolutions, newest first.

    A dissolution before launch is told once, by its "negotiation broke down" event.
    """
    lines: list[str] = []
    numbers = partnership_numbers(model)
    for row in reversed(model.events.rows):
        if row.kind not in FEED_KINDS or (row.kind is EventKind.DISSOLVED
                                          and row.cause == EndCause.NEGOTIATION_FAILED):
            continue
        lines.append(describe_event(model, row, numbers))
        if len(lines) >= limit:
            break
    return lines


def _trajectory(points: dict[int, float]) -> str:
    return " → ".join(f"{value:.2f} (month {month})" for month, value in points.items())


def partnership_story(model: PartnershipModel, number: int) -> str:
    """The story of partnership ``number`` (its story number), month by month, from its event
    records.

    Raises
    ------
    KeyError
        If fewer than ``number`` partnerships started negotiating in ``model``.
    """
    ids = {n: pid for pid, n in partnership_numbers(model).items()}
    if number not in ids:
        raise KeyError(number)
    partnership_id = ids[number]
    rows = model.events.for_partnership(partnership_id)
    start = rows[0]
    initiator = start.organisation
    attempt = next(r for r in model.events.of_kind(EventKind.FORMATION_ATTEMPT)
                   if r.month == start.month and r.organisation == initiator
                   and r.others == start.others)
    v = attempt.values
    lines = [
        f"Partnership #{number} on {start.values['domain']}, "
        f"initiated by {organisation_name(model, initiator)} "
        f"({model.organisation_by_id[initiator].sector})",
        f"  Why: {organisation_name(model, initiator)} wanted to act on "
        f"{v['domain']}, the crime that weighed most on it; it invited {v['invited']} "
        f"organisation{'s' if v['invited'] != 1 else ''} and {v['refusals'] or 'none'} "
        f"refused.",
    ]
    trust = {start.month: start.values["trust"]}
    satisfaction: dict[int, str] = {}
    launch_month = next((r.month for r in rows if r.kind is EventKind.LAUNCHED), None)
    for row in rows:
        values = row.values
        if row.kind is EventKind.JOINED and row.month == launch_month:
            continue  # founders' expectations are told with the launch
        lines.append(f"  month {row.month:>3}: {SENTENCES[row.kind](model, row)}")
        if row.kind is EventKind.LAUNCHED:
            expectations = ", ".join(
                f"{organisation_name(model, r.organisation)} {r.values['expectation']:.2f}"
                for r in rows if r.kind is EventKind.JOINED and r.month == launch_month)
            lines.append(f"             expectations (1.00 = realistic, higher = "
                         f"over-optimistic): {expectations}")
            satisfaction[row.month] = f"{model.p.initial_satisfaction:.2f} at launch"
        if row.kind in (EventKind.EVALUATED, EventKind.STAGE_CHANGED, EventKind.DISSOLVED) \
                and "trust" in values:
            trust[row.month] = values["trust"]
        if row.kind in (EventKind.EVALUATED, EventKind.DISSOLVED) and _satisfaction_words(values):
            satisfaction[row.month] = _satisfaction_words(values).removeprefix("satisfaction ")
    last = rows[-1]
    if last.kind is not EventKind.DISSOLVED:
        partnership = next(p for p in model.partnerships if p.unique_id == partnership_id)
        status = partnership.status_values()
        state = "operating" if partnership.is_operating else "still negotiating"
        lines.append(f"  month {model.month:>3}: {state} at the end of the run; "
                     f"{_status_words(status)}")
        trust[model.month] = status["trust"]
        if _satisfaction_words(status):
            satisfaction[model.month] = _satisfaction_words(status).removeprefix("satisfaction ")
    elif last.cause != EndCause.NEGOTIATION_FAILED:
        lines.append(f"  By the end: {_information_words(last.values)}.")
    lines.append(f"  Trust within the partnership: {_trajectory(trust)}")
    if satisfaction:
        lines.append("  Satisfaction: " + " → ".join(
            f"{text} (month {month})" for month, text in satisfaction.items()))
    return "\n".join(lines)


def explain(model: PartnershipModel, partnership: int | None = None) -> str:
    """Stories of every partnership that started negotiating (or of one), oldest first.

    Parameters
    ----------
    model
        A model that has run for some months.
    partnership
        The story number of one partnership (1 = the first to start negotiating), or None
        for all.

    Returns
    -------
    str
        Plain text, one paragraph per partnership.

    Raises
    ------
    KeyError
        If ``partnership`` is given and fewer partnerships started negotiating.
    """
    if partnership is not None:
        return partnership_story(model, partnership)
    started = model.events.of_kind(EventKind.NEGOTIATION_STARTED)
    if not started:
        return f"No partnership started negotiating in {model.month} months."
    ended = model.events.of_kind(EventKind.DISSOLVED)
    header = (f"{len(started)} partnerships started negotiating in {model.month} months; "
              f"{len(ended)} ended, {len(started) - len(ended)} still running.")
    return "\n\n".join([header, *(partnership_story(model, number)
                                   for number in range(1, len(started) + 1))])
