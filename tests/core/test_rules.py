"""Every rule, each with a report that breaks it and the valid report that does not."""

from __future__ import annotations

from pathlib import Path

import pytest

from postmortem_kb import RULES, Level, Settings, load
from postmortem_kb.analysis.policies import POLICY_CODES
from tests.conftest import VALID, check_text, codes

ACTIONS_HEADER = "| ID | Action | Owner | Due Date | Priority | Status |"


def replace(old: str, new: str):
    def mutate(text: str) -> str:
        assert old in text, f"fixture lacks {old!r}"
        return text.replace(old, new, 1)

    return mutate


# (rule code, what breaks it, mutation of the valid report, expected line or None)
BREAKING = [
    ("PM002", "no frontmatter", lambda t: t.split("---\n", 2)[2], 1),
    ("PM003", "unterminated frontmatter", replace("related: []\n---\n", "related: []\n"), 1),
    ("PM004", "YAML syntax error", replace("severity: SEV1", "severity: SEV1: high"), 5),
    (
        "PM005",
        "frontmatter is a list",
        lambda t: "---\n- a\n- b\n---\n" + t.split("---\n", 2)[2],
        2,
    ),
    (
        "PM007",
        "severity written twice",
        replace("status: Final\n", "status: Final\nseverity: SEV3\n"),
        7,
    ),
    ("PM010", "missing severity", replace("severity: SEV1\n", ""), 1),
    ("PM011", "unknown severity", replace("severity: SEV1", "severity: SEV9"), 5),
    ("PM011", "impossible date", replace('date: "2024-01-15"', "date: 2023-02-30"), 4),
    (
        "PM011",
        "unquoted YAML 1.1 time",
        replace('title: "API outage: connection pool exhausted"', "title: 10:13"),
        3,
    ),
    (
        "PM011",
        "users_affected negative",
        replace("users_affected: 50000", "users_affected: -1"),
        20,
    ),
    (
        "PM011",
        "factor category outside the fishbone",
        replace("- category: process", "- category: luck"),
        14,
    ),
    ("PM012", "misspelt field", replace("severity: SEV1\n", "severity: SEV1\nseverty: SEV1\n"), 6),
    ("PM013", "id off pattern", replace("id: INC-2024-001", "id: INC-24-1"), 2),
    (
        "PM014",
        "Final without root cause",
        replace(
            "root_cause:\n  category: software-bug\n"
            '  summary: "An error path did not release database connections."\n',
            "",
        ),
        6,
    ),
    ("PM015", "no start time", replace('  started: "2024-01-15T10:13:00Z"\n', ""), 16),
    (
        "PM016",
        "detected before started",
        replace('detected: "2024-01-15T10:15', 'detected: "2024-01-15T10:05'),
        18,
    ),
    (
        "PM017",
        "time without timezone",
        replace('started: "2024-01-15T10:13:00Z"', 'started: "2024-01-15T10:13:00"'),
        17,
    ),
    (
        "PM018",
        "unknown template",
        replace("status: Final\n", "status: Final\nreport_template: fancy\n"),
        7,
    ),
    (
        "PM050",
        "the old template key",
        replace("status: Final\n", "status: Final\ntemplate: standard\n"),
        7,
    ),
    (
        "PM051",
        "both template keys",
        replace("status: Final\n", "status: Final\nreport_template: standard\ntemplate: x\n"),
        8,
    ),
    (
        "PM021",
        "related id that does not exist",
        replace("related: []", "related: [INC-2099-999]"),
        21,
    ),
    ("PM022", "related to itself", replace("related: []", "related: [INC-2024-001]"), 21),
    (
        "PM024",
        "not_related id that does not exist",
        replace("related: []", "related: []\nnot_related: [INC-2099-999]"),
        22,
    ),
    (
        "PM025",
        "not related to itself",
        replace("related: []", "related: []\nnot_related: [INC-2024-001]"),
        22,
    ),
    ("PM101", "Timeline missing", lambda t: t.replace("## Timeline", "## Chronology"), 1),
    (
        "PM102",
        "Impact empty",
        replace("About 50,000 users saw errors for 47 minutes.\n", "<!-- quantify -->\n"),
        27,
    ),
    ("PM103", "no What Went Well", replace("## What Went Well", "## Things we liked"), 1),
    ("PM104", "Impact twice", lambda t: t + "\n## Impact\n\nMore.\n", 62),
    (
        "PM110",
        "timeline row with an extra cell",
        replace("| 10:15 | On-call engineer paged |", "| 10:15 | paged | extra |"),
        36,
    ),
    (
        "PM111",
        "Timeline without table",
        lambda t: t.replace("| Time | Event |", "| When | What |"),
        31,
    ),
    ("PM112", "time that is not a time", replace("| 10:15 |", "| quarter past ten |"), 36),
    ("PM113", "rows out of order", replace("| 10:15 |", "| 09:15 |"), 36),
    (
        "PM120",
        "Final report without action table",
        lambda t: (
            t.replace(ACTIONS_HEADER, "Owners to be found.")
            .replace("|----|--------|-------|----------|----------|--------|\n", "")
            .replace(
                "| AI-1 | Add connection pool alerting | @alice | 2024-01-20 | P0 | Done |\n", ""
            )
            .replace(
                "| AI-2 | Test error paths under load | @bob | 2024-02-01 | P1 | In Progress |\n",
                "",
            )
        ),
        43,
    ),
    (
        "PM121",
        "no Priority column",
        lambda t: t.replace("Due Date | Priority |", "Due Date | Urgency |"),
        45,
    ),
    ("PM122", "priority P7", replace("| P0 |", "| P7 |"), 47),
    ("PM123", "status Doing", replace("| In Progress |", "| Doing |"), 48),
    ("PM124", "due date 30 February", replace("2024-02-01", "2024-02-30"), 48),
    ("PM125", "two AI-1", replace("| AI-2 |", "| AI-1 |"), 48),
    (
        "PM126",
        "issue that is no URL",
        lambda t: (
            t.replace("| Status |", "| Status | Issue |")
            .replace("|--------|\n", "|--------|---|\n")
            .replace("| Done |", "| Done | OPS-12 |")
            .replace("| In Progress |", "| In Progress | https://tracker.example/OPS-13 |")
        ),
        47,
    ),
    ("PM127", "no owner", replace("| @bob |", "|  |"), 48),
    (
        "PM128",
        "completed on 32 January",
        lambda t: (
            t.replace("| Status |", "| Status | Completed |")
            .replace("|--------|\n", "|--------|---|\n")
            .replace("| Done |", "| Done | 2024-01-32 |")
            .replace("| In Progress |", "| In Progress | |")
        ),
        47,
    ),
]

