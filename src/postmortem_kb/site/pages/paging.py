"""Listings of incidents sized for people: past :data:`INCIDENT_ROWS` rows a listing goes
on over numbered pages, newest first, each saying which incidents it lists."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from postmortem_kb.core.report import Report
from postmortem_kb.site.pages.writer import PageWriter

INCIDENT_ROWS = 100
"""Incidents one listing page shows at most; a longer listing goes on over numbered pages,
newest first: ``severity/sev2.md``, then ``severity/sev2/2.md``... Measured in headless
Chromium on two cores, a listing's DOMContentLoaded is 0.6 s at 100 rows (50 KB of
HTML), 0.8 s at 200 and 2 s at 1,000: Material's script lays the whole page out
several times before the page is ready, so the time grows with the rows."""


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
    names, parts = split(name, reports, INCIDENT_ROWS)
    if len(parts) == 1:
        w.add(name, title, [*lines, *w.incident_table(name, reports), *after], nav_title)
        return
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


PAGER_LINKS = 9
"""Up to this many pages, the pager links every page; past it, the first, the last and
the :data:`PAGER_NEIGHBOURS` either side of the page shown."""
PAGER_NEIGHBOURS = 2


def pager(w: PageWriter, page: str, names: list[str], number: int) -> str:
    """ "Page 2 of 3: 1 · 2 · 3", every other page linked; a long listing's pager skips
    with '…': "Page 6 of 50: 1 · … · 4 · 5 · 6 · 7 · 8 · … · 50"."""
    count = len(names)
    near = range(number - PAGER_NEIGHBOURS, number + PAGER_NEIGHBOURS + 1)
    shown = range(1, count + 1) if count <= PAGER_LINKS else sorted({1, count, *near})
    marks: list[str] = []
    previous = 0
    for n in (n for n in shown if 1 <= n <= count):
        if n > previous + 1:
            marks.append("…")
        marks.append(f"**{n}**" if n == number else w.page_link(page, names[n - 1], str(n)))
        previous = n
    return f"Page {number} of {count}: " + " · ".join(marks)


T = TypeVar("T")


def split(name: str, items: Sequence[T], size: int) -> tuple[list[str], list[list[T]]]:
    """The names of page ``name``'s numbered pages (:func:`numbered`) and the ``items``
    each lists, ``size`` at most; one page, empty if need be, when there are none."""
    parts = [list(items[i : i + size]) for i in range(0, len(items), size)] or [[]]
    return numbered(name, len(parts)), parts


def numbered(name: str, count: int) -> list[str]:
    """The names of a listing's ``count`` pages: ``name``, then ``stem/2.md``, ``stem/3.md``."""
    stem = name.removesuffix(".md")
    return [name] + [f"{stem}/{n}.md" for n in range(2, count + 1)]
