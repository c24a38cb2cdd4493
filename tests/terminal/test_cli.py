"""``pmkb`` as a user and CI run it: real processes, real files, exit codes and output."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import Path

import pytest

from postmortem_kb import RULES
from postmortem_kb.cli import main
from postmortem_kb.core.kb import RealPaths
from tests.conftest import VALID, pmkb

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A knowledge base with an mkdocs.yml, two valid reports and one broken one."""
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: t\ndocs_dir: kb\nplugins:\n  - search\n  - postmortems:\n"
        "      rules:\n        PM103: off\n",
        encoding="utf-8",
    )
    reports = tmp_path / "kb" / "2024"
    reports.mkdir(parents=True)
    (tmp_path / "kb" / "index.md").write_text("# Home\n", encoding="utf-8")
    (reports / "a.md").write_text(
        VALID.replace("related: []", "related: [INC-2024-002]"), encoding="utf-8"
    )
    (reports / "b.md").write_text(VALID.replace("INC-2024-001", "INC-2024-002"), encoding="utf-8")
    (reports / "c.md").write_text(
        VALID.replace("INC-2024-001", "INC-2024-003")
        .replace("## Timeline", "## Chronology")
        .replace("## What Went Well", "## Highlights"),
        encoding="utf-8",
    )
    return tmp_path


def test_check_reads_mkdocs_yml_and_reports_errors(project: Path) -> None:
    result = pmkb("check", cwd=project)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "kb/2024/c.md:1: error PM101 missing-section: required section 'Timeline' is missing "
        "(template 'standard')",
        "    hint: Add a '## Timeline' section.",
        "1 error, 0 warnings, 0 notes in 3 postmortems",
    ]  # PM103 (What Went Well) is switched off in mkdocs.yml
    assert result.stderr == ""


def test_check_passes_on_valid_files(project: Path) -> None:
    result = pmkb("check", "kb/2024/a.md", "kb/2024/b.md", cwd=project)
    assert (result.returncode, result.stdout.strip()) == (
        0,
        "0 errors, 0 warnings, 0 notes in 2 postmortems",
    )


def test_one_file_is_checked_against_the_whole_knowledge_base(project: Path) -> None:
    """a.md names INC-2024-002, which lives in b.md: no false 'related-unknown'."""
    assert pmkb("check", "kb/2024/a.md", cwd=project).returncode == 0
    (project / "kb" / "2024" / "d.md").write_text(VALID, encoding="utf-8")  # duplicates a.md's id
    result = pmkb("check", "kb/2024/d.md", cwd=project)
    assert result.returncode == 1
    assert "PM020 duplicate-id: id 'INC-2024-001' is also used by 2024/a.md" in result.stdout
    assert "kb/2024/a.md" not in result.stdout.split("\n")[0]


def test_one_file_gets_the_problems_a_whole_check_finds_for_it(project: Path) -> None:
    """Checking one changed file reads the others' frontmatter only (their bodies hold
    none of its problems): its problems, across reports included, must be the ones a
    check of the whole knowledge base finds for it."""
    reports = project / "kb" / "2024"
    public = VALID.replace("INC-2024-001", "INC-2024-004").replace(
        "related: []", "related: [INC-2024-404, INC-2024-004]"
    )
    public = public.replace("---\n", "---\nvisibility: public\n", 1)
    public = public.replace(
        "## Impact", "Same as INC-2024-002, see [b](b.md); unlike INC-2024-005.\n\n## Impact"
    )
    (reports / "d.md").write_text(public, encoding="utf-8")
    (reports / "e.md").write_text(VALID.replace("INC-2024-001", "INC-2024-004"), encoding="utf-8")
    other_public = VALID.replace("INC-2024-001", "INC-2024-005")  # may be named: it is public
    (reports / "f.md").write_text(other_public.replace("---\n", "---\nvisibility: public\n", 1))
    whole = pmkb("check", "--format", "json", cwd=project)
    one = pmkb("check", "--format", "json", "kb/2024/d.md", cwd=project)
    expected = [p for p in json.loads(whole.stdout)["problems"] if p["path"] == "kb/2024/d.md"]
    assert json.loads(one.stdout)["problems"] == expected
    assert {"PM020", "PM021", "PM022", "PM023"} <= {p["code"] for p in expected}


