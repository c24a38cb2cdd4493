"""The knowledge base: which files are postmortems, and every problem across them.

Both the MkDocs plugin and ``pmkb check`` go through :func:`load`, so the site and
the command line always agree on which files are reports and what is wrong.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from functools import lru_cache
from pathlib import Path
from time import perf_counter
from typing import Generic, TypeVar

from postmortem_kb.core.checks.validate import check_links
from postmortem_kb.core.gate import (
    DocsWalk,
    Excluded,
    Refusal,
    docs_exclusion,
    is_hidden,
    is_index_page,
    is_markdown,
    printable,
    walk_docs,
)
from postmortem_kb.core.paths import in_folder
from postmortem_kb.core.reading import read_metadata, read_report
from postmortem_kb.core.redact import check_mentions, disclosure_of, meant_public
from postmortem_kb.core.report import Keep, Report
from postmortem_kb.core.rules import RULES, Finding, Level, Problem
from postmortem_kb.core.settings import Settings
from postmortem_kb.core.wording import wording_of
from postmortem_kb.core.workers import Workers

T = TypeVar("T")


def is_report(rel: str, settings: Settings) -> bool:
    """The documented rule: every page MkDocs renders under the folder, except the excluded.

    ``rel`` is the path relative to the reports folder with '/' separators. A file is a
    page when its suffix is one MkDocs renders (``.md``, ``.markdown``, ``.mdown``,
    ``.mkdn``, ``.mkd``, in lower case as MkDocs matches them). Index pages (``index``
    and ``README``), hidden files (which MkDocs never publishes) and files matching an
    ``exclude`` glob are not reports, nor are the templates in ``template_dir``.
    """
    if not is_markdown(rel) or is_index_page(rel) or is_hidden(rel):
        return False
    if settings.is_template(rel):
        return False
    return not is_excluded_report(rel, settings)


def is_excluded_report(rel: str, settings: Settings) -> bool:
    """Whether the ``exclude`` option names ``rel`` (relative to the reports folder)."""
    return any(fnmatchcase(rel, pattern) for pattern in settings.exclude)


def find_reports(folder: Path, settings: Settings) -> list[tuple[Path, str]]:
    """Report files below ``folder`` as (path, relative path), in a stable order.

    Only files the publish gate accepts (:func:`~postmortem_kb.core.gate.walk_docs`, with
    ``folder`` as the docs folder): nothing behind a link out of it, no special file.
    """
    return reports_of(walk_reports(folder, settings), ".", settings)


def walk_reports(
    root: Path, settings: Settings, reports: str = ".", excluded: Excluded | None = None
) -> DocsWalk:
    """The publish gate's walk of ``root`` with the reports folder ``reports`` in it.

    The report templates (``template_dir``) are left out as ``exclude_docs`` leaves files
    out: they are not pages (their placeholders would be published), and they hold a
    report's fields without being reports.
    """
    leave_out = excluded or docs_exclusion()

    def excluded_or_template(rel: str) -> bool:
        inner = in_folder(rel.rstrip("/"), reports)
        return leave_out(rel) or (inner is not None and settings.is_template(inner))

    return walk_docs(
        root,
        reports=reports,
        report_excluded=lambda rel: is_excluded_report(rel, settings),
        excluded=excluded_or_template,
    )


def gate(
    root: Path,
    settings: Settings,
    reports: str = ".",
    excluded: Callable[[str], bool] | None = None,
) -> DocsWalk:
    """The publish gate on ``root``: the walk, then the pages that are not reports read
    and judged (:meth:`~postmortem_kb.core.gate.DocsWalk.inspect_pages`)."""
    walk = walk_reports(root, settings, reports, excluded)

    def report(rel: str) -> bool:
        inner = in_folder(rel, reports)
        return inner is not None and is_report(inner, settings)

    walk.inspect_pages(report)
    return walk


def reports_of(walk: DocsWalk, reports: str, settings: Settings) -> list[tuple[Path, str]]:
    """The accepted files of ``walk`` that are reports, with paths relative to ``reports``."""
    found = []
    for path, rel in walk.files:
        inner = in_folder(rel, reports)
        if inner is not None and is_report(inner, settings):
            found.append((path, inner))
    return found


class ReportCache:
    """The last report read from each file, reused while the file and settings are unchanged.

    A file is "unchanged" when its size and modification time are; ``mkdocs serve``
    rebuilds after one edit then read one file, not all of them.
    """

    def __init__(self) -> None:
        self._reports: dict[tuple[str, str], tuple[tuple[int, int, str], Report]] = {}
        self.hits = 0

    @staticmethod
    def _signature(path: Path, settings_key: str) -> tuple[int, int, str] | None:
        try:
            stat = path.stat()
        except OSError:
            return None
        return stat.st_size, stat.st_mtime_ns, settings_key

    def lookup(self, path: Path, rel: str, settings_key: str) -> Report | None:
        """The cached report of an unchanged file, else None (one stat call)."""
        cached = self._reports.get((str(path), rel))
        if cached is None or cached[0] != self._signature(path, settings_key):
            return None
        self.hits += 1
        return cached[1]

    def put(self, path: Path, rel: str, settings_key: str, report: Report) -> None:
        signature = self._signature(path, settings_key)
        if signature is not None:
            self._reports[(str(path), rel)] = (signature, report)


class PerReport(Generic[T]):
    """What was made from each report in the last build, by the report's path, with the
    report object and the other inputs it was made from.

    While serving, a file left unchanged gives the same report object again
    (:class:`ReportCache`), and reports are not changed once read: what was made from
    that object with the same inputs is reused, and made again for any other.
    """

    def __init__(self) -> None:
        self._made: dict[str, tuple[Report, object, T]] = {}

    def get(self, report: Report, inputs: object, make: Callable[[], T]) -> T:
        known = self._made.get(report.rel)
        if known is not None and known[0] is report and known[1] == inputs:
            return known[2]
        value = make()
        self._made[report.rel] = (report, inputs, value)
        return value

    def keep_only(self, reports: Iterable[Report]) -> None:
        """Forget the reports of files no longer in the build."""
        wanted = {report.rel for report in reports}
        for gone in self._made.keys() - wanted:
            del self._made[gone]


def _read_chunk(
    chunk: list[tuple[Path, str]], settings: Settings, keep: Keep, whole: bool = True
) -> tuple[list[Report], dict[str, float]]:
    timings: dict[str, float] = {}
    read = read_report if whole else read_metadata
    with collector_paused():
        reports = [read(path, rel, settings, timings) for path, rel in chunk]
        if whole and keep is not Keep.PROBLEMS:  # what similar incidents and the search read
            for report in reports:
                report.wording = wording_of(report)
    if keep is not Keep.ALL:
        for report in reports:
            if meant_public(report):  # PM023 reads what it would publish, text and all
                report.disclosure = disclosure_of(report, settings)
            report.make_lean(keep)
    return reports, timings


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while reports pile up.

    Reading makes hundreds of objects per report and keeps most of them; each
    collection walks everything kept so far, which cost a fifth of the reading time.
    Reports hold no reference cycles, and the collector runs again afterwards.
    A ``pmkb`` command stays paused throughout: it keeps what it reads until it exits,
    and the first collection after reading would walk all of it. The MkDocs plugin
    pauses it for its part of a build: in ``mkdocs serve`` every collection walks the
    whole serving process.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _read_all(
    files: list[tuple[Path, str]],
    settings: Settings,
    timings: dict[str, float] | None,
    keep: Keep,
    workers: Workers,
    whole: bool = True,
) -> list[Report]:
    """Read files in order, on every core when there are many (reading is CPU-bound).

    Only lean reports travel back from worker processes: pickling every report's
    text costs about as much as reading it. Unless ``whole``, only the frontmatter is
    read (:func:`read_metadata`).
    """
    if keep is Keep.ALL or not workers.pay_for(len(files)):
        reports, spent = _read_chunk(files, settings, keep, whole)
        _add_timings(timings, spent)
        return reports
    started = perf_counter()
    reports = []
    spent = {}
    with collector_paused():  # here too: this process unpickles the workers' reports
        for chunk_reports, chunk_timings in workers.map(
            _read_chunk, workers.chunks(files, per_worker=32), settings, keep, whole
        ):
            reports.extend(chunk_reports)
            _add_timings(spent, chunk_timings)
    # The stages share the wall time in proportion to the work the workers reported,
    # so stage timings still add up to the time the build waited.
    wall = perf_counter() - started
    work = sum(spent.values()) or 1.0
    _add_timings(timings, {stage: wall * seconds / work for stage, seconds in spent.items()})
    return reports


def _add_timings(total: dict[str, float] | None, more: dict[str, float]) -> None:
    if total is not None:
        for stage, seconds in more.items():
            total[stage] = total.get(stage, 0.0) + seconds


class RealPaths:
    """Real locations of files, each folder resolved once.

    Resolving a path costs a system call per part, and thousands of reports share
    a few folders: a file that is not a link is its real folder plus its name.
    """

    def __init__(self) -> None:
        self._folders: dict[Path, Path] = {}

    def __call__(self, path: Path) -> Path:
        if os.path.islink(path):
            return path.resolve()
        folder = self._folders.get(path.parent)
        if folder is None:
            folder = self._folders[path.parent] = path.parent.resolve()
        return folder / path.name


@dataclass(slots=True)
class KnowledgeBase:
    settings: Settings
    display_root: Path | None = None
    """Problems name files relative to this folder (the project's or the caller's)."""
    reports: list[Report] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    _by_path: dict[str, list[Problem]] = field(default_factory=dict)
    _shown: dict[Path, str] = field(default_factory=dict)
    """Display paths by file, each worked out once."""
    _real_paths: RealPaths = field(default_factory=RealPaths)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level is Level.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level is Level.WARNING]

    def problems_of(self, report: Report) -> list[Problem]:
        return self._by_path.get(self.display(report), [])

    def display(self, report: Report) -> str:
        shown = self._shown.get(report.path)
        if shown is None:
            shown = self._shown[report.path] = display_path(
                report.path, self.display_root, self._real_paths
            )
        return shown

    def _add(self, shown: str, findings: Iterable[Finding]) -> None:
        """The findings of the file shown as ``shown``, as problems at their rules' levels."""
        for finding in findings:
            problem = problem_of(shown, finding, self.settings)
            if problem is not None:
                self.problems.append(problem)

    def set_problems(self, problems: Iterable[Problem]) -> None:
        """Hold ``problems``, sorted, and index them by file for :meth:`problems_of`."""
        self.problems = sorted(problems)
        self._by_path = {}
        for problem in self.problems:
            self._by_path.setdefault(problem.path, []).append(problem)

    def by_id(self) -> dict[str, Report]:
        """Reports by id; with duplicate ids, the first in path order wins."""
        index: dict[str, Report] = {}
        for report in self.reports:
            if report.id is not None:
                index.setdefault(report.id, report)
        return index


