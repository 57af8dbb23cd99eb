"""Every string the teaching page shows, in one place (to translate the page, translate this).

The page (:mod:`pppsim.app`) reads its labels, headings, notes and messages from here only;
figure titles and legend entries are here too.  Texts with ``{}`` fields are filled in with
``str.format``.
"""

from __future__ import annotations

TAB_TITLE = "pppsim – public-private partnerships against crime"
PAGE_TITLE = "Public-private partnerships against crime: {scenario}"

LEVERS: dict[str, str] = {
    "grant_share": "Share funded by a grant",
    "grant_months": "Grant duration",
    "legal_barrier": "Legal barrier",
    "organisational_barrier": "Organisational barrier",
    "technical_barrier": "Technical barrier",
    "governance": "Governance: 0 trust – 1 control",
    "follow_up_capacity": "Follow-up capacity",
    "initial_trust": "Initial trust",
    "meeting_interval_months": "Months between meetings",
    "n_organisations": "Organisations",
}
"""The sliders' labels; their units come from the parameter schema."""
SEED = "Random seed"
SLIDER = "{label}: {value} {units}"
"""A slider's label with its current value and units, e.g. ``Legal barrier: 0.4 (0–1)``."""
UNITS: dict[str, str] = {
    "grant_share": "of partnerships",
    "grant_months": "months",
    "legal_barrier": "(0–1)",
    "organisational_barrier": "(0–1)",
    "technical_barrier": "(0–1)",
    "governance": "",
    "follow_up_capacity": "× the default",
    "initial_trust": "(0–1)",
    "meeting_interval_months": "months",
    "n_organisations": "",
}
"""Short units for the slider labels (the schema's units, shortened for a projector)."""

SCENARIO_CARD = "Scenario"
SCENARIO_PICKER = "Scenario or case"
CASE_PREFIX = "case: "
LOADED = "loaded: {name}"
LEVERS_CARD = "Levers (applied at Reset)"
CONTROLS = {"step": "Step", "play": "▶ Play", "pause": "❚❚ Pause", "reset": "Reset"}
MONTH = "Month {month}"
SAVE_CARD = "Save and share"
DOWNLOAD_SETTINGS = "Save settings (.toml)"
DOWNLOAD_DATA = "Save run data (.csv)"
LOAD_SETTINGS = "Load settings (.toml)"
LOAD_ERROR = "Not loaded: {error}"
SAVED_NAME = "{scenario} (saved from the teaching page)"
SAVED_DESCRIPTION = "Settings saved from the teaching page: {scenario} with the levers as set."
SETTINGS_LINE = "*This run:* {values}, seed {seed}."
SETTINGS_ITEM = "{label} {value}"
CASE_HEADING = "**The case.** {history} *Sources: {sources}.*"
CASE_EXPECTED = "**What happened in reality:** {trajectory}."

NOTE = """
**What am I looking at?** Public bodies (blue) and firms (orange) team up in partnerships
(squares) against crime. Each month some start negotiating, some launch, some members leave and
some partnerships end. **Watch** trust between the sectors, how many partnerships are at each
stage, how satisfied members are and how much they hold back, and crime harm with and without
partnerships. The feed tells, in plain words, what just happened and why. Pick a scenario or
move a slider, then press **Reset**, and **Step** or **▶ Play** to run it month by month.
"""

FEED_TITLE = "What just happened (month {month})"
FEED_EMPTY = "Nothing has happened yet: press **Step** or **▶ Play**."

NETWORK_TITLE = "Month {month}: organisations and partnerships"
PUBLIC = "public"
PRIVATE = "private"
LEGEND = {
    "public": "public body",
    "private": "firm",
    "umbrella": "umbrella of firms",
    "negotiating": "partnership negotiating",
    "stage": "partnership, {stage}",
}
MONTH_AXIS = "month"
PLOTS = {
    "stages": ("Partnerships by stage", "partnerships"),
    "trust": ("Trust between sectors", "trust (0–1)"),
    "satisfaction": ("Satisfaction and free riding", "share (0–1)"),
    "harm": ("Crime harm", "harm index"),
}
"""Each plot's title and y-axis label."""
LINES = {
    "negotiating": "negotiating",
    "trust_public_to_private": "public bodies → firms",
    "trust_private_to_public": "firms → public bodies",
    "trust_in_partnerships": "within partnerships",
    "satisfaction_public": "public bodies satisfied",
    "satisfaction_private": "firms satisfied",
    "free_riding": "commitment withheld",
    "harm_without_prevention": "without partnerships",
    "harm": "with partnerships",
}
"""Legend entries of the plotted monthly outputs (stages are named by the stage)."""