def test_strict_fails_on_warnings(project: Path) -> None:
    (project / "kb" / "2024" / "b.md").write_text(
        VALID.replace("INC-2024-001", "INC-2024-002").replace(
            "severity:", "severty: SEV1\nseverity:"
        ),
        encoding="utf-8",
    )
    assert pmkb("check", "kb/2024/b.md", cwd=project).returncode == 0
    strict = pmkb("check", "--strict", "kb/2024/b.md", cwd=project)
    assert strict.returncode == 1
    assert (
        "warning PM012 unknown-field: unknown field 'severty'; did you mean 'severity'?"
        in strict.stdout
    )


def test_info_is_shown_in_every_format_and_never_fails_strict(project: Path) -> None:
    """PM103 is info by default: listed, counted, a GitHub notice; exit 0 with --strict."""
    (project / "mkdocs.yml").write_text("site_name: t\ndocs_dir: kb\n", encoding="utf-8")
    report = "kb/2024/b.md"
    (project / report).write_text(
        VALID.replace("INC-2024-001", "INC-2024-002").replace("## What Went Well", "## Good"),
        encoding="utf-8",
    )
    text = pmkb("check", "--strict", report, cwd=project)
    assert text.returncode == 0, text.stdout
    assert text.stdout.splitlines() == [
        f"{report}:1: info PM103 recommended-section: recommended section 'What Went Well' "
        "is missing (template 'standard')",
        "    hint: Add a '## What Went Well' section, or turn PM103 off for this knowledge base.",
        "0 errors, 0 warnings, 1 note in 1 postmortem",
    ]
    document = json.loads(pmkb("check", "--strict", "--format", "json", report, cwd=project).stdout)
    assert (document["errors"], document["warnings"], document["notes"]) == (0, 0, 1)
    assert document["problems"][0]["level"] == "info"
    github = pmkb("check", "--strict", "--format", "github", report, cwd=project)
    assert github.returncode == 0
    assert github.stdout.startswith(f"::notice file={report},line=1,title=PM103 ")


def test_json_format(project: Path) -> None:
    result = pmkb("check", "--format", "json", cwd=project)
    document = json.loads(result.stdout)
    assert (document["files"], document["errors"], document["warnings"]) == (3, 1, 0)
    [problem] = document["problems"]
    assert problem == {
        "path": "kb/2024/c.md",
        "line": 1,
        "code": "PM101",
        "rule": "missing-section",
        "level": "error",
        "message": "required section 'Timeline' is missing (template 'standard')",
        "hint": "Add a '## Timeline' section.",
    }


def test_github_format_writes_workflow_annotations(project: Path) -> None:
    result = pmkb("check", "--format", "github", cwd=project)
    assert result.stdout.splitlines()[0] == (
        "::error file=kb/2024/c.md,line=1,title=PM101 missing-section::required section "
        "'Timeline' is missing (template 'standard'). Hint: Add a '## Timeline' section."
    )


def test_usage_errors_exit_2_without_traceback(project: Path, tmp_path: Path) -> None:
    missing = pmkb("check", "nowhere.md", cwd=project)
    assert (missing.returncode, missing.stderr.strip()) == (
        2,
        "pmkb: no such file or folder: nowhere.md",
    )
    assert pmkb("check", "--format", "xml", cwd=project).returncode == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    no_config = pmkb("check", cwd=empty)
    assert no_config.returncode == 2 and "no mkdocs.yml here" in no_config.stderr
    (project / "mkdocs.yml").write_text("plugins:\n  - postmortems:\n      id_pattern: '('\n")
    bad_option = pmkb("check", cwd=project)
    assert bad_option.returncode == 2
    assert "id_pattern" in bad_option.stderr and "Traceback" not in bad_option.stderr


def test_mkdocs_yml_with_python_tags_is_readable(project: Path) -> None:
    config = project / "mkdocs.yml"
    config.write_text(
        config.read_text() + "markdown_extensions:\n  - pymdownx.emoji:\n"
        "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
        "site_url: !ENV [SITE_URL, 'https://example.org']\n"
    )
    assert pmkb("check", "kb/2024/a.md", cwd=project).returncode == 0


