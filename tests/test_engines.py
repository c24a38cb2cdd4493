"""Every engine the knowledge base is built with, so a break in any shows the day it happens.

- MkDocs 1.6 + Material 9 with the plugin: the reference build.
- ProperDocs (the MkDocs 1.x fork) with the plugin: the same site, byte for byte.
- mkdocs-techdocs-core (Backstage TechDocs) with the plugin, strict, with its own pins.
- ``pmkb render``'s plain folder, without the plugin, under plain MkDocs + Material
  (strict) and under Zensical: the same pages, titles, facts and related links.
- Without JavaScript (TechDocs strips page scripts), every filter of the incident search
  has static pages listing exactly the incidents the filter would give.
"""

from __future__ import annotations

import os
import posixpath
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import lxml.html
import pytest

from benchmarks.synthetic import generate as synthetic_reports
from postmortem_kb.cli import main
from postmortem_kb.core.slugs import normalise
from tests.engine_env import ENGINES
from tests.wheel_env import ROOT, ok, run

SITE_YML = """\
site_name: Synthetic postmortems
docs_dir: docs
theme:
  name: material
  font: false
plugins:
  - search
  - postmortems:
      folder: postmortems
      build_date: 2026-11-20
markdown_extensions:
  - tables
  - toc:
      permalink: true
  - admonition
"""


def build(config: Path, out: Path, *, python: Path | str = sys.executable) -> None:
    """``mkdocs build --strict``, as a user runs it (no PYTHONPATH, no active venv)."""
    command = (python, "-m", "mkdocs", "build", "--strict", "-q", "-f", config, "-d", out)
    ok(run(*command, cwd=out.parent))


def render_folder(config: Path, out: Path, engine: str = "mkdocs") -> None:
    here = Path.cwd()
    os.chdir(config.parent)
    try:
        assert main(["-f", str(config), "render", "--out", str(out), "--engine", engine]) == 0
    finally:
        os.chdir(here)


@dataclass(frozen=True)
class Page:
    title: str
    """The page's first heading, as text."""
    header: str
    """A report's facts block as text (empty on other pages)."""
    related: tuple[str, ...]
    """A report's related-incident links, as site paths."""
    links: tuple[str, ...]
    """Every link of the page's content to another page of the site, as site paths."""


def pages_of(site: Path) -> dict[str, Page]:
    """Each HTML page of a built site by its URL, with what a reader checks on it."""
    found: dict[str, Page] = {}
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site).as_posix()
        if rel == "404.html":
            continue
        url = rel.removesuffix("index.html")
        doc = lxml.html.parse(str(path)).getroot()
        content = (doc.xpath("//article") or doc.xpath("//body"))[0]
        heading = content.xpath(".//h1")
        header = content.xpath('.//*[contains(@class, "pmkb-header")]')
        related = content.xpath('.//*[contains(@class, "pmkb-related")]//a/@href')
        hrefs = content.xpath('.//a[not(contains(@class, "headerlink"))]/@href')
        found[url] = Page(
            title=_text(heading[0]) if heading else "",
            header=_text(header[0]) if header else "",
            related=tuple(_resolve(url, h) for h in related),
            links=tuple(sorted(_resolve(url, h) for h in hrefs if _internal(h))),
        )
    return found


def _text(node: lxml.html.HtmlElement) -> str:
    return " ".join(node.text_content().replace("¶", " ").split())


def _internal(href: str) -> bool:
    return not re.match(r"^[a-z]+:|^#|^/", href) and not href.endswith((".xml", ".ics"))


