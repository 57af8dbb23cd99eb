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

from .i18n import N_, _, current, ngettext
from .model.events import Event, EventKind
from .model.vocabulary import EndCause

if TYPE_CHECKING:
    from .model import PartnershipModel

CAUSE_IN_WORDS: dict[str, str] = {
    EndCause.GOALS_REACHED: N_("it reached its goals (a success)"),
    EndCause.NEGOTIATION_FAILED: N_("the partners could not agree"),
    EndCause.MISTRUST: N_("trust between the partners had worn away"),
    EndCause.MISALIGNED_GOALS: N_("the partners wanted different things"),
    EndCause.INSUFFICIENT_VALUE: N_("shared information was not followed up, so it was not "
                                    "worth it"),
    EndCause.FREE_RIDING: N_("others were not pulling their weight (free riding)"),
    EndCause.UNEQUAL_BENEFITS: N_("costs and benefits were shared unequally"),
    EndCause.ONLY_TALK: N_("there was only talk and no results"),
    EndCause.RESOURCES_EXHAUSTED: N_("there were no staff left to put in"),
    EndCause.FUNDING_ENDED: N_("the grant ran out and nobody took over the costs"),
    EndCause.INFORMATION_BLOCKED: N_("barriers kept the information from being shared"),
    EndCause.LEGITIMACY_RISK: N_("its legitimacy or reputation was at risk"),
    EndCause.PRIORITY_SHIFT: N_("its board's priorities shifted"),
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


STAGE_WORDS = (N_("philanthropic"), N_("transactional"), N_("integrative"))
"""The stages of Austin's continuum as events name them (for the catalogs)."""
DECISION_WORDS = (N_("continue"), N_("revitalise"), N_("transform"), N_("terminate"),
                  N_("goals reached, new goals set"))
"""What an evaluation can decide, as events name it (for the catalogs)."""


def organisation_name(model: PartnershipModel, org_id: int) -> str:
    """A short readable name, e.g. ``"police #4"`` or ``"retailers' umbrella #97"``."""
    org = model.organisation_by_id[org_id]
    if org.is_umbrella:
        return _("{kind}s' umbrella #{id}").format(kind=_(org.federated_kind), id=org_id)
    return f"{_(org.kind)} #{org_id}"


def _names(model: PartnershipModel, ids: tuple[int, ...] | list[int]) -> str:
    names = [organisation_name(model, i) for i in ids]
    if len(names) <= 1:
        return "".join(names)
    return _("{items} and {last}").format(items=", ".join(names[:-1]), last=names[-1])


def _months(n: int) -> str:
    return ngettext("{n} month", "{n} months", n).format(n=n)


def _n(value: float, decimals: int = 2) -> str:
    return current().number(value, decimals)


def _share(value: float) -> str:
    return current().percent(value)


def _governance_words(governance: float) -> str:
    if governance < 0.35:
        return _("trust-based governance")
    if governance > 0.65:
        return _("control-based governance")
    return _("governance mixing trust and control")


def _agreement_words(agreement: str) -> str:
    return {"none": _("no written agreement"),
            "memorandum of understanding": _("a memorandum of understanding"),
            "covenant": _("a covenant"), "contract": _("a contract"),
            "legal entity": _("a legal entity")}.get(agreement, agreement)


def _information_words(values: dict) -> str:
    shared_private = values.get("shared_by_private", 0.0)
    followed = values.get("followed_up", 0.0)
    ratio = f" ({_share(followed / shared_private)})" if shared_private > 0 else ""
    return _("{shared} items of information shared, {private} of them by firms; {followed} "
             "followed up{ratio}").format(shared=_n(values.get("shared", 0.0), 0),
                                          private=_n(shared_private, 0),
                                          followed=_n(followed, 0), ratio=ratio)


def _satisfaction_words(values: dict) -> str:
    parts = [f"{_(sector)} {_n(values[f'satisfaction_{sector}'])}"
             for sector in ("public", "private") if f"satisfaction_{sector}" in values]
    return _("satisfaction {values}").format(values=", ".join(parts)) if parts else ""


def _satisfaction_values(values: dict) -> str:
    parts = [f"{_(sector)} {_n(values[f'satisfaction_{sector}'])}"
             for sector in ("public", "private") if f"satisfaction_{sector}" in values]
    return ", ".join(parts)


def _status_words(values: dict) -> str:
    parts = [_("trust {value}").format(value=_n(values["trust"])), _satisfaction_words(values),
             _information_words(values)]
    return "; ".join(p for p in parts if p)


def _started(model: PartnershipModel, row: Event) -> str:
    initiator, others, values = row.organisation, row.others, row.values
    partners = [i for i in others if i != initiator]
    return _("{initiator} took the initiative on {domain} and started negotiating with "
             "{partners} (trust between them {trust})").format(
        initiator=organisation_name(model, initiator), domain=_(values["domain"]),
        partners=_names(model, partners), trust=_n(values["trust"]))


def _negotiation_failed(model: PartnershipModel, row: Event) -> str:
    values = row.values
    return _("negotiation broke down after {months} (trust {trust}, goal overlap {overlap})"
             ).format(months=_months(values["months"]), trust=_n(values["trust"]),
                      overlap=_n(values["overlap"]))


def _negotiation_succeeded(model: PartnershipModel, row: Event) -> str:
    return _("agreement reached after {months} of negotiation").format(
        months=_months(row.values["months"]))


def _launched(model: PartnershipModel, row: Event) -> str:
    v = row.values
    extras = [(_("a secure information platform"), _("secure information platform"),
               v["platform"]),
              (_("a confidentiality agreement"), _("confidentiality agreement"),
               v["confidentiality_agreement"]),
              (_("an agreed exit strategy"), _("agreed exit strategy"), v["exit_strategy"])]
    with_ = [text for text, _bare, present in extras if present]
    without = [bare for _text, bare, present in extras if not present]
    design = _("{governance} ({value}), {agreement}, funded {funding}").format(
        governance=_governance_words(v["governance"]), value=_n(v["governance"]),
        agreement=_agreement_words(v["agreement"]), funding=_funding_words(v["funding"]))
    if with_:
        design += _(", with {items}").format(items=_and(with_))
    if without:
        design += _(", no {items}").format(items=_or(without))
    return _("launched by {founders}: {design}").format(founders=_names(model, row.others),
                                                        design=design)


def _and(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    return _("{items} and {last}").format(items=", ".join(items[:-1]), last=items[-1])


def _or(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    return _("{items} or {last}").format(items=", ".join(items[:-1]), last=items[-1])


def _funding_words(funding: str) -> str:
    return {"grant": _("by an external grant"), "structural": _("from a structural budget"),
            "in kind": _("in kind by its members")}.get(funding, funding)


def _joined(model: PartnershipModel, row: Event) -> str:
    return _("{organisation} joined as a newcomer, with expectations of {expectation} "
             "(1.00 = realistic)").format(organisation=organisation_name(model, row.organisation),
                                          expectation=_n(row.values["expectation"]))


def _exited(model: PartnershipModel, row: Event) -> str:
    org_id, cause, v = row.organisation, row.cause, row.values
    why = _(CAUSE_IN_WORDS[cause]) if cause in CAUSE_IN_WORDS else str(cause)
    detail = ""
    if "months" in v and "threshold" in v:
        detail = _("satisfaction {value}, below {threshold} for {months} months").format(
            value=_n(v["satisfaction"]), threshold=_n(v["threshold"]), months=v["months"])
    elif "standing" in v:
        detail = _("standing {value}, below {threshold}").format(
            value=_n(v["standing"]), threshold=_n(v["threshold"]))
    elif "satisfaction" in v:
        detail = _("satisfaction {value}").format(value=_n(v["satisfaction"]))
    extra = f" ({detail})" if detail else ""
    return _("{organisation} ({sector}) left: {why}{detail}").format(
        organisation=organisation_name(model, org_id), sector=_(v["sector"]), why=why,
        detail=extra)


def _stage_changed(model: PartnershipModel, row: Event) -> str:
    v = row.values
    return _("moved to the {stage} stage (trust {trust}, satisfaction {satisfaction})").format(
        stage=_(v["stage"]), trust=_n(v["trust"]), satisfaction=_n(v["satisfaction"]))


def _evaluated(model: PartnershipModel, row: Event) -> str:
    v = row.values
    text = _("evaluation decided: {decision}; {status}").format(decision=_(row.cause),
                                                              status=_status_words(v))
    if "progress" in v:
        text += "; " + _("{share} of its goal reached").format(share=_share(v["progress"]))
    return text


def _funding_ended(model: PartnershipModel, row: Event) -> str:
    v = row.values
    return _("its grant ended; members bring {share} of its money themselves (satisfaction "
             "{satisfaction})").format(share=_share(v["own_share"]),
                                        satisfaction=_n(v["satisfaction"]))


def _funding_renewed(model: PartnershipModel, row: Event) -> str:
    return _("its grant ended and was replaced by a structural budget")


def _dissolved(model: PartnershipModel, row: Event) -> str:
    v = row.values
    cause = row.cause
    why = _(CAUSE_IN_WORDS[cause]) if cause in CAUSE_IN_WORDS else str(cause)
    if cause == EndCause.NEGOTIATION_FAILED:
        return _("ended before launch: {why}").format(why=why)
    return _("ended after {months} in operation: {cause} \u2014 {why}").format(
        months=_months(v["age"]), cause=_(cause), why=why)


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
    return _("month {month}, partnership #{id}: {sentence}").format(
        month=row.month, id=number, sentence=SENTENCES[row.kind](model, row))


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
    return " → ".join(_("{value} (month {month})").format(value=_n(value), month=month)
                      for month, value in points.items())


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
    invited = ngettext("it invited {n} organisation", "it invited {n} organisations",
                       v["invited"]).format(n=v["invited"])
    refused = (_("none refused") if not v["refusals"] else
               ngettext("{n} refused", "{n} refused", v["refusals"]).format(n=v["refusals"]))
    lines = [
        _("Partnership #{id} on {domain}, initiated by {initiator} ({sector})").format(
            id=number, domain=_(start.values["domain"]),
            initiator=organisation_name(model, initiator),
            sector=_(model.organisation_by_id[initiator].sector)),
        "  " + _("Why: {initiator} wanted to act on {domain}, the crime that weighed most on "
                 "it; {invited} and {refused}.").format(
            initiator=organisation_name(model, initiator), domain=_(v["domain"]),
            invited=invited, refused=refused),
    ]
    trust = {start.month: start.values["trust"]}
    satisfaction: dict[int, str] = {}
    launch_month = next((r.month for r in rows if r.kind is EventKind.LAUNCHED), None)
    for row in rows:
        values = row.values
        if row.kind is EventKind.JOINED and row.month == launch_month:
            continue  # founders' expectations are told with the launch
        lines.append("  " + _("month {month}: {sentence}").format(
            month=f"{row.month:>3}", sentence=SENTENCES[row.kind](model, row)))
        if row.kind is EventKind.LAUNCHED:
            expectations = ", ".join(
                f"{organisation_name(model, r.organisation)} {_n(r.values['expectation'])}"
                for r in rows if r.kind is EventKind.JOINED and r.month == launch_month)
            lines.append("             " + _("expectations (1.00 = realistic, higher = "
                                             "over-optimistic): {values}").format(
                values=expectations))
            satisfaction[row.month] = _("{value} at launch").format(
                value=_n(model.p.initial_satisfaction))
        if row.kind in (EventKind.EVALUATED, EventKind.STAGE_CHANGED, EventKind.DISSOLVED) \
                and "trust" in values:
            trust[row.month] = values["trust"]
        if row.kind in (EventKind.EVALUATED, EventKind.DISSOLVED) and _satisfaction_words(values):
            satisfaction[row.month] = _satisfaction_values(values)
    last = rows[-1]
    if last.kind is not EventKind.DISSOLVED:
        partnership = next(p for p in model.partnerships if p.unique_id == partnership_id)
        status = partnership.status_values()
        state = (_("operating at the end of the run; {status}") if partnership.is_operating
                 else _("still negotiating at the end of the run; {status}"))
        lines.append("  " + _("month {month}: {sentence}").format(
            month=f"{model.month:>3}", sentence=state.format(status=_status_words(status))))
        trust[model.month] = status["trust"]
        if _satisfaction_words(status):
            satisfaction[model.month] = _satisfaction_values(status)
    elif last.cause != EndCause.NEGOTIATION_FAILED:
        lines.append("  " + _("By the end: {information}.").format(
            information=_information_words(last.values)))
    lines.append("  " + _("Trust within the partnership: {trajectory}").format(
        trajectory=_trajectory(trust)))
    if satisfaction:
        lines.append("  " + _("Satisfaction: {trajectory}").format(trajectory=" → ".join(
            _("{value} (month {month})").format(value=text, month=month)
            for month, text in satisfaction.items())))
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
        return _("No partnership started negotiating in {months} months.").format(
            months=model.month)
    ended = model.events.of_kind(EventKind.DISSOLVED)
    header = _("{started} partnerships started negotiating in {months} months; {ended} ended, "
               "{running} still running.").format(started=len(started), months=model.month,
                                                  ended=len(ended),
                                                  running=len(started) - len(ended))
    return "\n\n".join([header, *(partnership_story(model, number)
                                   for number in range(1, len(started) + 1))])
