"""The model's changing state held in arrays: organisations, trust ties and memberships.

The month of joint work (:func:`~pppsim.model.partnership.operation.operate_all`), the
organisations' month's end and the reporters compute on these arrays for every member,
pair of members and organisation at once.  The agents are the public face: an
:class:`~pppsim.model.organisation.Organisation`'s ``standing``, ``capability``,
``capacity_level`` and ``trust`` and a partnership's :class:`MemberLedger` read and write the
arrays here, so that the event log, the teaching page, the outputs and the tests see one
state, never a copy of it.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from functools import cache
from typing import Any

import numpy as np

from . import accelerator
from .constants import MAX_MEMBERS
from .mechanisms import within
from .vocabulary import GRIEVANCE_CAUSES


@cache
def ordered_pairs(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Every ordered pair of ``n`` members, as positions: (truster, trusted), truster by
    truster (made once for each ``n``, read-only)."""
    truster, trusted = np.nonzero(~np.eye(n, dtype=bool))
    truster.flags.writeable = trusted.flags.writeable = False
    return truster, trusted


def room_of(seats_taken, seat_limit, promised_fte, commitment_fte, capacity_fte,
            capacity_level):
    """Whether an organisation can take on one more partnership: a free seat, and the staff
    to commit to it within its capacity this month [002 L439, L741].  Elementwise."""
    return (seats_taken < seat_limit) & (
        promised_fte + commitment_fte <= capacity_fte * capacity_level + 1e-9)


def able_to_initiate(seats_taken, seat_limit, promised_fte, commitment_fte, capacity_fte,
                     capacity_level, is_umbrella):
    """The places of the organisations that could start a partnership: room for one more
    (:func:`room_of`), and not a sector's umbrella organisation (which is approached, never
    initiates).  One source for both ways of running: compiled where the accelerator is on
    (:func:`pppsim.model.accelerator.compiled_or_not`)."""
    return np.flatnonzero(room_of(seats_taken, seat_limit, promised_fte, commitment_fte,
                                  capacity_fte, capacity_level) & ~is_umbrella)


def overcommitted_of(promised_fte, capacity_fte, capacity_level, overstretch: float):
    """Whether an organisation has promised clearly more staff than it has: it can stretch by
    ``overstretch``, no more [002 L1061; 001 L201-L205].  Elementwise."""
    available = capacity_fte * capacity_level
    return promised_fte > overstretch * available + 1e-9


