"""What the public edition may show of a report, and what a public report gives away.

Redaction is applied once, to the report objects themselves (:func:`public_copy`),
before any page, index, chart, feed or export is made from them. No output can then
show a withheld section or field by reading it from another attribute: the copy does
not hold it. :func:`check_mentions` is the authors' safety net (rule PM023): text is
authored, so a public report that names an internal one in prose would publish that
id whatever the build filters.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import unquote

from postmortem_kb.core.body import (
    Heading,
    headings_of,
    normalise_heading,
    parse_sections,
    parse_tokens,
)
from postmortem_kb.core.escape import markdown_text
from postmortem_kb.core.report import Disclosure, Report, summary_key
from postmortem_kb.core.rules import Finding
from postmortem_kb.core.settings import Settings
from postmortem_kb.core.source import Source
from postmortem_kb.core.wording import wording_of

PUBLIC_SUMMARY_SECTION = "Summary"
"""The heading given to ``public_summary`` in a report that has no summary section."""

# Each pattern starts with a literal, which the regex engine finds fast: link
# extraction runs over every public report in every build (rule PM023).
_INLINE_LINK = re.compile(r"\]\(\s*(?:<([^>\n]*)>|([^\s)]+))")  # [text](target "title")
_REFERENCE = re.compile(r"^[ ]{0,3}\[[^\]\n]+\]:[ \t]*<?([^\s>]+)", re.MULTILINE)
_ATTRIBUTE = re.compile(r"""=\s*["']([^"'\n]*)["']""")  # src="...", after the name check
_ATTRIBUTE_NAME = re.compile(r"(?:^|[\s<])(?:src|href|poster|data)\s*$", re.IGNORECASE)
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_ANCHORS = re.compile(r"^(?:\^|\\A)|(?:\$|\\Z|\\z)$")


UNFAITHFUL_READ = frozenset(
    {"PM001", "PM004", "PM005", "PM006", "PM007", "PM030", "PM041", "PM042"}
)
"""Findings that mean the file may not say what its author wrote: bytes that are not
UTF-8, YAML that could not be read, a key written twice (YAML kept one value of two)."""


def is_public(report: Report) -> bool:
    """Published in the public edition: only a valid frontmatter that says ``public``,
    read exactly as written.

    A report whose frontmatter does not validate stays out, whatever it says, and so
    does one read with an :data:`UNFAITHFUL_READ` problem (``visibility: internal`` then
    ``visibility: public``: YAML keeps the second): deny by default, so neither a typo
    nor an ambiguity can publish an internal report. Rule levels do not matter here.
    """
    return (
        report.valid
        and meant_public(report)
        and not any(finding.code in UNFAITHFUL_READ for finding in report.findings)
    )


def meant_public(report: Report) -> bool:
    """Whether the frontmatter asks for the public edition, valid or not: rule PM023
    checks what such a report would publish in the same run as the invalid value, so
    that fixing the value reveals no new problem."""
    return report.meta.visibility == "public"


# --- the public copy -------------------------------------------------------------------


def public_copy(
    report: Report, settings: Settings, published_ids: frozenset[str] | None = None
) -> Report:
    """A new report holding only what the public edition may show of ``report``.

    Withheld sections are cut from the body (so neither the page, Material's search
    index nor the catalog can show them), withheld fields are emptied in the metadata,
    ``public_summary`` replaces the summary section's text, ``related`` keeps only the
    ``published_ids`` (when given), and the file's raw text and findings (which quote
    it) are not carried over.
    """
    public, changed = _published_text(report, settings, published_ids)
    # Parsed once, for the page's sections when the body changed and for the wording:
    # a lean report's own sections hold its summaries only.
    sections = parse_sections(public.body, 0)
    if changed:
        public.sections = sections
    # What similar incidents and the search read: the published text and fields only
    # (the report's own wording holds what is withheld).
    public.wording = wording_of(replace(public, sections=sections))
    return public


def _published_text(
    report: Report, settings: Settings, published_ids: frozenset[str] | None
) -> tuple[Report, bool]:
    """The public copy's body, metadata and tables, without its sections parsed or its
    wording (all that rule PM023 reads of each public report, in every ``pmkb check``),
    and whether its body differs from the report's."""
    meta = report.meta
    drop = {normalise_heading(name) for name in settings.public_redact_sections}
    original = report.body  # read again from the file when the report is lean
    # A frontmatter value is text, never markup: it goes into the body escaped.
    summary = markdown_text(meta.public_summary) if meta.public_summary is not None else None
    body = _published_body(original, drop, summary, report.headings)
    fields = set(settings.public_redact_fields)
    update: dict[str, Any] = {
        name: None if name in ("root_cause", "impact") else []
        for name in fields
        if "." not in name and name not in settings.extra_fields
    }
    impact_fields = {name.split(".", 1)[1] for name in fields if name.startswith("impact.")}
    if impact_fields and meta.impact is not None and "impact" not in fields:
        update["impact"] = meta.impact.model_copy(update=dict.fromkeys(impact_fields))
    if published_ids is not None and "related" not in update:
        update["related"] = [i for i in meta.related if i in published_ids]
    new_meta = meta.model_copy(update=update)
    source = Source(
        path=report.source.path,
        text=body,
        data=new_meta.model_dump(mode="json", exclude_none=True),
        body=body,
        key_lines=dict(report.source.key_lines),
    )
    public = Report(
        path=report.path,
        rel=report.rel,
        source=source,
        meta=new_meta,
        invalid=report.invalid,
        extra={name: value for name, value in report.extra.items() if name not in fields},
        sections=list(report.sections),
        timeline=[] if "timeline" in drop else list(report.timeline),
        action_items=[] if "action items" in drop else list(report.action_items),
    )
    return public, body != original


