"""``pmkb new`` as authors run it: real files in a throwaway project, real processes.

A new report is a Draft whose only problems are the sections still to write
(PM102) and, unless it is a near-miss, the missing impact times (PM015): that
output is the author's to-do list. Filled in, it passes every check.
"""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml

from postmortem_kb import Settings, find_reports, is_report, load
from postmortem_kb.core.body import parse_sections
from postmortem_kb.core.settings import DEFAULT_TEMPLATES
from postmortem_kb.core.source import read_source
from postmortem_kb.terminal.scaffold import BUILT_IN_TEMPLATES, next_id, report_path, slug_of
from tests.conftest import VALID, Site, pmkb

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = BUILT_IN_TEMPLATES


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A knowledge base with the repository's template files and three reports."""
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: t\ndocs_dir: postmortems\nplugins:\n  - postmortems\n", encoding="utf-8"
    )
    docs = tmp_path / "postmortems"
    shutil.copytree(TEMPLATES, docs / "templates")
    for rel, report_id in [
        ("2025/12-december/2025-12-01-a.md", "INC-2025-010"),
        ("2026/01-january/2026-01-05-b.md", "INC-2026-001"),
        ("2026/03-march/2026-03-02-c.md", "INC-2026-007"),
    ]:
        path = docs / rel
        path.parent.mkdir(parents=True)
        path.write_text(VALID.replace("INC-2024-001", report_id), encoding="utf-8")
    return tmp_path


def test_next_id_is_one_more_than_the_years_highest() -> None:
    ids = ["INC-2026-001", "INC-2026-007", "INC-2025-010", "not-an-id"]
    assert next_id(ids, 2026) == "INC-2026-008"
    assert next_id(ids, 2025) == "INC-2025-011"
    assert next_id(ids, 2027) == "INC-2027-001"
    assert next_id([], 2026) == "INC-2026-001"
    assert next_id(["INC-2026-1234"], 2026) == "INC-2026-1235"
    assert next_id(["OPS-2026-004", "OPS-2026-005"], 2026) == "OPS-2026-006"


def test_recommended_path_and_slug(tmp_path: Path) -> None:
    path = report_path(
        tmp_path, date(2026, 11, 17), "Search reindex: 412,600 transactions missing!"
    )
    assert (
        path
        == tmp_path / "2026/11-november/2026-11-17-search-reindex-412-600-transactions-missing.md"
    )
    assert len(slug_of("word " * 40)) <= 60
    assert not slug_of("word " * 40).endswith("-")


def test_new_creates_the_report_and_prints_its_path(project: Path) -> None:
    result = pmkb(
        "new",
        "Checkout errors: CDN config change",
        "--severity",
        "SEV1",
        "--date",
        "2026-11-17",
        "--author",
        "Ana Ruiz",
        "--author",
        'Tom "TJ" Becker',
        cwd=project,
    )
    assert result.returncode == 0, result.stderr
    rel = "postmortems/2026/11-november/2026-11-17-checkout-errors-cdn-config-change.md"
    assert result.stdout.strip() == rel
    assert "INC-2026-008" in result.stderr
    data = read_source(project / rel).data
    assert data is not None
    assert data["id"] == "INC-2026-008"
    assert data["title"] == "Checkout errors: CDN config change"
    assert data["date"] == "2026-11-17"
    assert data["severity"] == "SEV1"
    assert data["status"] == "Draft"
    assert data["authors"] == ["Ana Ruiz", 'Tom "TJ" Becker']
    assert data["report_template"] == "standard"


def test_new_defaults_to_today(project: Path) -> None:
    result = pmkb("new", "Today's incident", cwd=project)
    assert result.returncode == 0, result.stderr
    today = date.today()
    assert result.stdout.strip().startswith(f"postmortems/{today.year}/{today.month:02d}-")
    data = read_source(project / result.stdout.strip()).data
    assert data is not None and data["date"] == today.isoformat()


