"""The site on a phone (390x844, Chromium): the essentials of the search, a report and
the action items are on the first screen, and the targets are big enough to tap.

Set PMKB_SCREENSHOTS to a folder to keep the screenshots (the README's come from here:
``PMKB_SCREENSHOTS=postmortems/guide/img pytest tests/site/test_phone.py``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.browser import serve

SCREEN = {"width": 390, "height": 844}
REPORT = "2026/03-march/2026-03-17-global-config-push-gateway-outage/"


@pytest.fixture(scope="module")
def phone(repo_site: Path, browser: Browser) -> Iterator[tuple[Page, str]]:
    context = browser.new_context(viewport=SCREEN, device_scale_factor=1, is_mobile=True)
    context.route(re.compile(r"^(?!http://127\.0\.0\.1)"), lambda route: route.abort())
    with serve(repo_site) as base:
        yield context.new_page(), base
    context.close()


def _shot(page: Page, name: str, tmp_path: Path, full_page: bool = False) -> None:
    folder = Path(os.environ.get("PMKB_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=full_page)


def _on_first_screen(page: Page, selector: str) -> None:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not shown"
    assert box["y"] >= 0 and box["y"] + min(box["height"], 40) <= SCREEN["height"], (selector, box)


def test_search_shows_results_first_with_the_filters_folded(
    phone: tuple[Page, str], tmp_path: Path
) -> None:
    page, base = phone
    page.goto(base + "incidents/search/?query=postgres&severity=SEV2")
    page.wait_for_selector("#pmkb-search[data-ready=yes]")
    _shot(page, "search-phone", tmp_path)
    _on_first_screen(page, ".pmkb-result")
    _on_first_screen(page, ".pmkb-filter-panel > summary")
    assert page.locator(".pmkb-filter-panel").evaluate("d => d.open") is False
    assert page.inner_text(".pmkb-filter-panel > summary") == "Filters (1 active)"
    page.click(".pmkb-filter-panel > summary")
    for target in (".pmkb-facet-value label", ".pmkb-clear-filters"):
        box = page.locator(target).first.bounding_box()
        assert box is not None and box["height"] >= 24, (target, box)
    zero = page.locator(".pmkb-zero input")
    assert zero.count() > 0 and all(zero.nth(i).is_disabled() for i in range(zero.count()))
    page.click(".pmkb-clear-filters")
    assert "severity=" not in page.url and "query=postgres" in page.url
    assert page.inner_text(".pmkb-filter-panel > summary") == "Filters"


def test_a_report_shows_its_facts_and_impact_on_the_first_screen(
    phone: tuple[Page, str], tmp_path: Path
) -> None:
    page, base = phone
    page.goto(base + REPORT)
    _shot(page, "report-phone", tmp_path)
    for essential in ("h1", ".pmkb-badges", ".pmkb-facts", ".pmkb-impact"):
        _on_first_screen(page, essential)
    # The Action Items table: the Action column is wide enough to read (not 1-3 words).
    page.locator("#action-items").scroll_into_view_if_needed()
    action = page.locator("h2#action-items ~ .md-typeset__scrollwrap td:nth-child(2)").first
    box = action.bounding_box()
    assert box is not None and box["width"] >= 150, box


def test_action_items_show_the_count_and_the_first_items_on_the_first_screen(
    phone: tuple[Page, str], tmp_path: Path
) -> None:
    page, base = phone
    page.goto(base + "incidents/action-items/")
    _shot(page, "action-items-phone", tmp_path)
    _on_first_screen(page, "#action-items + p")  # "N action items ... M overdue"
    _on_first_screen(page, "form.pmkb-filters")
    _on_first_screen(page, "#pmkb-action-table tbody tr")
    assert "overdue" in page.inner_text("#action-items + p")


def test_readme_screenshots_of_the_dashboard_and_a_report(
    repo_site: Path, browser: Browser, tmp_path: Path
) -> None:
    """Desktop screenshots for the README; the dashboard's sections are all there."""
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    context.route(re.compile(r"^(?!http://127\.0\.0\.1)"), lambda route: route.abort())
    page = context.new_page()
    with serve(repo_site) as base:
        page.goto(base)
        for section in (".pmkb-home-search", ".pmkb-home-figures", "#open-sev0sev1-reports"):
            _on_first_screen(page, section)
        for section in ("overdue-action-items", "latest-incidents", "recurring-this-quarter"):
            assert page.locator(f"#{section}").is_visible()
        _shot(page, "home-dashboard", tmp_path)
        page.goto(base + REPORT)
        _shot(page, "report", tmp_path)
    context.close()


def test_chart_text_is_at_least_11px_on_a_phone(phone: tuple[Page, str]) -> None:
    page, base = phone
    page.goto(base + "incidents/metrics/")
    sizes = page.evaluate(
        """() => [...document.querySelectorAll("svg.pmkb-chart-full")].map(svg => {
          const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
          const fonts = [...svg.querySelectorAll("text")].map(
            t => parseFloat(getComputedStyle(t).fontSize));
          return Math.min(...fonts) * scale;
        })"""
    )
    assert len(sizes) >= 6 and min(sizes) >= 11, sizes
