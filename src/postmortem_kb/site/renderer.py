"""The HTML the plugin adds to report pages and the search page, from the theme's templates.

A report page gets its title, the header of its facts and problems
(``partials/postmortem-header.html``) and, at its end, the related incidents
(``partials/postmortem-related.html``); sections that ``search_sections`` does not
name are kept out of Material's search. The search page gets its controls
(``partials/incident-search.html``). A site overrides any of these templates with a
file of the same name in its ``custom_dir``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass

from jinja2 import Environment, TemplateNotFound

from postmortem_kb.analysis.relate import Links
from postmortem_kb.core.kb import KnowledgeBase
from postmortem_kb.core.report import Report
from postmortem_kb.site import render

SEARCH_TEMPLATE = "partials/incident-search.html"
HEADER_TEMPLATE = "partials/postmortem-header.html"
RELATED_TEMPLATE = "partials/postmortem-related.html"

_H2 = re.compile(r"<h2([^>]*)>(.*?)</h2>", re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")
_HEADERLINK = re.compile(r"<a [^>]*class=\"headerlink\"[^>]*>.*?</a>", re.DOTALL)
"""The permalink that the toc extension's ``permalink`` option appends to headings."""

UrlFrom = Callable[[str], str]
"""The URL of a docs path relative to the page being rendered ("" when not in the site)."""


@dataclass
class PageRenderer:
    """Renders the plugin's parts of one build's pages with the theme's environment."""

    env: Environment
    kb: KnowledgeBase
    """The published knowledge base."""
    links: dict[str, Links]
    by_id: dict[str, Report]
    group_uri: Callable[[str, str], str | None] | None = None
    """The docs path of a tag's, service's or cause's page (the generated pages')."""

    def has_template(self, name: str) -> bool:
        """Whether the theme has template ``name`` (a page's ``template:`` key)."""
        try:
            self.env.get_template(name)
        except TemplateNotFound:
            return False
        return True

    def report_page(self, report: Report, html_content: str, url_from: UrlFrom) -> str:
        """A report page: its title, header, body and related incidents."""
        settings = self.kb.settings

        def group_url(folder: str, value: str) -> str:
            uri = self.group_uri(folder, value) if self.group_uri else None
            return url_from(uri) if uri else ""

        def id_url(report_id: str) -> str | None:
            other = self.by_id.get(report_id)
            url = url_from(render.src_uri(other, settings.folder)) if other else ""
            return html.escape(url) if url else None

        context = render.header_context(
            report, self.kb.problems_of(report), settings.extra_fields, group_url
        )
        html_content, mentioned = render.link_ids(html_content, report.id or "", id_url)
        header = self.env.get_template(HEADER_TEMPLATE).render(
            postmortem=context,
            severity_class=render.severity_class(context["severity"]),
        )

        def url_of(other: Report) -> str:
            return url_from(render.src_uri(other, settings.folder))

        links = self.links.get(report.id or "", Links())
        related = self.env.get_template(RELATED_TEMPLATE).render(
            related=render.related_context(links, self.by_id, url_of, mentioned)
        )
        body = _H2.sub(self._mark_unsearched, html_content)
        return f"<h1>{html.escape(report.title)}</h1>\n{header}\n{body}\n{related}"

    def search_controls(self, uris: tuple[str, str, str, str], url_from: UrlFrom) -> str:
        """The incident search's controls, given the docs paths of its catalog, index,
        lunr script and the archive page."""
        catalog_uri, index_uri, lunr_uri, archive_uri = uris
        return self.env.get_template(SEARCH_TEMPLATE).render(
            catalog_url=url_from(catalog_uri),
            index_url=url_from(index_uri),
            lunr_url=url_from(lunr_uri),
            archive_url=url_from(archive_uri),
        )

    def _mark_unsearched(self, match: re.Match[str]) -> str:
        """Keep a section out of Material's search unless ``search_sections`` names it."""
        title = html.unescape(_TAGS.sub("", _HEADERLINK.sub("", match.group(2))))
        if self.kb.settings.indexes_section(title):
            return match.group(0)
        return f"<h2 data-search-exclude{match.group(1)}>{match.group(2)}</h2>"
