"""What the seed documents say and what the model does, for each claim of :mod:`pppsim.claims`.

The text of docs/claims.md around the measured numbers: ``pppsim claims`` writes the document from
these paragraphs and the verdicts it measured, so prose and numbers cannot drift apart.
"""

from __future__ import annotations

from typing import NamedTuple


class ClaimText(NamedTuple):
    """A claim's heading, what the seeds say, the mechanism the model has for it, and what of
    the checked effect is assumed in a mechanism and what emerges from agents' decisions."""

    heading: str
    seeds: str
    model: str
    basis: str
    needs: str = ""
    """Why the claim may not emerge, and what the model would need for it: shown only when a
    run finds that the claim does not hold."""


TEXTS: dict[int, ClaimText] = {
    1: ClaimText(
        "Barriers to sharing information",
        "information sharing is the core activity of crime-fighting partnerships and is held back "
        "by legal, organisational and technical barriers [001 L220–L252; 002 L1302–L1330].",
        "each barrier lets through only part of what partners are willing to share; a covenant, a "
        "confidentiality agreement and a secure platform each remove part of one barrier. Less "
        "shared means less to follow up, less value for the partners, and earlier exits.",
        "Assumed: each barrier stops a share of what would be shared, and acted-on information "
        "adds `information_weight` output per item. Emerges: how much less is followed up once "
        "trust, effort and follow-up capacity interact with the barriers, how much harm that "
        "costs, and whether partnerships end sooner — members leave when the value they "
        "expected does not come, and the cause they give (information blocked, insufficient "
        "value) is the pull that tipped them."),
    2: ClaimText(
        "Scarce follow-up capacity",
        "firms spend time collecting information for police and prosecution, but gain only when "
        "it is followed up; too little or too late follow-up disappoints and demotivates them "
        "[002 L1242].",
        "public members can follow up only as much as their staff allow; a firm's value and its "
        "trust in the public partners fall with the share followed up.",
        "Assumed: public members can follow up only what their capacity allows. Emerges: firms' "
        "value and their trust in the public partners fall, their satisfaction sinks below "
        "their threshold, and they leave; the check is on firms' exits and on the partnerships' "
        "survival, not on satisfaction."),
    3: ClaimText(
        "Trust-based, control-based, or a mix",
        "trust-based governance creates value when goals are complementary but is exposed to "
        "opportunism; control-based governance curbs opportunism but spends effort on agreements "
        "rather than execution; both extremes have drawbacks [002 L1288–L1296].",
        "control curbs free riding (most of it with a little control) and costs overhead (rising "
        "steeply at the control extreme); trust-based governance adds value with complementary "
        "goals.",
        "Assumed: control curbs opportunism concavely and costs convex overhead; trust-based "
        "governance adds value with complementary goals. Emerges: whether a mix prevents most "
        "harm across conditions, through free riding (now amplified by conditional "
        "cooperation), trust, exits and the partnerships' lifetimes.",
        needs=(
            "The best mix prevents more harm than either extreme, but its advantage over pure "
            "control is small next to the spread of harm prevented between runs, so with too few "
            "replications (the quick mode's 16) its interval can include zero. For a clear "
            "advantage at any number of runs, control's overhead would need to weigh more against "
            "its curbing of free riding, as the seeds' \"effort spent on agreements rather than "
            "execution\" suggests [002 L1288–L1296].")),
    4: ClaimText(
        "More partners, more free riding",
        "a multi-partner partnership is more likely to see free riding than a bilateral one [002 "
        "L575].",
        "the return a member gets from its own contribution falls as 1/n, so the temptation to "
        "withhold grows with the number of partners (Isaac & Walker 1988).",
        "Assumed: the temptation to withhold grows as 1 − 1/n (Isaac & Walker 1988), so the "
        "model's free riding rising with the number of partners is built in and is not checked. "
        "Emerges: members who see partners withhold match part of it (conditional cooperation), "
        "partners who under-deliver lose each other's trust; the check is on the trust among "
        "members over the partnership's life.",
        needs=(
            "Members of larger partnerships do withhold more (the built-in 1 − 1/n, spread further "
            "by conditional cooperation), but the trust among them is not lower (the effect above); "
            "this run does not tell why. In the model every partner's delivery is observed exactly "
            "whatever the size of the group. For lost trust to follow, members would need to see "
            "less clearly who withholds in a large group, or to hold the whole group responsible "
            "for what some withhold.")),
    5: ClaimText(
        "Structural funding versus a grant",
        "sustainable funding allows long-term cooperation; the more a partnership depends on "
        "external money, the more its continuity hangs on that source [001 L191–L193; 002 L578].",
        "when a grant ends it is renewed only sometimes; otherwise the members carry on in kind "
        "if they are satisfied and already bring much of the money themselves.",
        "Assumed: a grant ends at its term and is renewed only with "
        "`grant_renewal_probability`; members then carry on in kind with a probability from "
        "their satisfaction and own share of money. Emerges: how many partnerships survive "
        "three years and what share of all endings the grant's end causes."),
    6: ClaimText(
        "How often to meet",
        "regular, preferably face-to-face meetings build trust, but too many meetings irritate "
        "[001 L141].",
        "trust built by meeting saturates with frequency, while meeting time and irritation grow "
        "with it.",
        "Assumed: trust built by meeting saturates, meetings take staff time and irritate above "
        "a tolerated frequency. Emerges: whether harm prevented has a best meeting interval "
        "strictly inside the range, through trust, effort, irritation-driven exits and "
        "lifetimes.",
        needs=(
            "Meeting too rarely costs trust and harm prevented less than meeting too often costs "
            "staff time and irritation: the loss at the infrequent end of the grid is not "
            "distinguishable from zero. For the infrequent end to lose clearly, trust would need to "
            "decay between meetings (it now only grows with them), which the seeds suggest (trust "
            "needs continuous, deliberate effort [001 L141]) but the model does not have.")),
    7: ClaimText(
        "A newcomer",
        "trust is easily lost when new partners join an existing partnership [001 L141].",
        "a newcomer starts with prejudice-based trust towards the members and they towards it; "
        "meetings and reliable delivery build it up.",
        "Assumed: nothing about newcomers beyond the trust every organisation starts with (the "
        "former dilution of incumbents' trust is removed). Emerges: the newcomer's pairs start "
        "from prejudice-based trust, so the partnership's mean trust dips in the month it "
        "joins, and reliable delivery and meetings rebuild it over the following year."),
    8: ClaimText(
        "A formal agreement with clear roles",
        "clear roles and formal agreements (memorandum of understanding, covenant) support "
        "continuity [001 L169–L187].",
        "formal agreements take longer to negotiate, but make expectations explicit, give a legal "
        "basis for sharing and make each partner's tasks visible (less free riding).",
        "Assumed: formality makes expectations explicit, gives a covenant's legal basis for "
        "sharing and makes tasks visible (role clarity); it no longer lowers the chance of "
        "priority shifts (that one-claim constant is removed). Emerges: whether these together "
        "make partnerships survive longer."),
    9: ClaimText(
        "Regular evaluation",
        "evaluation lets partners decide to adjust or end; without it problems surface late and "
        "parties muddle on [001 L283; 002 L1162–L1187].",
        "a yearly evaluation terminates a partnership whose members are on average below their "
        "exit threshold, lets dissatisfied members leave and be replaced (transform), or realigns "
        "expectations (revitalise); every evaluation realigns the partnership's goals with its "
        "members' drifting interests.",
        "Assumed: an evaluation terminates, transforms or revitalises by the members' "
        "satisfaction, and realigns the partnership's goals with its members' drifting "
        "interests; the former longer patience without evaluations is removed. Emerges: how "
        "long partnerships linger with dissatisfied members before they end, and how often "
        "evaluations rescue them.",
        needs=(
            "Regular evaluation rescues partnerships (revitalisations happen), but it does not end "
            "failing partnerships sooner: dissatisfied members leave on their own after "
            "`exit_patience_months` (twice that without an exit strategy), which is about as soon "
            "as a yearly evaluation catches them. The former rule that members wait 1.5 times "
            "longer in partnerships that never evaluate made the claim hold by assumption and was "
            "removed. For the claim to emerge, members would need to learn about each other's "
            "dissatisfaction only at an evaluation (so that without one each waits for the others), "
            "a mechanism of the seeds' \"muddling on\" [002 L1185] that the model does not have.")),
    10: ClaimText(
        "Umbrella organisations",
        "a public body cannot favour one firm; approaching the sector's federation instead avoids "
        "the appearance of bias [001 L103; 002 L1254].",
        "a public member loses legitimacy each month in proportion to how few firms its private "
        "partners represent; an umbrella organisation represents all firms of its kind.",
        "Assumed: a public body loses legitimacy in proportion to how few firms its private "
        "partners represent (one per firm, all firms of its kind for an umbrella organisation), "
        "a cost that applies to every composition rather than to single-firm partnerships only. "
        "Emerges: whether public members leave less often when public initiators partner "
        "through umbrella organisations; the check is on public members' exits, not on "
        "legitimacy itself.",
        needs=(
            "Partnering through an umbrella organisation does keep public members' legitimacy "
            "higher, but at the default cost of favouring few firms (`favouritism_legitimacy_cost`) "
            "legitimacy seldom falls below the level at which a public body leaves, so public exits "
            "do not change measurably. The claim holds for legitimacy itself, not for any outcome "
            "of it; for an outcome, legitimacy would need to weigh in public members' decisions "
            "(their value or the support of their constituency) rather than act only through a "
            "threshold.")),
    11: ClaimText(
        "Starting trust",
        "trust starts low because partners barely know each other, so learning each other's "
        "interests takes long [002 L1250; 001 L137–L143].",
        "low trust lengthens negotiation and makes breakdown likelier, and dissatisfied, "
        "distrustful members leave early.",
        "Assumed: low trust lengthens negotiation and makes breakdown and refusal likelier. "
        "Emerges: how many partnerships form at all, and whether those that do fail early more "
        "often, through trust, sharing, value and exits."),
    12: ClaimText(
        "Funding and engagement need each other",
        "funding without committed partners fails; committed partners without funding achieve "
        "little [001 L216–L218].",
        "joint prevention needs both people and money (a Cobb-Douglas term).",
        "Assumed: joint prevention is a Cobb-Douglas term in people and money, so without "
        "either the joint term is zero; what is checked is largely this assumption. Emerges "
        "only the part through acted-on information and through partnerships' survival: "
        "information acted on still yields some prevention without money, which is why the "
        "checked ratio is not zero."),
}
