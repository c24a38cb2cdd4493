"""The overview page: counts by severity and status, the latest incidents, the action
items, the recurring causes and the ways into the other pages."""

from __future__ import annotations

from postmortem_kb.analysis import actions
from postmortem_kb.core.model import Severity, Status
from postmortem_kb.core.rules import Level
from postmortem_kb.site.pages.writer import PageWriter


def overview(w: PageWriter) -> None:
    page = "index.md"
    reports = w.reports
    open_items = [t for t in w.items if t.item.is_open]
    late = actions.overdue(w.items, w.today)
    lines = [
        f"{len(reports)} postmortems, near-misses included "
        f"({sum(bool(r.meta.near_miss) for r in reports)}). "
        f"Action items are measured on {w.today.isoformat()}.",
        "",
        "## By severity",
        "",
        "| Severity | Incidents | Latest |",
        "|---|---|---|",
    ]
    by_severity = w.by_severity()
    for severity in Severity:
        members = by_severity[severity]
        latest = w.report_link(page, members[0]) if members else ""
        link = w.page_link(page, f"severity/{severity.value.lower()}.md", severity.value)
        lines.append(f"| {link} | {len(members)} | {latest} |")
    lines += ["", "## By status", "", "| Status | Postmortems |", "|---|---|"]
    for status in Status:
        count = sum(1 for r in reports if r.meta.status is status)
        lines.append(f"| {status.value} | {count} |")
    unknown = sum(1 for r in reports if r.meta.status is None)
    if unknown:
        lines.append(f"| Unknown (no valid status) | {unknown} |")
    broken = [r for r in reports if any(p.level is Level.ERROR for p in w.kb.problems_of(r))]
    if broken:
        lines.append(f"| With problems to fix | {len(broken)} |")
    lines += ["", "## Latest incidents", "", *w.incident_table(page, reports[:10])]
    lines += [
        "## Action items",
        "",
        f"{len(open_items)} open, **{len(late)} overdue**, completion rate "
        f"{actions.format_rate(actions.completion_rate(w.items))}. "
        + w.page_link(page, "action-items.md", "All action items"),
        "",
    ]
    if late:
        lines += ["### Most overdue", "", *w.action_table(page, late[:10])]
    lines += ["## Recurring causes", ""]
    lines += w.recurrence_list(page, w.recurrences[:5])
    lines += [
        "## Browse",
        "",
        "- " + w.page_link(page, "severity/index.md", "By severity"),
        "- " + w.page_link(page, "patterns/index.md", "Patterns and recurring causes"),
        "- " + w.page_link(page, "action-items.md", "Action items"),
        "- " + w.page_link(page, "archive.md", "Archive by year and month"),
        "- " + w.page_link(page, "reviews/index.md", "Monthly incident reviews"),
        "- " + w.page_link(page, "near-misses.md", "Near-misses"),
    ]
    w.add(page, "Incident overview", lines, "Overview")
