"""Listings of incidents sized for people: past :data:`INCIDENT_ROWS` rows a listing goes
on over numbered pages, newest first, each saying which incidents it lists."""

from __future__ import annotations

from collections.abc import Sequence

from postmortem_kb.core.report import Report
from postmortem_kb.site.pages.writer import PageWriter

INCIDENT_ROWS = 1000
"""Incidents one listing page shows at most (about 0.4 MB of HTML); a longer listing goes
on over numbered pages, newest first: ``severity/sev2.md``, then ``severity/sev2/2.md``..."""


def add_incidents(
    w: PageWriter,
    name: str,
    title: str,
    lines: list[str],
    reports: list[Report],
    after: Sequence[str] = (),
    nav_title: str | None = None,
) -> None:
    """Page ``name``: ``lines``, the table of ``reports``, then ``after``; past
    :data:`INCIDENT_ROWS` the table goes on over numbered pages, each saying which
    incidents it lists and linking to the others."""
    parts = [reports[i : i + INCIDENT_ROWS] for i in range(0, len(reports), INCIDENT_ROWS)]
    if len(parts) <= 1:
        w.add(name, title, [*lines, *w.incident_table(name, reports), *after], nav_title)
        return
    names = numbered(name, len(parts))
    for number, (part, page) in enumerate(zip(parts, names, strict=True), start=1):
        first = (number - 1) * INCIDENT_ROWS + 1
        shown = f"Incidents {first:,}-{first + len(part) - 1:,} of {len(reports):,}, newest first. "
        bar = [shown + pager(w, page, names, number), ""]
        if number == 1:
            body = [*lines, *bar, *w.incident_table(page, part), "", *bar, *after]
            w.add(page, title, body, nav_title)
        else:
            body = [*bar, *w.incident_table(page, part), "", *bar]
            w.add(page, f"{title} (page {number} of {len(parts)})", body)


def pager(w: PageWriter, page: str, names: list[str], number: int) -> str:
    """ "Page 2 of 3: 1 · 2 · 3", every other page linked."""
    marks = [
        f"**{n}**" if n == number else w.page_link(page, other, str(n))
        for n, other in enumerate(names, start=1)
    ]
    return f"Page {number} of {len(names)}: " + " · ".join(marks)


def numbered(name: str, count: int) -> list[str]:
    """The names of a listing's ``count`` pages: ``name``, then ``stem/2.md``, ``stem/3.md``."""
    stem = name.removesuffix(".md")
    return [name] + [f"{stem}/{n}.md" for n in range(2, count + 1)]
