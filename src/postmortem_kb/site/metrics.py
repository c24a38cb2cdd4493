"""The Metrics pages: the figures of :mod:`stats` as inline SVG charts and tables.

One page per time window (all time, last 12 months, last 90 days), so the views
are plain links that work without JavaScript. Each chart comes with a collapsible
table of the same numbers, written as HTML so it needs no Markdown extension, and
every value from frontmatter is escaped (``html.escape`` here, drawsvg inside SVG).
"""

from __future__ import annotations

import calendar
import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial

from postmortem_kb.analysis.stats import (
    ALL,
    WINDOWS,
    Distribution,
    MonthCount,
    Stats,
    Window,
    compute,
    month_label,
    month_of,
    months,
)
from postmortem_kb.core.kb import PerReport
from postmortem_kb.core.model import Severity
from postmortem_kb.core.report import Report
from postmortem_kb.core.units import format_minutes, plural
from postmortem_kb.site import charts
from postmortem_kb.site.charts import Category, Row, Series

FOLDER = "metrics"
MINUS = "\u2212"


@dataclass(frozen=True, slots=True)
class GeneratedPage:
    name: str
    """Path inside the generated pages' folder, e.g. ``metrics/index.md``."""
    title: str
    """The page's title and heading, as plain text."""
    markdown: str
    """The page below its heading."""
    nav_title: str | None = None


def page_name(window: Window) -> str:
    return f"{FOLDER}/index.md" if window is WINDOWS[0] else f"{FOLDER}/{window.key}.md"


def metrics_pages(reports: Sequence[Report], today: date) -> list[GeneratedPage]:
    """One Metrics page per window; only the first (all time) belongs in the navigation."""
    pages = []
    for window in WINDOWS:
        stats = compute(reports, today, window.since(today))
        markdown = "\n".join(_page(window, stats)).rstrip() + "\n"
        first = window is WINDOWS[0]
        title = "Metrics" if first else f"Metrics: {window.label.lower()}"
        nav = "Metrics" if first else None
        pages.append(GeneratedPage(page_name(window), title, markdown, nav))
    return pages


def metrics_inputs(report: Report) -> str:
    """What the Metrics pages may read of a report, as text: its metadata but its title
    (they name no report), and its action items."""
    meta = report.meta.model_dump_json(exclude={"title"})
    items = [(i.id, i.status, i.due, i.completed, i.owner) for i in report.action_items]
    return repr((meta, items))


@dataclass
class KeptMetrics:
    """The Metrics pages of the last build while serving, and what they were made from:
    an edit that changes no report's :func:`metrics_inputs` (its title, its text) gives the
    same pages, and they are reused instead of counted again (half a second at 5,000)."""

    inputs: PerReport[str] = field(default_factory=PerReport)
    """Each report's inputs, made again only for a report read again."""
    key: tuple[object, ...] = ()
    made: list[GeneratedPage] = field(default_factory=list)

    def pages(self, reports: Sequence[Report], today: date) -> list[GeneratedPage]:
        """:func:`metrics_pages` of ``reports``, or the last build's if made from the same."""
        key = (today, *(self.inputs.get(r, None, partial(metrics_inputs, r)) for r in reports))
        self.inputs.keep_only(reports)
        if key != self.key:
            self.made, self.key = metrics_pages(reports, today), key
        return self.made


# --- page ------------------------------------------------------------------------------


def _views(current: Window) -> str:
    links = []
    for window in WINDOWS:
        target = page_name(window).removeprefix(f"{FOLDER}/")
        links.append(f"**{window.label}**" if window is current else f"[{window.label}]({target})")
    return "View: " + " · ".join(links)


def _page(window: Window, stats: Stats) -> list[str]:
    cid = f"pmkb-{window.key}"
    scope = (
        f"dated {stats.start.isoformat()} to {stats.today.isoformat()} (the build date)"
        if stats.start
        else f"up to {stats.today.isoformat()} (the build date)"
    )
    lines = [
        _views(window),
        "",
        f"{plural(stats.incidents, 'incident')} and {plural(stats.near_misses, 'near-miss')} "
        f"{scope}. Durations are shown as distributions with their median and 90th "
        "percentile, not as means: a few long outages would pull a mean far from the "
        "typical incident. `pmkb stats` prints the same figures in a terminal.",
        "",
    ]
    if stats.uncounted:
        lines += [
            f"{plural(stats.uncounted, 'postmortem')} without a valid date, severity or "
            "near_miss could not be counted.",
            "",
        ]
    lines += _glance(stats)
    lines += ["## Incidents per month", "", *_per_month(cid, stats)]
    lines += ["## Time to detect", "", *_durations(cid, "detect", stats)]
    lines += ["## Time to resolve", "", *_durations(cid, "resolve", stats)]
    lines += ["## Action items", "", *_actions(cid, stats)]
    lines += ["## Top tags, services and root causes", "", *_tops(cid, stats)]
    lines += ["## Near-misses and incidents per quarter", "", *_quarters(cid, stats)]
    lines += _method()
    return lines


