"""Two editions from one repository, and not one byte of an internal report in the public one.

The leakage test builds both editions of a knowledge base whose unpublished reports carry
a unique marker in every field, section, table cell, file name and attachment, then scans
every file of the public site (HTML, JSON, XML, JS, the search indexes, the sitemap and
its .gz, the feeds, the calendar) for any of them. The markers are checked to be in the
internal site, so their absence from the public one means something. Then each output
path is broken on purpose, one at a time, to prove the scan catches it.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

import postmortem_kb.analysis.relate as relate_module
import postmortem_kb.core.edition as edition_module
import postmortem_kb.core.workers as workers_module
import postmortem_kb.plugin as plugin_module
import postmortem_kb.site.calendar as calendar_module
import postmortem_kb.site.catalog as catalog_module
import postmortem_kb.site.feeds as feeds_module
import postmortem_kb.site.files as files_module
import postmortem_kb.site.pages as pages_module
import postmortem_kb.site.pages.writer as writer_module
import postmortem_kb.site.render as render_module
from postmortem_kb import Keep, Settings, load
from postmortem_kb.analysis.patterns import newest_first
from postmortem_kb.core.config import ConfigError, settings_from_options
from postmortem_kb.core.edition import (
    Edition,
    EditionError,
    published,
    resolve_edition,
    stylesheet_targets,
    withheld_files,
)
from postmortem_kb.core.kb import KnowledgeBase
from postmortem_kb.core.redact import check_mentions, public_copy
from postmortem_kb.core.report import Report
from postmortem_kb.core.workers import Workers
from tests.conftest import Site, check_text, codes, report_text

SITE_URL = "https://kb.example.com/postmortems/"
OPTIONS = """\
build_date: 2024-03-01
public_redact_sections: [Lessons Learned]
public_redact_fields: [authors]
"""


class Markers:
    """Unique strings that no template, theme or other report contains.

    Lower case, ending in a letter no stemmer strips, so they survive lunr's
    tokenizer and stemmer and case-folding search indexes unchanged.
    """

    def __init__(self, key: str) -> None:
        self.key = key
        self.made: list[str] = []

    def __call__(self) -> str:
        marker = f"zqx{self.key}m{len(self.made):02d}z"
        self.made.append(marker)
        return marker


def leaky_report(
    report_id: str,
    day: str,
    m: Markers,
    *,
    tags: tuple[str, ...] = (),
    services: tuple[str, ...] = (),
    related: tuple[str, ...] = (),
    attachment: str | None = None,
    unrendered: list[str] | None = None,
) -> str:
    """An internal report with a marker in every frontmatter field and every section."""
    # Not shown by the internal edition either: the public summary (public edition
    # only). The contributing factors' descriptions are only in exports and, as words,
    # in the incident search's index.
    public_summary, factors = m(), (m(), m())
    if unrendered is not None:
        unrendered.append(public_summary)
    meta = {
        "id": report_id,
        "title": f"Outage {m()} in the {m()} cluster",
        "date": day,
        "severity": "SEV1",
        "status": "Final",
        "authors": [f"Author {m()}", f"Second {m()}"],
        "template": "standard",
        "tags": [*tags, m()],
        "services": [*services, m()],
        "root_cause": {"category": m(), "summary": f"The {m()} path leaked connections."},
        "contributing_factors": [
            {"category": "process", "description": f"Reviews missed {factors[0]}."},
            {"category": "technology", "description": f"No alert on {factors[1]}."},
        ],
        "impact": {
            "started": f"{day}T10:00:00Z",
            "detected": f"{day}T10:23:00Z",
            "resolved": f"{day}T13:37:00Z",
            "users_affected": 9191917,
            "requests_failed": 7373731,
            "support_tickets": 6464649,
            "revenue_usd": 8282823.5,
            "sla_breached": True,
            "data_loss": False,
        },
        "near_miss": False,
        "visibility": "internal",
        "public_summary": f"A public summary {public_summary}.",
        "related": list(related),
    }
    picture = f"\n\n![Diagram {m()}]({attachment})" if attachment else ""
    issue = f"https://tracker.example/{m()}"
    body = f"""Preface {m()}.

## Executive Summary

Summary {m()}.

## Impact

Users saw errors on 9,191,917 requests ({m()}).

| Region | Errors |
|---|---|
| {m()} | 12% |

## Timeline

