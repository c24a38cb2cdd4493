"""``pmkb migrate``: the old ``template:`` key renamed, every other byte kept, and files
it cannot prove the same left untouched."""

from __future__ import annotations

from pathlib import Path

import pytest

from postmortem_kb import Settings, load
from postmortem_kb.cli import main
from tests.conftest import VALID, codes, pmkb

MKDOCS_YML = "site_name: t\ndocs_dir: docs\nplugins:\n  - postmortems:\n      folder: postmortems\n"

OLD = VALID.replace(
    "status: Final\n",
    "status: Final\n# the section set\ntemplate: 'standard'   # chosen by pmkb new\n",
)
"""A report of before the rename, with comments and quoting around the key."""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
    (tmp_path / "docs" / "postmortems").mkdir(parents=True)
    return tmp_path


def write(project: Path, name: str, text: str, newline: str = "\n") -> Path:
    path = project / "docs" / "postmortems" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.replace("\n", newline).encode("utf-8"))
    return path


def run(project: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    import os

    here = Path.cwd()
    os.chdir(project)
    try:
        code = main(["migrate", *args])
    finally:
        os.chdir(here)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_the_key_is_renamed_and_nothing_else_changes(
    project: Path, newline: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(project, "2024/a.md", OLD, newline)
    before = path.read_bytes()
    code, out, _ = run(project, capsys=capsys)
    assert code == 0
    assert "line 8: template: 'standard'   # chosen by pmkb new -> report_template:" in out
    after = path.read_bytes()
    assert after == before.replace(b"\ntemplate: 'standard'", b"\nreport_template: 'standard'")
    assert after.count(b"\r\n") == before.count(b"\r\n")
    assert codes(load([(path, "a.md")], Settings()).problems) == []  # no PM050 left
    # Idempotent: a second run changes nothing.
    assert run(project, capsys=capsys)[0] == 0
    assert path.read_bytes() == after


def test_check_exits_1_and_writes_nothing(project: Path, capsys) -> None:
    path = write(project, "2024/a.md", OLD)
    untouched = write(project, "2024/b.md", VALID.replace("INC-2024-001", "INC-2024-002"))
    code, out, err = run(project, "--check", capsys=capsys)
    assert code == 1
    assert "a.md: line 8" in out and "b.md" not in out
    assert "1 of 2 file(s) would change" in err
    assert path.read_text(encoding="utf-8") == OLD
    assert run(project, capsys=capsys)[0] == 0
    assert run(project, "--check", capsys=capsys)[0] == 0
    assert untouched.read_text(encoding="utf-8").startswith("---\nid: INC-2024-002")


def test_a_file_that_does_not_parse_is_never_touched(project: Path, capsys) -> None:
    broken = OLD.replace("severity: SEV1", "severity: SEV1: high")
    path = write(project, "2024/a.md", broken)
    bom = write(project, "2024/b.md", "\ufeff" + OLD.replace("INC-2024-001", "INC-2024-002"))
    code, _, err = run(project, capsys=capsys)
    assert code == 1
    assert "a.md: line 5: YAML syntax" in err and "the file was not changed" in err
    assert path.read_text(encoding="utf-8") == broken
    # The other file is migrated, its byte-order mark kept.
    assert bom.read_bytes().startswith(b"\xef\xbb\xbf---\nid: INC-2024-002")
    assert b"\nreport_template: 'standard'" in bom.read_bytes()


def test_both_keys(project: Path, capsys) -> None:
    same = OLD.replace("# the section set\n", "report_template: standard\n")
    differ = same.replace("report_template: standard", "report_template: near-miss")
    a = write(project, "2024/a.md", same)
    b = write(project, "2024/b.md", differ.replace("INC-2024-001", "INC-2024-002"))
    code, out, err = run(project, capsys=capsys)
    assert code == 1
    assert "template:" not in a.read_text(encoding="utf-8").replace("report_template:", "")
    assert "a.md: line 8: template: 'standard'   # chosen by pmkb new -> (line removed)" in out
    assert "b.md: line 8: both 'report_template:' ('near-miss') and 'template:'" in err
    assert "b.md" in err and b.read_text(encoding="utf-8").count("template:") == 2


def test_a_flow_style_key_is_left_to_the_author(project: Path, capsys) -> None:
    text = VALID.replace("status: Final\n", "status: Final\n? template\n: standard\n")
    path = write(project, "2024/a.md", text)
    code, _, err = run(project, capsys=capsys)
    assert code == 1 and "rename it by hand" in err
    assert path.read_text(encoding="utf-8") == text


def test_the_projects_template_files_are_migrated(project: Path, capsys) -> None:
    own = write(project, "templates/brief.md", '---\nid: "{{id}}"\ntemplate: {{template}}\n---\n')
    code, out, _ = run(project, capsys=capsys)
    assert code == 0 and "brief.md: line 3" in out
    expected = '---\nid: "{{id}}"\nreport_template: {{template}}\n---\n'
    assert own.read_text(encoding="utf-8") == expected


def test_the_real_command(project: Path) -> None:
    path = write(project, "2024/a.md", OLD)
    result = pmkb("migrate", "--check", "docs/postmortems/2024/a.md", cwd=project)
    assert result.returncode == 1, result.stderr
    assert path.read_text(encoding="utf-8") == OLD
    result = pmkb("migrate", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "report_template: 'standard'" in path.read_text(encoding="utf-8")
