"""Action items across all postmortems: what is open, what is late, what got done.

The domain guide's "lost follow-up" antipattern is the reason this exists: items
are collected from every report and measured against the build date.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from postmortem_kb.core.model import ActionItem, ActionStatus, Severity
from postmortem_kb.core.report import Report

STATUS_ORDER = [
    ActionStatus.BLOCKED,
    ActionStatus.IN_PROGRESS,
    ActionStatus.NOT_STARTED,
    ActionStatus.DONE,
    ActionStatus.WONT_DO,
]


NO_OWNER = "(no owner)"


@dataclass(frozen=True, slots=True)
class Tracked:
    """An action item with the report it comes from."""

    report: Report
    item: ActionItem

    @property
    def sort_key(self) -> tuple[int, str, str]:
        due = self.item.due.toordinal() if self.item.due else 10**7
        return due, self.report.id or self.report.rel, self.item.id


def collect(reports: list[Report]) -> list[Tracked]:
    items = [Tracked(r, item) for r in reports for item in r.action_items]
    items.sort(key=lambda t: t.sort_key)
    return items


def days_late(tracked: Tracked, today: date) -> int | None:
    """Whole days an overdue item is past its due date (``pmkb overdue`` and the site
    both say it this way); None when the item is not overdue."""
    item = tracked.item
    if item.due is None or not item.is_overdue(today):
        return None
    return (today - item.due).days


def overdue(items: list[Tracked], today: date) -> list[Tracked]:
    """Due before ``today`` and neither Done nor Won't Do; the most overdue first."""
    return [t for t in items if t.item.is_overdue(today)]


def completion_rate(items: list[Tracked]) -> float | None:
    """Done items over all items that still count (Won't Do is a decision, not a miss)."""
    counted = [t for t in items if t.item.status is not ActionStatus.WONT_DO]
    if not counted:
        return None
    return sum(t.item.status is ActionStatus.DONE for t in counted) / len(counted)


def by_status(items: list[Tracked]) -> dict[ActionStatus | None, list[Tracked]]:
    groups: dict[ActionStatus | None, list[Tracked]] = {s: [] for s in STATUS_ORDER}
    for tracked in items:
        groups.setdefault(tracked.item.status, []).append(tracked)
    return groups


def by_owner(items: list[Tracked]) -> dict[str, list[Tracked]]:
    groups: dict[str, list[Tracked]] = defaultdict(list)
    for tracked in items:
        groups[tracked.item.owner or NO_OWNER].append(tracked)
    return dict(sorted(groups.items(), key=lambda kv: kv[0].casefold()))


def by_severity(items: list[Tracked]) -> dict[Severity, list[Tracked]]:
    groups: dict[Severity, list[Tracked]] = {s: [] for s in Severity}
    for tracked in items:
        if tracked.report.meta.severity is not None:
            groups[tracked.report.meta.severity].append(tracked)
    return groups


def format_rate(rate: float | None) -> str:
    return "n/a" if rate is None else f"{rate:.0%}"
