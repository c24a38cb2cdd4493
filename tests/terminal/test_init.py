"""``pmkb init`` in a new project and in existing ones: safe edits of mkdocs.yml or the
exact lines to add, the reports folder, the workflows and the pre-commit hook for the
project's own layout, and nothing overwritten without --force."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
import yaml

from postmortem_kb.cli import main
from postmortem_kb.core.config import read_project, read_yaml
from postmortem_kb.terminal import init as bootstrap
from postmortem_kb.terminal.scaffold import BUILT_IN_TEMPLATES
from tests.conftest import VALID, pmkb

ROOT = Path(__file__).resolve().parents[2]


def init(project: Path, *args: str, process: bool = False) -> subprocess.CompletedProcess[str]:
    """``pmkb init`` on ``project``: in this process (``main``, as the command calls it), or
    with ``process`` as a real command."""
    if process:
        return pmkb("init", str(project), *args, cwd=project.parent)
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["init", str(project), *args])
    return subprocess.CompletedProcess(["pmkb", "init"], code, out.getvalue(), err.getvalue())


def steps(result: subprocess.CompletedProcess[str]) -> dict[str, str]:
    """What each path's step was, from the lines pmkb init prints."""
    found = {}
    for line in result.stdout.splitlines():
        if match := re.match(r"^(wrote|edited|overwrote|unchanged|kept|to do)\s+([^:]+)", line):
            found.setdefault(match[2].strip(), match[1])
    return found


# --- a new project ---------------------------------------------------------------------


def test_a_new_project_gets_everything_and_a_second_run_changes_nothing(tmp_path: Path) -> None:
    project = tmp_path / "handbook"
    first = init(project, process=True)
    assert first.returncode == 0, first.stdout + first.stderr
    assert steps(first) == {
        "mkdocs.yml": "wrote",
        "docs/index.md": "wrote",
        "docs/postmortems/index.md": "wrote",
        ".github/workflows/postmortems.yml": "wrote",
        ".github/workflows/publish.yml": "wrote",
        ".github/workflows/overdue.yml": "wrote",
        ".pre-commit-config.yaml": "wrote",
    }
    settings = read_project(project / "mkdocs.yml").settings
    assert settings.folder == "postmortems"
    config = read_yaml((project / "mkdocs.yml").read_text())
    assert config["theme"] == {**config["theme"], "name": "material", "font": False}
    before = {p: p.read_bytes() for p in project.rglob("*") if p.is_file()}
    again = init(project)
    assert again.returncode == 0
    assert set(steps(again).values()) == {"unchanged"}
    assert {p: p.read_bytes() for p in project.rglob("*") if p.is_file()} == before


def test_it_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    project = tmp_path / "kb"
    init(project)
    workflow = project / ".github" / "workflows" / "publish.yml"
    workflow.write_text("# ours\n", encoding="utf-8")
    refused = init(project)
    assert refused.returncode == 1
    assert steps(refused)[".github/workflows/publish.yml"] == "kept"
    assert "--force overwrites it" in refused.stdout and "left to you" in refused.stderr
    assert workflow.read_text() == "# ours\n"
    forced = init(project, "--force")
    assert forced.returncode == 0
    assert steps(forced)[".github/workflows/publish.yml"] == "overwrote"
    assert "pmkb overdue" not in workflow.read_text() and "deploy-pages" in workflow.read_text()


def test_a_reports_folder_outside_docs_dir_is_refused(tmp_path: Path) -> None:
    result = init(tmp_path / "kb", "--folder", "../elsewhere")
    assert result.returncode == 2 and "inside docs_dir" in result.stderr
    assert not (tmp_path / "kb" / "mkdocs.yml").exists()


def test_templates_are_copied_on_request_and_pmkb_new_uses_them(tmp_path: Path) -> None:
    project = tmp_path / "kb"
    assert init(project, "--templates").returncode == 0
    copied = project / "docs" / "postmortems" / "templates"
    assert sorted(p.name for p in copied.iterdir()) == sorted(
        p.name for p in BUILT_IN_TEMPLATES.iterdir()
    )
    (copied / "standard.md").write_text(
        (copied / "standard.md").read_text().replace("## Impact", "## Impact\n\n<!-- Ours. -->")
    )
    new = pmkb("new", "Ours", "--date", "2026-11-17", cwd=project)
    assert "from docs/postmortems/templates/standard.md" in new.stderr
    assert "<!-- Ours. -->" in (project / new.stdout.strip()).read_text()


# --- existing projects -----------------------------------------------------------------

EXISTING = """\
# The team handbook.
site_name: Handbook   # shown in the header
docs_dir: pages
site_url: !ENV [SITE_URL, "https://handbook.example/"]

theme:
  name: material
  custom_dir: overrides
  palette:
    primary: indigo     # brand colour

markdown_extensions:
  - pymdownx.emoji:
      emoji_index: !!python/name:material.extensions.emoji.twemoji

plugins:
  - search:
      lang: en
  # tags come from the frontmatter
  - tags

nav:
  - Home: index.md
"""


