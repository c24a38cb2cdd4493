"""Atom and RSS feeds and the action-item calendar: valid, stable, and one per edition."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from icalendar import Calendar

from postmortem_kb import Settings, load
from postmortem_kb.site.feeds import FEED_SIZE, FeedSite, atom_feed, entry_id
from tests.conftest import Site, report_text

ATOM = "{http://www.w3.org/2005/Atom}"
SITE_URL = "https://kb.example.com/team/"
ROOT = Path(__file__).resolve().parents[2]


def public(text: str) -> str:
    return text.replace("---\n", "---\nvisibility: public\n", 1)


def add_reports(site: Site) -> None:
    site.add(
        "2024/01/a.md", public(report_text("INC-2024-001", date="2024-01-10", title="A & <b>"))
    )
    site.add("2024/02/b.md", report_text("INC-2024-002", date="2024-02-05", tags=["disk"]))
    site.add("2024/02/c.md", public(report_text("INC-2024-003", date="2024-02-20")))
    site.add(
        "2024/03/d.md", public(report_text("INC-2024-004", date="2024-03-01", status="Review"))
    )
    site.configure("build_date: 2024-03-15\n")
    site.extra = f"site_url: {SITE_URL}\n"


def atom_entries(path: Path) -> tuple[ET.Element, list[ET.Element]]:
    root = ET.parse(path).getroot()
    assert root.tag == f"{ATOM}feed"
    return root, root.findall(f"{ATOM}entry")


def rfc3339(text: str) -> datetime:
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})", text), text
    moment = datetime.fromisoformat(text)
    assert moment.tzinfo is not None
    return moment


@pytest.fixture
def built(site: Site, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    add_reports(site)
    out = {}
    for edition in ("internal", "public"):
        monkeypatch.setenv("PMKB_EDITION", edition)
        out[edition] = site.root / f"site-{edition}"
        site.build(site_dir=out[edition])
    return out


def test_atom_feed_is_valid_with_unique_tag_ids_and_real_dates(built: dict[str, Path]) -> None:
    root, entries = atom_entries(built["internal"] / "incidents" / "feed.xml")
    assert root.findtext(f"{ATOM}id") == f"{SITE_URL}incidents/feed.xml"
    assert root.find(f"{ATOM}author/{ATOM}name") is not None  # required without entry authors
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert ids == [
        "tag:kb.example.com,2024-02-20:/team/INC-2024-003",
        "tag:kb.example.com,2024-02-05:/team/INC-2024-002",
        "tag:kb.example.com,2024-01-10:/team/INC-2024-001",
    ]  # Final reports only (INC-2024-004 is in Review), newest first
    assert len(set(ids)) == len(ids)
    updated = [rfc3339(e.findtext(f"{ATOM}updated") or "") for e in entries]
    assert updated == sorted(updated, reverse=True)
    assert rfc3339(root.findtext(f"{ATOM}updated") or "") == updated[0]
    for entry in entries:
        rfc3339(entry.findtext(f"{ATOM}published") or "")
        href = entry.find(f"{ATOM}link").get("href")  # type: ignore[union-attr]
        assert href.startswith(SITE_URL)
        page = built["internal"] / href.removeprefix(SITE_URL) / "index.html"
        assert page.is_file(), href
        assert entry.findtext(f"{ATOM}summary")
    assert entries[-1].findtext(f"{ATOM}title") == "INC-2024-001: A & <b>"  # escaped, parsed back


def test_rss_feed_has_the_same_entries_with_rfc822_dates(built: dict[str, Path]) -> None:
    _, entries = atom_entries(built["internal"] / "incidents" / "feed.xml")
    channel = ET.parse(built["internal"] / "incidents" / "rss.xml").getroot().find("channel")
    assert channel is not None and channel.findtext("title") and channel.findtext("description")
    items = channel.findall("item")
    assert [i.findtext("guid") for i in items] == [e.findtext(f"{ATOM}id") for e in entries]
    assert all(i.find("guid").get("isPermaLink") == "false" for i in items)  # type: ignore[union-attr]
    for item in items:
        assert parsedate_to_datetime(item.findtext("pubDate") or "").tzinfo is not None
        assert (item.findtext("link") or "").startswith(SITE_URL)
    parsedate_to_datetime(channel.findtext("lastBuildDate") or "")


def test_each_edition_has_its_own_feed(built: dict[str, Path]) -> None:
    _, entries = atom_entries(built["public"] / "incidents" / "feed.xml")
    assert [e.findtext(f"{ATOM}id") for e in entries] == [
        "tag:kb.example.com,2024-02-20:/team/INC-2024-003",
        "tag:kb.example.com,2024-01-10:/team/INC-2024-001",
    ]
    rss = (built["public"] / "incidents" / "rss.xml").read_text("utf-8")
    assert "INC-2024-002" not in rss and "disk" not in rss


def test_feed_ids_are_stable_across_builds_and_moves(
    site: Site, built: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PMKB_EDITION", "internal")
    again = site.root / "again"
    site.build(site_dir=again)
    for name in ("feed.xml", "rss.xml", "action-items.ics"):
        first = (built["internal"] / "incidents" / name).read_bytes()
        assert (again / "incidents" / name).read_bytes() == first, name
    (site.docs / "2024/01/a.md").rename(site.docs / "2024/02/a-moved.md")
    moved = site.root / "moved"
    site.build(site_dir=moved)
    _, before = atom_entries(built["internal"] / "incidents" / "feed.xml")
    _, after = atom_entries(moved / "incidents" / "feed.xml")
    assert [e.findtext(f"{ATOM}id") for e in after] == [e.findtext(f"{ATOM}id") for e in before]
    assert after[-1].find(f"{ATOM}link").get("href").endswith("/2024/02/a-moved/")  # type: ignore[union-attr]


def test_calendar_has_one_all_day_event_per_open_item_with_a_due_date(site: Site) -> None:
    site.add(
        "a.md",
        report_text(
            "INC-2024-001",
            actions=[
                ("AI-1", "@alice", "2024-02-01", "P0", "Not Started"),
                ("AI-2", "@bob", "2024-03-01", "P1", "Done"),
                ("AI-3", "@carol", "2024-04-01", "P2", "Blocked"),
            ],
        ),
    )
    site.configure("build_date: 2024-03-15\n")
    site.build()
    calendar = Calendar.from_ical((site.root / "site/incidents/action-items.ics").read_bytes())
    events = calendar.walk("VEVENT")
    assert [str(e["UID"]) for e in events] == [
        "INC-2024-001-AI-1@postmortem-kb",
        "INC-2024-001-AI-3@postmortem-kb",
    ]
    assert [e.decoded("DTSTART") for e in events] == [date(2024, 2, 1), date(2024, 4, 1)]
    assert all(e["DTSTART"].params.get("VALUE") == "DATE" for e in events)
    assert events[0].decoded("DTSTAMP") == datetime.fromisoformat("2024-03-15T00:00:00+00:00")
    assert "@alice" in str(events[0]["DESCRIPTION"])
    assert "URL" not in events[0]  # no site_url: no absolute address to give


def test_without_site_url_there_are_no_feeds_but_a_calendar(site: Site) -> None:
    site.add("a.md", report_text("INC-2024-001"))
    site.build()
    incidents = site.root / "site" / "incidents"
    assert not (incidents / "feed.xml").exists() and not (incidents / "rss.xml").exists()
    assert (incidents / "action-items.ics").is_file()
    assert "[Atom]" not in (incidents / "index.html").read_text("utf-8")


def test_a_feed_holds_the_newest_fifty(tmp_path: Path) -> None:
    files = []
    for number in range(FEED_SIZE + 5):
        day = date(2024, 1, 1).toordinal() + number
        path = tmp_path / f"r{number}.md"
        path.write_text(
            report_text(f"INC-2024-{number:03d}", date=date.fromordinal(day).isoformat()),
            encoding="utf-8",
        )
        files.append((path, path.name))
    kb = load(files, Settings())
    site = FeedSite("https://x.example/", "KB", "Postmortems", "SRE")
    xml = atom_feed(
        kb,
        site,
        lambda r: f"https://x.example/{r.rel}",
        "https://x.example/f.xml",
        date(2025, 1, 1),
    )
    entries = ET.fromstring(xml).findall(f"{ATOM}entry")
    assert len(entries) == FEED_SIZE
    assert entries[0].findtext(f"{ATOM}id") == entry_id(kb.reports[-1], "https://x.example/")


def test_the_repository_pages_point_to_the_feeds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    monkeypatch.setenv("SITE_URL", "https://postmortems.example.com/")  # as the workflow does
    out = tmp_path / "site"
    build(load_config(str(ROOT / "mkdocs.yml"), strict=True, site_dir=str(out)))
    head = (out / "index.html").read_text("utf-8").split("</head>")[0]
    assert '<link rel="alternate" type="application/atom+xml"' in head
    assert 'href="https://postmortems.example.com/incidents/rss.xml"' in head
    assert '<meta name="robots" content="noindex, nofollow">' in head  # internal edition
    overview = (out / "incidents" / "index.html").read_text("utf-8")
    assert 'href="feed.xml"' in overview and 'href="action-items.ics"' in overview
    items = (out / "incidents" / "action-items" / "index.html").read_text("utf-8")
    assert 'href="../action-items.ics"' in items
    atom_entries(out / "incidents" / "feed.xml")
    Calendar.from_ical((out / "incidents" / "action-items.ics").read_bytes())
