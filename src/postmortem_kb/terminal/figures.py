"""``pmkb stats``: the Metrics page's figures (:func:`postmortem_kb.analysis.stats.compute`)
as JSON, CSV or aligned plain-text tables."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from postmortem_kb.analysis.stats import Distribution, Half, Stats
from postmortem_kb.core.model import Severity
from postmortem_kb.core.units import format_minutes, plural
from postmortem_kb.terminal.export import formula_safe


def _number(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else round(value, 1)


def to_dict(stats: Stats) -> dict[str, Any]:
    """Plain data for JSON: durations in minutes, dates as YYYY-MM-DD."""

    def dist(d: Distribution) -> dict[str, Any]:
        return {
            "count": d.count,
            "median": _number(d.median),
            "p90": _number(d.p90),
            "values": [_number(v) for v in d.values],
        }

    def half(h: Half) -> dict[str, Any]:
        return {
            "start": h.start.isoformat(),
            "end": h.end.isoformat(),
            "incidents": h.incidents,
            "near_misses": h.near_misses,
            "time_to_detect_median": _number(h.detect_median),
            "time_to_resolve_median": _number(h.resolve_median),
            "action_items_opened": h.actions_opened,
            "action_items_closed": h.actions_closed,
            "action_items_overdue_at_end": h.overdue_at_end,
        }

    return {
        "build_date": stats.today.isoformat(),
        "since": stats.since.isoformat() if stats.since else None,
        "start": stats.start.isoformat() if stats.start else None,
        "postmortems": stats.postmortems,
        "incidents": stats.incidents,
        "near_misses": stats.near_misses,
        "uncounted": stats.uncounted,
        "incidents_per_month": [
            {"month": m.month, **m.by_severity, "total": m.total} for m in stats.per_month
        ],
        "time_to_detect_minutes": {k: dist(v) for k, v in stats.time_to_detect.items()},
        "time_to_resolve_minutes": {k: dist(v) for k, v in stats.time_to_resolve.items()},
        "action_items": {
            "total": stats.actions_total,
            "open": stats.actions_open,
            "overdue": stats.actions_overdue,
            "per_month": [
                {
                    "month": a.month,
                    "opened": a.opened,
                    "closed": a.closed,
                    "overdue": a.overdue,
                    "overdue_on": a.on.isoformat(),
                }
                for a in stats.actions
            ],
        },
        "top_tags": [{"tag": k, "incidents": n} for k, n in stats.top_tags],
        "top_services": [{"service": k, "incidents": n} for k, n in stats.top_services],
        "top_root_causes": [{"category": k, "incidents": n} for k, n in stats.top_causes],
        "per_quarter": [
            {"quarter": q.quarter, "incidents": q.incidents, "near_misses": q.near_misses}
            for q in stats.per_quarter
        ],
        "halves": [half(h) for h in stats.halves] if stats.halves else [],
    }


def as_json(stats: Stats) -> str:
    return json.dumps(to_dict(stats), indent=2, ensure_ascii=False)


def rows(stats: Stats) -> list[tuple[str, str, str, float | int | str | None]]:
    """Every figure as (figure, key, series, value): one tidy table for spreadsheets."""
    out: list[tuple[str, str, str, float | int | str | None]] = [
        ("summary", "build_date", "", stats.today.isoformat()),
        ("summary", "start", "", stats.start.isoformat() if stats.start else None),
        ("summary", "postmortems", "", stats.postmortems),
        ("summary", "incidents", "", stats.incidents),
        ("summary", "near_misses", "", stats.near_misses),
        ("summary", "uncounted", "", stats.uncounted),
    ]
    for m in stats.per_month:
        out += [("incidents_per_month", m.month, sev, n) for sev, n in m.by_severity.items()]
    for name, dists in (
        ("time_to_detect_minutes", stats.time_to_detect),
        ("time_to_resolve_minutes", stats.time_to_resolve),
    ):
        for key, d in dists.items():
            out += [
                (name, key, "count", d.count),
                (name, key, "median", _number(d.median)),
                (name, key, "p90", _number(d.p90)),
            ]
    out += [
        ("action_items", "total", "", stats.actions_total),
        ("action_items", "open", "", stats.actions_open),
        ("action_items", "overdue", "", stats.actions_overdue),
    ]
    for a in stats.actions:
        out += [
            ("action_items_per_month", a.month, "opened", a.opened),
            ("action_items_per_month", a.month, "closed", a.closed),
            ("action_items_per_month", a.month, "overdue", a.overdue),
        ]
    for name, top in (
        ("top_tags", stats.top_tags),
        ("top_services", stats.top_services),
        ("top_root_causes", stats.top_causes),
    ):
        out += [(name, key, "incidents", n) for key, n in top]
    for q in stats.per_quarter:
        out += [
            ("per_quarter", q.quarter, "incidents", q.incidents),
            ("per_quarter", q.quarter, "near_misses", q.near_misses),
        ]
    return out


def as_csv(stats: Stats) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("figure", "key", "series", "value"))
    writer.writerows(
        ("" if v is None else formula_safe(v) if isinstance(v, str) else v for v in row)
        for row in rows(stats)
    )
    return buffer.getvalue().rstrip("\n")


def describe_window(stats: Stats) -> str:
    if stats.start is None:
        return f"no incidents up to {stats.today.isoformat()}"
    if stats.start > stats.today:
        return f"no incidents: {stats.start.isoformat()} is after the build date"
    return f"incidents dated {stats.start.isoformat()} to {stats.today.isoformat()}"


def as_text(stats: Stats) -> str:
    """The figures as aligned plain-text tables, for a terminal."""
    lines = [
        f"Metrics of {describe_window(stats)} (build date {stats.today.isoformat()})",
        f"{plural(stats.incidents, 'incident')}, {plural(stats.near_misses, 'near-miss')}"
        + (
            f"; {plural(stats.uncounted, 'postmortem')} not counted "
            "(no valid date, severity or near_miss)"
            if stats.uncounted
            else ""
        ),
        "",
    ]
    if stats.halves:
        first, second = stats.halves
        lines += [
            "Earlier half vs later half",
            _table(
                ["", f"{first.start} to {first.end}", f"{second.start} to {second.end}"],
                [
                    ["incidents", str(first.incidents), str(second.incidents)],
                    ["near-misses", str(first.near_misses), str(second.near_misses)],
                    [
                        "median time to detect",
                        format_minutes(first.detect_median),
                        format_minutes(second.detect_median),
                    ],
                    [
                        "median time to resolve",
                        format_minutes(first.resolve_median),
                        format_minutes(second.resolve_median),
                    ],
                    [
                        "action items opened",
                        str(first.actions_opened),
                        str(second.actions_opened),
                    ],
                    [
                        "action items closed",
                        str(first.actions_closed),
                        str(second.actions_closed),
                    ],
                    [
                        "overdue at the end",
                        str(first.overdue_at_end),
                        str(second.overdue_at_end),
                    ],
                ],
            ),
            "",
        ]
    severities = [s.value for s in Severity]
    lines += [
        "Incidents per month (near-misses not included)",
        _table(
            ["month", *severities, "total"],
            [
                [m.month, *(str(m.by_severity[s]) for s in severities), str(m.total)]
                for m in stats.per_month
            ],
        ),
        "",
    ]
    for title, dists in (
        ("Time to detect (detected - started)", stats.time_to_detect),
        ("Time to resolve (resolved - started)", stats.time_to_resolve),
    ):
        lines += [
            title,
            _table(
                ["severity", "incidents", "median", "p90"],
                [
                    [key, str(d.count), format_minutes(d.median), format_minutes(d.p90)]
                    for key, d in dists.items()
                ],
            ),
            "",
        ]
    lines += [
        f"Action items: {stats.actions_total} in all, {stats.actions_open} open, "
        f"{stats.actions_overdue} overdue on {stats.today.isoformat()}",
        _table(
            ["month", "opened", "closed", "overdue at month end"],
            [[a.month, str(a.opened), str(a.closed), str(a.overdue)] for a in stats.actions],
        ),
        "",
    ]
    for title, top in (
        ("Top tags", stats.top_tags),
        ("Top services", stats.top_services),
        ("Top root-cause categories", stats.top_causes),
    ):
        lines += [title, _table(["", "incidents"], [[k, str(n)] for k, n in top]), ""]
    lines += [
        "Incidents and near-misses per quarter",
        _table(
            ["quarter", "incidents", "near-misses"],
            [[q.quarter, str(q.incidents), str(q.near_misses)] for q in stats.per_quarter],
        ),
    ]
    return "\n".join(lines)


def _table(header: list[str], body: list[list[str]]) -> str:
    if not body:
        return "  (none)"
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]

    def line(row: list[str]) -> str:
        cells = [
            row[0].ljust(widths[0]),
            *(c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)),
        ]
        return ("  " + "  ".join(cells)).rstrip()

    return "\n".join(line(row) for row in [header, *body])