class OrganisationArrays:
    """Per organisation, in the order of ``model.organisations`` (index = ``unique_id - 1``):
    what changes month by month, and the fixed traits the monthly computations read."""

    def __init__(self, n: int) -> None:
        self.standing = np.zeros(n)
        """Legitimacy of a public body, reputation of a firm [002 L1254-L1258]."""
        self.capability = np.zeros(n)
        """PPP capability [002 L1554-L1570]."""
        self.capacity_level = np.ones(n)
        """Share of its staff it can give to partnerships this month [002 L439, L741]."""
        self.trust = np.full((n, n), np.nan)
        """Directed trust, row: truster, column: trusted; NaN where the truster does not know
        the other yet (its trust is then its sector prejudice, :attr:`prejudice`)."""
        self.prejudice = np.zeros((n, 2))
        """Trust in an organisation not yet known: column 1 if that one is public, else 0."""
        self.is_public = np.zeros(n, dtype=bool)
        self.is_umbrella = np.zeros(n, dtype=bool)
        self.information = np.zeros(n)
        self.motives = np.zeros((n, 3))
        self.capacity_fte = np.zeros(n)
        self.commitment_fte = np.zeros(n)
        """Staff it puts into each partnership it joins."""
        self.seat_limit = np.zeros(n, dtype=np.intp)
        self.seats_taken = np.zeros(n, dtype=np.intp)
        """Partnerships it is in or negotiating."""
        self.promised_fte = np.zeros(n)
        """Staff promised to the partnerships it is a member of."""
        self._pair_label = np.empty(n * n, dtype=np.intp)
        """Scratch for :meth:`move_trust`: for each ordered pair of organisations (flat index
        of :attr:`trust`), a position of that pair in the last call's arguments (only the
        entries written by that call are meaningful; never read outside it).  Of the index
        type: written and read as it is, with no conversion (one word per pair, as the trust)."""

    def room(self, index: np.ndarray | int | None = None) -> np.ndarray:
        """Whether each organisation (or those at ``index``) can take on one more partnership:
        a free seat and the staff for it (:func:`room_of`; for every organisation, compiled
        where the accelerator is on)."""
        if index is None:
            return accelerator.compiled_or_not(room_of)(
                self.seats_taken, self.seat_limit, self.promised_fte, self.commitment_fte,
                self.capacity_fte, self.capacity_level)
        return room_of(self.seats_taken[index], self.seat_limit[index],
                       self.promised_fte[index], self.commitment_fte[index],
                       self.capacity_fte[index], self.capacity_level[index])

    def able_to_initiate(self) -> np.ndarray:
        """The places of the organisations that could start a partnership
        (:func:`able_to_initiate`)."""
        return accelerator.compiled_or_not(able_to_initiate)(
            self.seats_taken, self.seat_limit, self.promised_fte, self.commitment_fte,
            self.capacity_fte, self.capacity_level, self.is_umbrella)

    def overcommitted(self, overstretch: float,
                      index: np.ndarray | int | None = None) -> np.ndarray:
        """Whether each organisation (or those at ``index``) has promised clearly more staff
        than it has (:func:`overcommitted_of`; for every organisation, compiled where the
        accelerator is on)."""
        if index is None:
            return accelerator.compiled_or_not(overcommitted_of)(
                self.promised_fte, self.capacity_fte, self.capacity_level, overstretch)
        return overcommitted_of(self.promised_fte[index], self.capacity_fte[index],
                                self.capacity_level[index], overstretch)

    def make_ties(self, truster: np.ndarray, trusted: np.ndarray) -> None:
        """Each ``truster`` comes to know each ``trusted`` (index arrays of equal length): a
        tie not made yet starts at the truster's sector prejudice; a tie already made keeps
        its trust."""
        unknown = np.isnan(self.trust[truster, trusted])
        truster, trusted = truster[unknown], trusted[unknown]
        self.trust[truster, trusted] = self.prejudice_of(truster, trusted)

    def prejudice_of(self, truster: np.ndarray, trusted: np.ndarray) -> np.ndarray:
        """Each ``truster``'s trust in each ``trusted`` before it knows it: its sector
        prejudice towards that one's sector."""
        return self.prejudice[truster, self.is_public[trusted].astype(np.intp)]

    def pair_keys(self, truster: np.ndarray, trusted: np.ndarray) -> np.ndarray:
        """The flat index in :attr:`trust` of each ordered pair (``truster``, ``trusted``)."""
        return truster * len(self.trust) + trusted

    def move_trust(self, keys: np.ndarray, start: np.ndarray, change: np.ndarray) -> np.ndarray:
        """Move the trust of ordered pairs (flat indices ``keys``, as :meth:`pair_keys`; a pair
        may occur more than once) from ``start`` (its trust before, the same at each of its
        occurrences) by the sum of its ``change`` over its occurrences, added in their order,
        within [0, 1]; write it into :attr:`trust` and return it for each occurrence.

        Each occurrence is labelled with one position of its pair (the scratch
        ``_pair_label``, written then read at ``keys``), so that one ``bincount`` sums each
        pair's changes in order; the same as labelling the pairs with ``np.unique``, without
        its sorting."""
        label = self._pair_label
        label[keys] = np.arange(len(keys), dtype=np.intp)
        label = label[keys]
        new = within(start + np.bincount(label, weights=change, minlength=len(keys))[label],
                     0.0, 1.0)
        self.trust.put(keys, new)  # as ``.flat[keys] = new``, at a fraction of its cost
        return new

    def known_trust(self, truster: np.ndarray | int, trusted: np.ndarray,
                    keys: np.ndarray | None = None) -> np.ndarray:
        """Trust of each ``truster`` in each ``trusted`` (index arrays of equal length, or one
        truster's index and an index array), its sector prejudice where it does not know that
        one yet.  ``keys``: the pairs' :meth:`pair_keys`, if the caller has them (one gather
        from the flat matrix)."""
        trust = self.trust[truster, trusted] if keys is None else self.trust.take(keys)
        unknown = np.isnan(trust)
        if unknown.any():
            if isinstance(truster, np.ndarray):
                truster = truster[unknown]
            trust[unknown] = self.prejudice_of(truster, trusted[unknown])
        return trust


