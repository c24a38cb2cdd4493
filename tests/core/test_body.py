"""core/body.py on its own: sections, their text and tables, at the file's line numbers."""

from __future__ import annotations

from postmortem_kb.core.body import normalise_heading, parse_sections

BODY = """## Executive Summary

Something broke.

## Timeline

| Time | Event |
|---|---|
| 10:00 | Started \\| paged |
| 10:30 | Resolved |

```
## Not a section
```

## Empty
"""


def test_sections_are_the_level_two_headings_with_their_lines() -> None:
    sections = parse_sections(BODY, 10)
    assert [(s.title, s.line, s.has_text) for s in sections] == [
        ("Executive Summary", 11, True),
        ("Timeline", 15, True),
        ("Empty", 26, False),
    ]
    assert sections[0].text.strip() == "Something broke."
    assert sections[0].key == "executive summary"


def test_a_table_keeps_its_rows_cells_and_lines() -> None:
    timeline = parse_sections(BODY, 0)[1]
    (table,) = timeline.tables
    assert table.header == ["Time", "Event"] and table.line == 7
    assert [(r.line, r.cells) for r in table.rows] == [
        (9, ["10:00", "Started | paged"]),
        (10, ["10:30", "Resolved"]),
    ]
    assert table.column("event") == 1 and table.column("Owner") is None


def test_headings_match_whatever_their_case_and_spacing() -> None:
    assert normalise_heading("  Root   Cause ANALYSIS ") == "root cause analysis"


def test_old_line_endings_and_nul_parse_as_the_parser_would_normalise_them() -> None:
    # The parser's own "normalize" rule is off (it was a tenth of the parse time):
    # a body with CR or CRLF line endings, or a NUL, must give the same sections.
    expected = [
        (s.title, s.line, s.tables and s.tables[0].rows[0].cells) for s in parse_sections(BODY, 0)
    ]
    for written in (BODY.replace("\n", "\r\n"), BODY.replace("\n", "\r")):
        sections = parse_sections(written, 0)
        assert [
            (s.title, s.line, s.tables and s.tables[0].rows[0].cells) for s in sections
        ] == expected
    (summary, *_) = parse_sections(BODY.replace("Something", "Some\0thing"), 0)
    assert summary.has_text and summary.title == "Executive Summary"
