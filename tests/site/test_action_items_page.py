"""The action-items page as its readers use it: each item once with its tracker link,
days late and rendered Markdown, filters kept in the URL, and a page per owner."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Browser

from postmortem_kb.site.pages import action_items, writer
from tests.browser import serve
from tests.conftest import Site, pmkb, report_text

TABLE = (
    "| ID | Action | Owner | Due Date | Priority | Status | Issue |\n"
    "|---|---|---|---|---|---|---|\n"
    "| AI-1 | Raise `pool_size` to **40** | @alice | 2024-02-01 | P0 | Not Started "
    "| https://tracker.example/OPS-12 |\n"
    "| AI-2 | Alert on <script>alert(1)</script> [lag](javascript:alert(2)) | @bob "
    "| 2024-02-25 | P1 | Blocked | https://github.com/acme/ops/issues/7 |\n"
    "| AI-3 | Document the runbook | @alice | 2024-01-20 | P2 | Done | |\n"
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Site:
    site = Site(tmp_path_factory.mktemp("actions") / "project")
    site.add(
        "2024/01/a.md",
        report_text("INC-2024-001", date="2024-01-10", sections={"Action Items": TABLE}),
    )
    site.add(
        "2024/02/b.md",
        report_text(
            "INC-2024-002",
            date="2024-02-05",
            actions=[("AI-1", "@carol", "2024-04-01", "P2", "In Progress")],
        ),
    )
    site.configure("build_date: 2024-03-01\n")
    site.build()
    return site


def _build_one_report(site: Site) -> None:
    """A site of one report holding :data:`TABLE`, built on 2024-03-01."""
    site.add(
        "2024/01/a.md",
        report_text("INC-2024-001", date="2024-01-10", sections={"Action Items": TABLE}),
    )
    site.configure("build_date: 2024-03-01\n")
    site.build()


def _rows(page: str) -> list[str]:
    table = page[page.index('id="pmkb-action-table"') :]
    return re.findall(r"<tr data-owner.*?</tr>", table[: table.index("</table>")], re.DOTALL)


def test_each_item_once_with_tracker_link_days_late_and_markdown(built: Site) -> None:
    rows = _rows(built.page("incidents/action-items.md"))
    assert len(rows) == 4
    pool = next(r for r in rows if "INC-2024-001 AI-1" in r)
    assert '<a href="https://tracker.example/OPS-12">OPS-12</a>' in pool
    assert "<code>pool_size</code>" in pool and "<strong>40</strong>" in pool
    assert "`" not in pool
    assert "<td><strong>29</strong></td>" in pool  # as pmkb overdue says it
    alert = next(r for r in rows if "INC-2024-001 AI-2" in r)
    assert '<a href="https://github.com/acme/ops/issues/7">#7</a>' in alert
    assert "<script>" not in alert and "&lt;script&gt;" in alert
    assert "javascript:" not in alert.replace("[lag](javascript:alert(2))", "")
    assert "<td><strong>5</strong></td>" in alert


def test_days_late_are_the_ones_pmkb_overdue_prints(built: Site) -> None:
    out = pmkb("overdue", "--format", "json", cwd=built.root)  # build_date: 2024-03-01
    assert out.returncode == 0, out.stderr
    items = json.loads(out.stdout)["overdue"]
    late = {f"{item['postmortem']} {item['id']}": item["days_late"] for item in items}
    assert late == {"INC-2024-001 AI-1": 29, "INC-2024-001 AI-2": 5}
    rows = _rows(built.page("incidents/action-items.md"))
    for key, days in late.items():
        row = next(r for r in rows if f">{key}</a>" in r)
        assert f"<td><strong>{days}</strong></td>" in row


def test_every_owner_has_a_page_with_all_their_items(built: Site) -> None:
    alice = built.page("incidents/owners/alice.md")
    assert "<title>Action items of @alice" in alice
    ids = re.findall(r">(INC-\d+-\d+ AI-\d)</a>", "".join(_rows(alice)))
    assert ids == ["INC-2024-001 AI-1", "INC-2024-001 AI-3"]  # open first, then Done
    assert "@bob" not in "".join(_rows(alice))
    index = built.page("incidents/action-items.md")
    assert 'href="../owners/carol/"' in index


def test_filters_live_in_the_url_and_the_table_is_complete_without_them(
    built: Site, browser: Browser
) -> None:
    with serve(built.root / "site") as base:
        page = browser.new_page(java_script_enabled=False)
        page.goto(base + "incidents/action-items/?owner=@alice")
        assert page.locator("#pmkb-action-table tbody tr:visible").count() == 4
        assert not page.locator("form.pmkb-filters").is_visible()
        page.close()

        page = browser.new_page()
        page.goto(base + "incidents/action-items/?owner=%40alice")
        visible = page.locator("#pmkb-action-table tbody tr:visible")
        assert visible.count() == 2
        assert page.locator("form.pmkb-filters output").inner_text() == "2 of 4 items"
        page.check("form.pmkb-filters input[name=overdue]")
        assert visible.count() == 1 and "INC-2024-001 AI-1" in visible.first.inner_text()
        assert "overdue=1" in page.url and "owner=%40alice" in page.url
        page.select_option("form.pmkb-filters select[name=owner]", "")
        page.select_option("form.pmkb-filters select[name=status]", "Blocked")
        assert visible.count() == 1 and "INC-2024-001 AI-2" in visible.first.inner_text()
        shared = page.url
        assert "owner=" not in shared and "status=Blocked" in shared
        page.goto(shared)  # a shared link opens the same filter
        assert page.locator("#pmkb-action-table tbody tr:visible").count() == 1
        assert page.input_value("form.pmkb-filters select[name=status]") == "Blocked"
        page.close()


def test_past_page_rows_the_main_table_lists_open_items_and_owner_pages_split(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(action_items, "PAGE_ROWS", 2)
    _build_one_report(site)
    index = site.page("incidents/action-items.md")
    ids = re.findall(r">(INC-\d+-\d+ AI-\d)</a>", "".join(_rows(index)))
    assert ids == ["INC-2024-001 AI-1", "INC-2024-001 AI-2"]  # the open ones
    assert (
        "closed items are on their owner&#x27;s page" in index
        or "closed items are on their owner's page" in index
    )
    alice = _rows(site.page("incidents/owners/alice.md"))
    assert len(alice) == 2  # both of hers fit on one page


def test_a_long_table_in_parts_filters_as_one(
    site: Site, browser: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past LAZY_ROWS a table comes in parts (a table each, laid out only near the
    screen); the filter reads every part's rows and hides the parts left empty."""
    monkeypatch.setattr(writer, "LAZY_ROWS", 1)
    _build_one_report(site)
    index = site.page("incidents/action-items.md")
    assert '<div class="pmkb-parts" id="pmkb-action-table">' in index
    parts = index[index.index('class="pmkb-parts"') : index.index('id="by-owner"')]
    assert parts.count("<table>") == 3 and parts.count("<thead>") == 3
    with serve(site.root / "site") as base:
        page = browser.new_page(java_script_enabled=False)
        page.goto(base + "incidents/action-items/")
        assert page.locator("#pmkb-action-table tbody tr:visible").count() == 3
        page.close()
        page = browser.new_page()
        page.goto(base + "incidents/action-items/?owner=%40alice")
        assert page.locator("#pmkb-action-table tbody tr:visible").count() == 2
        assert page.locator("#pmkb-action-table > div:visible").count() == 2  # bob's hidden
        assert page.locator("form.pmkb-filters output").inner_text() == "2 of 3 items"
        page.select_option("form.pmkb-filters select[name=owner]", "")
        assert page.locator("#pmkb-action-table > div:visible").count() == 3
        page.close()


def test_a_long_table_scrolls_as_long_as_it_is_before_its_parts_are_laid_out(
    site: Site, browser: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parts below the screen are not laid out until the reader nears them; until then
    each stands for about its height, so the scroll bar tells how long the page is."""
    monkeypatch.setattr(writer, "LAZY_ROWS", 25)
    for number in range(1, 31):
        items = [(f"AI-{n}", f"@team-{n}", "2024-02-01", "P1", "Not Started") for n in range(4)]
        site.add(f"2024/{number}.md", report_text(f"INC-2024-{number:03d}", actions=items))
    site.configure("build_date: 2024-03-01\n")
    site.build()
    height = "document.scrollingElement.scrollHeight"
    with serve(site.root / "site") as base:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(base + "incidents/action-items/")
        assert page.locator("#pmkb-action-table > div").count() == 5
        estimated = page.evaluate(height)
        page.add_style_tag(content=".md-typeset .pmkb-lazy { content-visibility: visible }")
        real = page.evaluate(height)
        page.close()
    assert 0.8 < estimated / real < 1.25, (estimated, real)
