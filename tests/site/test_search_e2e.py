"""The incident search in real headless Chromium, on the repository's own knowledge base."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from lunr import lunr
from lunr.builder import Builder
from lunr.index import Index
from lunr.stemmer import stemmer
from lunr.stop_word_filter import stop_word_filter
from lunr.trimmer import trimmer
from mkdocs.commands.build import build
from mkdocs.config import load_config
from playwright.sync_api import Browser, Page, expect

from postmortem_kb import Settings, load
from postmortem_kb.core.kb import find_reports
from postmortem_kb.core.report import Keep
from postmortem_kb.core.wording import browser_stemmer, stem
from postmortem_kb.site.catalog import FIELDS, build_index, index_documents, to_json
from tests.browser import serve

ROOT = Path(__file__).resolve().parents[2]
READY = "#pmkb-search[data-ready=yes]"


def build_site(tmp: Path, instant: bool) -> Path:
    config_file = tmp / f"mkdocs-{instant}.yml"
    features = ["navigation.instant", "navigation.sections"] if instant else []
    config_file.write_text(
        f"INHERIT: {ROOT / 'mkdocs.yml'}\ndocs_dir: {ROOT / 'postmortems'}\n"
        f"theme:\n  name: material\n  custom_dir: {ROOT / 'overrides'}\n  font: false\n"
        f"  features: {json.dumps(features)}\n"
        "plugins:\n  - search\n  - postmortems:\n      build_date: 2026-11-26\n",
        encoding="utf-8",
    )
    site_dir = tmp / f"site-{instant}"
    build(load_config(str(config_file), site_dir=str(site_dir), strict=True))
    return site_dir


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[bool, Path]:
    tmp = tmp_path_factory.mktemp("search")
    return {instant: build_site(tmp, instant) for instant in (False, True)}


@pytest.fixture
def site_url(sites: dict[bool, Path]) -> Iterator[str]:
    with serve(sites[False]) as url:
        yield url


@pytest.fixture
def page(browser: Browser, site_url: str) -> Iterator[Page]:
    """A page whose context closes before the server stops (it depends on ``site_url``):
    a request still in flight as a test ends would fail as a network error and be taken
    for one of the page's own errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == []


def result_ids(page: Page) -> list[str]:
    return page.locator(".pmkb-result").evaluate_all("els => els.map(e => e.dataset.id)")


def count_of(page: Page, facet: str, value: str) -> int:
    label = page.locator(f'[data-facet="{facet}"] label', has_text=re.compile(f"^{value} "))
    return int(label.locator(".pmkb-count").get_attribute("data-count"))


def open_search(page: Page, base: str, query: str = "") -> None:
    page.goto(f"{base}incidents/search/{query}")
    page.wait_for_selector(READY)


def whole_matches(page: Page) -> list[str]:
    """The results listed before the divider that starts the partial matches."""
    return page.locator("#pmkb-search .pmkb-results > li").evaluate_all(
        """items => {
          const ids = [];
          for (const item of items) {
            if (item.classList.contains("pmkb-partial")) break;
            if (item.dataset.id) ids.push(item.dataset.id);
          }
          return ids;
        }"""
    )


def test_a_few_words_and_a_severity_find_the_global_config_push(page: Page, site_url: str) -> None:
    open_search(page, site_url)
    assert len(result_ids(page)) == 10  # no query: every incident, newest first
    page.fill("#pmkb-query", "config push all regions at once")
    whole = whole_matches(page)
    assert whole[0] == "INC-2026-002"
    assert len(result_ids(page)) > len(whole)  # the others with some words, after the divider
    expect(page.locator(".pmkb-partial")).to_have_text("Incidents with only some of the words")
    why = page.locator('.pmkb-result[data-id="INC-2026-002"] .pmkb-why').inner_text()
    assert why.startswith("Matched: config in ") and "push in title" in why
    assert "not:" not in why
    partial = page.locator(".pmkb-partial ~ .pmkb-result").first.locator(".pmkb-why").inner_text()
    assert "not: " in partial  # a partial match names the words it lacks
    page.check('[data-facet="severity"] input[value="SEV1"]')
    assert whole_matches(page) == ["INC-2026-002"]
    assert "severity=SEV1" in page.url and "query=config" in page.url
    snippet = page.locator('.pmkb-result[data-id="INC-2026-002"] .pmkb-snippet')
    assert snippet.locator("mark").count() > 0


