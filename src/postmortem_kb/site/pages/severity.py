"""The severity pages: an index with counts, then one page per severity with its trend
and its incidents."""

from __future__ import annotations

from postmortem_kb.core.model import Status
from postmortem_kb.core.units import plural
from postmortem_kb.site.metrics import severity_trend
from postmortem_kb.site.pages.paging import add_incidents
from postmortem_kb.site.pages.writer import PageWriter


def severity(w: PageWriter) -> None:
    by_severity = w.by_severity()
    lines = [
        "| Severity | Incidents | Final | Near-misses |",
        "|---|---|---|---|",
    ]
    for severity, members in by_severity.items():
        final = sum(1 for r in members if r.meta.status is Status.FINAL)
        near = sum(1 for r in members if r.meta.near_miss)
        link = w.page_link(
            "severity/index.md", f"severity/{severity.value.lower()}.md", severity.value
        )
        lines.append(f"| {link} | {len(members)} | {final} | {near} |")
    unrated = [r for r in w.reports if r.meta.severity is None]
    if unrated:
        lines += [
            "",
            "## Without a valid severity",
            "",
            *w.incident_table("severity/index.md", unrated),
        ]
    w.add("severity/index.md", "Incidents by severity", lines, "By severity")
    for severity, members in by_severity.items():
        name = f"severity/{severity.value.lower()}.md"
        lines = [
            f"{plural(len(members), 'incident')}, newest first.",
            "",
            *severity_trend(members, severity, w.today),
        ]
        add_incidents(w, name, f"{severity.value} incidents", lines, members)
