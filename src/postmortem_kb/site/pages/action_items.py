"""The action-items page: overdue items, then items by status, owner, priority and
severity, and the review policies' violations when the site shows them."""

from __future__ import annotations

from collections import defaultdict

from postmortem_kb.analysis import actions, policies
from postmortem_kb.analysis.actions import Tracked
from postmortem_kb.core.escape import markdown_text
from postmortem_kb.core.model import ActionStatus
from postmortem_kb.core.rules import RULES
from postmortem_kb.site.pages.writer import PageWriter


def action_items(w: PageWriter) -> None:
    page = "action-items.md"
    items = w.items
    late = actions.overdue(items, w.today)
    open_items = [t for t in items if t.item.is_open]
    lines = [
        f"{len(items)} action items from {len(w.reports)} postmortems: {len(open_items)} "
        f"open, **{len(late)} overdue** on {w.today.isoformat()}. Completion rate "
        f"{actions.format_rate(actions.completion_rate(items))} (Done over all items but "
        "Won't Do).",
        "",
        "## Overdue",
        "",
        "Due before the build date and neither Done nor Won't Do, most overdue first.",
        "",
        *w.action_table(page, late),
        "## By status",
        "",
    ]
    for status, members in actions.by_status(items).items():
        title = status.value if status is not None else "Unknown status"
        lines += [f"### {title} ({len(members)})", "", *w.action_table(page, members)]
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
            f"{len(actions.overdue(members, w.today))} | "
            f"{sum(t.item.status is ActionStatus.DONE for t in members)} | {len(members)} |"
        )
    lines.append("")
    for owner, members in owners.items():
        still_open = [t for t in members if t.item.is_open]
        if still_open:
            lines += [
                f"### Open items of {markdown_text(owner)}",
                "",
                *w.action_table(page, still_open),
            ]
    lines += [
        "## By priority",
        "",
        "| Priority | Open | Overdue | Done | All |",
        "|---|---|---|---|---|",
    ]
    by_priority: dict[str, list[Tracked]] = defaultdict(list)
    for tracked in items:
        by_priority[tracked.item.priority.value if tracked.item.priority else "?"].append(tracked)
    for priority in sorted(by_priority):
        members = by_priority[priority]
        lines.append(
            f"| {markdown_text(priority)} | {sum(t.item.is_open for t in members)} | "
            f"{len(actions.overdue(members, w.today))} | "
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
    if w.kb.settings.policies.show_on_site:
        lines += ["", *_policy_lines(w, page)]
    w.add(page, "Action items", lines, "Action items")


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