def _glance(stats: Stats) -> list[str]:
    if stats.halves is None:
        return []
    return [
        "## At a glance",
        "",
        "The window split in two halves of equal length: is it getting better?",
        "",
        *trend_table(stats),
    ]


def trend_table(stats: Stats) -> list[str]:
    """The window's two halves side by side, with the change in words (a Markdown
    table; the Metrics pages and the home dashboard show it)."""
    if stats.halves is None:
        return []
    first, second = stats.halves

    def change(a: float | None, b: float | None, less: str, more: str, minutes: bool) -> str:
        if a is None or b is None:
            return "n/a"
        if round(a) == round(b):
            return "no change"
        diff = format_minutes(abs(b - a)) if minutes else str(round(abs(b - a)))
        return f"{MINUS if b < a else '+'}{diff} ({less if b < a else more})"

    rows = [
        (
            "Incidents",
            str(first.incidents),
            str(second.incidents),
            change(first.incidents, second.incidents, "fewer", "more", False),
        ),
        (
            "Median time to detect",
            format_minutes(first.detect_median),
            format_minutes(second.detect_median),
            change(first.detect_median, second.detect_median, "faster", "slower", True),
        ),
        (
            "Median time to resolve",
            format_minutes(first.resolve_median),
            format_minutes(second.resolve_median),
            change(first.resolve_median, second.resolve_median, "faster", "slower", True),
        ),
        (
            "Action items closed / opened",
            f"{first.actions_closed} / {first.actions_opened}",
            f"{second.actions_closed} / {second.actions_opened}",
            "",
        ),
        (
            "Action items overdue at the end",
            str(first.overdue_at_end),
            str(second.overdue_at_end),
            change(first.overdue_at_end, second.overdue_at_end, "fewer", "more", False),
        ),
        (
            "Near-misses reported",
            str(first.near_misses),
            str(second.near_misses),
            "",
        ),
    ]
    return [
        f"| Figure | {first.start.isoformat()} to {first.end.isoformat()} "
        f"| {second.start.isoformat()} to {second.end.isoformat()} | Change |",
        "|---|---|---|---|",
        *(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows),
        "",
    ]


def _figure(
    svg: str, caption: str, header: Sequence[str], body: Sequence[Sequence[str]]
) -> list[str]:
    """A chart and, below it, a collapsed table of its numbers (raw HTML, escaped)."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in body
    )
    svg_lines = [line for line in svg.splitlines() if line.strip()]
    return [
        '<div class="pmkb-figure">',
        *svg_lines,
        '<details class="pmkb-data">',
        f"<summary>{html.escape(caption)}</summary>",
        f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>",
        "</details>",
        "</div>",
        "",
    ]


def _month_category(label: str) -> Category:
    year, month = label.split("-")
    return Category(label, calendar.month_abbr[int(month)], year)


YEARLY_AFTER = 48
"""Months a chart shows one column each; a longer span is drawn with a column a year."""


def _per_year(per_month: list[MonthCount]) -> list[MonthCount]:
    """The months' counts summed by year (the label is the year)."""
    years: dict[str, dict[str, int]] = {}
    for month in per_month:
        counts = years.setdefault(month.month[:4], dict.fromkeys(month.by_severity, 0))
        for severity, count in month.by_severity.items():
            counts[severity] += count
    return [MonthCount(year, counts) for year, counts in years.items()]


def _per_month(cid: str, stats: Stats) -> list[str]:
    severities = [s.value for s in Severity]
    if len(stats.per_month) > YEARLY_AFTER:
        return _per_year_chart(cid, stats, severities)
    categories = [_month_category(m.month) for m in stats.per_month]
    series = [Series(s.lower(), s, [m.by_severity[s] for m in stats.per_month]) for s in severities]
    busiest = max(stats.per_month, key=lambda m: m.total, default=None)
    if busiest is None or busiest.total == 0:
        desc = "No incidents in this period."
    else:
        desc = (
            f"{plural(stats.incidents, 'incident')} from {stats.per_month[0].month} to "
            f"{stats.per_month[-1].month}, stacked by severity; the busiest month, "
            f"{busiest.month}, had {busiest.total}. Near-misses are counted separately."
        )
    svg = charts.column_chart(
        f"{cid}-incidents",
        "Incidents per month, by severity",
        desc,
        categories,
        series,
        x_label="Month of the incident",
        y_label="Incidents",
    )
    body = [
        [m.month, *(str(m.by_severity[s]) for s in severities), str(m.total)]
        for m in stats.per_month
    ]
    return [
        "Each column is a month, stacked by severity (a pattern per severity); near-misses "
        "are not included here.",
        "",
        *_figure(svg, "Numbers: incidents per month", ["Month", *severities, "Total"], body),
    ]


