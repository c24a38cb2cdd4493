"""The home dashboard: a reader sees what is open, late and recurring without a click."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser

from tests.browser import serve
from tests.conftest import Site, report_text

HOME = "# Home\n\nWelcome.\n\n<!-- postmortems:dashboard -->\n\n## More\n\nThe rest.\n"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Site:
    site = Site(tmp_path_factory.mktemp("dashboard") / "project")
    site.add("index.md", HOME)
    site.add("guide/about.md", "# About\n\nNo marker here.\n")
    site.add(
        "2024/01/a.md",
        report_text(
            "INC-2024-001",
            date="2024-01-10",
            severity="SEV1",
            status="Review",
            services=["api"],
            category="config-change",
            tags=["config-push"],
            actions=[
                ("AI-1", "@alice", "2024-01-20", "P0", "Not Started"),
                ("AI-2", "@bob", "2024-02-20", "P1", "Blocked"),
            ],
        ),
    )
    site.add(
        "2024/02/b.md",
        report_text(
            "INC-2024-002",
            date="2024-02-05",
            severity="SEV0",
            status="Final",  # Final: not open
            services=["api"],
            category="config-change",
            tags=["config-push"],
            actions=[("AI-1", "@alice", "2024-02-25", "P1", "In Progress")],
        ),
    )
    site.add("2023/06/c.md", report_text("INC-2023-009", date="2023-06-01", severity="SEV3"))
    site.configure("build_date: 2024-03-01\n")
    site.build()
    return site


def _section(page: str, start: str, end: str) -> str:
    return page[page.index(f'id="{start}"') : page.index(f'id="{end}"')]


def test_open_major_reports_with_their_age(built: Site) -> None:
    home = built.page("index.md")
    assert "Welcome." in home and 'id="more"' in home  # the page's own text stays around it
    major = _section(home, "open-sev0sev1-reports", "overdue-action-items")
    assert "INC-2024-001" in major and "51 days" in major  # 2024-01-10 to 2024-03-01
    assert "INC-2024-002" not in major  # Final
    assert "INC-2023-009" not in major  # SEV3


def test_overdue_items_count_oldest_and_owners(built: Site) -> None:
    home = built.page("index.md")
    late = _section(home, "overdue-action-items", "latest-incidents")
    text = re.sub(r"<[^>]+>", "", late)
    assert "3 overdue on 2024-03-01" in text
    assert "The oldest: INC-2024-001 AI-1" in text and "41 days late" in text
    assert re.search(r'<a href="incidents/owners/alice/">@alice</a></td>\s*<td>2</td>', late)
    assert re.search(r'<a href="incidents/owners/bob/">@bob</a></td>\s*<td>1</td>', late)


def test_latest_incidents_recurring_causes_and_trend(built: Site) -> None:
    home = built.page("index.md")
    latest = _section(home, "latest-incidents", "recurring-this-quarter")
    assert (
        latest.index("INC-2024-002") < latest.index("INC-2024-001") < latest.index("INC-2023-009")
    )
    assert 'href="2024/02/b/"' in latest
    recurring = _section(home, "recurring-this-quarter", "trend")
    assert "2024 Q1" in recurring and "Repeat:" in recurring and "config-change" in recurring
    trend = home[home.index('id="trend"') : home.index('id="more"')]
    assert "<td>Incidents</td>" in trend and "Median time to resolve" in trend


def test_a_page_without_the_marker_is_left_alone(built: Site) -> None:
    about = built.page("guide/about.md")
    assert "No marker here." in about and "pmkb-home-search" not in about


def test_readable_without_javascript_and_the_search_box_opens_the_incident_search(
    built: Site, browser: Browser
) -> None:
    with serve(built.root / "site") as base:
        page = browser.new_page(java_script_enabled=False)
        page.goto(base)
        figures = page.locator(".pmkb-home-figures").inner_text()
        assert "1\nopen SEV0/SEV1 report not yet Final" in figures
        assert "3\noverdue action items" in figures
        page.close()
        page = browser.new_page()
        page.goto(base)
        page.fill("#pmkb-home-query", "INC-2024-002")
        page.click(".pmkb-home-search button")
        page.wait_for_url("**/incidents/search/?query=INC-2024-002")
        page.wait_for_selector("#pmkb-search[data-ready=yes]", timeout=15000)
        results = page.locator(".pmkb-results > li")
        assert results.count() == 1 and "INC-2024-002" in results.first.inner_text()
        page.close()
