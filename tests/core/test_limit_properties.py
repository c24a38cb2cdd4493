"""Property tests of the limits: every accepted date builds every output; every
Markdown body the check accepts renders quickly; what it refuses is what would not.

Random but reproducible (Hypothesis, derandomised), and kept small: each example
builds real outputs or runs the real renderer.
"""

from __future__ import annotations

import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import markdown
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from postmortem_kb import Settings, load
from postmortem_kb.analysis.policies import problems as policy_problems
from postmortem_kb.analysis.stats import compute
from postmortem_kb.core.body import parse_tokens
from postmortem_kb.core.limits import MAX_DEPTH, check_markdown
from postmortem_kb.core.model import DEFAULT_DATES
from postmortem_kb.site.calendar import due_items, render_calendar
from postmortem_kb.site.catalog import build_catalog, build_index_json, index_documents
from postmortem_kb.site.pages import generate
from postmortem_kb.terminal.export import action_rows, as_csv, as_json, incident_rows
from tests.conftest import report_text

LIMITS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
EARLIEST, LATEST = DEFAULT_DATES.earliest, DEFAULT_DATES.latest
EDGES = [EARLIEST, EARLIEST + timedelta(days=1), LATEST - timedelta(days=1), LATEST]
dates = st.one_of(st.sampled_from(EDGES), st.dates(min_value=EARLIEST, max_value=LATEST))


def report_on(day: date, due: date, completed: date, index: int) -> str:
    text = report_text(
        f"INC-{day.year}-{index:03d}",
        date=day.isoformat(),
        actions=[
            ("AI-1", "@alice", due.isoformat(), "P0", "Not Started"),
            ("AI-2", "@bob", due.isoformat(), "P1", "Done"),
        ],
    )
    text = text.replace(
        "| Time | Event |\n|---|---|\n| 10:00 | Started |",
        f"| Time | Event |\n|---|---|\n| {day.isoformat()} 10:00 | Started |",
    )
    header = "| Priority | Status |\n"
    return (
        text.replace(header, "| Priority | Status | Completed |\n", 1)
        .replace("| P1 | Done |", f"| P1 | Done | {completed.isoformat()} |")
        .replace("| P0 | Not Started |", "| P0 | Not Started | |")
        .replace("|---|---|---|---|---|---|", "|---|---|---|---|---|---|---|")
    )


@LIMITS
@given(st.lists(st.tuples(dates, dates, dates), min_size=1, max_size=3), dates)
def test_every_accepted_date_builds_every_output(
    reports: list[tuple[date, date, date]], today: date
) -> None:
    """Pages, metrics, search, calendar, exports and policies, across the whole range
    and at its edges (year-9999 due dates overflowed the calendar; year 1 made the
    metrics span 24,000 months)."""
    with tempfile.TemporaryDirectory() as folder:
        files = []
        for index, (day, due, completed) in enumerate(reports, start=1):
            path = Path(folder) / f"r{index}.md"
            path.write_text(report_on(day, due, completed, index), encoding="utf-8")
            files.append((path, path.name))
        config = Settings(build_date=today)
        kb = load(files, config, Path(folder))
        assert not [p for p in kb.problems if p.code == "PM037"], kb.problems
        assert all(r.valid for r in kb.reports)
        started = time.perf_counter()
        generate(kb, today, lambda uri: "/" + uri)
        compute(kb.reports, today)
        build_catalog(kb.reports, lambda report: "", today, kb.settings.default_template)
        build_index_json(index_documents(kb.reports))
        render_calendar(due_items(kb), today, "kb")
        as_json(incident_rows(kb, today))
        as_csv(action_rows(kb, today), list(action_rows(kb, today)[0]))
        policy_problems(kb, today)
        assert time.perf_counter() - started < 30


