"""site/catalog.py on its own: the incident search's catalog entries and index documents."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from postmortem_kb import Settings, find_reports, load
from postmortem_kb.core.kb import KnowledgeBase
from postmortem_kb.site.catalog import build_catalog, entry, index_documents
from postmortem_kb.terminal.export import incident_rows
from tests.conftest import report_text

TODAY = date(2024, 3, 1)


def _kb(tmp_path: Path, files: dict[str, str], **settings: object) -> KnowledgeBase:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    chosen = Settings(**settings)
    return load(find_reports(tmp_path, chosen), chosen)


def test_an_entry_holds_what_the_search_page_filters_and_shows(tmp_path: Path) -> None:
    text = report_text(
        "INC-2024-001",
        severity="SEV1",
        tags=["Config-Push"],
        services=["api"],
        actions=[("AI-1", "@alice", "2024-02-01", "P1", "Not Started")],
        sections={"Executive Summary": "The **pool** ran dry."},
    )
    (report,) = _kb(tmp_path, {"a.md": text}).reports
    found = entry(report, "a/", TODAY, "standard")
    assert {k: found[k] for k in ("id", "url", "date", "severity", "template", "minutes")} == {
        "id": "INC-2024-001",
        "url": "a/",
        "date": "2024-01-15",
        "severity": "SEV1",
        "template": "standard",
        "minutes": 30,
    }
    assert found["tags"] == ["config-push"] and found["services"] == ["api"]
    assert found["summary"] == "The pool ran dry."  # plain text of the first summary
    assert (found["open_actions"], found["overdue_actions"]) == (1, 1)


def test_the_catalog_lists_incidents_newest_first(tmp_path: Path) -> None:
    kb = _kb(
        tmp_path,
        {
            "a.md": report_text("INC-2024-001", date="2024-01-15"),
            "b.md": report_text("INC-2024-002", date="2024-02-20"),
        },
    )
    catalog = build_catalog(kb.reports, lambda report: report.rel, TODAY, "standard")
    assert [i["id"] for i in catalog["incidents"]] == ["INC-2024-002", "INC-2024-001"]
    assert catalog["built"] == "2024-03-01"


def test_a_report_naming_no_template_is_of_the_configured_default(tmp_path: Path) -> None:
    """Not "standard" written into the catalog and the export: the setting's template."""
    kb = _kb(tmp_path, {"a.md": report_text("INC-2024-001")}, default_template="near-miss")
    (report,) = kb.reports
    assert report.meta.report_template is None
    catalog = build_catalog(kb.reports, lambda r: "", TODAY, kb.settings.default_template)
    assert catalog["incidents"][0]["template"] == "near-miss"
    assert incident_rows(kb, TODAY)[0]["template"] == "near-miss"


def test_one_index_document_per_report(tmp_path: Path) -> None:
    kb = _kb(
        tmp_path,
        {"a.md": report_text("INC-2024-001", title="Pool exhausted"), "b.md": report_text("X")},
    )
    documents = index_documents(kb.reports)
    # Refs are positions in the catalog (newest first), so a duplicate id hides nothing.
    assert [d["ref"] for d in documents] == ["0", "1"]
    assert sorted(d["title"] for d in documents) == ["Incident X", "Pool exhausted"]
    assert all(
        d["cause"] == "software bug An error path did not release database connections."
        for d in documents
    )