class TrustTies(MutableMapping[int, float]):
    """One organisation's trust in the organisations it knows, by ``unique_id``: a view of
    its row of :attr:`OrganisationArrays.trust`.  Iterates in ``unique_id`` order."""

    __slots__ = ("_row",)

    def __init__(self, row: np.ndarray) -> None:
        self._row = row

    def __getitem__(self, uid: int) -> float:
        value = self._row[uid - 1] if uid >= 1 else np.nan
        if value != value:
            raise KeyError(uid)
        return float(value)

    def get(self, uid: int, default: float | None = None) -> float | None:
        value = self._row[uid - 1]
        return default if value != value else float(value)

    def __setitem__(self, uid: int, trust: float) -> None:
        if not 0.0 <= trust <= 1.0:
            raise ValueError(f"trust {trust!r} outside [0, 1]")
        self._row[uid - 1] = trust

    def __delitem__(self, uid: int) -> None:
        self[uid]  # KeyError if not known
        self._row[uid - 1] = np.nan

    def ids(self) -> np.ndarray:
        """The ``unique_id`` of every organisation known, ascending."""
        return np.flatnonzero(~np.isnan(self._row)) + 1

    def __iter__(self) -> Iterator[int]:
        return iter(self.ids().tolist())

    def __len__(self) -> int:
        return int(np.count_nonzero(~np.isnan(self._row)))

    def __contains__(self, uid: object) -> bool:
        return isinstance(uid, int) and 1 <= uid <= len(self._row) and \
            self._row[uid - 1] == self._row[uid - 1]

    def clear(self) -> None:
        self._row[:] = np.nan


class Table:
    """Columns of numbers, one row per member or partnership ever created (rows are never
    reused, so an ended one still reads what it was when it ended).  ``FLOATS`` and ``INTS``
    name one-number columns; ``vectors`` maps a column's name to its width (of integers for
    those named in ``INT_VECTORS``, else of floats)."""

    FLOATS: tuple[str, ...] = ()
    INTS: tuple[str, ...] = ()
    INT_VECTORS: tuple[str, ...] = ()

    def __init__(self, vectors: dict[str, int], capacity: int = 256) -> None:
        self.size = 0
        self.vectors = vectors
        self._allocate(capacity)

    def _allocate(self, capacity: int) -> None:
        old = {name: getattr(self, name) for name in (*self.FLOATS, *self.INTS, *self.vectors)
               if hasattr(self, name)}
        for name in self.FLOATS:
            setattr(self, name, np.zeros(capacity))
        for name in self.INTS:
            setattr(self, name, np.zeros(capacity, dtype=np.intp))
        for name, width in self.vectors.items():
            setattr(self, name, np.zeros((capacity, width),
                                         dtype=np.intp if name in self.INT_VECTORS else float))
        for name, column in old.items():
            getattr(self, name)[:len(column)] = column
        self.capacity = capacity

    def add(self, **values: float) -> int:
        """A new row with the given values (the rest zero); its index."""
        row = self.size
        if row == self.capacity:
            self._allocate(2 * self.capacity)
        self.size = row + 1
        for name, value in values.items():
            getattr(self, name)[row] = value
        return row

    def add_rows(self, count: int, **values: Any) -> range:
        """``count`` new rows with the given values (for each column one value for all the
        rows or a sequence of one per row; the rest zero); their indices."""
        while self.size + count > self.capacity:
            self._allocate(2 * self.capacity)
        rows = range(self.size, self.size + count)
        self.size += count
        for name, value in values.items():
            getattr(self, name)[rows.start:rows.stop] = value
        return rows


class MemberTable(Table):
    """Every membership of the run, one row each: its partnership's row of the partnership
    table (``partnership``) and whether it is current (1) or has ended (0) among them."""

    FLOATS = ("commitment_fte", "commitment_keur", "expectation", "optimism", "domain_fit",
              "satisfaction", "alignment", "value", "effort_fte", "money_keur", "free_riding",
              "shared", "temptation", "incident_chance")
    INTS = ("joined_month", "months_dissatisfied", "organisation", "partnership", "current")

    def __init__(self) -> None:
        super().__init__({"value_by_motive": 3, "grievances": len(GRIEVANCE_CAUSES)})


