"""Real MkDocs builds in tmp_path: what readers and CI see of the plugin."""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import Callable

import pytest
from mkdocs.exceptions import Abort

from tests.conftest import VALID, Site

REPORT = "2024/01-january/2024-01-15-api-outage.md"


def test_report_page_shows_its_facts_header(site: Site) -> None:
    site.add(REPORT, VALID)
    site.build()
    page = site.page(REPORT)
    assert "<h1>API outage: connection pool exhausted</h1>" in page
    header = page[page.index('class="pmkb-header"') :]
    for fact in (
        "INC-2024-001",
        "SEV1",
        "Final",
        "2024-01-15",
        "47 min",
        "Alice Smith, Bob Johnson",
        "connection-pool",
        "postgres",
    ):
        assert fact in header
    assert page.count("<h1") == 1


def test_generated_index_lists_every_report_newest_first(site: Site) -> None:
    site.add(REPORT, VALID)
    site.add(
        "2024/03-march/2024-03-02-later.md",
        VALID.replace("INC-2024-001", "INC-2024-002")
        .replace('date: "2024-01-15"', 'date: "2024-03-02"')
        .replace("API outage", "Later outage"),
    )
    site.build()
    index = site.page("incidents/index.md")
    assert index.index("INC-2024-002") < index.index("INC-2024-001")
    assert 'href="../2024/01-january/2024-01-15-api-outage/"' in index
    assert "1 h" not in index and "47 min" in index


def test_reports_stay_out_of_the_navigation(site: Site) -> None:
    site.add(REPORT, VALID)
    site.build()
    home = site.page("index.md")
    start = home.index("md-nav--primary")
    nav = home[start : home.index("md-sidebar--secondary", start)]
    assert "incidents/" in nav
    assert "2024-01-15-api-outage" not in nav


def test_strict_build_fails_and_names_file_line_and_rule(
    site: Site, build_fails: Callable[[Site], None], caplog: pytest.LogCaptureFixture
) -> None:
    site.add(REPORT, VALID.replace("## Timeline", "## Chronology"))
    site.add("2024/02-february/ok.md", VALID.replace("INC-2024-001", "INC-2024-002"))
    with caplog.at_level(logging.WARNING):
        build_fails(site)
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert any(
        f"docs/{REPORT}:1: error PM101 missing-section: required section 'Timeline' is missing" in m
        for m in errors
    ), errors
    assert not any("ok.md" in m for m in errors)


def test_non_strict_build_still_publishes_broken_reports_with_their_problems(site: Site) -> None:
    site.add(
        REPORT,
        VALID.replace("severity: SEV1", "severity: SEV9").replace("## Timeline", "## Chronology"),
    )
    site.add("2024/05-may/no-frontmatter.md", "Just notes, no metadata.\n")
    site.build(strict=False)
    page = site.page(REPORT)
    assert "This report has 2 problems to fix" in page
    assert "PM011 invalid-value" in page and "PM101 missing-section" in page
    broken = site.page("2024/05-may/no-frontmatter.md")
    assert "PM002 frontmatter-missing" in broken and "Just notes, no metadata." in broken
    index = site.page("incidents/index.md")
    assert "no\\-frontmatter" not in index and "no-frontmatter" in index


def test_frontmatter_values_are_escaped_everywhere(site: Site) -> None:
    hostile = "<script>alert(1)</script>"
    text = (
        VALID.replace('title: "API outage: connection pool exhausted"', f'title: "{hostile} & co"')
        .replace(
            "tags: [database, connection-pool]", f'tags: ["{hostile}", "a\\" onmouseover=\\"x"]'
        )
        .replace('authors: ["Alice Smith", "Bob Johnson"]', f'authors: ["{hostile}"]')
    )
    site.add(REPORT, text)
    site.build()
    for page in (site.page(REPORT), site.page("incidents/index.md")):
        assert "<script>alert(1)" not in page
        assert 'onmouseover="x"' not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp;amp; co" not in site.page(REPORT)
    assert "<h1>&lt;script&gt;alert(1)&lt;/script&gt; &amp; co</h1>" in site.page(REPORT)


def test_frontmatter_template_key_does_not_choose_the_page_template(site: Site) -> None:
    site.add(
        REPORT,
        VALID.replace("status: Final\n", "status: Final\ntemplate: google-sre\n")
        .replace("## Executive Summary", "## Incident Summary")
        .replace("## Root Cause Analysis", "## Root Causes"),
    )
    site.build(strict=False)  # google-sre recommends sections this report lacks
    assert "INC-2024-001" in site.page(REPORT)


