"""Metrics figures with known answers, and ``pmkb stats`` printing the same numbers."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from postmortem_kb import Report, Settings, load
from postmortem_kb.analysis.stats import (
    ALL,
    Stats,
    closed_on,
    compute,
    is_overdue_on,
    median,
    overdue_counts,
    percentile,
    time_to_detect,
    time_to_resolve,
)
from postmortem_kb.core.model import ActionItem, ActionStatus
from postmortem_kb.terminal.figures import as_csv, as_json, as_text
from tests.conftest import pmkb, report_text

TODAY = date(2024, 6, 30)


def incident(
    id: str,
    day: str,
    severity: str = "SEV2",
    *,
    detect: int | None = None,
    resolve: int | None = 30,
    near_miss: bool = False,
    actions: list[tuple[str, str, str, str, str]] | None = None,
    completed: dict[str, str] | None = None,
    tags: list[str] | None = None,
) -> str:
    """A valid report whose impact starts at 10:00 and is detected and resolved after
    ``detect`` and ``resolve`` minutes; ``completed`` fills a Completed column by item id."""
    text = report_text(
        id, date=day, severity=severity, near_miss=near_miss, actions=actions or [], tags=tags
    )
    if not near_miss:
        start = datetime.fromisoformat(f"{day}T10:00:00+00:00")

        def at(minutes: int) -> str:
            return (start + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")

        impact = f"impact:\n  started: '{at(0)}'\n"
        if detect is not None:
            impact += f"  detected: '{at(detect)}'\n"
        if resolve is not None:
            impact += f"  resolved: '{at(resolve)}'\n"
        text, count = re.subn(r"impact:\n  started: .*\n  resolved: .*\n", impact, text)
        assert count == 1
    if completed is not None:
        text = text.replace(
            "| Priority | Status |\n|---|---|---|---|---|---|",
            "| Priority | Status | Completed |\n|---|---|---|---|---|---|---|",
        )
        for item_id in re.findall(r"^\| (AI-\d+) \|", text, flags=re.M):
            text = re.sub(
                rf"^(\| {item_id} \|.*\|)$",
                lambda m, i=item_id: f"{m.group(1)} {completed.get(i, '')} |",
                text,
                flags=re.M,
            )
    return text


def load_texts(tmp_path: Path, texts: dict[str, str]) -> list[Report]:
    files = []
    for name, text in texts.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        files.append((path, name))
    kb = load(files, Settings(), display_root=tmp_path)
    assert all(r.valid for r in kb.reports), kb.problems
    return kb.reports


@pytest.fixture
def reports(tmp_path: Path) -> list[Report]:
    """Five incidents and a near-miss over the first half of 2024, with action items."""
    return load_texts(
        tmp_path,
        {
            "a.md": incident(
                "INC-2024-001",
                "2024-01-10",
                "SEV1",
                detect=5,
                resolve=60,
                actions=[
                    ("AI-1", "@a", "2024-02-01", "P1", "Done"),
                    ("AI-2", "@a", "2024-03-01", "P1", "Not Started"),
                ],
                completed={"AI-1": "2024-01-20"},
                tags=["db", "config"],
            ),
            "b.md": incident(
                "INC-2024-002",
                "2024-01-20",
                "SEV1",
                detect=15,
                resolve=240,
                actions=[("AI-1", "@b", "2024-02-15", "P1", "Done")],
                tags=["db"],
            ),
            "c.md": incident(
                "INC-2024-003",
                "2024-03-05",
                "SEV2",
                detect=1,
                resolve=30,
                actions=[
                    ("AI-1", "@c", "2024-04-01", "P2", "In Progress"),
                    ("AI-2", "@c", "2024-07-15", "P2", "Not Started"),
                ],
                tags=["DB"],
            ),
            "d.md": incident("INC-2024-004", "2024-03-25", "SEV2", resolve=90),
            "e.md": incident(
                "INC-2024-005",
                "2024-04-02",
                "SEV3",
                near_miss=True,
                actions=[("AI-1", "@e", "2024-05-01", "P3", "Won't Do")],
            ),
            "f.md": incident("INC-2024-006", "2024-06-10", "SEV2", detect=10, resolve=600),
        },
    )


# --- definitions -------------------------------------------------------------------


def test_median_is_the_middle_value_or_the_mean_of_the_two_middle_ones() -> None:
    assert median([]) is None
    assert median([7]) == 7
    assert median([30, 600, 90]) == 90
    assert median([1, 5, 10, 15]) == 7.5


@pytest.mark.parametrize(
    ("values", "p", "expected"),
    [
        ([], 90, None),
        ([42], 90, 42),
        ([30, 60, 90, 240, 600], 90, 600),  # rank ceil(4.5) = 5
        ([60, 240], 90, 240),  # rank ceil(1.8) = 2
        (list(range(1, 11)), 90, 9),  # rank 9 exactly: nearest rank never interpolates
        (list(range(1, 21)), 90, 18),
        (list(range(1, 11)), 50, 5),
        ([5, 1, 3], 100, 5),
    ],
)
def test_p90_is_the_nearest_rank_percentile(values: list[int], p: int, expected: float) -> None:
    assert percentile(values, p) == expected


def test_percentile_refuses_nonsense() -> None:
    with pytest.raises(ValueError):
        percentile([1, 2], 0)


def test_durations_in_minutes_and_missing_times(reports: list[Report]) -> None:
    by_id = {r.id: r for r in reports}
    assert time_to_detect(by_id["INC-2024-001"]) == 5
    assert time_to_resolve(by_id["INC-2024-002"]) == 240
    assert time_to_detect(by_id["INC-2024-004"]) is None  # no detected time
    near = by_id["INC-2024-005"]
    assert time_to_detect(near) is None and time_to_resolve(near) is None


def test_times_out_of_order_are_left_out(tmp_path: Path) -> None:
    text = incident("INC-2024-001", "2024-01-10", detect=5, resolve=60).replace(
        "detected: '2024-01-10T10:05:00Z'", "detected: '2024-01-10T09:05:00Z'"
    )
    path = tmp_path / "a.md"
    path.write_text(text, encoding="utf-8")
    [report] = load([(path, "a.md")], Settings()).reports
    assert time_to_detect(report) is None and time_to_resolve(report) == 60


def item(status: ActionStatus, due: date | None, completed: date | None = None) -> ActionItem:
    return ActionItem("AI-1", "act", "@a", due, None, status, line=1, completed=completed)


def test_closed_on_uses_completed_else_the_due_date_never_after_today() -> None:
    assert closed_on(item(ActionStatus.DONE, date(2024, 2, 1), date(2024, 1, 20)), TODAY) == date(
        2024, 1, 20
    )
    assert closed_on(item(ActionStatus.DONE, date(2024, 2, 1)), TODAY) == date(2024, 2, 1)
    assert closed_on(item(ActionStatus.WONT_DO, date(2024, 2, 1)), TODAY) == date(2024, 2, 1)
    assert closed_on(item(ActionStatus.DONE, date(2024, 9, 1)), TODAY) == TODAY
    assert (
        closed_on(item(ActionStatus.IN_PROGRESS, date(2024, 2, 1), date(2024, 1, 5)), TODAY) is None
    )


def test_overdue_on_a_given_date() -> None:
    late_done = item(ActionStatus.DONE, date(2024, 2, 1), completed=date(2024, 2, 10))
    assert not is_overdue_on(late_done, date(2024, 2, 1), TODAY)  # due that day: not late yet
    assert is_overdue_on(late_done, date(2024, 2, 5), TODAY)
    assert not is_overdue_on(late_done, date(2024, 2, 10), TODAY)  # closed that day
    still_open = item(ActionStatus.BLOCKED, date(2024, 2, 1))
    assert is_overdue_on(still_open, date(2024, 2, 2), TODAY)
    assert not is_overdue_on(item(ActionStatus.DONE, date(2024, 2, 1)), date(2024, 5, 1), TODAY)
    for candidate in (late_done, still_open, item(ActionStatus.NOT_STARTED, date(2024, 7, 1))):
        assert is_overdue_on(candidate, TODAY, TODAY) == candidate.is_overdue(TODAY)


DAYS = st.dates(date(2024, 5, 1), date(2024, 7, 31))  # narrow: equal days are likely


@given(
    items=st.lists(
        st.tuples(
            DAYS,
            st.builds(
                item,
                st.sampled_from(list(ActionStatus)),
                st.none() | DAYS,
                st.none() | DAYS,
            ),
        ),
        max_size=30,
    ),
    days=st.lists(DAYS, max_size=24, unique=True).map(sorted),
)
@example(  # not overdue on its due day, nor on the day it was closed
    items=[(date(2024, 5, 1), item(ActionStatus.DONE, date(2024, 5, 10), date(2024, 5, 20)))],
    days=[date(2024, 5, 10), date(2024, 5, 11), date(2024, 5, 19), date(2024, 5, 20)],
)
@example(  # nor before its postmortem was written
    items=[(date(2024, 6, 5), item(ActionStatus.BLOCKED, date(2024, 5, 10)))],
    days=[date(2024, 6, 1), date(2024, 6, 5)],
)
def test_overdue_counts_agree_with_the_definition(
    items: list[tuple[date, ActionItem]], days: list[date]
) -> None:
    """The month-by-month counts come from intervals; they must equal asking each item
    on each day, as :func:`is_overdue_on` defines it."""
    expected = [
        sum(is_overdue_on(i, day, TODAY) for opened, i in items if opened <= day) for day in days
    ]
    assert overdue_counts(items, days, TODAY) == expected


# --- known answers -------------------------------------------------------------------


def test_known_answers(reports: list[Report]) -> None:
    stats = compute(reports, TODAY)
    assert (stats.start, stats.incidents, stats.near_misses, stats.uncounted) == (
        date(2024, 1, 10),
        5,
        1,
        0,
    )
    assert [
        (m.month, m.by_severity["SEV1"], m.by_severity["SEV2"], m.total) for m in stats.per_month
    ] == [
        ("2024-01", 2, 0, 2),
        ("2024-02", 0, 0, 0),
        ("2024-03", 0, 2, 2),
        ("2024-04", 0, 0, 0),  # the near-miss is not an incident here
        ("2024-05", 0, 0, 0),
        ("2024-06", 0, 1, 1),
    ]
    ttr = stats.time_to_resolve
    assert ttr[ALL].values == (30, 60, 90, 240, 600)
    assert (ttr[ALL].median, ttr[ALL].p90) == (90, 600)
    assert (ttr["SEV1"].median, ttr["SEV1"].p90) == (150, 240)
    assert (ttr["SEV2"].median, ttr["SEV2"].p90) == (90, 600)
    assert (ttr["SEV3"].count, ttr["SEV3"].median, ttr["SEV3"].p90) == (0, None, None)
    ttd = stats.time_to_detect
    assert ttd[ALL].values == (1, 5, 10, 15)  # INC-2024-004 has no detected time
    assert (ttd[ALL].median, ttd[ALL].p90) == (7.5, 15)
    assert [(a.month, a.opened, a.closed, a.overdue) for a in stats.actions] == [
        ("2024-01", 3, 1, 0),
        ("2024-02", 0, 1, 0),  # done without Completed: closed on its due date
        ("2024-03", 2, 0, 1),
        ("2024-04", 1, 0, 2),  # the near-miss's item opens with it
        ("2024-05", 0, 1, 2),  # Won't Do: closed on its due date, never overdue
        ("2024-06", 0, 0, 2),
    ]
    assert stats.actions[-1].on == TODAY
    assert (stats.actions_total, stats.actions_open, stats.actions_overdue) == (6, 3, 2)
    assert stats.top_tags == [("db", 3), ("config", 1)]  # DB and db are one tag
    assert [(q.quarter, q.incidents, q.near_misses) for q in stats.per_quarter] == [
        ("2024 Q1", 4, 0),
        ("2024 Q2", 1, 1),
    ]
    assert stats.halves is not None
    first, second = stats.halves
    assert (first.start, first.end, second.start, second.end) == (
        date(2024, 1, 10),
        date(2024, 4, 4),
        date(2024, 4, 5),
        TODAY,
    )
    assert (first.incidents, first.near_misses, second.incidents) == (4, 1, 1)
    assert (first.resolve_median, second.resolve_median) == (75, 600)
    assert (first.overdue_at_end, second.overdue_at_end) == (2, 2)  # on 2024-04-04 and today


def test_a_window_keeps_the_incidents_dated_in_it(reports: list[Report]) -> None:
    stats = compute(reports, TODAY, since=date(2024, 3, 1))
    assert (stats.start, stats.incidents, stats.near_misses) == (date(2024, 3, 1), 3, 1)
    assert [m.month for m in stats.per_month] == ["2024-03", "2024-04", "2024-05", "2024-06"]
    assert stats.time_to_resolve[ALL].values == (30, 90, 600)
    assert sum(a.opened for a in stats.actions) == 3


def test_incidents_after_the_build_date_are_not_counted(reports: list[Report]) -> None:
    stats = compute(reports, date(2024, 3, 10))
    assert stats.incidents == 3 and stats.per_month[-1].month == "2024-03"


def test_empty_knowledge_base() -> None:
    stats = compute([], TODAY)
    assert (stats.start, stats.incidents, stats.per_month, stats.actions, stats.halves) == (
        None,
        0,
        [],
        [],
        None,
    )
    assert all(d.count == 0 and d.median is None for d in stats.time_to_resolve.values())
    assert sorted(stats.time_to_resolve) == sorted([ALL, "SEV0", "SEV1", "SEV2", "SEV3", "SEV4"])
    assert "no incidents" in as_text(stats)
    assert json.loads(as_json(stats))["incidents"] == 0
    assert as_csv(stats).splitlines()[0] == "figure,key,series,value"
    windowed = compute([], TODAY, since=date(2024, 5, 15))
    assert [m.total for m in windowed.per_month] == [0, 0]


def test_single_incident(tmp_path: Path) -> None:
    reports = load_texts(
        tmp_path, {"a.md": incident("INC-2024-001", "2024-06-10", "SEV0", detect=3, resolve=47)}
    )
    stats = compute(reports, TODAY)
    ttr = stats.time_to_resolve
    assert (ttr[ALL].count, ttr[ALL].median, ttr[ALL].p90) == (1, 47, 47)
    assert (ttr["SEV0"].median, stats.time_to_detect["SEV0"].p90) == (47, 3)
    assert [(m.month, m.total) for m in stats.per_month] == [("2024-06", 1)]
    assert "47 min" in as_text(stats)


def test_near_misses_without_timestamps_stay_out_of_durations(tmp_path: Path) -> None:
    reports = load_texts(
        tmp_path,
        {
            "a.md": incident("INC-2024-001", "2024-05-01", "SEV1", near_miss=True),
            "b.md": incident("INC-2024-002", "2024-05-02", "SEV1", near_miss=True),
        },
    )
    stats = compute(reports, TODAY)
    assert (stats.incidents, stats.near_misses) == (0, 2)
    assert all(d.count == 0 for d in stats.time_to_detect.values())
    assert all(m.total == 0 for m in stats.per_month)
    assert [(q.quarter, q.near_misses) for q in stats.per_quarter] == [("2024 Q2", 2)]


def test_reports_with_broken_frontmatter_are_counted_as_uncounted(tmp_path: Path) -> None:
    path = tmp_path / "broken.md"
    path.write_text("---\nid: [unclosed\n---\n# x\n", encoding="utf-8")
    kb = load([(path, "broken.md")], Settings())
    stats = compute(kb.reports, TODAY)
    assert (stats.uncounted, stats.incidents) == (1, 0)


# --- output --------------------------------------------------------------------------


def figures(stats: Stats) -> dict[str, object]:
    return json.loads(as_json(stats))


def test_json_csv_and_text_carry_the_same_figures(reports: list[Report]) -> None:
    stats = compute(reports, TODAY)
    data = figures(stats)
    assert data["time_to_resolve_minutes"]["SEV1"] == {
        "count": 2,
        "median": 150,
        "p90": 240,
        "values": [60, 240],
    }
    assert data["action_items"]["overdue"] == 2
    rows = list(csv.DictReader(io.StringIO(as_csv(stats))))
    lookup = {(r["figure"], r["key"], r["series"]): r["value"] for r in rows}
    assert lookup[("time_to_resolve_minutes", "SEV1", "median")] == "150"
    assert lookup[("incidents_per_month", "2024-03", "SEV2")] == "2"
    assert lookup[("action_items_per_month", "2024-04", "overdue")] == "2"
    text = as_text(stats)
    assert re.search(r"SEV1\s+2\s+2 h 30 min\s+4 h 00 min", text)
    assert "2 overdue on 2024-06-30" in text


ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def project(tmp_path: Path, reports: list[Report]) -> Path:
    """The fixture reports in a project whose mkdocs.yml pins the build date."""
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: t\ndocs_dir: kb\nplugins:\n  - postmortems:\n      build_date: 2024-06-30\n",
        encoding="utf-8",
    )
    (tmp_path / "kb").mkdir()
    for report in reports:
        (tmp_path / "kb" / report.rel).write_text(report.source.text, encoding="utf-8")
    return tmp_path


def test_pmkb_stats_prints_the_page_figures(project: Path, reports: list[Report]) -> None:
    result = pmkb("stats", "--format", "json", cwd=project)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == figures(compute(reports, TODAY))
    text = pmkb("stats", cwd=project)
    assert text.returncode == 0 and text.stdout.strip() == as_text(compute(reports, TODAY))
    since = pmkb("stats", "--since", "2024-03-01", "--format", "csv", cwd=project)
    assert since.returncode == 0
    assert since.stdout.strip() == as_csv(compute(reports, TODAY, date(2024, 3, 1)))


def test_pmkb_stats_on_named_files(project: Path) -> None:
    result = pmkb("stats", "kb/a.md", "kb/b.md", "--format", "json", cwd=project)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["incidents"] == 2


def test_pmkb_stats_usage_errors_exit_2(project: Path) -> None:
    for args in (("--since", "2024-02-30"), ("--since", "yesterday"), ("nope.md",)):
        result = pmkb("stats", *args, cwd=project)
        assert result.returncode == 2, (args, result.stdout)
        assert "Traceback" not in result.stderr and result.stderr.strip()
