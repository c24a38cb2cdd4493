"""Generated index pages, written as Markdown so they look and search like authored ones.

Reports are kept out of the navigation (listing thousands of pages on every page
makes a build quadratic), so these pages are how readers reach them: an overview,
severity, pattern, action-item, archive, monthly-review and near-miss pages. The
long listings of incidents and action items are HTML tables, which Python-Markdown
passes through as they are. Every value from frontmatter or tables goes through
:func:`markdown_text` or :func:`html_text`.
"""

from __future__ import annotations

import calendar
import html
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from postmortem_kb.analysis import actions, policies
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
from postmortem_kb.core.model import ActionStatus, Severity, Status
from postmortem_kb.core.report import Report
from postmortem_kb.core.rules import RULES, Level
from postmortem_kb.site.metrics import metrics_pages, severity_trend
from postmortem_kb.site.render import format_duration, link_from, src_uri

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
ACTION_COLUMNS = ("Due", "Action", "Owner", "Priority", "Status", "Item")

UNKNOWN_CELL = "<em>unknown</em>"
"""A required fact whose value is invalid: shown as unknown, never as another value."""

FRAGMENT = "<!-- pmkb-fragment {} -->"
_FRAGMENT = re.compile(r"<!-- pmkb-fragment (\d+) -->")


def fill_fragments(page_html: str, fragments: list[str]) -> str:
    """``page_html`` with each placeholder replaced by its fragment."""
    return _FRAGMENT.sub(lambda match: fragments[int(match.group(1))], page_html)


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

FACETS = (
    Facet("causes", "Root-cause category", "Root-cause categories", cause_of),
    Facet("factors", "Contributing factor", "Contributing factors", factors_of),
    Facet("services", "Service", "Services", services_of),
    Facet("tags", "Tag", "Tags", tags_of),
)


