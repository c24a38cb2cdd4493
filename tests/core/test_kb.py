"""core/kb.py on its own: a knowledge base loaded from files, its ids and problems."""

from __future__ import annotations

from pathlib import Path

from postmortem_kb import Settings, find_reports, load
from postmortem_kb.core.kb import KnowledgeBase, is_report
from tests.conftest import report_text


def _kb(tmp_path: Path, files: dict[str, str]) -> KnowledgeBase:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    settings = Settings()
    return load(find_reports(tmp_path, settings), settings, display_root=tmp_path)


def test_reports_by_id_and_their_own_problems(tmp_path: Path) -> None:
    kb = _kb(
        tmp_path,
        {
            "2024/a.md": report_text("INC-2024-001", related=["INC-2024-002"]),
            "2024/b.md": report_text("INC-2024-002", severity="SEV9"),
        },
    )
    assert [r.rel for r in kb.reports] == ["2024/a.md", "2024/b.md"]
    assert sorted(kb.by_id()) == ["INC-2024-001", "INC-2024-002"]
    a, b = kb.reports
    assert kb.problems_of(a) == []
    assert [(p.path, p.code) for p in kb.problems_of(b)] == [("2024/b.md", "PM011")]
    assert kb.errors == kb.problems_of(b)


def test_a_duplicate_id_is_a_problem_of_both_files_and_the_first_wins(tmp_path: Path) -> None:
    kb = _kb(
        tmp_path,
        {"a.md": report_text("INC-2024-001"), "b.md": report_text("INC-2024-001", title="Two")},
    )
    assert {p.path for p in kb.problems if p.code == "PM020"} == {"a.md", "b.md"}
    assert kb.by_id()["INC-2024-001"].rel == "a.md"


def test_set_problems_sorts_and_indexes_them(tmp_path: Path) -> None:
    kb = _kb(tmp_path, {"a.md": report_text("INC-2024-001", severity="SEV9")})
    problems = kb.problems
    kb.set_problems([])
    assert kb.problems == [] and kb.problems_of(kb.reports[0]) == []
    kb.set_problems(reversed(problems))
    assert kb.problems == problems and kb.problems_of(kb.reports[0]) == problems


def test_which_files_are_reports() -> None:
    settings = Settings()
    assert is_report("2024/01-outage.md", settings)
    assert not is_report("index.md", settings)
    assert not is_report("2024/index.md", settings)
