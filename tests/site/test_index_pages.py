"""Generated pages in real builds: the right incidents on the right pages, and safe."""

from __future__ import annotations

import html
import json
import re
from urllib.parse import unquote

import pytest

from postmortem_kb.site.pages import paging, patterns
from tests.conftest import Site, report_text


@pytest.fixture
def built(site: Site) -> Site:
    """Five incidents over two months, a near-miss, a repeat and a hostile title."""
    site.add(
        "2024/01/a.md",
        report_text(
            "INC-2024-001",
            date="2024-01-10",
            severity="SEV1",
            tags=["config-push"],
            services=["api-gateway"],
            category="config-change",
            related=["INC-2024-002"],
            factors=["process"],
            actions=[
                ("AI-1", "@alice", "2024-02-01", "P0", "Not Started"),
                ("AI-2", "@bob", "2024-04-01", "P1", "In Progress"),
                ("AI-3", "@alice", "2024-01-20", "P1", "Done"),
            ],
        ),
    )
    site.add(
        "2024/02/b.md",
        report_text(
            "INC-2024-002",
            date="2024-02-05",
            severity="SEV1",
            tags=["config-push"],
            services=["api-gateway"],
            category="config-change",
            actions=[("AI-1", "@carol", "2024-02-20", "P2", "Blocked")],
        ),
    )
    site.add(
        "2024/02/c.md",
        report_text(
            "INC-2024-003",
            date="2024-02-07",
            severity="SEV3",
            near_miss=True,
            # The hostile tags are used twice, so that they get pages (and slugs) of their own.
            tags=["disk", "<img src=x onerror=alert(1)>", "../../escape"],
            services=["postgres"],
            category="capacity",
            title="Disk almost full",
            actions=[("AI-1", "@dan", "2024-02-15", "P2", "Won't Do")],
        ),
    )
    site.add(
        "2024/02/d.md",
        report_text(
            "INC-2024-004",
            date="2024-02-09",
            severity="SEV2",
            title="<script>alert('t')</script> & [link](javascript:x)",
            tags=["<img src=x onerror=alert(1)>", "../../escape"],
            services=["search"],
        ),
    )
    site.configure("build_date: 2024-03-01\n")
    site.build()
    return site


def _related(page: str) -> list[str]:
    block = page[page.index('class="pmkb-related"') :]
    return re.findall(r"<li>.*?</li>", block[: block.index("</section>")], re.DOTALL)


def test_related_block_lists_each_incident_once_with_all_its_reasons(built: Site) -> None:
    (entry,) = _related(built.page("2024/01/a.md"))  # INC-2024-002: listed and similar
    assert "INC-2024-002" in entry and 'href="../../02/b/"' in entry
    assert "listed as related in this report" in entry
    assert (
        "shares tags: config-push; shares services: api-gateway; same root-cause "
        "category (config-change) (score"
        in entry
        and "similar: " in entry
    )
    (back,) = _related(built.page("2024/02/b.md"))
    assert "INC-2024-001" in back and "names this report" in back and "similar:" in back
    for heading in ("Named in this report", "Reports that name this one", "Similar incidents"):
        assert heading not in built.page("2024/01/a.md")


def test_related_links_point_at_built_pages(built: Site) -> None:
    page = built.root / "site" / "2024" / "01" / "a" / "index.html"
    hrefs = re.findall(r'href="([^"#]+)"', "".join(_related(built.page("2024/01/a.md"))))
    assert len(hrefs) == 1
    for href in hrefs:
        assert (page.parent / href / "index.html").resolve().is_file(), href


def test_report_header_links_its_groups_and_says_its_impact(built: Site) -> None:
    a = built.page("2024/01/a.md")
    header = a[a.index('class="pmkb-header"') : a.index('id="executive-summary"')]
    assert (
        '<a class="pmkb-tag" href="../../../incidents/tags/config-push/">config-push</a>' in header
    )
    assert 'href="../../../incidents/services/api-gateway/">api-gateway</a>' in header
    assert 'href="../../../incidents/causes/config-change/">config-change</a>' in header
    impact = header[header.index('class="pmkb-facts pmkb-impact"') :]
    assert "<dt>Time to resolve</dt><dd>30 min</dd>" in impact
    assert "<dt>Action items</dt><dd>1 of 3 done</dd>" in impact


