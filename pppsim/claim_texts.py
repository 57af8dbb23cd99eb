"""What the seed documents say and what the model does, for each claim of :mod:`pppsim.claims`.

The text of docs/claims.md around the measured numbers: ``pppsim claims`` writes the document from
these paragraphs and the verdicts it measured, so prose and numbers cannot drift apart.
"""

from __future__ import annotations

from typing import NamedTuple


class ClaimText(NamedTuple):
    """A claim's heading, what the seeds say, and the mechanism the model has for it."""

    heading: str
    seeds: str
    model: str


TEXTS: dict[int, ClaimText] = {
    1: ClaimText(
        "Barriers to sharing information",
        "information sharing is the core activity of crime-fighting partnerships and is held back "
        "by legal, organisational and technical barriers [001 L220–L252; 002 L1302–L1330].",
        "each barrier lets through only part of what partners are willing to share; a covenant, a "
        "confidentiality agreement and a secure platform each remove part of one barrier. Less "
        "shared means less to follow up, less value for the partners, and earlier exits."),
    2: ClaimText(
        "Scarce follow-up capacity",
        "firms spend time collecting information for police and prosecution, but gain only when "
        "it is followed up; too little or too late follow-up disappoints and demotivates them "
        "[002 L1242].",
        "public members can follow up only as much as their staff allow; a firm's value and its "
        "trust in the public partners fall with the share followed up."),
    3: ClaimText(
        "Trust-based, control-based, or a mix",
        "trust-based governance creates value when goals are complementary but is exposed to "
        "opportunism; control-based governance curbs opportunism but spends effort on agreements "
        "rather than execution; both extremes have drawbacks [002 L1288–L1296].",
        "control curbs free riding (most of it with a little control) and costs overhead (rising "
        "steeply at the control extreme); trust-based governance adds value with complementary "
        "goals."),
    4: ClaimText(
        "More partners, more free riding",
        "a multi-partner partnership is more likely to see free riding than a bilateral one [002 "
        "L575].",
        "the return a member gets from its own contribution falls as 1/n, so the temptation to "
        "withhold grows with the number of partners (Isaac & Walker 1988)."),
    5: ClaimText(
        "Structural funding versus a grant",
        "sustainable funding allows long-term cooperation; the more a partnership depends on "
        "external money, the more its continuity hangs on that source [001 L191–L193; 002 L578].",
        "when a grant ends it is renewed only sometimes; otherwise the members carry on in kind "
        "if they are satisfied and already bring much of the money themselves."),
    6: ClaimText(
        "How often to meet",
        "regular, preferably face-to-face meetings build trust, but too many meetings irritate "
        "[001 L141].",
        "trust built by meeting saturates with frequency, while meeting time and irritation grow "
        "with it."),
    7: ClaimText(
        "A newcomer",
        "trust is easily lost when new partners join an existing partnership [001 L141].",
        "a newcomer dilutes the incumbents' mutual trust and starts with prejudice-based trust "
        "itself; meetings and reliable delivery rebuild it."),
    8: ClaimText(
        "A formal agreement with clear roles",
        "clear roles and formal agreements (memorandum of understanding, covenant) support "
        "continuity [001 L169–L187].",
        "formal agreements take longer to negotiate, but make expectations explicit, give a legal "
        "basis for sharing, make each partner's tasks visible (less free riding) and secure "
        "management support (fewer priority shifts)."),
    9: ClaimText(
        "Regular evaluation",
        "evaluation lets partners decide to adjust or end; without it problems surface late and "
        "parties muddle on [001 L283; 002 L1162–L1187].",
        "a yearly evaluation terminates a partnership whose members are on average below their "
        "exit threshold, lets dissatisfied members leave and be replaced (transform), or realigns "
        "expectations (revitalise); without evaluations dissatisfied members wait longer."),
    10: ClaimText(
        "Umbrella organisations",
        "a public body cannot favour one firm; approaching the sector's federation instead avoids "
        "the appearance of bias [001 L103; 002 L1254].",
        "a public member loses legitimacy each month it partners with a single firm, not with an "
        "umbrella organisation."),
    11: ClaimText(
        "Starting trust",
        "trust starts low because partners barely know each other, so learning each other's "
        "interests takes long [002 L1250; 001 L137–L143].",
        "low trust lengthens negotiation and makes breakdown likelier, and dissatisfied, "
        "distrustful members leave early."),
    12: ClaimText(
        "Funding and engagement need each other",
        "funding without committed partners fails; committed partners without funding achieve "
        "little [001 L216–L218].",
        "joint prevention needs both people and money (a Cobb-Douglas term)."),
}
