"""The bad-input corpus against what users run: real builds, both editions, strict or not.

One project holds valid reports, the whole corpus (tests/corpus/broken, with the links,
FIFO and names of its layout.txt made) and an internal report saved under every name
and suffix MkDocs knows. Each build runs in a child process with a time limit and a
memory limit, as a CI job would: none may crash, hang or bloat; the non-strict ones must
publish every valid report; strict ones must stop cleanly; the public edition must hold
no byte of an internal report, and no build a byte of what a link leads to outside.
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import MKDOCS_YML, report_text
from tests.hostile import EXPECTED, materialize
from tests.site.test_editions import leaks, make_public

BUILD_SECONDS = 120
"""A build of this project takes 10-20 s here; a hang or a superlinear path would not end."""
BUILD_MEMORY = 3 * 1024**3
"""Address space of a build: a normal one needs well under 1 GB."""
CANARY = "zqxcanaryenvm00z"
"""In the builds' environment, so in /proc/self/environ, which a corpus link leads to."""

SUFFIXES = [".MD", ".Md", ".mD", ".MARKDOWN", ".Markdown", ".markdown", ".mdown", ".mkdn"]
SUFFIXES += [".mkd", ".MKD", ".md.txt", ".txt", ".md~", ".html"]
"""Every suffix MkDocs renders, in other cases too, and ones it copies as they are."""


def saved_as(suffix: str) -> str:
    """Where the internal report is saved with ``suffix`` (one page name per suffix)."""
    tag = "".join(c if c.isalnum() else "-" for c in suffix.strip("."))
    return f"suffix/report-{tag}{suffix}"


def internal(marker: str, number: int, **fields: str) -> str:
    """An internal report with ``marker`` in its title and its body."""
    text = report_text(f"INC-2023-{number:03d}", title=f"Internal {marker}", date="2023-05-01")
    for key, value in fields.items():
        text = text.replace("---\n", f"---\n{key}: {value}\n", 1)
    return text.replace("Something broke.", f"Something broke in {marker}.")


@dataclass
class Project:
    root: Path
    markers: list[str]
    """Strings of internal reports only: none may be in the public edition."""
    valid: list[str]
    """Docs paths of valid reports: every non-strict build publishes them."""
    public: list[str]
    saved: dict[str, str]
    """The internal report saved under other names, by docs path: its marker there."""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = tmp_path_factory.mktemp("hostile") / "project"
    docs = root / "docs"
    materialize(docs / "broken")
    markers: list[str] = ["zqxdupvism00z", "zqxupperm00z", "zqxindexm00z"]  # in the corpus
    valid, public = [], []
    for number in range(1, 6):
        rel = f"2024/good-{number}.md"
        text = report_text(f"INC-2024-{number:03d}", title=f"Good report {number}")
        if number <= 2:
            text = make_public(text)
            public.append(rel)
        (docs / rel).parent.mkdir(parents=True, exist_ok=True)
        (docs / rel).write_text(text, encoding="utf-8")
        valid.append(rel)
    # An internal report under every name: other suffixes, index and README pages, an
    # excluded folder, hidden names. None of them may reach the public edition.
    saved = dict.fromkeys(saved_as(suffix) for suffix in SUFFIXES)
    saved |= dict.fromkeys(["suffix/README.md", "suffix/sub/index.md", "_drafts/draft.md"])
    saved |= dict.fromkeys(["suffix/.hidden.md", ".drafts/hidden.md", "guide/report.md"])
    for number, rel in enumerate(sorted(saved), start=1):
        marker = saved[rel] = f"zqxsaved{number:02d}m"
        markers.append(marker)
        extra = {"template": "standard"} if rel.startswith("_drafts") else {}
        path = docs / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(internal(marker, 100 + number, **extra), encoding="utf-8")
    (docs / "index.md").write_text("# Home\n\nThe knowledge base.\n", encoding="utf-8")
    # Too large for the repository: a 2 MB title (it made a 57 MB site).
    huge = report_text("INC-2024-099", title="Huge " + "title " * 350_000)
    (docs / "2024" / "huge-title.md").write_text(huge, encoding="utf-8")
    (docs / "guide" / "odd-template.md").write_text(
        "---\ntemplate: no-such-template.html\n---\n# A page\n\nWith a template.\n",
        encoding="utf-8",
    )
    options = ":\n      build_date: 2024-06-30"
    extra = "site_url: https://kb.example.com/\n"
    (root / "mkdocs.yml").write_text(
        MKDOCS_YML.format(options=options, extra=extra), encoding="utf-8"
    )
    return Project(root, markers, valid, public, saved)  # type: ignore[arg-type]


def limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (BUILD_MEMORY, BUILD_MEMORY))


def run(project: Project, *args: str, edition: str = "internal") -> tuple[int, str, float]:
    """A command in a child process with the time and memory limits: (exit code,
    output, seconds). Exceeding the time limit fails the test."""
    env = {
        **os.environ,
        "PMKB_EDITION": edition,
        "PMKB_TEST_CANARY": CANARY,
        "NO_MKDOCS_2_WARNING": "1",
    }
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", *args],
        cwd=project.root,
        env=env,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=BUILD_SECONDS,
        preexec_fn=limited,
    )
    return done.returncode, done.stdout + done.stderr, time.perf_counter() - started


@pytest.fixture(scope="module")
def builds(project: Project) -> dict[tuple[str, bool], tuple[int, str, float]]:
    """Both editions, strict and not: four builds of the whole hostile project."""
    results = {}
    for edition in ("internal", "public"):
        for strict in (False, True):
            site = f"site-{edition}-{'strict' if strict else 'lax'}"
            args = ["mkdocs", "build", "--site-dir", site, *(["--strict"] if strict else [])]
            results[(edition, strict)] = run(project, *args, edition=edition)
    return results


def test_no_build_crashes_or_hangs(builds: dict[tuple[str, bool], tuple[int, str, float]]) -> None:
    for (_, strict), (code, output, seconds) in builds.items():
        assert "Traceback" not in output, output[-3000:]
        assert seconds < BUILD_SECONDS
        if strict:
            # The postmortem problems fail the build before a page is written.
            assert code == 1, output[-3000:]
            assert "fail this strict build; no pages were written" in output
        else:
            assert code == 0, output[-3000:]


def test_every_valid_report_is_published(project: Project, builds: object) -> None:
    for edition, expected in (("internal", project.valid), ("public", project.public)):
        site = project.root / f"site-{edition}-lax"
        for rel in expected:
            page = site / rel.removesuffix(".md") / "index.html"
            assert 'class="pmkb-header"' in page.read_text("utf-8"), (edition, rel)
    internal_site = project.root / "site-internal-lax"
    for suffix in (".markdown", ".mdown", ".mkdn", ".mkd"):  # read as reports, then published
        page = internal_site / saved_as(suffix).rsplit(".", 1)[0] / "index.html"
        assert 'class="pmkb-header"' in page.read_text("utf-8"), suffix
    # Broken reports that the gate lets through are shown with their problems, the ones
    # too hostile to render as plain text.
    page = (internal_site / "broken/37-600-nested-list-items/index.html").read_text("utf-8")
    assert "PM039" in page and 'class="pmkb-plain"' in page
    page = (internal_site / "broken/38-50-kb-of-open-brackets/index.html").read_text("utf-8")
    assert "PM040" in page and "[[[[" in page


