"""The generated files of one build, from the published knowledge base.

:func:`build_site` relates the reports and adds to MkDocs' files the generated index
and Metrics pages (:mod:`postmortem_kb.site.pages`), the stylesheet, the incident
search (page, catalog, lunr index and scripts), the action items' calendar and the
Atom and RSS feeds. Relating and the search index run in worker processes while this
one writes the pages; each stage's time is what this process spent on it, waiting
included, so the stages add up to the plugin's wall time. An index not finished when
the pages are written is left to finish while MkDocs renders the pages
(:attr:`Generated.pending`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter
from typing import Any

from jinja2 import Environment
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel

from postmortem_kb.analysis import relate
from postmortem_kb.analysis.relate import Links
from postmortem_kb.core.kb import KnowledgeBase, PerReport
from postmortem_kb.core.report import Report
from postmortem_kb.core.settings import Settings
from postmortem_kb.core.workers import Workers
from postmortem_kb.site import calendar, catalog, feeds, pages
from postmortem_kb.site.metrics import KeptMetrics
from postmortem_kb.site.pages import dashboard, facets
from postmortem_kb.site.renderer import PageRenderer

log = get_plugin_logger(__name__)

PACKAGE_DIR = Path(__file__).parent
STYLESHEET = "assets/postmortem-kb/pmkb.css"
SEARCH_SCRIPT = "assets/postmortem-kb/incident-search.js"
ACTIONS_SCRIPT = "assets/postmortem-kb/action-items.js"
LUNR_SCRIPT = "assets/postmortem-kb/lunr.js"

GeneratedFile = tuple[str, bytes | None, str | None, InclusionLevel]
"""(docs path, content or None, source path or None, inclusion) of a generated file."""


@dataclass
class Generated:
    """What a build generated, which the page hooks use and the serve cache keeps."""

    links: dict[str, Links] = field(default_factory=dict)
    """Related incidents and backlinks by report id."""
    feed_links: list[dict[str, str]] = field(default_factory=list)
    """Feed discovery links for the site's templates (none without site_url)."""
    fragments: dict[str, list[str]] = field(default_factory=dict)
    """HTML tables of the generated pages, put in place after Markdown."""
    titles: dict[str, str] = field(default_factory=dict)
    """The generated pages' titles as plain text (see :attr:`PageWriter.titles`)."""
    writer: pages.PageWriter | None = None
    """The generated pages' writer, which also writes the dashboard into a page that
    asks for it (:mod:`postmortem_kb.site.pages.dashboard`)."""
    search_page: str = ""
    """The incident search page's Markdown, with its static lists (issue 20)."""
    files: list[GeneratedFile] = field(default_factory=list)
    pending: dict[str, Future[str]] = field(default_factory=dict)
    """Generated files whose content a worker is still making, by docs path: the search
    index, built while MkDocs renders the pages. Added with no content, and written by
    :func:`write_pending` once the pages are (MkDocs copies files before pages)."""


def write_pending(generated: Generated, files: Files) -> None:
    """Write the files a worker was still making over their placeholders in the site,
    and keep their content for the serve cache's next replay."""
    for uri, making in generated.pending.items():
        content = making.result().encode("utf-8")
        target = files.get_file_from_path(uri)
        if target is None:
            raise PluginError(f"postmortems plugin: the generated file '{uri}' went missing")
        Path(target.abs_dest_path).write_bytes(content)
        generated.files = [
            (name, content if name == uri else data, path, inclusion)
            for name, data, path, inclusion in generated.files
        ]
    generated.pending = {}


def add_assets(config: MkDocsConfig) -> None:
    """Put the plugin's stylesheet and scripts on every page (each once)."""
    if STYLESHEET not in config.extra_css:
        config.extra_css.append(STYLESHEET)
    scripts = [str(script) for script in config.extra_javascript]
    for script in (SEARCH_SCRIPT, ACTIONS_SCRIPT):
        if script not in scripts:
            config.extra_javascript.append(script)


