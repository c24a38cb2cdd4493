"""The ``postmortems`` MkDocs plugin: a thin adapter between MkDocs and the core.

It hands MkDocs' files to :func:`postmortem_kb.core.kb.load`, logs every problem
through the plugin logger (so ``mkdocs build --strict`` fails on them), renders
the header of each report page and adds the generated index pages, feeds and
calendar. Everything after the checks is built from the edition's published
knowledge base (:func:`postmortem_kb.core.edition.published`); in the public edition
the files of internal reports are removed from the build before MkDocs sees them.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path, PurePosixPath
from time import perf_counter
from typing import Any

from jinja2 import Environment, TemplateNotFound
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Link, Navigation, Section
from mkdocs.structure.pages import Page

from postmortem_kb.analysis.relate import Links, link_later
from postmortem_kb.core.config import ConfigError, settings_from_options
from postmortem_kb.core.edition import Edition, published, stylesheet_targets, withheld_files
from postmortem_kb.core.gate import DocsWalk, docs_exclusion, printable
from postmortem_kb.core.kb import (
    KnowledgeBase,
    ReportCache,
    display_path,
    gate,
    in_folder,
    is_report,
    load,
    problem_of,
)
from postmortem_kb.core.report import Keep, Report, report_signature
from postmortem_kb.core.rules import FAILING, Finding, Level, Problem
from postmortem_kb.core.settings import Settings
from postmortem_kb.core.workers import Workers
from postmortem_kb.site.calendar import ICS_FILE, due_items, render_calendar
from postmortem_kb.site.catalog import build_catalog, build_index_json, index_documents, to_json
from postmortem_kb.site.feeds import ATOM_FILE, RSS_FILE, FeedSite, atom_feed, rss_feed
from postmortem_kb.site.pages import fill_fragments, generate
from postmortem_kb.site.render import header_context, related_context, severity_class, src_uri
from postmortem_kb.terminal.problems import line_of

log = get_plugin_logger(__name__)


_H2 = re.compile(r"<h2([^>]*)>(.*?)</h2>", re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")
_HEADERLINK = re.compile(r"<a [^>]*class=\"headerlink\"[^>]*>.*?</a>", re.DOTALL)
"""The permalink that the toc extension's ``permalink`` option appends to headings."""

SEARCH_PAGE = """# Search incidents

Has this happened before? Type a few words, an incident id, a service or a tag, then
narrow the results with the filters. The address bar keeps the search, so you can share
it or come back to it.
"""


def lunr_js_path() -> Path:
    """lunr.js 2.3.9 as MkDocs ships it for its own search: the same version lunr.py
    serialises for, taken from the installed package rather than copied into ours."""
    import mkdocs.contrib.search

    return Path(mkdocs.contrib.search.__file__).parent / "templates" / "search" / "lunr.js"


PLAIN_TEXT_RULES = frozenset({"PM039", "PM040"})
"""Problems of Markdown the renderer cannot survive: such a page is shown as written."""

PACKAGE_DIR = Path(__file__).parent / "site"
STYLESHEET = "assets/postmortem-kb/pmkb.css"
SEARCH_SCRIPT = "assets/postmortem-kb/incident-search.js"
LUNR_SCRIPT = "assets/postmortem-kb/lunr.js"
SEARCH_TEMPLATE = "partials/incident-search.html"
HEADER_TEMPLATE = "partials/postmortem-header.html"
RELATED_TEMPLATE = "partials/postmortem-related.html"


class PostmortemsConfig(base.Config):
    """Options under ``plugins: - postmortems:``; unset ones take the core's defaults."""

    folder = c.Optional(c.Type(str))
    exclude = c.Optional(c.ListOfItems(c.Type(str)))
    id_pattern = c.Optional(c.Type(str))
    default_template = c.Optional(c.Type(str))
    templates = c.Optional(c.Type(dict))
    rules = c.Optional(c.Type(dict))
    build_date = c.Optional(c.Type((str, date)))
    earliest_date = c.Optional(c.Type((str, date)))
    latest_date = c.Optional(c.Type((str, date)))
    pages_dir = c.Optional(c.Type(str))
    nav_reports = c.Optional(c.Type(bool))
    related_limit = c.Optional(c.Type(int))
    related_threshold = c.Optional(c.Type((int, float)))
    search_sections = c.Optional(c.ListOfItems(c.Type(str)))
    template_dir = c.Optional(c.Type(str))
    policies = c.Optional(c.Type(dict))
    edition = c.Optional(c.Type(str))
    public_files = c.Optional(c.ListOfItems(c.Type(str)))
    public_redact_sections = c.Optional(c.ListOfItems(c.Type(str)))
    public_redact_fields = c.Optional(c.ListOfItems(c.Type(str)))
    extra_fields = c.Optional(c.Type(dict))