# Review checks on the words (lint.py); tests/core/test_lint.py has both sides of each.
BREAKING += [
    (
        "PM201",
        "blameful phrasing",
        replace("Load tests missed error paths.", "This was a stupid mistake."),
        56,
    ),
    (
        "PM202",
        "an author named as the cause",
        replace(
            "A new error path did not release its connection.",
            "Bob deployed code that caused the outage.",
        ),
        41,
    ),
    (
        "PM203",
        "vague impact",
        replace("About 50,000 users saw errors for 47 minutes.", "Many users saw errors."),
        29,
    ),
    ("PM204", "Final with a TODO", replace("Detection took two minutes.", "TODO: detection."), 52),
    (
        "PM205",
        "Final with template guidance",
        replace("Detection took two minutes.", "Fast.\n\n<!-- What helped? -->"),
        54,
    ),
    (
        "PM206",
        "Final with an empty timeline table",
        lambda t: (
            t.replace("| 10:13 | First alerts: high error rate on the API |\n", "")
            .replace("| 10:15 | On-call engineer paged |\n", "")
            .replace("| 11:00 | Incident resolved |\n", "")
        ),
        33,
    ),
    ("PM207", "owner TBD", replace("| @bob |", "| TBD |"), 48),
    # Limits (limits.py, model.py): what the site can render in bounded time and memory.
    ("PM037", "incident in year 1", replace('date: "2024-01-15"', 'date: "0001-01-01"'), 4),
    ("PM037", "due in year 9999", replace("| 2024-02-01 |", "| 9999-12-31 |"), 48),
    (
        "PM037",
        "impact before 1970",
        replace('started: "2024-01-15T10:13:00Z"', 'started: "1969-12-31T23:00:00Z"'),
        17,
    ),
    (
        "PM037",
        "timeline row in 2201",
        replace("| 11:00 | Incident resolved |", "| 2201-01-01 11:00 | Incident resolved |"),
        37,
    ),
    ("PM011", "revenue .inf", replace("users_affected: 50000", "revenue_usd: .inf"), 20),
    ("PM011", "4,000-digit count", replace("50000", "9" * 4000), 20),
    ("PM038", "title of 300 characters", replace("API outage:", "x" * 300), 3),
    ("PM038", "tag of 101 characters", replace("database,", "t" * 101 + ","), 8),
    (
        "PM039",
        "600 nested list items",
        replace("Test error paths under load.", "".join("\t" * i + "- x\n" for i in range(600))),
        81,
    ),
    (
        "PM039",
        "emphasis nested 1,000 deep",
        replace("Load tests missed error paths.", "*a " * 1000 + "x" + " a*" * 1000),
        56,
    ),
    ("PM040", "50 KB of '['", replace("Load tests missed error paths.", "[" * 50_000), 56),
    (
        "PM040",
        "a 500 KB paragraph of links",
        replace("Load tests missed error paths.", "[a](b) " * 70_000),
        56,
    ),
    (
        "PM041",
        "billion laughs",
        replace(
            "related: []\n",
            "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
            "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c]\n"
            "e: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n",
        ),
        None,
    ),
    (
        "PM042",
        "tags as a !!set",
        replace("tags: [database, connection-pool]", "tags: !!set {a, b}"),
        8,
    ),
    (
        "PM208",
        "action without a verb",
        replace("| Test error paths under load |", "| Error path coverage |"),
        48,
    ),
    (
        "PM209",
        "hindsight about a person",
        replace("Load tests missed error paths.", "The on-call engineer should have rolled back."),
        56,
    ),
    ("PM210", "omission", replace("Load tests missed error paths.", "Someone forgot to test."), 56),
    (
        "PM211",
        "human error as the explanation",
        replace("Load tests missed error paths.", "The root cause was human error."),
        56,
    ),
    (
        "PM212",
        "a colleague named in blame",
        replace("Load tests missed error paths.", "Carol forgot to renew the certificate."),
        56,
    ),
    (
        "PM213",
        "an action that asks for care",
        replace("| Test error paths under load |", "| Be more careful with error paths |"),
        48,
    ),
    (
        "PM214",
        "a counterfactual outcome",
        replace("Load tests missed error paths.", "This could have been prevented."),
        56,
    ),
]