def test_incident_ids_in_the_text_link_to_their_reports(site: Site) -> None:
    site.add("2024/01/a.md", report_text("INC-2024-001", date="2024-01-10"))
    text = "Like INC-2024-001 before it; not `INC-2024-001` in code, nor INC-2099-999."
    site.add(
        "2024/02/b.md",
        report_text("INC-2024-002", date="2024-02-05", sections={"Root Cause Analysis": text}),
    )
    site.build()
    b = site.page("2024/02/b.md")
    assert 'Like <a class="pmkb-id-link" href="../../01/a/">INC-2024-001</a> before it' in b
    assert "<code>INC-2024-001</code>" in b and "nor INC-2099-999." in b
    (entry,) = _related(b)
    assert "named in this report" in entry and "INC-2024-001" in entry


def test_severity_pages_list_their_incidents_newest_first(built: Site) -> None:
    sev1 = built.page("incidents/severity/sev1.md")
    assert sev1.index("INC-2024-002") < sev1.index("INC-2024-001")
    assert "INC-2024-003" not in sev1 and "INC-2024-004" not in sev1
    assert "INC-2024-003" in built.page("incidents/severity/sev3.md")


def test_action_items_page_lists_each_item_once_open_and_most_late_first(built: Site) -> None:
    page = built.page("incidents/action-items.md")
    table = page[page.index('id="pmkb-action-table"') : page.index('id="by-owner"')]
    rows = re.findall(r"<tr data-owner[^>]*>.*?</tr>", table)
    # Six items, one row each: open (most overdue first), then Done and Won't Do.
    ids = [re.search(r">(INC-\d+-\d+ AI-\d)</a>", row).group(1) for row in rows]
    assert len(ids) == len(set(ids)) == 6
    # Open first, the most overdue first: due 2024-02-01 (29 days late on 2024-03-01),
    # 2024-02-20 (10 days), 2024-04-01 (not late); then Done and Won't Do.
    assert ids[:3] == ["INC-2024-001 AI-1", "INC-2024-002 AI-1", "INC-2024-001 AI-2"]
    assert set(ids[3:]) == {"INC-2024-001 AI-3", "INC-2024-003 AI-1", "INC-2024-004 AI-1"}
    assert "<td><strong>29</strong></td>" in rows[0] and 'data-overdue="1"' in rows[0]
    assert "<td><strong>10</strong></td>" in rows[1]
    assert 'data-overdue="0"' in rows[2] and "<strong>" not in rows[2]
    assert "2 overdue" in page.replace("<strong>", "").replace("</strong>", "")
    for section in ('id="overdue"', 'id="by-status"', "Open items of"):
        assert section not in page  # each item once, not under four headings
    owners = page[page.index('id="by-owner"') :]
    assert re.search(
        r'<td><a href="../owners/alice/">@alice</a></td>\s*<td>1</td>\s*<td>1</td>\s*'
        r"<td>2</td>\s*<td>3</td>",
        owners,
    )
    assert re.search(r"<td>SEV1</td>\s*<td>4</td>\s*<td>1</td>\s*<td>25%</td>", page)


def test_patterns_page_flags_the_repeat(built: Site) -> None:
    page = built.page("incidents/patterns/index.md")
    repeat = page[page.index('id="recurring-causes"') : page.index('id="root-cause-categories"')]
    assert "Repeat:" in repeat and "config-change" in repeat
    assert "INC-2024-001" in repeat and "INC-2024-002" in repeat
    assert "INC-2024-003" not in repeat
    assert "INC-2024-001" in built.page("incidents/tags/config-push.md")
    assert "INC-2024-003" in built.page("incidents/causes/capacity.md")
    assert "INC-2024-001" in built.page("incidents/factors/process.md")


def test_patterns_page_folds_values_used_once_into_one_list(built: Site) -> None:
    page = built.page("incidents/patterns/index.md")
    tags = page[page.index('id="tags"') :]
    table, folded = tags.split("Used by one incident each (1):", 1)
    assert "config-push" in table and "disk" not in table  # used twice: a row
    # Used once: no page of its own, a link to its one incident in the list.
    assert 'disk (<a href="../../2024/02/c/">INC-2024-003</a>)' in folded
    assert not (built.root / "site" / "incidents" / "tags" / "disk").exists()
    services = page[page.index('id="services"') : page.index('id="tags"')]
    assert "Used by one incident each (2):" in services  # postgres, search
    assert "<td>" in services.split("Used by one")[0]  # api-gateway keeps its row