def test_every_word_ranks_first_then_partial_matches(page: Page, site_url: str) -> None:
    """'postgres' alone finds several incidents; 'postgres replica' puts the ones with
    both words first, whatever their score for one word."""
    open_search(page, site_url)
    page.fill("#pmkb-query", "postgres")
    postgres = set(result_ids(page))
    page.fill("#pmkb-query", "postgres replica")
    both = whole_matches(page)
    assert both and set(both) <= postgres
    rest = result_ids(page)[len(both) :]
    assert rest and not set(rest) & set(both)
    for result in rest:
        why = page.locator(f'.pmkb-result[data-id="{result}"] .pmkb-why').inner_text()
        assert "not: " in why, result


def test_results_after_typing_are_those_of_a_fresh_page(page: Page, site_url: str) -> None:
    """The page remembers each word's lookups between keystrokes; whatever was typed
    before, a query lists what a fresh page lists for it, with the same reasons."""

    def shown() -> list[tuple[str, str]]:
        return page.locator(".pmkb-result").evaluate_all(
            "els => els.map(e => [e.dataset.id, e.querySelector('.pmkb-why').textContent])"
        )

    expected = {}
    for query in ("postgres replica", "replica", "config push"):
        open_search(page, site_url, "?query=" + query.replace(" ", "+"))
        expected[query] = shown()
        assert expected[query]
    open_search(page, site_url)
    for typed in ("replica postgres", "postgres", "postgres replica", "replica", "config push"):
        page.locator("#pmkb-query").fill("")
        page.locator("#pmkb-query").press_sequentially(typed)
        if typed in expected:
            assert shown() == expected[typed], typed


def test_an_exact_id_finds_that_incident_alone(page: Page, site_url: str) -> None:
    open_search(page, site_url)
    page.fill("#pmkb-query", "INC-2025-003")
    assert result_ids(page) == ["INC-2025-003"]  # not every incident with 2025 or 003
    page.fill("#pmkb-query", "inc-2026-001")
    assert result_ids(page) == ["INC-2026-001"]
    page.fill("#pmkb-query", "INC-2026-0")  # an id being typed
    assert result_ids(page) and all(i.startswith("INC-2026-0") for i in result_ids(page))
    assert page.locator(".pmkb-why").first.inner_text() == "Matched: incident id"


def test_facet_counts_follow_the_results(page: Page, site_url: str) -> None:
    open_search(page, site_url)
    assert count_of(page, "severity", "SEV2") == 4
    assert count_of(page, "cause", "capacity") == 3
    page.check('[data-facet="cause"] input[value="capacity"]')
    assert sorted(result_ids(page)) == ["INC-2025-002", "INC-2026-001", "INC-2026-004"]
    assert count_of(page, "severity", "SEV2") == 1  # INC-2026-001, the near-miss
    assert count_of(page, "cause", "config-change") == 2  # other values of the same facet stay
    page.check('[data-facet="near_miss"] input[value="yes"]')
    assert result_ids(page) == ["INC-2026-001"]


def test_state_lives_in_the_url_and_the_back_button_works(page: Page, site_url: str) -> None:
    open_search(page, site_url, "?query=postgres&cause=capacity&sort=date")
    first = result_ids(page)
    assert first and set(first) <= {"INC-2025-002", "INC-2026-001", "INC-2026-004"}
    assert page.input_value("#pmkb-query") == "postgres"
    assert page.is_checked('[data-facet="cause"] input[value="capacity"]')
    assert first == sorted(first, reverse=True)  # ids here sort like dates
    page.check('[data-facet="severity"] input[value="SEV0"]')
    assert result_ids(page) == ["INC-2025-002"]
    page.go_back()
    page.wait_for_function("document.querySelectorAll('.pmkb-result').length > 1")
    assert result_ids(page) == first
    assert not page.is_checked('[data-facet="severity"] input[value="SEV0"]')
    page.reload()
    page.wait_for_selector(READY)
    assert result_ids(page) == first


