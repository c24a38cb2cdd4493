"""``pmkb render``: the knowledge base as a plain docs folder that any engine builds.

The engines under the plugin are moving (Material for MkDocs reaches end of life in May
2027; Zensical and MkDocs 2 run no third-party plugin). This writes what the plugin
adds to a build as ordinary files: every report as Markdown with its facts header and
related incidents already in it (HTML that Markdown passes through), every generated
page with its tables, the incident search's page, catalog, index and scripts, the
feeds, the calendar and the exports, and a minimal ``mkdocs.yml`` without the plugin.

Nothing here renders a page by its own means: the generated pages are
:func:`postmortem_kb.pages.generate`'s, the header and related blocks the plugin's own
templates, the catalog, index, feeds and calendar the same functions' output. Only the
URLs are worked out here, as MkDocs makes them with ``use_directory_urls`` (the
default of MkDocs, ProperDocs and Zensical), which the ``mkdocs.yml`` written sets.
"""

from __future__ import annotations

import html
import posixpath
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

import yaml
from jinja2 import Environment, FileSystemLoader

from postmortem_kb.analysis.relate import Links, link
from postmortem_kb.core.config import Project, read_yaml
from postmortem_kb.core.edition import published, withheld_files
from postmortem_kb.core.gate import docs_exclusion
from postmortem_kb.core.kb import KnowledgeBase, gate, load, reports_of
from postmortem_kb.core.paths import in_folder
from postmortem_kb.core.report import Keep, Report
from postmortem_kb.core.rules import FAILING, PLAIN_TEXT_RULES, Problem
from postmortem_kb.core.settings import Settings
from postmortem_kb.site.build import (
    LUNR_SCRIPT,
    PACKAGE_DIR,
    SEARCH_SCRIPT,
    STYLESHEET,
    lunr_js_path,
    search_uris,
    subscribe_line,
    with_subscribe_line,
)
from postmortem_kb.site.calendar import ICS_FILE, due_items, render_calendar
from postmortem_kb.site.catalog import build_catalog, build_index_json, index_documents, to_json
from postmortem_kb.site.feeds import ATOM_FILE, RSS_FILE, FeedSite, atom_feed, rss_feed
from postmortem_kb.site.pages import dashboard, fill_fragments, generate
from postmortem_kb.site.pages.facets import search_page, with_controls
from postmortem_kb.site.pages.writer import PageWriter
from postmortem_kb.site.render import (
    header_context,
    link_ids_markdown,
    related_context,
    severity_class,
    src_uri,
)
from postmortem_kb.site.renderer import HEADER_TEMPLATE, RELATED_TEMPLATE, SEARCH_TEMPLATE

KEPT_OPTIONS = (
    "site_name",
    "site_description",
    "site_author",
    "copyright",
    "repo_url",
    "edit_uri",
    "markdown_extensions",
    "extra",
)
"""Options of the project's mkdocs.yml that the rendered one keeps as they are."""


class RenderError(Exception):
    pass


class ChecksFailed(Exception):
    """The knowledge base has problems that fail ``pmkb check`` (``--strict``: warnings
    too): an engine without the plugin would publish them unchecked, so nothing is
    written."""

    def __init__(self, problems: list[Problem], checked: int) -> None:
        failing = len(problems)
        super().__init__(f"{failing} problem(s) listed above fail the checks")
        self.problems = problems
        self.checked = checked


def site_url_of(project: Project) -> str | None:
    """The project's ``site_url`` (``!ENV`` read as MkDocs reads it), if it has one."""
    value = _config(project).get("site_url")
    return str(value) if value else None


@dataclass
class Rendered:
    """What :func:`render` wrote, for the command's summary and the tests."""

    out: Path
    pages: dict[str, str] = field(default_factory=dict)
    """Markdown pages written, by docs path: reports, generated pages, the search page."""
    files: list[str] = field(default_factory=list)
    """Every other file written (data, assets, copies of the project's own files)."""
    reports: int = 0
    kb: KnowledgeBase | None = None
    """The edition's knowledge base, as rendered (``pmkb render`` writes its exports)."""


