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
relative to this file) and overrides it.  A case of the case library (``scenarios/cases/``)
adds a ``[case]`` table with its history, sources and documented trajectory, checked by
:func:`pppsim.cases.parse_case`; it is not inherited through ``base``.

Shipped scenarios are found by short name (:func:`find_scenario`: ``baseline``,
``high_barriers``, ``cases/<name>`` or a unique file name in a subfolder), and
``--set section.key=value`` changes a loaded scenario with the same checks as a file
(:func:`apply_settings`).
"""

from __future__ import annotations

import difflib
import re
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import ValidationError

from .errors import ScenarioError, describe_os_error, show
from .limits import check_horizon
from .parameters import SECTIONS, Parameters, allowed_range, section_of

_TYPE_WORDS = {str: "a string", int: "an int", float: "a float", bool: "a bool", list: "a list",
               dict: "a table"}
CASE_TABLE = "case"
"""The optional table of a case's history and documented trajectory (:mod:`pppsim.cases`)."""
TOP_LEVEL = {"name": str, "description": str, "months": int, "seed": int, "base": str}
UNCERTAINTY = "uncertainty"
"""The optional ``[uncertainty]`` table: ``posterior = "FOLDER"`` or ``prior = "FILE"``
(docs/calibration.md); read by :mod:`pppsim.calibration.uncertainty`."""
DEFAULT_MONTHS = 120
MAX_FILE_BYTES = 1_000_000
"""Largest scenario, experiment or comparison file read (1 MB; the shipped ones are < 4 kB)."""
TEXT_LIMITS = {"name": 200, "description": 10_000, "base": 4096, "scenario": 4096}
"""Longest allowed string per top-level key, in characters."""


@dataclass(frozen=True)
class Scenario:
    """A named, validated set of parameters with a horizon and a default seed."""

    name: str
    parameters: Parameters = field(default_factory=Parameters)
    description: str = ""
    months: int = DEFAULT_MONTHS
    seed: int = 0
    path: Path | None = None
    case: Any = None
    """A :class:`pppsim.cases.Case` when the file has a ``[case]`` table, else None."""
    uncertainty: Any = None
    """Where uncertain parameters are drawn from per replication (a
    :class:`pppsim.calibration.ParameterDraws`, from the file's ``[uncertainty]``), or None."""

    @property
    def params(self) -> dict[str, Any]:
        """Keyword arguments for ``PartnershipModel``."""
        return self.parameters.model_dump()

    def changed(self, **overrides: Any) -> Scenario:
        """A copy with some parameters replaced (validated)."""
        merged = self.params | overrides
        return Scenario(self.name, validate_parameters(merged, source="overrides"),
                        self.description, self.months, self.seed, self.path, self.uncertainty)

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
        return f"unknown parameter {show(name)}{_suggest(name, list(Parameters.model_fields))}"
    field_info = Parameters.model_fields[name]
    lo, hi = allowed_range(name)
    kind = field_info.annotation.__name__
    allowed = f"{'an' if kind == 'int' else 'a'} {kind}"
    if lo is not None and hi is not None:
        allowed += f" from {lo} to {hi}"
    units = (field_info.json_schema_extra or {}).get("units", "")
    value = error.get("input")
    got = ""
    if error["type"].endswith("_type"):  # strict types: no text, no bool for a number, ...
        got = f", not {_kind_of(value)}"
    return (f"[{section_of(name)}] {name} = {show(value)} is not allowed: "
            f"expected {allowed} ({units}){got}")


def _kind_of(value: Any) -> str:
    """What a TOML value is, in words."""
    kinds = {bool: "a boolean", int: "an integer", float: "a float", str: "text",
             list: "a list", dict: "a table"}
    return next((word for kind, word in kinds.items() if isinstance(value, kind)),
                f"a {type(value).__name__}")