def problem_of(shown: str, finding: Finding, settings: Settings) -> Problem | None:
    """``finding`` of the file shown as ``shown``, at its rule's level (None when off)."""
    level = settings.level_of(finding.code)
    if level is Level.OFF:
        return None
    rule = RULES[finding.code]
    return Problem(
        path=shown,
        line=finding.line,
        code=rule.code,
        name=rule.name,
        level=level,
        message=finding.message,
        hint=finding.hint or rule.hint,
    )


def display_path(path: Path, root: Path | None, real_paths: RealPaths | None = None) -> str:
    """``path`` relative to ``root`` when it lies below it, else as given.

    The path as walked comes first: a link's real location may be anywhere on the
    machine, and messages must name the file where the project has it.
    """
    if root is not None:
        walked = Path(os.path.abspath(path))
        for base in (Path(os.path.abspath(root)), _resolved(root)):
            if walked.is_relative_to(base):
                return printable(walked.relative_to(base).as_posix())
        real = real_paths(path) if real_paths is not None else path.resolve()
        try:
            return printable(real.relative_to(_resolved(root)).as_posix())
        except ValueError:
            pass
    return printable(path.as_posix())


@lru_cache(maxsize=16)
def _resolved(root: Path) -> Path:
    """The real location of a display root: asked once per report, it rarely changes."""
    return root.resolve()