def test_new_refuses_to_overwrite(project: Path) -> None:
    args = ("new", "Same title", "--date", "2026-11-17")
    first = pmkb(*args, cwd=project)
    assert first.returncode == 0
    path = project / first.stdout.strip()
    path.write_text(path.read_text(encoding="utf-8") + "\nMy notes.\n", encoding="utf-8")
    before = path.read_text(encoding="utf-8")
    second = pmkb(*args, cwd=project)
    assert second.returncode == 1
    assert "already exists" in second.stderr and "never overwrites" in second.stderr
    assert second.stdout == ""
    assert path.read_text(encoding="utf-8") == before


def test_new_works_from_a_subdirectory(project: Path) -> None:
    inside = project / "postmortems" / "2026" / "03-march"
    result = pmkb("new", "From below", "--date", "2026-03-20", cwd=inside)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "2026-03-20-from-below.md"
    assert (inside / "2026-03-20-from-below.md").is_file()


def test_new_outside_a_project_is_a_usage_error(tmp_path: Path) -> None:
    result = pmkb("new", "Nowhere", cwd=tmp_path)
    assert result.returncode == 2
    assert "no mkdocs.yml" in result.stderr


def test_new_with_an_unknown_template_is_a_usage_error(project: Path) -> None:
    result = pmkb("new", "X", "--template", "fancy", cwd=project)
    assert result.returncode == 2
    assert "no template 'fancy'" in result.stderr and "near-miss" in result.stderr


def test_new_refuses_an_id_in_use(project: Path) -> None:
    result = pmkb("new", "X", "--id", "INC-2026-007", cwd=project)
    assert result.returncode == 1
    assert "already used" in result.stderr


def _problems(project: Path, rel: str) -> list[tuple[str, str]]:
    settings = Settings()
    docs = project / "postmortems"
    kb = load(find_reports(docs, settings), settings, project)
    return [(p.code, p.message) for p in kb.problems if p.path == rel]


@pytest.mark.parametrize("template", sorted(DEFAULT_TEMPLATES))
def test_a_new_report_lists_only_what_is_left_to_write(project: Path, template: str) -> None:
    result = pmkb("new", "Fresh", "--template", template, "--date", "2026-11-17", cwd=project)
    assert result.returncode == 0, result.stderr
    rel = result.stdout.strip()
    problems = _problems(project, rel)
    spec = DEFAULT_TEMPLATES[template]
    empty = {m.split("'")[1] for code, m in problems if code == "PM102"}
    tables = {"Timeline", "Action Items"}  # written with their header row, so not empty
    assert empty == set(spec.required) - tables
    allowed = {"PM102"} if template == "near-miss" else {"PM102", "PM015"}
    assert {code for code, _ in problems} == allowed
    check = pmkb("check", rel, cwd=project)
    assert check.returncode == 1


def _fill(text: str) -> str:
    """What an author does: every guidance comment becomes text, tables get rows."""
    text = re.sub(r"<!--.*?-->", "Written: 2,300 merchants for 52 minutes.", text, flags=re.DOTALL)
    text = text.replace("|------|-------|\n", "|------|-------|\n| 10:00 | Impact began |\n")
    text = text.replace(
        "|----|--------|-------|----------|----------|--------|\n",
        "|----|--------|-------|----------|----------|--------|\n"
        "| AI-1 | Add an alert on pool usage | @dba-team | 2026-12-01 | P1 | Not Started |\n",
    )
    text = text.replace(
        "  started:               #", '  started: "2026-11-17T10:00:00Z" #'
    ).replace("  resolved:              #", '  resolved: "2026-11-17T10:52:00Z" #')
    text = text.replace("  started:               #", '  started: "2026-11-17T10:00:00Z" #')
    return text


def _finalise(text: str) -> str:
    """The review's last step: the root cause stated, the status Final."""
    text = text.replace("status: Draft ", "status: Final ")
    text = re.sub(r"^# root_cause:$", "root_cause:", text, flags=re.MULTILINE)
    text = re.sub(r"^#   category: TODO", "  category: capacity", text, flags=re.MULTILINE)
    return re.sub(
        r'^#   summary: "TODO: [^"]*"',
        '  summary: "No alert covered the new volume."',
        text,
        flags=re.MULTILINE,
    )