def test_what_the_gate_refuses_is_in_no_site(project: Project, builds: object) -> None:
    refused = [
        "broken/60-link-to-environ.txt",
        "broken/61-link-to-etc",
        "broken/62-link-loop",
        "broken/63-link-to-a-report.txt",
        "broken/64-dangling-link.png",
        "broken/65-fifo",
        "broken/47-report-saved-as-upper-case.MD",
        "broken/50-report-as-index",
        "_drafts",
    ]
    for edition in ("internal", "public"):
        site = project.root / f"site-{edition}-lax"
        for rel in refused:
            assert not (site / rel).exists(), (edition, rel)
        names = [p.name for p in site.rglob("*")]
        assert not [n for n in names if not n.isprintable()], "a garbled name was published"
        # /proc/self/environ of the build (and /etc) never reached the site.
        assert leaks(site, [CANARY, "root:x:0:0"]) == {}


def test_the_public_edition_holds_no_byte_of_an_internal_report(
    project: Project, builds: object
) -> None:
    internal_site, public_site = (project.root / f"site-{e}-lax" for e in ("internal", "public"))
    shown = leaks(internal_site, project.markers)
    # The markers are real: the internal edition publishes the reports it can read.
    readable = [project.saved[saved_as(s)] for s in (".markdown", ".mdown", ".mkd", ".txt")]
    assert {"zqxdupvism00z", *readable} <= set(shown)
    assert leaks(public_site, project.markers) == {}


def test_the_build_reports_what_pmkb_check_reports(project: Project, builds: object) -> None:
    code, output, seconds = run(project, "postmortem_kb", "check", "--format", "json")
    assert code == 1 and seconds < BUILD_SECONDS
    found = {
        (p["path"], p["line"], p["code"])
        for p in json.loads(output[: output.rindex("}") + 1])["problems"]
    }
    for entry in EXPECTED.read_text(encoding="utf-8").splitlines():
        name, line, rule = entry.split(":")
        assert (f"docs/broken/{name}", int(line), rule) in found, entry
    gate_cases = {
        *((f"docs/{saved_as(s)}", "PM033") for s in (".MD", ".Md", ".mD", ".MKD", ".Markdown")),
        ("docs/suffix/README.md", "PM034"),
        ("docs/suffix/sub/index.md", "PM034"),
        ("docs/_drafts/draft.md", "PM034"),
        ("docs/guide/report.md", "PM034"),
        ("docs/suffix/.hidden.md", "PM035"),
        ("docs/.drafts/hidden.md", "PM035"),
    }
    assert gate_cases <= {(path, rule) for path, _, rule in found}
    # The build names each of them too, and the one problem only the theme can tell.
    _, log, _ = dict(builds)[("internal", False)]  # type: ignore[call-overload]
    for path, rule in gate_cases:
        assert re.search(rf"{re.escape(path)}:\d+: (error|warning) {rule} ", log), (path, rule)
    assert "docs/broken/60-link-to-environ.txt:1: error PM006 link-outside" in log
    assert "docs/guide/odd-template.md:1: error PM043 page-template-unknown" in log


def test_no_site_balloons(project: Project, builds: object) -> None:
    for edition in ("internal", "public"):
        site = project.root / f"site-{edition}-lax"
        size = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
        assert size < 30 * 1024**2, (edition, size)  # about 10 MB here, mostly the corpus


def test_the_calendar_and_the_policies_take_far_dates(project: Project) -> None:
    """A due date in year 9999 made the calendar export raise OverflowError."""
    for args in (("export", "--format", "ics"), ("check", "--policies")):
        code, output, _ = run(project, "postmortem_kb", *args)
        assert "Traceback" not in output and code in (0, 1), output[-2000:]
    code, output, _ = run(project, "postmortem_kb", "export", "--format", "ics")
    assert output.startswith("BEGIN:VCALENDAR") and "9999" not in output


def test_public_export_holds_no_internal_report(project: Project) -> None:
    for fmt in ("json", "csv"):
        code, output, _ = run(
            project, "postmortem_kb", "export", "--edition", "public", "--format", fmt
        )
        assert code == 0, output[-2000:]
        assert "Good report 1" in output and "Good report 2" in output
        assert not [m for m in project.markers if m in output], fmt
