"""The page writer: the generated pages of one knowledge base, and their building blocks.

Every page family (:mod:`postmortem_kb.site.pages`) writes through one
:class:`PageWriter`: Markdown links between pages, links to reports, and the long
listings of incidents and action items, which are HTML tables put into the page after
Markdown (a Markdown table costs Python-Markdown a pass of every inline pattern over
every cell). Every value from frontmatter or tables goes through :func:`markdown_text`
or :func:`html_text`.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from postmortem_kb.analysis import actions
from postmortem_kb.analysis.actions import Tracked
from postmortem_kb.analysis.patterns import (
    Group,
    Recurrence,
    cause_of,
    factors_of,
    group_by,
    newest_first,
    recurring,
    services_of,
    tags_of,
)
from postmortem_kb.core.escape import html_text, markdown_text
from postmortem_kb.core.kb import KnowledgeBase
from postmortem_kb.core.model import Severity
from postmortem_kb.core.report import Report
from postmortem_kb.core.rules import Level
from postmortem_kb.core.slugs import normalise, slugify
from postmortem_kb.core.units import format_duration
from postmortem_kb.site.render import inline_html, link_from, src_uri

MONTH_REPEATS = 10
"""Recurring causes a monthly review lists: the largest that include the month."""

REPEAT_LINKS = 8
"""Incidents linked per recurring cause; the cause's own page lists them all."""

SEARCHABLE = frozenset(
    {"index.md", "severity/index.md", "patterns/index.md", "reviews/index.md", "near-misses.md"}
)
"""Generated pages kept in Material's search: the small ways in, not the long listings."""
SEARCH_EXCLUDED = "---\nsearch:\n  exclude: true\n---\n\n"

FACTOR_CATEGORIES = ("people", "process", "technology", "environment")

INCIDENT_COLUMNS = ("Date", "Incident", "Severity", "Status", "Duration", "Services")
ACTION_COLUMNS = ("Item", "Action", "Owner", "Status", "Priority", "Due", "Days late", "Tracker")
ACTION_TABLE_ID = "pmkb-action-table"
"""The id of an action table that a filter form (``data-pmkb-filters``) filters."""

UNKNOWN_CELL = "<em>unknown</em>"
"""A required fact whose value is invalid: shown as unknown, never as another value."""

FRAGMENT = "<!-- pmkb-fragment {} -->"
LAZY_BLOCK = "pmkb-lazy"
"""The class of a generated table's block: below the first screen, the browser does not
lay it out until the reader scrolls near it (``content-visibility: auto`` in pmkb.css)."""
LAZY_ROWS = 50
"""Rows of a generated table laid out together: a longer table comes in parts of this many
rows, each a table with the header in a block of its own, so the browser lays out only the
parts on screen. Measured in headless Chromium at 5,000 reports, the 1,500-row action items
page took 3.6 s to DOMContentLoaded as one table, 1.1 s in parts of 100 and 0.9 s in parts
of 50 (an owner's page of 300 items: 0.7 s)."""
TABLE_PARTS = "pmkb-parts"
"""The class of the block holding a long table's parts (the filter script reads it)."""
_FRAGMENT = re.compile(r"<!-- pmkb-fragment (\d+) -->")


def fill_fragments(page_html: str, fragments: list[str]) -> str:
    """``page_html`` with each placeholder replaced by its fragment."""
    return _FRAGMENT.sub(lambda match: fragments[int(match.group(1))], page_html)


def table_html(header: Iterable[str], rows: list[str], attrs: str = "") -> str:
    """A generated table: past :data:`LAZY_ROWS` rows, in parts, each a table with the
    header; each part in a block the browser lays out once the reader scrolls near it.
    ``attrs`` go on the table, or on the block of its parts."""
    head = "".join(f'<th scope="col">{html_text(title)}</th>' for title in header)
    parts = [rows[i : i + LAZY_ROWS] for i in range(0, len(rows), LAZY_ROWS)] or [[]]
    one = len(parts) == 1
    # The height a block stands for until it is laid out, about 4em a row: with the
    # stylesheet's 30em, a 1,500-row page scrolled as if it were a fifth of its length.
    tables = [
        f'<div class="{LAZY_BLOCK}" style="contain-intrinsic-size: auto {4 * len(part) + 3}em">'
        f"\n<table{attrs if one else ''}>\n<thead><tr>{head}</tr></thead>\n<tbody>\n"
        + "\n".join(part)
        + "\n</tbody>\n</table>\n</div>"
        for part in parts
    ]
    if one:
        return tables[0]
    joined = "\n".join(tables)
    return f'<div class="{TABLE_PARTS}"{attrs}>\n{joined}\n</div>'


