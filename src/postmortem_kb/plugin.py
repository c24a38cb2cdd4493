"""The ``postmortems`` MkDocs plugin: MkDocs' hooks, delegating to the core and the site.

It hands MkDocs' files to :func:`postmortem_kb.core.kb.load`, logs every problem
through the plugin logger (so ``mkdocs build --strict`` fails on them), and delegates
the rest: which files stay (:mod:`postmortem_kb.site.files`), the generated files
(:mod:`postmortem_kb.site.build`), their reuse while serving
(:mod:`postmortem_kb.site.serve_cache`) and the HTML added to pages
(:mod:`postmortem_kb.site.renderer`). Everything after the checks is built from the
edition's published knowledge base (:func:`postmortem_kb.core.edition.published`); in
the public edition the files of internal reports are removed before MkDocs sees them.
"""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path

from jinja2 import Environment
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority, get_plugin_logger
from mkdocs.structure.files import Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from postmortem_kb.core.config import ConfigError, settings_from_options
from postmortem_kb.core.edition import Edition, published
from postmortem_kb.core.gate import DocsWalk, printable
from postmortem_kb.core.kb import (
    KnowledgeBase,
    ReportCache,
    collector_paused,
    display_path,
    is_report,
    load,
    problem_of,
)
from postmortem_kb.core.paths import in_folder
from postmortem_kb.core.report import Keep, Report
from postmortem_kb.core.rules import FAILING, PLAIN_TEXT_RULES, Finding, Level, Problem
from postmortem_kb.core.settings import Settings
from postmortem_kb.core.workers import KeptWorkers, Workers
from postmortem_kb.site import files as site_files
from postmortem_kb.site import serve_cache
from postmortem_kb.site.build import (
    LUNR_SCRIPT,
    PACKAGE_DIR,
    Generated,
    add_assets,
    renderer_for,
    search_page_config,
    search_uris,
    subscribe_line,
    timed,
    with_dashboard,
    with_subscribe_line,
    write_pending,
)
from postmortem_kb.site.pages import fill_fragments
from postmortem_kb.site.pages.facets import with_controls
from postmortem_kb.site.preview import Preview, fingerprints
from postmortem_kb.site.renderer import PageRenderer
from postmortem_kb.terminal.problems import line_of

