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

from postmortem_kb.analysis import stats
from postmortem_kb.analysis.relate import Links
from postmortem_kb.core.model import ActionStatus
from postmortem_kb.core.report import Report
from postmortem_kb.core.rules import Level, Problem
from postmortem_kb.core.settings import ExtraField
from postmortem_kb.core.units import format_duration, format_minutes


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


GroupUrl = Callable[[str, str], str]
"""The URL of a group's page (``"tags"``, ``"api"``) from the page rendered, or ""."""


def impact_facts(report: Report) -> list[dict[str, str]]:
    """The impact line of the header: what the frontmatter says of users, requests,
    money, SLA and data, the time to detect and to resolve, the root-cause category and
    the action items done of all, each as a label and its text (only those known)."""
    impact = report.meta.impact
    facts: list[tuple[str, str]] = []
    if impact is not None:
        counts = (
            ("Users affected", impact.users_affected),
            ("Requests failed", impact.requests_failed),
            ("Support tickets", impact.support_tickets),
        )
        facts += [(label, f"{value:,}") for label, value in counts if value is not None]
        if impact.revenue_usd is not None:
            facts.append(("Revenue lost", f"${impact.revenue_usd:,.0f}"))
        if impact.sla_breached is not None:
            facts.append(("SLA", "breached" if impact.sla_breached else "met"))
        if impact.data_loss is not None:
            facts.append(("Data loss", "yes" if impact.data_loss else "none"))
    for label, value in (
        ("Time to detect", stats.time_to_detect(report)),
        ("Time to resolve", stats.time_to_resolve(report)),
    ):
        if value is not None:
            facts.append((label, format_minutes(value)))
    items = report.action_items
    if items:
        done = sum(1 for item in items if item.status is ActionStatus.DONE)
        facts.append(("Action items", f"{done} of {len(items)} done"))
    return [{"label": label, "text": text} for label, text in facts]


