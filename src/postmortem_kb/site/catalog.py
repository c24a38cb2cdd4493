"""The incident catalog and its prebuilt lunr index, for the incident search page.

"Has this happened before?" is asked at 3 a.m., so the browser gets everything it
needs precomputed: one small record per incident for exact facet filtering, and a
lunr index (built here with lunr.py, loaded by lunr.js) over the fields readers
search: title, tags, services, the whole root cause, and each report's most telling
words (:func:`telling_words`), as many as the payload budget allows. Full report
bodies stay out of the browser's download; Material's own search covers the prose.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any

from lunr import lunr
from lunr.builder import Builder
from lunr.pipeline import Pipeline
from lunr.stemmer import stemmer
from lunr.token import Token

from postmortem_kb.analysis.patterns import newest_first
from postmortem_kb.analysis.relate import K1
from postmortem_kb.core.kb import PerReport
from postmortem_kb.core.model import Severity, Status
from postmortem_kb.core.report import Report, Wording
from postmortem_kb.core.slugs import normalise
from postmortem_kb.core.wording import idf, stem

SUMMARY_CHARS = 200
CAUSE_CHARS = 160
"""Snippet lengths: enough to recognise an incident, small enough for 5,000 of them
(catalog and index stay under 2 MB gzipped)."""

FIELDS = [
    {"field_name": "title", "boost": 10},
    {"field_name": "tags", "boost": 6},
    {"field_name": "services", "boost": 6},
    {"field_name": "cause", "boost": 3},
    {"field_name": "text", "boost": 1},
    {"field_name": "phrases", "boost": 1},
]
"""Indexed fields and their weights: names beat descriptions, descriptions beat prose.
Ids are not indexed: the page matches an id (or its beginning) against the catalog
itself, so ``INC-2026-002`` finds that incident and not every id with ``2026`` in it."""

WORD_BUDGET = 125_000
"""Words the index holds of all reports' text together (each report's most telling
first); at 5,000 reports, 25 each, which keeps catalog and index under 2 MB gzipped
(1.96 MB for the benchmark's synthetic 5,000; 30 each, with the phrases, made 2.02 MB).
A knowledge base of up to 312 reports gets :data:`MAX_WORDS` each."""
MIN_WORDS, MAX_WORDS = 25, 400
"""Most telling words per report, at least and at most, whatever the budget."""
PHRASE_BUDGET = 25_000
"""Phrases (adjacent words of the title, root cause and summary) the index holds of all
reports together, each report's most telling first: all of them (up to 64) in a few
hundred reports, 5 each at 5,000."""
MIN_PHRASES = 5
PHRASE_JOINER = "_"
"""Joins the two stems of a phrase into one index term ("rate_limit"): lunr's tokenizer
splits at spaces and hyphens only, so the page looks a phrase up as one term."""

_MARKUP = re.compile(r"<!--.*?-->|<[^>]+>|[*_`#>|]|\[([^\]]*)\]\([^)]*\)", re.DOTALL)


def plain_text(markdown: str) -> str:
    """Readable text of a Markdown snippet, for summaries and snippets."""
    text = _MARKUP.sub(lambda m: m.group(1) or " ", markdown)
    return " ".join(text.split())


def shorten(text: str, limit: int) -> str:
    """``text`` cut at a word boundary before ``limit`` characters, with an ellipsis."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(" .,;:") + "…"


def summary_of(report: Report) -> str:
    section = report.summary()
    return shorten(plain_text(section.text), SUMMARY_CHARS) if section is not None else ""


def entry(report: Report, url: str, today: date, default_template: str) -> dict[str, Any]:
    """One incident as the search page filters and shows it (raw values: JSON escapes)."""
    meta = report.meta
    duration = report.duration
    items = report.action_items
    summary = summary_of(report)
    return {
        "id": report.id or report.rel,
        "url": url,
        "title": report.title,
        "date": report.incident_date.isoformat() if report.incident_date else "",
        "severity": str(meta.severity or ""),
        "status": str(meta.status or ""),
        "template": meta.report_template or default_template,
        "near_miss": bool(meta.near_miss),
        "tags": sorted({normalise(t) for t in meta.tags}),
        "services": sorted({normalise(s) for s in meta.services}),
        "cause": normalise(meta.root_cause.category) if meta.root_cause else "",
        # The snippet shown when a report has no summary section (the index holds the
        # whole root cause either way).
        "cause_summary": shorten(meta.root_cause.summary, CAUSE_CHARS)
        if meta.root_cause and not summary
        else "",
        "summary": summary,
        "minutes": int(duration.total_seconds() // 60) if duration is not None else None,
        "open_actions": sum(item.is_open for item in items),
        "overdue_actions": sum(item.is_overdue(today) for item in items),
    }


def build_catalog(
    reports: list[Report],
    url_of: Callable[[Report], str],
    today: date,
    default_template: str,
    entries: PerReport[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The catalog document: facet vocabularies first, then incidents newest first; a
    report that names no template is of ``default_template`` (the setting). ``entries``
    keeps each report's entry for the next build (while serving)."""

    def entry_of(report: Report) -> dict[str, Any]:
        url = url_of(report)
        make = partial(entry, report, url, today, default_template)
        return (
            make() if entries is None else entries.get(report, (url, today, default_template), make)
        )

    incidents = [entry_of(r) for r in newest_first(reports)]
    if entries is not None:
        entries.keep_only(reports)
    return {
        "version": 1,
        "built": today.isoformat(),
        "severities": [s.value for s in Severity],
        "statuses": [s.value for s in Status],
        "incidents": incidents,
    }


_SEPARATORS = re.compile(r"[ \t\n\r\f\v\xa0-]+")
"""Where lunr's tokenizer splits (its ``SEPARATOR_CHARS``)."""


def _words(text: str) -> list[str]:
    """lunr's tokens of ``text``, split by one regular expression instead of lunr's
    loop over every character. A list is tokenized as its items; with no metadata
    kept (positions are not), the index is the same."""
    return [word for word in _SEPARATORS.split(text.lower()) if word]


def _remembering_pipeline(
    token: Token, i: int | None = None, tokens: object = None
) -> Token | None:
    prepared = stem(str(token))
    return None if prepared is None else token.update(lambda word, metadata: prepared)


Pipeline.register_function(_remembering_pipeline, "pmkb-remembering-pipeline")


def _builder() -> Builder:
    """lunr's default builder, with its pipeline remembered per word and fields split
    ahead; the index's search pipeline, the part lunr.js runs in the browser, stays
    lunr's own ``stemmer``."""
    builder = Builder()
    builder.pipeline.add(_remembering_pipeline)
    builder.search_pipeline.add(stemmer)
    return builder


def telling_words(wordings: list[Wording | None]) -> list[str]:
    """For each report (by its wording), its most telling words as written, the most
    telling first, as one text: the terms of its wording ranked by BM25 weight (how often
    the report uses them, saturating, times how rare they are among the reports), as many
    per report as :data:`WORD_BUDGET` allows (between :data:`MIN_WORDS` and :data:`MAX_WORDS`)."""
    count = len(wordings)
    df: Counter[str] = Counter()
    for wording in wordings:
        if wording is not None:
            df.update(wording.counts.keys())
    per_report = max(MIN_WORDS, min(MAX_WORDS, WORD_BUDGET // max(count, 1)))
    texts = []
    for wording in wordings:
        if wording is None:
            texts.append("")
            continue
        weight = {term: n / (n + K1) * idf(count, df[term]) for term, n in wording.counts.items()}
        chosen = sorted(weight, key=lambda term: (-weight[term], term))[:per_report]
        texts.append(" ".join(wording.written.get(term, term) for term in chosen))
    return texts


def telling_phrases(wordings: list[Wording | None]) -> list[str]:
    """For each report (by its wording), its most telling phrases (pairs of adjacent
    stems, joined by :data:`PHRASE_JOINER`), ranked by the rarity of their two words, as
    one text: the search ranks incidents that hold the query's words side by side first
    among those with as many of its words (proximity, as search engines weigh it)."""
    count = len(wordings)
    df: Counter[str] = Counter()
    for wording in wordings:
        if wording is not None:
            df.update(wording.counts.keys())
    per_report = max(MIN_PHRASES, PHRASE_BUDGET // max(count, 1))
    texts = []
    for wording in wordings:
        phrases = wording.phrases if wording is not None else frozenset()
        weight = {p: idf(count, df[p[0]]) + idf(count, df[p[1]]) for p in phrases}
        chosen = sorted(phrases, key=lambda p: (-weight[p], p))[:per_report]
        texts.append(" ".join(PHRASE_JOINER.join(phrase) for phrase in chosen))
    return texts


IndexInput = tuple[dict[str, str], Wording | None]
"""What the index is made of for one report: its short fields, and its wording, from which
:func:`index_documents_of` picks its telling words and phrases (in a worker: the choice
reads every report's wording, and the wordings cost less to send than the choice)."""


def index_inputs(reports: list[Report]) -> list[IndexInput]:
    """:data:`IndexInput` of each report, in catalog order (newest first)."""
    inputs: list[IndexInput] = []
    # Refs are catalog positions, not ids: a duplicate id must not hide an incident.
    for position, report in enumerate(newest_first(reports)):
        meta = report.meta
        cause = meta.root_cause
        fields = {
            "ref": str(position),
            "title": report.title,
            "tags": " ".join(sorted({normalise(t) for t in meta.tags})),
            "services": " ".join(sorted({normalise(s) for s in meta.services})),
            "cause": f"{normalise(cause.category).replace('-', ' ')} {cause.summary}"
            if cause
            else "",
        }
        inputs.append((fields, report.wording))
    return inputs


def index_documents_of(inputs: list[IndexInput]) -> list[dict[str, str]]:
    """The index's documents, one text per field of :data:`FIELDS`, from :func:`index_inputs`."""
    wordings = [wording for _, wording in inputs]
    telling = zip(inputs, telling_words(wordings), telling_phrases(wordings), strict=True)
    return [
        {**fields, "text": words, "phrases": phrases} for (fields, _), words, phrases in telling
    ]


def index_documents(reports: list[Report]) -> list[dict[str, str]]:
    """What the index holds of each report, one text per field of :data:`FIELDS`, in
    catalog order (newest first)."""
    return index_documents_of(index_inputs(reports))


def build_index(documents: list[dict[str, str]]) -> dict[str, Any]:
    """A lunr index of :func:`index_documents`, serialised for ``lunr.Index.load`` in
    the browser.

    It is the index lunr's default builder makes of the same documents, built faster
    (a test holds the two equal).
    """
    if not documents:
        # lunr.py cannot build an index of nothing; this is the form lunr.js loads.
        names = [field["field_name"] for field in FIELDS]
        return {
            "version": "2.3.9",
            "fields": names,
            "fieldVectors": [],
            "invertedIndex": [],
            "pipeline": ["stemmer"],
        }
    fields = [
        {**field, "extractor": lambda document, name=field["field_name"]: _words(document[name])}
        for field in FIELDS
    ]
    index = lunr(ref="ref", fields=fields, documents=documents, builder=_builder())
    serialized = index.serialize()
    # lunr.js inserts the terms into its token set in this order and requires them
    # sorted as JavaScript compares strings, by UTF-16 code units; lunr.py sorts by
    # code point, which differs past U+FFFF (U+20BB7 sorts after U+FF21 by code point, before
    # it in UTF-16) and made lunr.js fail with "Out of order word insertion".
    serialized["invertedIndex"].sort(key=lambda entry: entry[0].encode("utf-16-be"))
    return serialized


def to_json(document: object) -> str:
    """Compact, stable JSON: separators without spaces save a fifth of the index."""
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def build_index_json(documents: list[dict[str, str]]) -> str:
    """:func:`build_index` as the JSON file the browser loads."""
    return to_json(build_index(documents))


def index_json_of(inputs: list[IndexInput]) -> str:
    """The index file from :func:`index_inputs`: what a build's worker makes."""
    return build_index_json(index_documents_of(inputs))