def test_the_fixture_is_valid(tmp_path: Path) -> None:
    assert check_text(tmp_path, VALID) == []


@pytest.mark.parametrize(
    ("code", "mutate", "line"),
    [pytest.param(code, mutate, line, id=f"{code}-{why}") for code, why, mutate, line in BREAKING],
)
def test_rule_fires_on_its_breakage(tmp_path: Path, code: str, mutate, line: int | None) -> None:
    problems = check_text(tmp_path, mutate(VALID))
    hits = [p for p in problems if p.code == code]
    assert hits, f"{code} not reported; got {codes(problems)}"
    problem = hits[0]
    assert problem.path == "report.md"
    assert problem.name == RULES[code].name
    assert problem.hint
    if line is not None:
        assert problem.line == line, problem


def test_every_rule_has_a_breaking_example() -> None:
    covered = {code for code, *_ in BREAKING} | {"PM001", "PM020", "PM026"}  # tested below
    covered |= set(POLICY_CODES)  # need --policies and a date: tests/analysis/test_policies.py
    covered.add("PM023")  # needs a public and an internal report: tests/site/test_editions.py
    covered.add("PM006")  # needs a symbolic link: tests/test_nothing_lost.py
    # The publish gate's rules need links, FIFOs, names and folders; PM043 a theme:
    # tests/core/test_gate.py (and the hostile corpus, tests/core/test_hostile.py).
    covered |= {"PM030", "PM031", "PM032", "PM033", "PM034", "PM035", "PM036", "PM043"}
    assert covered == set(RULES)


def test_unreadable_bytes_name_their_line(tmp_path: Path) -> None:
    path = tmp_path / "report.md"
    path.write_bytes(VALID.encode().replace(b"Detection took", b"Detection \xff took"))
    problems = load([(path, "report.md")], Settings(), tmp_path).problems
    assert [(p.code, p.line) for p in problems] == [("PM001", 52)]


def test_a_duplicate_key_names_both_lines_and_later_lines_point_at_the_kept_value(
    tmp_path: Path,
) -> None:
    text = VALID.replace("related: []\n", "related: []\nimpact:\n  started: 10:13\n")
    problems = check_text(tmp_path, text)
    duplicate = next(p for p in problems if p.code == "PM007")
    assert duplicate.line == 22 and "'impact' is set twice, at lines 16 and 22" in duplicate.message
    # The second impact is the one YAML kept: its problems name its own lines.
    assert [(p.code, p.line) for p in problems if p.code == "PM011"] == [("PM011", 23)]