UrlOf = Callable[[str], str]
"""The URL of a docs path, relative to the site root, as MkDocs makes it
(``2024/01/outage.md`` -> ``2024/01/outage/``)."""


@dataclass(frozen=True, slots=True)
class Facet:
    """One way of grouping incidents, with its own folder of pages."""

    folder: str
    singular: str
    plural: str
    values: Callable[[Report], Iterable[str]]


FOLDED = frozenset({"services", "tags"})
"""Facets whose values used once are listed compactly on the patterns page."""


def has_page(folder: str, group: Group) -> bool:
    """Whether a group gets a page of its own: a tag or service used by one incident
    does not (its page would list that incident alone; the patterns page links it to
    that incident instead)."""
    return folder not in FOLDED or len(group.reports) > 1


FACETS = (
    Facet("causes", "Root-cause category", "Root-cause categories", cause_of),
    Facet("factors", "Contributing factor", "Contributing factors", factors_of),
    Facet("services", "Service", "Services", services_of),
    Facet("tags", "Tag", "Tags", tags_of),
)


@dataclass
class PageWriter:
    """The generated pages of one knowledge base, by docs path, and what every page family
    writes them with: links, listings of incidents and action items (HTML tables put in
    place after Markdown), and the groups and recurrences several families show."""

    kb: KnowledgeBase
    today: date
    url_of: UrlOf
    prefix: str = "incidents"
    pages: dict[str, str] = field(default_factory=dict)
    fragments: dict[str, list[str]] = field(default_factory=dict)
    """HTML for the pages' :data:`FRAGMENT` placeholders, by page and number; the MkDocs
    plugin puts it in place after Markdown (:func:`fill_fragments`)."""
    nav: list[tuple[str, str]] = field(default_factory=list)
    """(title, path) of the pages meant for the navigation, in order."""
    titles: dict[str, str] = field(default_factory=dict)
    """Every page's title as plain text, by page. The MkDocs plugin gives it to the page
    escaped, so the title never comes from the rendered heading, where MkDocs would
    unescape what frontmatter values hold (``</title><script>``)."""

    def __post_init__(self) -> None:
        self.prefix = self.prefix.strip("/")
        self._rows: dict[tuple[str, int, int], str] = {}
        """Table rows by (kind, object, page depth): a report is listed on a dozen pages,
        and its row differs between them only in how far up its link goes."""
        self.reports = newest_first(self.kb.reports)
        self.items = actions.collect(self.kb.reports)
        self.owner_pages = _owner_pages(actions.by_owner(self.items))
        """The page of each owner's action items, by owner as written."""
        self.recurrences = recurring(self.kb.reports)
        self.groups = {f.folder: group_by(self.reports, f.values) for f in FACETS}
        self.group_index = {
            folder: {group.key: group for group in groups} for folder, groups in self.groups.items()
        }
        self.repeat_rank = {id(r): rank for rank, r in enumerate(self.recurrences)}
        self.repeats_of: dict[int, list[Recurrence]] = defaultdict(list)
        for recurrence in self.recurrences:
            for report in recurrence.reports:
                self.repeats_of[id(report)].append(recurrence)

    def uri(self, name: str) -> str:
        """The docs path of generated page ``name``; a name starting with "/" is already
        a docs path (a page of the site's own, such as one holding the dashboard)."""
        return name[1:] if name.startswith("/") else f"{self.prefix}/{name}"

    def add(self, name: str, title: str, lines: list[str], nav_title: str | None = None) -> None:
        """Add page ``name`` with ``title`` (plain text) as its heading, then ``lines``."""
        uri = self.uri(name)
        # Listings repeat the reports' titles and facts: indexing them in Material's
        # search would make every query hit dozens of them and multiply the index.
        front = "" if name in SEARCHABLE else SEARCH_EXCLUDED
        heading = f"# {markdown_text(title)}\n\n"
        self.pages[uri] = front + heading + "\n".join(lines).rstrip() + "\n"
        self.titles[uri] = title
        if nav_title:
            self.nav.append((nav_title, uri))

    def report_link(self, page: str, report: Report, text: str | None = None) -> str:
        label = markdown_text(report.title if text is None else text)
        target = link_from(self.uri(page), src_uri(report, self.kb.settings.folder))
        return f"[{label}]({target})"

    def page_link(self, page: str, target: str, text: str) -> str:
        return f"[{markdown_text(text)}]({link_from(self.uri(page), self.uri(target))})"

    def html_page_link(self, page: str, target: str, text: str) -> str:
        """:meth:`page_link` as HTML, for the tables put in after Markdown."""
        return f'<a href="{html.escape(self.href(page, self.uri(target)))}">{html_text(text)}</a>'

    def href(self, page: str, target: str) -> str:
        """A link from one docs page to another as the final URL, for HTML tables
        (MkDocs only rewrites links in Markdown): up to the site root, then down."""
        return "../" * self._depth(page) + self.url_of(target)

    def _depth(self, page: str) -> int:
        """How many folders down the page's URL is (the home page, ``./``, is at 0)."""
        url = self.url_of(self.uri(page))
        return 0 if url in ("", "./") else url.count("/")

    def html_link(self, page: str, report: Report, text: str | None = None) -> str:
        href = self.href(page, src_uri(report, self.kb.settings.folder))
        label = html_text(report.title if text is None else text)
        return f'<a href="{html.escape(href)}">{label}</a>'

    def marks(self, report: Report) -> str:
        marks = []
        if report.meta.near_miss:
            marks.append(" <em>(near-miss)</em>")
        if any(p.level is Level.ERROR for p in self.kb.problems_of(report)):
            marks.append(" <strong>(has problems)</strong>")
        return "".join(marks)

    # The long listings are HTML tables, put into the page after Markdown: a Markdown
    # table costs Python-Markdown a pass of every inline pattern over every cell, and
    # at thousands of reports these listings (100,000 rows) took longer to render
    # than all the reports.

    def fragment(self, page: str, markup: str) -> list[str]:
        """A placeholder for ``markup``, which the page gets after Markdown (see
        :attr:`fragments`): even as HTML, Python-Markdown scans every character."""
        stored = self.fragments.setdefault(self.uri(page), [])
        stored.append(markup)
        return [FRAGMENT.format(len(stored) - 1), ""]

    def table(
        self, page: str, header: Iterable[str], rows: list[str], attrs: str = ""
    ) -> list[str]:
        return self.fragment(page, table_html(header, rows, attrs))

    def listing(
        self,
        page: str,
        columns: tuple[str, ...],
        items: Sequence[Any],
        row_of: Callable[[str, Any], str],
        attrs: str = "",
    ) -> list[str]:
        """A table of ``items``, one row each, rows remembered by page depth."""
        if not items:
            return ["*None.*", ""]
        depth = self._depth(page)
        rows = []
        for item in items:
            key = (row_of.__name__, id(item), depth)
            if key not in self._rows:
                self._rows[key] = row_of(page, item)
            rows.append(self._rows[key])
        return self.table(page, columns, rows, attrs)

    def incident_table(self, page: str, reports: list[Report]) -> list[str]:
        return self.listing(page, INCIDENT_COLUMNS, reports, self._incident_row)

    def _incident_row(self, page: str, report: Report) -> str:
        meta = report.meta
        incident = f"{html_text(report.id or '')} {self.html_link(page, report)}"
        cells = [
            report.incident_date.isoformat() if report.incident_date else UNKNOWN_CELL,
            incident.strip() + self.marks(report),
            html_text(meta.severity) if meta.severity else UNKNOWN_CELL,
            html_text(meta.status) if meta.status else UNKNOWN_CELL,
            format_duration(report.duration),
            ", ".join(html_text(s) for s in meta.services),
        ]
        return "<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>"

    def action_table(self, page: str, items: list[Tracked], filterable: bool = False) -> list[str]:
        """Action items, one row each: the item and its report, the action (its inline
        Markdown rendered), owner (linked to their page), status, priority, due date, days
        late and tracker link. The rows carry what the filter script matches on; the
        ``filterable`` table (one a page) has the id its filter form names."""
        attrs = f' id="{ACTION_TABLE_ID}"' if filterable else ""
        return self.listing(page, ACTION_COLUMNS, items, self._action_row, attrs)

    def _action_row(self, page: str, tracked: Tracked) -> str:
        item, report = tracked.item, tracked.report
        late = actions.days_late(tracked, self.today)
        owner = item.owner or actions.NO_OWNER
        status = item.status.value if item.status else "unknown"
        cells = [
            self.html_link(page, report, f"{report.id or report.rel} {item.id}"),
            inline_html(item.action),
            self.html_page_link(page, self.owner_pages[owner], owner),
            html_text(status) if item.status else UNKNOWN_CELL,
            html_text(item.priority) if item.priority else "",
            item.due.isoformat() if item.due else "",
            f"<strong>{late}</strong>" if late is not None else "",
            _tracker_link(item.issue),
        ]
        data = (
            f'data-owner="{html_text(owner)}" data-status="{html_text(status)}" '
            f'data-priority="{html_text(item.priority or "")}" '
            f'data-overdue="{int(late is not None)}"'
        )
        tds = "".join(
            f'<td class="pmkb-action">{cell}</td>' if n == 1 else f"<td>{cell}</td>"
            for n, cell in enumerate(cells)
        )
        return f"<tr {data}>{tds}</tr>"

    def by_severity(self) -> dict[Severity, list[Report]]:
        groups: dict[Severity, list[Report]] = {s: [] for s in Severity}
        for report in self.reports:
            if report.meta.severity is not None:
                groups[report.meta.severity].append(report)
        return groups

    def recurrence_list(self, page: str, recurrences: list[Recurrence]) -> list[str]:
        if not recurrences:
            return ["*No root-cause category has repeated on shared services or tags.*", ""]
        lines: list[str] = []
        for recurrence in recurrences:
            cause = self.group_link(page, "causes", recurrence.category)
            shared = []
            if recurrence.shared_services:
                shared.append(
                    "services "
                    + ", ".join(
                        self.group_link(page, "services", s) for s in recurrence.shared_services
                    )
                )
            if recurrence.shared_tags:
                shared.append(
                    "tags "
                    + ", ".join(self.group_link(page, "tags", t) for t in recurrence.shared_tags)
                )
            shown = recurrence.reports[:REPEAT_LINKS]
            ids = ", ".join(
                f"{self.report_link(page, r)} ({markdown_text(r.id or '')})" for r in shown
            )
            if len(recurrence.reports) > len(shown):
                ids += f" and {len(recurrence.reports) - len(shown)} earlier"
            lines.append(
                f"- **Repeat: {cause}**, {len(recurrence.reports)} incidents sharing "
                f"{'; '.join(shared)}: {ids}"
            )
        return [*lines, ""]

    def repeats_among(self, reports: list[Report]) -> list[Recurrence]:
        """Recurring causes that include any of ``reports``, in the usual order."""
        found = {id(r): r for report in reports for r in self.repeats_of.get(id(report), [])}
        return sorted(found.values(), key=lambda r: self.repeat_rank[id(r)])

    def group_uri(self, folder: str, value: str) -> str | None:
        """The docs path of the page of a tag, service or cause, as written anywhere
        (None when it has no page)."""
        group = self.group_index.get(folder, {}).get(normalise(value))
        if group is None or not has_page(folder, group):
            return None
        return self.uri(f"{folder}/{group.slug}.md")

    def group_link(self, page: str, folder: str, key: str) -> str:
        group = self.group_index[folder].get(key)
        if group is None or not has_page(folder, group):
            return markdown_text(group.label if group is not None else key)
        return self.page_link(page, f"{folder}/{group.slug}.md", group.label)

    def months(self) -> dict[tuple[int, int], list[Report]]:
        months: dict[tuple[int, int], list[Report]] = defaultdict(list)
        for report in self.reports:
            if report.incident_date is not None:
                months[(report.incident_date.year, report.incident_date.month)].append(report)
        return dict(sorted(months.items(), reverse=True))


def _owner_pages(owners: Iterable[str]) -> dict[str, str]:
    """A page name for each owner as written, distinct even where slugs collide."""
    pages: dict[str, str] = {}
    taken: set[str] = set()
    for owner in owners:
        base = slugify(owner.lstrip("@")) if owner.lstrip("@") else "item"
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        pages[owner] = f"owners/{slug}.md"
    return pages


def _tracker_link(issue: str) -> str:
    """The tracker link of an item: its URL's last part as the text (``OPS-12``)."""
    issue = issue.strip()
    if not issue.startswith(("https://", "http://")):
        return html_text(issue)
    label = issue.rstrip("/").rsplit("/", 1)[-1] or issue
    if label.isdigit():
        label = f"#{label}"  # GitHub, GitLab: .../issues/12
    return f'<a href="{html.escape(issue)}">{html_text(label)}</a>'


def repeats_on(recurrence: Recurrence, folder: str, key: str) -> bool:
    """Whether a repeat is about this cause, or shares this service or tag."""
    if folder == "causes":
        return recurrence.category == key
    if folder == "services":
        return key in recurrence.shared_services
    if folder == "tags":
        return key in recurrence.shared_tags
    return False