| Time | Event |
|---|---|
| 10:00 | Deploy {m()} |
| 13:37 | Resolved {m()} |

## Root Cause Analysis

Cause {m()}.{picture}

## Action Items

| ID | Action | Owner | Due Date | Priority | Status | Issue | Notes |
|---|---|---|---|---|---|---|---|
| AI-1 | Add {m()} alerts | @{m()} | 2019-08-14 | P1 | Not Started | {issue} | Notes {m()} |
| AI-2 | Fix the {m()} path | @team-x | 2019-06-01 | P0 | Done | | |

## What Went Well

Well {m()}.

## What Went Wrong

Wrong {m()}.

## Lessons Learned

Lesson {m()}.

## Appendix

Extra {m()}.
"""
    return f"---\n{yaml.safe_dump(meta, sort_keys=False)}---\n{body}"


def make_public(text: str, **fields: object) -> str:
    """``text`` (a report_text report) marked public, with more frontmatter fields."""
    extra = yaml.safe_dump({"visibility": "public", **fields}, sort_keys=False)
    return text.replace("---\n", f"---\n{extra}", 1)


class Fixture:
    """The knowledge base behind the leakage tests, and what must never be published."""

    def __init__(self, root: Path) -> None:
        self.site = Site(root)
        self.secret: list[str] = []
        """Strings of unpublished reports and of redacted parts of public ones."""
        self.unrendered: list[str] = []
        """Secret strings that not even the internal edition shows."""
        a, b, c, d, r = (Markers(k) for k in "abcdr")
        site = self.site
        # I1: internal, in a folder of its own, with an attachment and a nav entry.
        i1 = f"2019/07/{a()}-outage.md"
        site.add(
            i1,
            leaky_report(
                "INC-2019-101",
                "2019-07-13",
                a,
                tags=("shared-tag",),
                services=("shared-svc",),
                related=("INC-2024-001",),
                attachment="diagram.svg",
                unrendered=self.unrendered,
            ),
        )
        site.add("2019/07/diagram.svg", f'<svg xmlns="http://www.w3.org/2000/svg">{a()}</svg>')
        site.add("2019/07/notes.txt", f"Unlinked notes {a()}\n")
        # I2: internal, next to a public report, linking to a file in a shared folder.
        site.add(
            f"2024/01/{b()}-internal.md",
            leaky_report(
                "INC-2019-102",
                "2019-09-21",
                b,
                tags=("shared-tag",),
                attachment="../../assets/i2-only.txt",
                unrendered=self.unrendered,
            )
            + "\nSee also [the shared diagram](../../assets/shared.svg).\n",
        )
        site.add("assets/i2-only.txt", f"Attachment {b()}\n")
        site.add("assets/shared.svg", '<svg xmlns="http://www.w3.org/2000/svg">shared</svg>')
        # I3: internal, with the id of public P2 (PM020 names its file on P2's page).
        site.add(
            f"2024/02/{c()}-dup.md",
            leaky_report("INC-2024-002", "2019-11-02", c, unrendered=self.unrendered),
        )
        # I4: an internal near-miss; B1, B2: broken reports, one claiming to be public.
        site.add(
            "2019/10/near.md",
            report_text(
                "INC-2019-104",
                date="2019-10-05",
                title=f"Near miss {d()}",
                near_miss=True,
                tags=[d()],
                services=[d()],
                category=d(),
                summary=f"Almost {d()}.",
                actions=[("AI-1", f"@{d()}", "2019-12-24", "P2", "In Progress")],
            ),
        )
        site.add(
            f"2019/07/{d()}-broken.md",
            f"---\nid: INC-2019-105\ntitle: Broken {d()}\nvisibility: public\n"
            f"severity: SEV9\n---\n## Executive Summary\n\nBroken {d()}.\n",
        )
        site.add("2019/07/bare.md", f"No frontmatter at all {d()}.\n")
        # P1 and P2: public. P1 names I1 in related, shares its tag, service and cause,
        # and has parts that redaction removes.
        p1 = report_text(
            "INC-2024-001",
            date="2024-01-10",
            title="Public checkout outage",
            tags=["shared-tag"],
            services=["shared-svc"],
            related=["INC-2019-101", "INC-2024-002"],
            actions=[("AI-1", "@alice", "2024-04-01", "P1", "In Progress")],
        )
        p1 = p1.replace("Alice Smith", f"Alice {r()}")
        p1 = p1.replace("Something broke.", f"Something broke {r()}.")
        p1 = p1.replace("Test rollbacks.", f"Test rollbacks {r()}.")
        p1 = p1.replace(
            "See the summary.",
            "See the summary. ![chart](p1-chart.svg) ![shared](../../assets/shared.svg)",
        )
        site.add("2024/01/p1.md", make_public(p1, public_summary="Checkout failed for 30 minutes."))
        site.add("2024/01/p1-chart.svg", '<svg xmlns="http://www.w3.org/2000/svg">p1</svg>')
        site.add("2024/01/loose.txt", "Next to a public report.\n")
        # P2 has no public summary: redaction must still find its sections.
        p2 = report_text("INC-2024-002", date="2024-02-05", title="Public API errors")
        p2 = p2.replace("Test rollbacks.", f"Test rollbacks {r()}.")
        site.add("2024/02/p2.md", make_public(p2))
        nav_title = a()
        site.configure(OPTIONS)
        site.extra = (
            f"site_url: {SITE_URL}\n"
            "nav:\n"
            "  - Home: index.md\n"
            f"  - 'Nav {nav_title}': {i1}\n"
            "  - Overview: incidents/index.md\n"
        )
        self.secret = [
            *a.made,
            *b.made,
            *c.made,
            *d.made,
            *r.made,
            "INC-2019-101",
            "INC-2019-102",
            "INC-2019-104",
            "INC-2019-105",
            "2019-07-13",
            "2019-09-21",
            "2019-10-05",
            "2019-11-02",
            "2019-08-14",
            "July 2019",
            "9191917",
            "9,191,917",
            "7373731",
            "6464649",
            "8282823",
            "3 h 37 min",
        ]
        self.unrendered += ["9191917", "7373731", "6464649", "8282823"]

    def build(self, name: str, edition: Edition, monkeypatch: pytest.MonkeyPatch) -> Path:
        out = self.site.root / name
        with monkeypatch.context() as patch:
            patch.setenv("PMKB_EDITION", edition.value)
            self.site.build(strict=False, site_dir=out)
        return out


def site_bytes(site_dir: Path) -> Iterator[tuple[str, bytes]]:
    """Every file of a built site as (path, content), compressed files decompressed."""
    for path in sorted(site_dir.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(site_dir).as_posix()
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        if path.suffix == ".ics":  # RFC 5545 folds long lines; unfold before searching
            data = re.sub(rb"\r?\n[ \t]", b"", data)
        yield rel, rel.encode() + b"\n" + data


def leaks(site_dir: Path, secrets: list[str]) -> dict[str, list[str]]:
    """Secrets found in the site, each with the files holding it (case-insensitive)."""
    found: dict[str, list[str]] = {}
    wanted = [(s, s.lower().encode()) for s in secrets]
    for rel, data in site_bytes(site_dir):
        low = data.lower()
        for secret, needle in wanted:
            if needle in low:
                found.setdefault(secret, []).append(rel)
    return found


@pytest.fixture(scope="module")
def fixture(tmp_path_factory: pytest.TempPathFactory) -> Fixture:
    return Fixture(tmp_path_factory.mktemp("editions") / "project")


@pytest.fixture(scope="module")
def sites(fixture: Fixture) -> dict[Edition, Path]:
    with pytest.MonkeyPatch.context() as patch:
        return {e: fixture.build(f"site-{e.value}", e, patch) for e in Edition}


# --- the leakage test ------------------------------------------------------------------


def test_the_markers_are_real_the_internal_edition_shows_them(
    fixture: Fixture, sites: dict[Edition, Path]
) -> None:
    """A marker absent from both sites would prove nothing about the public one."""
    found = leaks(sites[Edition.INTERNAL], fixture.secret)
    missing = sorted(set(fixture.secret) - set(found))
    assert missing == sorted(set(fixture.unrendered))


def test_the_public_edition_holds_not_one_byte_of_an_internal_report(
    fixture: Fixture, sites: dict[Edition, Path]
) -> None:
    assert leaks(sites[Edition.PUBLIC], fixture.secret) == {}


def test_every_public_report_is_published(sites: dict[Edition, Path]) -> None:
    public = sites[Edition.PUBLIC]
    for page in ("2024/01/p1/index.html", "2024/02/p2/index.html"):
        assert 'class="pmkb-header"' in (public / page).read_text("utf-8")
    catalog = json.loads((public / "incidents/search/catalog.json").read_text("utf-8"))
    assert [i["id"] for i in catalog["incidents"]] == ["INC-2024-002", "INC-2024-001"]
    index = json.loads((public / "search/search_index.json").read_text("utf-8"))
    assert {"Public checkout outage", "Public API errors"} <= {d["title"] for d in index["docs"]}
    sitemap = (public / "sitemap.xml").read_text("utf-8")
    assert f"{SITE_URL}2024/01/p1/" in sitemap and f"{SITE_URL}2024/02/p2/" in sitemap
    for kept in ("assets/shared.svg", "2024/01/p1-chart.svg"):
        assert (public / kept).is_file(), kept
    # Deny by default: a file no published page refers to stays out, next to a public
    # report or not (the internal edition has it).
    assert not (public / "2024/01/loose.txt").exists()
    assert (sites[Edition.INTERNAL] / "2024/01/loose.txt").is_file()


def test_counts_and_charts_count_only_public_reports(sites: dict[Edition, Path]) -> None:
    def text(site: Path, page: str) -> str:
        return re.sub(r"<[^>]+>", "", (site / page).read_text("utf-8"))

    public, internal = sites[Edition.PUBLIC], sites[Edition.INTERNAL]
    assert "2 postmortems, near-misses included (0)" in text(public, "incidents/index.html")
    assert "8 postmortems, near-misses included (1)" in text(internal, "incidents/index.html")
    metrics = text(public, "incidents/metrics/index.html")
    assert "2 incidents and 0 near-misses" in metrics
    assert "2 action items from 2 postmortems" in text(public, "incidents/action-items/index.html")
    # Used by one public incident, the tag has no page of its own in the public edition:
    # the patterns page links it to that incident. The internal edition counts all three.
    assert not (public / "incidents/tags/shared-tag").exists()
    assert "Used by one incident each (1): shared-tag (INC-" in text(
        public, "incidents/patterns/index.html"
    )
    assert "3 incidents, newest first" in text(internal, "incidents/tags/shared-tag/index.html")


def test_related_incidents_keep_only_published_reports(sites: dict[Edition, Path]) -> None:
    page = (sites[Edition.PUBLIC] / "2024/01/p1/index.html").read_text("utf-8")
    related = page[page.index('class="pmkb-related"') :]
    assert "INC-2024-002" in related and "Public API errors" in related
    internal = (sites[Edition.INTERNAL] / "2024/01/p1/index.html").read_text("utf-8")
    assert "INC-2019-101" in internal[internal.index('class="pmkb-related"') :]


def test_redaction_and_public_summary_on_the_public_page(sites: dict[Edition, Path]) -> None:
    page = (sites[Edition.PUBLIC] / "2024/01/p1/index.html").read_text("utf-8")
    assert "Checkout failed for 30 minutes." in page
    assert "Lessons Learned" not in page and "Authors" not in page
    assert "What Went Well" in page  # only the listed section goes
    internal = (sites[Edition.INTERNAL] / "2024/01/p1/index.html").read_text("utf-8")
    assert "Checkout failed for 30 minutes." not in internal and "Lessons Learned" in internal


# --- each output path, broken on purpose ----------------------------------------------


def _capture(patch: pytest.MonkeyPatch) -> dict[str, KnowledgeBase]:
    """Remember the unfiltered knowledge base of the next build, for the breakers."""
    holder: dict[str, KnowledgeBase] = {}
    real = plugin_module.published

    def capturing(kb: KnowledgeBase) -> KnowledgeBase:
        holder["all"] = kb
        return real(kb)

    patch.setattr(plugin_module, "published", capturing)
    return holder


def _safe(url_of: Callable[[Report], str]) -> Callable[[Report], str]:
    def url(report: Report) -> str:
        try:
            return url_of(report)
        except KeyError:
            return SITE_URL

    return url


def _break(name: str, patch: pytest.MonkeyPatch, holder: dict[str, KnowledgeBase]) -> None:
    everything = lambda: holder["all"]  # noqa: E731
    if name == "report pages, nav, search index, sitemap":

        def forgetful(files, config, every, published, settings) -> set[str]:  # type: ignore[no-untyped-def]
            # Internal reports stay in the build, rendered like every report page.
            for uri, report in every.items():
                published.setdefault(uri, report)
            return set()

        patch.setattr(files_module, "withhold", forgetful)
    elif name == "attachments":
        patch.setattr(edition_module, "withheld_files", lambda pages, files, *more: set())
    elif name == "navigation entries":
        patch.setattr(files_module, "prune", lambda items, withheld: items)
    elif name == "incident catalog and lunr index":
        real = catalog_module.build_catalog
        patch.setattr(
            catalog_module,
            "build_catalog",
            lambda reports, url_of, today, template, *kept: real(
                everything().reports, lambda r: "", today, template
            ),
        )
    elif name == "overview, severity, archive and review pages":
        real_generate = pages_module.generate
        patch.setattr(
            pages_module,
            "generate",
            lambda kb, today, url_of, prefix, *kept: real_generate(
                everything(), today, url_of, prefix, *kept
            ),
        )
    elif name == "pattern pages":
        real_group = writer_module.group_by
        patch.setattr(
            writer_module,
            "group_by",
            lambda reports, values: real_group(newest_first(everything().reports), values),
        )
    elif name == "metrics pages":
        real_metrics = pages_module.metrics_pages
        patch.setattr(
            pages_module,
            "metrics_pages",
            lambda reports, today: real_metrics(everything().reports, today),
        )
    elif name == "related incidents and backlinks":
        real_link, real_context = relate_module.link_later, render_module.related_context
        patch.setattr(
            relate_module, "link_later", lambda reports, *a: real_link(everything().reports, *a)
        )
        patch.setattr(
            render_module,
            "related_context",
            lambda links, by_id, url_of, *rest: real_context(
                links, everything().by_id(), url_of, *rest
            ),
        )
    elif name in ("Atom feed", "RSS feed"):
        attribute = "atom_feed" if name == "Atom feed" else "rss_feed"
        real_feed = getattr(feeds_module, attribute)
        patch.setattr(
            feeds_module,
            attribute,
            lambda kb, site, url_of, self_url, today: real_feed(
                everything(), site, _safe(url_of), self_url, today
            ),
        )
    elif name == "action-item calendar":
        real_items = calendar_module.due_items
        patch.setattr(
            calendar_module,
            "due_items",
            lambda kb, url_of: real_items(everything(), _safe(url_of)),
        )
    elif name == "redaction":
        patch.setattr(edition_module, "public_copy", lambda report, settings, ids=None: report)
    elif name == "problem messages":
        patch.setattr(edition_module, "_generic", lambda problem: problem)
    elif name == "deny by default":
        real_copy = edition_module.public_copy
        # What the frontmatter says, valid or not, is taken at its word.
        patch.setattr(edition_module, "is_public", lambda r: r.meta.visibility == "public")
        patch.setattr(
            edition_module,
            "public_copy",
            lambda report, settings, ids=None: (
                real_copy(report, settings, ids) if report.valid else report
            ),
        )
    else:  # pragma: no cover
        raise AssertionError(name)


BREAKERS = [
    "report pages, nav, search index, sitemap",
    "attachments",
    "navigation entries",
    "incident catalog and lunr index",
    "overview, severity, archive and review pages",
    "pattern pages",
    "metrics pages",
    "related incidents and backlinks",
    "Atom feed",
    "RSS feed",
    "action-item calendar",
    "redaction",
    "problem messages",
    "deny by default",
]


@pytest.mark.parametrize("breaker", BREAKERS)
def test_the_scan_catches_any_single_output_that_forgets_the_filter(
    fixture: Fixture, breaker: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Proof that the leakage test is not vacuous: break one path, and it must fail."""
    holder = _capture(monkeypatch)
    _break(breaker, monkeypatch, holder)
    out = fixture.build(f"broken-{BREAKERS.index(breaker)}", Edition.PUBLIC, monkeypatch)
    assert leaks(out, fixture.secret) != {}