def test_thousands_of_duplicate_keys_give_a_bounded_list(tmp_path: Path) -> None:
    text = VALID.replace("related: []\n", "related: []\n" + "note: x\n" * 5000, 1)
    duplicates = [p for p in check_text(tmp_path, text) if p.code == "PM007"]
    assert len(duplicates) == 11
    assert (
        duplicates[-1].message == "4989 more keys set twice in 'the frontmatter' from this line on"
    )
    assert duplicates[-1].line == 22 + 11


def test_a_key_yaml_reads_as_a_boolean_is_named_as_written(tmp_path: Path) -> None:
    text = VALID.replace("related: []\n", "related: []\non: push\nimpact:\n  yes: 1\n", 1)
    problems = [p for p in check_text(tmp_path, text) if p.code == "PM012"]
    assert [(p.line, p.message) for p in problems] == [
        (22, "unknown field 'on' (YAML 1.1 reads the key as a boolean, not a name)"),
        (24, "unknown field 'impact.yes' (YAML 1.1 reads the key as a boolean, not a name)"),
    ]


def test_duplicate_ids_are_reported_in_both_files(tmp_path: Path) -> None:
    for name in ("a.md", "b.md"):
        (tmp_path / name).write_text(VALID, encoding="utf-8")
    kb = load([(tmp_path / "a.md", "a.md"), (tmp_path / "b.md", "b.md")], Settings(), tmp_path)
    assert [(p.path, p.code, p.line) for p in kb.problems] == [
        ("a.md", "PM020", 2),
        ("b.md", "PM020", 2),
    ]
    assert "b.md" in kb.problems[0].message


def test_an_id_both_related_and_not_related_is_reported(tmp_path: Path) -> None:
    both = VALID.replace("related: []", "related: [INC-2024-002]\nnot_related: [INC-2024-002]")
    (tmp_path / "a.md").write_text(both, encoding="utf-8")
    other = VALID.replace("id: INC-2024-001", "id: INC-2024-002")
    (tmp_path / "b.md").write_text(other, encoding="utf-8")
    kb = load([(tmp_path / "a.md", "a.md"), (tmp_path / "b.md", "b.md")], Settings(), tmp_path)
    assert [(p.path, p.code, p.line) for p in kb.problems] == [("a.md", "PM026", 22)]
    assert "always shows" in kb.problems[0].message


def test_yaml_surprise_is_explained(tmp_path: Path) -> None:
    text = VALID.replace('title: "API outage: connection pool exhausted"', "title: no")
    [problem] = check_text(tmp_path, text)
    assert "unquoted 'no' as the boolean false" in problem.message
    assert 'write it in quotes: "no"' in problem.message


def test_all_problems_of_a_file_come_in_one_run(tmp_path: Path) -> None:
    text = (
        VALID.replace("severity: SEV1", "severity: SEV9")
        .replace("| 10:15 |", "| 09:15 |")
        .replace("| P0 |", "| P7 |")
        .replace("## Impact", "## Effects")
    )
    assert sorted(set(codes(check_text(tmp_path, text)))) == ["PM011", "PM101", "PM113", "PM122"]


# --- reports that must pass ------------------------------------------------

