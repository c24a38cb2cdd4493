"""Reliability figures over a knowledge base: counts, durations, action-item flow.

The Metrics pages and ``pmkb stats`` both print what :func:`compute` returns, so
the site and the terminal can never disagree. Incident durations are skewed (a
few long outages dwarf the rest), so durations are summarised by their median
and 90th percentile, never by a mean.

Definitions, which the guide repeats for readers:

- A *window* selects incidents by their ``date``: on or after ``since`` and on or
  before the build date (``today``). Every figure is about those incidents, their
  durations and their action items.
- Durations are in minutes: time to detect is ``impact.detected - impact.started``,
  time to resolve ``impact.resolved - impact.started``. An incident lacking either
  time (every near-miss), or whose times are out of order, is left out of that
  duration; near-misses are left out of durations altogether (nothing to resolve).
- The **median** is the middle value, or the mean of the two middle values for an
  even count (:func:`statistics.median`). The **90th percentile** uses the
  *nearest-rank* method: the smallest value that at least 90% of the values do not
  exceed, so it is always a duration that really happened.
- An action item is *opened* in the month of its report's date and *closed* on its
  ``Completed`` date; a Done or Won't Do item without one is taken as closed on its
  due date. A closing date is never later than the build date, and an item is never
  counted as closed before its report's date.
- An item is *overdue* on a day when it is due before that day and not yet closed
  on it; on the build date this is exactly the action-items page's overdue count.
"""

from __future__ import annotations

import calendar
import math
import statistics
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate

from postmortem_kb.analysis.patterns import cause_of, group_by, services_of, tags_of
from postmortem_kb.core.model import ActionItem, Severity
from postmortem_kb.core.report import Report

Month = tuple[int, int]
"""(year, month)."""

ALL = "All"
"""The key of the row that pools every severity."""

TOP_LIMIT = 10


@dataclass(frozen=True, slots=True)
class Window:
    """A time window of the Metrics pages: the last ``days`` days, or everything."""

    key: str
    label: str
    days: int | None

    def since(self, today: date) -> date | None:
        return None if self.days is None else today - timedelta(days=self.days)


WINDOWS = (
    Window("all", "All time", None),
    Window("last-year", "Last 12 months", 365),
    Window("last-90-days", "Last 90 days", 90),
)


# --- small, exactly defined helpers ---------------------------------------------


def minutes(delta: timedelta) -> float:
    return delta.total_seconds() / 60


def median(values: Sequence[float]) -> float | None:
    """The middle value; the mean of the two middle values for an even count."""
    return float(statistics.median(values)) if values else None


def percentile(values: Sequence[float], p: int) -> float | None:
    """Nearest-rank percentile: the value at rank ceil(p/100 * n) of the sorted values."""
    if not values:
        return None
    if not 0 < p <= 100:
        raise ValueError("p must be in 1..100")
    ordered = sorted(values)
    rank = max(1, math.ceil(p * len(ordered) / 100))
    return float(ordered[rank - 1])


def _span(report: Report, start_field: str, end_field: str) -> float | None:
    impact = report.meta.impact
    if impact is None:
        return None
    start, end = getattr(impact, start_field), getattr(impact, end_field)
    if start is None or end is None:
        return None
    try:
        delta = end - start
    except TypeError:  # one time has a timezone and the other has none (PM017)
        return None
    return minutes(delta) if delta >= timedelta(0) else None


def time_to_detect(report: Report) -> float | None:
    """Minutes from impact start to detection, when both are known and in order."""
    return _span(report, "started", "detected")


def time_to_resolve(report: Report) -> float | None:
    """Minutes from impact start to resolution, when both are known and in order."""
    return _span(report, "started", "resolved")


def month_of(day: date) -> Month:
    return day.year, day.month


def months(first: Month, last: Month) -> list[Month]:
    """Every month from ``first`` to ``last``, both included (gaps are data too)."""
    out: list[Month] = []
    year, month = first
    while (year, month) <= last:
        out.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def month_label(month: Month) -> str:
    return f"{month[0]:04d}-{month[1]:02d}"


def month_end(month: Month) -> date:
    return date(month[0], month[1], calendar.monthrange(*month)[1])


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_label(quarter: tuple[int, int]) -> str:
    return f"{quarter[0]:04d} Q{quarter[1]}"


def closed_on(item: ActionItem, today: date) -> date | None:
    """The day a closed item was closed (Completed, else its due date), at most ``today``.

    None for open items, and for closed items without either date.
    """
    if item.is_open:
        return None
    day = item.completed or item.due
    return min(day, today) if day is not None else None


