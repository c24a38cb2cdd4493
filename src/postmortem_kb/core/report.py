"""A postmortem as the knowledge base sees it: metadata, sections, tables, findings.

A report is produced for every file, broken or not, so nothing is ever dropped:
what could not be read is reported as a finding and shown on the page, and the
rest of the report is still used.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import Enum
from pathlib import Path
from typing import Any

from postmortem_kb.core.body import Heading, Section, normalise_heading
from postmortem_kb.core.model import ActionItem, Frontmatter, Metadata, Status, TimelineEntry
from postmortem_kb.core.rules import Finding, Problem
from postmortem_kb.core.source import Source

SUMMARY_SECTIONS = ("Executive Summary", "Incident Summary", "Summary", "What Almost Happened")
"""Sections whose text the incident catalog shows, in order of preference per template."""
SUMMARY_KEYS = frozenset(name.casefold() for name in SUMMARY_SECTIONS)
_SUMMARY_ORDER = tuple(normalise_heading(name) for name in SUMMARY_SECTIONS)


def summary_key(present: Iterable[str]) -> str | None:
    """The heading key of the section that stands for a report's summary: the first of
    :data:`SUMMARY_SECTIONS` among ``present`` (the one place this choice is made)."""
    keys = set(present)
    return next((key for key in _SUMMARY_ORDER if key in keys), None)


CROSS_CHECKED_KEYS = frozenset({"id", "related", "not_related"})
"""Frontmatter keys whose lines the checks across reports name (PM020 to PM026)."""


@dataclass(slots=True)
class Wording:
    """What similarity needs of a report's text, small enough to travel between processes
    (made by :func:`postmortem_kb.core.wording.wording_of`)."""

    counts: dict[str, int] = field(default_factory=dict)
    """How often each term occurs in the report's text."""
    length: int = 0
    """Terms counted, for length normalisation."""
    written: dict[str, str] = field(default_factory=dict)
    """How each term is most often written in the report, for reasons in words."""
    phrases: frozenset[tuple[str, str]] = frozenset()
    """Pairs of adjacent terms in the title, root cause and summary."""


@dataclass(frozen=True, slots=True)
class Disclosure:
    """What the public edition would show of a report: all that rule PM023 reads
    (made by :func:`postmortem_kb.core.redact.disclosure_of`).

    Taken while the report's text is at hand, so a lean report (read in a worker
    process, its text dropped) can still be checked against every other report.
    """

    texts: tuple[str, ...]
    """Every text the public edition shows (``redact.published_strings``)."""
    links: frozenset[str]
    """Docs paths the published body links to or embeds (``redact.link_targets``)."""


class Keep(Enum):
    """How much of a report stays once it is checked (see :meth:`Report.make_lean`)."""

    ALL = "all"
    """Everything read, the text included."""
    PAGES = "pages"
    """What the site's pages, indexes and feeds use; a page reads its text again."""
    PROBLEMS = "problems"
    """What the checks across reports use: enough for ``pmkb check``."""


