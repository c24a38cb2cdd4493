"""The action-items page and one page per owner: every item once, in one table to filter.

The domain guide's "lost follow-up" antipattern is why this page exists, so it answers
the follow-up questions directly: who owns what, what is late and by how many days, and
where the item is tracked. Each item is one row (its owner, status, priority, due date,
days late and tracker link); a small script filters the rows by owner, status, priority
and lateness and keeps the filter in the URL. Without JavaScript the table is complete,
and every owner has a page to bookmark.
"""

from __future__ import annotations

from collections import defaultdict

from postmortem_kb.analysis import actions, policies
from postmortem_kb.analysis.actions import Tracked
from postmortem_kb.core.escape import html_text, markdown_text
from postmortem_kb.core.model import ActionStatus, Priority
from postmortem_kb.core.rules import RULES
from postmortem_kb.site.pages.paging import pager, split
from postmortem_kb.site.pages.writer import ACTION_TABLE_ID, PageWriter

PAGE = "action-items.md"
PAGE_ROWS = 1000
"""Items one page lists at most: about 0.4 MB of HTML. Larger knowledge bases list
their open items here (the most overdue first) and every item on its owner's pages.
At 5,000 reports, the page of 1,500 items took 0.8-1.1 s to DOMContentLoaded in headless
Chromium, even with its table in parts (the HTML parse alone is most of that)."""


def action_items(w: PageWriter) -> None:
    items = w.items
    late = actions.overdue(items, w.today)
    open_items = [t for t in items if t.item.is_open]
    owners = actions.by_owner(items)
    shown, note = _main_listing(items, open_items)
    lines = [
        f"{len(items)} action items from {len(w.reports)} postmortems: {len(open_items)} "
        f"open, **{len(late)} overdue** on {w.today.isoformat()}. Completion rate "
        f"{actions.format_rate(actions.completion_rate(items))} (Done over all items but "
        "Won't Do).",
        "",
        "## Items",
        "",
        note,
        "",
        *_filters(w, PAGE, shown, owners),
        *w.action_table(PAGE, shown, filterable=True),
        "## By owner",
        "",
        "Each owner's page lists all of their items: bookmark it.",
        "",
        "| Owner | Open | Overdue | Done | All |",
        "|---|---|---|---|---|",
    ]
    for owner, members in owners.items():
        link = w.page_link(PAGE, w.owner_pages[owner], owner)
        lines.append(f"| {link} | {_counts(w, members)} |")
    lines += [
        "",
        "## By priority",
        "",
        "| Priority | Open | Overdue | Done | All |",
        "|---|---|---|---|---|",
    ]
    by_priority: dict[str, list[Tracked]] = defaultdict(list)
    for tracked in items:
        by_priority[tracked.item.priority.value if tracked.item.priority else "?"].append(tracked)
    for priority in sorted(by_priority):
        lines.append(f"| {markdown_text(priority)} | {_counts(w, by_priority[priority])} |")
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
    if w.kb.settings.policies.show_on_site:
        lines += ["", *_policy_lines(w, PAGE)]
    w.add(PAGE, "Action items", lines, "Action items")
    for owner, members in owners.items():
        _owner_pages(w, owner, members)


def _main_listing(items: list[Tracked], open_items: list[Tracked]) -> tuple[list[Tracked], str]:
    """The items the main table lists, open ones first (the most overdue first), and the
    sentence that says what it lists."""
    ordered = open_items + [t for t in items if not t.item.is_open]
    if len(ordered) <= PAGE_ROWS:
        return ordered, "Every item once: open items first, the most overdue first."
    shown = open_items[:PAGE_ROWS]
    if len(open_items) <= PAGE_ROWS:
        return shown, (
            f"The {len(open_items)} open items, the most overdue first; closed items are "
            "on their owner's page."
        )
    return shown, (
        f"The {len(shown)} most overdue of {len(open_items)} open items; every item is on "
        "its owner's page."
    )


def _counts(w: PageWriter, members: list[Tracked]) -> str:
    return (
        f"{sum(t.item.is_open for t in members)} | "
        f"{len(actions.overdue(members, w.today))} | "
        f"{sum(t.item.status is ActionStatus.DONE for t in members)} | {len(members)}"
    )


def _owner_pages(w: PageWriter, owner: str, members: list[Tracked]) -> None:
    """The owner's items, open first, on one page (or numbered pages past PAGE_ROWS)."""
    ordered = [t for t in members if t.item.is_open] + [t for t in members if not t.item.is_open]
    late = actions.overdue(members, w.today)
    name = w.owner_pages[owner]
    names, parts = split(name, ordered, PAGE_ROWS)
    for number, (part, page) in enumerate(zip(parts, names, strict=True), start=1):
        lines = [
            f"{len(members)} action items: {sum(t.item.is_open for t in members)} open, "
            f"**{len(late)} overdue** on {w.today.isoformat()}. "
            + w.page_link(page, PAGE, "All action items"),
            "",
        ]
        if len(parts) > 1:
            lines += [pager(w, page, names, number), ""]
        lines += [*_filters(w, page, part, {}), *w.action_table(page, part, filterable=True)]
        w.add(page, f"Action items of {owner}", lines)


def _filters(
    w: PageWriter, page: str, items: list[Tracked], owners: dict[str, list[Tracked]]
) -> list[str]:
    """The filter form of a page's table, hidden until the script shows it (it filters
    rows in place; without the script the table is complete)."""
    if not items:
        return []

    def select(name: str, label: str, values: list[str]) -> str:
        options = '<option value="">All</option>' + "".join(
            f'<option value="{html_text(v)}">{html_text(v)}</option>' for v in values
        )
        return f'<label>{label} <select name="{name}">{options}</select></label>'

    statuses = [s.value for s in actions.STATUS_ORDER]
    if any(t.item.status is None for t in items):
        statuses.append("unknown")
    fields = []
    if owners:
        fields.append(select("owner", "Owner", list(owners)))
    fields += [
        select("status", "Status", statuses),
        select("priority", "Priority", [p.value for p in Priority]),
        '<label><input type="checkbox" name="overdue" value="1"> Overdue only</label>',
        '<output class="pmkb-filter-count" aria-live="polite"></output>',
    ]
    return w.fragment(
        page,
        f'<form class="pmkb-filters" data-pmkb-filters="{ACTION_TABLE_ID}" hidden>'
        + "".join(fields)
        + "</form>",
    )


def _policy_lines(w: PageWriter, page: str) -> list[str]:
    """Review-policy violations on the build date (option ``policies.show_on_site``)."""
    found = policies.violations(w.kb, w.today)
    lines = [
        "## Review policies",
        "",
        f"{len(found)} violation{'s' if len(found) != 1 else ''} of this knowledge base's "
        f"review policies on {w.today.isoformat()}.",
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
            f"| {w.report_link(page, report, label)} | {rule.code} {rule.name} "
            f"| {markdown_text(finding.message)} |"
        )
    return [*lines, ""]