def is_overdue_on(item: ActionItem, day: date, today: date) -> bool:
    """Due before ``day`` and not closed by then; equals ``item.is_overdue(today)`` on today."""
    if item.due is None or item.due >= day:
        return False
    if item.is_open:
        return True
    closed = closed_on(item, today)
    return closed is not None and closed > day


def overdue_counts(
    items: Iterable[tuple[date, ActionItem]], days: Sequence[date], today: date
) -> list[int]:
    """For each of ``days`` (ascending), how many of ``items`` (each with the date of its
    postmortem) were overdue on it (:func:`is_overdue_on`), counting only postmortems
    dated by then.

    An item is overdue from the first day after its due date that its postmortem
    exists, until it closes: one interval of ``days``, found by bisection, so the
    cost grows with items plus days, not their product.
    """
    changes = [0] * (len(days) + 1)
    for opened, item in items:
        if item.due is None:
            continue
        first = max(bisect_right(days, item.due), bisect_left(days, opened))
        if item.is_open:
            last = len(days)
        else:
            closed = closed_on(item, today)
            if closed is None:
                continue
            last = bisect_left(days, closed)
        if first < last:
            changes[first] += 1
            changes[last] -= 1
    return list(accumulate(changes[:-1]))


# --- the figures -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Distribution:
    """Durations in minutes of one group of incidents, sorted."""

    values: tuple[float, ...] = ()

    @classmethod
    def of(cls, values: Iterable[float | None]) -> Distribution:
        return cls(tuple(sorted(v for v in values if v is not None)))

    @property
    def count(self) -> int:
        return len(self.values)

    @property
    def median(self) -> float | None:
        return median(self.values)

    @property
    def p90(self) -> float | None:
        return percentile(self.values, 90)


@dataclass(frozen=True, slots=True)
class MonthCount:
    month: str
    by_severity: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_severity.values())


@dataclass(frozen=True, slots=True)
class ActionMonth:
    month: str
    opened: int
    closed: int
    overdue: int
    """Overdue at the end of the month (on the build date for its month)."""
    on: date


@dataclass(frozen=True, slots=True)
class QuarterCount:
    quarter: str
    incidents: int
    near_misses: int


@dataclass(frozen=True, slots=True)
class Half:
    """One half of a window, for the "getting better or worse?" comparison."""

    start: date
    end: date
    incidents: int
    near_misses: int
    detect_median: float | None
    resolve_median: float | None
    actions_opened: int
    actions_closed: int
    overdue_at_end: int
    """Action items (of any incident in the window) overdue on the half's last day."""


@dataclass(frozen=True, slots=True)
class Stats:
    today: date
    since: date | None
    start: date | None
    """First day covered: ``since``, else the earliest incident's date; None when empty."""
    postmortems: int
    incidents: int
    near_misses: int
    uncounted: int
    """Reports left out because their frontmatter (severity, date) is not valid."""
    per_month: list[MonthCount] = field(default_factory=list)
    time_to_detect: dict[str, Distribution] = field(default_factory=dict)
    time_to_resolve: dict[str, Distribution] = field(default_factory=dict)
    actions: list[ActionMonth] = field(default_factory=list)
    actions_total: int = 0
    actions_open: int = 0
    actions_overdue: int = 0
    top_tags: list[tuple[str, int]] = field(default_factory=list)
    top_services: list[tuple[str, int]] = field(default_factory=list)
    top_causes: list[tuple[str, int]] = field(default_factory=list)
    per_quarter: list[QuarterCount] = field(default_factory=list)
    halves: tuple[Half, Half] | None = None


def countable(report: Report) -> bool:
    """Whether the figures can place a report: its date, severity and whether it is a
    near-miss are known (another field's invalid value does not matter)."""
    meta = report.meta
    return meta.date is not None and meta.severity is not None and meta.near_miss is not None


def _day(report: Report) -> date:
    """The date of a :func:`countable` report."""
    assert report.meta.date is not None
    return report.meta.date


def in_window(reports: Iterable[Report], since: date | None, today: date) -> list[Report]:
    """Countable reports dated in [since, today]."""
    return [
        r
        for r in reports
        if countable(r) and _day(r) <= today and (since is None or _day(r) >= since)
    ]


