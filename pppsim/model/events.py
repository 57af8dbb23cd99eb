"""A structured, append-only log of everything that happens to partnerships.

Each event is one :class:`Event` record; turning the log into a table is deferred until someone
asks, so recording costs one ``list.append`` per event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    import pandas as pd


class EventKind(StrEnum):
    FORMATION_ATTEMPT = "formation attempt"
    FORMATION_FAILED = "formation failed"
    NEGOTIATION_STARTED = "negotiation started"
    NEGOTIATION_FAILED = "negotiation failed"
    NEGOTIATION_SUCCEEDED = "negotiation succeeded"
    LAUNCHED = "launched"
    JOINED = "joined"
    EXITED = "exited"
    STAGE_CHANGED = "stage changed"
    EVALUATED = "evaluated"
    FUNDING_ENDED = "funding ended"
    FUNDING_RENEWED = "funding renewed"
    DISSOLVED = "dissolved"


class Event(NamedTuple):
    """One thing that happened to a partnership, in the month it happened."""

    month: int
    kind: EventKind
    partnership: int | None
    """The partnership's unique id (None for a formation attempt, before there is one)."""
    organisation: int | None
    """The organisation that acted (initiated, joined, left), or None."""
    others: tuple[int, ...]
    """The other organisations involved (invitees, founders, members)."""
    cause: str | None
    """An end cause, an evaluation's decision or a formation failure's reason, or None."""
    values: dict[str, Any]
    """The numbers behind the event (for example the satisfaction and threshold of an exit)."""


COLUMNS = Event._fields
_new_tuple = tuple.__new__


@dataclass
class EventLog:
    """The events of a run, in the order they happened."""

    rows: list[Event] = field(default_factory=list)

    def record(
        self,
        month: int,
        kind: EventKind,
        *,
        partnership: int | None = None,
        organisation: int | None = None,
        others: tuple[int, ...] = (),
        cause: str | None = None,
        **values: Any,
    ) -> None:
        # tuple.__new__ makes what Event(...) makes, without the named tuple's Python-level
        # __new__ (a run records about a thousand events)
        self.rows.append(_new_tuple(Event, (month, kind, partnership, organisation, others,
                                            cause, values)))

    def __len__(self) -> int:
        return len(self.rows)

    def of_kind(self, kind: EventKind) -> list[Event]:
        return [event for event in self.rows if event.kind is kind]

    def for_partnership(self, partnership: int) -> list[Event]:
        return [event for event in self.rows if event.partnership == partnership]

    def to_frame(self) -> pd.DataFrame:
        """The log as a table; ``values`` stays a column of dicts, ``kind`` of strings."""
        import pandas as pd  # here, not at the top: the command line starts without pandas

        frame = pd.DataFrame(self.rows, columns=list(COLUMNS))
        frame["kind"] = frame["kind"].astype(str)
        return frame
