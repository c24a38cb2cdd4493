"""What a reader sees of a report: display strings shared by pages and templates.

Values stay raw here; every writer escapes them for its own context (Jinja with
``|e``, Markdown through :func:`markdown_text`).
"""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from .relate import Links
from .report import Report
from .rules import Level, Problem
from .stats import format_minutes

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]|])")
"""Characters that make markup anywhere in a line. Generated pages never start a line
with a value, so line-start markup (#, -, +, 1.) needs no escape; fewer escapes also
make the large generated tables much cheaper for Python-Markdown to render."""


def markdown_text(value: object) -> str:
    """``value`` as literal text inside Markdown: no markup, no HTML, no line breaks."""
    text = html.escape(" ".join(str(value).split()), quote=False)
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)


def html_text(value: object) -> str:
    """``value`` as text inside HTML: escaped, on one line."""
    return html.escape(" ".join(str(value).split()))


def format_duration(value: timedelta | None) -> str:
    """``47 min``, ``2 h 05 min``, ``3 d 4 h``: durations as incident reviews say them."""
    return "" if value is None else format_minutes(value.total_seconds() / 60)


def src_uri(report: Report, folder: str) -> str:
    """The report's path inside the MkDocs docs_dir."""
    return posixpath.normpath(posixpath.join(folder, report.rel))


def link_from(page_uri: str, target_uri: str) -> str:
    """A Markdown link target from one docs page to another, which MkDocs resolves.

    Up to the docs root, then down to the target: no path arithmetic per link, which
    matters when generated pages hold hundreds of thousands of links.
    """
    return quote("../" * page_uri.count("/") + target_uri)


def header_context(report: Report, problems: list[Problem]) -> dict[str, Any]:
    """The data the postmortem header template renders (raw values; it escapes them)."""
    meta = report.meta
    data = report.source.data or {}
    fallback = {key: data.get(key) for key in ("severity", "status")}
    return {
        "id": report.id or "",
        "severity": str(meta.severity) if meta else _text(fallback["severity"]),
        "status": str(meta.status) if meta else _text(fallback["status"]),
        "date": report.incident_date.isoformat() if report.incident_date else "",
        "duration": format_duration(report.duration),
        "authors": list(meta.authors) if meta else [],
        "tags": list(meta.tags) if meta else [],
        "services": list(meta.services) if meta else [],
        "near_miss": bool(meta and meta.near_miss),
        "template": (meta.template if meta else None) or "",
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
            "severity": str(meta.severity) if meta else "",
            "near_miss": bool(meta and meta.near_miss),
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


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def severity_class(severity: str) -> str:
    """A CSS class that is safe whatever the frontmatter said."""
    return f"pmkb-{severity.lower()}" if re.fullmatch(r"SEV[0-4]", severity) else "pmkb-unknown"