def test_the_search_page_downloads_only_what_it_uses(
    page: Page, site_url: str, sites: dict[bool, Path]
) -> None:
    """Material's search index (every page's text) is fetched by pages with Material's
    search box; the incident search page has its own search and no such box."""
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    open_search(page, site_url, "?query=config")
    assert any(url.endswith("catalog.json") for url in fetched)
    assert not any("search_index" in url for url in fetched)
    assert page.locator("form[name=search]").count() == 0
    page.goto(site_url)  # any other page keeps the site search, and fetches its index
    page.wait_for_load_state("networkidle")
    assert any(url.endswith("search/search_index.json") for url in fetched)
    assert page.locator("form[name=search]").count() == 1
    # With instant navigation the header (and its search box) is kept on every page.
    instant = (sites[True] / "incidents" / "search" / "index.html").read_text(encoding="utf-8")
    assert 'name="search"' in instant


def test_the_search_data_is_fetched_once_as_the_page_arrives(
    page: Page, site_url: str, sites: dict[bool, Path]
) -> None:
    """The catalog, the index and lunr are preloaded by the page's HTML (before Material's
    script has run) and the page's script uses those responses: each file is fetched once,
    by the preload. A preload that the script's request did not match would be a second
    download of the largest files."""
    _assert_preloaded(page, site_url)
    with serve(sites[True]) as instant:  # and with Material's instant navigation
        _assert_preloaded(page, instant)


def _assert_preloaded(page: Page, base: str) -> None:
    warnings: list[str] = []
    page.on("console", lambda message: warnings.append(message.text))
    open_search(page, base, "?query=config")
    entries = page.evaluate(
        """() => performance.getEntriesByType("resource").map((e) => [e.name, e.initiatorType])"""
    )
    for name in ("search/catalog.json", "search/index.json", "postmortem-kb/lunr.js"):
        fetched = [kind for url, kind in entries if url.endswith("/" + name)]
        assert fetched == ["link"], (name, fetched)
    assert not [w for w in warnings if "preload" in w], warnings


def test_a_half_typed_word_keeps_finding_its_incident(page: Page, site_url: str) -> None:
    """Results follow each keystroke, so a word is searched while half typed. The index
    holds stems ("certif" for "certificate"), which a half-typed word can run past:
    the incident must not vanish at "certifica" and come back at "certificate"."""
    open_search(page, site_url)
    word = "certificate"
    for end in range(4, len(word) + 1):
        page.fill("#pmkb-query", word[:end])
        assert "INC-2025-003" in result_ids(page)[:2], word[:end]
    for typed in ("w", "we", "web"):  # "we" is a stop word, and the start of "webhooks"
        page.fill("#pmkb-query", typed)
        assert "INC-2026-003" in result_ids(page), typed
    page.fill("#pmkb-query", "zzzz")
    expect(page.locator(".pmkb-empty")).to_contain_text("No incident matches")


def test_empty_result_says_so_and_clears(page: Page, site_url: str) -> None:
    open_search(page, site_url, "?query=zebra")
    expect(page.locator(".pmkb-empty")).to_contain_text("No incident matches")
    page.click(".pmkb-clear")
    assert len(result_ids(page)) == 10
    assert page.input_value("#pmkb-query") == ""
    assert "query=" not in page.url


def test_keyboard_only(page: Page, site_url: str) -> None:
    open_search(page, site_url)
    page.focus("#pmkb-query")
    page.keyboard.type("certificate")
    assert set(result_ids(page)) == {"INC-2025-003", "INC-2026-003"}
    page.focus('[data-facet="severity"] input[value="SEV2"]')
    page.keyboard.press("Space")
    assert page.is_checked('[data-facet="severity"] input[value="SEV2"]')
    page.focus(".pmkb-result-title >> nth=0")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/2026/06-june/|/2025/06-june/"))
    assert "pmkb-header" in page.content()


