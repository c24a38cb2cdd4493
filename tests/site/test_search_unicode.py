"""One title must not break the incident search for everyone: lunr.js, in real Chromium,
loads an index whose terms lie beyond U+FFFF (sorted as JavaScript sorts strings)."""

from __future__ import annotations

import json

from playwright.sync_api import Browser

from postmortem_kb.site.catalog import build_index
from tests.browser import serve
from tests.conftest import Site, report_text

TITLE = "\uff21\uff30\uff29\u969c\u5bb3 \U00020bb7\u91ce\u5bb6"  # "ＡＰＩ障害 𠮷野家"
"""Fullwidth letters (U+FF21...) and a character outside the BMP (U+20BB7): lunr.py
sorted them by code point, lunr.js needs UTF-16 order ("Out of order word insertion")."""


def test_terms_are_in_utf16_order() -> None:
    documents = [
        {
            "ref": "0",
            "title": TITLE,
            "tags": "",
            "services": "",
            "cause": "",
            "text": "",
            "phrases": "",
        },
        {
            "ref": "1",
            "title": "\uff5a\uff5a \U0001d49clpha \uff5a",
            "tags": "",
            "services": "",
            "cause": "",
            "text": "",
            "phrases": "",
        },
    ]
    terms = [term for term, _ in build_index(documents)["invertedIndex"]]
    assert terms == sorted(terms, key=lambda term: term.encode("utf-16-be"))
    assert terms != sorted(terms)  # the case that broke: code point order differs


def test_the_incident_search_works_with_such_a_title(site: Site, browser: Browser) -> None:
    site.add("2024/a.md", report_text("INC-2024-001", title=TITLE, tags=["api"]))
    site.add("2024/b.md", report_text("INC-2024-002", title="Ordinary outage \U0001d49c"))
    site.configure("build_date: 2024-06-30")
    site.build()
    index = json.loads(site.html("incidents/search/index.json"))
    assert any("\U00020bb7\u91ce\u5bb6" in term for term, _ in index["invertedIndex"])
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    # The page closes while the server still runs: closing the server first reset the
    # connections of requests still in flight (ERR_CONNECTION_RESET, in one run in many).
    with serve(site.root / "site") as base:
        try:
            page.goto(f"{base}incidents/search/")
            page.wait_for_selector("#pmkb-search[data-ready=yes]", timeout=20_000)
            page.fill("#pmkb-query", "\U00020bb7\u91ce\u5bb6")
            ids = page.locator(".pmkb-result").evaluate_all("els => els.map(e => e.dataset.id)")
            assert ids[:1] == ["INC-2024-001"]
            page.fill("#pmkb-query", "ordinary")
            ids = page.locator(".pmkb-result").evaluate_all("els => els.map(e => e.dataset.id)")
            assert ids[:1] == ["INC-2024-002"]
        finally:
            context.close()
    assert errors == []
