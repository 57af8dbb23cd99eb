"""The teaching page in a real headless Chromium: it loads, steps, plays and updates.

Set-up installs what the page needs when it is missing and fails loudly when it cannot:
Debian's ``chromium`` (``apt-get install -y chromium``; a test tool's own browser download
does not work here) and the page's front-end files, which the Solara server normally fetches
from a CDN on first use and caches: here they come from the npm registry with ``npm pack``.
"""

from __future__ import annotations

import re
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ARTIFACTS

pytestmark = pytest.mark.browser

PPPSIM = Path(sys.executable).with_name("pppsim")


def solara_cdn_packages() -> tuple[Path, list[str]]:
    """The Solara server's CDN cache and the npm packages (name@version) its pages load.

    Found by scanning Solara's own files for ``<package>@<version>/dist/`` (the page template,
    requirejs, the grid layout, Markdown's mermaid, ...), plus its font-awesome setting.
    """
    import solara
    from solara.server import settings

    pattern = re.compile(r"((?:@[\w.-]+/)?[\w.-]+@\d[\w.-]*)/(?:dist/|require\.js)")
    found = {settings.assets.fontawesome_path.strip("/").split("/")[0]}
    for path in Path(solara.__file__).parent.rglob("*"):
        if path.suffix in {".py", ".vue", ".js", ".j2"} and path.is_file():
            found.update(pattern.findall(path.read_text(errors="ignore")))
    return Path(settings.assets.proxy_cache_dir), sorted(found)


def ensure_front_end() -> None:
    """Put the page's front-end packages in the Solara CDN cache, from the npm registry."""
    cache, packages = solara_cdn_packages()
    for package in packages:
        target = cache / package
        if target.exists():
            continue
        if shutil.which("npm") is None:
            pytest.fail(f"npm is needed to fetch {package} for the page", pytrace=False)
        with tempfile.TemporaryDirectory() as tmp:
            done = subprocess.run(["npm", "pack", package, "--silent"], cwd=tmp,
                                  capture_output=True, text=True, timeout=300)
            if done.returncode != 0:
                pytest.fail(f"cannot fetch {package}: {done.stderr.strip()[-500:]}",
                            pytrace=False)
            tarball = Path(tmp) / done.stdout.split()[-1]
            with tarfile.open(tarball) as archive:
                archive.extractall(Path(tmp) / "unpacked", filter="data")
            staging = target.with_name(target.name + ".partial")
            shutil.rmtree(staging, ignore_errors=True)
            staging.parent.mkdir(parents=True, exist_ok=True)
            shutil.copytree(Path(tmp) / "unpacked" / "package", staging)
            staging.rename(target)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``pppsim app`` on a free port; stopped with Ctrl-C (SIGINT) at the end."""
    ensure_front_end()
    port = free_port()
    log_path = tmp_path_factory.mktemp("app") / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen([str(PPPSIM), "app", "--port", str(port)], stdout=log,
                                   stderr=subprocess.STDOUT)
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


def test_page_steps_plays_and_updates(server: str, browser_page: tuple[Any, list[str]]
                                      ) -> None:
    from playwright.sync_api import expect

    page, errors = browser_page
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1600, "height": 1000})
    page.goto(server)
    feed = page.locator(".pppsim-feed")
    expect(feed).to_contain_text("month 0", timeout=60_000)
    expect(page.get_by_text("What am I looking at?")).to_be_visible()
    network = page.locator("img").first
    expect(network).to_be_visible()
    plots_before = [page.locator("img").nth(i).get_attribute("src")
                    for i in range(page.locator("img").count())]

    # change a control: fewer organisations, then Reset builds a new model
    slider = page.locator(".v-slider").filter(
        has=page.get_by_text("Organisations", exact=True)).get_by_role("slider")
    slider.focus()
    for _ in range(10):
        page.keyboard.press("ArrowLeft")
    page.get_by_role("button", name="Reset").click()
    expect(page.locator(".pppsim-settings")).to_contain_text("organisations 90", timeout=30_000)

    for _ in range(3):
        page.get_by_role("button", name="Step").click()
        page.wait_for_timeout(700)
    expect(feed).to_contain_text("month 3", timeout=30_000)
    page.get_by_role("button", name="▶").click()
    expect(feed).to_contain_text(re.compile(r"partnership #\d+: launched by"), timeout=120_000)
    page.wait_for_timeout(2000)
    page.get_by_role("button", name="❚❚").click()
    # a loaded machine redraws slowly: wait (at most a minute) for every figure's redraw
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
    page.set_viewport_size({"width": 1600, "height": 1900})  # the whole page
    page.wait_for_timeout(1500)
    page.screenshot(path=str(ARTIFACTS / "teaching-page.png"))
    assert not errors, f"console errors: {errors}"
