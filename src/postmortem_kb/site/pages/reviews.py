"""The monthly reviews: one page per month, with its incidents, the action items due in
it and the causes that came back."""

from __future__ import annotations

import calendar
from collections import defaultdict

from postmortem_kb.analysis.actions import Tracked
from postmortem_kb.core.model import Severity
from postmortem_kb.site.pages.writer import (
    MONTH_REPEATS,
    PageWriter,
)


def reviews(w: PageWriter) -> None:
    months = w.months()
    due_in: dict[tuple[int, int], list[Tracked]] = defaultdict(list)
    of_report: dict[int, list[tuple[int, Tracked]]] = defaultdict(list)
    for position, tracked in enumerate(w.items):
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
            f"| {w.page_link('reviews/index.md', name, label)} | {len(members)} "
            f"| {major} | {len(due_in.get((y, m), []))} |"
        )
        # In the order of all items (soonest due first), without a pass over all of
        # them per month.
        from_month = [t for _, t in sorted(p for r in members for p in of_report[id(r)])]
        repeats = w.repeats_among(members)[:MONTH_REPEATS]
        w.add(
            name,
            f"Monthly incident review: {label}",
            [
                f"## Incidents ({len(members)})",
                "",
                *w.incident_table(name, members),
                "## Action items due this month",
                "",
                *w.action_table(name, due_in.get((y, m), [])),
                "## Follow-up of this month's action items",
                "",
                *w.action_table(name, from_month),
                "## Causes that recurred",
                "",
                *w.recurrence_list(name, repeats),
            ],
        )
    w.add("reviews/index.md", "Monthly incident reviews", index, "Monthly reviews")
