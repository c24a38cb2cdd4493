"""The overdue action items as a report for people and CI (``pmkb overdue``).

The domain guide's "lost follow-up" antipattern asks for a weekly review with
reminders; the scheduled workflow posts this report as a job summary and keeps
one tracking issue up to date with it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

from postmortem_kb.analysis import actions
from postmortem_kb.analysis.actions import Tracked
from postmortem_kb.core.report import Report


def _cell(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())


def _source(tracked: Tracked) -> str:
    report: Report = tracked.report
    return report.id or report.rel


Link = Callable[[Tracked], str]
"""The URL of an item's row in its report (e.g. on GitHub), or "" for none."""


def as_markdown(items: list[Tracked], today: date, link: Link | None = None) -> str:
    """A Markdown section: a count, then one table row per item, most overdue first."""
    lines = [f"## Overdue postmortem action items on {today.isoformat()}", ""]
    if not items:
        lines.append("No action item is overdue.")
        return "\n".join(lines) + "\n"
    lines += [
        f"{len(items)} action item{'s' if len(items) != 1 else ''} past their due date "
        "and neither Done nor Won't Do.",
        "",
        "| Due | Days late | Postmortem | Item | Action | Owner | Priority | Status |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for tracked in items:
        item = tracked.item
        assert item.due is not None
        source = _cell(_source(tracked))
        url = link(tracked) if link is not None else ""
        if url:
            source = f"[{source}]({url})"
        lines.append(
            f"| {item.due.isoformat()} | {actions.days_late(tracked, today)} | {source} "
            f"| {_cell(item.id)} "
            f"| {_cell(item.action)} | {_cell(item.owner)} "
            f"| {item.priority.value if item.priority else ''} "
            f"| {item.status.value if item.status else ''} |"
        )
    return "\n".join(lines) + "\n"


def as_text(items: list[Tracked], today: date, link: Link | None = None) -> str:
    lines = [
        f"{tracked.item.due}  {actions.days_late(tracked, today):>4}d late  "
        f"{_source(tracked)} {tracked.item.id}  {tracked.item.owner}  {tracked.item.action}"
        for tracked in items
    ]
    lines.append(f"{len(items)} overdue action item{'s' if len(items) != 1 else ''} on {today}")
    return "\n".join(lines)


def as_json(items: list[Tracked], today: date, link: Link | None = None) -> str:
    return json.dumps(
        {
            "date": today.isoformat(),
            "overdue": [
                {
                    "postmortem": tracked.report.id,
                    "path": tracked.report.rel,
                    "id": tracked.item.id,
                    "action": tracked.item.action,
                    "owner": tracked.item.owner,
                    "due": tracked.item.due.isoformat() if tracked.item.due else None,
                    "days_late": actions.days_late(tracked, today),
                    "priority": tracked.item.priority.value if tracked.item.priority else None,
                    "status": tracked.item.status.value if tracked.item.status else None,
                    "line": tracked.item.line,
                    "url": link(tracked) if link is not None else "",
                }
                for tracked in items
            ],
        },
        indent=2,
        ensure_ascii=False,
    )


FORMATS = {"text": as_text, "markdown": as_markdown, "json": as_json}


def overdue_items(reports: list[Report], today: date) -> list[Tracked]:
    return actions.overdue(actions.collect(reports), today)
