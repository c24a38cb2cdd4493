"""core/source.py on its own: a file split into frontmatter data and body, with lines."""

from __future__ import annotations

from pathlib import Path

from postmortem_kb.core.source import dotted, read_source

TEXT = "---\nid: INC-2024-001\ntitle: Pool exhausted\ntags:\n  - db\n---\n## Impact\n\nErrors.\n"


def test_frontmatter_and_body_are_split_with_the_body_s_first_line(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text(TEXT, encoding="utf-8")
    source = read_source(path)
    assert source.findings == []
    assert source.data == {"id": "INC-2024-001", "title": "Pool exhausted", "tags": ["db"]}
    # The body starts at the end of the closing '---' (line 6): body line 2 is line 7.
    assert source.body == "\n## Impact\n\nErrors.\n"
    assert source.body_offset == 5
    assert source.line_of(("title",)) == 3
    assert source.line_of(("tags", 0)) == 5
    assert source.line_of(("no_such_key",)) == 1
    assert source.scalars[("id",)].text == "INC-2024-001" and not source.scalars[("id",)].quoted


def test_dropped_text_is_read_again_from_the_file(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text(TEXT, encoding="utf-8")
    source = read_source(path)
    source.drop_text()
    assert (source.text, source.body) == ("", "")
    assert source.full_text() == (TEXT, "\n## Impact\n\nErrors.\n")


def test_a_file_without_frontmatter_is_a_finding_not_an_exception(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("# Just a page\n", encoding="utf-8")
    source = read_source(path)
    assert [(f.code, f.line) for f in source.findings] == [("PM002", 1)]
    assert source.data is None


def test_invalid_utf8_is_read_with_replacement_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(TEXT.replace("Errors.", "Err\xffors.").encode("latin-1"))
    source = read_source(path)
    assert "Err\ufffdors." in source.body
    assert [(f.code, f.line) for f in source.findings] == [("PM001", 9)]


def test_dotted_names_a_location_as_the_rules_do() -> None:
    assert dotted(("impact", "started")) == "impact.started"
    assert dotted(("tags", 2)) == "tags[2]"
