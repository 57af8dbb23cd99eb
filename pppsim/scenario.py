"""Scenario files: TOML in, validated parameters out, one-line errors for anything wrong.

A scenario file looks like::

    name = "High barriers"
    description = "Legal and technical barriers to sharing are high."
    months = 120          # optional, the horizon
    seed = 1              # optional, the default seed

    [information_sharing]
    legal_barrier = 0.8

Every key must be a known parameter in its own section (see ``pppsim.parameters``); an omitted
parameter takes its default.  ``base = "baseline.toml"`` starts from another scenario (a path
relative to this file) and overrides it.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .parameters import SECTIONS, Parameters, allowed_range, section_of

TOP_LEVEL = {"name": str, "description": str, "months": int, "seed": int, "base": str}
MONTHS_RANGE = (1, 1200)
"""The horizons a scenario, experiment or command accepts, in months (the one home of the limit)."""
DEFAULT_MONTHS = 120


class ScenarioError(ValueError):
    """A scenario (or experiment) file is missing or wrong; the message is one line."""


@dataclass(frozen=True)
class Scenario:
    """A named, validated set of parameters with a horizon and a default seed."""

    name: str
    parameters: Parameters = field(default_factory=Parameters)
    description: str = ""
    months: int = DEFAULT_MONTHS
    seed: int = 0
    path: Path | None = None

    @property
    def params(self) -> dict[str, Any]:
        """Keyword arguments for ``PartnershipModel``."""
        return self.parameters.model_dump()

    def changed(self, **overrides: Any) -> Scenario:
        """A copy with some parameters replaced (validated)."""
        merged = self.params | overrides
        return Scenario(self.name, validate_parameters(merged, source="overrides"),
                        self.description, self.months, self.seed, self.path)

    def differences(self, other: Scenario) -> dict[str, tuple[Any, Any]]:
        """Parameters whose values differ: name -> (this value, other value)."""
        a, b = self.params, other.params
        return {k: (a[k], b[k]) for k in a if a[k] != b[k]}


def _suggest(name: str, options: list[str]) -> str:
    close = difflib.get_close_matches(name, options, n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def validate_parameters(flat: dict[str, Any], *, source: str) -> Parameters:
    """Validate a flat parameter dict; a ScenarioError names the field and what is allowed."""
    try:
        return Parameters(**flat)
    except ValidationError as exc:
        raise ScenarioError(f"{source}: {_describe(exc)}") from None


def _describe(exc: ValidationError) -> str:
    """One line for the first validation error: field, value, and what is allowed."""
    error = exc.errors()[0]
    loc = [str(x) for x in error["loc"]]
    if not loc:  # a model-level check
        return error["msg"].removeprefix("Value error, ")
    name = loc[0]
    if error["type"] == "extra_forbidden":
        return f"unknown parameter '{name}'{_suggest(name, list(Parameters.model_fields))}"
    field_info = Parameters.model_fields[name]
    lo, hi = allowed_range(name)
    kind = field_info.annotation.__name__
    allowed = f"a {kind}" + (f" from {lo} to {hi}" if lo is not None and hi is not None else "")
    units = (field_info.json_schema_extra or {}).get("units", "")
    return (f"[{section_of(name)}] {name} = {error.get('input')!r} is not allowed: "
            f"expected {allowed} ({units})")


def _read_toml(path: Path) -> dict[str, Any]:
    if not path.exists():
        raise ScenarioError(f"{path}: no such file")
    if path.is_dir():
        raise ScenarioError(f"{path}: is a directory, expected a .toml file")
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: malformed TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot be read: {exc}") from None


def _flatten(path: Path, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split a scenario table into top-level settings and flat parameters; reject unknowns."""
    top: dict[str, Any] = {}
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if key in TOP_LEVEL:
            expected = TOP_LEVEL[key]
            if not isinstance(value, expected) or isinstance(value, bool):
                raise ScenarioError(
                    f"{path}: '{key}' must be a {expected.__name__}, got {value!r}")
            top[key] = value
            continue
        if key not in SECTIONS:
            if key in Parameters.model_fields:
                raise ScenarioError(
                    f"{path}: '{key}' must be inside section [{section_of(key)}]")
            raise ScenarioError(
                f"{path}: unknown key '{key}'"
                f"{_suggest(key, list(SECTIONS) + list(TOP_LEVEL))}; "
                f"sections are {', '.join(SECTIONS)}")
        if not isinstance(value, dict):
            raise ScenarioError(f"{path}: '{key}' must be a section [{key}], got {value!r}")
        for name, v in value.items():
            if name not in Parameters.model_fields:
                raise ScenarioError(
                    f"{path}: unknown parameter '{name}' in [{key}]"
                    f"{_suggest(name, list(Parameters.model_fields))}")
            if section_of(name) != key:
                raise ScenarioError(
                    f"{path}: '{name}' belongs in section [{section_of(name)}], not [{key}]")
            flat[name] = v
    return top, flat


def load_scenario(path: str | Path, _seen: tuple[Path, ...] = ()) -> Scenario:
    """Load and validate a scenario file; raises ScenarioError with a one-line message."""
    path = Path(path)
    data = _read_toml(path)
    top, flat = _flatten(path, data)
    base_params: dict[str, Any] = {}
    base_top: dict[str, Any] = {}
    if "base" in top:
        base_path = (path.parent / top["base"]).resolve()
        if base_path in _seen or base_path == path.resolve():
            raise ScenarioError(f"{path}: 'base' refers back to itself ({top['base']})")
        if not base_path.is_file():
            raise ScenarioError(f"{path}: base = {top['base']!r}: no such file ({base_path})")
        base = load_scenario(base_path, (*_seen, path.resolve()))
        base_params = base.params
        base_top = {"months": base.months, "seed": base.seed}
    months = top.get("months", base_top.get("months", DEFAULT_MONTHS))
    if not MONTHS_RANGE[0] <= months <= MONTHS_RANGE[1]:
        raise ScenarioError(
            f"{path}: months = {months} is not allowed: expected an int from "
            f"{MONTHS_RANGE[0]} to {MONTHS_RANGE[1]} (months)")
    seed = top.get("seed", base_top.get("seed", 0))
    if seed < 0:
        raise ScenarioError(f"{path}: seed = {seed} is not allowed: expected an int >= 0")
    parameters = validate_parameters(base_params | flat, source=str(path))
    return Scenario(
        name=top.get("name", path.stem.replace("_", " ")),
        parameters=parameters,
        description=top.get("description", ""),
        months=months,
        seed=seed,
        path=path,
    )


def scenario_to_toml(scenario: Scenario, *, only_changed: bool = True) -> str:
    """Write a scenario back as TOML (parameters that differ from the defaults, by default)."""
    defaults = Parameters().model_dump()
    lines = [f'name = "{scenario.name}"']
    if scenario.description:
        lines.append(f'description = "{scenario.description}"')
    lines += [f"months = {scenario.months}", f"seed = {scenario.seed}"]
    by_section: dict[str, list[str]] = {}
    for name, value in scenario.params.items():
        if only_changed and value == defaults[name]:
            continue
        text = str(value).lower() if isinstance(value, bool) else repr(value)
        by_section.setdefault(section_of(name), []).append(f"{name} = {text}")
    for section in SECTIONS:
        if section in by_section:
            lines += ["", f"[{section}]", *by_section[section]]
    return "\n".join(lines) + "\n"
