"""The teaching page in a real headless Chromium, with the network blocked: it loads, steps,
plays, resets to the picked scenario and fits a 1024×768 projector.

Set-up installs Debian's ``chromium`` when it is missing (``apt-get install -y chromium``; a
test tool's own browser download does not work here) and fails loudly when it cannot.  The
page's front-end files come from the solara-assets package (a dependency), installed in the
environment's Solara CDN cache.  The server runs with its outbound traffic sent to a dead
proxy and the browser fails every request that does not go to the page's own server, so the
test shows that the page needs no internet.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ARTIFACTS

from pppsim import app
from pppsim.scenario import load_scenario

pytestmark = pytest.mark.browser

PPPSIM = Path(sys.executable).with_name("pppsim")
SERVER_LOGS: dict[str, Path] = {}
"""Each running test server's log, by its address."""
DEAD_PROXY = "http://127.0.0.1:9"
"""Where the server's own outbound requests go: nowhere (the discard port, closed)."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``pppsim app`` on a free port; stopped with Ctrl-C (SIGINT) at the end."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("app") / "server.log"
    with log_path.open("wb") as log:
        local = "127.0.0.1,localhost"
        offline = os.environ | {"HTTP_PROXY": DEAD_PROXY, "HTTPS_PROXY": DEAD_PROXY,
                                "http_proxy": DEAD_PROXY, "https_proxy": DEAD_PROXY,
                                "NO_PROXY": local, "no_proxy": local}
        process = subprocess.Popen([str(PPPSIM), "app", "--port", str(port)], stdout=log,
                                   stderr=subprocess.STDOUT, env=offline)
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    pytest.fail(f"pppsim app did not start:\n{log_path.read_text()[-2000:]}")
                time.sleep(0.5)
        SERVER_LOGS[url] = log_path
        yield url
        process.send_signal(signal.SIGINT)
        try:
            assert process.wait(timeout=30) == 0, "pppsim app did not exit cleanly on Ctrl-C"
        finally:
            if process.poll() is None:
                process.kill()


def test_app_listens_on_localhost_only(server: str) -> None:
    assert server.startswith("http://127.0.0.1:")
    port = int(server.rstrip("/").rsplit(":", 1)[1])
    addresses = {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None,
                                                           socket.AF_INET)} - {"127.0.0.1"}
    for address in addresses:
        with socket.socket() as probe:
            probe.settimeout(2)
            assert probe.connect_ex((address, port)) != 0, f"page reachable on {address}"


def block_the_internet(page: Any) -> list[str]:
    """Fail every request the page makes to anywhere but its own server; return their list."""
    blocked: list[str] = []

    def route(request_route: Any) -> None:
        url = request_route.request.url
        if re.match(r"^(https?|wss?)://(127\.0\.0\.1|localhost)[:/]", url) or \
                url.startswith(("data:", "blob:")):
            request_route.continue_()
        else:
            blocked.append(url)
            request_route.abort("internetdisconnected")

    page.route("**/*", route)
    return blocked


def upload(page: Any, path: Path) -> None:
    """Load a scenario file through the page's upload button and the browser's file chooser."""
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Load settings (.toml)").click()
    chooser.value.set_files(str(path))


def test_page_offline_steps_plays_resets_and_fits_a_projector(
        server: str, browser_page: tuple[Any, list[str]]) -> None:
    from playwright.sync_api import expect

    page, errors = browser_page
    blocked = block_the_internet(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(server)
    feed = page.locator(".pppsim-feed")
    expect(feed).to_contain_text("month 0", timeout=60_000)
    expect(page).to_have_title(app.text.TAB_TITLE, timeout=30_000)
    expect(page.get_by_text("Legal barrier: 0.4 (0–1)")).to_be_visible()
    for hidden in ("Play Interval", "Render Interval", "Use Threads"):
        assert page.get_by_text(hidden).count() == 0, hidden

    # pick a scenario, Reset: the run uses the scenario's values and the seed slider's seed
    page.get_by_label("Scenario or case").click(force=True)
    page.get_by_role("option", name="High barriers", exact=True).click()
    expect(page.get_by_text("Legal barrier: 0.8 (0–1)")).to_be_visible(timeout=30_000)
    seed = page.locator(".v-input").filter(
        has=page.get_by_text("Random seed: 1", exact=True)).get_by_role("slider")
    seed.focus()
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    expect(page.get_by_text("Random seed: 5", exact=True)).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="Reset").click()
    scenario = load_scenario(app.SCENARIO_DIR / "high_barriers.toml")
    expected = app.settings_line(app.new_model(scenario, app.lever_values(scenario)
                                               | {"rng": 5}))
    expected = expected.removeprefix("*This run:* ").replace("*", "")
    expect(page.locator(".pppsim-settings")).to_contain_text(expected, timeout=30_000)

    # save and share: the settings download is a scenario file of this run
    with page.expect_download() as saved:
        page.get_by_text("Save settings (.toml)").click()
    settings = ARTIFACTS / "saved-settings.toml"
    saved.value.save_as(settings)
    again = load_scenario(settings)
    assert again.params == scenario.params and again.seed == 5
    # ... and loading a scenario file sets the sliders and starts its run
    mine = ARTIFACTS / "mine.toml"
    mine.write_text(settings.read_text().replace("seed = 5", "seed = 9")
                    .replace("legal_barrier = 0.8", "legal_barrier = 0.65"))
    upload(page, mine)
    expect(page.get_by_text("Legal barrier: 0.65 (0–1)")).to_be_visible(timeout=30_000)
    expect(page.locator(".pppsim-settings")).to_contain_text("legal barrier 0.65",
                                                             timeout=30_000)
    expect(page.locator(".pppsim-settings")).to_contain_text("seed 9.")
    bad = ARTIFACTS / "bad.toml"
    bad.write_text("[information_sharing]\nlegal_barrier = 3.0\n")
    upload(page, bad)
    expect(page.get_by_text("Not loaded: bad.toml: [information_sharing] legal_barrier = 3.0")
           ).to_be_visible(timeout=30_000)
    page.get_by_label("Scenario or case").click(force=True)
    page.get_by_role("option", name="High barriers", exact=True).click()
    seed = page.locator(".v-input").filter(
        has=page.get_by_text("Random seed: 1", exact=True)).get_by_role("slider")
    seed.focus()
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    page.get_by_role("button", name="Reset").click()
    expect(page.locator(".pppsim-settings")).to_contain_text(expected, timeout=30_000)

    network = page.locator("img").first
    expect(network).to_be_visible()
    plots_before = [page.locator("img").nth(i).get_attribute("src")
                    for i in range(page.locator("img").count())]
    for _ in range(3):
        page.get_by_role("button", name="Step").click()
        page.wait_for_timeout(500)
    expect(feed).to_contain_text("month 3", timeout=30_000)
    page.get_by_role("button", name="▶ Play").click()
    expect(feed).to_contain_text(re.compile(r"partnership #\d+: launched by"), timeout=120_000)
    page.wait_for_timeout(2000)
    page.get_by_role("button", name="❚❚ Pause").click()
    deadline = time.monotonic() + 60
    while True:
        plots_after = [page.locator("img").nth(i).get_attribute("src")
                       for i in range(page.locator("img").count())]
        redrawn = all(a != b for a, b in zip(plots_before, plots_after, strict=False))
        if redrawn or time.monotonic() > deadline:
            break
        page.wait_for_timeout(500)
    assert len(plots_after) == 5, "network and four plots"
    assert redrawn, "every figure was redrawn"
    with page.expect_download() as data:
        page.get_by_text("Save run data (.csv)").click()
    rows = Path(data.value.path()).read_text().splitlines()
    assert rows[0].startswith("month,") and len(rows) > 1 + 3

    # 1024×768: the controls and the network are on screen, side by side with the levers
    page.evaluate("document.querySelectorAll('*').forEach(e => { e.scrollTop = 0; })")
    page.wait_for_timeout(1000)
    page.screenshot(path=str(ARTIFACTS / "teaching-page-1024x768.png"))
    for name in ("Step", "Reset"):
        box = page.get_by_role("button", name=name).bounding_box()
        assert box and box["x"] + box["width"] <= 1024 and box["y"] + box["height"] <= 768
    levers = page.get_by_text("Levers (applied at Reset)").bounding_box()
    picture = network.bounding_box()
    assert levers and picture and levers["x"] + levers["width"] <= picture["x"], \
        "the levers column does not cover the network"
    assert picture["x"] + picture["width"] <= 1024 + 1
    widest = page.evaluate("Math.max(document.documentElement.scrollWidth, "
                           "document.body.scrollWidth)")
    assert widest <= 1024, f"the page is {widest} px wide: it scrolls sideways"

    # the language setting: the page in Dutch (longer words) still fits the projector
    page.get_by_label("Language").click(force=True)
    page.get_by_role("option", name="Nederlands", exact=True).click()
    expect(page.get_by_text("Juridische drempel: 0,8 (0–1)")).to_be_visible(timeout=30_000)
    expect(feed).to_contain_text("Wat er net gebeurde", timeout=30_000)
    expect(page).to_have_title("pppsim – publiek-private samenwerking tegen criminaliteit")
    page.wait_for_timeout(1000)
    page.screenshot(path=str(ARTIFACTS / "teaching-page-nl-1024x768.png"))
    for name in ("Stap", "Opnieuw"):
        box = page.get_by_role("button", name=name).bounding_box()
        assert box and box["x"] + box["width"] <= 1024 and box["y"] + box["height"] <= 768
    widest = page.evaluate("Math.max(document.documentElement.scrollWidth, "
                           "document.body.scrollWidth)")
    assert widest <= 1024, f"the Dutch page is {widest} px wide: it scrolls sideways"
    assert not errors, f"console errors: {errors}"
    assert not blocked, f"the page reached for the internet: {blocked[:5]}"
    log = SERVER_LOGS[server].read_text(errors="replace")
    assert "Could not load URL" not in log, "the server reached for the internet"
