"""Static lists for every filter of the incident search: a page per status.

Without JavaScript (Backstage TechDocs strips every script of a page) the search page
cannot run; each of its filters has pages of its own to browse instead: severity,
root cause, service, tag and year pages exist already, these add status, and
:func:`search_page` lists them all on the search page.
"""

from __future__ import annotations

import functools
import re

from postmortem_kb.core.escape import markdown_text
from postmortem_kb.core.model import Severity, Status
from postmortem_kb.core.units import plural
from postmortem_kb.site.pages.archive import year_page, years
from postmortem_kb.site.pages.paging import add_incidents
from postmortem_kb.site.pages.writer import FACETS, PageWriter
from postmortem_kb.site.render import link_from

CONTROLS = "<!-- postmortems:search-controls -->"
"""Where the search page's controls go: Markdown keeps an HTML comment as it is."""


def facets(w: PageWriter) -> None:
    for status in Status:
        members = [r for r in w.reports if r.meta.status is status]
        name = f"status/{status.value.lower()}.md"
        lines = [f"{plural(len(members), 'postmortem')}, newest first.", ""]
        add_incidents(w, name, f"{status.value} postmortems", lines, members)


def search_page(w: PageWriter, page: str = "search.md") -> str:
    """The incident search page's Markdown: what it does, then the static pages of every
    filter it offers, which work without JavaScript."""
    link = functools.partial(w.page_link, page)
    severities = ", ".join(link(f"severity/{s.value.lower()}.md", s.value) for s in Severity)
    statuses = ", ".join(link(f"status/{s.value.lower()}.md", s.value) for s in Status)
    by_year = ", ".join(link(year_page(y), str(y)) for y in years(w))
    to_patterns = link_from(w.uri(page), w.uri("patterns/index.md"))
    patterns = {
        f.folder: f"[{markdown_text(f.plural.lower())}]({to_patterns}#{_anchor(f.plural)})"
        for f in FACETS
    }
    return "\n".join(
        [
            "# Search incidents",
            "",
            "Has this happened before? Type a few words, an incident id, a service or a tag, "
            "then narrow the results with the filters. The address bar keeps the search, so "
            "you can share it or come back to it.",
            "",
            CONTROLS,
            "",
            "## Browse without searching",
            "",
            "Without JavaScript (scripts turned off, or a reader such as Backstage TechDocs "
            "that runs no page scripts) the search cannot run; every filter it offers has "
            "static pages to browse instead:",
            "",
            f"- Severity: {severities}",
            f"- Status: {statuses}",
            f"- Year: {by_year or '*none yet*'} (by month: the "
            + link("archive.md", "archive")
            + ")",
            f"- Root cause, service, tag: one page each, listed under {patterns['causes']}, "
            f"{patterns['services']} and {patterns['tags']} (a service or tag used by one "
            "incident links to it there)",
            "- Near-miss: "
            + link("near-misses.md", "near-misses")
            + "; open action items: "
            + link("action-items.md", "action items"),
            "",
        ]
    )


def with_controls(page_html: str, controls: str) -> str:
    """The search page with its controls in place, above the static lists (on a phone the
    results must come first)."""
    return page_html.replace(CONTROLS, controls, 1)


def _anchor(heading: str) -> str:
    """The id the toc extension gives a plain heading: ``Root-cause categories`` ->
    ``root-cause-categories``."""
    return re.sub(r"[^\w]+", "-", heading.lower()).strip("-")
