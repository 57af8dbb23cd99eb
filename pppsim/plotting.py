"""Figures draw names as they are written: no mathtext, so ``$`` in a name is a dollar sign."""

from __future__ import annotations

import functools
from collections.abc import Callable

import matplotlib as mpl

LITERAL_TEXT = {"text.parse_math": False}
"""Matplotlib settings under which every text is drawn literally (a scenario called
``"Cost $5$ k"`` would otherwise be parsed as mathematics, or fail to draw)."""


def literal_text[**P, R](draw: Callable[P, R]) -> Callable[P, R]:
    """Run a drawing function (and everything it draws) with :data:`LITERAL_TEXT`."""

    @functools.wraps(draw)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with mpl.rc_context(LITERAL_TEXT):
            return draw(*args, **kwargs)

    return wrapper
