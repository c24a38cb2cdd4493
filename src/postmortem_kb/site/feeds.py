"""Atom and RSS feeds of newly published postmortems, one pair per edition.

Built from the edition's published knowledge base like every other output, so the
public feed can only hold public reports. Feeds must give byte-identical output for
the same input (reproducible builds): every date comes from the reports or the build
date, never from the clock, and entry ids depend only on the site's address and the
report's id and date, so readers never see an entry twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from urllib.parse import quote, urlsplit

from feedgen.feed import FeedGenerator

from postmortem_kb.analysis.patterns import newest_first
from postmortem_kb.core.kb import KnowledgeBase
from postmortem_kb.core.model import Status
from postmortem_kb.core.report import Report
from postmortem_kb.site.catalog import summary_of

FEED_SIZE = 50
"""Newest reports in a feed; readers keep what they have already fetched."""

ATOM_FILE = "feed.xml"
RSS_FILE = "rss.xml"


@dataclass(frozen=True, slots=True)
class FeedSite:
    """What a feed says about the site it belongs to."""

    base_url: str
    """The site's absolute address (MkDocs ``site_url``), ending with '/'."""
    title: str
    description: str
    author: str


def feed_reports(kb: KnowledgeBase) -> list[Report]:
    """The newest Final reports: drafts and reports under review are not news yet."""
    final = [
        r
        for r in kb.reports
        if r.meta.status is Status.FINAL and r.id is not None and r.incident_date is not None
    ]
    return newest_first(final)[:FEED_SIZE]


def entry_id(report: Report, base_url: str) -> str:
    """A tag URI (RFC 4151): the site's host and path, the incident's date and id.

    Stable across builds and moves of the report's file, and unique across sites.
    """
    parts = urlsplit(base_url)
    day = report.incident_date.isoformat() if report.incident_date else "2000-01-01"
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return f"tag:{parts.hostname or 'localhost'},{day}:{quote(path)}{quote(report.id or '')}"


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=UTC)


def _generator(
    site: FeedSite,
    reports: list[Report],
    url_of: Callable[[Report], str],
    self_url: str,
    today: date,
) -> FeedGenerator:
    feed = FeedGenerator()
    feed.id(self_url)
    feed.title(site.title)
    feed.subtitle(site.description)  # also RSS's required <description>
    feed.author(name=site.author)
    feed.link(href=site.base_url, rel="alternate")
    feed.link(href=self_url, rel="self")
    feed.generator("postmortem-kb")
    feed.language("en")
    # The feed changed when its newest entry appeared; with none, the build date.
    newest = max((r.incident_date for r in reports if r.incident_date), default=today)
    feed.updated(_moment(newest))
    feed.lastBuildDate(_moment(newest))
    for report in reports:
        meta = report.meta
        assert report.incident_date is not None
        entry = feed.add_entry(order="append")
        entry.id(entry_id(report, site.base_url))
        entry.title(f"{report.id}: {report.title}")
        entry.link(href=url_of(report), rel="alternate")
        entry.published(_moment(report.incident_date))
        entry.updated(_moment(report.incident_date))
        summary = summary_of(report) or report.title
        entry.description(summary, isSummary=True)  # Atom <summary>, RSS <description>
        for author in meta.authors:
            entry.author(name=author)
        terms = [*([str(meta.severity)] if meta.severity else []), *meta.tags]
        entry.category([{"term": term} for term in dict.fromkeys(terms)])
    return feed


def atom_feed(
    kb: KnowledgeBase,
    site: FeedSite,
    url_of: Callable[[Report], str],
    self_url: str,
    today: date,
) -> bytes:
    """The Atom feed (RFC 4287) of the newest Final reports of ``kb``."""
    return _generator(site, feed_reports(kb), url_of, self_url, today).atom_str(pretty=True)


def rss_feed(
    kb: KnowledgeBase,
    site: FeedSite,
    url_of: Callable[[Report], str],
    self_url: str,
    today: date,
) -> bytes:
    """The same entries as RSS 2.0, for readers that only take RSS."""
    return _generator(site, feed_reports(kb), url_of, self_url, today).rss_str(pretty=True)