@dataclass
class SiteIndex:
    """Every generated page of one knowledge base, by docs path."""

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
        self._render()

    def uri(self, name: str) -> str:
        return f"{self.prefix}/{name}"

    # --- building blocks -----------------------------------------------------

    def _add(self, name: str, title: str, lines: list[str], nav_title: str | None = None) -> None:
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

    def _report_link(self, page: str, report: Report, text: str | None = None) -> str:
        label = markdown_text(report.title if text is None else text)
        target = link_from(self.uri(page), src_uri(report, self.kb.settings.folder))
        return f"[{label}]({target})"

    def _page_link(self, page: str, target: str, text: str) -> str:
        return f"[{markdown_text(text)}]({link_from(self.uri(page), self.uri(target))})"

    def _href(self, page: str, target: str) -> str:
        """A link from one docs page to another as the final URL, for HTML tables
        (MkDocs only rewrites links in Markdown): up to the site root, then down."""
        return "../" * self.url_of(self.uri(page)).count("/") + self.url_of(target)

    def _html_link(self, page: str, report: Report, text: str | None = None) -> str:
        href = self._href(page, src_uri(report, self.kb.settings.folder))
        label = html_text(report.title if text is None else text)
        return f'<a href="{html.escape(href)}">{label}</a>'

    def _marks(self, report: Report) -> str:
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

    def _table(self, page: str, header: Iterable[str], rows: list[str]) -> list[str]:
        """A placeholder for the table, which the page gets after Markdown (see
        :attr:`fragments`): even as HTML, Python-Markdown scans every character."""
        head = "".join(f"<th>{html_text(title)}</th>" for title in header)
        stored = self.fragments.setdefault(self.uri(page), [])
        stored.append(
            f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n"
            + "\n".join(rows)
            + "\n</tbody>\n</table>"
        )
        return [FRAGMENT.format(len(stored) - 1), ""]

    def _listing(
        self,
        page: str,
        columns: tuple[str, ...],
        items: Sequence[Any],
        row_of: Callable[[str, Any], str],
    ) -> list[str]:
        """A table of ``items``, one row each, rows remembered by page depth."""
        if not items:
            return ["*None.*", ""]
        depth = self.url_of(self.uri(page)).count("/")
        rows = []
        for item in items:
            key = (row_of.__name__, id(item), depth)
            if key not in self._rows:
                self._rows[key] = row_of(page, item)
            rows.append(self._rows[key])
        return self._table(page, columns, rows)

    def _incidents(self, page: str, reports: list[Report]) -> list[str]:
        return self._listing(page, INCIDENT_COLUMNS, reports, self._incident_row)

    def _incident_row(self, page: str, report: Report) -> str:
        meta = report.meta
        incident = f"{html_text(report.id or '')} {self._html_link(page, report)}"
        cells = [
            report.incident_date.isoformat() if report.incident_date else UNKNOWN_CELL,
            incident.strip() + self._marks(report),
            html_text(meta.severity) if meta.severity else UNKNOWN_CELL,
            html_text(meta.status) if meta.status else UNKNOWN_CELL,
            format_duration(report.duration),
            ", ".join(html_text(s) for s in meta.services),
        ]
        return "<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>"

    def _actions(self, page: str, items: list[Tracked]) -> list[str]:
        return self._listing(page, ACTION_COLUMNS, items, self._action_row)

    def _action_row(self, page: str, tracked: Tracked) -> str:
        item, report = tracked.item, tracked.report
        due = item.due.isoformat() if item.due else ""
        if item.is_overdue(self.today):
            due = f"<strong>{due} (overdue)</strong>"
        label = f"{report.id or report.rel} {item.id}"
        cells = [
            due,
            html_text(item.action),
            html_text(item.owner),
            html_text(item.priority) if item.priority else "",
            html_text(item.status) if item.status else "",
            self._html_link(page, report, label),
        ]
        return "<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>"

    # --- pages -----------------------------------------------------------------

    def _render(self) -> None:
        self._overview()
        self._severity()
        self._patterns()
        self._action_items()
        self._archive()
        self._reviews()
        self._near_misses()
        for page in metrics_pages(self.kb.reports, self.today):
            self._add(page.name, page.title, [page.markdown], page.nav_title)

    def _overview(self) -> None:
        page = "index.md"
        reports = self.reports
        open_items = [t for t in self.items if t.item.is_open]
        late = actions.overdue(self.items, self.today)
        lines = [
            f"{len(reports)} postmortems, near-misses included "
            f"({sum(bool(r.meta.near_miss) for r in reports)}). "
            f"Action items are measured on {self.today.isoformat()}.",
            "",
            "## By severity",
            "",
            "| Severity | Incidents | Latest |",
            "|---|---|---|",
        ]
        by_severity = self._by_severity()
        for severity in Severity:
            members = by_severity[severity]
            latest = self._report_link(page, members[0]) if members else ""
            link = self._page_link(page, f"severity/{severity.value.lower()}.md", severity.value)
            lines.append(f"| {link} | {len(members)} | {latest} |")
        lines += ["", "## By status", "", "| Status | Postmortems |", "|---|---|"]
        for status in Status:
            count = sum(1 for r in reports if r.meta.status is status)
            lines.append(f"| {status.value} | {count} |")
        unknown = sum(1 for r in reports if r.meta.status is None)
        if unknown:
            lines.append(f"| Unknown (no valid status) | {unknown} |")
        broken = [r for r in reports if any(p.level is Level.ERROR for p in self.kb.problems_of(r))]
        if broken:
            lines.append(f"| With problems to fix | {len(broken)} |")
        lines += ["", "## Latest incidents", "", *self._incidents(page, reports[:10])]
        lines += [
            "## Action items",
            "",
            f"{len(open_items)} open, **{len(late)} overdue**, completion rate "
            f"{actions.format_rate(actions.completion_rate(self.items))}. "
            + self._page_link(page, "action-items.md", "All action items"),
            "",
        ]
        if late:
            lines += ["### Most overdue", "", *self._actions(page, late[:10])]
        lines += ["## Recurring causes", ""]
        lines += self._recurrence_list(page, self.recurrences[:5])
        lines += [
            "## Browse",
            "",
            "- " + self._page_link(page, "severity/index.md", "By severity"),
            "- " + self._page_link(page, "patterns/index.md", "Patterns and recurring causes"),
            "- " + self._page_link(page, "action-items.md", "Action items"),
            "- " + self._page_link(page, "archive.md", "Archive by year and month"),
            "- " + self._page_link(page, "reviews/index.md", "Monthly incident reviews"),
            "- " + self._page_link(page, "near-misses.md", "Near-misses"),
        ]
        self._add(page, "Incident overview", lines, "Overview")

    def _by_severity(self) -> dict[Severity, list[Report]]:
        groups: dict[Severity, list[Report]] = {s: [] for s in Severity}
        for report in self.reports:
            if report.meta.severity is not None:
                groups[report.meta.severity].append(report)
        return groups

    def _severity(self) -> None:
        by_severity = self._by_severity()
        lines = [
            "| Severity | Incidents | Final | Near-misses |",
            "|---|---|---|---|",
        ]
        for severity, members in by_severity.items():
            final = sum(1 for r in members if r.meta.status is Status.FINAL)
            near = sum(1 for r in members if r.meta.near_miss)
            link = self._page_link(
                "severity/index.md", f"severity/{severity.value.lower()}.md", severity.value
            )
            lines.append(f"| {link} | {len(members)} | {final} | {near} |")
        unrated = [r for r in self.reports if r.meta.severity is None]
        if unrated:
            lines += [
                "",
                "## Without a valid severity",
                "",
                *self._incidents("severity/index.md", unrated),
            ]
        self._add("severity/index.md", "Incidents by severity", lines, "By severity")
        for severity, members in by_severity.items():
            name = f"severity/{severity.value.lower()}.md"
            self._add(
                name,
                f"{severity.value} incidents",
                [
                    f"{len(members)} incidents, newest first.",
                    "",
                    *severity_trend(members, severity, self.today),
                    *self._incidents(name, members),
                ],
            )

    def _recurrence_list(self, page: str, recurrences: list[Recurrence]) -> list[str]:
        if not recurrences:
            return ["*No root-cause category has repeated on shared services or tags.*", ""]
        lines: list[str] = []
        for recurrence in recurrences:
            cause = self._group_link(page, "causes", recurrence.category)
            shared = []
            if recurrence.shared_services:
                shared.append(
                    "services "
                    + ", ".join(
                        self._group_link(page, "services", s) for s in recurrence.shared_services
                    )
                )
            if recurrence.shared_tags:
                shared.append(
                    "tags "
                    + ", ".join(self._group_link(page, "tags", t) for t in recurrence.shared_tags)
                )
            shown = recurrence.reports[:REPEAT_LINKS]
            ids = ", ".join(
                f"{self._report_link(page, r)} ({markdown_text(r.id or '')})" for r in shown
            )
            if len(recurrence.reports) > len(shown):
                ids += f" and {len(recurrence.reports) - len(shown)} earlier"
            lines.append(
                f"- **Repeat: {cause}**, {len(recurrence.reports)} incidents sharing "
                f"{'; '.join(shared)}: {ids}"
            )
        return [*lines, ""]

    def _repeats_among(self, reports: list[Report]) -> list[Recurrence]:
        """Recurring causes that include any of ``reports``, in the usual order."""
        found = {id(r): r for report in reports for r in self.repeats_of.get(id(report), [])}
        return sorted(found.values(), key=lambda r: self.repeat_rank[id(r)])

    def _group_link(self, page: str, folder: str, key: str) -> str:
        group = self.group_index[folder].get(key)
        if group is None:
            return markdown_text(key)
        return self._page_link(page, f"{folder}/{group.slug}.md", group.label)

    def _patterns(self) -> None:
        page = "patterns/index.md"
        lines = [
            "## Recurring causes",
            "",
            "Incidents with the same root-cause category that share a service or a tag, "
            "the most specific first: the rarer the cause, services and tags they share, "
            "the higher; then the most recent and the most severe. A repeat is a reason to "
            "review the pattern itself, not only each incident.",
            "",
            *self._recurrence_list(page, self.recurrences),
        ]
        for facet in FACETS:
            groups = self.groups[facet.folder]
            lines += [f"## {facet.plural}", ""]
            if not groups:
                lines += ["*None yet.*", ""]
                continue
            # Values used by one incident each say little as a pattern: one compact list
            # after the table, where hundreds of them would bury the rest.
            once = [g for g in groups if len(g.reports) == 1] if facet.folder in FOLDED else []
            table = [g for g in groups if len(g.reports) > 1 or not once]
            if table:
                lines += [f"| {facet.singular} | Incidents | Latest |", "|---|---|---|"]
            for group in table:
                link = self._page_link(page, f"{facet.folder}/{group.slug}.md", group.label)
                latest = group.reports[0]
                lines.append(
                    f"| {link} | {len(group.reports)} | {self._report_link(page, latest)} |"
                )
            lines.append("")
            if once:
                links = ", ".join(
                    self._page_link(page, f"{facet.folder}/{g.slug}.md", g.label)
                    for g in sorted(once, key=lambda g: g.key)
                )
                lines += [f"Used by one incident each ({len(once)}): {links}", ""]
            for group in groups:
                self._group_page(facet, group)
        self._add(page, "Patterns", lines, "Patterns")

    def _group_page(self, facet: Facet, group: Group) -> None:
        name = f"{facet.folder}/{group.slug}.md"
        lines = [
            f"{len(group.reports)} incidents, newest first.",
            "",
        ]
        lines += self._incidents(name, group.reports)
        repeats = [r for r in self.recurrences if _repeats_on(r, facet.folder, group.key)]
        if repeats:
            lines += ["## Recurring causes here", "", *self._recurrence_list(name, repeats)]
        self._add(name, f"{facet.singular}: {group.label}", lines)

    def _action_items(self) -> None:
        page = "action-items.md"
        items = self.items
        late = actions.overdue(items, self.today)
        open_items = [t for t in items if t.item.is_open]
        lines = [
            f"{len(items)} action items from {len(self.reports)} postmortems: {len(open_items)} "
            f"open, **{len(late)} overdue** on {self.today.isoformat()}. Completion rate "
            f"{actions.format_rate(actions.completion_rate(items))} (Done over all items but "
            "Won't Do).",
            "",
            "## Overdue",
            "",
            "Due before the build date and neither Done nor Won't Do, most overdue first.",
            "",
            *self._actions(page, late),
            "## By status",
            "",
        ]
        for status, members in actions.by_status(items).items():
            title = status.value if status is not None else "Unknown status"
            lines += [f"### {title} ({len(members)})", "", *self._actions(page, members)]
        lines += [
            "## By owner",
            "",
            "| Owner | Open | Overdue | Done | All |",
            "|---|---|---|---|---|",
        ]
        owners = actions.by_owner(items)
        for owner, members in owners.items():
            lines.append(
                f"| {markdown_text(owner)} | {sum(t.item.is_open for t in members)} | "
                f"{len(actions.overdue(members, self.today))} | "
                f"{sum(t.item.status is ActionStatus.DONE for t in members)} | {len(members)} |"
            )
        lines.append("")
        for owner, members in owners.items():
            still_open = [t for t in members if t.item.is_open]
            if still_open:
                lines += [
                    f"### Open items of {markdown_text(owner)}",
                    "",
                    *self._actions(page, still_open),
                ]
        lines += [
            "## By priority",
            "",
            "| Priority | Open | Overdue | Done | All |",
            "|---|---|---|---|---|",
        ]
        by_priority: dict[str, list[Tracked]] = defaultdict(list)
        for tracked in items:
            by_priority[tracked.item.priority.value if tracked.item.priority else "?"].append(
                tracked
            )
        for priority in sorted(by_priority):
            members = by_priority[priority]
            lines.append(
                f"| {markdown_text(priority)} | {sum(t.item.is_open for t in members)} | "
                f"{len(actions.overdue(members, self.today))} | "
                f"{sum(t.item.status is ActionStatus.DONE for t in members)} | {len(members)} |"
            )
        lines += [
            "",
            "## Completion by severity",
            "",
            "| Severity | Items | Done | Completion |",
            "|---|---|---|---|",
        ]
        for severity, members in actions.by_severity(items).items():
            done = sum(t.item.status is ActionStatus.DONE for t in members)
            rate = actions.format_rate(actions.completion_rate(members))
            lines.append(f"| {severity.value} | {len(members)} | {done} | {rate} |")
        if self.kb.settings.policies.show_on_site:
            lines += ["", *self._policy_lines(page)]
        self._add(page, "Action items", lines, "Action items")

    def _policy_lines(self, page: str) -> list[str]:
        """Review-policy violations on the build date (option ``policies.show_on_site``)."""
        found = policies.violations(self.kb, self.today)
        lines = [
            "## Review policies",
            "",
            f"{len(found)} violation{'s' if len(found) != 1 else ''} of this knowledge base's "
            f"review policies on {self.today.isoformat()}.",
            "",
        ]
        if not found:
            return [*lines, "*None.*", ""]
        lines += ["| Postmortem | Policy | Problem |", "|---|---|---|"]
        for violation in found:
            report, finding = violation.report, violation.finding
            label = report.id or report.rel
            rule = RULES[finding.code]
            lines.append(
                f"| {self._report_link(page, report, label)} | {rule.code} {rule.name} "
                f"| {markdown_text(finding.message)} |"
            )
        return [*lines, ""]

    def _months(self) -> dict[tuple[int, int], list[Report]]:
        months: dict[tuple[int, int], list[Report]] = defaultdict(list)
        for report in self.reports:
            if report.incident_date is not None:
                months[(report.incident_date.year, report.incident_date.month)].append(report)
        return dict(sorted(months.items(), reverse=True))

    def _archive(self) -> None:
        page = "archive.md"
        lines = [f"{len(self.reports)} postmortems by year and month.", ""]
        year = None
        for (y, m), members in self._months().items():
            if y != year:
                year = y
                lines += [f"## {y}", ""]
            review = self._page_link(page, f"reviews/{y:04d}-{m:02d}.md", "monthly review")
            lines += [
                f"### {calendar.month_name[m]} {y}",
                "",
                f"{len(members)} incidents; see the {review}.",
                "",
                *self._incidents(page, members),
            ]
        undated = [r for r in self.reports if r.incident_date is None]
        if undated:
            lines += ["## Without a valid date", "", *self._incidents(page, undated)]
        self._add(page, "Archive", lines, "Archive")

    def _reviews(self) -> None:
        months = self._months()
        due_in: dict[tuple[int, int], list[Tracked]] = defaultdict(list)
        of_report: dict[int, list[tuple[int, Tracked]]] = defaultdict(list)
        for position, tracked in enumerate(self.items):
            of_report[id(tracked.report)].append((position, tracked))
            if tracked.item.due is not None:
                due_in[(tracked.item.due.year, tracked.item.due.month)].append(tracked)
        index = [
            "One page a month, ready to present: its incidents, the action items due in "
            "it, and the causes that came back.",
            "",
            "| Month | Incidents | SEV0-SEV1 | Action items due |",
            "|---|---|---|---|",
        ]
        for y, m in sorted(set(months) | set(due_in), reverse=True):
            members = months.get((y, m), [])
            name = f"reviews/{y:04d}-{m:02d}.md"
            label = f"{calendar.month_name[m]} {y}"
            major = sum(1 for r in members if r.meta.severity in (Severity.SEV0, Severity.SEV1))
            index.append(
                f"| {self._page_link('reviews/index.md', name, label)} | {len(members)} "
                f"| {major} | {len(due_in.get((y, m), []))} |"
            )
            # In the order of all items (soonest due first), without a pass over all of
            # them per month.
            from_month = [t for _, t in sorted(p for r in members for p in of_report[id(r)])]
            repeats = self._repeats_among(members)[:MONTH_REPEATS]
            self._add(
                name,
                f"Monthly incident review: {label}",
                [
                    f"## Incidents ({len(members)})",
                    "",
                    *self._incidents(name, members),
                    "## Action items due this month",
                    "",
                    *self._actions(name, due_in.get((y, m), [])),
                    "## Follow-up of this month's action items",
                    "",
                    *self._actions(name, from_month),
                    "## Causes that recurred",
                    "",
                    *self._recurrence_list(name, repeats),
                ],
            )
        self._add("reviews/index.md", "Monthly incident reviews", index, "Monthly reviews")

    def _near_misses(self) -> None:
        near = [r for r in self.reports if r.meta.near_miss]
        self._add(
            "near-misses.md",
            "Near-misses",
            [
                "Incidents that could have had a major impact but did not. They teach the same "
                "lessons at a lower price.",
                "",
                *self._incidents("near-misses.md", near),
            ],
            "Near-misses",
        )


def _repeats_on(recurrence: Recurrence, folder: str, key: str) -> bool:
    """Whether a repeat is about this cause, or shares this service or tag."""
    if folder == "causes":
        return recurrence.category == key
    if folder == "services":
        return key in recurrence.shared_services
    if folder == "tags":
        return key in recurrence.shared_tags
    return False


def generate(kb: KnowledgeBase, today: date, url_of: UrlOf, prefix: str = "incidents") -> SiteIndex:
    return SiteIndex(kb=kb, today=today, url_of=url_of, prefix=prefix)
