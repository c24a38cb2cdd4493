"""The benchmarks read what the site shows: when a page changes its markup, their
figures must not quietly become zeros (the real-corpus benchmark once read a list the
related-incidents block no longer had, and scored every report 0)."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.analysis.test_relate import mechanism_texts
from tests.conftest import Site, report_text

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def test_the_real_corpus_benchmark_reads_the_related_incidents_a_page_lists(site: Site) -> None:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        from real_corpus import similar_shown
    finally:
        sys.path.remove(str(BENCHMARKS))
    texts = mechanism_texts()  # INC-2024-001 and -002: the same mechanism, other words
    texts.append(report_text("INC-2024-100", related=["INC-2024-001"]))
    pages = {}
    for number, text in enumerate(texts):
        report_id = text.split("id: ", 1)[1].split("\n", 1)[0]
        pages[report_id] = site.add(f"postmortems/r{number}.md", text).relative_to(site.docs)
    site.build()
    shown = similar_shown(site.root / "site", {i: p.as_posix() for i, p in pages.items()})
    assert shown["INC-2024-002"] == ["INC-2024-001"]
    assert set(shown["INC-2024-001"]) == {"INC-2024-002", "INC-2024-100"}
    assert shown["INC-2024-100"][0] == "INC-2024-001"  # listed in `related`: first
    assert shown["INC-2024-004"] == []
