"""The comparison report in a real headless Chromium: every image loads, no console or script
error, nothing is fetched from the network, and it fits an A4 page's width."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import ARTIFACTS

pytestmark = pytest.mark.browser

A4_WIDTH_PX = 794
"""An A4 page's width at 96 CSS pixels per inch."""


def test_report_renders_offline_without_errors(small_comparison: Path,
                                               browser_page: tuple[Any, list[str]]) -> None:
    page, errors = browser_page
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.set_viewport_size({"width": A4_WIDTH_PX, "height": 1123})
    page.goto((small_comparison / "report.html").resolve().as_uri(), wait_until="load")

    images = page.eval_on_selector_all(
        "img", "imgs => imgs.map(i => [i.complete, i.naturalWidth, i.naturalHeight, "
               "i.getBoundingClientRect().width])")
    assert len(images) == 8  # the headline chart, then the seven of the detail
    for complete, natural_width, natural_height, shown_width in images:
        assert complete and natural_width > 0 and natural_height > 0, "broken image"
        assert shown_width <= A4_WIDTH_PX, "figure wider than the page"
    assert page.evaluate("document.documentElement.scrollWidth") <= A4_WIDTH_PX, \
        "the page scrolls sideways at A4 width"
    summary = page.locator("#summary-lines li")
    assert summary.count() == 3
    assert summary.nth(1).inner_text().startswith("High barriers: partnerships last ")
    assert page.locator("#outcomes-table tbody tr").count() > 30
    external = [url for url in requested if not url.startswith(("file:", "data:"))]
    assert not external, f"the report fetched {external}"

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "compare-report.png"), full_page=True)
    assert not errors, f"console errors: {errors}"
