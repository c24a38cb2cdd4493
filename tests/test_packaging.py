"""The package as users get it: built into a wheel and an sdist, installed from the wheel
(not editable) into a fresh virtual environment, and used in a brand-new MkDocs project
in a ``docs/`` layout: ``pmkb init``, ``pmkb new``, ``pmkb check``, ``mkdocs build
--strict``, and the incident search in Chromium. Nothing here imports the repository."""

from __future__ import annotations

import re
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from postmortem_kb import __version__
from tests.browser import serve
from tests.wheel_env import WHEEL, Prepared, ok, run

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "postmortem_kb"


def run_time_files() -> set[str]:
    """Every file of the package that is not Python source: what the plugin and pmkb read."""
    return {
        p.relative_to(PACKAGE.parent).as_posix()
        for p in PACKAGE.rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
    }


@pytest.fixture(scope="module")
def prepared() -> Prepared:
    """Built and installed in the background since collection (tests/wheel_env.py)."""
    return WHEEL.result()


@pytest.fixture(scope="module")
def dist(prepared: Prepared) -> dict[str, Path]:
    return {"wheel": prepared.wheel, "sdist": prepared.sdist}


def test_wheel_and_sdist_hold_every_run_time_file(dist: dict[str, Path]) -> None:
    wanted = run_time_files()
    assets = {
        f"postmortem_kb/site/assets/{name}"
        for name in ("incident-search.js", "action-items.js", "pmkb.css")
    }
    assert assets <= wanted
    templates = ("standard", "near-miss")
    assert {f"postmortem_kb/terminal/report_templates/{n}.md" for n in templates} <= wanted
    in_wheel = set(zipfile.ZipFile(dist["wheel"]).namelist())
    assert wanted <= in_wheel, sorted(wanted - in_wheel)
    with tarfile.open(dist["sdist"]) as archive:
        top = f"postmortem_kb-{__version__}/src/"
        in_sdist = {n.removeprefix(top) for n in archive.getnames() if n.startswith(top)}
        assert wanted <= in_sdist, sorted(wanted - in_sdist)
        assert f"postmortem_kb-{__version__}/LICENSE" in archive.getnames()


def test_metadata_is_ready_for_an_index(dist: dict[str, Path]) -> None:
    ok(run(sys.executable, "-m", "twine", "check", "--strict", *dist.values(), cwd=ROOT))
    metadata = zipfile.ZipFile(dist["wheel"]).read(
        f"postmortem_kb-{__version__}.dist-info/METADATA"
    )
    text = metadata.decode("utf-8")
    head = text.split("\n\n", 1)[0]
    assert f"Version: {__version__}" in head
    assert "License-Expression: MIT" in head and "License-File: LICENSE" in head
    assert "Requires-Python: >=3.11" in head
    assert "Classifier: Framework :: MkDocs" in head
    assert re.search(r"^Project-URL: Source, https://", head, re.MULTILINE)
    assert "Description-Content-Type: text/markdown" in head
    assert "pmkb init" in text.split("\n\n", 1)[1]  # the README is the long description


@pytest.fixture(scope="module")
def installed(prepared: Prepared) -> Path:
    """A fresh virtual environment with the wheel installed as a user installs it."""
    return prepared.env


@pytest.fixture(scope="module")
def project(installed: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A brand-new project set up and written with the installed commands only."""
    work = tmp_path_factory.mktemp("user")
    bin_dir = installed / "bin"
    where = ok(run(bin_dir / "python", "-c", "import postmortem_kb; print(postmortem_kb.__file__)",
                   cwd=work))  # fmt: skip
    assert Path(where.strip()).is_relative_to(installed), "the wheel, not the repository"
    project = work / "handbook"
    ok(run(bin_dir / "pmkb", "init", "handbook", cwd=work))
    assert (project / "docs" / "postmortems").is_dir()
    new = run(
        *(bin_dir / "pmkb", "new", "Checkout errors after a config push"),
        *("--severity", "SEV1", "--date", "2026-11-17", "--author", "Ana Lima"),
        cwd=project,
    )
    report = project / ok(new).strip()
    assert report.is_relative_to(project / "docs" / "postmortems")
    assert "(the built-in file)" in new.stderr
    write_report(report)
    return project


def write_report(path: Path) -> None:
    """What an author does with the full template: every comment answered, rows added."""
    text = path.read_text(encoding="utf-8")
    assert "| Time | Event |\n|------|-------|" in text  # the tables come with the template
    assert "| ID | Action | Owner | Due Date | Priority | Status |" in text
    assert "# when users were first affected" in text  # and the fields with their comments
    text = re.sub(r"<!--.*?-->", "Checkout failed for 2,300 merchants for 52 minutes.", text,
                  flags=re.DOTALL)  # fmt: skip
    text = text.replace("|------|-------|\n", "|------|-------|\n| 10:00 | Impact began |\n")
    text = text.replace(
        "|----|--------|-------|----------|----------|--------|\n",
        "|----|--------|-------|----------|----------|--------|\n"
        "| AI-1 | Add a canary stage to config pushes | @ana | 2026-12-01 | P1 | Not Started |\n",
    )
    text = text.replace("  started:               #", '  started: "2026-11-17T10:00:00Z" #')
    text = text.replace("  resolved:              #", '  resolved: "2026-11-17T10:52:00Z" #')
    path.write_text(text, encoding="utf-8")


def test_pmkb_check_passes_on_the_written_report(installed: Path, project: Path) -> None:
    result = run(installed / "bin" / "pmkb", "check", "--strict", cwd=project)
    assert ok(result).strip().endswith("0 errors, 0 warnings, 0 notes in 1 postmortem")


@pytest.fixture(scope="module")
def site(installed: Path, project: Path) -> Path:
    ok(run(installed / "bin" / "mkdocs", "build", "--strict", cwd=project))
    return project / "site"


def test_the_strict_build_has_the_generated_pages_and_assets(site: Path) -> None:
    for page in ("incidents/index.html", "incidents/search/index.html", "postmortems/index.html"):
        assert (site / page).is_file(), page
    assert (site / "assets" / "postmortem-kb" / "incident-search.js").stat().st_size > 1000
    report = next((site / "postmortems" / "2026").rglob("index.html")).read_text()
    assert "Checkout errors after a config push" in report and "Ana Lima" in report
    assert "fonts.googleapis.com" not in report


@pytest.fixture
def base(site: Path) -> Iterator[str]:
    with serve(site) as url:
        yield url


@pytest.fixture
def page(browser: Browser, base: str) -> Iterator:
    """A page whose context closes before the server stops: a request still in flight as
    the test ends (Material's search index, after the last navigation) would otherwise
    fail as a "Network error" and be taken for one of the page's own errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == []


def test_the_incident_search_finds_the_report_in_chromium(base: str, page) -> None:
    page.goto(f"{base}incidents/search/")
    page.wait_for_selector("#pmkb-search[data-ready=yes]")
    page.fill("#pmkb-query", "checkout config")
    result = page.locator(".pmkb-result").first
    expect(result).to_contain_text("Checkout errors after a config push")
    assert page.locator(".pmkb-result").count() == 1
    result.locator("a").first.click()
    page.wait_for_load_state("load")
    assert "/postmortems/2026/" in page.url
    expect(page.locator(".pmkb-header")).to_contain_text("SEV1")