def test_the_site_requests_nothing_from_outside(site: Site) -> None:
    site.add(REPORT, VALID)
    site.build()
    for path in (site.root / "site").rglob("*.html"):
        markup = path.read_text(encoding="utf-8")
        external = re.findall(r'<(?:link|script|img)[^>]+(?:href|src)="(https?:)?//[^"]+"', markup)
        assert external == [], (path, external)
        assert "fonts.googleapis.com" not in markup and "fonts.gstatic.com" not in markup


def test_bad_plugin_options_stop_the_build_with_a_clear_message(
    site: Site, caplog: pytest.LogCaptureFixture
) -> None:
    site.configure("rules:\n  PM999: off\n")
    with pytest.raises(Abort):
        site.build()
    assert "no rule has the code or name 'PM999'" in caplog.text


def test_plugin_options_reach_the_rules(site: Site, build_fails: Callable[[Site], None]) -> None:
    site.add(REPORT, VALID.replace("## What Went Well", "## Good parts"))
    site.configure("rules:\n  PM103: warning\n")
    build_fails(site)  # a warning fails a strict build
    site.configure("rules:\n  recommended-section: off\n")  # YAML reads off as false
    site.build()
    assert "PM103" not in site.page(REPORT)


def test_a_missing_recommended_section_passes_strict_and_is_still_recommended(
    site: Site, caplog: pytest.LogCaptureFixture
) -> None:
    """Most real postmortems lack one recommended section: recommending (info, by
    default) must not block a merge, and the author is still told."""
    site.add(REPORT, VALID.replace("## What Went Well", "## Good parts"))
    with caplog.at_level(logging.INFO, logger="mkdocs.plugins.postmortem_kb"):
        site.build(strict=True)
    page = site.page(REPORT)
    notes = html.unescape(page[page.index('class="admonition info pmkb-notes"') :])
    assert "1 suggestion for this report" in notes
    assert "PM103 recommended-section" in notes and "'What Went Well'" in notes
    assert "problems to fix" not in page
    assert "info PM103 recommended-section" in caplog.text
    assert "(has problems)" not in site.page("incidents/index.md")


def test_failed_strict_build_writes_no_pages(site: Site, build_fails) -> None:
    site.add(REPORT, VALID)
    site.build()
    assert (site.root / "site" / "index.html").is_file()
    site.add(REPORT, VALID.replace("## Timeline", "## Chronology"))
    build_fails(site)
    assert list((site.root / "site").rglob("*.html")) == []


def test_an_empty_knowledge_base_builds(site: Site) -> None:
    """Every generated page is there, and says there is nothing yet, in words."""
    site.build()
    overview = site.page("incidents/index.md")
    assert "<p>0 postmortems, near-misses included (0)." in overview
    for severity in ("sev0", "sev1", "sev2", "sev3", "sev4"):
        assert re.search(rf'<a href="severity/{severity}/">SEV\d</a></td>\s*<td>0</td>', overview)
    for status in ("Draft", "Review", "Final"):
        assert re.search(rf"<td>{status}</td>\s*<td>0</td>", overview)
    latest = overview[overview.index('id="latest-incidents"') : overview.index('id="action-items"')]
    assert "<p><em>None.</em></p>" in latest and "<table>" not in latest
    assert "0 open, <strong>0 overdue</strong>, completion rate n/a." in overview
    assert "No root-cause category has repeated on shared services or tags." in overview
    assert "<p>0 postmortems by year and month: each year" in site.page("incidents/archive.md")
    assert "<em>None.</em>" in site.page("incidents/near-misses.md")
    assert "<p>0 action items from 0 postmortems" in site.page("incidents/action-items.md")
    catalog = json.loads(site.html("incidents/search/catalog.json"))
    assert catalog["incidents"] == []
    assert catalog["severities"] == ["SEV0", "SEV1", "SEV2", "SEV3", "SEV4"]


def test_material_search_indexes_the_sections_readers_search(site: Site) -> None:
    site.add(REPORT, VALID)
    site.build()
    page = site.page(REPORT)
    assert '<h2 data-search-exclude id="timeline">' in page
    assert '<h2 id="executive-summary">' in page
    index = json.loads(site.html("search/search_index.json"))
    anchors = {d["location"] for d in index["docs"] if d["location"].startswith("2024/")}
    assert "2024/01-january/2024-01-15-api-outage/#root-cause-analysis" in anchors
    assert not any(
        a.endswith(("#timeline", "#action-items", "#pmkb-related-incidents")) for a in anchors
    )
    site.configure("search_sections: ['*']\n")
    site.build()
    index = json.loads(site.html("search/search_index.json"))
    assert any(d["location"].endswith("#timeline") for d in index["docs"])