def _distributions(
    reports: list[Report], measure: Callable[[Report], float | None]
) -> dict[str, Distribution]:
    real = [r for r in reports if not r.meta.near_miss]
    result = {ALL: Distribution.of(measure(r) for r in real)}
    for severity in Severity:
        result[severity.value] = Distribution.of(
            measure(r) for r in real if r.meta.severity is severity
        )
    return result


def _top(reports: list[Report], values: Callable[[Report], Iterable[str]]) -> list[tuple[str, int]]:
    return [(g.label, len(g.reports)) for g in group_by(reports, values)[:TOP_LIMIT]]


def _half(reports: list[Report], start: date, end: date, today: date) -> Half:
    """Figures of the incidents dated in [start, end]."""
    members = [r for r in reports if start <= _day(r) <= end]
    real = [r for r in members if not r.meta.near_miss]
    closed = [
        max(day, _day(r))
        for r in reports
        for item in r.action_items
        if (day := closed_on(item, today)) is not None
    ]
    return Half(
        start=start,
        end=end,
        incidents=len(real),
        near_misses=len(members) - len(real),
        detect_median=Distribution.of(time_to_detect(r) for r in real).median,
        resolve_median=Distribution.of(time_to_resolve(r) for r in real).median,
        actions_opened=sum(len(r.action_items) for r in members),
        actions_closed=sum(1 for day in closed if start <= day <= end),
        overdue_at_end=sum(
            is_overdue_on(item, end, today)
            for r in reports
            if _day(r) <= end
            for item in r.action_items
        ),
    )


def compute(reports: Sequence[Report], today: date, since: date | None = None) -> Stats:
    """Every figure of the Metrics page for the incidents dated in [since, today]."""
    chosen = in_window(reports, since, today)
    uncounted = sum(1 for r in reports if not countable(r))
    near = [r for r in chosen if r.meta.near_miss]
    start = since if since is not None else min(map(_day, chosen), default=None)
    stats = Stats(
        today=today,
        since=since,
        start=start,
        postmortems=len(chosen),
        incidents=len(chosen) - len(near),
        near_misses=len(near),
        uncounted=uncounted,
        time_to_detect=_distributions(chosen, time_to_detect),
        time_to_resolve=_distributions(chosen, time_to_resolve),
    )
    if start is None or start > today:
        return stats
    span = months(month_of(start), month_of(today))
    per_month = {m: dict.fromkeys((s.value for s in Severity), 0) for m in span}
    quarters = {quarter_of(month_end(m)): [0, 0] for m in span}
    for report in chosen:
        day = _day(report)
        if report.meta.near_miss:
            quarters[quarter_of(day)][1] += 1
        else:
            assert report.meta.severity is not None
            per_month[month_of(day)][report.meta.severity.value] += 1
            quarters[quarter_of(day)][0] += 1
    items = [(r, item) for r in chosen for item in r.action_items]
    opened = dict.fromkeys(span, 0)
    closed = dict.fromkeys(span, 0)
    for report, item in items:
        opened[month_of(_day(report))] += 1
        closed_day = closed_on(item, today)
        if closed_day is not None:
            # An item cannot close before its postmortem opened it.
            closed[month_of(max(closed_day, _day(report)))] += 1
    ends = [min(month_end(month), today) for month in span]
    overdue = overdue_counts(((_day(r), item) for r, item in items), ends, today)
    flow = [
        ActionMonth(month_label(month), opened[month], closed[month], count, on)
        for month, on, count in zip(span, ends, overdue, strict=True)
    ]
    halves = None
    days = (today - start).days + 1
    if days >= 2:
        middle = start + timedelta(days=days // 2)
        halves = (
            _half(chosen, start, middle - timedelta(days=1), today),
            _half(chosen, middle, today, today),
        )
    return Stats(
        today=today,
        since=since,
        start=start,
        postmortems=stats.postmortems,
        incidents=stats.incidents,
        near_misses=stats.near_misses,
        uncounted=uncounted,
        per_month=[MonthCount(month_label(m), per_month[m]) for m in span],
        time_to_detect=stats.time_to_detect,
        time_to_resolve=stats.time_to_resolve,
        actions=flow,
        actions_total=len(items),
        actions_open=sum(item.is_open for _, item in items),
        actions_overdue=sum(item.is_overdue(today) for _, item in items),
        top_tags=_top(chosen, tags_of),
        top_services=_top(chosen, services_of),
        top_causes=_top(chosen, cause_of),
        per_quarter=[
            QuarterCount(quarter_label(q), counts[0], counts[1]) for q, counts in quarters.items()
        ],
        halves=halves,
    )
