"""A structured, append-only log of everything that happens to partnerships.

Each event is one tuple; turning the log into a table is deferred until someone asks, so
recording costs one ``list.append`` per event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

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


COLUMNS = ("month", "kind", "partnership", "organisation", "others", "cause", "values")


@dataclass
class EventLog:
    """Events as tuples ``(month, kind, partnership, organisation, others, cause, values)``.

    ``partnership`` and ``organisation`` are unique ids or None; ``others`` a tuple of ids;
    ``cause`` a string or None; ``values`` a dict of the numbers that triggered the event
    (for example the satisfaction and the threshold behind an exit).
    """

    rows: list[tuple] = field(default_factory=list)

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
        self.rows.append((month, kind, partnership, organisation, others, cause, values))

    def __len__(self) -> int:
        return len(self.rows)

    def of_kind(self, kind: EventKind) -> list[tuple]:
        return [row for row in self.rows if row[1] is kind]

    def for_partnership(self, partnership: int) -> list[tuple]:
        return [row for row in self.rows if row[2] == partnership]

    def to_frame(self) -> pd.DataFrame:
        """The log as a table; ``values`` stays a column of dicts, ``kind`` of strings."""
        frame = pd.DataFrame(self.rows, columns=list(COLUMNS))
        frame["kind"] = frame["kind"].astype(str)
        return frame