def existing(tmp_path: Path, text: str = EXISTING, newline: str = "\n") -> Path:
    project = tmp_path / "handbook"
    (project / "pages").mkdir(parents=True)
    (project / "pages" / "index.md").write_text("# Home\n")
    (project / "mkdocs.yml").write_bytes(text.replace("\n", newline).encode())
    return project


def test_an_existing_mkdocs_yml_gains_the_plugin_and_keeps_its_comments(tmp_path: Path) -> None:
    project = existing(tmp_path)
    result = init(project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert steps(result)["mkdocs.yml"] == "edited"
    text = (project / "mkdocs.yml").read_text()
    added = [line for line in text.splitlines() if line not in EXISTING.splitlines()]
    assert added == [
        "  font: false  # no web-font requests (pmkb init)",
        "  - postmortems:",
        "      folder: postmortems",
    ]
    kept = [line for line in text.splitlines() if line in EXISTING.splitlines()]
    assert kept == EXISTING.splitlines()  # every line, comments and tags, in order
    assert text.index("- tags") < text.index("- postmortems") < text.index("nav:")
    assert (project / "pages" / "postmortems" / "index.md").is_file()
    note = result.stdout[result.stdout.index("note      mkdocs.yml: its nav") :]
    assert "  - Postmortems:\n      - postmortems/index.md\n      - incidents/index.md" in note
    hook = yaml.safe_load((project / ".pre-commit-config.yaml").read_text())
    assert hook["repos"][0]["hooks"][0]["files"] == r"^pages/postmortems/.*\.(md|markdown)$"
    flow = yaml.load((project / ".github/workflows/postmortems.yml").read_text(), yaml.BaseLoader)
    assert flow["on"]["pull_request"]["paths"][:3] == ["pages/**", "mkdocs.yml", "overrides/**"]


def test_crlf_line_ends_are_kept(tmp_path: Path) -> None:
    project = existing(tmp_path, newline="\r\n")
    assert init(project).returncode == 0
    data = (project / "mkdocs.yml").read_bytes()
    assert data.count(b"\r\n") == data.count(b"\n")
    assert b"  - postmortems:\r\n" in data


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("plugins:\n- search\n", "plugins:\n- search\n- postmortems:\n    folder: postmortems\n"),
        (
            "plugins:\n  search: {}\n",
            "plugins:\n  search: {}\n  postmortems:\n    folder: postmortems\n",
        ),
        (
            "site_name: t",
            "site_name: t\nplugins:\n  - search\n  - postmortems:\n      folder: postmortems\n",
        ),
    ],
    ids=["sequence at column 0", "mapping of plugins", "no plugins yet"],
)
def test_plugin_lists_of_every_block_form_are_edited(before: str, after: str) -> None:
    assert bootstrap.add_plugin(before, "postmortems") == after


@pytest.mark.parametrize(
    "text",
    [
        "plugins: [search, tags]\n",
        "plugins: &p\n  - search\nother: *p\n",
        "plugins:\n  - search\nplugins:\n  - tags\n",
        'plugins: !ENV [PLUGINS, "search"]\n',
    ],
    ids=["flow style", "anchor", "written twice", "tag"],
)
def test_a_file_that_cannot_be_edited_safely_is_left_alone(tmp_path: Path, text: str) -> None:
    assert bootstrap.add_plugin(text, "postmortems") is None
    project = existing(tmp_path, "site_name: t\ntheme:\n  name: material\n  font: false\n" + text)
    before = (project / "mkdocs.yml").read_bytes()
    result = init(project)
    assert result.returncode == 1
    assert (project / "mkdocs.yml").read_bytes() == before
    snippet = result.stdout[result.stdout.index("plugins:\n") :]
    assert "  - postmortems:\n      folder: postmortems" in snippet


@pytest.mark.parametrize(
    ("theme", "done"),
    [
        ("theme: material\n", "edited"),
        ("theme:\n  name: material\n  font:\n    text: Roboto\n", "to do"),
        ("theme:\n  name: readthedocs\n", "to do"),
    ],
)
def test_web_fonts_are_turned_off_or_the_fix_is_said(tmp_path: Path, theme: str, done: str) -> None:
    project = existing(tmp_path, f"site_name: t\ndocs_dir: pages\n{theme}")
    result = init(project)
    assert steps(result)["mkdocs.yml"] in ("edited", done)
    lines = [line for line in result.stdout.splitlines() if line.startswith(done)]
    assert any("font" in line or "Material" in line for line in lines), result.stdout
    data = read_yaml((project / "mkdocs.yml").read_text())
    if done == "edited":
        assert data["theme"] == {"name": "material", "font": False}
    else:
        assert data["theme"] == read_yaml(theme)["theme"]