def _per_year_chart(cid: str, stats: Stats, severities: list[str]) -> list[str]:
    """Incidents per year: a span of centuries would otherwise be a column a month."""
    years = _per_year(stats.per_month)
    busiest = max(years, key=lambda y: y.total)
    svg = charts.column_chart(
        f"{cid}-incidents",
        "Incidents per year, by severity",
        f"{plural(stats.incidents, 'incident')} from {years[0].month} to {years[-1].month}, "
        f"stacked by severity; the busiest year, {busiest.month}, had {busiest.total}.",
        [Category(y.month, y.month) for y in years],
        [Series(s.lower(), s, [y.by_severity[s] for y in years]) for s in severities],
        x_label="Year of the incident",
        y_label="Incidents",
    )
    body = [[y.month, *(str(y.by_severity[s]) for s in severities), str(y.total)] for y in years]
    return [
        f"This span is longer than {YEARLY_AFTER} months, so each column is a year, stacked "
        "by severity; near-misses are not included here.",
        "",
        *_figure(svg, "Numbers: incidents per year", ["Year", *severities, "Total"], body),
    ]


def _rows(dists: dict[str, Distribution]) -> list[Row]:
    rows = [Row("All", "bar", d.values, d.median, d.p90) for k, d in dists.items() if k == ALL]
    rows += [Row(k, k.lower(), d.values, d.median, d.p90) for k, d in dists.items() if k != ALL]
    return rows


def _durations(cid: str, kind: str, stats: Stats) -> list[str]:
    dists = stats.time_to_detect if kind == "detect" else stats.time_to_resolve
    field = "detected" if kind == "detect" else "resolved"
    verb = "detected" if kind == "detect" else "resolved"
    summary = "; ".join(
        f"{k}: median {format_minutes(d.median)}, p90 {format_minutes(d.p90)} "
        f"({plural(d.count, 'incident')})"
        for k, d in dists.items()
        if d.count
    )
    desc = f"Minutes from impact start to {field}, {_dots(dists)}, by severity. " + (
        summary + "." if summary else "No incident in this period has both times."
    )
    svg = charts.distribution_chart(
        f"{cid}-{kind}",
        f"Time to {kind} (impact.{field} - impact.started)",
        desc,
        _rows(dists),
        x_label="Time from impact start (log scale)",
        y_label="Severity",
    )
    body = [
        [k, str(d.count), format_minutes(d.median), format_minutes(d.p90)] for k, d in dists.items()
    ]
    left_out = stats.postmortems - dists[ALL].count if ALL in dists else 0
    return [
        f"How long after impact began it was {verb}: {_dots(dists)}, the median as a "
        "solid mark and the 90th percentile as a dashed one. "
        + (
            f"{plural(left_out, 'postmortem')} without both times (near-misses among them) "
            "are left out."
            if left_out
            else ""
        ),
        "",
        *_figure(
            svg,
            f"Numbers: time to {kind}",
            ["Severity", "Incidents", "Median", "90th percentile"],
            body,
        ),
    ]


def _dots(dists: dict[str, Distribution]) -> str:
    if any(d.count > charts.DOTS_PER_ROW for d in dists.values()):
        return "a dot per incident, or per close group of them where there are many"
    return "a dot per incident"


def _actions(cid: str, stats: Stats) -> list[str]:
    categories = [_month_category(a.month) for a in stats.actions]
    opened = Series("opened", "opened", [a.opened for a in stats.actions])
    closed = Series("closed", "closed", [a.closed for a in stats.actions])
    overdue = Series("overdue", "overdue at month end", [a.overdue for a in stats.actions])
    desc = (
        f"{plural(stats.actions_total, 'action item')} from these incidents: "
        f"{sum(a.opened for a in stats.actions)} opened and "
        f"{sum(a.closed for a in stats.actions)} closed in this period; "
        f"{stats.actions_open} still open, {stats.actions_overdue} overdue on "
        f"{stats.today.isoformat()}."
    )
    svg = charts.column_chart(
        f"{cid}-actions",
        "Action items opened and closed per month, and overdue",
        desc,
        categories,
        [opened, closed],
        stacked=False,
        line=overdue,
        x_label="Month",
        y_label="Action items",
        empty="No action items in this period",
    )
    body = [[a.month, str(a.opened), str(a.closed), str(a.overdue)] for a in stats.actions]
    return [
        f"{plural(stats.actions_total, 'action item')}: {stats.actions_open} open, "
        f"**{stats.actions_overdue} overdue** on {stats.today.isoformat()}. An item is opened "
        "with its postmortem and closed on its *Completed* date (a closed item without one "
        "counts as closed on its due date); the line is the overdue count at each month's "
        "end.",
        "",
        *_figure(
            svg,
            "Numbers: action items per month",
            ["Month", "Opened", "Closed", "Overdue at month end"],
            body,
        ),
    ]