def test_an_unfinished_root_cause_cannot_reach_final(project: Path) -> None:
    result = pmkb("new", "Half done", "--date", "2026-11-17", "--author", "Ana", cwd=project)
    path = project / result.stdout.strip()
    text = _fill(path.read_text(encoding="utf-8")).replace("status: Draft ", "status: Final ")
    text = re.sub(r"^# root_cause:$", "root_cause:", text, flags=re.MULTILINE)
    text = re.sub(r"^#   (category|summary):", r"  \1:", text, flags=re.MULTILINE)
    assert [c for c, _ in _problems_of_text(project, path, text)] == ["PM204", "PM204"]


@pytest.mark.parametrize("template", sorted(DEFAULT_TEMPLATES))
def test_a_filled_in_report_passes_and_can_become_final(project: Path, template: str) -> None:
    result = pmkb(
        "new",
        "Filled",
        "--template",
        template,
        "--date",
        "2026-11-17",
        "--author",
        "Ana",
        cwd=project,
    )
    path = project / result.stdout.strip()
    filled = _fill(path.read_text(encoding="utf-8"))
    path.write_text(filled, encoding="utf-8")
    assert _problems(project, result.stdout.strip()) == []
    path.write_text(_finalise(filled), encoding="utf-8")
    assert _problems(project, result.stdout.strip()) == []


def test_a_final_report_keeps_no_guidance(project: Path) -> None:
    result = pmkb("new", "Rushed", "--date", "2026-11-17", "--author", "Ana", cwd=project)
    path = project / result.stdout.strip()
    text = path.read_text(encoding="utf-8").replace("status: Draft ", "status: Final ")
    path.write_text(text, encoding="utf-8")
    codes = {code for code, _ in _problems(project, result.stdout.strip())}
    assert {"PM205", "PM206", "PM014"} <= codes


def test_without_authors_the_placeholder_cannot_reach_final(project: Path) -> None:
    result = pmkb("new", "Anonymous", "--date", "2026-11-17", cwd=project)
    path = project / result.stdout.strip()
    text = _fill(path.read_text(encoding="utf-8"))
    assert _problems_of_text(project, path, text) == []
    final = _finalise(text)
    assert [c for c, _ in _problems_of_text(project, path, final)] == ["PM204"]


def _problems_of_text(project: Path, path: Path, text: str) -> list[tuple[str, str]]:
    path.write_text(text, encoding="utf-8")
    return _problems(project, path.relative_to(project).as_posix())


def test_template_files_hold_their_templates_sections() -> None:
    for name, spec in DEFAULT_TEMPLATES.items():
        text = (TEMPLATES / f"{name}.md").read_text(encoding="utf-8")
        source_body = text.split("---\n", 2)[2]
        titles = [s.title for s in parse_sections(source_body, 0)]
        assert sorted(titles) == sorted([*spec.required, *spec.recommended]), name
        assert "report_template: {{template}}" in text
        front = text.split("---\n", 2)[1]
        for placeholder in ("{{id}}", "{{title}}", "{{date}}", "{{severity}}", "{{authors}}"):
            assert placeholder in front, (name, placeholder)


def test_a_configured_template_with_a_file_is_used(project: Path) -> None:
    (project / "mkdocs.yml").write_text(
        "site_name: t\ndocs_dir: postmortems\nplugins:\n  - postmortems:\n"
        "      templates:\n        brief: {required: [Summary, Action Items]}\n",
        encoding="utf-8",
    )
    brief = (
        '---\nid: "{{id}}"\ntitle: "{{title}}"\ndate: "{{date}}"\nseverity: {{severity}}\n'
        "status: Draft\nauthors: [{{authors}}]\nreport_template: {{template}}\n"
        "near_miss: true\n---\n\n"
        "## Summary\n\n<!-- Two sentences. -->\n\n## Action Items\n\nNone yet.\n"
    )
    (project / "postmortems" / "templates" / "brief.md").write_text(brief, encoding="utf-8")
    result = pmkb("new", "Brief one", "--template", "brief", "--date", "2026-11-17", cwd=project)
    assert result.returncode == 0, result.stderr
    text = (project / result.stdout.strip()).read_text(encoding="utf-8")
    assert "<!-- Two sentences. -->" in text and "report_template: brief" in text
    settings = Settings.model_validate({"templates": {"brief": {"required": ["Summary"]}}})
    kb = load([(project / result.stdout.strip(), "x.md")], settings)
    assert [p.code for p in kb.problems] == ["PM102"]


