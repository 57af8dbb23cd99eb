"""Shared helpers for the test suite: small model runs, valid random scenarios, TOML files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import strategies as st

from pppsim.model import PartnershipModel
from pppsim.parameters import parameter_table

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = REPO / "scenarios"
BASELINE = SCENARIOS / "baseline.toml"

SMALL_RANGES: dict[str, tuple[int, int]] = {"n_organisations": (10, 60)}
"""Narrower ranges than the schema allows, so that each random example runs fast."""


def run_model(seed: int = 0, months: int = 24, **overrides: Any) -> PartnershipModel:
    """A model with ``overrides`` (default n_organisations=40) run for ``months`` months."""
    model = PartnershipModel(rng=seed, **({"n_organisations": 40} | overrides))
    model.run(months)
    return model


@st.composite
def valid_parameters(draw: st.DrawFn) -> dict[str, Any]:
    """Any parameter set the schema accepts, drawn within each parameter's allowed range.

    ``n_organisations`` is kept small (``SMALL_RANGES``) and the funding shares are drawn so
    that they add up to at most one, as the schema requires.
    """
    params: dict[str, Any] = {}
    for row in parameter_table():
        name, kind = row["name"], row["type"]
        lo, hi = SMALL_RANGES.get(name, (row["min"], row["max"]))
        if kind == "bool":
            params[name] = draw(st.booleans(), label=name)
        elif kind == "int":
            params[name] = draw(st.integers(lo, hi), label=name)
        else:
            if name == "structural_share":
                hi = min(hi, 1.0 - params["grant_share"])
            params[name] = draw(st.floats(lo, hi, allow_nan=False), label=name)
    return params


@pytest.fixture
def toml_file(tmp_path: Path) -> Callable[..., Path]:
    """Write a TOML text to a file in a temporary folder and return its path."""

    def write(text: str, name: str = "scenario.toml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    return write