def test_archive_and_monthly_reviews(built: Site) -> None:
    archive = built.page("incidents/archive.md")
    assert '<a href="../years/2024/">4 incidents</a>' in archive  # the year's page
    assert archive.index(">February</a> (3)") < archive.index(">January</a> (1)")
    assert 'href="../reviews/2024-02/">February</a>' in archive  # each month's review
    year = built.page("incidents/years/2024.md")
    rows = re.findall(r"<tr><td>(\d{4}-\d\d-\d\d)</td>", year)
    assert rows == ["2024-02-09", "2024-02-07", "2024-02-05", "2024-01-10"]  # newest first
    february = built.page("incidents/reviews/2024-02.md")
    incidents = february[
        february.index('id="incidents-3"') : february.index('id="action-items-due')
    ]
    assert all(i in incidents for i in ("INC-2024-002", "INC-2024-003", "INC-2024-004"))
    due = february[february.index('id="action-items-due') : february.index('id="follow-up')]
    assert "2024-02-01" in due and "2024-02-20" in due
    assert "INC-2024-001" in february[february.index('id="causes-that-recurred"') :]


def test_monthly_review_compares_the_month_and_links_its_neighbours(built: Site) -> None:
    february = built.page("incidents/reviews/2024-02.md")
    figures = february[february.index('id="figures"') : february.index('id="incidents-3"')]
    assert "<th>February 2024</th>\n<th>January 2024</th>\n<th>February 2023</th>" in figures
    # Two incidents (INC-2024-002 SEV1, INC-2024-004) and a near-miss in February; one
    # SEV1 in January; nothing a year before.
    assert re.search(r"<td>Incidents</td>\s*<td>2</td>\s*<td>1</td>\s*<td>0</td>", figures)
    assert re.search(r"<td>SEV0-SEV1</td>\s*<td>1</td>\s*<td>1</td>\s*<td>0</td>", figures)
    assert re.search(r"<td>Near-misses</td>\s*<td>1</td>\s*<td>0</td>\s*<td>0</td>", figures)
    assert re.search(
        r"<td>Median time to resolve</td>\s*<td>30 min</td>\s*<td>30 min</td>"
        r"\s*<td>n/a</td>",
        figures,
    )
    assert 'href="../2024-01/">January 2024</a>' in february  # previous
    assert " →" not in february  # the newest month that has happened
    assert 'href="../2024-02/">February 2024</a> →' in built.page("incidents/reviews/2024-01.md")
    index = built.page("incidents/reviews/index.md")
    assert "April 2024" not in index  # AI-2 is due in April, after the build date
    assert not (built.root / "site" / "incidents" / "reviews" / "2024-04").exists()
    archive = built.page("incidents/archive.md")
    assert "January</a> (1)" in archive and "1 incidents" not in archive


def test_near_misses_are_marked_and_listed(built: Site) -> None:
    near = built.page("incidents/near-misses.md")
    assert "INC-2024-003" in near and "INC-2024-001" not in near
    assert "Disk almost full</a> <em>(near-miss)</em>" in built.page("incidents/years/2024.md")
    assert "pmkb-near-miss" in built.page("2024/02/c.md")


def test_hostile_values_are_text_and_slugs_are_safe(built: Site) -> None:
    site_dir = built.root / "site"
    for path in site_dir.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        assert "<script>alert(" not in html, path
        assert "<img src=x" not in html, path
        assert 'href="javascript:' not in html, path
    tag_dirs = sorted(p.name for p in (site_dir / "incidents" / "tags").iterdir())
    assert tag_dirs == ["config-push", "escape", "img-src-x-onerror-alert-1"]
    assert all(p.resolve().is_relative_to(site_dir.resolve()) for p in site_dir.rglob("*"))
    assert "&lt;script&gt;alert" in built.page("incidents/years/2024.md")


def test_generated_pages_are_searchable_and_in_the_navigation(built: Site) -> None:
    index = json.loads((built.root / "site" / "search" / "search_index.json").read_text())
    locations = {doc["location"].split("#")[0] for doc in index["docs"]}
    assert {"incidents/", "incidents/patterns/", "incidents/severity/"} <= locations
    # Long listings repeat the reports and are left out of Material's search (issue 9).
    assert not {"incidents/archive/", "incidents/tags/config-push/"} & locations
    assert "2024/01/a/" in locations
    home = built.page("index.md")
    nav = home[home.index("md-nav--primary") : home.index("md-sidebar--secondary")]
    for title in (
        "Incident overview",
        "Incidents by severity",
        "Patterns",
        "Action items",
        "Archive",
        "Monthly incident reviews",
        "Near-misses",
    ):
        assert re.search(rf">\s*{title}\s*<", nav), title
    assert "config-push" not in nav  # detail pages are reached from the index pages