# --- the core: editions, the published view, redaction, PM023 ----------------------------


def test_the_environment_variable_wins_and_a_typo_is_an_error() -> None:
    assert resolve_edition("internal", {}) is Edition.INTERNAL
    assert resolve_edition("public", {"PMKB_EDITION": ""}) is Edition.PUBLIC
    assert resolve_edition("internal", {"PMKB_EDITION": " Public "}) is Edition.PUBLIC
    assert resolve_edition("public", {"PMKB_EDITION": "internal"}) is Edition.INTERNAL
    with pytest.raises(EditionError, match="PMKB_EDITION"):
        resolve_edition("internal", {"PMKB_EDITION": "publik"})
    with pytest.raises(ConfigError, match="edition: Input should be 'internal' or 'public'"):
        settings_from_options({"edition": "everyone"}, "mkdocs.yml", {})
    with pytest.raises(ConfigError, match="cannot redact 'title'"):
        settings_from_options({"public_redact_fields": ["title"]}, "mkdocs.yml", {})
    settings = settings_from_options(
        {"edition": "internal"}, "mkdocs.yml", {"PMKB_EDITION": "public"}
    )
    assert settings.edition == "public"


def test_a_bad_edition_stops_the_build(
    site: Site,
    build_fails: Callable[[Site], None],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    site.add("a.md", report_text("INC-2024-001"))
    monkeypatch.setenv("PMKB_EDITION", "pubic")
    build_fails(site)
    assert (
        "mkdocs.yml: the PMKB_EDITION environment variable is 'pubic'; use 'internal' "
        "(every report) or 'public' (only reports with 'visibility: public')"
    ) in caplog.text
    assert not (site.root / "site" / "a").exists()


def test_the_public_edition_option_without_the_variable(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PMKB_EDITION", raising=False)
    site.add("a.md", make_public(report_text("INC-2024-001", title="Shown")))
    site.add("b.md", report_text("INC-2024-002", title="Hidden zqxhidden"))
    site.configure("edition: public\n")
    site.build()
    assert not (site.root / "site" / "b").exists()
    assert "zqxhidden" not in (site.root / "site" / "incidents" / "index.html").read_text("utf-8")


def _kb(tmp_path: Path, files: dict[str, str], **settings: object) -> KnowledgeBase:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    config = Settings(**settings)
    return load([(tmp_path / n, n) for n in files], config, display_root=tmp_path)


def test_published_view_is_the_only_choke_point(tmp_path: Path) -> None:
    files = {
        "a.md": make_public(report_text("INC-2024-001", related=["INC-2024-002"])),
        "b.md": report_text("INC-2024-002", related=["INC-2024-001"]),
    }
    kb = _kb(tmp_path, files)
    assert published(kb) is kb  # the internal edition publishes everything as it is
    view = published(_kb(tmp_path, files, edition="public"))
    assert [r.id for r in view.reports] == ["INC-2024-001"]
    assert view.reports[0].meta is not None and view.reports[0].meta.related == []
    assert view.problems == []


def test_public_problems_keep_their_rule_but_not_their_words(tmp_path: Path) -> None:
    files = {
        "a.md": make_public(report_text("INC-2024-001")),
        "secret-name.md": report_text("INC-2024-001"),
    }
    view = published(_kb(tmp_path, files, edition="public"))
    assert codes(view.problems) == ["PM020"]
    assert "secret-name" not in view.problems[0].message
    assert view.problems_of(view.reports[0]) == view.problems


def test_redaction_cuts_sections_and_fields_once_for_every_output(tmp_path: Path) -> None:
    text = make_public(
        report_text("INC-2024-001", tags=["t"], services=["s"]),
        public_summary="Short public words.",
    ).replace("## What Went Well", "# An h1 part\n\nKept h1 text.\n\n## What Went Well")
    settings = Settings(
        public_redact_sections=[" action items ", "Lessons Learned", "Timeline"],
        public_redact_fields=["tags", "impact.started", "authors"],
    )
    report = _kb(tmp_path, {"a.md": text}).reports[0]
    copy = public_copy(report, settings)
    assert copy.action_items == [] and copy.timeline == []
    assert "Lessons Learned" not in copy.body and "Test rollbacks" not in copy.body
    assert "Kept h1 text." in copy.body and "What Went Well" in copy.body
    assert copy.section("Executive Summary").text == "Short public words."  # type: ignore[union-attr]
    assert "Something broke." not in copy.body
    assert copy.meta is not None and copy.meta.tags == [] and copy.meta.authors == []
    assert copy.meta.services == ["s"] and copy.meta.impact is not None
    assert copy.meta.impact.started is None and copy.meta.impact.resolved is not None
    assert copy.source.text == copy.body and copy.findings == []
    assert report.body != copy.body  # the original is untouched, for the checks and logs
    # Cut at the headings read with the report; a lean report's text, read again, is
    # parsed again, and cut the same.
    assert report.headings is not None
    lean = _kb(tmp_path, {"a.md": text}).reports[0]
    lean.make_lean(Keep.PAGES)
    assert lean.headings is None and public_copy(lean, settings).body == copy.body


def test_a_public_summary_without_a_summary_section_becomes_one(tmp_path: Path) -> None:
    text = make_public(report_text("INC-2024-001"), public_summary="Words.").replace(
        "## Executive Summary\n\nSomething broke.\n\n", ""
    )
    report = _kb(tmp_path, {"a.md": text}).reports[0]
    copy = public_copy(report, Settings())
    assert copy.body.startswith("## Summary\n\nWords.\n")
    assert copy.sections[0].title == "Summary"


def test_withheld_files_deny_by_default() -> None:
    """Only what a published page or the configuration refers to, or public_files names."""
    pages = {
        "index.md": ("![logo](assets/logo.png)", True),
        "2024/01/pub.md": ("![a](a.png) ![s](../../assets/shared.png) [up](../../x/up.pdf)", True),
        "2024/01/int.md": (
            "![b](b.png) [n](../../assets/notes.pdf) ![s](../../assets/shared.png)",
            False,
        ),
        "2019/07/int.md": ("no links", False),
    }
    files = [
        "assets/logo.png",
        "assets/shared.png",
        "assets/notes.pdf",
        "assets/extra.css",
        "assets/font.woff2",
        "2024/01/a.png",
        "2024/01/b.png",
        "2024/01/c.png",
        "2019/07/x.png",
        "x/up.pdf",
        "CNAME",
        "other/w.png",
    ]
    withheld = withheld_files(pages, files, {"assets/extra.css", "assets/font.woff2"}, ["CNAME"])
    assert withheld == {
        "assets/notes.pdf",  # only an internal report links to it
        "2024/01/b.png",
        "2024/01/c.png",  # next to a public report, but no page refers to it
        "2019/07/x.png",
        "other/w.png",
    }
    css = "@font-face { src: url('font.woff2') } .a { background: url(../img/b.png) }"
    assert list(stylesheet_targets(css, "assets/extra.css")) == ["assets/font.woff2", "img/b.png"]


def test_pm023_public_text_that_names_an_internal_report(tmp_path: Path) -> None:
    internal = report_text("INC-2024-002")
    mention = make_public(report_text("INC-2024-001")).replace(
        "See the summary.", "Like INC-2024-002, and [its page](b.md)."
    )
    kb = _kb(tmp_path, {"a.md": mention, "b.md": internal})
    line = mention.split("\n").index("Like INC-2024-002, and [its page](b.md).") + 1
    assert [(p.code, p.line) for p in kb.problems] == [("PM023", line), ("PM023", line)]
    assert "INC-2024-002" in kb.problems[0].message
    # Redacted, or only in related:, or with a similar but longer id: nothing to report.
    quiet = _kb(
        tmp_path,
        {"a.md": mention, "b.md": internal},
        public_redact_sections=["Root Cause Analysis"],
    )
    assert quiet.problems == []
    related = make_public(report_text("INC-2024-001", related=["INC-2024-002"]))
    longer = make_public(report_text("INC-2024-001")).replace(
        "Something broke.", "INC-2024-0021 broke."
    )
    for text in (related, longer):
        assert _kb(tmp_path, {"a.md": text, "b.md": internal}).problems == []
    # Both public: fine. A frontmatter value counts too.
    both = _kb(tmp_path, {"a.md": mention, "b.md": make_public(internal)})
    assert both.problems == []
    field = make_public(report_text("INC-2024-001", summary="Same as INC-2024-002 last year."))
    assert codes(_kb(tmp_path, {"a.md": field, "b.md": internal}).problems) == ["PM023"]


def test_pm023_when_reports_are_read_in_worker_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`pmkb check` of a large knowledge base reads in worker processes and keeps only
    what checking needs; a public report's text must survive the trip for PM023."""
    monkeypatch.setattr(workers_module, "PARALLEL_FROM", 2)
    mention = make_public(report_text("INC-2024-001")).replace(
        "See the summary.", "As INC-2024-002."
    )
    files = {"a.md": mention, "b.md": report_text("INC-2024-002")}
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    kb = load([(tmp_path / n, n) for n in files], Settings(), tmp_path, keep=Keep.PAGES)
    line = mention.split("\n").index("As INC-2024-002.") + 1
    assert [(p.path, p.code, p.line) for p in kb.problems] == [("a.md", "PM023", line)]
    # Both came back without their text; the public one with what it would publish.
    assert [r.source.text for r in kb.reports] == ["", ""]
    assert kb.reports[0].disclosure is not None and kb.reports[1].disclosure is None


@pytest.mark.parametrize("fork", [False, True], ids=["spawned", "forked"])
def test_checking_keeps_less_and_finds_the_same_problems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fork: bool
) -> None:
    """`pmkb check` keeps only what the checks across reports need (:attr:`Keep.PROBLEMS`),
    in worker processes started as the command starts them: every problem, line and
    message must be what a full read finds."""
    monkeypatch.setattr(workers_module, "PARALLEL_FROM", 2)
    named = make_public(report_text("INC-2024-001", related=["INC-2024-002"])).replace(
        "See the summary.", "Same as INC-2024-003. Details in [the notes](c.md)."
    )
    files = {
        "a.md": named,
        "b.md": report_text("INC-2024-002", related=["INC-2024-404", "INC-2024-002"]),
        "c.md": report_text("INC-2024-003", related=["INC-2024-001"]),
        "d.md": report_text("INC-2024-003", tags=["Not-A-Slug"]),
        "e.md": "no frontmatter\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    paths = [(tmp_path / n, n) for n in files]
    full = load(paths, Settings(), tmp_path)
    with Workers(2, fork=fork) as workers:
        lean = load(paths, Settings(), tmp_path, keep=Keep.PROBLEMS, workers=workers)
        assert workers.started == 2
    assert lean.problems == full.problems
    assert {"PM020", "PM021", "PM022", "PM023"} <= set(codes(full.problems))
    # Checking one file reads the others' frontmatter only, and finds the same for it.
    with Workers(2, fork=fork) as workers:
        options = {"keep": Keep.PROBLEMS, "workers": workers, "context": paths[1:]}
        one = load(paths[:1], Settings(), tmp_path, **options)  # type: ignore[arg-type]
        assert workers.started == 2
    mine = [p for p in full.problems if p.path == "a.md"]
    assert [p for p in one.problems if p.path == "a.md"] == mine and len(mine) >= 2
    assert len([p for p in full.problems if p.code == "PM023"]) == 2  # a mention and a link
    assert all(r.sections == [] and r.source.text == "" for r in lean.reports)


def test_pm023_findings_are_ordinary_problems(tmp_path: Path) -> None:
    text = make_public(report_text("INC-2024-001")).replace("Something broke.", "See INC-2024-009.")
    (tmp_path / "b.md").write_text(report_text("INC-2024-009"), encoding="utf-8")
    problems = check_text(tmp_path, text, "a.md")
    assert problems == []  # checked alone, the other report is unknown
    reports = _kb(tmp_path, {"a.md": text, "b.md": report_text("INC-2024-009")}).reports
    assert list(check_mentions(reports, Settings())) == [0]
    off = _kb(tmp_path, {"a.md": text, "b.md": report_text("INC-2024-009")}, rules={"PM023": "off"})
    assert off.problems == []


# --- the repository's own knowledge base ---------------------------------------------


ROOT = Path(__file__).resolve().parents[2]


def test_the_repository_builds_both_editions_from_the_same_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from postmortem_kb import find_reports
    from postmortem_kb.core.config import read_project

    settings = read_project(ROOT / "mkdocs.yml").settings
    kb = load(find_reports(ROOT / "postmortems", settings), settings, ROOT)
    hidden = [r for r in kb.reports if r.valid and r.meta.visibility == "internal"]
    shown = [r for r in kb.reports if r.valid and r.meta.visibility == "public"]
    assert 3 <= len(shown) <= 4 and hidden
    monkeypatch.setenv("PMKB_EDITION", "public")
    out = tmp_path / "public"
    build(load_config(str(ROOT / "mkdocs.yml"), strict=True, site_dir=str(out)))
    secrets = [s for r in hidden for s in (r.id or "", r.title, Path(r.rel).stem)]
    assert leaks(out, secrets) == {}
    assert "noindex" not in (out / "index.html").read_text("utf-8")  # meant to be found
    overview = re.sub(r"<[^>]+>", "", (out / "incidents/index.html").read_text("utf-8"))
    assert f"{len(shown)} postmortems" in overview
    for report in shown:
        assert (out / Path(report.rel).with_suffix("") / "index.html").is_file()