log = get_plugin_logger(__name__)


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
        self.reports: dict[str, Report] = {}
        """The published reports by docs path."""
        self.generated = Generated()
        """This build's generated files: links, feed links, fragments and titles."""
        self.renderer: PageRenderer | None = None
        self.serving = False
        self.preview: Preview | None = None
        """Set during `mkdocs serve --dirty`: the pages to render again after an edit."""
        self._files: Files | None = None
        self.report_cache = ReportCache()
        """Reports by file identity, so a rebuild after one edit reads one file."""
        self.serve_cache = serve_cache.ServeCache()
        """The last build's generated files, reused while their inputs match."""
        self.timings: dict[str, float] = {}
        """Seconds per stage of the last build: parse, validate, relate, generate, search."""
        self.worker_count = 0
        """Worker processes the last build started (for the benchmark's memory figures)."""
        self.workers = KeptWorkers()
        """While serving, the worker processes every rebuild uses."""
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
        if self.serving and dirty:
            self.preview = Preview()

    def on_shutdown(self) -> None:
        self.workers.close()
        if self.preview is not None:
            self.preview.close()

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
        add_assets(config)
        return config

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        # What it makes holds few cycles; a full collection walks all a serving process holds
        # (over a second of each rebuild at 5,000 reports).
        with collector_paused():
            return self._on_files(files, config)

    def _on_files(self, files: Files, config: MkDocsConfig) -> Files:
        self.gate = site_files.apply_gate(files, config, self.settings)
        self.plain_pages = {refusal.rel for refusal in self.gate.plain}
        selected: dict[str, tuple[Path, str]] = {}
        for file in files.documentation_pages():
            rel = in_folder(file.src_uri, self.settings.folder)
            if rel is not None and file.abs_src_path and is_report(rel, self.settings):
                selected[file.src_uri] = (Path(file.abs_src_path), rel)
                if not self.settings.nav_reports:
                    # Listing every report on every page makes builds quadratic;
                    # the generated index pages lead to reports instead.
                    file.inclusion = InclusionLevel.NOT_IN_NAV
        self.timings = {}
        self._body_of = {}
        # Worker processes read, relate and index when there are hundreds of reports.
        with self.workers.for_build(len(selected), keep=self.serving) as workers:
            self._check(files, config, selected, workers)
            self._generate(files, config, workers)
        self.worker_count = workers.started
        # Report pages are rendered before MkDocs' own template environment exists.
        self.renderer = renderer_for(config.theme.get_env(), self.kb, self.generated)
        if self.preview is not None:
            with timed(self.timings, "preview"):
                preview = self.preview
                prints = fingerprints(
                    self.kb, self.reports, self.generated, preview.hosts, preview.ids_in
                )
                self.preview.before_pages(files, config, self.generated, prints)
        self._files = files
        return files

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
        _log_all(self.all_reports, strict=config.strict)
        self.kb = published(self.all_reports)
        self.reports = site_files.reports_by_uri(selected, self.kb)
        self.withheld = set()
        if self.kb is not self.all_reports:
            every = dict(zip(selected, self.all_reports.reports, strict=True))
            self.withheld = site_files.withhold(files, config, every, self.reports, self.settings)

    def _generate(self, files: Files, config: MkDocsConfig, workers: Workers) -> None:
        """The generated files, or during `mkdocs serve` the last build's while the
        reports they come from are unchanged."""
        self.generated = self.serve_cache.generate(
            self.kb, self.reports, files, config, workers, self.timings, reuse=self.serving
        )

    def on_nav(self, nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
        """Drop navigation entries that name a left-out file (their title would show)."""
        if self.withheld:
            nav.items = site_files.prune(nav.items, self.withheld)
        if self.preview is not None:
            self.preview.keep_titles(nav)
        return nav

    def on_env(self, env: Environment, config: MkDocsConfig, files: Files) -> Environment:
        # For the site's templates: feed discovery links and the edition (robots meta).
        env.globals["pmkb_feeds"] = self.generated.feed_links
        env.globals["pmkb_edition"] = self.settings.edition
        return env

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
        elif self.renderer is not None:
            _check_page_template(page, self.renderer, self.project_dir, self.settings)
        if uri in self.plain_pages:
            # Markdown the renderer could not survive (PM039, PM040) never reaches it:
            # on_page_content shows the text as written.
            self._plain_text[uri] = markdown
            return ""
        if report is None:
            filled = with_dashboard(self.generated, markdown, uri, self.settings)
            if self.preview is not None and filled != markdown:
                self.preview.dashboard_rendered(uri, self.generated, self.settings)
            markdown = filled
            title = self.generated.titles.get(uri)
            if title is not None:
                # Escaped once, here: Material prints page.meta.title as it is, in the
                # <title>, the header and the navigation.
                page.meta["title"] = html.escape(title)
            line = subscribe_line(uri, self.settings, bool(self.generated.feed_links))
            return markdown if line is None else with_subscribe_line(markdown, line)
        return markdown

    def on_page_content(
        self, html_content: str, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        plain = self._plain_text.pop(page.file.src_uri, None)
        if plain is not None:
            html_content = f'<pre class="pmkb-plain">{html.escape(plain)}</pre>'

        def url_from(uri: str) -> str:
            target = files.get_file_from_path(uri)
            return target.url_relative_to(page.file) if target is not None else ""

        assert self.renderer is not None
        page_uri, catalog_uri, index_uri = search_uris(self.settings)
        if page.file.src_uri == page_uri:
            archive = f"{self.settings.pages_dir.strip('/')}/archive.md"
            uris = (catalog_uri, index_uri, LUNR_SCRIPT, archive)
            return with_controls(html_content, self.renderer.search_controls(uris, url_from))
        fragments = self.generated.fragments.get(page.file.src_uri)
        if fragments is not None:
            return fill_fragments(html_content, fragments)
        report = self.reports.get(page.file.src_uri)
        if report is None:
            return html_content
        return self.renderer.report_page(report, html_content, url_from)

    def on_page_context(
        self, context: TemplateContext, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        if page.file.src_uri == search_uris(self.settings)[0]:
            context["config"] = search_page_config(config)  # type: ignore[typeddict-item]
        return context

    def on_post_page(self, output: str, page: Page, config: MkDocsConfig) -> str:
        if self.preview is not None:
            self.preview.page_rendered(page)
        return output

    @event_priority(100)  # first, so other plugins see the index a worker built meanwhile
    def _write_pending(self, config: MkDocsConfig) -> None:
        if self.generated.pending and self._files is not None:
            with timed(self.timings, "search wait"):
                write_pending(self.generated, self._files)

    @event_priority(-100)  # after the search plugins have written their index
    def _after_build(self, config: MkDocsConfig) -> None:
        if self.preview is not None and self._files is not None:
            self.preview.after_build(config, self._files)

    on_post_build = CombinedEvent(_write_pending, _after_build)

    def on_build_error(self, *, error: Exception) -> None:
        """A failed build's files and workers are not reused (a worker may have died)."""
        self.generated.pending = {}
        self.serve_cache = serve_cache.ServeCache()
        self.workers.close()


def _log_all(kb: KnowledgeBase, strict: bool) -> None:
    """Every report's problems, whatever the edition: the log is not published, and an
    internal report's errors still need fixing. A strict build stops here, before any
    page is written: the site folder was just cleaned, so a failed strict build leaves
    nothing half-built for a deploy step to publish."""
    for problem in kb.problems:
        _log(problem)
    if kb.errors:
        log.info(
            f"{len(kb.errors)} error(s) in postmortems; `pmkb check` lists them without "
            "building the site"
        )
    failing = sum(p.level in FAILING[True] for p in kb.problems)
    if strict and failing:
        raise PluginError(
            f"{failing} postmortem problem(s) listed above fail this strict build; "
            "no pages were written"
        )


def _check_page_template(
    page: Page, renderer: PageRenderer, project_dir: Path, settings: Settings
) -> None:
    """A page's ``template:`` must name a template of the theme (PM043); otherwise
    the build would stop with TemplateNotFound, so the page falls back to the
    theme's default template, and the problem is logged."""
    name = page.meta.get("template")
    if name is None:
        return
    if isinstance(name, str) and renderer.has_template(name):
        return
    shown = display_path(Path(page.file.abs_src_path or page.file.src_uri), project_dir)
    message = f"'template: {printable(str(name))[:100]}' names no template of the theme"
    problem = problem_of(shown, Finding("PM043", 1, message), settings)
    if problem is not None:
        _log(problem)
    del page.meta["template"]


def _log(problem: Problem) -> None:
    """One problem in the build log, at its level (so strict builds fail on it)."""
    message = f"{line_of(problem)} (hint: {problem.hint})"
    if problem.level is Level.ERROR:
        log.error(message)
    elif problem.level is Level.WARNING:
        log.warning(message)
    else:
        log.info(message)
