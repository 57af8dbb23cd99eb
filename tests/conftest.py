"""Shared helpers for the test suite: small model runs, valid random scenarios, TOML files,
the command line in this process, Debian's headless Chromium for the real-browser tests.

The default ``pytest`` runs the fast tier (``-m "not slow and not browser"`` in pyproject.toml);
``pytest --all`` (or ``python3 bootstrap.py test``, as CI does) runs every tier.
"""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import strategies as st

from pppsim.model import PartnershipModel
from pppsim.parameters import parameter_table

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = REPO / "scenarios"
BASELINE = SCENARIOS / "baseline.toml"


@pytest.fixture(scope="session", autouse=True)
def compiled_month_ready() -> None:
    """The compiled month is compiled or loaded once, before any test: a test that times a
    page's Step or starts a sweep's workers does not wait for it (about 35 s with a cold
    cache)."""
    from pppsim.model import accelerator

    accelerator.warm_up()


SMALL_RANGES: dict[str, tuple[int, int]] = {"n_organisations": (10, 60)}
"""Narrower ranges than the schema allows, so that each random example runs fast."""


@dataclass(frozen=True)
class Invocation:
    """What a ``pppsim`` command did: its exit code and what it printed."""

    returncode: int
    stdout: str
    stderr: str


def invoke(*args: str | Path, cwd: Path | None = None) -> Invocation:
    """Run ``pppsim ARGS`` in this process through its entry point (``pppsim.cli.main``).

    The same code path as the installed command, without the start-up of a new interpreter;
    tests of the command's logic use this, a few end-to-end tests run the real executable.
    """
    from pppsim.cli import main

    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.ExitStack() as stack:
        if cwd is not None:
            stack.enter_context(contextlib.chdir(cwd))
        stack.enter_context(contextlib.redirect_stdout(out))
        stack.enter_context(contextlib.redirect_stderr(err))
        try:
            main([str(a) for a in args])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return Invocation(code, out.getvalue(), err.getvalue())


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


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--all", action="store_true",
                     help="run every tier: the fast tests, the slow ones and the browser ones")


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--all"):
        config.option.markexpr = ""


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
"""Flags for headless Chromium as root in a container (no sandbox, no GPU, no background
network traffic), for the real-browser tests."""
ARTIFACTS = REPO / "test-artifacts"


def ensure_chromium() -> str:
    """Debian's chromium, installed with apt-get if missing; fails the test run if it cannot."""
    if not Path(CHROMIUM).exists():
        for command in (["apt-get", "update"], ["apt-get", "install", "-y", "chromium"]):
            done = subprocess.run(command, capture_output=True, text=True, timeout=900)
            if done.returncode != 0:
                pytest.fail(f"cannot install chromium ({' '.join(command)}): "
                            f"{done.stderr.strip()[-500:]}", pytrace=False)
    if not Path(CHROMIUM).exists():
        pytest.fail(f"chromium installed but {CHROMIUM} is missing", pytrace=False)
    return CHROMIUM


@pytest.fixture
def browser_page(tmp_path: Path) -> Iterator[tuple[Any, list[str]]]:
    """A page in headless Chromium (fresh profile) and the list its console and script
    errors are collected in (the favicon's 404 excluded)."""
    from playwright.sync_api import sync_playwright

    chromium = ensure_chromium()
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=chromium, args=CHROMIUM_ARGS,
            viewport={"width": 1000, "height": 1200})
        try:
            page = browser.new_page()
            page.on("console", lambda m: errors.append(m.text)
                    if m.type == "error" and "favicon" not in m.text else None)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            yield page, errors
        finally:
            browser.close()


COMPARED = ("baseline", "high_barriers", "data_sharing_platform")
"""The scenarios of the small comparison, in order (the first is the reference)."""


def small_scenarios(folder: Path, months: int = 48, n_organisations: int = 40) -> list[Path]:
    """Small copies of :data:`COMPARED` in ``folder`` (same names, fewer organisations)."""
    paths = []
    for stem in COMPARED:
        path = folder / f"{stem}.toml"
        path.write_text(f'name = "{stem.replace("_", " ").capitalize()}"\n'
                        f'base = "{SCENARIOS / stem}.toml"\nmonths = {months}\n\n'
                        f"[organisations]\nn_organisations = {n_organisations}\n")
        paths.append(path)
    return paths


@pytest.fixture(scope="session")
def small_comparison(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of ``pppsim compare`` run end to end on three small scenarios (4 runs each,
    40 organisations, 48 months, one worker)."""
    folder = tmp_path_factory.mktemp("compare")
    paths = small_scenarios(folder)
    done = subprocess.run(
        [str(Path(sys.executable).with_name("pppsim")), "compare", *map(str, paths),
         "--replications", "4", "--workers", "1", "--out", str(folder / "out")],
        capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    (folder / "stdout.txt").write_text(done.stdout)
    return folder / "out"


SLOW_FIXTURES = {
    "small_comparison": "runs `pppsim compare` end to end",
    "study": "runs a Sobol study end to end and extends it",
}
"""Fixtures that run a whole command end to end: a test that uses one belongs to the slow tier."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if SLOW_FIXTURES.keys() & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