def renderer_for(env: Environment, kb: KnowledgeBase, generated: Generated) -> PageRenderer:
    """The renderer of this build's report pages: related incidents from ``generated``,
    and tags, services and causes linked to the pages its writer made."""
    writer = generated.writer
    group_uri = writer.group_uri if writer is not None else None
    return PageRenderer(env, kb, generated.links, kb.by_id(), group_uri)


def with_dashboard(generated: Generated, markdown: str, uri: str, settings: Settings) -> str:
    """A site page's Markdown with the dashboard in place of its marker, if it has one."""
    if generated.writer is None:
        return markdown
    return dashboard.fill(generated.writer, markdown, uri, search_uris(settings)[0])


def lunr_js_path() -> Path:
    """lunr.js 2.3.9 as MkDocs ships it for its own search: the same version lunr.py
    serialises for, taken from the installed package rather than copied into ours."""
    import mkdocs.contrib.search

    return Path(mkdocs.contrib.search.__file__).parent / "templates" / "search" / "lunr.js"


class WithoutSiteSearch:
    """The site's configuration as the theme reads it on the incident search page: the
    same, but without Material's search plugin. Material's header then has no search
    form, and Material's script fetches its search index (the whole site's text, many
    megabytes) only for a page with one: the incident search page downloads only what
    it uses. Everything else is read from the real configuration."""

    def __init__(self, config: MkDocsConfig) -> None:
        self._config = config
        self.plugins = {
            name: plugin
            for name, plugin in config.plugins.items()
            if name not in ("search", "material/search")
        }

    def __getattr__(self, name: str) -> Any:
        return getattr(self._config, name)

    def __getitem__(self, key: str) -> Any:
        return self.plugins if key == "plugins" else self._config[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.plugins if key == "plugins" else self._config.get(key, default)


def search_page_config(config: MkDocsConfig) -> MkDocsConfig | WithoutSiteSearch:
    """The configuration the theme reads on the incident search page. With instant
    navigation the header outlives the page: a reader who lands on the search page would
    have no site search on the next pages, so it keeps Material's search box."""
    if "navigation.instant" in (config.theme.get("features") or []):
        return config
    return WithoutSiteSearch(config)


def search_uris(settings: Settings) -> tuple[str, str, str]:
    """Docs paths of the search page, its catalog and its lunr index."""
    base = settings.pages_dir.strip("/")
    return f"{base}/search.md", f"{base}/search/catalog.json", f"{base}/search/index.json"


def subscribe_line(src_uri: str, settings: Settings, has_feeds: bool) -> str | None:
    """A line pointing the overview to the feeds and the action items to the calendar,
    for the page at docs path ``src_uri`` (None for other pages)."""
    base = settings.pages_dir.strip("/")
    ics = calendar.ICS_FILE
    if src_uri == f"{base}/action-items.md":
        return (
            f"Subscribe to the open items' due dates in a calendar: [{ics}]({ics}) "
            "(iCalendar; use its address, not a download, so it stays up to date)."
        )
    if src_uri == f"{base}/index.md" and has_feeds:
        return (
            f"New postmortems as a feed: [Atom]({feeds.ATOM_FILE}) or [RSS]({feeds.RSS_FILE}); "
            f"open action items' due dates as a [calendar]({ics})."
        )
    return None


def with_subscribe_line(markdown: str, line: str) -> str:
    """``line`` after the heading and the opening paragraph, where readers look first."""
    head, sep, rest = markdown.partition("\n\n")
    intro, sep2, rest = rest.partition("\n\n")
    return f"{head}{sep}{intro}\n\n{line}\n\n{rest}" if sep2 else f"{markdown}\n\n{line}\n"


@contextmanager
def timed(timings: dict[str, float], stage: str) -> Iterator[None]:
    started = perf_counter()
    try:
        yield
    finally:
        timings[stage] = timings.get(stage, 0.0) + perf_counter() - started


@dataclass
class Kept:
    """What a build keeps for the next while serving, each part reused where what it was
    made from is unchanged."""

    entries: PerReport[dict[str, Any]] = field(default_factory=PerReport)
    """Each report's catalog entry."""
    metrics: KeptMetrics = field(default_factory=KeptMetrics)
    """The Metrics pages."""


@dataclass
class _Build:
    kb: KnowledgeBase
    reports: dict[str, Report]
    """The published reports by docs path."""
    files: Files
    config: MkDocsConfig
    workers: Workers
    kept: Kept | None
    """What the last build kept, while serving."""

    @property
    def settings(self) -> Settings:
        return self.kb.settings

    def add(self, uri: str, content: bytes | str, what: str = "file") -> None:
        """Add a generated file; one of docs_dir in its place stops the build."""
        if self.files.get_file_from_path(uri) is not None:
            raise PluginError(
                f"'{uri}' exists in docs_dir, and the postmortems plugin generates a {what} "
                "there; rename the file or set the plugin's 'pages_dir' option"
            )
        self.files.append(File.generated(self.config, uri, content=content))


def build_site(
    kb: KnowledgeBase,
    reports: dict[str, Report],
    files: Files,
    config: MkDocsConfig,
    workers: Workers,
    timings: dict[str, float],
    kept: Kept | None = None,
) -> Generated:
    """Add every generated file of ``kb`` (published, ``reports`` by docs path) to
    ``files``; return what the page hooks need and the list of files added. While
    serving, ``kept`` is what the last build kept, reused where unchanged."""
    build = _Build(kb, reports, files, config, workers, kept)
    before = {file.src_uri for file in files}
    generated = Generated()
    with timed(timings, "relate"):
        settings = kb.settings
        links_of = relate.link_later(
            kb.reports, settings.related_limit, settings.related_threshold, workers
        )
    with timed(timings, "search"):
        add_search = _start_search(build, generated)
    with timed(timings, "generate"):
        add_feeds = _start_feeds(build, generated)
        _add_pages(build, generated)
    with timed(timings, "search"):
        add_search()
    with timed(timings, "generate"):
        add_feeds()
    with timed(timings, "relate"):
        generated.links = links_of()
    generated.files = [
        (f.src_uri, None if f.abs_src_path else f.content_bytes, f.abs_src_path, f.inclusion)
        for f in files
        if f.src_uri not in before
    ]
    return generated


def replay(generated: Generated, files: Files, config: MkDocsConfig) -> None:
    """Add the files of an earlier build again (the serve cache's hit)."""
    for uri, content, path, inclusion in generated.files:
        # Each file has its content, or else the path of the file it was made from.
        if path is not None:
            files.append(File.generated(config, uri, abs_src_path=path, inclusion=inclusion))
        elif content is not None:
            files.append(File.generated(config, uri, content=content, inclusion=inclusion))


def _add_pages(build: _Build, generated: Generated) -> None:
    """The generated index and Metrics pages, and the stylesheet."""
    files, config = build.files, build.config
    urls: dict[str, str] = {}

    def url_of(uri: str) -> str:
        """The site URL of a docs file, or of a page about to be generated."""
        if uri not in urls:
            known = files.get_file_from_path(uri)
            target = known or File.generated(config, uri, content="")
            urls[uri] = target.url
        return urls[uri]

    settings = build.settings
    metrics = build.kept.metrics if build.kept is not None else None
    index = pages.generate(build.kb, settings.today(), url_of, settings.pages_dir, metrics)
    generated.fragments = index.fragments
    generated.writer = index
    generated.titles = index.titles
    generated.search_page = facets.search_page(index)
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
    script = (PACKAGE_DIR / "assets" / "action-items.js").read_text(encoding="utf-8")
    files.append(File.generated(config, ACTIONS_SCRIPT, content=script))


def _start_feeds(build: _Build, generated: Generated) -> Callable[[], None]:
    """Start the action items' calendar in a worker; the function returned adds it,
    then the Atom and RSS feeds (when site_url is set)."""
    files, config = build.files, build.config
    site_url = config.site_url or ""
    root = site_url if site_url.endswith("/") or not site_url else site_url + "/"
    by_path = {str(report.path): uri for uri, report in build.reports.items()}

    def url_of(report: Report) -> str:
        target = files.get_file_from_path(by_path[str(report.path)])
        return root + target.url if target is not None and root else ""

    today = build.settings.today()
    events = calendar.due_items(build.kb, url_of)
    # Waited for within this stage: a worker only when the build's workers are at work.
    pool = build.workers if build.workers.pay_for(len(build.kb.reports)) else Workers(1)
    rendering = pool.submit(
        calendar.render_calendar, events, today, f"{config.site_name}: action items"
    )

    def add() -> None:
        base = build.settings.pages_dir.strip("/")
        build.add(f"{base}/{calendar.ICS_FILE}", rendering.result())
        generated.feed_links = _add_feeds(build, root, url_of)

    return add


def _add_feeds(build: _Build, root: str, url_of: Callable[[Report], str]) -> list[dict[str, str]]:
    config = build.config
    base = build.settings.pages_dir.strip("/")
    today = build.settings.today()
    if not root:
        log.info("no site_url in mkdocs.yml: the Atom and RSS feeds need it; none written")
        return []
    site = feeds.FeedSite(
        base_url=root,
        title=config.site_name,
        description=config.site_description or "Newly published postmortems",
        author=config.site_author or config.site_name,
    )
    links = []
    for name, render, kind in (
        (feeds.ATOM_FILE, feeds.atom_feed, "application/atom+xml"),
        (feeds.RSS_FILE, feeds.rss_feed, "application/rss+xml"),
    ):
        uri = f"{base}/{name}"
        build.add(uri, render(build.kb, site, url_of, root + uri, today))
        label = "Atom" if name == feeds.ATOM_FILE else "RSS"
        links.append({"href": root + uri, "type": kind, "title": f"{config.site_name} ({label})"})
    return links


def _start_search(build: _Build, generated: Generated) -> Callable[[], None]:
    """Start the incident search: its catalog here, its lunr index in a worker.

    The function returned adds the search page, catalog, index and scripts.
    """
    files, config = build.files, build.config
    page_uri, catalog_uri, index_uri = search_uris(build.settings)
    catalog_file = File.generated(config, catalog_uri, content="")
    by_path = {report.path: uri for uri, report in build.reports.items()}

    def url_of(report: Report) -> str:
        target = files.get_file_from_path(by_path[report.path])
        return target.url_relative_to(catalog_file) if target is not None else ""

    settings = build.settings
    entries = build.kept.entries if build.kept is not None else None
    document = catalog.build_catalog(
        build.kb.reports, url_of, settings.today(), settings.default_template, entries
    )
    catalog_file.content_string = catalog.to_json(document)
    indexing = build.workers.submit(catalog.index_json_of, catalog.index_inputs(build.kb.reports))

    def add() -> None:
        files.append(File.generated(config, page_uri, content=generated.search_page))
        files.append(catalog_file)
        if indexing.done():
            files.append(File.generated(config, index_uri, content=indexing.result()))
        else:  # still being built in a worker: written once MkDocs has rendered the pages
            files.append(File.generated(config, index_uri, content=""))
            generated.pending[index_uri] = indexing
        files.append(File.generated(config, LUNR_SCRIPT, abs_src_path=str(lunr_js_path())))
        script = (PACKAGE_DIR / "assets" / "incident-search.js").read_text(encoding="utf-8")
        files.append(File.generated(config, SEARCH_SCRIPT, content=script))

    return add
