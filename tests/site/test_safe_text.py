"""No frontmatter value can run script on any page: every field of every report holds markup
that breaks out of a title, a textarea, a script or an attribute, and every page the
build writes is loaded in real Chromium with ``alert`` hooked and error handlers flagged.

Besides the browser, every HTML page is parsed for script elements and event-handler
attributes, and the feeds, calendar and JSON files are read back to the values written.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import icalendar
import pytest
import yaml
from playwright.sync_api import Browser, Page

from tests.browser import serve
from tests.conftest import Site

BREAKOUTS = [
    "</title><script>alert('title')</script>",
    "</textarea><img src=x onerror=alert('textarea')>",
    "</script><script>alert('script')</script>",
    '"><svg onload=alert("double")>',
    "'><img src=x onerror=alert('single')>",
    '" onmouseover="alert(1)" autofocus onfocus="alert(2)" x="',
]
"""One per report; each report puts its own in every field."""

CONTROL = "guide/control.md"
"""An authored page (not a report: guide/ is excluded) with a script on purpose, in both
editions: proves the checks see one."""
CONTROL_PAGE = "guide/control/index.html"


def hostile_report(number: int, payload: str) -> str:
    """A valid Final report (under a permissive id pattern) with ``payload`` everywhere."""
    report_id = f"INC-2024-{number:03d} {payload}"
    other = f"INC-2024-{(number % len(BREAKOUTS)) + 1:03d} {BREAKOUTS[number % len(BREAKOUTS)]}"
    previous = BREAKOUTS[number - 2]
    meta = {
        "id": report_id,
        "title": f"Outage {payload}",
        "date": f"2024-0{1 + number % 3}-1{number}",
        "severity": f"SEV{number % 5}",
        "status": "Final",
        "authors": [f"Ann {payload}"],
        # Each payload is also the next report's tag and service: used twice, each has a
        # page of its own (a value used once is only listed on the patterns page).
        "tags": [payload, previous, "shared"],
        "services": [payload, previous, "api"],
        "root_cause": {"category": payload, "summary": f"Cause {payload}"},
        "contributing_factors": [{"category": "process", "description": f"Factor {payload}"}],
        "impact": {
            "started": f"2024-0{1 + number % 3}-1{number}T10:00:00Z",
            "resolved": f"2024-0{1 + number % 3}-1{number}T10:40:00Z",
        },
        "visibility": "public",
        "public_summary": f"Public {payload}",
        "related": [other],
        "incident_commander": f"Cy {payload}",
        "chat": f"https://chat.example/{number}?x='onmouseover=alert(1)//",  # a valid URL
    }
    code = payload.replace("`", "")
    body = textwrap.dedent(
        f"""\
        ## Executive Summary

        Something broke.

        ## Impact

        Users saw errors for 40 minutes.

        ## Timeline

        | Time | Event |
        |---|---|
        | 10:00 | `{code}` |

        ## Root Cause Analysis

        See the summary.

        ## Action Items

        | ID | Action | Owner | Due Date | Priority | Status | Notes |
        |---|---|---|---|---|---|---|
        | AI-1 | Add `{code}` | `{code}` | 2024-02-01 | P1 | Not Started | `{code}` |
        """
    )
    return f"---\n{yaml.safe_dump(meta, sort_keys=False, allow_unicode=True)}---\n{body}"


def broken_report(payload: str) -> str:
    """Invalid values and unknown keys, so problem messages quote the payload too."""
    meta = {
        "id": f"INC-2023-001 {payload}",
        "title": f"Broken {payload}",
        "date": payload,
        "severity": payload,
        "status": "Draft",
        "authors": ["Bea"],
        "template": payload,
        payload: "unknown field",
        "related": [f"INC-2099-404 {payload}"],
        "runbook": f"https://runbooks.example/?q={payload}",  # not a URL: PM011 quotes it
    }
    return f"---\n{yaml.safe_dump(meta, allow_unicode=True)}---\n## Executive Summary\n\nText.\n"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Both editions of a knowledge base where every value is hostile."""
    site = Site(tmp_path_factory.mktemp("hostile") / "project")
    for number, payload in enumerate(BREAKOUTS, start=1):
        site.add(f"2024/r{number}.md", hostile_report(number, payload))
    site.add("2023/broken.md", broken_report(BREAKOUTS[0]))
    site.add(CONTROL, "# Control\n\n<img src=x onerror=\"alert('control')\">\n")
    site.extra = "site_url: https://postmortems.example/\n"
    options = (
        "build_date: 2024-06-01\n"
        "id_pattern: '^INC-\\d{4}-\\d{3}'\n"
        "extra_fields: {incident_commander: text, runbook: url, chat: url}\n"
    )
    sites = {}
    for edition in ("internal", "public"):
        site.configure(f"{options}edition: {edition}\n")
        site.build(strict=False, site_dir=site.root / edition)
        sites[edition] = site.root / edition
    return sites