def test_works_with_instant_navigation_and_dark_scheme(browser: Browser, sites) -> None:
    context = browser.new_context(color_scheme="dark")
    page = context.new_page()
    with serve(sites[True]) as base:
        page.goto(base)
        page.click('nav.md-nav--primary a:has-text("Search incidents")')
        page.wait_for_selector(READY)
        page.fill("#pmkb-query", "webhooks")
        assert result_ids(page)[0] == "INC-2026-003"
        page.click('nav.md-nav--primary a:has-text("Archive")')
        page.wait_for_selector("h1:has-text('Archive')")
        page.go_back()
        page.wait_for_selector(READY)
        background = page.eval_on_selector("body", "b => getComputedStyle(b).backgroundColor")
        assert background != "rgb(255, 255, 255)"
    context.close()


def test_lunr_py_and_lunr_js_agree(page: Page, site_url: str, sites) -> None:
    serialized = json.loads((sites[False] / "incidents" / "search" / "index.json").read_text())
    python_index = Index.load(serialized)
    open_search(page, site_url)
    page.add_script_tag(url=f"{site_url}assets/postmortem-kb/lunr.js")
    for query in ("config", "postgres capacity", "certificate expiry", "kafka", "tls", "ledger"):
        expected = [r["ref"] for r in python_index.search(query)][:5]
        actual = page.evaluate(
            "([data, q]) => lunr.Index.load(data).search(q).slice(0, 5).map(r => r.ref)",
            [serialized, query],
        )
        assert expected, query
        assert actual == expected, query


def test_the_fast_index_build_makes_lunrs_own_index(sites) -> None:
    """The index build splits fields ahead and remembers each word's way through the
    pipeline, for speed at thousands of incidents; the index must be byte for byte
    what lunr's default builder makes of the same documents."""
    settings = Settings()
    reports = load(find_reports(ROOT / "postmortems", settings), settings, keep=Keep.PAGES).reports
    documents = index_documents(reports)
    documents.append({**documents[0], "title": "Ünïcode İstanbul -- a—b  x\u00a0y ...", "tags": ""})
    # lunr's default builder, with the stemmer the browser runs (see the next test).
    builder = Builder()
    builder.pipeline.add(trimmer, stop_word_filter, browser_stemmer)
    builder.search_pipeline.add(stemmer)
    expected = to_json(
        lunr(ref="ref", fields=FIELDS, documents=documents, builder=builder).serialize()
    )
    assert to_json(build_index(documents)) == expected
    published = (sites[False] / "incidents" / "search" / "index.json").read_text("utf-8")
    assert to_json(build_index(documents[:-1])) == published


def test_the_index_stems_words_as_lunr_js_stems_queries(page: Page, site_url: str) -> None:
    """lunr.py's stemmer turns day into dai and deploy into deploi, lunr.js does not: an
    index stemmed by lunr.py never matched those words typed on the search page."""
    settings = Settings()
    reports = load(find_reports(ROOT / "postmortems", settings), settings).reports
    words = sorted({word for r in reports if r.wording for word in r.wording.written.values()})
    words += ["day", "days", "deploy", "deployed", "keys", "fly", "try", "cry", "say", "happy"]
    open_search(page, site_url)
    page.add_script_tag(url=f"{site_url}assets/postmortem-kb/lunr.js")
    in_browser = page.evaluate(
        "words => words.map(w => lunr.stemmer(new lunr.Token(w)).toString())", words
    )
    assert len(words) > 300
    assert dict(zip(words, in_browser, strict=True)) == {w: stem(w) or w for w in words}
    open_search(page, site_url, "?query=deployed")  # a word whose stem ends in y
    assert result_ids(page), "no incident matched 'deployed'"


def test_the_index_holds_each_reports_most_telling_words(sites) -> None:
    """Words from the whole report, not only its summary and root cause: the sample
    about the WAL volume says "checklist" only in its lessons learned, and "drill"
    only in an action item."""
    settings = Settings()
    reports = load(find_reports(ROOT / "postmortems", settings), settings, keep=Keep.PAGES).reports
    documents = {d["title"]: d for d in index_documents(reports)}
    wal = next(d for title, d in documents.items() if "WAL" in title)
    assert {"checklist", "drill"} <= set(wal["text"].split())