def page_url(uri: str) -> str:
    """The URL of a docs page relative to the site root, as MkDocs makes it with
    directory URLs (``2024/outage.md`` -> ``2024/outage/``, ``a/index.md`` -> ``a/``)."""
    stem = posixpath.splitext(uri)[0]
    folder, name = posixpath.split(stem)
    url = (folder + "/" if folder else "") if name in ("index", "README") else stem + "/"
    return quote(url)


def relative_url(to: str, start: str) -> str:
    """``to`` (a URL from the site root) as seen from the page at URL ``start``."""
    here = start if start.endswith("/") or not start else posixpath.dirname(start) + "/"
    rel = posixpath.relpath("/" + to, "/" + here)
    return rel + "/" if to.endswith("/") and not rel.endswith("/") and rel != "." else rel


ENGINES = ("mkdocs", "zensical")
"""How the engine reads a relative address in a page's HTML. MkDocs (and ProperDocs)
leave it as written: it is relative to the page's URL (``a/b/`` for ``a/b.md``).
Zensical reads it as relative to the Markdown file's folder (``a/``) and rewrites it
for the URL, as MkDocs does for Markdown links only."""


def render(
    project: Project,
    settings: Settings,
    out: Path,
    site_url: str | None,
    *,
    strict: bool = False,
    engine: str = "mkdocs",
) -> Rendered:
    """Write the edition that ``settings`` names of ``project``'s knowledge base to
    ``out``: ``out/mkdocs.yml`` and ``out/docs/``, for ``engine`` (:data:`ENGINES`).
    ``out`` must be empty or absent.

    Every report is checked first, as ``pmkb check`` checks it (``strict``: as with
    ``--strict``); when one fails, :class:`ChecksFailed` is raised and nothing written.
    """
    if engine not in ENGINES:
        raise RenderError(f"unknown engine '{engine}' (known: {', '.join(ENGINES)})")
    html_links = _from_source if engine == "zensical" else _from_url
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise RenderError(f"{out} is not an empty folder; give a new or empty one")
    docs = out / "docs"
    result = Rendered(out)
    walk = gate(project.docs_dir, settings, settings.folder, docs_exclusion(project.exclude_docs))
    folder = PurePosixPath(settings.folder)
    selected = {
        (folder / inner).as_posix().removeprefix("./"): (path, inner)
        for path, inner in reports_of(walk, settings.folder, settings)
    }
    refused = [*walk.refusals, *walk.plain]
    kb_all = load(selected.values(), settings, keep=Keep.PAGES, refused=refused)
    failing = [p for p in kb_all.problems if p.level in FAILING[strict]]
    if failing:
        raise ChecksFailed(failing, len(selected))
    kb = result.kb = published(kb_all)
    docs.mkdir(parents=True)
    by_path = {str(path): uri for uri, (path, _) in selected.items()}
    reports = {by_path[str(r.path)]: r for r in kb.reports}
    withheld = set(selected) - set(reports)
    today = settings.today()
    base = settings.pages_dir.strip("/")

    def write(uri: str, content: str | bytes) -> None:
        target = docs / uri
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            target.write_text(content, encoding="utf-8", newline="\n")
            if uri.endswith(".md"):
                result.pages[uri] = content
                return
        else:
            target.write_bytes(content)
        result.files.append(uri)

    config = _config(project)
    # The project's own files (pages, images, stylesheets), as the site publishes them:
    # in the public edition, only those a published page or the configuration uses.
    own = [(path, rel) for path, rel in walk.files if rel not in selected]
    own = [(p, rel) for p, rel in own if not _is_template(rel, settings)]
    texts = {rel: path.read_text(encoding="utf-8", errors="replace") for path, rel in own
             if rel.endswith(".md")}  # fmt: skip
    if kb is not kb_all:
        pages = {rel: (text, True) for rel, text in texts.items()}
        pages |= {uri: (r.body, True) for uri, r in reports.items()}
        pages |= {uri: ("", False) for uri in withheld}
        wanted = {*_strings(config.get("extra_css")), *_strings(config.get("extra_javascript"))}
        left_out = withheld_files(
            pages, [rel for _, rel in own if rel not in texts], wanted, settings.public_files
        )
        own = [(p, rel) for p, rel in own if rel not in left_out]
    plain = {refusal.rel for refusal in walk.plain}
    for path, rel in own:
        if rel in plain:
            write(rel, _plain_page(texts[rel], PurePosixPath(rel).stem))
        elif rel in texts:
            write(rel, texts[rel])
        else:
            (docs / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, docs / rel)
            result.files.append(rel)

    feeds = bool(site_url)
    index = generate(kb, today, page_url, settings.pages_dir)
    for rel, text in texts.items():  # a page that asks for the dashboard gets it
        if rel not in plain and dashboard.MARKER in text and (docs / rel).exists():
            filled = dashboard.fill(index, text, rel, search_uris(settings)[0])
            fragments = [html_links(fragment, rel) for fragment in index.fragments.get(rel, [])]
            write(rel, fill_fragments(filled, fragments))
    for uri, content in index.pages.items():
        if (docs / uri).exists():
            raise RenderError(f"'{uri}' exists in docs_dir, and a page is generated there")
        fragments = [html_links(fragment, uri) for fragment in index.fragments.get(uri, [])]
        markdown = fill_fragments(content, fragments)
        line = subscribe_line(uri, settings, feeds)
        markdown = markdown if line is None else with_subscribe_line(markdown, line)
        write(uri, _with_title(markdown, index.titles[uri]))

    env = _environment(project)
    links = link(kb.reports, settings.related_limit, settings.related_threshold)
    by_id = kb.by_id()
    for uri, report in reports.items():
        page = _report_page(report, uri, kb, links, by_id, env, index)
        write(uri, html_links(page, uri))
    result.reports = len(reports)

    # The incident search: its page with the controls, catalog, index and scripts.
    search_uri, catalog_uri, index_uri = search_uris(settings)

    def catalog_link(report: Report) -> str:
        return relative_url(page_url(src_uri(report, settings.folder)), catalog_uri)

    entries = build_catalog(kb.reports, catalog_link, today, settings.default_template)
    write(catalog_uri, to_json(entries))
    write(index_uri, build_index_json(index_documents(kb.reports)))
    here = page_url(search_uri)
    controls = env.get_template(SEARCH_TEMPLATE).render(
        catalog_url=relative_url(catalog_uri, here),
        index_url=relative_url(index_uri, here),
        lunr_url=relative_url(LUNR_SCRIPT, here),
        archive_url=relative_url(page_url(f"{base}/archive.md"), here),
    )
    search = _with_title(search_page(index), "Search incidents")
    # Not rebased: its one link is in <noscript>, which Zensical leaves as written.
    write(search_uri, with_controls(search, _one_block(controls)))
    write(LUNR_SCRIPT, lunr_js_path().read_bytes())
    write(SEARCH_SCRIPT, (PACKAGE_DIR / "assets" / "incident-search.js").read_bytes())
    write(STYLESHEET, (PACKAGE_DIR / "assets" / "pmkb.css").read_bytes())

    # The calendar and the feeds (pmkb render adds the exports).
    root = (site_url or "").rstrip("/") + "/" if site_url else ""

    def absolute(report: Report) -> str:
        return root + page_url(src_uri(report, settings.folder)) if root else ""

    name = str(config.get("site_name") or "Postmortems")
    calendar = render_calendar(due_items(kb, absolute), today, f"{name}: action items")
    write(f"{base}/{ICS_FILE}", calendar)
    if root:
        site = FeedSite(
            base_url=root,
            title=name,
            description=str(config.get("site_description") or "Newly published postmortems"),
            author=str(config.get("site_author") or name),
        )
        for feed_name, feed in ((ATOM_FILE, atom_feed), (RSS_FILE, rss_feed)):
            uri = f"{base}/{feed_name}"
            write(uri, feed(kb, site, absolute, root + uri, today))
    (out / "mkdocs.yml").write_text(
        _mkdocs_yml(project, _default_nav(texts, index.nav), site_url),
        encoding="utf-8",
        newline="\n",
    )
    return result