class _Markup(HTMLParser):
    """What of an HTML page could run: script elements and event-handler attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_script = tag == "script"
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src") and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value!r}>")
        if tag in ("svg", "img") and any(name.startswith("on") for name, _ in attrs):
            self.found.append(f"<{tag}>")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and "alert(" in data:
            self.found.append(f"<script>{data.strip()[:60]}")


def runnable(html: str) -> list[str]:
    parser = _Markup()
    parser.feed(html)
    return parser.found


def pages_of(site_dir: Path) -> list[Path]:
    return sorted(site_dir.rglob("*.html"))


PAGE_KINDS = [
    "2024/r1/index.html",  # a report
    "2023/broken/index.html",  # a report with problems, whose messages quote values
    "incidents/index.html",
    "incidents/severity/index.html",
    "incidents/severity/sev1/index.html",
    "incidents/patterns/index.html",
    "incidents/causes/*/index.html",
    "incidents/factors/process/index.html",
    "incidents/services/*/index.html",
    "incidents/tags/*/index.html",
    "incidents/action-items/index.html",
    "incidents/archive/index.html",
    "incidents/years/*/index.html",
    "incidents/status/*/index.html",
    "incidents/reviews/index.html",
    "incidents/reviews/2024-02/index.html",
    "incidents/near-misses/index.html",
    "incidents/metrics/index.html",
    "incidents/metrics/last-90-days/index.html",
    "incidents/search/index.html",
]
"""Every kind of page the build writes (the public edition has all but the broken report)."""


def test_every_page_kind_is_built(built: dict[str, Path]) -> None:
    assert all((site_dir / CONTROL_PAGE).is_file() for site_dir in built.values())
    for kind in PAGE_KINDS:
        assert list(built["internal"].glob(kind)), kind
        if "broken" not in kind:
            assert list(built["public"].glob(kind)), kind


@pytest.mark.parametrize("edition", ["internal", "public"])
def test_no_page_holds_markup_from_a_value(built: dict[str, Path], edition: str) -> None:
    site_dir = built[edition]
    pages = pages_of(site_dir)
    kinds = {p.relative_to(site_dir).parts[:2] for p in pages}
    assert len(pages) > 30 and ("incidents", "services") in kinds
    for page in pages:
        found = runnable(page.read_text(encoding="utf-8"))
        if page == site_dir / CONTROL_PAGE:
            assert found, "the check must see the control page's handler"
        else:
            assert found == [], page.relative_to(site_dir)


def test_every_value_reaches_the_pages_as_text(built: dict[str, Path]) -> None:
    """Escaped is not dropped: the values are on the pages, shown as written."""
    site_dir = built["internal"]
    report = (site_dir / "2024" / "r1" / "index.html").read_text(encoding="utf-8")
    escaped = "&lt;/title&gt;&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt;"
    assert f"<title>Outage {escaped} - " in report
    service = next((site_dir / "incidents" / "services").glob("title-script*/index.html"))
    text = service.read_text(encoding="utf-8")
    assert f"<title>Service: {escaped} - " in text
    assert re.search(r"<h1[^>]*>Service: &lt;/title&gt;&lt;script&gt;alert\(", text)
    header = report[report.index('class="pmkb-header"') :]
    for shown in ("Ann ", "Cy ", "https://chat.example/1?x=&#39;onmouseover"):
        assert shown in header


def test_feeds_calendar_and_json_hold_the_values_exactly(built: dict[str, Path]) -> None:
    site_dir = built["internal"]
    incidents = site_dir / "incidents"
    catalog = json.loads((incidents / "search" / "catalog.json").read_text(encoding="utf-8"))
    titles = {entry["title"] for entry in catalog["incidents"]}
    assert {f"Outage {payload}" for payload in BREAKOUTS} <= titles
    for name in ("feed.xml", "rss.xml"):
        tree = ElementTree.parse(incidents / name)
        texts = " ".join(element.text or "" for element in tree.iter())
        assert all(f"Outage {payload}" in texts for payload in BREAKOUTS), name
        assert not [e for e in tree.iter() if e.tag.rsplit("}", 1)[-1] == "script"]
    calendar = icalendar.Calendar.from_ical((incidents / "action-items.ics").read_bytes())
    summaries = [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")]
    assert len(summaries) == len(BREAKOUTS)
    assert all(any(payload.replace("`", "") in s for s in summaries) for payload in BREAKOUTS)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page whose ``alert``, ``confirm`` and ``prompt`` only count their calls."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    context.add_init_script(
        "window.__ran = [];"
        "for (const name of ['alert', 'confirm', 'prompt', 'print'])"
        "  window[name] = (...args) => { window.__ran.push(name + ':' + args.join(',')); };"
    )
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.dismiss())
    yield page
    context.close()


def ran(page: Page) -> list[str]:
    return page.evaluate("window.__ran")


@pytest.mark.parametrize("edition", ["internal", "public"])
def test_no_script_runs_on_any_page_in_chromium(
    built: dict[str, Path], edition: str, page: Page
) -> None:
    """Every page the build wrote, as a reader's browser runs it, with the incident
    search and Material's search showing the hostile incidents."""
    site_dir = built[edition]
    paths = pages_of(site_dir)
    if edition == "public":
        # The generated pages are those of the internal edition, from fewer reports (the
        # HTML check reads them all); what differs is the reports' public summaries.
        paths = [*sorted(site_dir.glob("2024/*/index.html")), site_dir / CONTROL_PAGE]
    with serve(site_dir) as base:
        for path in paths:
            page.goto(base + path.relative_to(site_dir).as_posix())
            # Error handlers run once their image has failed, after that a moment later
            # (the control page shows the wait is long enough).
            page.wait_for_function("Array.from(document.images).every(image => image.complete)")
            page.wait_for_timeout(50)
            if path == site_dir / CONTROL_PAGE:
                assert ran(page) == ["alert:control"], "the hook must see the control's alert"
            else:
                assert ran(page) == [], path.relative_to(site_dir)
        page.goto(base + "incidents/search/")
        page.wait_for_selector("#pmkb-search[data-ready=yes]")
        page.fill("#pmkb-query", "outage")
        page.wait_for_function("document.querySelectorAll('.pmkb-result').length >= 6")
        facets = page.locator(".pmkb-facets").inner_text()
        assert "</title><script>" in facets  # the values are there, as text
        page.locator(".pmkb-result a").first.hover()
        assert ran(page) == []
        page.goto(base)
        page.click("input.md-search__input")
        page.keyboard.type("outage")  # Material's search listens to keys, not to fill
        page.wait_for_selector(".md-search-result__item")
        page.wait_for_timeout(200)
        assert ran(page) == []