def _published_body(
    body: str, drop: set[str], public_summary: str | None, headings: list[Heading] | None
) -> str:
    """``body`` without the ``drop`` sections, with ``public_summary`` as its summary.

    The sections are cut at ``body``'s own headings, not at the report's sections (a
    lean report keeps only its summaries): ``headings`` when the report still holds
    them (it was just read), else found by parsing ``body`` again.
    """
    if not drop and public_summary is None:
        return body
    if headings is None:
        headings = headings_of(parse_tokens(body))
    present = {heading.key for heading in headings if heading.level == 2}
    summary = summary_key(present)
    if not (drop & present) and public_summary is None:
        return body
    lines = body.split("\n")
    kept: list[str] = lines[: headings[0].start] if headings else list(lines)
    replaced = False
    for position, heading in enumerate(headings):
        end = headings[position + 1].start if position + 1 < len(headings) else len(lines)
        if heading.level == 2 and public_summary is not None and heading.key == summary:
            if not replaced:
                kept += [*lines[heading.start : heading.end], "", public_summary, ""]
                replaced = True
            continue  # a repeated summary section (PM104) must not keep the original text
        if heading.level == 2 and heading.key in drop:
            continue
        kept += lines[heading.start : end]
    if public_summary is not None and not replaced:
        kept = [f"## {PUBLIC_SUMMARY_SECTION}", "", public_summary, "", *kept]
    return "\n".join(kept)


# --- what a public report gives away ---------------------------------------------------


def published_strings(report: Report) -> Iterator[str]:
    """Every text a published report shows: its body and its metadata's values.

    ``related`` is left out on purpose: the public edition drops links to reports it
    does not publish, so an internal id there is never shown.
    """
    yield report.body
    yield from _strings(report.meta.model_dump(mode="json", exclude={"id", "related"}))
    yield from _strings(list(report.extra.values()))


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def link_targets(markdown: str, page_uri: str) -> Iterator[str]:
    """Docs paths that ``markdown`` (the page at ``page_uri``) links to or embeds.

    A close reading of Markdown and HTML link syntax, for deciding which files a page
    needs; external URLs and in-page anchors are skipped.
    """
    folder = posixpath.dirname(page_uri)
    for target in _raw_targets(markdown):
        target = target.split("#", 1)[0].split("?", 1)[0].strip()
        if not target or target.startswith("/") or _SCHEME.match(target):
            continue
        path = posixpath.normpath(posixpath.join(folder, unquote(target)))
        if not path.startswith("../") and path != "..":
            yield path


