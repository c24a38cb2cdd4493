"""The home dashboard: what is open, late and recurring, on any page that asks for it.

A page of the site holding the marker ``<!-- postmortems:dashboard -->`` gets, in its
place, what readers come to the home page to know without a click: the open SEV0/SEV1
reports not yet Final with their age, the overdue action items (how many, the oldest,
by owner), the latest incidents, this quarter's recurring causes, a search box that
opens the incident search, and the headline figures with their trend. It is plain
Markdown and HTML: no JavaScript is needed to read it.
"""

from __future__ import annotations

import html
from datetime import timedelta

from postmortem_kb.analysis import actions, stats
from postmortem_kb.core.escape import html_text, markdown_text
from postmortem_kb.core.model import Severity, Status
from postmortem_kb.site.metrics import trend_table
from postmortem_kb.site.pages.writer import PageWriter

MARKER = "<!-- postmortems:dashboard -->"
LATEST = 5
"""Latest incidents the dashboard lists; the overview lists more."""
OWNERS = 8
"""Owners with the most overdue items the dashboard names."""
TREND_DAYS = 90
"""The headline figures compare the last 90 days with the 90 before."""


def fill(w: PageWriter, markdown: str, host_uri: str, search_uri: str) -> str:
    """``markdown`` with the dashboard in place of its marker (unchanged without one).

    ``host_uri`` is the docs path of the page: links go from there."""
    if MARKER not in markdown:
        return markdown
    w.fragments.pop(host_uri, None)  # a page rendered again (mkdocs serve) starts afresh
    return markdown.replace(MARKER, "\n".join(dashboard(w, "/" + host_uri, search_uri)), 1)


def dashboard(w: PageWriter, page: str, search_uri: str) -> list[str]:
    """The dashboard's Markdown for ``page`` (a name the writer links from)."""
    today = w.today
    major = [
        r
        for r in w.reports
        if r.meta.severity in (Severity.SEV0, Severity.SEV1)
        and r.meta.status is not Status.FINAL
        and not r.meta.near_miss
    ]
    late = actions.overdue(w.items, today)
    search = html.escape(w.href(page, search_uri))
    form = (
        f'<form class="pmkb-home-search" role="search" action="{search}" method="get">'
        '<label for="pmkb-home-query">Has this happened before?</label> '
        '<input id="pmkb-home-query" class="pmkb-query" type="search" name="query" '
        'placeholder="Words, an incident id, a service or a tag">'
        '<button class="md-button md-button--primary" type="submit">Search incidents</button>'
        "</form>"
    )
    figures = (
        '<div class="pmkb-home-figures">'
        f"<p><strong>{len(major)}</strong> open SEV0/SEV1 "
        f"report{'s' if len(major) != 1 else ''} not yet Final</p>"
        f"<p><strong>{len(late)}</strong> overdue action item{'s' if len(late) != 1 else ''}</p>"
        f"<p><strong>{len(w.reports)}</strong> postmortems</p>"
        "</div>"
    )
    lines = [
        *w.fragment(page, form),
        *w.fragment(page, figures),
        "## Open SEV0/SEV1 reports",
        "",
    ]
    if major:
        rows = []
        for report in major:
            day = report.incident_date
            cells = [
                f"{html_text(report.id or '')} {w.html_link(page, report)}".strip(),
                html_text(report.meta.severity or ""),
                html_text(report.meta.status or "unknown"),
                f"{(today - day).days} days" if day else "unknown",
                ", ".join(html_text(s) for s in report.meta.services),
            ]
            rows.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
        lines += w.table(page, ("Incident", "Severity", "Status", "Age", "Services"), rows)
    else:
        lines += ["*None: every SEV0 and SEV1 report is Final.*", ""]
    lines += ["## Overdue action items", ""]
    if late:
        oldest = late[0]
        label = f"{oldest.report.id or oldest.report.rel} {oldest.item.id}"
        lines += [
            f"**{len(late)} overdue** on {today.isoformat()}. The oldest: "
            f"{w.report_link(page, oldest.report, label)}, "
            f"{markdown_text(oldest.item.action)} ({markdown_text(oldest.item.owner)}), "
            f"**{actions.days_late(oldest, today)} days late**.",
            "",
            "| Owner | Overdue |",
            "|---|---|",
        ]
        owners = sorted(
            actions.by_owner(late).items(), key=lambda kv: (-len(kv[1]), kv[0].casefold())
        )
        for owner, members in owners[:OWNERS]:
            lines.append(f"| {w.page_link(page, w.owner_pages[owner], owner)} | {len(members)} |")
        lines.append("")
    else:
        lines += ["*No action item is overdue.*", ""]
    lines += [
        w.page_link(page, "action-items.md", "All action items, filtered by owner or status"),
        "",
        "## Latest incidents",
        "",
        *w.incident_table(page, w.reports[:LATEST]),
        w.page_link(page, "index.md", "The incident overview"),
        "",
        "## Recurring this quarter",
        "",
    ]
    quarter = stats.quarter_of(today)
    this_quarter = [
        r for r in w.reports if r.incident_date and stats.quarter_of(r.incident_date) == quarter
    ]
    lines += [
        f"Root causes that came back, among the incidents of {stats.quarter_label(quarter)}.",
        "",
        *w.recurrence_list(page, w.repeats_among(this_quarter)[:5]),
        "## Trend",
        "",
    ]
    window = stats.compute(w.kb.reports, today, today - timedelta(days=2 * TREND_DAYS - 1))
    trend = trend_table(window)
    lines += [
        f"The last {TREND_DAYS} days against the {TREND_DAYS} before.",
        "",
        *(trend or ["*No incident in that time.*", ""]),
        w.page_link(page, "metrics/index.md", "All metrics"),
        "",
    ]
    return lines