def _resolve(url: str, href: str) -> str:
    """``href`` on the page (or file) at ``url``, as a path from the site root."""
    target = href.split("#", 1)[0]
    here = "/" + (url if url.endswith("/") or not url else posixpath.dirname(url) + "/")
    joined = posixpath.normpath(posixpath.join(here, target))
    return joined.lstrip("/") + ("/" if target.endswith("/") or not target else "")


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The repository's own knowledge base: the plugin build, and its render."""
    work = tmp_path_factory.mktemp("sample")
    plugin = work / "plugin"
    build(ROOT / "mkdocs.yml", plugin)
    render_folder(ROOT / "mkdocs.yml", work / "render")
    return {"plugin": plugin, "render": work / "render", "config": ROOT / "mkdocs.yml"}


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A knowledge base we did not write by hand: 50 generated reports (seed 7)."""
    work = tmp_path_factory.mktemp("synthetic")
    project = work / "project"
    synthetic_reports(50, project / "docs" / "postmortems", seed=7)
    (project / "docs" / "index.md").write_text("# Home\n\nThe incidents.\n", encoding="utf-8")
    (project / "mkdocs.yml").write_text(SITE_YML, encoding="utf-8")
    plugin = work / "plugin"
    build(project / "mkdocs.yml", plugin)
    render_folder(project / "mkdocs.yml", work / "render")
    return {"plugin": plugin, "render": work / "render", "config": project / "mkdocs.yml"}


def assert_same_site(reference: dict[str, Page], other: dict[str, Page]) -> None:
    assert sorted(other) == sorted(reference)
    for url, page in reference.items():
        assert other[url].title == page.title, url
        assert other[url].header == page.header, url
        assert other[url].related == page.related, url
        assert other[url].links == page.links, url


DATA_FILES = (
    "incidents/search/catalog.json",
    "incidents/search/index.json",
    "incidents/action-items.ics",
    "assets/postmortem-kb/incident-search.js",
)


@pytest.mark.parametrize("kb", ["sample", "synthetic"])
def test_the_rendered_folder_builds_under_plain_mkdocs_as_the_plugin_build(
    kb: str, request: pytest.FixtureRequest
) -> None:
    built = request.getfixturevalue(kb)
    rendered = built["render"]
    config = (rendered / "mkdocs.yml").read_text(encoding="utf-8")
    assert "postmortems" not in re.findall(r"^plugins:\n((?:- .*\n)*)", config, re.M)[0]
    plain = rendered.parent / "plain"
    build(rendered / "mkdocs.yml", plain)  # strict: no warning from plain MkDocs either
    reference = pages_of(built["plugin"])
    assert_same_site(reference, pages_of(plain))
    reports = [p for p in reference.values() if p.header]
    assert len(reports) >= (10 if kb == "sample" else 50)
    assert all(p.related for p in reports)  # every report has its related block
    # The search's data files and the calendar are there too.
    for name in DATA_FILES:
        assert (plain / name).read_bytes() == (built["plugin"] / name).read_bytes(), name


def test_properdocs_builds_the_same_site_byte_for_byte(
    sample: dict[str, Path], tmp_path: Path
) -> None:
    """ProperDocs (the MkDocs 1.x fork) with the plugin, from the same mkdocs.yml."""
    properdocs = Path(sys.executable).with_name("properdocs")
    ok(run(properdocs, "build", "--strict", "-q", "-f", ROOT / "mkdocs.yml", "-d", tmp_path / "p",
           cwd=tmp_path))  # fmt: skip
    generator = re.compile(rb'<meta name="generator" content="[^"]*">')
    reference, built = _files(sample["plugin"]), _files(tmp_path / "p")
    assert sorted(built) == sorted(reference)
    for rel, path in reference.items():
        if rel.suffix == ".gz":  # the sitemap's compressed copy holds a timestamp
            continue
        theirs, ours = (generator.sub(b"", p.read_bytes()) for p in (built[rel], path))
        assert theirs == ours, rel


def _files(root: Path) -> dict[Path, Path]:
    return {path.relative_to(root): path for path in root.rglob("*") if path.is_file()}


TECHDOCS_YML = """\
site_name: Brightwave postmortems
docs_dir: docs
plugins:
  - techdocs-core
  - postmortems