def load(
    files: Iterable[tuple[Path, str]],
    settings: Settings,
    display_root: Path | None = None,
    *,
    timings: dict[str, float] | None = None,
    cache: ReportCache | None = None,
    keep: Keep = Keep.ALL,
    workers: Workers | None = None,
    context: Iterable[tuple[Path, str]] = (),
    refused: Iterable[Refusal] = (),
) -> KnowledgeBase:
    """Read and check every file, then the links between them; never raises on content.

    ``refused`` are the publish gate's refusals (:mod:`~postmortem_kb.core.gate`): files that
    are not read at all, each one a problem of its own.

    ``context`` files are read only for the checks across reports: their frontmatter,
    not their body (:func:`~postmortem_kb.core.report.read_metadata`). They follow ``files``
    in :attr:`KnowledgeBase.reports`, and their own problems are not all found.

    ``cache`` keeps reports across calls (``mkdocs serve`` rebuilds), so a file whose
    size and modification time are unchanged is not read again. Unless ``keep`` is
    :attr:`Keep.ALL`, reports are lean (:meth:`Report.make_lean`) and read by
    ``workers`` (by default, on every core when there are many); their text is read
    again when asked for.
    """
    kb = KnowledgeBase(settings=settings, display_root=display_root)
    files = list(files)
    settings_key = settings.model_dump_json()  # once, not once per file
    known: dict[tuple[Path, str], Report] = {}
    if cache is not None:
        for path, rel in files:
            if (hit := cache.lookup(path, rel, settings_key)) is not None:
                known[(path, rel)] = hit
    fresh = [f for f in files if f not in known]
    around = list(context)
    pool_size = len(fresh) + len(around)
    with Workers.for_size(pool_size) if workers is None else nullcontext(workers) as pool:
        fresh_reports = _read_all(fresh, settings, timings, keep, pool)
        around_reports = _read_all(around, settings, timings, keep, pool, whole=False)
    known.update(zip(fresh, fresh_reports, strict=True))
    if cache is not None:
        for (path, rel), report in zip(fresh, fresh_reports, strict=True):
            cache.put(path, rel, settings_key, report)
    kb.reports = [known[f] for f in files] + around_reports
    started = perf_counter()
    links = check_links(kb.reports)
    for index, found in check_mentions(kb.reports, settings).items():  # PM023
        links.setdefault(index, []).extend(found)
    if timings is not None:
        timings["validate"] = timings.get("validate", 0.0) + perf_counter() - started
    for index, report in enumerate(kb.reports):
        kb._add(kb.display(report), [*report.findings, *links.get(index, [])])
    for refusal in refused:
        kb._add(display_path(refusal.path, display_root), [refusal.finding])
    kb.set_problems(kb.problems)
    return kb