def test_rules_lists_every_rule_with_configured_levels(project: Path) -> None:
    result = pmkb("rules", cwd=project)
    assert result.returncode == 0
    table, legend = result.stdout.split("\n\n")
    lines = table.splitlines()
    assert [line.split()[0] for line in lines] == list(RULES)
    assert any(line.split()[:3] == ["PM103", "recommended-section", "off"] for line in lines)
    assert [line.split()[0] for line in legend.splitlines()] == ["error", "warning", "info", "off"]
    assert "never fails" in legend.splitlines()[2]
    listed = json.loads(pmkb("rules", "--format", "json", cwd=project).stdout)
    assert {rule["code"] for rule in listed} == set(RULES)


def test_repository_samples_pass_the_check() -> None:
    result = pmkb("check", "--strict", cwd=ROOT)
    assert result.returncode == 0, result.stdout
    assert result.stdout.strip().endswith("0 errors, 0 warnings, 0 notes in 10 postmortems")


def test_every_plugin_option_is_understood_by_the_cli(project: Path) -> None:
    """The CLI reads the same options as the plugin, including the site-only ones."""
    (project / "mkdocs.yml").write_text(
        "docs_dir: kb\nplugins:\n  - postmortems:\n      pages_dir: reports-index\n"
        "      nav_reports: true\n      related_limit: 3\n      related_threshold: 0.4\n"
        "      build_date: 2024-03-01\n      rules: {PM103: off}\n",
        encoding="utf-8",
    )
    result = pmkb("check", "kb/2024/a.md", cwd=project)
    assert (result.returncode, result.stderr) == (0, "")


def test_unknown_default_template_is_a_usage_error(project: Path) -> None:
    (project / "mkdocs.yml").write_text(
        "docs_dir: kb\nplugins:\n  - postmortems:\n      default_template: fancy\n",
        encoding="utf-8",
    )
    result = pmkb("check", cwd=project)
    assert result.returncode == 2
    assert "default_template 'fancy' is not a template" in result.stderr
    assert "Traceback" not in result.stderr


def test_real_paths_lead_where_resolve_leads(tmp_path: Path) -> None:
    """Problems name files by their real location; each folder is resolved only once,
    so a linked folder or a linked file must still come out as ``resolve()`` has it."""
    folder = tmp_path / "real" / "2024"
    folder.mkdir(parents=True)
    (folder / "a.md").write_text("a", encoding="utf-8")
    (tmp_path / "elsewhere.md").write_text("b", encoding="utf-8")
    (tmp_path / "linked").symlink_to(tmp_path / "real")
    (folder / "to-a.md").symlink_to(folder / "a.md")
    (folder / "to-elsewhere.md").symlink_to(tmp_path / "elsewhere.md")
    paths = [
        folder / "a.md",
        tmp_path / "linked" / "2024" / "a.md",
        tmp_path / "linked" / "2024" / "to-a.md",
        folder / "to-elsewhere.md",
        folder / "missing.md",
        Path("relative.md"),
    ]
    real = RealPaths()
    assert [real(p) for p in paths] == [p.resolve() for p in paths]
    assert real(folder / "to-a.md") == folder / "a.md"


def test_a_command_leaves_the_garbage_collector_running(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The collector is paused while a command runs (it keeps what it reads), and
    running again afterwards for a program that calls ``main`` and goes on."""
    monkeypatch.chdir(project)
    assert gc.isenabled()
    assert main(["check"]) == 1
    assert "1 error" in capsys.readouterr().out
    assert gc.isenabled()


def test_check_starts_without_the_site_layer(project: Path) -> None:
    """`pmkb check` (a pre-commit hook runs it on every commit) loads no MkDocs, Jinja,
    feed or calendar code: importing them was 0.4 s of a one-file check's second."""
    probe = (
        "import sys\n"
        "from postmortem_kb.cli import main\n"
        "code = main(['check'])\n"
        "heavy = ('mkdocs', 'jinja2', 'icalendar', 'feedgen')\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in heavy"
        " or m.startswith('postmortem_kb.site')]\n"
        "print(code, sorted(loaded)[:5])\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", probe], cwd=project, capture_output=True, text=True, check=True
    )
    assert run.stdout.splitlines()[-1] == "1 []"  # c.md's error found; nothing heavy loaded


def test_render_rejects_an_unknown_engine(project: Path) -> None:
    unknown = pmkb("render", "--engine", "hugo", "out", cwd=project)
    assert unknown.returncode == 2
    assert "invalid choice: 'hugo' (choose from 'mkdocs', 'zensical')" in unknown.stderr
    assert not (project / "out").exists()