@pytest.mark.parametrize("directory_urls", [True, False])
def test_every_link_of_the_generated_pages_leads_to_a_page(
    built: Site, directory_urls: bool
) -> None:
    """The long listings are HTML, whose links MkDocs does not check: each one must
    reach a built page, with either URL style."""
    built.extra = f"use_directory_urls: {str(directory_urls).lower()}\n"
    built.build()
    site_dir = built.root / "site"
    checked = 0
    for page in (site_dir / "incidents").rglob("*.html"):
        content = page.read_text(encoding="utf-8")
        assert "pmkb-fragment" not in content, page  # every table put in place
        article = content[content.index("<article") : content.index("</article>")]
        for href in re.findall(r'href="([^"#:]+)"', article):
            target = (page.parent / unquote(html.unescape(href))).resolve()
            if target.is_dir():
                target = target / "index.html"
            assert target.is_file(), f"{page.relative_to(site_dir)}: {href}"
            checked += 1
    assert checked > 100


def test_a_long_listing_goes_on_over_numbered_pages(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past INCIDENT_ROWS a listing is split, newest first, each page saying which
    incidents it lists and linking to the others; every incident is listed once."""
    monkeypatch.setattr(paging, "INCIDENT_ROWS", 2)
    for day in range(1, 6):
        site.add(f"2024/03/{day}.md", report_text(f"INC-2024-00{day}", date=f"2024-03-0{day}"))
    site.configure("build_date: 2024-04-01\n")
    site.build()
    pages = [
        site.page("incidents/severity/sev2.md"),
        site.page("incidents/severity/sev2/2.md"),
        site.page("incidents/severity/sev2/3.md"),
    ]
    listed = [re.findall(r"<tr><td>(\d{4}-\d\d-\d\d)</td>", page) for page in pages]
    assert listed == [["2024-03-05", "2024-03-04"], ["2024-03-03", "2024-03-02"], ["2024-03-01"]]
    assert "Incidents 3-4 of 5, newest first. Page 2 of 3:" in pages[1]
    assert "SEV2 incidents (page 3 of 3)</h1>" in pages[2]
    assert '<a href="../">1</a> · <strong>2</strong> · <a href="../3/">3</a>' in pages[1]
    assert "pmkb-trend" in pages[0] and "pmkb-trend" not in pages[1]  # the trend: page 1
    assert not (site.root / "site" / "incidents" / "severity" / "sev2" / "4").exists()
    # The same for the other listings (status, year, near-misses, tags, services, causes).
    assert "Page 3 of 3" in site.page("incidents/status/final/3.md")
    assert "Page 3 of 3" in site.page("incidents/years/2024/3.md")


def test_a_long_listing_s_pager_links_the_ends_and_the_pages_near(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fifty numbered pages would be fifty links on every page: past nine, the pager
    links the first, the last and two either side, with '…' for the pages between."""
    monkeypatch.setattr(paging, "INCIDENT_ROWS", 1)
    for day in range(1, 13):
        site.add(f"2024/03/{day}.md", report_text(f"INC-2024-{day:03d}", date=f"2024-03-{day:02d}"))
    site.configure("build_date: 2024-04-01\n")
    site.build()
    sixth = site.page("incidents/severity/sev2/6.md")
    pager = re.search(r"Page 6 of 12: (.*?)</p>", sixth)
    assert pager is not None
    marks = re.sub(r'<a href="[^"]*">(\d+)</a>', r"\1", pager.group(1))
    assert marks == "1 · … · 4 · 5 · <strong>6</strong> · 7 · 8 · … · 12"
    first = site.page("incidents/severity/sev2.md")
    assert "Page 1 of 12: <strong>1</strong> · " in first and " · 3 · … · " in re.sub(
        r'<a href="[^"]*">(\d+)</a>', r"\1", first
    )


def test_past_the_most_specific_recurring_causes_all_go_on_pages_of_their_own(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The patterns page lists the most specific recurring causes; every one of them,
    the same order, is on the recurring-causes pages, linked from it."""
    monkeypatch.setattr(patterns, "RECURRING_SHOWN", 1)
    for number, (category, tag) in enumerate(
        [("capacity", "disk"), ("capacity", "disk"), ("dns", "resolver"), ("dns", "resolver")], 1
    ):
        site.add(
            f"2024/{number}.md",
            report_text(f"INC-2024-{number:03d}", category=category, tags=[tag]),
        )
    site.build()
    page = site.page("incidents/patterns/index.md")
    repeats = page[page.index('id="recurring-causes"') : page.index('id="root-cause-categories"')]
    assert repeats.count("Repeat:") == 1
    assert '<a href="recurring/">all 2 recurring causes</a>' in page
    first, second = (
        site.page("incidents/patterns/recurring.md"),
        site.page("incidents/patterns/recurring/2.md"),
    )
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    causes = [re.findall(r"Repeat: <a[^>]*>([\w-]+)</a>", p) for p in (repeats, first, second)]
    assert causes[0] == causes[1] and sorted(causes[1] + causes[2]) == ["capacity", "dns"]