def test_material_search_indexes_ids_and_tags(sites) -> None:
    index = json.loads((sites[False] / "search" / "search_index.json").read_text())
    page = next(
        d
        for d in index["docs"]
        if d["location"] == "2026/03-march/2026-03-17-global-config-push-gateway-outage/"
    )
    assert "INC-2026-002" in page["text"] and "config-push" in page["text"]


def test_long_result_lists_come_a_page_at_a_time(browser: Browser, site) -> None:
    from tests.conftest import report_text

    for number in range(1, 61):
        site.add(f"2024/r{number:02d}.md", report_text(f"INC-2024-{number:03d}", tags=["dns"]))
    site.build()
    page = browser.new_page()
    with serve(site.root / "site") as base:
        open_search(page, base, "?query=dns")
        assert page.inner_text(".pmkb-status") == "60 incidents"
        assert len(result_ids(page)) == 50
        page.click(".pmkb-more-button")
        assert len(result_ids(page)) == 60
        assert page.locator(".pmkb-more-button").count() == 0
        focused = page.evaluate("document.activeElement.closest('.pmkb-result').dataset.id")
        assert focused == result_ids(page)[50]  # keyboard users land on the first new one
    page.close()


def test_words_side_by_side_rank_first_among_equals(browser: Browser, site) -> None:
    """Proximity: of two incidents with both words of "rate limit", the one that writes
    them side by side comes first, though the other has both words in its title (which
    scores more)."""
    from tests.conftest import report_text

    site.add(
        "apart.md",
        report_text(
            "INC-2024-001",
            title="Error rate alarm after a connection limit change",
            summary="The error rate rose after the connection limit of the pool was lowered.",
        ),
    )
    site.add(
        "together.md",
        report_text(
            "INC-2024-002",
            title="Checkout failures",
            summary="The partner API rate limit was set too low for the holiday traffic.",
        ),
    )
    site.add("other.md", report_text("INC-2024-003", title="Disk full on the primary"))
    site.build()
    page = browser.new_page()
    with serve(site.root / "site") as base:
        open_search(page, base, "?query=rate+limit")
        assert whole_matches(page) == ["INC-2024-002", "INC-2024-001"]
        why = page.locator('.pmkb-result[data-id="INC-2024-002"] .pmkb-why').inner_text()
        assert why.endswith("side by side: rate limit")
        apart = page.locator('.pmkb-result[data-id="INC-2024-001"] .pmkb-why').inner_text()
        assert "side by side" not in apart
        open_search(page, base, "?query=limit+rate")  # the other order is another phrase
        assert whole_matches(page) == ["INC-2024-001", "INC-2024-002"]
    page.close()


def test_a_phrase_of_the_query_counts_as_one_more_of_its_words(browser: Browser, site) -> None:
    """'split brain two primaries': the incident with every word comes first; then, of
    the partial matches, the one writing "split brain" side by side (two words and a
    phrase) before the one with three of the words apart, which has more words but none
    of them together (a search engine's word pairs count the same way)."""
    from tests.conftest import report_text

    site.add(
        "whole.md",
        report_text(
            "INC-2024-001",
            title="Primaries disagreed after a network split",
            summary="Two database nodes lost their link; the brain of the cluster was gone.",
        ),
    )
    site.add(
        "phrase.md",
        report_text(
            "INC-2024-002",
            title="Replication stopped",
            summary="A split brain in the consensus layer stopped replication.",
        ),
    )
    site.add(
        "apart.md",
        report_text(
            "INC-2024-003",
            title="Failover of the primaries",
            summary="The split of traffic confused the brain of the load balancer.",
        ),
    )
    site.build()
    page = browser.new_page()
    with serve(site.root / "site") as base:
        open_search(page, base, "?query=split+brain+two+primaries")
        assert whole_matches(page) == ["INC-2024-001"]
        assert result_ids(page) == ["INC-2024-001", "INC-2024-002", "INC-2024-003"]
        why = page.locator('.pmkb-result[data-id="INC-2024-002"] .pmkb-why').inner_text()
        assert "side by side: split brain" in why and "not: two, primaries" in why
    page.close()
