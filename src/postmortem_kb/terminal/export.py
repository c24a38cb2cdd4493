"""Incidents and action items as JSON or CSV, for spreadsheets, BI tools and scripts.

Rows come from the edition's published knowledge base (see :mod:`edition`), so a
public export holds exactly what the public site shows. Columns have a fixed order,
documented in the format reference; a spreadsheet built on them keeps working.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from postmortem_kb.analysis import actions
from postmortem_kb.analysis.patterns import newest_first
from postmortem_kb.analysis.relate import Match, link
from postmortem_kb.core.kb import KnowledgeBase
from postmortem_kb.core.report import Report
from postmortem_kb.core.settings import INCIDENT_COLUMNS, Settings


def incident_columns(settings: Settings) -> tuple[str, ...]:
    """:data:`INCIDENT_COLUMNS`, then the fields the knowledge base declares, in order."""
    return (*INCIDENT_COLUMNS, *settings.extra_fields)


ACTION_COLUMNS = (
    "report_id",
    "report_title",
    "report_severity",
    "id",
    "action",
    "owner",
    "due",
    "priority",
    "status",
    "completed",
    "issue",
    "notes",
    "open",
    "overdue",
)

LIST_SEPARATOR = "; "
"""How CSV cells hold lists (tags, services, authors, related)."""


def summary_text(report: Report) -> str:
    """The whole summary section's Markdown on one line (the catalog's is cut short and
    loses the markup, which in a summary is mostly `code` such as config keys)."""
    section = report.summary()
    return " ".join(section.text.split()) if section is not None else ""


def similar_entry(match: Match) -> dict[str, Any]:
    """A similar incident as the report page lists it: id, score and reasons."""
    return {"id": match.id, "score": match.score, "reasons": list(match.reasons)}


def listed(report: Report, name: str) -> list[str] | None:
    """A list field's values; None (unknown) when its value was invalid, which an empty
    list would misstate."""
    return None if report.unknown(name) else list(getattr(report.meta, name))


def _extra_value(value: Any) -> Any:
    """A declared field's value for JSON: dates and times in ISO 8601."""
    return value.isoformat() if isinstance(value, date | datetime) else value


def incident_row(
    report: Report,
    today: date,
    similar: list[Match] | None = None,
    declared: Sequence[str] = (),
    *,
    default_template: str,
) -> dict[str, Any]:
    meta = report.meta
    impact = meta.impact
    duration = report.duration

    def moment(name: str) -> str | None:
        value = getattr(impact, name) if impact is not None else None
        return value.isoformat() if value is not None else None

    def measure(name: str) -> Any:
        return getattr(impact, name) if impact is not None else None

    items = report.action_items
    return {
        "id": report.id,
        "title": report.title,
        "date": report.incident_date.isoformat() if report.incident_date else None,
        "severity": meta.severity.value if meta.severity else None,
        "status": report.status.value if report.status else None,
        "template": (
            None if report.unknown("report_template") else meta.report_template or default_template
        ),
        "near_miss": meta.near_miss,
        "visibility": meta.visibility,
        "tags": listed(report, "tags"),
        "services": listed(report, "services"),
        "authors": listed(report, "authors"),
        "root_cause_category": meta.root_cause.category if meta.root_cause else None,
        "root_cause_summary": meta.root_cause.summary if meta.root_cause else None,
        "started": moment("started"),
        "detected": moment("detected"),
        "resolved": moment("resolved"),
        "duration_minutes": int(duration.total_seconds() // 60) if duration else None,
        "users_affected": measure("users_affected"),
        "requests_failed": measure("requests_failed"),
        "support_tickets": measure("support_tickets"),
        "revenue_usd": measure("revenue_usd"),
        "sla_breached": measure("sla_breached"),
        "data_loss": measure("data_loss"),
        "related": listed(report, "related"),
        "similar": [similar_entry(m) for m in similar or []],
        "summary": summary_text(report),
        "action_items": len(items),
        "open_action_items": sum(item.is_open for item in items),
        "overdue_action_items": sum(item.is_overdue(today) for item in items),
        "path": report.rel,
        **{name: _extra_value(report.extra.get(name)) for name in declared},
    }


def incident_rows(kb: KnowledgeBase, today: date) -> list[dict[str, Any]]:
    """One row per report, newest first, in :func:`incident_columns` order, each with
    the similar incidents its page lists (the same limit and threshold)."""
    settings = kb.settings
    links = link(kb.reports, settings.related_limit, settings.related_threshold)
    declared = list(settings.extra_fields)
    return [
        incident_row(
            report,
            today,
            links[report.id].similar if report.id in links else [],
            declared,
            default_template=settings.default_template,
        )
        for report in newest_first(kb.reports)
    ]


def action_rows(kb: KnowledgeBase, today: date) -> list[dict[str, Any]]:
    """One row per action item, soonest due first, in :data:`ACTION_COLUMNS` order."""
    rows = []
    for tracked in actions.collect(kb.reports):
        item, report = tracked.item, tracked.report
        meta = report.meta
        rows.append(
            {
                "report_id": report.id,
                "report_title": report.title,
                "report_severity": meta.severity.value if meta.severity else None,
                "id": item.id,
                "action": item.action,
                "owner": item.owner,
                "due": item.due.isoformat() if item.due else None,
                "priority": item.priority.value if item.priority else None,
                "status": item.status.value if item.status else None,
                "completed": item.completed.isoformat() if item.completed else None,
                "issue": item.issue or None,
                "notes": item.notes or None,
                "open": item.is_open,
                "overdue": item.is_overdue(today),
            }
        )
    return rows


def as_json(rows: Sequence[dict[str, Any]]) -> str:
    # allow_nan=False: the format admits finite numbers only; NaN or Infinity would be
    # invalid JSON, so one that slipped through must fail here, not in a reader.
    return json.dumps(list(rows), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What makes a spreadsheet read a cell as a formula (OWASP, "CSV injection")."""


def cell(value: Any) -> str:
    """A value as a CSV cell: empty for none, true/false, lists joined with '; ', a
    similar incident as ``INC-2024-002 0.42 [reason | reason]``.

    Text that a spreadsheet would run as a formula (``=HYPERLINK(...)`` in a title)
    gets a leading apostrophe, as OWASP advises, so it is shown as written. Numbers
    are written as they are: the format's numbers are never negative.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return formula_safe(LIST_SEPARATOR.join(_item(v) for v in value))
    return formula_safe(str(value))


def _item(value: Any) -> str:
    """One item of a listed value: a similar incident (a mapping) or its text."""
    if isinstance(value, dict):
        return f"{value['id']} {value['score']:.2f} [{' | '.join(value['reasons'])}]"
    return str(value)


def formula_safe(text: str) -> str:
    """``text`` as a spreadsheet shows it, never runs it (see :data:`FORMULA_STARTS`)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def flatten(row: dict[str, Any]) -> dict[str, str]:
    """A JSON row as its CSV cells, in the same column order."""
    return {key: cell(value) for key, value in row.items()}


def as_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([cell(row[column]) for column in columns])
    return out.getvalue()