def _tops(cid: str, stats: Stats) -> list[str]:
    lines: list[str] = []
    for key, title, noun, items in (
        ("tags", "Top tags", "Tag", stats.top_tags),
        ("services", "Top services", "Service", stats.top_services),
        ("causes", "Top root-cause categories", "Root-cause category", stats.top_causes),
    ):
        listing = ", ".join(f"{label} ({n})" for label, n in items)
        desc = f"{title} by number of postmortems: {listing}." if items else "None in this period."
        svg = charts.bar_list(
            f"{cid}-{key}",
            f"{title} by incidents",
            desc,
            items,
            x_label="Incidents and near-misses",
            y_label=noun,
            empty="None in this period",
        )
        lines += [
            f"### {title}",
            "",
            *_figure(
                svg,
                f"Numbers: {title.lower()}",
                [noun, "Incidents"],
                [[k, str(n)] for k, n in items],
            ),
        ]
    return lines


def _quarters(cid: str, stats: Stats) -> list[str]:
    categories = [
        Category(q.quarter, q.quarter.split()[1], q.quarter.split()[0]) for q in stats.per_quarter
    ]
    incidents = Series("incident", "incidents", [q.incidents for q in stats.per_quarter])
    near = Series("near-miss", "near-misses", [q.near_misses for q in stats.per_quarter])
    desc = (
        f"{plural(stats.incidents, 'incident')} and {plural(stats.near_misses, 'near-miss')} "
        "per quarter. More near-misses reported against fewer incidents is a healthy sign."
    )
    svg = charts.column_chart(
        f"{cid}-quarters",
        "Near-misses and incidents per quarter",
        desc,
        categories,
        [incidents, near],
        stacked=False,
        x_label="Quarter",
        y_label="Postmortems",
    )
    body = [[q.quarter, str(q.incidents), str(q.near_misses)] for q in stats.per_quarter]
    return [
        "A near-miss is a lesson that cost nothing: a team that reports them learns earlier.",
        "",
        *_figure(svg, "Numbers: per quarter", ["Quarter", "Incidents", "Near-misses"], body),
    ]


def _method() -> list[str]:
    return [
        "## How these figures are computed",
        "",
        "- A view counts the postmortems dated from its first day to the build date; "
        "the build date is the `build_date` option, else `SOURCE_DATE_EPOCH`, else today.",
        "- Time to detect is `impact.detected - impact.started`, time to resolve "
        "`impact.resolved - impact.started`, in minutes. Near-misses, and incidents "
        "missing either time, are left out of these charts.",
        "- The median is the middle value (the mean of the two middle values for an even "
        "count). The 90th percentile is the nearest-rank one: the smallest duration that at "
        "least 90% of incidents did not exceed, so it is always a duration that happened.",
        "- An action item is opened in the month of its postmortem and closed on its "
        "*Completed* date; a `Done` or `Won't Do` item without one counts as closed on its due "
        "date, never later than the build date. It is overdue on a day when it is due "
        "before that day and not yet closed.",
        "- Top tags, services and root-cause categories count postmortems, near-misses included.",
        "",
    ]


# --- sparklines for the severity pages ---------------------------------------------------


def severity_trend(reports: Sequence[Report], severity: Severity, today: date) -> list[str]:
    """A sparkline of the last 12 months' postmortems of one severity, with its numbers."""
    first = month_of(date(today.year - 1, today.month, 1))
    span = months(first, month_of(today))[1:]
    counts = {m: 0 for m in span}
    for report in reports:
        meta = report.meta
        if meta.severity is severity and meta.date and month_of(meta.date) in counts:
            counts[month_of(meta.date)] += 1
    values = [counts[m] for m in span]
    numbers = ", ".join(f"{month_label(m)}: {counts[m]}" for m in span)
    svg = charts.sparkline(
        f"pmkb-spark-{severity.value.lower()}",
        f"{severity.value} postmortems per month, last 12 months",
        f"{severity.value} postmortems per month from {month_label(span[0])} to "
        f"{month_label(span[-1])}: {numbers}.",
        values,
        severity.value.lower(),
    )
    svg_lines = [line for line in svg.splitlines() if line.strip()]
    return [
        '<div class="pmkb-trend">',
        *svg_lines,
        f"<span>{sum(values)} in the last 12 months ({html.escape(month_label(span[0]))} to "
        f"{html.escape(month_label(span[-1]))}).</span>",
        "</div>",
        "",
    ]