class PostmortemsPlugin(BasePlugin[PostmortemsConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.settings = Settings()
        self.kb = KnowledgeBase(settings=self.settings)
        """The published knowledge base: every page, index, feed and file comes from it."""
        self.all_reports = KnowledgeBase(settings=self.settings)
        """Every report, published or not: only checked and logged, never written out."""
        self.withheld: set[str] = set()
        """Docs paths of the files the public edition leaves out."""
        self.feed_links: list[dict[str, str]] = []
        self.reports: dict[str, Report] = {}
        self.links: dict[str, Links] = {}
        self.by_id: dict[str, Report] = {}
        self.env: Environment | None = None
        self.serving = False
        self.report_cache = ReportCache()
        """Reports by file identity, so a rebuild after one edit reads one file."""
        self.derived: dict[str, Any] = {}
        """The last build's generated files and links, reused while their inputs match."""
        self.timings: dict[str, float] = {}
        """Seconds per stage of the last build: parse, validate, relate, generate, search."""
        self.worker_count = 0
        """Worker processes the last build started (for the benchmark's memory figures)."""
        self.fragments: dict[str, list[str]] = {}
        """HTML tables of the generated pages, put in place after Markdown."""
        self.titles: dict[str, str] = {}
        """The generated pages' titles as plain text (see :attr:`SiteIndex.titles`)."""
        self._body_of: dict[str, str] = {}
        """Report bodies read by on_page_read_source, for on_page_markdown to take."""
        self.project_dir = Path()
        self.gate = DocsWalk(root=Path())
        """The publish gate's judgement of docs_dir in this build."""
        self.plain_pages: set[str] = set()
        """Docs paths of pages that are not reports, shown as plain text (PM039, PM040)."""
        self._plain_text: dict[str, str] = {}
        """Markdown of the pages shown as plain text, for on_page_content."""

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Defining this makes MkDocs keep the instance across `mkdocs serve` rebuilds,
        so the caches below outlive one build; they are used only while serving."""
        self.serving = command == "serve"

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        try:
            self.settings = settings_from_options(dict(self.config), config.config_file_path)
        except ConfigError as exc:
            raise PluginError(str(exc)) from None
        self.project_dir = Path(config.config_file_path).parent
        if self.settings.edition == Edition.PUBLIC:
            log.info("building the public edition: only reports with 'visibility: public'")
        # Lowest precedence: a custom_dir template of the same name replaces ours.
        config.theme.dirs.append(str(PACKAGE_DIR / "templates"))
        if STYLESHEET not in config.extra_css:
            config.extra_css.append(STYLESHEET)
        if SEARCH_SCRIPT not in [str(script) for script in config.extra_javascript]:
            config.extra_javascript.append(SEARCH_SCRIPT)
        return config

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        self._gate(files, config)
        folder = PurePosixPath(self.settings.folder)
        selected: dict[str, tuple[Path, str]] = {}
        for file in files.documentation_pages():
            rel = in_folder(PurePosixPath(file.src_uri), folder)
            if rel is not None and file.abs_src_path and is_report(rel, self.settings):
                selected[file.src_uri] = (Path(file.abs_src_path), rel)
                if not self.settings.nav_reports:
                    # Listing every report on every page makes builds quadratic;
                    # the generated index pages lead to reports instead.
                    file.inclusion = InclusionLevel.NOT_IN_NAV
        self.timings = {}
        self._body_of = {}
        # Worker processes read, relate and index when there are hundreds of reports.
        with Workers.for_size(len(selected)) as workers:
            self._check(files, config, selected, workers)
            self._generate(files, config, workers)
        self.worker_count = workers.started
        # Report pages are rendered before MkDocs' own template environment exists.
        self.env = config.theme.get_env()
        return files

    def _gate(self, files: Files, config: MkDocsConfig) -> None:
        """Remove from the build every file of docs_dir the publish gate did not accept.

        MkDocs found the files by walking docs_dir and following its links; the gate
        walks it the same way without following what leads out, and refuses special
        files, second names, garbled names and reports under names MkDocs publishes
        otherwise (:mod:`postmortem_kb.core.gate`). Deny by default: a file MkDocs found and
        the gate never saw (below a refused folder) is removed too.
        """
        default = docs_exclusion()
        spec = config.exclude_docs

        def excluded(rel: str) -> bool:
            return default(rel) or (spec is not None and spec.match_file(rel))

        self.gate = gate(Path(config.docs_dir), self.settings, self.settings.folder, excluded)
        accepted = self.gate.accepted()
        for file in list(files):
            if _from_docs(file, config) and file.src_uri not in accepted:
                files.remove(file)
        self.plain_pages = {refusal.rel for refusal in self.gate.plain}

    def _check(
        self,
        files: Files,
        config: MkDocsConfig,
        selected: dict[str, tuple[Path, str]],
        workers: Workers,
    ) -> None:
        """Read and check every report, log its problems, and pick the edition's."""
        self.all_reports = load(
            selected.values(),
            self.settings,
            display_root=self.project_dir,
            timings=self.timings,
            cache=self.report_cache if self.serving else None,
            keep=Keep.PAGES,  # pages read their text again as MkDocs renders them
            workers=workers,
            refused=[*self.gate.refusals, *self.gate.plain],
        )
        for uri, report in zip(selected, self.all_reports.reports, strict=True):
            if any(finding.code in PLAIN_TEXT_RULES for finding in report.findings):
                self.plain_pages.add(uri)
        # Every report is checked and its problems logged, whatever the edition: the
        # log is not published, and an internal report's errors still need fixing.
        self._log_problems()
        failing = sum(p.level in FAILING[True] for p in self.all_reports.problems)
        if config.strict and failing:
            # Stop before any page is written: the site folder was just cleaned, so a
            # failed strict build leaves nothing half-built for a deploy step to publish.
            raise PluginError(
                f"{failing} postmortem problem(s) listed above fail this strict build; "
                "no pages were written"
            )
        self.kb = published(self.all_reports)
        uri_of = {str(path): uri for uri, (path, _) in selected.items()}
        self.reports = {uri_of[str(report.path)]: report for report in self.kb.reports}
        self.withheld = set()
        if self.kb is not self.all_reports:
            self._withhold(files, config, selected)
        self.by_id = self.kb.by_id()

    def _generate(self, files: Files, config: MkDocsConfig, workers: Workers) -> None:
        """Relate the reports and add the generated pages, search files and feeds."""
        with self._timed("signature"):
            signature = self._signature(config)
        if self.serving and self.derived.get("signature") == signature:
            # During `mkdocs serve`, an edit that changes no report's metadata, summary,
            # action items or problems changes none of the generated files.
            self.links = self.derived["links"]
            self.feed_links = self.derived["feed_links"]
            self.fragments = self.derived["fragments"]
            self.titles = self.derived["titles"]
            for uri, content, path, inclusion in self.derived["files"]:
                if path is not None:
                    files.append(
                        File.generated(config, uri, abs_src_path=path, inclusion=inclusion)
                    )
                else:
                    files.append(File.generated(config, uri, content=content, inclusion=inclusion))
        else:
            before = {file.src_uri for file in files}
            # Relating and the search index run in the workers while this process
            # writes the pages; each stage's time is what this process spent on it,
            # waiting included, so the stages add up to the plugin's wall time.
            with self._timed("relate"):
                links_of = link_later(
                    self.kb.reports,
                    self.settings.related_limit,
                    self.settings.related_threshold,
                    workers,
                )
            with self._timed("search"):
                add_search = self._start_search(files, config, workers)
            with self._timed("generate"):
                add_feeds = self._start_feeds(files, config, workers)
                self._add_generated(files, config)
            with self._timed("search"):
                add_search()
            with self._timed("generate"):
                add_feeds()
            with self._timed("relate"):
                self.links = links_of()
            self.derived = dict(
                signature=signature,
                links=self.links,
                feed_links=self.feed_links,
                fragments=self.fragments,
                titles=self.titles,
                files=[
                    (
                        f.src_uri,
                        None if f.abs_src_path else f.content_bytes,
                        f.abs_src_path,
                        f.inclusion,
                    )
                    for f in files
                    if f.src_uri not in before
                ],
            )

    def _signature(self, config: MkDocsConfig) -> str:
        """What the generated files depend on: settings, build date, URLs, and for each
        published report its metadata, summary sections, action items and problems."""
        digest = hashlib.sha256()
        for part in (
            self.settings.model_dump_json(),
            self.settings.today().isoformat(),
            str(config.use_directory_urls),
            str(config.site_url),
        ):
            digest.update(part.encode())
        for uri, report in sorted(self.reports.items()):
            digest.update(uri.encode())
            digest.update(report_signature(report, self.kb.problems_of(report)).encode())
        return digest.hexdigest()

    @contextmanager
    def _timed(self, stage: str) -> Iterator[None]:
        started = perf_counter()
        try:
            yield
        finally:
            self.timings[stage] = self.timings.get(stage, 0.0) + perf_counter() - started

    def _withhold(
        self, files: Files, config: MkDocsConfig, selected: dict[str, tuple[Path, str]]
    ) -> None:
        """Remove unpublished reports, and the files only they use, from the build.

        Removed here, they are in no page, navigation, search index or sitemap: MkDocs
        never reads them. Deny by default: a file stays only when a published page or
        the site's configuration refers to it, or ``public_files`` names it.
        """
        all_by_uri = {
            uri: report for uri, report in zip(selected, self.all_reports.reports, strict=True)
        }
        pages: dict[str, tuple[str, bool]] = {}
        for file in files.documentation_pages():
            if file.src_uri in self.reports:
                pages[file.src_uri] = (self.reports[file.src_uri].body, True)
            elif file.src_uri in all_by_uri:
                pages[file.src_uri] = (all_by_uri[file.src_uri].text, False)
            else:
                pages[file.src_uri] = (_read_text(file), True)
        others = [
            file.src_uri
            for file in files
            if not file.is_documentation_page() and _from_docs(file, config)
        ]
        wanted = _configured_assets(config)
        # A published stylesheet's fonts and images are wanted too.
        for uri in [*wanted]:
            sheet = files.get_file_from_path(uri)
            if uri.endswith(".css") and sheet is not None and _from_docs(sheet, config):
                wanted.update(stylesheet_targets(_read_text(sheet), uri))
        self.withheld = {uri for uri in all_by_uri if uri not in self.reports}
        self.withheld |= withheld_files(pages, others, wanted, self.settings.public_files)
        for uri in sorted(self.withheld):
            file = files.get_file_from_path(uri)
            if file is not None:
                files.remove(file)
        log.info(
            f"public edition: {len(self.reports)} of {len(all_by_uri)} postmortems published; "
            f"{len(self.withheld)} file(s) left out"
        )

    def on_nav(self, nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
        """Drop navigation entries that name a left-out file (their title would show)."""
        if self.withheld:
            nav.items = _prune(nav.items, self.withheld)
        return nav

    def on_env(self, env: Environment, config: MkDocsConfig, files: Files) -> Environment:
        # For the site's templates: feed discovery links and the edition (robots meta).
        env.globals["pmkb_feeds"] = self.feed_links
        env.globals["pmkb_edition"] = self.settings.edition
        return env

    def _log_problems(self) -> None:
        for problem in self.all_reports.problems:
            _log(problem)
        if self.all_reports.errors:
            log.info(
                f"{len(self.all_reports.errors)} error(s) in postmortems; `pmkb check` lists them "
                "without building the site"
            )

    def _add_generated(self, files: Files, config: MkDocsConfig) -> None:
        urls: dict[str, str] = {}

        def url_of(uri: str) -> str:
            """The site URL of a docs file, or of a page about to be generated."""
            if uri not in urls:
                known = files.get_file_from_path(uri)
                target = known or File.generated(config, uri, content="")
                urls[uri] = target.url
            return urls[uri]

        index = generate(self.kb, self.settings.today(), url_of, self.settings.pages_dir)
        self.fragments = index.fragments
        self.titles = index.titles
        in_nav = {uri for _, uri in index.nav}
        for uri, content in index.pages.items():
            if files.get_file_from_path(uri) is not None:
                raise PluginError(
                    f"'{uri}' exists in docs_dir, and the postmortems plugin generates a page "
                    "there; rename the file or set the plugin's 'pages_dir' option"
                )
            # Detail pages (one per tag, service, month...) are reached from the index
            # pages; listing them all in the navigation would grow every page.
            inclusion = InclusionLevel.UNDEFINED if uri in in_nav else InclusionLevel.NOT_IN_NAV
            files.append(File.generated(config, uri, content=content, inclusion=inclusion))
        stylesheet = (PACKAGE_DIR / "assets" / "pmkb.css").read_text(encoding="utf-8")
        files.append(File.generated(config, STYLESHEET, content=stylesheet))

    def _generated_file(self, files: Files, config: MkDocsConfig, uri: str, content: bytes) -> None:
        if files.get_file_from_path(uri) is not None:
            raise PluginError(
                f"'{uri}' exists in docs_dir, and the postmortems plugin generates a file "
                "there; rename the file or set the plugin's 'pages_dir' option"
            )
        files.append(File.generated(config, uri, content=content))

    def _start_feeds(
        self, files: Files, config: MkDocsConfig, workers: Workers
    ) -> Callable[[], None]:
        """Start the action items' calendar in a worker; the function returned adds it,
        then the Atom and RSS feeds (when site_url is set)."""
        site_url = config.site_url or ""
        root = site_url if site_url.endswith("/") or not site_url else site_url + "/"
        by_path = {str(report.path): uri for uri, report in self.reports.items()}

        def url_of(report: Report) -> str:
            target = files.get_file_from_path(by_path[str(report.path)])
            return root + target.url if target is not None and root else ""

        today = self.settings.today()
        events = due_items(self.kb, url_of)
        calendar = workers.submit(
            render_calendar, events, today, f"{config.site_name}: action items"
        )

        def add() -> None:
            base = self.settings.pages_dir.strip("/")
            self._generated_file(files, config, f"{base}/{ICS_FILE}", calendar.result())
            self._add_feeds(files, config, root, url_of)

        return add

    def _add_feeds(
        self, files: Files, config: MkDocsConfig, root: str, url_of: Callable[[Report], str]
    ) -> None:
        base = self.settings.pages_dir.strip("/")
        today = self.settings.today()
        self.feed_links = []
        if not root:
            log.info("no site_url in mkdocs.yml: the Atom and RSS feeds need it; none written")
            return
        site = FeedSite(
            base_url=root,
            title=config.site_name,
            description=config.site_description or "Newly published postmortems",
            author=config.site_author or config.site_name,
        )
        for name, render, kind in (
            (ATOM_FILE, atom_feed, "application/atom+xml"),
            (RSS_FILE, rss_feed, "application/rss+xml"),
        ):
            uri = f"{base}/{name}"
            content = render(self.kb, site, url_of, root + uri, today)
            self._generated_file(files, config, uri, content)
            label = "Atom" if name == ATOM_FILE else "RSS"
            self.feed_links.append(
                {"href": root + uri, "type": kind, "title": f"{config.site_name} ({label})"}
            )

    def _search_uris(self) -> tuple[str, str, str]:
        base = self.settings.pages_dir.strip("/")
        return f"{base}/search.md", f"{base}/search/catalog.json", f"{base}/search/index.json"

    def _start_search(
        self, files: Files, config: MkDocsConfig, workers: Workers
    ) -> Callable[[], None]:
        """Start the incident search: its catalog here, its lunr index in a worker.

        The function returned adds the search page, catalog, index and scripts.
        """
        page_uri, catalog_uri, index_uri = self._search_uris()
        catalog_file = File.generated(config, catalog_uri, content="")
        by_path = {report.path: uri for uri, report in self.reports.items()}

        def url_of(report: Report) -> str:
            target = files.get_file_from_path(by_path[report.path])
            return target.url_relative_to(catalog_file) if target is not None else ""

        catalog = build_catalog(self.kb.reports, url_of, self.settings.today())
        catalog_file.content_string = to_json(catalog)
        indexing = workers.submit(build_index_json, index_documents(self.kb.reports))

        def add() -> None:
            files.append(File.generated(config, page_uri, content=SEARCH_PAGE))
            files.append(catalog_file)
            files.append(File.generated(config, index_uri, content=indexing.result()))
            files.append(File.generated(config, LUNR_SCRIPT, abs_src_path=str(lunr_js_path())))
            script = (PACKAGE_DIR / "assets" / "incident-search.js").read_text(encoding="utf-8")
            files.append(File.generated(config, SEARCH_SCRIPT, content=script))

        return add

    def on_page_read_source(self, page: Page, config: MkDocsConfig) -> str | None:
        """Serve reports' text as the plugin reads it (decoded with replacement), so a
        file that is not valid UTF-8 is published with its problems shown instead of
        failing the whole build."""
        report = self.reports.get(page.file.src_uri)
        if report is None:
            return None
        # One read of the file serves both hooks (a lean report reads it from disk).
        text, self._body_of[page.file.src_uri] = report.source.full_text()
        return text

    def on_page_markdown(
        self, markdown: str, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        uri = page.file.src_uri
        report = self.reports.get(uri)
        if report is not None:
            # The frontmatter belongs to the report, not to MkDocs or the theme: its
            # 'template' or 'status' keys must not pick a page template or a nav icon.
            page.meta = {"title": html.escape(report.title)}
            body = self._body_of.pop(uri, None)
            markdown = report.body if body is None else body
        else:
            self._check_page_template(page, config)
        if uri in self.plain_pages:
            # Markdown the renderer could not survive (PM039, PM040) never reaches it:
            # on_page_content shows the text as written.
            self._plain_text[uri] = markdown
            return ""
        if report is None:
            title = self.titles.get(page.file.src_uri)
            if title is not None:
                # Escaped once, here: Material prints page.meta.title as it is, in the
                # <title>, the header and the navigation.
                page.meta["title"] = html.escape(title)
            line = self._subscribe_lines(page)
            if line is None:
                return markdown
            # After the heading and the opening paragraph, where readers look first.
            head, sep, rest = markdown.partition("\n\n")
            intro, sep2, rest = rest.partition("\n\n")
            return f"{head}{sep}{intro}\n\n{line}\n\n{rest}" if sep2 else f"{markdown}\n\n{line}\n"
        return markdown

    def _check_page_template(self, page: Page, config: MkDocsConfig) -> None:
        """A page's ``template:`` must name a template of the theme (PM043); otherwise
        the build would stop with TemplateNotFound, so the page falls back to the
        theme's default template, and the problem is logged."""
        name = page.meta.get("template")
        if name is None or self.env is None:
            return
        try:
            if isinstance(name, str):
                self.env.get_template(name)
                return
        except TemplateNotFound:
            pass
        shown = display_path(Path(page.file.abs_src_path or page.file.src_uri), self.project_dir)
        message = f"'template: {printable(str(name))[:100]}' names no template of the theme"
        problem = problem_of(shown, Finding("PM043", 1, message), self.settings)
        if problem is not None:
            _log(problem)
        del page.meta["template"]

    def _subscribe_lines(self, page: Page) -> str | None:
        """A line pointing the overview to the feeds and the action items to the calendar."""
        base = self.settings.pages_dir.strip("/")
        if page.file.src_uri == f"{base}/action-items.md":
            return (
                f"Subscribe to the open items' due dates in a calendar: [{ICS_FILE}]({ICS_FILE}) "
                "(iCalendar; use its address, not a download, so it stays up to date)."
            )
        if page.file.src_uri == f"{base}/index.md" and self.feed_links:
            return (
                f"New postmortems as a feed: [Atom]({ATOM_FILE}) or [RSS]({RSS_FILE}); "
                f"open action items' due dates as a [calendar]({ICS_FILE})."
            )
        return None

    def on_page_content(
        self, html_content: str, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        plain = self._plain_text.pop(page.file.src_uri, None)
        if plain is not None:
            html_content = f'<pre class="pmkb-plain">{html.escape(plain)}</pre>'
        if page.file.src_uri == self._search_uris()[0]:
            return html_content + self._search_controls(page, files)
        if page.file.src_uri in self.fragments:
            return fill_fragments(html_content, self.fragments[page.file.src_uri])
        report = self.reports.get(page.file.src_uri)
        if report is None:
            return html_content
        assert self.env is not None
        context = header_context(report, self.kb.problems_of(report), self.settings.extra_fields)
        header = self.env.get_template(HEADER_TEMPLATE).render(
            postmortem=context,
            severity_class=severity_class(context["severity"]),
        )
        related = self.env.get_template(RELATED_TEMPLATE).render(
            related=self._related(report, page, files)
        )
        body = _H2.sub(self._mark_unsearched, html_content)
        return f"<h1>{html.escape(report.title)}</h1>\n{header}\n{body}\n{related}"

    def _mark_unsearched(self, match: re.Match[str]) -> str:
        """Keep a section out of Material's search unless ``search_sections`` names it."""
        title = html.unescape(_TAGS.sub("", _HEADERLINK.sub("", match.group(2))))
        if self.settings.indexes_section(title):
            return match.group(0)
        return f"<h2 data-search-exclude{match.group(1)}>{match.group(2)}</h2>"

    def _search_controls(self, page: Page, files: Files) -> str:
        assert self.env is not None
        _, catalog_uri, index_uri = self._search_uris()

        def url(uri: str) -> str:
            target = files.get_file_from_path(uri)
            return target.url_relative_to(page.file) if target is not None else ""

        archive = f"{self.settings.pages_dir.strip('/')}/archive.md"
        return self.env.get_template(SEARCH_TEMPLATE).render(
            catalog_url=url(catalog_uri),
            index_url=url(index_uri),
            lunr_url=url(LUNR_SCRIPT),
            archive_url=url(archive),
        )

    def _related(self, report: Report, page: Page, files: Files) -> dict[str, object]:
        """The related-incident lists of ``report``, with URLs relative to its page."""

        def url_of(other: Report) -> str:
            target = files.get_file_from_path(src_uri(other, self.settings.folder))
            return target.url_relative_to(page.file) if target is not None else ""

        links = self.links.get(report.id or "", Links())
        return related_context(links, self.by_id, url_of)


def _log(problem: Problem) -> None:
    """One problem in the build log, at its level (so strict builds fail on it)."""
    message = f"{line_of(problem)} (hint: {problem.hint})"
    if problem.level is Level.ERROR:
        log.error(message)
    elif problem.level is Level.WARNING:
        log.warning(message)
    else:
        log.info(message)


def _from_docs(file: File, config: MkDocsConfig) -> bool:
    """A file MkDocs found in docs_dir (not a theme's file, nor a generated one)."""
    if file.generated_by is not None or file.src_dir is None:
        return False
    return os.path.abspath(file.src_dir) == os.path.abspath(config.docs_dir)


def _configured_assets(config: MkDocsConfig) -> set[str]:
    """Docs paths the configuration names: extra stylesheets and scripts, logo, favicon."""
    named = [str(path) for path in (*config.extra_css, *config.extra_javascript)]
    for key in ("logo", "favicon"):
        value = config.theme.get(key)
        if isinstance(value, str):
            named.append(value)
    return {PurePosixPath(name.lstrip("/")).as_posix() for name in named if ":" not in name}


def _read_text(file: File) -> str:
    try:
        return file.content_string
    except (OSError, UnicodeDecodeError):
        return ""


def _prune(items: list, withheld: set[str]) -> list:  # type: ignore[type-arg]
    """Navigation items without links to ``withheld`` docs paths, nor emptied sections."""
    kept = []
    for item in items:
        if isinstance(item, Link) and _nav_target(item.url) in withheld:
            continue
        if isinstance(item, Section):
            item.children = _prune(item.children, withheld)
            if not item.children:
                continue
        kept.append(item)
    return kept


def _nav_target(url: str) -> str:
    return PurePosixPath(url.split("#", 1)[0].lstrip("/")).as_posix()