PASSING = [
    (
        "a Draft may leave Action Items without a table",
        lambda t: (
            t.replace("status: Final", "status: Draft")
            .replace(ACTIONS_HEADER, "To be agreed.")
            .replace("|----|--------|-------|----------|----------|--------|\n", "")
            .replace(
                "| AI-1 | Add connection pool alerting | @alice | 2024-01-20 | P0 | Done |\n", ""
            )
            .replace(
                "| AI-2 | Test error paths under load | @bob | 2024-02-01 | P1 | In Progress |\n",
                "",
            )
        ),
    ),
    (
        "a near-miss needs no impact times",
        lambda t: (
            t.replace("impact:\n", "near_miss: true\nimpact:\n")
            .replace('  started: "2024-01-15T10:13:00Z"\n', "")
            .replace('  resolved: "2024-01-15T11:00:00Z"\n', "")
        ),
    ),
    (
        "headings match whatever their case and spacing",
        lambda t: t.replace("## Root Cause Analysis", "##   root cause  ANALYSIS  "),
    ),
    (
        "a timeline crossing midnight with full dates",
        lambda t: t.replace("| 11:00 |", "| 2024-01-16 00:30 |"),
    ),
    (
        "statuses ignore case and curly apostrophes",
        lambda t: t.replace("| Done |", "| Won\u2019t do |").replace(
            "| In Progress |", "| blocked |"
        ),
    ),
    (
        "an escaped pipe stays inside its cell",
        lambda t: t.replace("On-call engineer paged", "Paged on-call \\| and backup"),
    ),
    (
        "a Markdown link in the Issue column",
        lambda t: (
            t.replace("| Status |", "| Status | Issue |")
            .replace("|--------|\n", "|--------|---|\n")
            .replace("| Done |", "| Done | [OPS-12](https://tracker.example/OPS-12) |")
            .replace("| In Progress |", "| In Progress | |")
        ),
    ),
    ("dates written unquoted", lambda t: t.replace('date: "2024-01-15"', "date: 2024-01-15")),
    ("a UTF-8 byte-order mark and CRLF line endings", lambda t: "\ufeff" + t.replace("\n", "\r\n")),
]


class _Exact(str):
    """The valid report's text, whose ``replace`` fails when there is nothing to replace:
    a variant whose edit no longer applies would pass as the valid report itself."""

    __slots__ = ()

    def replace(self, old: str, new: str, count: int = -1) -> _Exact:  # type: ignore[override]
        assert old in self, f"the variant's edit no longer applies: {old!r} is not in the text"
        return _Exact(str.replace(self, old, new, count))


@pytest.mark.parametrize(("mutate",), [pytest.param(m, id=why) for why, m in PASSING])
def test_valid_variants_pass(tmp_path: Path, mutate) -> None:
    text = mutate(_Exact(VALID))
    assert text != VALID
    assert check_text(tmp_path, str(text)) == []


def test_a_variant_whose_edit_no_longer_applies_fails() -> None:
    with pytest.raises(AssertionError, match="no longer applies"):
        _Exact(VALID).replace("## No Such Section", "## Another")


def test_heading_inside_code_block_is_not_a_section(tmp_path: Path) -> None:
    text = VALID.replace("## Timeline", "```\n## Timeline\n```\n\n## Chronology")
    problems = check_text(tmp_path, text)
    assert "PM101" in codes(problems)
    assert "Timeline" in next(p.message for p in problems if p.code == "PM101")


def test_rules_can_be_switched_off_or_downgraded(tmp_path: Path) -> None:
    text = VALID.replace("## What Went Well", "## Good").replace("| P0 |", "| P7 |")
    assert sorted(codes(check_text(tmp_path, text))) == ["PM103", "PM122"]
    problems = check_text(tmp_path, text, rules={"recommended-section": "off", "PM122": "warning"})
    assert [(p.code, p.level) for p in problems] == [("PM122", Level.WARNING)]


def test_the_old_template_key_still_selects_the_template(tmp_path: Path) -> None:
    """A report written before the rename keeps its template: its sections are checked
    against it, its unknown name is an error at its line, and it only gets a note."""
    google = VALID.replace("status: Final\n", "status: Final\ntemplate: google-sre\n")
    problems = check_text(tmp_path, google)
    assert {p.code for p in problems} >= {"PM050", "PM101"}  # google-sre's own sections
    assert all(p.level is Level.INFO for p in problems if p.code == "PM050")
    same = google.replace("template: google-sre", "report_template: google-sre")
    assert "PM101" in codes(check_text(tmp_path, same))
    unknown = check_text(tmp_path, google.replace("google-sre", "fancy"))
    assert [(p.code, p.line) for p in unknown if p.code == "PM018"] == [("PM018", 7)]
    both = google.replace("template: google-sre", "report_template: standard\ntemplate: x")
    assert "PM018" not in codes(check_text(tmp_path, both))  # the new key wins


def test_configured_template_and_id_pattern(tmp_path: Path) -> None:
    text = VALID.replace("id: INC-2024-001", "id: OPS-7").replace(
        "status: Final\n", "status: Final\nreport_template: Brief\n"
    )
    settings = {"id_pattern": r"^OPS-\d+$", "templates": {"brief": {"required": ["Impact"]}}}
    assert check_text(tmp_path, text, **settings) == []
    without_impact = text.replace("## Impact", "## Effects")
    assert codes(check_text(tmp_path, without_impact, **settings)) == ["PM101"]
