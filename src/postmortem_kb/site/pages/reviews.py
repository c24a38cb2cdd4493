"""The monthly reviews: one page per month that has happened, with its figures against
the month before and the same month a year earlier, its incidents, the action items due
in it and the causes that came back."""

from __future__ import annotations

import calendar
from collections import defaultdict

from postmortem_kb.analysis import stats
from postmortem_kb.analysis.actions import Tracked
from postmortem_kb.core.model import ActionStatus, Severity
from postmortem_kb.core.report import Report
from postmortem_kb.core.units import format_minutes
from postmortem_kb.site.pages.writer import (
    MONTH_REPEATS,
    PageWriter,
)

Month = tuple[int, int]


def _name(month: Month) -> str:
    return f"reviews/{month[0]:04d}-{month[1]:02d}.md"


def _label(month: Month) -> str:
    return f"{calendar.month_name[month[1]]} {month[0]}"


def _before(month: Month) -> Month:
    return (month[0] - 1, 12) if month[1] == 1 else (month[0], month[1] - 1)


def _figures(reports: list[Report], due: list[Tracked]) -> list[str]:
    """One month's figures, as table cells: what a monthly review compares."""
    real = [r for r in reports if not r.meta.near_miss]
    major = sum(1 for r in real if r.meta.severity in (Severity.SEV0, Severity.SEV1))
    resolve = stats.Distribution.of(stats.time_to_resolve(r) for r in real).median
    detect = stats.Distribution.of(stats.time_to_detect(r) for r in real).median
    done = sum(1 for t in due if t.item.status is ActionStatus.DONE)
    return [
        str(len(real)),
        str(major),
        str(len(reports) - len(real)),
        format_minutes(detect),
        format_minutes(resolve),
        f"{done} of {len(due)}",
    ]


FIGURES = (
    "Incidents",
    "SEV0-SEV1",
    "Near-misses",
    "Median time to detect",
    "Median time to resolve",
    "Action items due, done",
)


def reviews(w: PageWriter) -> None:
    today = (w.today.year, w.today.month)
    months = {m: rs for m, rs in w.months().items() if m <= today}
    due_in: dict[Month, list[Tracked]] = defaultdict(list)
    of_report: dict[int, list[tuple[int, Tracked]]] = defaultdict(list)
    for position, tracked in enumerate(w.items):
        of_report[id(tracked.report)].append((position, tracked))
        if tracked.item.due is not None:
            due_in[(tracked.item.due.year, tracked.item.due.month)].append(tracked)
    index = [
        "One page a month, ready to present: its figures against the month before and a "
        "year before, its incidents, the action items due in it, and the causes that came "
        "back. Months still to come have no page.",
        "",
        "| Month | Incidents | SEV0-SEV1 | Action items due |",
        "|---|---|---|---|",
    ]
    listed = sorted({m for m in set(months) | set(due_in) if m <= today}, reverse=True)
    for position, month in enumerate(listed):
        members = months.get(month, [])
        name, label = _name(month), _label(month)
        major = sum(1 for r in members if r.meta.severity in (Severity.SEV0, Severity.SEV1))
        index.append(
            f"| {w.page_link('reviews/index.md', name, label)} | {len(members)} "
            f"| {major} | {len(due_in.get(month, []))} |"
        )
        # In the order of all items (soonest due first), without a pass over all of
        # them per month.
        from_month = [t for _, t in sorted(p for r in members for p in of_report[id(r)])]
        repeats = w.repeats_among(members)[:MONTH_REPEATS]
        around = []
        if position + 1 < len(listed):
            older = listed[position + 1]
            around.append("← " + w.page_link(name, _name(older), _label(older)))
        around.append(w.page_link(name, "reviews/index.md", "All months"))
        if position > 0:
            newer = listed[position - 1]
            around.append(w.page_link(name, _name(newer), _label(newer)) + " →")
        before, year_ago = _before(month), (month[0] - 1, month[1])
        columns = [(month, label), (before, _label(before)), (year_ago, _label(year_ago))]
        cells = [_figures(months.get(m, []), due_in.get(m, [])) for m, _ in columns]
        comparison = [
            "| Figure | " + " | ".join(text for _, text in columns) + " |",
            "|---|---|---|---|",
            *(
                f"| {figure} | " + " | ".join(c[row] for c in cells) + " |"
                for row, figure in enumerate(FIGURES)
            ),
            "",
        ]
        w.add(
            name,
            f"Monthly incident review: {label}",
            [
                " · ".join(around),
                "",
                "## Figures",
                "",
                *comparison,
                f"## Incidents ({len(members)})",
                "",
                *w.incident_table(name, members),
                "## Action items due this month",
                "",
                *w.action_table(name, due_in.get(month, [])),
                "## Follow-up of this month's action items",
                "",
                *w.action_table(name, from_month),
                "## Causes that recurred",
                "",
                *w.recurrence_list(name, repeats),
            ],
        )
    w.add("reviews/index.md", "Monthly incident reviews", index, "Monthly reviews")