def test_a_configured_template_without_a_file_gets_a_skeleton(project: Path) -> None:
    (project / "mkdocs.yml").write_text(
        "site_name: t\ndocs_dir: postmortems\nplugins:\n  - postmortems:\n"
        "      templates:\n        brief: {required: [Summary, Impact], recommended: [Notes]}\n",
        encoding="utf-8",
    )
    result = pmkb("new", "Skeleton", "--template", "brief", "--date", "2026-11-17", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "no template file" in result.stderr
    text = (project / result.stdout.strip()).read_text(encoding="utf-8")
    body = text.split("---\n", 2)[2]
    assert [s.title for s in parse_sections(body, 0)] == ["Summary", "Impact", "Notes"]
    assert yaml.safe_load(text.split("---\n")[1])["report_template"] == "brief"


def test_templates_are_neither_reports_nor_site_pages(site: Site) -> None:
    assert not is_report("templates/standard.md", Settings())
    assert not is_report("_t/standard.md", Settings(template_dir="_t", exclude=[]))
    assert is_report("templates/standard.md", Settings(template_dir="_t", exclude=[]))
    # In a reports folder below docs_dir, where MkDocs' own default exclusion of a
    # top-level templates/ does not reach: a strict build neither publishes them nor
    # refuses them as pages holding a report's fields (PM034).
    site.configure("folder: postmortems\n")
    shutil.copytree(TEMPLATES, site.docs / "postmortems" / "templates")
    site.add("postmortems/2024/a.md", VALID)
    site.build(strict=True)
    assert not (site.root / "site" / "postmortems" / "templates").exists()
    assert (site.root / "site" / "postmortems" / "2024" / "a" / "index.html").is_file()
    check = pmkb("check", "--strict", cwd=site.root)
    assert check.returncode == 0, check.stdout


def test_without_template_files_the_built_in_ones_are_used(tmp_path: Path) -> None:
    """A project of its own, without a templates folder, gets the full template: every
    field's comment and the tables' header rows, not a skeleton."""
    (tmp_path / "mkdocs.yml").write_text("site_name: t\nplugins:\n  - postmortems\n")
    (tmp_path / "docs").mkdir()
    result = pmkb("new", "First one", "--date", "2026-11-17", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "(the built-in file)" in result.stderr
    text = (tmp_path / result.stdout.strip()).read_text(encoding="utf-8")
    assert text == (TEMPLATES / "standard.md").read_text(encoding="utf-8").replace(
        "{{id}}", "INC-2026-001"
    ).replace("{{title}}", "First one").replace("{{date}}", "2026-11-17").replace(
        "{{severity}}", "SEV2"
    ).replace("{{authors}}", '"TODO: add the authors"').replace("{{template}}", "standard")
    assert "| Time | Event |\n|------|-------|" in text
    assert "| ID | Action | Owner | Due Date | Priority | Status |" in text


def test_a_changed_built_in_template_without_a_file_gets_a_skeleton(tmp_path: Path) -> None:
    """The built-in file would ask for the sections the project replaced."""
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: t\nplugins:\n  - postmortems:\n      templates:\n"
        "        standard: {required: [Summary, Action Items]}\n"
    )
    (tmp_path / "docs").mkdir()
    result = pmkb("new", "Replaced", "--date", "2026-11-17", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "no template file" in result.stderr
    body = (tmp_path / result.stdout.strip()).read_text(encoding="utf-8").split("---\n", 2)[2]
    assert [s.title for s in parse_sections(body, 0)] == ["Summary", "Action Items"]
