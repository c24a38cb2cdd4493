"""core/kb.py on its own: a knowledge base loaded from files, its ids and problems."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from postmortem_kb import Settings, find_reports, load
from postmortem_kb.core.kb import KnowledgeBase, PerReport, ReportCache, is_report
from postmortem_kb.core.report import Report
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


def test_what_was_made_from_an_unchanged_report_is_made_once(tmp_path: Path) -> None:
    """While serving, an unchanged file gives the same report object again, so what was
    made from it (its catalog entry, its part of the serve signature) is kept; an edited
    file's report is a new object and is made again, as is one made with other inputs."""
    files = {}
    for number in (1, 2):
        path = tmp_path / f"r{number}.md"
        path.write_text(report_text(f"INC-2024-00{number}"), encoding="utf-8")
        files[number] = (path, path.name)
    cache = ReportCache()
    made: list[str] = []
    kept: PerReport[str] = PerReport()

    def make_all(kb: KnowledgeBase, inputs: str) -> list[str]:
        def make(report: Report) -> str:
            made.append(report.rel)
            return f"{report.title} ({inputs})"

        return [kept.get(r, inputs, partial(make, r)) for r in kb.reports]

    first = make_all(load(files.values(), Settings(), cache=cache), "today")
    assert made == ["r1.md", "r2.md"]
    again = make_all(load(files.values(), Settings(), cache=cache), "today")
    assert again == first and made == ["r1.md", "r2.md"]  # nothing made again
    path = files[2][0]
    path.write_text(  # a new size and modification time: the file is read again
        path.read_text().replace("Incident INC-2024-002", "Renamed")
    )
    edited = make_all(load(files.values(), Settings(), cache=cache), "today")
    assert made == ["r1.md", "r2.md", "r2.md"] and edited[1] == "Renamed (today)"
    make_all(load(files.values(), Settings(), cache=cache), "tomorrow")
    assert made[3:] == ["r1.md", "r2.md"]  # other inputs: made again
    kept.keep_only([])
    make_all(load(files.values(), Settings(), cache=cache), "tomorrow")
    assert made[5:] == ["r1.md", "r2.md"]  # forgotten