@dataclass(slots=True, eq=False)
class Report:
    path: Path
    rel: str
    """Path relative to the reports folder, with '/' separators."""
    source: Source
    meta: Metadata = field(default_factory=Metadata)
    """The frontmatter's values: a :class:`Frontmatter` when all are valid, else the
    valid ones (see :func:`postmortem_kb.core.checks.validate.valid_part`)."""
    invalid: frozenset[str] = frozenset()
    """Dotted names of the fields whose written values are invalid: unknown, not empty."""
    extra: dict[str, Any] = field(default_factory=dict)
    """The values of the fields the knowledge base declares (``extra_fields``)."""
    sections: list[Section] = field(default_factory=list)
    headings: list[Heading] | None = None
    """The body's level-1 and level-2 headings while its text is kept: the public
    edition cuts the body at them (PM023 reads it), without parsing it again."""
    timeline: list[TimelineEntry] = field(default_factory=list)
    action_items: list[ActionItem] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    disclosure: Disclosure | None = None
    """What the public edition would show of it, kept when its text is dropped (PM023)."""
    wording: Wording | None = None
    """What similar incidents and the search read of its text, kept when the text is dropped."""

    @property
    def valid(self) -> bool:
        """Whether every frontmatter value is valid (the public edition needs it)."""
        return isinstance(self.meta, Frontmatter) and not self.invalid

    @property
    def id(self) -> str | None:
        return self.meta.id

    @property
    def title(self) -> str:
        return self.meta.title or Path(self.rel).stem

    @property
    def incident_date(self) -> date | None:
        return self.meta.date

    @property
    def status(self) -> Status | None:
        return self.meta.status

    @property
    def duration(self) -> timedelta | None:
        return self.meta.impact.duration if self.meta.impact is not None else None

    def unknown(self, name: str) -> bool:
        """Whether field ``name`` (dotted, e.g. ``impact.started``) had an invalid value."""
        return name in self.invalid

    @property
    def text(self) -> str:
        """The file's text (read again if :meth:`make_lean` dropped it)."""
        return self.source.full_text()[0]

    @property
    def body(self) -> str:
        """The text after the frontmatter (read again if :meth:`make_lean` dropped it)."""
        return self.source.full_text()[1]

    def make_lean(self, keep: Keep) -> None:
        """Forget what only reading and checking needed, before the report travels
        between processes or waits in memory among thousands.

        Unless ``keep`` is :attr:`Keep.ALL`, the scalars as written go, the raw data once
        the model holds it, and the text (:attr:`text` and :attr:`body` read it again).
        :attr:`Keep.PAGES` keeps the metadata, timeline, action items, key lines and
        findings, and of the sections the summaries the catalog shows.
        :attr:`Keep.PROBLEMS` keeps the metadata, the findings and the lines of the
        keys that the checks across reports name; :attr:`Keep.PAGES` also keeps the
        :attr:`wording`.
        """
        if keep is Keep.ALL:
            return
        self.source.scalars = {}
        self.source.data = None
        self.source.drop_text()
        self.headings = None  # the text read again is parsed again
        if keep is Keep.PAGES:
            self.sections = [s for s in self.sections if s.key in SUMMARY_KEYS]
            return
        self.sections, self.timeline, self.action_items = [], [], []
        self.wording = None
        lines = self.source.key_lines
        self.source.key_lines = {loc: lines[loc] for loc in lines if loc[0] in CROSS_CHECKED_KEYS}

    def section(self, name: str) -> Section | None:
        wanted = normalise_heading(name)
        return next((s for s in self.sections if s.key == wanted), None)

    def summary(self) -> Section | None:
        """The summary section the catalog, the feeds and the exports show (see
        :func:`summary_key`): the first of them that has text."""
        with_text = [key for key in _SUMMARY_ORDER if (s := self.section(key)) and s.text]
        key = summary_key(with_text)
        return self.section(key) if key is not None else None


def report_signature(report: Report, problems: Iterable[Problem]) -> str:
    """What the generated pages, catalog and feeds take from one report, as text.

    Two builds whose reports have equal signatures produce the same generated files,
    so ``mkdocs serve`` can reuse them after an edit elsewhere in a report's body.
    Line numbers are left out: an edit above a table moves lines, not content.
    """
    meta = (report.meta.model_dump_json(), sorted(report.invalid), repr(report.extra))
    summaries = [(s.title, s.text) for s in report.sections if s.key in SUMMARY_KEYS]
    items = [
        (i.id, i.action, i.owner, i.due, i.priority, i.status, i.issue, i.notes, i.completed)
        for i in report.action_items
    ]
    found = sorted((p.code, str(p.level)) for p in problems)
    wording = report.wording
    words = sorted(wording.counts.items()) if wording is not None else None
    return repr((report.rel, report.title, meta, summaries, items, found, words))