@LIMITS
@given(st.sampled_from([date(1, 1, 1), date(1969, 12, 31), date(2201, 1, 1), date(9999, 12, 31)]))
def test_a_date_outside_the_range_is_a_problem_and_builds(outside: date) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "r.md"
        path.write_text(report_on(outside, outside, outside, 1), encoding="utf-8")
        kb = load([(path, "r.md")], Settings(build_date=date(2024, 6, 30)), Path(folder))
        assert {p.code for p in kb.problems} >= {"PM037"}
        generate(kb, date(2024, 6, 30), lambda uri: "/" + uri)
        render_calendar(due_items(kb), date(2024, 6, 30), "kb")
        compute(kb.reports, date(2024, 6, 30))


# --- Markdown nesting -------------------------------------------------------------------

EXTENSIONS = [
    "tables",
    "toc",
    "admonition",
    "attr_list",
    "pymdownx.details",
    "pymdownx.superfences",
]
"""This repository's Markdown extensions (mkdocs.yml)."""
RENDER_SECONDS = 2.0


def nested(kinds: list[str], text: str) -> str:
    """``text`` inside the blocks ``kinds`` name, outermost first, as Markdown."""
    prefix = ""
    lines = []
    for kind in kinds:
        if kind == "list":
            lines.append(f"{prefix}- item")
            prefix += "    "
        elif kind == "tab-list":
            lines.append(f"{prefix}- item")
            prefix += "\t"
        elif kind == "quote":
            prefix += "> "
        elif kind == "admonition":
            lines.append(f"{prefix}!!! note")
            prefix += "    "
    lines.append(f"{prefix}{text}")
    return "\n".join(lines) + "\n"


inline = st.sampled_from(["word", "*a* **b**", "[link](x)", "`code`", "[open", "*open"])


@st.composite
def deep_markdown(draw: st.DrawFn) -> str:
    depth = draw(st.integers(min_value=0, max_value=2 * MAX_DEPTH + 10))
    kinds = draw(
        st.lists(
            st.sampled_from(["list", "tab-list", "quote", "admonition"]),
            min_size=depth,
            max_size=depth,
        )
    )
    emphasis = draw(st.integers(min_value=0, max_value=60))
    body = nested(kinds, "*a " * emphasis + draw(inline) + " a*" * emphasis)
    repeats = draw(st.integers(min_value=1, max_value=30))
    return "## Section\n\n" + "\n".join([body] * repeats)


@LIMITS
@given(deep_markdown())
def test_what_the_check_accepts_renders_quickly(text: str) -> None:
    findings = check_markdown(text, parse_tokens(text), 0)
    if findings:
        assert {f.code for f in findings} <= {"PM039", "PM040"}
        return
    started = time.perf_counter()
    markdown.Markdown(extensions=EXTENSIONS).convert(text)  # no RecursionError
    assert time.perf_counter() - started < RENDER_SECONDS


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        (nested(["list"] * MAX_DEPTH, "x"), False),
        (nested(["list"] * (MAX_DEPTH + 1), "x"), True),
        (nested(["quote"] * (MAX_DEPTH + 1), "x"), True),
        ("*a " * 20 + "x" + " a*" * 20, False),
        ("*a " * 21 + "x" + " a*" * 21, True),
        ("```\n" + ">" * 3000 + "\n```\n", False),  # code is not rendered as Markdown
        ("    code\n" * 3 + "\n" + "[x](y) " * 1000, False),
        ("\n\n".join(["[open " * 40] * 200), False),  # short paragraphs: cheap
        ("[open " * 10_000, True),  # one long paragraph: minutes
    ],
)
def test_the_limits_are_where_the_renderer_needs_them(text: str, refused: bool) -> None:
    findings = check_markdown(text, parse_tokens(text), 0)
    assert bool(findings) is refused, findings
    if not refused:
        started = time.perf_counter()
        markdown.Markdown(extensions=EXTENSIONS).convert(text)
        assert time.perf_counter() - started < RENDER_SECONDS