def _raw_targets(markdown: str) -> Iterator[str]:
    for match in _INLINE_LINK.finditer(markdown):
        yield match.group(1) if match.group(1) is not None else match.group(2)
    if "]:" in markdown:
        for match in _REFERENCE.finditer(markdown):
            yield match.group(1)
    for match in _ATTRIBUTE.finditer(markdown):
        if _ATTRIBUTE_NAME.search(markdown, max(0, match.start() - 12), match.start()):
            yield match.group(1)


class IdFinder:
    """Finds whole-word occurrences of known ids in text, fast enough for every build.

    Candidates come from the knowledge base's ``id_pattern`` (its anchors removed),
    which the regex engine scans for in C; ids that pattern does not describe are
    searched for one by one.
    """

    def __init__(self, ids: Iterable[str], id_pattern: str) -> None:
        self.ids = frozenset(ids)
        try:
            pattern: re.Pattern[str] | None = re.compile(_ANCHORS.sub("", id_pattern))
        except re.error:
            pattern = None
        self.pattern = pattern
        described = {i for i in self.ids if pattern is not None and pattern.fullmatch(i)}
        self.others = sorted(self.ids - described)

    def find(self, text: str) -> set[str]:
        found: set[str] = set()
        if self.pattern is not None:
            for match in self.pattern.finditer(text):
                if match.group(0) in self.ids and _whole(text, match.start(), match.end()):
                    found.add(match.group(0))
        for candidate in self.others:
            start = text.find(candidate)
            while start != -1:
                if _whole(text, start, start + len(candidate)):
                    found.add(candidate)
                    break
                start = text.find(candidate, start + 1)
        return found


def _whole(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() or before == "_" or after.isalnum() or after == "_")


def disclosure_of(report: Report, settings: Settings) -> Disclosure:
    """What the public edition would show of ``report``, which asks to be public."""
    copy, _ = _published_text(report, settings, None)
    return Disclosure(
        texts=tuple(published_strings(copy)), links=frozenset(link_targets(copy.body, report.rel))
    )


def check_mentions(reports: list[Report], settings: Settings) -> dict[int, list[Finding]]:
    """PM023 for each public report that names an internal report or links to its file.

    Only the text the public edition would publish counts: redacted sections and fields
    and the ``related`` list do not. Keyed by the report's index in ``reports``.
    """
    public = [(index, r) for index, r in enumerate(reports) if meant_public(r)]
    public_ids = {r.id for _, r in public}
    internal = [r for r in reports if not meant_public(r) and r.id and r.id not in public_ids]
    if not public or not internal:
        return {}
    finder = IdFinder((r.id for r in internal if r.id), settings.id_pattern)
    by_rel = {posixpath.normpath(r.rel): r for r in internal}
    findings: dict[int, list[Finding]] = {}
    for index, report in public:
        shown = report.disclosure or disclosure_of(report, settings)
        named: set[str] = set()
        for text in shown.texts:
            named |= finder.find(text)
        linked = {by_rel[target] for target in shown.links if target in by_rel}
        found = [
            Finding("PM023", _line_of(report, other), f"names the internal report '{other}'")
            for other in sorted(named)
        ]
        found += [
            Finding(
                "PM023",
                _line_of(report, posixpath.basename(other.rel)),
                f"links to the internal report {other.id} ({other.rel})",
            )
            for other in sorted(linked, key=lambda r: r.rel)
        ]
        if found:
            findings[index] = found
    return findings


def _line_of(report: Report, text: str) -> int:
    """The first line holding ``text`` outside the ``related`` list."""
    source = report.source
    related = report.meta.related
    skip = {source.line_of(("related",))} | {
        source.line_of(("related", i)) for i in range(len(related))
    }
    for number, line in enumerate(report.text.split("\n"), start=1):
        if text in line and number not in skip:
            return number
    return 1
