"""The archive: every postmortem by year and month."""

from __future__ import annotations

import calendar

from postmortem_kb.core.units import plural
from postmortem_kb.site.pages.writer import PageWriter


def archive(w: PageWriter) -> None:
    page = "archive.md"
    lines = [f"{len(w.reports)} postmortems by year and month.", ""]
    year = None
    for (y, m), members in w.months().items():
        if y != year:
            year = y
            lines += [f"## {y}", ""]
        review = w.page_link(page, f"reviews/{y:04d}-{m:02d}.md", "monthly review")
        lines += [
            f"### {calendar.month_name[m]} {y}",
            "",
            f"{plural(len(members), 'incident')}; see the {review}.",
            "",
            *w.incident_table(page, members),
        ]
    undated = [r for r in w.reports if r.incident_date is None]
    if undated:
        lines += ["## Without a valid date", "", *w.incident_table(page, undated)]
    w.add(page, "Archive", lines, "Archive")
