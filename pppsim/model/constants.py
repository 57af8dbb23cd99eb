"""The model's fixed structural constants: units, scales and bounds, not behaviour.

Every uncertain behavioural quantity of the model is a parameter in
:mod:`pppsim.parameters`, with its range, units and source, so that it can be swept and
screened.  What stays here is fixed on purpose: each constant defines a unit or a scale, or
bounds what the model represents.  Changing one rescales other quantities rather than changing
what an organisation does, or changes the model's scope; none is a lever of a scenario.

Numbers written inside a mechanism's formula in :mod:`pppsim.model.mechanisms` (the 0.5 weights
of a mean, the slope of a functional form) are part of that formula, and docs/ODD.md §7.2 writes
each formula out with them.

"""

from __future__ import annotations

# --- units and scales ----------------------------------------------------------------------
BASELINE_HARM = 100.0
"""Harm index of each crime domain at the start: the unit of the harm index (harm is reported
relative to it, and ``prevention_effectiveness`` is in its points)."""

ITEMS_PER_FTE = 10.0
"""Information items a full-time analyst collects, or follows up, in a month: the definition of
one information item."""

TRANSACTIONAL_STAGE_VALUE = 1.0
"""Value multiplier of Austin's transactional stage: the reference the other stages' values
(``philanthropic_stage_value``, ``integrative_stage_value``) are relative to [001 L149-L161]."""

# --- bounds of what the model represents ---------------------------------------------------
MAX_MEMBERS = 10
"""Most members a partnership can have: the model represents alliances of a few partners (the
seeds' partnerships have two to about ten members [002 L575, L604]); founders are drawn as
2 + Poisson(``extra_partners_mean``), so the bound rarely binds at the defaults."""
