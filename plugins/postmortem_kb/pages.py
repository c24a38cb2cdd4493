"""Generated index pages, written as Markdown so they look and search like authored ones.

Reports are kept out of the navigation (listing thousands of pages on every page
makes a build quadratic), so these pages are how readers reach them.
"""

from __future__ import annotations

from .kb import KnowledgeBase
from .view import format_duration, link_from, markdown_text, sorted_newest_first, src_uri

INDEX_PAGE = "index.md"


def incidents_index(kb: KnowledgeBase, page_uri: str) -> str:
    """Every postmortem, newest first, with the facts a reader scans for."""
    lines = [
        "# All incidents",
        "",
        f"{len(kb.reports)} postmortems, newest first. Reports with problems are still "
        "listed, and their pages say what to fix.",
        "",
        "| Date | Id | Title | Severity | Status | Duration | Services |",
        "|---|---|---|---|---|---|---|",
    ]
    folder = kb.settings.folder
    for report in sorted_newest_first(kb):
        meta = report.meta
        title = markdown_text(report.title)
        if meta is not None and meta.near_miss:
            title += " *(near-miss)*"
        if any(p.level == "error" for p in kb.problems_of(report)):
            title += " **(has problems)**"
        cells = [
            report.incident_date.isoformat() if report.incident_date else "",
            markdown_text(report.id or ""),
            f"[{title}]({link_from(page_uri, src_uri(report, folder))})",
            markdown_text(meta.severity) if meta else "",
            markdown_text(meta.status) if meta else "",
            format_duration(report.duration),
            ", ".join(markdown_text(s) for s in meta.services) if meta else "",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
