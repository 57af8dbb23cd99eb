"""Numbers written for readers: the same rounding in every generated sentence and table."""

from __future__ import annotations

import math


def readable(value: float, sign: str = "") -> str:
    """Three significant digits, whole numbers with thousands separators from 100 on.

    ``sign="+"`` writes the sign of positive numbers too; NaN reads 'undefined'.

    Examples
    --------
    >>> readable(0.09234), readable(-3404.2), readable(1.5, "+"), readable(float("nan"))
    ('0.0923', '-3,404', '+1.5', 'undefined')
    """
    if math.isnan(value):
        return "undefined"
    if math.isinf(value):
        return "infinite"
    return f"{value:{sign},.0f}" if abs(value) >= 100 else f"{value:{sign}.3g}"
