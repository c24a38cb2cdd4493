"""What a reader sees of a report: display strings shared by pages and templates.

Values stay raw here; every writer escapes them for its own context (Jinja with
``|e``, Markdown and HTML through :mod:`postmortem_kb.core.escape`).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from functools import cache
from typing import Any
from urllib.parse import quote

from markdown_it import MarkdownIt

from postmortem_kb.analysis.relate import Links
from postmortem_kb.core.report import Report
from postmortem_kb.core.rules import Level, Problem
from postmortem_kb.core.settings import ExtraField
from postmortem_kb.core.units import format_duration


def src_uri(report: Report, folder: str) -> str:
    """The report's path inside the MkDocs docs_dir."""
    return posixpath.normpath(posixpath.join(folder, report.rel))


def link_from(page_uri: str, target_uri: str) -> str:
    """A Markdown link target from one docs page to another, which MkDocs resolves.

    Up to the docs root, then down to the target: no path arithmetic per link, which
    matters when generated pages hold hundreds of thousands of links.
    """
    return quote("../" * page_uri.count("/") + target_uri)


_INLINE_MARKUP = re.compile(r"[`*_\[\]<>&\\~]")
"""Characters that may make inline Markdown (or need escaping): text without them is
written as it is, which keeps tables of thousands of plain items cheap."""


@cache
def _inline_parser() -> MarkdownIt:
    # No raw HTML (it is escaped as text) and markdown-it's own link check, which
    # refuses javascript:, vbscript:, file: and data: targets.
    return MarkdownIt("commonmark", {"html": False})


def inline_html(text: str) -> str:
    """A table cell's inline Markdown (code, emphasis, links) as safe HTML, on one line:
    the action of an item reads on the site as it does in its report."""
    line = " ".join(text.split())
    if not _INLINE_MARKUP.search(line):
        return line.replace('"', "&quot;")
    return _inline_parser().renderInline(line).strip()


SHOWN_FIELDS = {
    "severity": {"severity"},
    "status": {"status"},
    "date": {"date"},
    "duration": {"impact", "impact.started", "impact.resolved"},
    "authors": {"authors"},
    "services": {"services"},
    "tags": {"tags"},
    "near_miss": {"near_miss"},
}
"""The header's facts, each with the fields whose invalid value makes it unknown."""


def extra_facts(report: Report, declared: Mapping[str, ExtraField]) -> list[dict[str, Any]]:
    """The declared fields a report has, in the declared order, as the header shows them:
    a label, the value as text (None when it is invalid) and, for a URL, its link."""
    facts = []
    for name, spec in declared.items():
        if name in report.extra:
            value = report.extra[name]
            facts.append(
                {
                    "label": label_of(name),
                    "text": display_value(value),
                    "href": value if spec.type == "url" else "",
                }
            )
        elif report.unknown(name):
            facts.append({"label": label_of(name), "text": None, "href": ""})
    return facts


def label_of(name: str) -> str:
    """``incident_commander`` as a reader sees it: Incident commander."""
    return name.replace("_", " ").replace("-", " ").strip().capitalize()


def display_value(value: object) -> str:
    """A declared field's value as text: lists joined, dates in ISO form, yes or no."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def header_context(
    report: Report, problems: list[Problem], declared: Mapping[str, ExtraField] | None = None
) -> dict[str, Any]:
    """The data the postmortem header template renders (raw values; it escapes them)."""
    meta = report.meta
    return {
        "id": report.id or "",
        "severity": str(meta.severity or ""),
        "status": str(meta.status or ""),
        "date": report.incident_date.isoformat() if report.incident_date else "",
        "duration": format_duration(report.duration),
        "authors": list(meta.authors),
        "tags": list(meta.tags),
        "services": list(meta.services),
        "near_miss": bool(meta.near_miss),
        "template": meta.template or "",
        "unknown": sorted(name for name, fields in SHOWN_FIELDS.items() if fields & report.invalid),
        "extra": extra_facts(report, declared or {}),
        "problems": [_problem(p) for p in problems if p.level is not Level.INFO],
        "notes": [_problem(p) for p in problems if p.level is Level.INFO],
    }


def _problem(problem: Problem) -> dict[str, Any]:
    return {
        "line": problem.line,
        "code": problem.code,
        "name": problem.name,
        "level": str(problem.level),
        "message": problem.message,
        "hint": problem.hint,
    }


def related_context(
    links: Links, reports: dict[str, Report], url_of: Callable[[Report], str]
) -> dict[str, list[dict[str, Any]]]:
    """Related incidents for the template: raw values, each with the URL of its page."""

    def entry(report_id: str) -> dict[str, Any]:
        other = reports[report_id]
        meta = other.meta
        return {
            "id": report_id,
            "title": other.title,
            "url": url_of(other),
            "severity": str(meta.severity or ""),
            "near_miss": bool(meta.near_miss),
        }

    return {
        "names": [entry(i) for i in links.names if i in reports],
        "named_by": [entry(i) for i in links.named_by if i in reports],
        "similar": [
            {**entry(m.id), "score": m.score, "reasons": list(m.reasons)}
            for m in links.similar
            if m.id in reports
        ],
    }


def severity_class(severity: str) -> str:
    """A CSS class that is safe whatever the frontmatter said."""
    return f"pmkb-{severity.lower()}" if re.fullmatch(r"SEV[0-4]", severity) else "pmkb-unknown"
