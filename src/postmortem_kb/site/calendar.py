"""An iCalendar file (RFC 5545) of open action items' due dates, to subscribe to.

The domain guide's "lost follow-up" antipattern is the reason: a due date that shows
up in the owner's calendar is harder to forget than a row in a table. Each event's
UID depends only on the report's and the item's ids, so a calendar that subscribes
updates the event when the due date moves instead of adding a second one; DTSTAMP
is the build date, so a rebuild of the same content is byte-identical.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from icalendar import Calendar, Event

from postmortem_kb.analysis import actions
from postmortem_kb.core.kb import KnowledgeBase
from postmortem_kb.core.report import Report

ICS_FILE = "action-items.ics"
PRODID = "-//postmortem-kb//action items//EN"


def event_uid(report_id: str, item_id: str) -> str:
    return f"{report_id}-{item_id}@postmortem-kb"


@dataclass(frozen=True, slots=True)
class DueItem:
    """One open action item's event, as plain data: it may travel to a worker process."""

    uid: str
    due: date
    summary: str
    description: str
    url: str
    category: str | None


def due_items(kb: KnowledgeBase, url_of: Callable[[Report], str] | None = None) -> list[DueItem]:
    """The events of the open action items with a due date, soonest first."""
    found: list[DueItem] = []
    seen: set[str] = set()
    for tracked in actions.collect(kb.reports):
        item, report = tracked.item, tracked.report
        if not item.is_open or item.due is None or report.id is None:
            continue
        uid = event_uid(report.id, item.id)
        if uid in seen:  # a duplicate id (PM020, PM125): one event, never two with one UID
            continue
        seen.add(uid)
        details = [
            f"Owner: {item.owner}",
            f"Priority: {item.priority.value if item.priority else 'unknown'}",
            f"Status: {item.status.value if item.status else 'unknown'}",
            f"Postmortem: {report.id} {report.title}",
        ]
        if item.issue:
            details.append(f"Issue: {item.issue}")
        url = url_of(report) if url_of is not None else ""
        if url:
            details.append(url)
        found.append(
            DueItem(
                uid=uid,
                due=item.due,
                summary=f"{item.id}: {item.action} ({report.id})",
                description="\n".join(details),
                url=url,
                category=item.priority.value if item.priority is not None else None,
            )
        )
    return found


def render_calendar(items: list[DueItem], today: date, name: str) -> bytes:
    """The iCalendar file of ``items``; DTSTAMP is the build date, for identical rebuilds."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    stamp = datetime.combine(today, time(0, 0), tzinfo=UTC)
    for item in items:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", item.due)
        event.add("dtend", item.due + timedelta(days=1))
        event.add("summary", item.summary)
        if item.url:
            event.add("url", item.url)
        event.add("description", item.description)
        if item.category is not None:
            event.add("categories", [item.category])
        calendar.add_component(event)
    return calendar.to_ical()


def action_calendar(
    kb: KnowledgeBase,
    today: date,
    name: str = "Postmortem action items",
    url_of: Callable[[Report], str] | None = None,
) -> bytes:
    """One all-day VEVENT per open action item with a due date, soonest first."""
    return render_calendar(due_items(kb, url_of), today, name)
