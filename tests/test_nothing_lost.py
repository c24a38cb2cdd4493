"""Nothing is lost: every Markdown file becomes a page or is named in a problem."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

import postmortem_kb.core.workers as workers_module
from postmortem_kb import Keep, find_reports, load
from postmortem_kb.analysis.relate import similar_later
from postmortem_kb.core.config import read_project
from postmortem_kb.core.workers import Workers
from postmortem_kb.site.calendar import due_items, render_calendar
from postmortem_kb.site.catalog import build_catalog, build_index_json, index_documents
from tests.conftest import VALID, Site, pmkb

ROOT = Path(__file__).resolve().parent.parent

BROKEN = {
    "2024/no-frontmatter.md": "Only notes.\n",
    "2024/empty.md": "",
    "2024/unterminated.md": "---\nid: INC-2024-010\ntitle: x\n",
    "2024/yaml-error.md": "---\nid: [\n---\n## Impact\n",
    "2024/not-mapping.md": "---\n- a\n---\nbody\n",
    "2024/bom-crlf.md": "\ufeff"
    + VALID.replace("INC-2024-001", "INC-2024-011").replace("\n", "\r\n"),
    "2024/missing-sections.md": VALID.replace("INC-2024-001", "INC-2024-012").split("## Timeline")[
        0
    ],
    "2024/duplicate-id.md": VALID,
    "2024/huge.md": VALID.replace("INC-2024-001", "INC-2024-013") + ("filler line\n" * 400_000),
}


def test_every_file_is_published_or_named(site: Site, caplog) -> None:
    site.add("2024/valid.md", VALID)
    for rel, text in BROKEN.items():
        site.add(rel, text)
    raw = site.docs / "2024" / "latin1.md"
    raw.write_bytes(VALID.replace("INC-2024-001", "INC-2024-014").encode() + b"caf\xe9\n")
    site.build(strict=False)
    site_dir = site.root / "site"
    for path in sorted(site.docs.rglob("*.md")):
        rel = path.relative_to(site.docs).as_posix()
        page = site_dir / rel.removesuffix(".md") / "index.html"
        if rel == "index.md":
            page = site_dir / "index.html"
        named = f"docs/{rel}:" in caplog.text
        assert page.is_file() or named, f"{rel} was silently dropped"
        assert page.is_file(), f"{rel} was not published"
    latin1 = (site_dir / "2024" / "latin1" / "index.html").read_text(encoding="utf-8")
    assert "PM001 unreadable-file" in latin1 and "caf\ufffd" in latin1
    assert "PM001" in caplog.text and "docs/2024/latin1.md:" in caplog.text


def site_files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_reading_in_worker_processes_builds_the_same_site(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large knowledge bases are read in worker processes, and reports come back
    without their text (pages read it again): the site must not change, broken
    files included."""
    site.add("2024/valid.md", VALID)
    for rel, text in BROKEN.items():
        site.add(rel, text)
    (site.docs / "2024" / "latin1.md").write_bytes(
        VALID.replace("INC-2024-001", "INC-2024-014").encode() + b"caf\xe9\n"
    )
    site.configure("build_date: 2026-11-26")
    one = site.root / "one-process"
    site.build(strict=False, site_dir=one)
    monkeypatch.setattr(workers_module, "PARALLEL_FROM", 2)
    workers = site.root / "workers"
    site.build(strict=False, site_dir=workers)
    first, second = site_files(one), site_files(workers)
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []
    page = (workers / "2024" / "bom-crlf" / "index.html").read_text("utf-8")
    assert "INC-2024-011" in page and "Timeline" in page


def test_cli_names_every_file(tmp_path: Path) -> None:
    """``pmkb check`` on the same folder: each broken file is named, nothing crashes."""
    import subprocess
    import sys

    folder = tmp_path / "kb"
    for rel, text in {**BROKEN, "2024/valid.md": VALID}.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")
    result = subprocess.run(
        [sys.executable, "-m", "postmortem_kb", "check", "kb"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    for rel in BROKEN:
        if rel not in ("2024/bom-crlf.md", "2024/huge.md"):
            assert f"kb/{rel}:" in result.stdout, rel


def test_a_link_outside_the_folder_is_named_and_never_read(
    site: Site, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    secret = tmp_path / "outside" / "secret.md"
    secret.parent.mkdir()
    secret.write_text(VALID.replace("INC-2024-001", "INC-2024-099") + "TOP-SECRET-MARKER\n")
    site.add("2024/valid.md", VALID)
    (site.docs / "2024" / "linked.md").symlink_to(secret)
    (site.docs / "2023").symlink_to(secret.parent, target_is_directory=True)
    site.build(strict=False)
    # Refused by the publish gate: not in the site at all, and named in the log.
    assert not (site.root / "site" / "2024" / "linked").exists()
    assert not (site.root / "site" / "2023").exists()
    assert "docs/2024/linked.md:1: error PM006 link-outside" in caplog.text
    assert "docs/2023:1: error PM006 link-outside" in caplog.text
    for path in (site.root / "site").rglob("*"):
        if path.is_file():
            assert b"TOP-SECRET-MARKER" not in path.read_bytes(), path
    assert "INC-2024-001" in site.page("2024/valid.md")
    result = pmkb("check", "docs", cwd=site.root)
    assert result.returncode == 1
    assert "docs/2024/linked.md:1: error PM006 link-outside" in result.stdout
    assert "docs/2023:1: error PM006 link-outside" in result.stdout
    (site.docs / "2024" / "loop").symlink_to(site.docs / "2024", target_is_directory=True)
    result = pmkb("check", "docs", cwd=site.root)  # a link loop ends, and is named
    assert result.returncode == 1
    assert "docs/2024/loop:1: error PM031 second-name" in result.stdout


def test_ten_thousand_tags_are_refused_clearly(site: Site) -> None:
    tags = ", ".join(f"tag-{n}" for n in range(10_000))
    site.add("2024/tags.md", VALID.replace("tags: [database, connection-pool]", f"tags: [{tags}]"))
    result = pmkb("check", "docs", cwd=site.root)
    assert result.returncode == 1
    assert (
        "docs/2024/tags.md:8: error PM038 too-long: 'tags': list should have at most "
        "50 items after validation, not 10000" in result.stdout
    )
    site.build(strict=False)
    assert "PM038 too-long" in site.page("2024/tags.md")
    assert not (site.root / "site" / "incidents" / "tags").exists()


def test_what_workers_do_leaves_no_reference_cycles() -> None:
    """Workers run without the cyclic garbage collector (workers.py), so reading,
    relating, indexing and the calendar must leave nothing only it could free, or a
    worker's memory would grow with every chunk. Broken reports included."""
    settings = read_project(ROOT / "mkdocs.yml").settings
    files = find_reports(ROOT / "postmortems", settings)
    files += find_reports(ROOT / "tests" / "corpus", settings)
    serial = Workers(1)
    gc.collect()
    gc.disable()
    try:
        kb = load(files, settings, ROOT, keep=Keep.PAGES, workers=serial)
        assert build_catalog(kb.reports, lambda report: "", settings.today(), "standard")
        assert build_index_json(index_documents(kb.reports))
        assert similar_later(kb.reports, 0.2, 5, serial)()
        assert render_calendar(due_items(kb), settings.today(), "kb")
        assert gc.collect() == 0
    finally:
        gc.enable()