"""


def test_techdocs_core_builds_the_site_strict(sample: dict[str, Path], tmp_path: Path) -> None:
    """A TechDocs build image: techdocs-core with its pins, and the plugin, in strict mode."""
    engine = ENGINES["techdocs"].result()
    print(f"techdocs-core environment: {engine.seconds:.0f} s")
    versions = ok(run(engine.bin("python"), "-m", "pip", "list", "--format=freeze", cwd=tmp_path))
    assert "mkdocs-material==9.7.7" in versions  # techdocs-core's pin, not the suite's
    project = tmp_path / "repo"
    shutil.copytree(ROOT / "postmortems", project / "docs")
    (project / "mkdocs.yml").write_text(TECHDOCS_YML, encoding="utf-8")
    out = project / "site"
    build(project / "mkdocs.yml", out, python=engine.bin("python"))
    built = pages_of(out)
    reference = pages_of(sample["plugin"])
    assert sorted(built) == sorted(reference)
    for url, page in reference.items():
        assert (built[url].title, built[url].header) == (page.title, page.header), url
        assert built[url].related == page.related, url


def test_zensical_builds_the_rendered_folder_with_the_same_pages(
    sample: dict[str, Path], synthetic: dict[str, Path]
) -> None:
    """Zensical runs no third-party plugin; it builds the rendered folder."""
    engine = ENGINES["zensical"].result()
    print(f"zensical environment: {engine.seconds:.0f} s")
    for built in (sample, synthetic):
        work = built["render"].parent / "zensical"
        render_folder(built["config"], work, engine="zensical")
        ok(run(engine.bin("zensical"), "build", "--clean", cwd=work))
        assert_same_site(pages_of(built["plugin"]), pages_of(work / "site"))


# --- without JavaScript --------------------------------------------------------------

FACET_PAGES = {
    "severity": (r"^(SEV\d) incidents$", "severity"),
    "status": (r"^(\w+) postmortems$", "status"),
    "cause": (r"^Root-cause category: (.+)$", "causes"),
    "service": (r"^Service: (.+)$", "services"),
    "tag": (r"^Tag: (.+)$", "tags"),
    "year": (r"^Incidents of (\d{4})$", "years"),
}
"""Each filter of the search page, the heading of its static pages, and their folder."""


def test_every_search_filter_has_static_pages_listing_its_incidents(
    synthetic: dict[str, Path],
) -> None:
    """For every value of every filter in the search catalog, a static page lists exactly
    the incidents the filter selects: the search's answers, without JavaScript."""
    import json

    site = synthetic["plugin"]
    catalog = json.loads((site / "incidents/search/catalog.json").read_text(encoding="utf-8"))
    expected: dict[tuple[str, str], set[str]] = {}
    for incident in catalog["incidents"]:
        url = _resolve("incidents/search/catalog.json", incident["url"])
        values = {
            "severity": [incident["severity"]],
            "status": [incident["status"]],
            "cause": [incident["cause"]] if incident["cause"] else [],
            "service": incident["services"],
            "tag": incident["tags"],
            "year": [incident["date"][:4]],
        }
        for facet, found in values.items():
            for value in found:
                expected.setdefault((facet, normalise(value)), set()).add(url)
    pages = pages_of(site)
    listed: dict[tuple[str, str], set[str]] = {}
    for url, page in pages.items():
        for facet, (heading, folder) in FACET_PAGES.items():
            match = re.match(heading, page.title)
            if match and url.startswith(f"incidents/{folder}/"):
                reports = {link for link in page.links if pages.get(link, page).header}
                listed[(facet, normalise(match.group(1)))] = reports
    # A service or tag used by one incident has no page of its own: the patterns page lists
    # it, linked to that incident (its static path, without JavaScript).
    folded = {
        key: urls
        for key, urls in expected.items()
        if key[0] in ("service", "tag") and len(urls) == 1
    }
    patterns = pages["incidents/patterns/"]
    for key, urls in folded.items():
        assert key not in listed and urls <= set(patterns.links), key
    assert {key: urls for key, urls in listed.items() if urls} == {
        key: urls for key, urls in expected.items() if key not in folded
    }
    assert {facet for facet, _ in expected} == set(FACET_PAGES)


def test_the_search_page_leads_to_the_static_pages_without_javascript(
    synthetic: dict[str, Path], browser
) -> None:
    from tests.browser import serve

    with serve(synthetic["plugin"]) as base:
        context = browser.new_context(java_script_enabled=False)
        page = context.new_page()
        page.goto(base + "incidents/search/")
        text = page.locator("article").inner_text()
        assert "Without JavaScript" in text and "needs JavaScript" in text
        hrefs = page.locator("article ul a").evaluate_all("links => links.map(a => a.href)")
        assert len(hrefs) >= 5 + 3 + 2 + 3 + 2  # severities, statuses, years, patterns...
        for href in hrefs:
            address, _, anchor = href.partition("#")
            response = page.goto(address)
            assert response is not None and response.ok, href
            assert page.locator("article h1").count() == 1, href
            if anchor:  # a section of the patterns page: its heading is there
                assert page.locator(f"h2#{anchor}").count() == 1, href
        context.close()
