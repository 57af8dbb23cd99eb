"""The experiment engine's error and the digest it names designs and definitions by; apart from
the experiment's definition (which loads pydantic and numpy) so that reading a results folder
does not need those."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ..errors import ScenarioError


class ExperimentError(ScenarioError):
    """An experiment file or results folder is wrong; the message is one line."""


def _digest(data: Any, length: int = 16) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:length]
