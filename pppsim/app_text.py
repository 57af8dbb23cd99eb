"""Every string the teaching page shows, in one place, each marked for the catalogs.

The page (:mod:`pppsim.app`) reads its labels, headings, notes and messages from here only;
figure titles and legend entries are here too.  Each is marked with :func:`~pppsim.i18n.N_`
and translated where it is shown (``_(text.SEED)``) into the page's language (English,
Dutch or Swedish: the catalogs of :mod:`pppsim.i18n`).  Texts with ``{}`` fields are filled
in with ``str.format`` after translation.
"""

from __future__ import annotations

from .i18n import N_

TAB_TITLE = N_("pppsim – public-private partnerships against crime")
PAGE_TITLE = N_("Public-private partnerships against crime: {scenario}")

LEVERS: dict[str, str] = {
    "grant_share": N_("Share funded by a grant"),
    "grant_months": N_("Grant duration"),
    "legal_barrier": N_("Legal barrier"),
    "organisational_barrier": N_("Organisational barrier"),
    "technical_barrier": N_("Technical barrier"),
    "governance": N_("Governance: 0 trust – 1 control"),
    "follow_up_capacity": N_("Follow-up capacity"),
    "initial_trust": N_("Initial trust"),
    "meeting_interval_months": N_("Months between meetings"),
    "n_organisations": N_("Organisations"),
}
"""The sliders' labels; their units come from the parameter schema."""
SEED = N_("Random seed")
SLIDER = N_("{label}: {value} {units}")
"""A slider's label with its current value and units, e.g. ``Legal barrier: 0.4 (0–1)``."""
UNITS: dict[str, str] = {
    "grant_share": N_("of partnerships"),
    "grant_months": N_("months"),
    "legal_barrier": N_("(0–1)"),
    "organisational_barrier": N_("(0–1)"),
    "technical_barrier": N_("(0–1)"),
    "governance": "",
    "follow_up_capacity": N_("× the default"),
    "initial_trust": N_("(0–1)"),
    "meeting_interval_months": N_("months"),
    "n_organisations": "",
}
"""Short units for the slider labels (the schema's units, shortened for a projector)."""

SCENARIO_CARD = N_("Scenario")
SCENARIO_PICKER = N_("Scenario or case")
CASE = N_("case: {name}")
LOADED = N_("loaded: {name}")
LEVERS_CARD = N_("Levers (applied at Reset)")
CONTROLS = {"step": N_("Step"), "play": N_("▶ Play"), "pause": N_("❚❚ Pause"),
            "reset": N_("Reset")}
MONTH = N_("Month {month}")
SAVE_CARD = N_("Save and share")
DOWNLOAD_SETTINGS = N_("Save settings (.toml)")
DOWNLOAD_DATA = N_("Save run data (.csv)")
LOAD_SETTINGS = N_("Load settings (.toml)")
LOAD_ERROR = N_("Not loaded: {error}")
SAVED_NAME = N_("{scenario} (saved from the teaching page)")
SAVED_DESCRIPTION = N_("Settings saved from the teaching page: {scenario} with the levers as "
                       "set.")
SETTINGS_LINE = N_("*This run:* {values}, seed {seed}.")
SETTINGS_ITEM = N_("{label} {value}")
CASE_HEADING = N_("**The case.** {history} *Sources: {sources}.*")
CASE_EXPECTED = N_("**What happened in reality:** {trajectory}.")

NOTE = N_("""
**What am I looking at?** Public bodies (blue) and firms (orange) team up in partnerships
(squares) against crime. Each month some start negotiating, some launch, some members leave and
some partnerships end. **Watch** trust between the sectors, how many partnerships are at each
stage, how satisfied members are and how much they hold back, and crime harm with and without
partnerships. The feed tells, in plain words, what just happened and why. Pick a scenario or
move a slider, then press **Reset**, and **Step** or **▶ Play** to run it month by month.
""")

FEED_TITLE = N_("What just happened (month {month})")
FEED_EMPTY = N_("Nothing has happened yet: press **Step** or **▶ Play**.")

PUBLIC = N_("public")
PRIVATE = N_("private")
LEGEND = {
    "public": N_("public body"),
    "private": N_("firm"),
    "umbrella": N_("umbrella of firms"),
    "negotiating": N_("partnership negotiating"),
    "stage": N_("partnership, {stage}"),
}
MONTH_AXIS = N_("month")
PLOTS = {
    "stages": (N_("Partnerships by stage"), N_("partnerships")),
    "trust": (N_("Trust between sectors"), N_("trust (0–1)")),
    "satisfaction": (N_("Satisfaction and free riding"), N_("share (0–1)")),
    "harm": (N_("Crime harm"), N_("harm index")),
}
"""Each plot's title and y-axis label."""
LINES = {
    "negotiating": N_("negotiating"),
    "trust_public_to_private": N_("public bodies → firms"),
    "trust_private_to_public": N_("firms → public bodies"),
    "trust_in_partnerships": N_("within partnerships"),
    "satisfaction_public": N_("public bodies satisfied"),
    "satisfaction_private": N_("firms satisfied"),
    "free_riding": N_("commitment withheld"),
    "harm_without_prevention": N_("without partnerships"),
    "harm": N_("with partnerships"),
}
"""Legend entries of the plotted monthly outputs."""
STAGE_LINE = N_("{stage} stage")
"""Legend entry of a stage's line (the stage's name is the model's word, translated)."""
LANGUAGE = N_("Language")
"""The label of the page's language setting."""
