"""The pattern pages: the recurring causes, then one page per root-cause category,
contributing factor, service and tag (a service or tag used by one incident only is listed
on the patterns page with a link to that incident, not given a page)."""

from __future__ import annotations

from postmortem_kb.analysis.patterns import Group
from postmortem_kb.core.escape import html_text
from postmortem_kb.core.units import plural
from postmortem_kb.site.pages.paging import add_incidents, pager, split
from postmortem_kb.site.pages.writer import (
    FACETS,
    LAZY_BLOCK,
    Facet,
    PageWriter,
    has_page,
    repeats_on,
)

RECURRING_SHOWN = 50
"""Recurring causes the patterns page lists (the most specific); past that many, all of
them go on pages of their own, as many a page. At 5,000 reports there were hundreds, and
the page took 1.4 s to be ready in the browser."""
RECURRING_PAGE = "patterns/recurring.md"

_RECURRING_INTRO = (
    "Incidents with the same root-cause category that share a service or a tag, "
    "the most specific first: the rarer the cause, services and tags they share, "
    "the higher; then the most recent and the most severe. A repeat is a reason to "
    "review the pattern itself, not only each incident."
)


def patterns(w: PageWriter) -> None:
    page = "patterns/index.md"
    shown = w.recurrences[:RECURRING_SHOWN]
    lines = ["## Recurring causes", "", _RECURRING_INTRO, "", *w.recurrence_list(page, shown)]
    if len(w.recurrences) > len(shown):
        every = w.page_link(page, RECURRING_PAGE, f"all {len(w.recurrences):,} recurring causes")
        lines += [f"The {len(shown)} most specific are listed here; {every}.", ""]
        _recurring_pages(w)
    for facet in FACETS:
        groups = w.groups[facet.folder]
        lines += [f"## {facet.plural}", ""]
        if not groups:
            lines += ["*None yet.*", ""]
            continue
        # Values used by one incident each say little as a pattern: one compact list
        # after the table, where hundreds of them would bury the rest.
        once = [g for g in groups if not has_page(facet.folder, g)]
        table = [g for g in groups if has_page(facet.folder, g)]
        if table:
            rows = [_group_row(w, page, facet, group) for group in table]
            lines += w.table(page, (facet.singular, "Incidents", "Latest"), rows)
        if once:
            # Each links to its one incident: a page of its own would list that incident
            # alone (on real corpora most tags and services are used once, and their pages
            # were most of the site). In a block laid out near the screen, as tables are.
            links = ", ".join(
                f"{html_text(g.label)} ({w.html_link(page, g.reports[0], g.reports[0].id)})"
                if g.reports[0].id
                else w.html_link(page, g.reports[0], g.label)
                for g in sorted(once, key=lambda g: g.key)
            )
            lines += w.fragment(
                page,
                f'<div class="{LAZY_BLOCK}"><p>Used by one incident each ({len(once)}): '
                f"{links}</p></div>",
            )
        for group in table:
            _group_page(w, facet, group)
    w.add(page, "Patterns", lines, "Patterns")


def _group_row(w: PageWriter, page: str, facet: Facet, group: Group) -> str:
    """A value's row: its page, how many incidents, the latest of them."""
    cells = [
        w.html_page_link(page, f"{facet.folder}/{group.slug}.md", group.label),
        str(len(group.reports)),
        w.html_link(page, group.reports[0]),
    ]
    return "<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>"


def _recurring_pages(w: PageWriter) -> None:
    """Every recurring cause, :data:`RECURRING_SHOWN` a page, the most specific first."""
    names, parts = split(RECURRING_PAGE, w.recurrences, RECURRING_SHOWN)
    for number, (part, name) in enumerate(zip(parts, names, strict=True), start=1):
        bar = [pager(w, name, names, number), ""] if len(parts) > 1 else []
        title = "Recurring causes" + (f" (page {number} of {len(parts)})" if number > 1 else "")
        intro = [_RECURRING_INTRO, ""] if number == 1 else []
        w.add(name, title, [*intro, *bar, *w.recurrence_list(name, part), *bar])


def _group_page(w: PageWriter, facet: Facet, group: Group) -> None:
    name = f"{facet.folder}/{group.slug}.md"
    lines = [
        f"{plural(len(group.reports), 'incident')}, newest first.",
        "",
    ]
    repeats = [r for r in w.recurrences if repeats_on(r, facet.folder, group.key)]
    after = ["## Recurring causes here", "", *w.recurrence_list(name, repeats)] if repeats else []
    add_incidents(w, name, f"{facet.singular}: {group.label}", lines, group.reports, after)