_HREF = re.compile(r'(<a\s[^>]*?href=")([^"#:/][^":]*)(")')
"""A relative address in a link of HTML we wrote (none has a scheme or starts at /)."""


def _from_url(markup: str, uri: str) -> str:
    return markup  # written relative to the page's URL already


def _from_source(markup: str, uri: str) -> str:
    """The links of ``markup`` (relative to page ``uri``'s URL) made relative to its
    Markdown file's folder instead, for an engine that reads them so."""
    here = page_url(uri)
    folder = posixpath.dirname(uri)

    def rebase(match: re.Match[str]) -> str:
        href = html.unescape(match.group(2))
        target, hash_, anchor = href.partition("#")
        site_path = posixpath.normpath(posixpath.join("/" + here, target))
        rel = posixpath.relpath(site_path, "/" + folder)
        if target.endswith("/") and not rel.endswith("/"):
            rel += "/"
        new = rel + hash_ + anchor
        return match.group(1) + html.escape(new) + match.group(3)

    return _HREF.sub(rebase, markup)


def _is_template(rel: str, settings: Settings) -> bool:
    """Whether the docs path ``rel`` is a report template (never a page of the site)."""
    return settings.is_template(in_folder(rel, settings.folder) or rel)


def _environment(project: Project) -> Environment:
    """The plugin's templates, under the project's ``custom_dir`` when it has one (a
    copy of a partial there replaces ours, as in the plugin build)."""
    dirs = [str(PACKAGE_DIR / "templates")]
    theme = _config(project).get("theme")
    custom = theme.get("custom_dir") if isinstance(theme, dict) else None
    if isinstance(custom, str) and project.config_file is not None:
        dirs.insert(0, str(project.config_file.parent / custom))
    return Environment(loader=FileSystemLoader(dirs), autoescape=False)


