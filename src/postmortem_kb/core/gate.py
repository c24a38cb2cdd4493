"""The publish gate: which files under the docs folder may reach the site at all.

MkDocs copies every file it finds under ``docs_dir`` into the site, following symbolic
links, and renders every file with a Markdown suffix it knows as a page. A pull request
can therefore publish far more than reports: a link to ``/proc/self/environ`` or to
``/etc``, a FIFO that makes the build wait forever, an internal report saved as ``x.MD``
(copied raw, frontmatter and all) or as ``x.mkd`` (rendered, but never read as a report).

:func:`walk_docs` walks the folder as MkDocs does and sorts every file into accepted or
refused, each refusal a finding with a rule code. The site build removes every file it
did not accept (deny by default: a file it never saw is not accepted either), and
``pmkb check`` walks the same way, so both report the same refusals. The walk never
opens a file: it reads names and file types only, so a special file cannot stall it.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pathspec

from postmortem_kb.core.body import parse_tokens
from postmortem_kb.core.limits import check_markdown
from postmortem_kb.core.model import Frontmatter
from postmortem_kb.core.rules import Finding
from postmortem_kb.core.source import read_source

MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkdn", ".mkd")
"""The suffixes MkDocs renders as pages (``mkdocs.utils.markdown_extensions``), matched
as MkDocs matches them: exactly, so ``x.MD`` is a static file to it."""

INDEX_STEMS = frozenset({"index", "README"})
"""Names (without suffix) MkDocs makes a folder's index page of: never reports."""

MKDOCS_DEFAULT_EXCLUDE = (".*", "/templates/")
"""What MkDocs leaves out of every site before ``exclude_docs`` (its ``_default_exclude``)."""

Excluded = Callable[[str], bool]
"""Whether MkDocs leaves a docs path out of the site (``exclude_docs``); folders end in '/'."""


def docs_exclusion(exclude_docs: str | None = None) -> Excluded:
    """The ``exclude_docs`` of ``mkdocs.yml`` as MkDocs applies it (gitignore patterns,
    after its own defaults), for ``pmkb``, which reads ``mkdocs.yml`` without MkDocs."""
    lines = [*MKDOCS_DEFAULT_EXCLUDE, *(exclude_docs or "").splitlines()]
    return pathspec.gitignore.GitIgnoreSpec.from_lines(lines).match_file


def is_markdown(rel: str) -> bool:
    return rel.endswith(MARKDOWN_SUFFIXES)


def is_hidden(rel: str) -> bool:
    return any(part.startswith(".") for part in rel.split("/"))


def is_index_page(rel: str) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return is_markdown(name) and name.rsplit(".", 1)[0] in INDEX_STEMS


@dataclass(frozen=True, slots=True)
class Refusal:
    """A file or folder that must not reach the site, and why."""

    rel: str
    """Its docs path ('/' separators); a refused folder refuses everything below it."""
    path: Path
    """The path as walked (never resolved: it may lead outside)."""
    finding: Finding
    folder: bool = False


@dataclass(slots=True)
class DocsWalk:
    """Every file under a docs folder, accepted or refused, in MkDocs' walking order."""

    root: Path
    files: list[tuple[Path, str]] = field(default_factory=list)
    """Accepted files as (path as walked, docs path)."""
    refusals: list[Refusal] = field(default_factory=list)
    plain: list[Refusal] = field(default_factory=list)
    """Pages published as plain text: Markdown the renderer could not survive."""

    def accepted(self) -> set[str]:
        return {rel for _, rel in self.files}

    def below(self, rel: str) -> Iterator[tuple[Path, str]]:
        """Accepted files at or below the docs path ``rel`` ('' or '.' for all)."""
        if rel in ("", "."):
            yield from self.files
            return
        prefix = rel.rstrip("/") + "/"
        for path, file_rel in self.files:
            if file_rel == rel or file_rel.startswith(prefix):
                yield path, file_rel

    def refused_below(self, rel: str) -> list[Refusal]:
        """Refusals, and pages shown as plain text, at or below the docs path ``rel``."""
        every = [*self.refusals, *self.plain]
        if rel in ("", "."):
            return every
        prefix = rel.rstrip("/") + "/"
        return [r for r in every if r.rel == rel or r.rel.startswith(prefix)]

    def inspect_pages(self, is_report: Callable[[str], bool]) -> None:
        """Read the Markdown pages that are not reports, and judge what they hold.

        A page holding a postmortem's frontmatter (an ``index.md`` or a draft in an
        excluded folder) would be published without the checks and in every edition:
        it is refused (PM034), as is one whose frontmatter YAML is unsafe to build
        from (PM041, PM042). Markdown the renderer could not survive (PM039, PM040)
        is published as plain text. Only accepted files are read, never a special one.
        """
        kept: list[tuple[Path, str]] = []
        for path, rel in self.files:
            if not is_markdown(rel) or is_report(rel):
                kept.append((path, rel))
                continue
            refused, plain = judge_page(path)
            for finding in refused:
                self.refusals.append(Refusal(rel, path, finding))
            for finding in plain:
                self.plain.append(Refusal(rel, path, finding))
            if not refused:
                kept.append((path, rel))
        self.files = kept


