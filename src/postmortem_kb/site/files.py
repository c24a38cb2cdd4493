"""Which of docs_dir's files a build keeps: the publish gate's, and the public edition's.

MkDocs found the files by walking docs_dir; :func:`apply_gate` removes those the
publish gate refused (:mod:`postmortem_kb.core.gate`), and in the public edition
:func:`withheld_uris` names the unpublished reports and every file only they use,
which the plugin removes before MkDocs reads them. Deny by default, both times.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from typing import TypeVar

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Link, Section

from postmortem_kb.core import edition
from postmortem_kb.core.gate import DocsWalk, docs_exclusion
from postmortem_kb.core.kb import KnowledgeBase, gate
from postmortem_kb.core.report import Report
from postmortem_kb.core.settings import Settings

Item = TypeVar("Item")

log = get_plugin_logger(__name__)


def apply_gate(files: Files, config: MkDocsConfig, settings: Settings) -> DocsWalk:
    """Remove from the build every file of docs_dir the publish gate did not accept.

    The gate walks docs_dir as MkDocs does without following what leads out, and
    refuses special files, second names, garbled names and reports under names MkDocs
    publishes otherwise. A file MkDocs found and the gate never saw (below a refused
    folder) is removed too.
    """
    default = docs_exclusion()
    spec = config.exclude_docs

    def excluded(rel: str) -> bool:
        return default(rel) or (spec is not None and spec.match_file(rel))

    walk = gate(Path(config.docs_dir), settings, settings.folder, excluded)
    accepted = walk.accepted()
    for file in list(files):
        if from_docs(file, config) and file.src_uri not in accepted:
            files.remove(file)
    return walk


def withheld_uris(
    files: Files,
    config: MkDocsConfig,
    every_report: dict[str, Report],
    published: dict[str, Report],
    public_files: list[str],
) -> set[str]:
    """Docs paths the public edition leaves out: the unpublished reports (in
    ``every_report`` but not in ``published``) and the files only they use.

    A file stays only when a published page or the site's configuration refers to it,
    or ``public_files`` names it.
    """
    pages: dict[str, tuple[str, bool]] = {}
    for file in files.documentation_pages():
        if file.src_uri in published:
            pages[file.src_uri] = (published[file.src_uri].body, True)
        elif file.src_uri in every_report:
            pages[file.src_uri] = (every_report[file.src_uri].text, False)
        else:
            pages[file.src_uri] = (read_text(file), True)
    others = [
        file.src_uri
        for file in files
        if not file.is_documentation_page() and from_docs(file, config)
    ]
    wanted = configured_assets(config)
    # A published stylesheet's fonts and images are wanted too.
    for uri in [*wanted]:
        sheet = files.get_file_from_path(uri)
        if uri.endswith(".css") and sheet is not None and from_docs(sheet, config):
            wanted.update(edition.stylesheet_targets(read_text(sheet), uri))
    withheld = {uri for uri in every_report if uri not in published}
    return withheld | edition.withheld_files(pages, others, wanted, public_files)


def withhold(
    files: Files,
    config: MkDocsConfig,
    every_report: dict[str, Report],
    published: dict[str, Report],
    settings: Settings,
) -> set[str]:
    """Remove the unpublished reports, and the files only they use, from the build (then
    they are in no page, navigation, search index or sitemap); their docs paths."""
    withheld = withheld_uris(files, config, every_report, published, settings.public_files)
    remove(files, withheld)
    log.info(
        f"public edition: {len(published)} of {len(every_report)} postmortems published; "
        f"{len(withheld)} file(s) left out"
    )
    return withheld


def remove(files: Files, uris: set[str]) -> None:
    for uri in sorted(uris):
        file = files.get_file_from_path(uri)
        if file is not None:
            files.remove(file)


def from_docs(file: File, config: MkDocsConfig) -> bool:
    """A file MkDocs found in docs_dir (not a theme's file, nor a generated one)."""
    if file.generated_by is not None or file.src_dir is None:
        return False
    return os.path.abspath(file.src_dir) == os.path.abspath(config.docs_dir)


def configured_assets(config: MkDocsConfig) -> set[str]:
    """Docs paths the configuration names: extra stylesheets and scripts, logo, favicon."""
    named = [str(path) for path in (*config.extra_css, *config.extra_javascript)]
    for key in ("logo", "favicon"):
        value = config.theme.get(key)
        if isinstance(value, str):
            named.append(value)
    return {PurePosixPath(name.lstrip("/")).as_posix() for name in named if ":" not in name}


def read_text(file: File) -> str:
    try:
        return file.content_string
    except (OSError, UnicodeDecodeError):
        return ""


def prune(items: list[Item], withheld: set[str]) -> list[Item]:
    """Navigation items without links to ``withheld`` docs paths, nor emptied sections."""
    kept = []
    for item in items:
        if isinstance(item, Link) and _nav_target(item.url) in withheld:
            continue
        if isinstance(item, Section):
            item.children = prune(item.children, withheld)
            if not item.children:
                continue
        kept.append(item)
    return kept


def _nav_target(url: str) -> str:
    return PurePosixPath(url.split("#", 1)[0].lstrip("/")).as_posix()


def reports_by_uri(selected: dict[str, tuple[Path, str]], kb: KnowledgeBase) -> dict[str, Report]:
    """The reports of ``kb`` by docs path, from the files selected as reports."""
    uri_of = {str(path): uri for uri, (path, _) in selected.items()}
    return {uri_of[str(report.path)]: report for report in kb.reports}
