"""The publish gate: what may enter the site, decided the same way by pmkb check and the build."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from postmortem_kb import Settings
from postmortem_kb.core.gate import walk_docs
from postmortem_kb.core.kb import gate, reports_of
from tests.conftest import VALID, Site, pmkb, report_text


def codes_by_path(walk_root: Path) -> dict[str, str]:
    walk = gate(walk_root, Settings())
    return {refusal.rel: refusal.finding.code for refusal in walk.refusals}


def test_the_walk_follows_mkdocs_order_and_refuses_what_leads_out(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "b").mkdir(parents=True)
    (docs / "a.md").write_text(VALID)
    (docs / "b" / "c.md").write_text(VALID)
    (docs / "b" / "img.png").write_bytes(b"png")
    (docs / "z.txt").write_text("notes")
    (docs / "alias.png").symlink_to("b/img.png")  # a second name for an image: fine
    (docs / "out").symlink_to(tmp_path, target_is_directory=True)
    (docs / "env").symlink_to("/proc/self/environ")
    walk = walk_docs(docs)
    assert [rel for _, rel in walk.files] == ["a.md", "alias.png", "z.txt", "b/c.md", "b/img.png"]
    assert {r.rel: r.finding.code for r in walk.refusals} == {"env": "PM006", "out": "PM006"}
    assert [rel for _, rel in reports_of(walk, ".", Settings())] == ["a.md", "b/c.md"]


def test_a_fifo_never_hangs_a_command(site: Site) -> None:
    site.add("2024/valid.md", VALID)
    site.write_config()
    os.mkfifo(site.docs / "2024" / "x.md")
    for args in (("check",), ("check", "docs/2024/x.md"), ("export",), ("stats",)):
        result = pmkb(*args, cwd=site.root)  # 120 s timeout: a hang fails the test
        assert "Traceback" not in result.stderr, result.stderr
    result = pmkb("check", cwd=site.root)
    assert "docs/2024/x.md:1: error PM030 special-file" in result.stdout
    result = pmkb("check", "docs/2024/x.md", cwd=site.root)
    assert "docs/2024/x.md:1: error PM030 special-file" in result.stdout


def test_a_named_file_is_judged_where_the_site_has_it(site: Site) -> None:
    """CI checks a pull request's changed files: a link among them is refused, not read."""
    site.add("2024/valid.md", VALID)
    site.write_config()
    (site.docs / "env.txt").symlink_to("/proc/self/environ")
    result = pmkb("check", "docs/env.txt", "docs/2024/valid.md", cwd=site.root)
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == (
        "docs/env.txt:1: error PM006 link-outside: the symbolic link leads to a file outside "
        "the docs folder; nothing there is read or published"
    )
    assert result.stdout.splitlines()[-1] == "1 error, 0 warnings, 0 notes in 1 postmortem"


def test_messages_name_files_relative_to_the_project(site: Site, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.md"
    outside.write_text(VALID)
    site.write_config()
    (site.docs / "linked.md").symlink_to(outside)
    result = pmkb("check", cwd=site.root)
    assert "docs/linked.md:1: error PM006" in result.stdout
    assert str(tmp_path) not in result.stdout  # no absolute path, the link's target least


def test_hidden_markdown_in_the_reports_folder_is_named(site: Site) -> None:
    """MkDocs never publishes hidden files, so a report saved as one would vanish; it is
    named instead (a warning), unless the ``exclude`` option says it is meant to."""
    site.add("2024/.draft.md", VALID)
    site.add(".obsidian/notes.md", "# Notes\n")
    site.write_config()
    result = pmkb("check", cwd=site.root)
    assert "docs/2024/.draft.md:1: warning PM035 hidden-file" in result.stdout
    assert "docs/.obsidian/notes.md:1: warning PM035 hidden-file" in result.stdout
    site.configure('exclude: ["guide/*", "templates/*", "_*", ".obsidian/*"]')
    site.write_config()
    result = pmkb("check", cwd=site.root)
    assert "PM035" in result.stdout and ".obsidian" not in result.stdout


def test_exclude_docs_is_honoured_by_pmkb_check(site: Site) -> None:
    """Files MkDocs leaves out of the site are not judged (a .venv's links, say)."""
    site.add("2024/valid.md", VALID)
    site.extra = "exclude_docs: |\n  /vendor/\n"
    (site.docs / "vendor").mkdir()
    (site.docs / "vendor" / "python").symlink_to("/usr/bin/python3")
    site.build(strict=True)  # passes: the link is excluded, so never published
    assert pmkb("check", "--strict", cwd=site.root).returncode == 0
    site.extra = ""
    site.write_config()
    assert "docs/vendor/python:1: error PM006" in pmkb("check", cwd=site.root).stdout


def test_a_broken_pipe_ends_pmkb_quietly(site: Site) -> None:
    for number in range(1, 200):  # one id: 600 KB of problems, more than a pipe holds
        site.add(f"2024/r{number}.md", report_text("INC-2024-001"))
    site.write_config()
    command = f"{sys.executable} -m postmortem_kb check | head -n 1"
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command],
        cwd=site.root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stderr == ""
    assert done.returncode == 141  # as `yes | head` ends
    assert done.stdout.startswith("docs/2024/r")


def test_pmkb_new_refuses_a_date_outside_the_range(site: Site) -> None:
    site.write_config()
    result = pmkb("new", "Old outage", "--date", "0001-01-01", cwd=site.root)
    assert result.returncode == 2
    assert "0001-01-01 is before 1970-01-01, the earliest date" in result.stderr
    assert not list(site.docs.rglob("*old-outage.md"))
    result = pmkb("stats", "--since", "9999-01-01", cwd=site.root)
    assert result.returncode == 2 and "after 2200-12-31" in result.stderr


def without_root(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``args`` without root's power to read any folder whatever its mode.

    As root, in a user namespace where root is an ordinary user (uid 1000) who owns the
    files root owns: the owner's permission bits then decide, as for any user.
    """
    prefix = ["unshare", "--user", "--map-user=1000", "--map-group=1000"]
    return subprocess.run(
        [*prefix, *args] if os.getuid() == 0 else args,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )


def test_an_unreadable_folder_is_named_by_check_and_build(site: Site) -> None:
    site.add("2024/valid.md", VALID)
    site.add("2025/hidden-away.md", report_text("INC-2025-001"))
    site.write_config()
    locked = site.docs / "2025"
    locked.chmod(0o000)
    try:
        probe = without_root(
            [sys.executable, "-c", f"import os; os.listdir({str(locked)!r})"], site.root
        )
        assert "PermissionError" in probe.stderr  # the folder really is unreadable now
        result = without_root([sys.executable, "-m", "postmortem_kb", "check"], site.root)
        assert "docs/2025:1: error PM036 unreadable: the folder cannot be listed" in result.stdout
        assert result.returncode == 1
        site_dir = site.root / "site"
        build = without_root(
            [sys.executable, "-m", "mkdocs", "build", "--site-dir", str(site_dir)], site.root
        )
    finally:
        locked.chmod(0o755)
    assert build.returncode == 0, build.stderr[-2000:]
    assert "docs/2025:1: error PM036" in build.stderr
    assert (site_dir / "2024" / "valid" / "index.html").is_file()