def test_a_configured_plugin_is_kept_and_its_folder_used(tmp_path: Path) -> None:
    text = "site_name: t\ntheme:\n  name: material\n  font: false\n"
    text += "plugins:\n  - search\n  - postmortems:\n"
    text += "      folder: incidents-kb\n      pages_dir: ix\n"
    project = existing(tmp_path, text)
    result = init(project, "--folder", "ignored")
    assert result.returncode == 0
    assert (project / "mkdocs.yml").read_text() == text
    assert (project / "docs" / "incidents-kb" / "index.md").is_file()
    assert "(../ix/index.md)" in (project / "docs" / "incidents-kb" / "index.md").read_text()


def test_a_folder_where_the_pages_go_is_named(tmp_path: Path) -> None:
    project = existing(tmp_path)
    (project / "pages" / "incidents").mkdir()
    result = init(project)
    assert result.returncode == 1
    assert "pages/incidents: the plugin generates pages there" in result.stdout


def test_an_existing_pre_commit_config_gets_the_hook_to_add(tmp_path: Path) -> None:
    project = existing(tmp_path)
    (project / ".pre-commit-config.yaml").write_text("repos: []\n")
    result = init(project)
    assert result.returncode == 1
    assert (project / ".pre-commit-config.yaml").read_text() == "repos: []\n"
    assert "add this hook under its repos:\n  - repo: local" in result.stdout


# --- what it writes works ----------------------------------------------------------------


def test_the_written_project_builds_and_checks(tmp_path: Path) -> None:
    project = existing(tmp_path)
    assert init(project).returncode == 0
    report = project / "pages" / "postmortems" / "2024" / "a.md"
    report.parent.mkdir(parents=True)
    report.write_text(VALID, encoding="utf-8")
    assert pmkb("check", "--strict", cwd=project).returncode == 0
    (project / "overrides").mkdir()
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"},
    )
    assert build.returncode == 0, build.stderr
    assert (project / "site" / "incidents" / "index.html").is_file()


def test_the_workflows_match_githubs_schema(tmp_path: Path) -> None:
    project = tmp_path / "kb"
    init(project)
    files = sorted((project / ".github" / "workflows").glob("*.yml"))
    assert [f.name for f in files] == sorted(bootstrap.WORKFLOWS)
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows"]
        + [str(f) for f in files],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    flow = yaml.load(files[1].read_text(), yaml.BaseLoader)  # postmortems.yml
    steps_run = [step.get("run", "") for step in flow["jobs"]["check"]["steps"]]
    assert bootstrap.default_install() in steps_run
    assert "pmkb check --format github --strict" in steps_run


def test_this_repositorys_workflows_are_what_pmkb_init_writes() -> None:
    """One source: the repository's three workflows are made from the package's files,
    with the repository's own install command and the code paths it also watches."""
    settings = read_project(ROOT / "mkdocs.yml").settings
    layout = bootstrap.Layout("postmortems", settings, "overrides")
    made = bootstrap.workflows(layout, "pip install -e .", ["src/**", "pyproject.toml"])
    for name, text in made.items():
        assert (ROOT / ".github" / "workflows" / name).read_text(encoding="utf-8") == text, name


def test_the_pre_commit_hook_checks_only_the_reports_in_any_layout(tmp_path: Path) -> None:
    """Real pre-commit on the configuration pmkb init writes, in a git repository."""
    pre_commit = shutil.which("pre-commit", path=str(Path(sys.executable).parent))
    assert pre_commit, "pre-commit is in the test extras"
    project = existing(tmp_path)
    init(project)
    reports = project / "pages" / "postmortems"
    (reports / "2024").mkdir()
    (reports / "2024" / "good.md").write_text(VALID, encoding="utf-8")
    (project / "pages" / "notes.md").write_text("# Not a report\n")
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": str(tmp_path)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*args], cwd=project, capture_output=True, text=True, timeout=300, env=env
        )

    run("git", "init", "-q")
    run("git", "add", "-A")
    files = ["pages/notes.md", "pages/postmortems/index.md", "pages/postmortems/2024/good.md"]
    good = run(pre_commit, "run", "pmkb-check", "--files", *files)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Passed" in good.stdout
    (reports / "2024" / "bad.md").write_text(VALID.replace("## Timeline", "## Chronology"))
    run("git", "add", "-A")
    bad = run(pre_commit, "run", "pmkb-check", "--files", "pages/postmortems/2024/bad.md")
    assert bad.returncode == 1
    assert "pages/postmortems/2024/bad.md:1: error PM101" in bad.stdout
    assert "PM020" in bad.stdout  # the same id as good.md: checked against the whole base
    other = run(pre_commit, "run", "pmkb-check", "--files", "pages/notes.md")
    assert "no files to check" in other.stdout.lower() or "skipped" in other.stdout.lower()