class PartnershipTable(Table):
    """Every partnership of the run, one row each: its stage, what its months of operation
    added up to, what moved in its last month, its pipeline of output on its way to
    lowering harm (a ring of ``prevention_delay_months + 1`` months), what its month of
    joint work takes from its members, design and funding
    (:meth:`~pppsim.model.partnership.operation.Operation.month_terms`, written when they
    change), the crime domains it takes on (the first ``domain_count`` entries of its
    row of ``domains``), the month since which it has been failing (-1 while it is not),
    and its founders' places in the organisation arrays (the first ``founder_count`` entries
    of its row of ``founders``)."""

    FLOATS = ("prevented_total", "shared_total", "shared_private_total", "followed_total",
              "shared_private", "shared_public", "followed", "output", "matured", "trust")
    INTS = ("stage", "months_operated", "domain_count", "failing_since", "founder_count")
    INT_VECTORS = ("domains", "founders")

    def __init__(self, delay_months: int, terms: int, domains: int,
                 founders: int = MAX_MEMBERS) -> None:
        super().__init__({"pipeline": delay_months + 1, "terms": terms, "domains": domains,
                          "founders": founders}, capacity=64)
        self.delay = delay_months


class MemberLedger:
    """What one member puts into and gets out of a partnership: a view of its row of the
    model's :class:`MemberTable`."""

    __slots__ = ("_table", "row")

    def __init__(self, table: MemberTable, row: int) -> None:
        self._table = table
        self.row = row

    def __repr__(self) -> str:
        return (f"MemberLedger(row={self.row}, satisfaction={self.satisfaction:.3f}, "
                f"free_riding={self.free_riding:.3f})")


def column(name: str, kind: type = float, doc: str | None = None, *, table: str = "_table",
           row: str = "row") -> property:
    """A property that reads and writes column ``name`` of the arrays ``self.<table>`` at
    ``self.<row>`` (``kind`` converts the value read)."""
    def get(self):
        return kind(getattr(getattr(self, table), name)[getattr(self, row)])

    def set(self, value) -> None:
        getattr(getattr(self, table), name)[getattr(self, row)] = value

    return property(get, set, doc=doc)


def _as_tuple(values: np.ndarray) -> tuple[float, ...]:
    return tuple(values.tolist())


for _name in MemberTable.FLOATS:
    setattr(MemberLedger, _name, column(_name))
for _name in MemberTable.INTS:
    setattr(MemberLedger, _name, column(_name, int))
MemberLedger.value_by_motive = column(
    "value_by_motive", _as_tuple,
    "This month's value to the member by motive: societal, organisational, individual.")
MemberLedger.grievances = column(
    "grievances", np.array,
    "Each cause's pull on satisfaction as the member remembers it, in GRIEVANCE_CAUSES order "
    "(:func:`~pppsim.model.mechanisms.satisfaction_pulls`): its dissatisfaction by cause.")


class PreventionLog:
    """Every month's prevention by every partnership: (partnership row, month, domain, share of
    the domain's underlying harm it prevented), appended a month at a time.

    A month's arrays are kept as they come and made into entries (those with a share above
    0) only when the entries are read, all months at once: the month of joint work appends
    every month, the entries are read at the end of a run."""

    def __init__(self) -> None:
        self._months: list[tuple[np.ndarray, int, np.ndarray, np.ndarray]] = []
        """Months appended since the entries were last made."""
        self._all = np.zeros((0, 4))

    def append(self, rows: np.ndarray, month: int, domains: np.ndarray,
               shares: np.ndarray) -> None:
        """One month's prevention: each partnership's row, domain and share (arrays of equal
        length, kept: not to be changed afterwards)."""
        self._months.append((rows, month, domains, shares))

    def entries(self) -> np.ndarray:
        """Every entry, one row each: partnership row, month, domain, share."""
        if self._months:
            months = self._months
            shares = np.concatenate([m[3] for m in months])
            kept = shares > 0.0
            entries = np.empty((int(kept.sum()), 4))
            entries[:, 0] = np.concatenate([m[0] for m in months])[kept]
            entries[:, 1] = np.repeat([m[1] for m in months], [len(m[3]) for m in months])[kept]
            entries[:, 2] = np.concatenate([m[2] for m in months])[kept]
            entries[:, 3] = shares[kept]
            self._all = np.concatenate([self._all, entries])
            self._months = []
        return self._all

    def of(self, row: int) -> list[tuple[int, int, float]]:
        """(month, domain, share) of one partnership's entries, in the order prevented."""
        entries = self.entries()
        mine = entries[entries[:, 0] == row]
        return [(int(m), int(d), float(x)) for m, d, x in mine[:, 1:].tolist()]