PAGE_META_KEYS = frozenset({"title", "date", "status", "authors", "template", "tags"})
"""Report fields that ordinary pages use too (MkDocs, Material, its blog and tags)."""


def judge_page(path: Path) -> tuple[list[Finding], list[Finding]]:
    """(findings refusing the page, findings of Markdown it must show as plain text)."""
    source = read_source(path)
    refused = [f for f in source.findings if f.code in ("PM030", "PM040", "PM041", "PM042")]
    if refused:
        return refused, []
    report_keys = sorted(set(Frontmatter.model_fields) - PAGE_META_KEYS)
    held = [key for key in report_keys if key in (source.data or {})]
    if held:
        line = min(source.key_lines.get((key,), 1) for key in held)
        names = ", ".join(held[:4]) + (", ..." if len(held) > 4 else "")
        return [
            Finding(
                "PM034",
                line,
                f"the page is not read as a postmortem, yet its frontmatter holds {names}",
            )
        ], []
    tokens = parse_tokens(source.body)
    return [], check_markdown(source.body, tokens, source.body_offset)


def printable(text: str) -> str:
    """``text`` with control characters and undecodable bytes escaped, so a file name
    holding a newline cannot split or forge a line of ``pmkb check`` output."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else _escape(c) for c in text)


def _escape(char: str) -> str:
    if 0xDC80 <= ord(char) <= 0xDCFF:  # a byte that is not UTF-8 (surrogateescape)
        return f"\\x{ord(char) - 0xDC00:02x}"
    return char.encode("unicode_escape").decode("ascii")


def _bad_name(name: str) -> str | None:
    """Why MkDocs and the site cannot carry this name safely, if they cannot."""
    if name.isprintable():
        return None
    if any(0xDC80 <= ord(c) <= 0xDCFF for c in name):
        return "holds bytes that are not UTF-8"
    return "holds a control character (a newline, a tab, an escape...)"


def _special_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "neither a file nor a folder"


def _inside(real: str, root: str) -> bool:
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def walk_docs(
    root: Path,
    *,
    reports: str = ".",
    report_excluded: Callable[[str], bool] | None = None,
    excluded: Excluded | None = None,
) -> DocsWalk:
    """Walk ``root`` as MkDocs walks ``docs_dir`` and sort every file out.

    ``reports`` is the reports folder (relative to ``root``); Markdown files there that
    MkDocs leaves out because they are hidden, and that ``report_excluded`` (the
    ``exclude`` option) does not name, are reported (PM035) rather than lost without a
    word. ``excluded`` says what ``exclude_docs`` leaves out (MkDocs' defaults by
    default): those files are never published, so they are not judged.
    """
    is_excluded = excluded or docs_exclusion()
    walk = DocsWalk(root=root)
    real_root = os.path.realpath(root)
    prefix = "" if reports in ("", ".") else PurePosixPath(reports).as_posix().strip("/") + "/"

    def refuse(rel: str, path: str, code: str, message: str, folder: bool = False) -> None:
        if not is_excluded(rel + "/" if folder else rel):
            walk.refusals.append(Refusal(rel, Path(path), Finding(code, 1, message), folder))

    # (docs path, path as walked): an explicit stack, in os.walk's order. Only real
    # folders are walked: a link to a folder is refused, inside or out (PM006, PM031).
    stack: list[tuple[str, str]] = [("", os.fspath(root))]
    while stack:
        rel_dir, dir_path = stack.pop()
        try:
            with os.scandir(dir_path) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as exc:
            message = f"the folder cannot be listed: {exc.strerror}"
            refuse(rel_dir or ".", dir_path, "PM036", message, folder=True)
            continue
        folders: list[tuple[str, str]] = []
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            found = _judge(entry, rel, real_root)
            if isinstance(found, tuple):
                code, message, folder = found
                refuse(rel, entry.path, code, message, folder)
                continue
            if found == "folder":
                folders.append((rel, entry.path))
                continue
            if is_excluded(rel):
                if is_hidden(rel) and is_markdown(rel) and rel.startswith(prefix):
                    inner = rel[len(prefix) :]
                    if report_excluded is None or not report_excluded(inner):
                        walk.refusals.append(
                            Refusal(
                                rel,
                                Path(entry.path),
                                Finding(
                                    "PM035",
                                    1,
                                    "the name starts with '.', so MkDocs never publishes the "
                                    "file and it is not checked as a postmortem",
                                ),
                            )
                        )
                continue
            if not os.access(entry.path, os.R_OK):
                refuse(rel, entry.path, "PM036", "the file cannot be read (permission denied)")
                continue
            walk.files.append((Path(entry.path), rel))
        stack.extend(reversed(folders))
    return walk


def _judge(entry: os.DirEntry[str], rel: str, real_root: str) -> tuple[str, str, bool] | str:
    """``"file"`` or ``"folder"`` for an entry that may be walked or published, else
    (rule code, message, whether it is a folder). Nothing is opened."""
    bad = _bad_name(entry.name)
    try:
        link = entry.is_symlink()
        is_dir = entry.is_dir(follow_symlinks=False)
    except OSError as exc:
        return "PM036", f"cannot be examined: {exc.strerror}", False
    if bad is not None:
        return "PM032", f"the name {bad}; MkDocs would publish it under a garbled name", is_dir
    if link:
        return _judge_link(entry, rel, real_root)
    if is_dir:
        return "folder"
    try:
        if entry.is_file(follow_symlinks=False):
            return _judge_name(rel) or "file"
        mode = entry.stat(follow_symlinks=False).st_mode
    except OSError as exc:
        return "PM036", f"cannot be examined: {exc.strerror}", False
    return "PM030", f"the file is {_special_kind(mode)}; it is never opened or published", False


def _judge_link(entry: os.DirEntry[str], rel: str, real_root: str) -> tuple[str, str, bool] | str:
    try:
        mode = os.stat(entry.path).st_mode  # follows the link
    except OSError as exc:
        return "PM006", f"the symbolic link leads nowhere ({exc.strerror})", False
    real = os.path.realpath(entry.path)
    folder = stat.S_ISDIR(mode)
    if not _inside(real, real_root):
        what = "folder" if folder else "file"
        return (
            "PM006",
            f"the symbolic link leads to a {what} outside the docs folder; nothing there "
            "is read or published",
            folder,
        )
    if folder:
        return (
            "PM031",
            "the symbolic link leads to a folder inside the docs folder (a loop, or a second "
            "name for it), so its files would be published twice",
            True,
        )
    if not stat.S_ISREG(mode):
        return "PM030", f"the link leads to {_special_kind(mode)}; it is never opened", False
    if is_markdown(real) or is_markdown(real.lower()):
        return (
            "PM031",
            "the symbolic link gives a Markdown file a second name, under which it would be "
            "published apart from its checks",
            False,
        )
    return _judge_name(rel) or "file"


def _judge_name(rel: str) -> tuple[str, str, bool] | None:
    """A Markdown suffix in the wrong case: MkDocs copies such a file as it is."""
    name = rel.rsplit("/", 1)[-1]
    lowered = name.lower()
    if not is_markdown(name) and lowered.endswith(MARKDOWN_SUFFIXES):
        suffix = next(s for s in MARKDOWN_SUFFIXES if lowered.endswith(s))
        return (
            "PM033",
            f"MkDocs renders only '{suffix}' in lower case: it would copy this file raw, "
            "frontmatter and all, instead of rendering it",
            False,
        )
    return None