def header_context(
    report: Report,
    problems: list[Problem],
    declared: Mapping[str, ExtraField] | None = None,
    group_url: GroupUrl | None = None,
) -> dict[str, Any]:
    """The data the postmortem header template renders (raw values; it escapes them).
    ``group_url`` links tags, services and the root-cause category to their pages."""
    meta = report.meta

    def linked(folder: str, values: list[str]) -> list[dict[str, str]]:
        return [{"text": v, "url": group_url(folder, v) if group_url else ""} for v in values]

    cause = meta.root_cause.category if meta.root_cause is not None else ""
    return {
        "id": report.id or "",
        "severity": str(meta.severity or ""),
        "status": str(meta.status or ""),
        "date": report.incident_date.isoformat() if report.incident_date else "",
        "duration": format_duration(report.duration),
        "authors": list(meta.authors),
        "tags": list(meta.tags),
        "services": list(meta.services),
        "tag_links": linked("tags", list(meta.tags)),
        "service_links": linked("services", list(meta.services)),
        "cause": linked("causes", [cause])[0] if cause else None,
        "impact": impact_facts(report),
        "near_miss": bool(meta.near_miss),
        "template": meta.report_template or "",
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
    links: Links,
    reports: dict[str, Report],
    url_of: Callable[[Report], str],
    mentioned: list[str] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """Related incidents for the template, each once with every reason it is related:
    listed in ``related``, named in the report's text (``mentioned``), naming this
    report, similar (with the reasons in words). Raw values, each with its page's URL."""
    entries: dict[str, dict[str, Any]] = {}

    def add(report_id: str, reason: str) -> dict[str, Any] | None:
        if report_id not in reports:
            return None
        if report_id not in entries:
            other = reports[report_id]
            entries[report_id] = {
                "id": report_id,
                "title": other.title,
                "url": url_of(other),
                "severity": str(other.meta.severity or ""),
                "near_miss": bool(other.meta.near_miss),
                "reasons": [],
                "score": None,
            }
        entry = entries[report_id]
        if reason not in entry["reasons"]:
            entry["reasons"].append(reason)
        return entry

    for report_id in links.names:
        add(report_id, "listed as related in this report")
    for report_id in mentioned or []:
        add(report_id, "named in this report")
    for report_id in links.named_by:
        add(report_id, "names this report")
    for match in links.similar:
        entry = add(match.id, "similar: " + "; ".join(match.reasons))
        if entry is not None:
            entry["score"] = match.score
    return {"incidents": list(entries.values())}


_TAG_OR_TEXT = re.compile(r"(<[^>]*>)")
ID_TOKEN = re.compile(r"\b[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*-[0-9]+\b")
"""What an incident id looks like (INC-2024-001, OPS-7); only known ids are linked."""
_NO_LINKS_IN = frozenset(
    {"a", "code", "pre", "script", "style", "h1", "h2", "h3", "h4", "h5", "h6"}
)


def link_ids(
    page_html: str, own_id: str, url_of_id: Callable[[str], str | None]
) -> tuple[str, list[str]]:
    """``page_html`` with every other incident's id in its text linked to its page, and
    the ids found, in order. Ids inside links, code and headings are left as they are."""
    found: list[str] = []
    link = _linker(
        own_id, url_of_id, found, lambda i, url: f'<a class="pmkb-id-link" href="{url}">{i}</a>'
    )
    inside: list[str] = []
    parts = _TAG_OR_TEXT.split(page_html)
    for index, part in enumerate(parts):
        if part.startswith("<"):
            name = part[1:].split(None, 1)[0].rstrip(">/").lower() if len(part) > 2 else ""
            if name.lstrip("/") in _NO_LINKS_IN and not part.endswith("/>"):
                if name.startswith("/"):
                    if inside and inside[-1] == name[1:]:
                        inside.pop()
                else:
                    inside.append(name)
            continue
        if inside or not part:
            continue

        parts[index] = ID_TOKEN.sub(link, part)
    return "".join(parts), found


def _linker(
    own_id: str,
    url_of_id: Callable[[str], str | None],
    found: list[str],
    markup: Callable[[str, str], str],
) -> Callable[[re.Match[str]], str]:
    """A known id other than the page's own, as ``markup(id, url)``; each noted in ``found``."""

    def link(match: re.Match[str]) -> str:
        token = match.group(0)
        url = url_of_id(token) if token != own_id else None
        if url is None:
            return token
        if token not in found:
            found.append(token)
        return markup(token, url)

    return link


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CODE_OR_LINK = re.compile(r"(`+[^`]*`+|!?\[[^\]]*\]\([^)]*\)|<[^>]*>|https?://\S+)")
"""What a Markdown line's text links no id in: code spans, links and images, raw HTML
and bare URLs."""


def link_ids_markdown(
    markdown: str, own_id: str, url_of_id: Callable[[str], str | None]
) -> tuple[str, list[str]]:
    """:func:`link_ids` for Markdown (``pmkb render`` writes Markdown): other incidents'
    ids in the text become Markdown links; ids in fenced or indented code, headings,
    code spans, links and raw HTML are left as they are."""
    found: list[str] = []
    link = _linker(own_id, url_of_id, found, lambda i, url: f"[{i}]({url})")
    lines = markdown.split("\n")
    fence = ""
    for number, line in enumerate(lines):
        opening = _FENCE.match(line)
        if fence:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = ""
            continue
        if opening:
            fence = opening.group(1)
            continue
        if line.lstrip().startswith("#") or line.startswith(("    ", "\t")):
            continue
        parts = _CODE_OR_LINK.split(line)
        parts[::2] = [ID_TOKEN.sub(link, text) for text in parts[::2]]
        lines[number] = "".join(parts)
    return "\n".join(lines), found


def severity_class(severity: str) -> str:
    """A CSS class that is safe whatever the frontmatter said."""
    return f"pmkb-{severity.lower()}" if re.fullmatch(r"SEV[0-4]", severity) else "pmkb-unknown"