def _report_page(
    report: Report,
    uri: str,
    kb: KnowledgeBase,
    links: dict[str, Links],
    by_id: dict[str, Report],
    env: Environment,
    writer: PageWriter,
) -> str:
    """A report as Markdown: its title, the facts header, the body, related incidents,
    linked as the plugin links them (tags, services and the cause to their pages, other
    incidents' ids in the text to their reports)."""
    settings = kb.settings
    here = page_url(uri)

    def url_of(other: Report) -> str:
        return relative_url(page_url(src_uri(other, settings.folder)), here)

    def group_url(folder: str, value: str) -> str:
        target = writer.group_uri(folder, value)
        return relative_url(page_url(target), here) if target else ""

    def id_url(report_id: str) -> str | None:  # a Markdown link: to the page's source
        other = by_id.get(report_id)
        target = src_uri(other, settings.folder) if other is not None else None
        return quote(posixpath.relpath(target, posixpath.dirname(uri) or ".")) if target else None

    context = header_context(report, kb.problems_of(report), settings.extra_fields, group_url)
    header = env.get_template(HEADER_TEMPLATE).render(
        postmortem=context, severity_class=severity_class(context["severity"])
    )
    body, mentioned = link_ids_markdown(report.body.strip("\n"), report.id or "", id_url)
    related = env.get_template(RELATED_TEMPLATE).render(
        related=related_context(links.get(report.id or "", Links()), by_id, url_of, mentioned)
    )
    title = f"<h1>{html.escape(report.title)}</h1>"
    if any(finding.code in PLAIN_TEXT_RULES for finding in report.findings):
        body = _plain(report.body)
    return _with_title(
        f"{title}\n\n{_one_block(header)}\n\n{body}\n\n{_one_block(related)}\n", report.title
    )


