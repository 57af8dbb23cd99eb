"""Per-run tables a sweep can keep, reduced on the worker to the few columns analyses need.

A table is kept when an experiment lists it in ``tables``.  Each run's table travels back to
the main process as a dict of column lists and is stored, column-wise as JSON, next to the
run in the ledger (:class:`~pppsim.experiment.store.ResultStore`).

* ``partnerships`` — one row per *launched* partnership: ``launched_month``,
  ``lifetime_months`` (months in operation, up to its end or to the horizon), ``ended``
  (False: still operating at the horizon, i.e. right-censored) and ``end_cause`` (None when
  it did not end).  This is what Kaplan-Meier survival curves need.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..model import PartnershipModel

PARTNERSHIP_COLUMNS = ("launched_month", "lifetime_months", "ended", "end_cause")


def partnership_lifetimes(model: PartnershipModel) -> dict[str, list[Any]]:
    """The launched partnerships of a run as column lists (see :data:`PARTNERSHIP_COLUMNS`)."""
    from ..model.outputs import partnership_table

    table = partnership_table(model)
    if table.empty:
        return {name: [] for name in PARTNERSHIP_COLUMNS}
    launched = table[table["launched_month"].notna()]
    causes = launched["end_cause"]
    return {"launched_month": launched["launched_month"].astype(int).tolist(),
            "lifetime_months": launched["lifetime_months"].astype(int).tolist(),
            "ended": causes.notna().tolist(),
            "end_cause": [c if isinstance(c, str) else None for c in causes]}


TABLES: dict[str, Callable[[PartnershipModel], dict[str, list[Any]]]] = {
    "partnerships": partnership_lifetimes,
}
"""Tables an experiment can keep, by name, with the function that reduces a model to one."""
