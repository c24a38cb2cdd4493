"""``mkdocs serve --dirty`` made right: after an edit, the pages that show what changed.

MkDocs' dirty rebuild renders a page only when its source file is newer than its output,
which is fast (one report of thousands) and right for the edited report, but wrong for
what the plugin adds to other pages: their related incidents, the index pages, the home
page's dashboard, the search index. Between rebuilds a :class:`Preview` keeps a
fingerprint of the plugin's part of every page, and before MkDocs renders:

- a report or dashboard page whose fingerprint changed has its output removed, so MkDocs
  renders it again;
- generated pages are written to files whose time changes only with their content (a
  generated page with its content in memory is rendered on every rebuild);
- the outputs of pages that are gone (a deleted or renamed report) are removed.

After the build the site search index, which a dirty build writes from the pages it
rendered alone, gets back the entries of every page it did not render.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from postmortem_kb.analysis.relate import Links
from postmortem_kb.core.kb import KnowledgeBase
from postmortem_kb.core.report import Report
from postmortem_kb.core.settings import Settings
from postmortem_kb.site import render
from postmortem_kb.site.build import Generated, search_uris
from postmortem_kb.site.pages import dashboard

SEARCH_INDEX = "search/search_index.json"
"""Where MkDocs' and Material's search plugins write their index."""


def fingerprints(
    kb: KnowledgeBase,
    reports: dict[str, Report],
    generated: Generated,
    hosts: Iterable[str],
    ids_in: Callable[[Report], list[str]],
) -> dict[str, str]:
    """A digest of what the plugin puts on each page, by docs path: a report's header
    (its problems, and which of its tags, services and cause have pages: the rest is
    the report's own, in its own file) and related incidents (with the titles,
    severities and pages of the others), and where each id in its text (``ids_in``)
    leads; each generated page with its tables; each dashboard."""
    settings = kb.settings
    folder = settings.folder
    by_id = kb.by_id()
    writer = generated.writer
    prints: dict[str, str] = {}

    def group_uri(facet: str, value: str) -> str:
        return (writer.group_uri(facet, value) if writer else None) or ""

    def uri_of(other: Report) -> str:
        return render.src_uri(other, folder)

    for uri, report in reports.items():
        meta = report.meta
        cause = meta.root_cause.category if meta.root_cause is not None else ""
        mentioned = [t for t in ids_in(report) if t in by_id and t != report.id]
        parts: tuple[Any, ...] = (
            kb.problems_of(report),
            [group_uri("tags", tag) for tag in meta.tags],
            [group_uri("services", service) for service in meta.services],
            group_uri("causes", cause) if cause else "",
            render.related_context(
                generated.links.get(report.id or "", Links()), by_id, uri_of, mentioned
            ),
            [uri_of(by_id[t]) for t in mentioned],
        )
        prints[uri] = _digest(repr(parts))
    for uri, content, _, _ in generated.files:
        if content is not None and uri.endswith(".md"):
            prints[uri] = _digest(repr((content, generated.fragments.get(uri))))
    if writer is not None:
        for uri in hosts:
            prints[uri] = dashboard_print(generated, uri, settings)
    return prints


def dashboard_print(generated: Generated, uri: str, settings: Settings) -> str:
    """The fingerprint of the dashboard on page ``uri``, with its tables."""
    assert generated.writer is not None
    writer = generated.writer
    filled = dashboard.fill(writer, dashboard.MARKER, uri, search_uris(settings)[0])
    return _digest(repr((filled, writer.fragments.get(uri))))


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


class Preview:
    """What one ``mkdocs serve --dirty`` session remembers between its rebuilds."""

    def __init__(self) -> None:
        self.prints: dict[str, str] = {}
        """The last build's fingerprints, by docs path."""
        self.outputs: dict[str, str] = {}
        """The output file of every page of the last build, by docs path."""
        self.hosts: set[str] = set()
        """Pages that asked for the dashboard (found as they are rendered)."""
        self.rendered: set[str] = set()
        """URLs of the pages this build rendered."""
        self.titles: dict[str, str] = {}
        """Each rendered page's title, by docs path, for the navigation of the next builds."""
        self.entries: dict[str, list[dict[str, Any]]] | None = None
        """The site search entries of each page's URL, as a full build writes them."""
        self.sources: Path | None = None
        """Where generated pages are written, so their files' times say when they changed."""
        self._ids: dict[str, tuple[Report, list[str]]] = {}
        """The words of each report's text that may be ids, while it is the same report
        (the serve cache keeps a report unchanged on disk): reading every body again
        took longer than the rest of the fingerprints."""

    def ids_in(self, report: Report) -> list[str]:
        known = self._ids.get(str(report.path))
        if known is None or known[0] is not report:
            known = (report, list(dict.fromkeys(render.ID_TOKEN.findall(report.body))))
            self._ids[str(report.path)] = known
        return known[1]

    def before_pages(
        self, files: Files, config: MkDocsConfig, generated: Generated, prints: dict[str, str]
    ) -> None:
        """Make MkDocs render exactly the pages whose plugin-made parts changed."""
        if self.sources is None:
            self.sources = Path(tempfile.mkdtemp(prefix="pmkb-preview-"))
        for uri, content, _, inclusion in generated.files:
            if content is None or not uri.endswith(".md"):
                continue
            source = self.sources / uri
            if prints.get(uri) != self.prints.get(uri) or not source.exists():
                source.parent.mkdir(parents=True, exist_ok=True)
                source.write_bytes(content)
            old = files.get_file_from_path(uri)
            if old is not None:
                files.remove(old)
            files.append(File.generated(config, uri, abs_src_path=str(source), inclusion=inclusion))
        for uri, digest in prints.items():
            file = files.get_file_from_path(uri)
            changed = self.prints.get(uri, digest) != digest
            if changed and file is not None and file.generated_by is None:
                _remove(file.abs_dest_path)
        pages = {f.src_uri: f.abs_dest_path for f in files.documentation_pages()}
        for uri, output in self.outputs.items():
            if uri not in pages:
                _remove(output)
        self.prints, self.outputs = prints, pages
        self.rendered = set()

    def page_rendered(self, page: Page) -> None:
        self.rendered.add(_location(page.url))
        if page.title is not None:
            self.titles[page.file.src_uri] = page.title

    def keep_titles(self, nav: Navigation) -> None:
        """A page MkDocs will not render again is not read, and has no title: the
        navigation of the pages it renders would show 'None' for it. It gets the title
        it had when it was last rendered."""
        for page in nav.pages:
            if page.title is None and not page.file.is_modified():
                title = self.titles.get(page.file.src_uri)
                if title is not None:
                    page.title = title

    def dashboard_rendered(self, uri: str, generated: Generated, settings: Settings) -> None:
        """Page ``uri`` asked for the dashboard: remember the one it shows now."""
        self.hosts.add(uri)
        self.prints[uri] = dashboard_print(generated, uri, settings)

    def after_build(self, config: MkDocsConfig, files: Files) -> None:
        """Give the search index back the entries of the pages this build did not render."""
        path = Path(config.site_dir) / SEARCH_INDEX
        if not path.is_file():
            return
        data = json.loads(path.read_text(encoding="utf-8"))
        written = _last_runs(data.get("docs", []))
        urls = [_location(f.url) for f in files.documentation_pages()]
        if self.entries is None:  # the first build renders every page
            self.entries = {url: written.get(url, []) for url in urls}
            return
        entries = {
            url: written.get(url, []) if url in self.rendered else self.entries.get(url, [])
            for url in urls
        }
        data["docs"] = [entry for url in urls for entry in entries[url]]
        path.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
        self.entries = entries

    def close(self) -> None:
        if self.sources is not None:
            shutil.rmtree(self.sources, ignore_errors=True)
            self.sources = None


def _last_runs(docs: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Each page's entries: the last unbroken run of them. A dirty build appends a
    rendered page's new entries after the old ones it keeps."""
    runs: dict[str, list[dict[str, Any]]] = {}
    previous = None
    for entry in docs:
        url = _location(str(entry.get("location", "")).split("#", 1)[0])
        if url != previous:
            runs[url] = []  # a new run replaces an earlier one
            previous = url
        runs[url].append(entry)
    return runs


def _location(url: str) -> str:
    """A page's URL as the search index writes it (the home page's is empty)."""
    return "" if url == "./" else url


def _remove(output: str) -> None:
    """Remove a page's output, and its folder when that leaves it empty."""
    try:
        os.remove(output)
    except FileNotFoundError:
        return
    folder = os.path.dirname(output)
    if not os.listdir(folder):
        os.rmdir(folder)
