"""The archive: every postmortem by year and month.

The archive page is the way in: each year with its months, linked to that month's
review; each year's page lists its incidents (numbered pages past
:data:`~postmortem_kb.site.pages.paging.INCIDENT_ROWS`), so no page grows with the
whole knowledge base.
"""

from __future__ import annotations

import calendar
from collections import defaultdict

from postmortem_kb.core.report import Report
from postmortem_kb.core.units import plural
from postmortem_kb.site.pages.paging import add_incidents
from postmortem_kb.site.pages.writer import PageWriter

PAGE = "archive.md"
Months = dict[tuple[int, int], list[Report]]
"""The incidents of each (year, month), the latest first (:meth:`PageWriter.months`)."""


def archive(w: PageWriter) -> None:
    by_year = _by_year(w)
    months = w.months()
    lines = [
        f"{plural(len(w.reports), 'postmortem')} by year and month: each year's page "
        "lists its incidents, each month links to its monthly review.",
        "",
    ]
    for year, members in by_year.items():
        lines += [
            f"## {year}",
            "",
            w.page_link(PAGE, year_page(year), plural(len(members), "incident"))
            + ". "
            + _months(w, PAGE, year, months),
            "",
        ]
        _year_page(w, year, members, months)
    undated = [r for r in w.reports if r.incident_date is None]
    if undated:
        lines += ["## Without a valid date", ""]
        add_incidents(w, PAGE, "Archive", lines, undated, nav_title="Archive")
    else:
        w.add(PAGE, "Archive", lines, "Archive")


def years(w: PageWriter) -> list[int]:
    """The years with incidents, the latest first."""
    return list(_by_year(w))


def year_page(year: int) -> str:
    return f"years/{year:04d}.md"


def _year_page(w: PageWriter, year: int, members: list[Report], months: Months) -> None:
    name = year_page(year)
    lines = [
        f"{plural(len(members), 'incident')} in {year}, newest first. By month: "
        + _months(w, name, year, months)
        + "; the "
        + w.page_link(name, PAGE, "archive")
        + " has every year.",
        "",
    ]
    add_incidents(w, name, f"Incidents of {year}", lines, members)


def _months(w: PageWriter, page: str, year: int, months: Months) -> str:
    """The year's months, the latest first, each with its count and linked to its review."""
    return " · ".join(
        w.page_link(page, f"reviews/{y:04d}-{m:02d}.md", calendar.month_name[m])
        + f" ({len(members)})"
        for (y, m), members in months.items()
        if y == year
    )


def _by_year(w: PageWriter) -> dict[int, list[Report]]:
    by_year: dict[int, list[Report]] = defaultdict(list)
    for report in w.reports:
        if report.incident_date is not None:
            by_year[report.incident_date.year].append(report)
    return dict(sorted(by_year.items(), reverse=True))
