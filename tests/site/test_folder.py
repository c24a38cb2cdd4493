"""``pmkb render``: what it refuses, what it checks first, what each edition gets."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from postmortem_kb.cli import main
from tests.conftest import report_text
from tests.wheel_env import ok, run

MKDOCS_YML = """\
site_name: Render test
docs_dir: docs
theme:
  name: material
  custom_dir: overrides
plugins:
  - search
  - postmortems:
      folder: postmortems
      build_date: 2024-06-01
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    reports = root / "docs" / "postmortems" / "2024"
    reports.mkdir(parents=True)
    (root / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
    (root / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")
    public = report_text("INC-2024-001", services=["api"], related=["INC-2024-002"])
    public = public.replace("near_miss: false\n", "near_miss: false\nvisibility: public\n")
    internal = report_text(
        "INC-2024-002",
        services=["api"],
        sections={"Impact": "See the graph: ![graph](graph.png)"},
    )
    # Written before the rename: the old key keeps working, and no engine sees it.
    internal = internal.replace("near_miss: false\n", "near_miss: false\ntemplate: standard\n")
    (reports / "a.md").write_text(public, encoding="utf-8")
    (reports / "b.md").write_text(internal, encoding="utf-8")
    (reports / "graph.png").write_bytes(b"\x89PNG internal graph")
    return root


def render(project: Path, *args: str) -> int:
    here = Path.cwd()
    os.chdir(project)
    try:
        return main(["render", *args])
    finally:
        os.chdir(here)


def test_the_folder_builds_strict_without_the_plugin(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert render(project, "--out", str(out)) == 0
    config = (out / "mkdocs.yml").read_text(encoding="utf-8")
    assert "postmortems" not in config.split("plugins:")[1].split("extra_css")[0]
    assert "custom_dir" not in config  # the project's path, not the folder's
    old = (out / "docs/postmortems/2024/b.md").read_text(encoding="utf-8")
    assert old.startswith("---\ntitle: Incident INC-2024-002\n---\n")  # no 'template:' left
    assert '<div class="pmkb-header" data-pmkb-id="INC-2024-002">' in old
    assert (out / "docs/postmortems/2024/graph.png").is_file()
    command = (sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", out / "mkdocs.yml")
    ok(run(*command, "-d", tmp_path / "site", cwd=tmp_path))
    page = (tmp_path / "site/postmortems/2024/b/index.html").read_text(encoding="utf-8")
    assert "<h1>Incident INC-2024-002</h1>" in page and "Related incidents" in page
    assert 'href="../a/"' in page  # named by INC-2024-001


def test_a_custom_partial_replaces_the_plugins_there_too(project: Path, tmp_path: Path) -> None:
    partial = project / "overrides" / "partials" / "postmortem-header.html"
    partial.parent.mkdir(parents=True)
    partial.write_text('<p class="ours">{{ postmortem.id | e }}</p>\n', encoding="utf-8")
    assert render(project, "--out", str(tmp_path / "out")) == 0
    text = (tmp_path / "out/docs/postmortems/2024/a.md").read_text(encoding="utf-8")
    assert '<p class="ours">INC-2024-001</p>' in text and "pmkb-header" not in text


def test_the_public_edition_leaves_out_what_the_plugin_leaves_out(
    project: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    assert render(project, "--out", str(out), "--edition", "public") == 0
    docs = out / "docs"
    assert (docs / "postmortems/2024/a.md").is_file()
    assert not (docs / "postmortems/2024/b.md").exists()
    assert not (docs / "postmortems/2024/graph.png").exists()  # only the internal one used it
    everything = "".join(
        p.read_text(encoding="utf-8", errors="replace") for p in docs.rglob("*") if p.is_file()
    )
    assert "INC-2024-002" not in everything


def test_nothing_is_written_when_a_check_fails(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = project / "docs/postmortems/2024/c.md"
    broken.write_text(report_text("INC-2024-003").replace("severity: SEV2", "severity: SEV9"))
    out = tmp_path / "out"
    assert render(project, "--out", str(out)) == 1
    captured = capsys.readouterr()
    assert "c.md:5: error PM011" in captured.out
    assert "nothing was written" in captured.err
    assert not out.exists()


def test_a_folder_that_is_not_empty_is_refused(project: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine", encoding="utf-8")
    assert render(project, "--out", str(out)) == 2
    assert "not an empty folder" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_feeds_calendar_and_exports_are_written(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    site = "https://kb.example.com/"
    assert render(project, "--out", str(out), "--site-url", site) == 0
    atom = (out / "docs/incidents/feed.xml").read_text(encoding="utf-8")
    assert f"{site}postmortems/2024/a/" in atom
    overview = (out / "docs/incidents/index.md").read_text(encoding="utf-8")
    assert "[Atom](feed.xml)" in overview  # the plugin's subscribe line, same place
    assert "BEGIN:VCALENDAR" in (out / "docs/incidents/action-items.ics").read_text()
    exported = (out / "docs/incidents/export/incidents.csv").read_text(encoding="utf-8")
    assert "INC-2024-001" in exported and "INC-2024-002" in exported
    assert f"site_url: {site}" in (out / "mkdocs.yml").read_text(encoding="utf-8")


def test_ids_in_a_rendered_report_link_where_the_plugin_links_them() -> None:
    """Other incidents' ids in the text become Markdown links to their sources; ids in
    code, headings, links and raw HTML stay as written, as on the plugin's pages."""
    from postmortem_kb.site.render import link_ids_markdown

    markdown = "\n".join(
        [
            "## After INC-1",
            "Caused by INC-1, like INC-9 (unknown) and INC-2.",
            "Run `undo INC-1`; see [the other one](INC-1.md) or <a title='INC-1'>x</a>.",
            "```",
            "INC-1 in a fence",
            "```",
            "    INC-1 indented code",
            "| INC-2 | in a table |",
        ]
    )
    linked, found = link_ids_markdown(markdown, "INC-2", {"INC-1": "a/1.md"}.get)
    assert linked.split("\n") == [
        "## After INC-1",
        "Caused by [INC-1](a/1.md), like INC-9 (unknown) and INC-2.",
        "Run `undo INC-1`; see [the other one](INC-1.md) or <a title='INC-1'>x</a>.",
        "```",
        "INC-1 in a fence",
        "```",
        "    INC-1 indented code",
        "| INC-2 | in a table |",
    ]
    assert found == ["INC-1"]