def _read_toml(path: Path) -> dict[str, Any]:
    """Read a TOML file (a regular file of at most :data:`MAX_FILE_BYTES`); one-line errors."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such file") from None
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot be read: {describe_os_error(exc)}") from None
    if stat.S_ISDIR(info.st_mode):
        raise ScenarioError(f"{path}: is a directory, expected a .toml file")
    if not stat.S_ISREG(info.st_mode):
        raise ScenarioError(f"{path}: is not a regular file (a device, pipe or socket); "
                            "expected a .toml file")
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot be read: {describe_os_error(exc)}") from None
    if len(data) > MAX_FILE_BYTES:
        raise ScenarioError(f"{path}: is larger than {MAX_FILE_BYTES:,} bytes; a scenario or "
                            "experiment file is a few kilobytes")
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{path}: is not UTF-8 text (byte {exc.start}); save it as "
                            "UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: malformed TOML: {exc}") from None
    except RecursionError:
        raise ScenarioError(f"{path}: malformed TOML: nested too deeply") from None


def check_text(path: Path | str, key: str, value: str) -> str:
    """Refuse a top-level string longer than its limit in :data:`TEXT_LIMITS`."""
    limit = TEXT_LIMITS.get(key)
    if limit is not None and len(value) > limit:
        raise ScenarioError(f"{path}: '{key}' is {len(value):,} characters long; at most "
                            f"{limit:,} are allowed")
    if key in ("base", "scenario") and "\0" in value:
        raise ScenarioError(f"{path}: '{key}' = {show(value)} is not a file name")
    return value


def _flatten(path: Path, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split a scenario table into top-level settings and flat parameters; reject unknowns."""
    top: dict[str, Any] = {}
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if key in TOP_LEVEL:
            expected = TOP_LEVEL[key]
            if not isinstance(value, expected) or isinstance(value, bool):
                raise ScenarioError(
                    f"{path}: '{key}' must be {_TYPE_WORDS[expected]}, got {show(value)}")
            top[key] = check_text(path, key, value) if expected is str else value
            continue
        if key == CASE_TABLE:
            if not isinstance(value, dict):
                raise ScenarioError(f"{path}: '{key}' must be a table [{key}], got {show(value)}")
            top[key] = value
            continue
        if key == UNCERTAINTY:
            top[key] = value
            continue
        if key not in SECTIONS:
            if key in Parameters.model_fields:
                raise ScenarioError(
                    f"{path}: '{key}' must be inside section [{section_of(key)}]")
            raise ScenarioError(
                f"{path}: unknown key {show(key)}"
                f"{_suggest(key, [*SECTIONS, *TOP_LEVEL, CASE_TABLE, UNCERTAINTY])}; "
                f"sections are {', '.join(SECTIONS)} (and {CASE_TABLE}, {UNCERTAINTY})")
        if not isinstance(value, dict):
            raise ScenarioError(
                f"{path}: '{key}' must be a section [{key}], got {show(value)}")
        for name, v in value.items():
            if name not in Parameters.model_fields:
                raise ScenarioError(
                    f"{path}: unknown parameter {show(name)} in [{key}]"
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
            raise ScenarioError(f"{path}: base = {show(top['base'])}: no such file ({base_path})")
        base = load_scenario(base_path, (*_seen, path.resolve()))
        base_params = base.params
        base_top = {"months": base.months, "seed": base.seed,
                    UNCERTAINTY: base.uncertainty}
    months = top.get("months", base_top.get("months", DEFAULT_MONTHS))
    seed = top.get("seed", base_top.get("seed", 0))
    check_horizon(str(path), months, seed, ScenarioError)
    parameters = validate_parameters(base_params | flat, source=str(path))
    case = None
    if CASE_TABLE in top:
        from .cases import parse_case

        case = parse_case(path, top[CASE_TABLE])
    uncertainty = base_top.get(UNCERTAINTY)
    if UNCERTAINTY in top:
        from .calibration.uncertainty import uncertainty_from_table

        uncertainty = uncertainty_from_table(top[UNCERTAINTY], base=path.parent,
                                             source=str(path))
    return Scenario(
        name=top.get("name", path.stem.replace("_", " ")),
        parameters=parameters,
        description=top.get("description", ""),
        months=months,
        seed=seed,
        path=path,
        case=case,
        uncertainty=uncertainty,
    )


# --- shipped scenarios, found by short name -------------------------------------------------
SCENARIO_SUFFIX = ".toml"


def shipped_folder() -> Path:
    """The folder of the scenarios that ship with pppsim (the checkout's ``scenarios/``, or the
    wheel's copy: :mod:`pppsim.library`)."""
    from .library import SCENARIO_DIR

    return SCENARIO_DIR


def shipped_scenarios() -> dict[str, Path]:
    """Short name -> file of every shipped scenario, subfolders included (``cases/x``),
    sorted with the top folder first; empty when the folder is missing."""
    folder = shipped_folder()
    if not folder.is_dir():
        return {}
    files = sorted(folder.rglob(f"*{SCENARIO_SUFFIX}"),
                   key=lambda f: (len(f.relative_to(folder).parts), f.as_posix()))
    return {f.relative_to(folder).with_suffix("").as_posix(): f for f in files if f.is_file()}


def find_scenario(name: str | Path) -> Path:
    """A scenario file: ``name`` itself when it is a file, else the shipped scenario of that
    short name (``baseline``, ``cases/holsteiner``, or a file name unique among the
    subfolders; ``.toml`` may be added).  A ScenarioError (one line) otherwise."""
    path = Path(name)
    if path.exists():  # a file, or a folder or device that loading then refuses in one line
        return path
    shipped = shipped_scenarios()
    key = path.as_posix().removesuffix(SCENARIO_SUFFIX)
    if key in shipped:
        return shipped[key]
    same_name = [short for short in shipped if short.rsplit("/", 1)[-1] == key]
    if len(same_name) == 1:
        return shipped[same_name[0]]
    if len(same_name) > 1:
        raise ScenarioError(f"{name}: several shipped scenarios have this name "
                            f"({', '.join(same_name)}); give one of them")
    raise ScenarioError(f"{name}: no such file or shipped scenario"
                        f"{_suggest(key, list(shipped))} (pppsim scenarios lists them)")


def open_scenario(name: str | Path, settings: tuple[str, ...] | list[str] = ()) -> Scenario:
    """The scenario of a file or shipped short name (:func:`find_scenario`), changed by
    ``--set`` settings (:func:`apply_settings`)."""
    return apply_settings(load_scenario(find_scenario(name)), settings)


def scenario_summary(path: Path) -> tuple[str, str]:
    """(name, description) of a scenario file, read without validating its parameters, so
    a listing never fails on a file with tables this version does not know."""
    data = _read_toml(path)
    name, description = data.get("name"), data.get("description", "")
    return (name if isinstance(name, str) else path.stem.replace("_", " "),
            description if isinstance(description, str) else "")


# --- --set section.key=value ------------------------------------------------------------------
SETTABLE_TOP_LEVEL = ("name", "description", "months", "seed")
"""Top-level keys ``--set`` may change (``base`` names a file: write a scenario for that)."""


def parse_setting(text: str) -> tuple[str, str, Any]:
    """``"section.key=value"`` -> (section, key, value); ``"months=60"`` -> ("", "months", 60).

    The value is read as a TOML value (``0.8``, ``3``, ``true``, ``"formal"``); a bare word
    that is not TOML is taken as text, so ``agreement=formal`` needs no quotes.  Types are
    then checked strictly, as in a scenario file.
    """
    where = f"--set {show(text)}"
    head, equals, raw = text.partition("=")
    head, raw = head.strip(), raw.strip()
    if not equals or not head or not raw:
        raise ScenarioError(f"{where}: expected section.key=value, e.g. "
                            "information_sharing.legal_barrier=0.2")
    section, _, key = head.rpartition(".")
    if re.fullmatch(r"[-+]?\d+,\d+", raw):
        raise ScenarioError(f"{where}: write decimals with a point, as in a scenario file: "
                            f"{head}={raw.replace(',', '.')}")
    try:
        value = tomllib.loads(f"value = {raw}")["value"]
    except tomllib.TOMLDecodeError:
        value = raw
    return section, key, value


def apply_settings(scenario: Scenario, settings: tuple[str, ...] | list[str]) -> Scenario:
    """``scenario`` changed by ``--set`` settings, each checked exactly like a scenario file
    (known section and key, strict type, allowed range; 'did you mean' for a typo).

    A changed scenario keeps its name, description and file unless a setting gives them.
    """
    if not settings:
        return scenario
    data: dict[str, Any] = {}
    for text in settings:
        section, key, value = parse_setting(text)
        where = f"--set {show(text)}"
        if not section:
            if key not in SETTABLE_TOP_LEVEL:
                if key in Parameters.model_fields:
                    raise ScenarioError(f"{where}: write {section_of(key)}.{key}=...")
                raise ScenarioError(f"{where}: unknown key {show(key)}"
                                    f"{_suggest(key, list(SETTABLE_TOP_LEVEL))}; give "
                                    "section.key=value (pppsim parameters lists them)")
            _flatten(where, {key: value})
            data[key] = value
        else:
            _, single = _flatten(where, {section: {key: value}})
            validate_parameters(scenario.params | single, source=where)
            data.setdefault(section, {})[key] = value
    top, flat = _flatten("--set", data)
    parameters = validate_parameters(scenario.params | flat, source="--set")
    months = top.get("months", scenario.months)
    seed = top.get("seed", scenario.seed)
    check_horizon("--set", months, seed, ScenarioError)
    return Scenario(name=top.get("name", scenario.name), parameters=parameters,
                    description=top.get("description", scenario.description), months=months,
                    seed=seed, path=scenario.path)


def settings_label(settings: tuple[str, ...] | list[str]) -> str:
    """The parameters ``--set`` changes, in short: ``legal_barrier = 0.1, platform = true``."""
    parts = []
    for text in settings:
        _, key, value = parse_setting(text)
        parts.append(f"{key} = {show(value)}")
    return ", ".join(parts)


def scenario_to_toml(scenario: Scenario, *, only_changed: bool = True) -> str:
    """Write a scenario back as TOML (parameters that differ from the defaults, by default).

    Written with tomli-w, so any name or description (quotes, backslashes, newlines) reads
    back unchanged, and :func:`load_scenario` of the text gives the same parameters.
    """
    defaults = Parameters().model_dump()
    document: dict[str, Any] = {"name": scenario.name}
    if scenario.description:
        document["description"] = scenario.description
    document |= {"months": scenario.months, "seed": scenario.seed}
    for name, value in scenario.params.items():
        if only_changed and value == defaults[name]:
            continue
        document.setdefault(section_of(name), {})[name] = value
    ordered = {k: v for k, v in document.items() if k not in SECTIONS}
    ordered |= {section: document[section] for section in SECTIONS if section in document}
    return tomli_w.dumps(ordered)