def _plain(markdown: str) -> str:
    """Markdown the renderer could not survive (PM039, PM040), shown as written."""
    return f'<pre class="pmkb-plain">{html.escape(markdown)}</pre>'


def _plain_page(markdown: str, title: str) -> str:
    return _with_title(_plain(markdown) + "\n", title)


def _one_block(markup: str) -> str:
    """HTML that Markdown passes through as one block: no blank line inside it."""
    return "\n".join(line for line in markup.strip().splitlines() if line.strip())


def _with_title(markdown: str, title: str) -> str:
    """The page with its title in frontmatter, escaped as the plugin gives it (themes
    print the title as it is), and no other key an engine would read."""
    front: dict[str, Any] = {"title": html.escape(title)}
    if markdown.startswith("---\n"):
        block, _, markdown = markdown[4:].partition("\n---\n")
        front.update(yaml.safe_load(block) or {})
        markdown = markdown.lstrip("\n")
    return (
        "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False) + "---\n\n" + markdown
    )


def _config(project: Project) -> dict[str, Any]:
    if project.config_file is None:
        return {}
    data = read_yaml(project.config_file.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


def _default_nav(own_pages: dict[str, str], generated: list[tuple[str, str]]) -> list[Any]:
    """For a project without a ``nav``: its own pages (the home page first), then the
    generated pages meant for the navigation, as the plugin's build lists them. The
    reports stay out of it, as the plugin keeps them (``nav_reports``)."""
    pages = sorted(own_pages, key=lambda rel: (rel != "index.md", rel.count("/"), rel))
    return [*pages, {"Incidents": [{title: uri} for title, uri in generated]}]


def _mkdocs_yml(project: Project, nav: list[Any], site_url: str | None) -> str:
    """The project's mkdocs.yml less the plugin: the same site name, theme, Markdown
    extensions and navigation, the search's scripts and stylesheet, ``strict`` off (the
    checks are ``pmkb check``'s)."""
    data = _config(project)
    config: dict[str, Any] = {k: data[k] for k in KEPT_OPTIONS if k in data}
    config.setdefault("site_name", "Postmortems")
    if site_url:
        config["site_url"] = site_url
    config["docs_dir"] = "docs"
    config["use_directory_urls"] = True
    theme = data.get("theme")
    if isinstance(theme, dict):
        # custom_dir is a path of the project's, not of this folder; the plugin's
        # partials are already in the pages.
        config["theme"] = {k: v for k, v in theme.items() if k != "custom_dir"}
    elif isinstance(theme, str):
        config["theme"] = {"name": theme}
    plugins = [p for p in _plugins(data.get("plugins")) if p[0] != "postmortems"]
    if plugins:
        config["plugins"] = [
            name if options is None else {name: options} for name, options in plugins
        ]
    config["extra_css"] = [*_strings(data.get("extra_css")), STYLESHEET]
    config["extra_javascript"] = [*_strings(data.get("extra_javascript")), SEARCH_SCRIPT]
    if isinstance(data.get("nav"), list):
        config["nav"] = data["nav"]
    else:
        config["nav"] = nav
    header = (
        "# Written by pmkb render: the knowledge base as plain pages, for any engine\n"
        "# (mkdocs build, properdocs build, zensical build). Generated: do not edit;\n"
        "# edit the reports and run pmkb render again.\n"
    )
    return header + yaml.safe_dump(config, allow_unicode=True, sort_keys=False)


def _plugins(value: object) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        yield from value.items()
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, str):
                yield item, None
            elif isinstance(item, dict) and len(item) == 1:
                yield from item.items()


def _strings(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []
