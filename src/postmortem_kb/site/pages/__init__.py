"""Generated index pages, written as Markdown so they look and search like authored ones.

Reports are kept out of the navigation (listing thousands of pages on every page
makes a build quadratic), so these pages are how readers reach them. A
:class:`~postmortem_kb.site.pages.writer.PageWriter` holds the pages and the building
blocks; each family of pages is one module: the overview, severity, pattern,
action-item, archive, monthly-review and near-miss pages, then the Metrics pages
(:mod:`postmortem_kb.site.metrics`).
"""

from __future__ import annotations

from datetime import date

from postmortem_kb.core.kb import KnowledgeBase
from postmortem_kb.site.metrics import KeptMetrics, metrics_pages
from postmortem_kb.site.pages import (
    action_items,
    archive,
    facets,
    near_misses,
    overview,
    patterns,
    reviews,
    severity,
)
from postmortem_kb.site.pages.writer import PageWriter, UrlOf, fill_fragments

__all__ = ["PageWriter", "fill_fragments", "generate"]

FAMILIES = (
    overview.overview,
    severity.severity,
    patterns.patterns,
    action_items.action_items,
    archive.archive,
    reviews.reviews,
    near_misses.near_misses,
    facets.facets,  # the search's filters as static pages (no JavaScript, TechDocs)
)
"""Every page family, in the order of its pages in the navigation."""


def generate(
    kb: KnowledgeBase,
    today: date,
    url_of: UrlOf,
    prefix: str = "incidents",
    metrics: KeptMetrics | None = None,
) -> PageWriter:
    """Every generated page of ``kb``, as the plugin adds them to the build; while
    serving, ``metrics`` keeps the Metrics pages for the next build."""
    writer = PageWriter(kb=kb, today=today, url_of=url_of, prefix=prefix)
    for family in FAMILIES:
        family(writer)
    made = metrics_pages(kb.reports, today) if metrics is None else metrics.pages(kb.reports, today)
    for page in made:
        writer.add(page.name, page.title, [page.markdown], page.nav_title)
    return writer
