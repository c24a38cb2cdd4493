"""The incident catalog and its prebuilt lunr index, for the incident search page.

"Has this happened before?" is asked at 3 a.m., so the browser gets everything it
needs precomputed: one small record per incident for exact facet filtering, and a
lunr index (built here with lunr.py, loaded by lunr.js) over the fields readers
search. Full report bodies stay out, which keeps the payload small at thousands
of reports; Material's own search still covers the prose.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from functools import cache
from typing import Any

from lunr import lunr
from lunr.builder import Builder
from lunr.pipeline import Pipeline
from lunr.stemmer import stemmer
from lunr.stop_word_filter import stop_word_filter
from lunr.token import Token
from lunr.trimmer import trimmer

from .model import Severity, Status
from .patterns import newest_first
from .report import SUMMARY_SECTIONS, Report
from .slugs import normalise

SUMMARY_CHARS = 200
CAUSE_CHARS = 160
"""Snippet lengths: enough to recognise an incident, small enough for 5,000 of them
(catalog and index stay under 2 MB gzipped)."""

FIELDS = [
    {"field_name": "id", "boost": 20},
    {"field_name": "title", "boost": 10},
    {"field_name": "tags", "boost": 6},
    {"field_name": "services", "boost": 6},
    {"field_name": "cause", "boost": 3},
    {"field_name": "summary", "boost": 1},
]
"""Indexed fields and their weights: names beat descriptions, descriptions beat prose."""

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
    for name in SUMMARY_SECTIONS:
        section = report.section(name)
        if section is not None and section.text:
            return shorten(plain_text(section.text), SUMMARY_CHARS)
    return ""


def entry(report: Report, url: str, today: date) -> dict[str, Any]:
    """One incident as the search page filters and shows it (raw values: JSON escapes)."""
    meta = report.meta
    duration = report.duration
    items = report.action_items
    return {
        "id": report.id or report.rel,
        "url": url,
        "title": report.title,
        "date": report.incident_date.isoformat() if report.incident_date else "",
        "severity": str(meta.severity) if meta else "",
        "status": str(meta.status) if meta else "",
        "template": (meta.template or "standard") if meta else "",
        "near_miss": bool(meta and meta.near_miss),
        "tags": sorted({normalise(t) for t in meta.tags}) if meta else [],
        "services": sorted({normalise(s) for s in meta.services}) if meta else [],
        "cause": normalise(meta.root_cause.category) if meta and meta.root_cause else "",
        "cause_summary": shorten(meta.root_cause.summary, CAUSE_CHARS)
        if meta and meta.root_cause
        else "",
        "summary": summary_of(report),
        "minutes": int(duration.total_seconds() // 60) if duration is not None else None,
        "open_actions": sum(item.is_open for item in items),
        "overdue_actions": sum(item.is_overdue(today) for item in items),
    }


def build_catalog(
    reports: list[Report], url_of: Callable[[Report], str], today: date
) -> dict[str, Any]:
    """The catalog document: facet vocabularies first, then incidents newest first."""
    incidents = [entry(r, url_of(r), today) for r in newest_first(reports)]
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


@cache
def _prepared(word: str) -> str | None:
    """One word through lunr's indexing pipeline (trimmer, stop-word filter, stemmer),
    or None when the filter drops it. Remembered: thousands of incidents share a few
    thousand words, and the pipeline ran once per occurrence."""
    token: Token | None = Token(word)
    for step in (trimmer, stop_word_filter, stemmer):
        token = step(token) if token is not None else None
    return None if token is None else str(token)


def _remembering_pipeline(
    token: Token, i: int | None = None, tokens: object = None
) -> Token | None:
    prepared = _prepared(str(token))
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


def index_documents(incidents: list[dict[str, Any]]) -> list[dict[str, str]]:
    """What the index holds of each incident, one text per field of :data:`FIELDS`."""
    # Refs are catalog positions, not ids: a duplicate id must not hide an incident.
    return [
        {
            "ref": str(position),
            "id": item["id"],
            "title": item["title"],
            "tags": " ".join(item["tags"]),
            "services": " ".join(item["services"]),
            "cause": f"{item['cause'].replace('-', ' ')} {item['cause_summary']}",
            "summary": item["summary"],
        }
        for position, item in enumerate(incidents)
    ]


def build_index(incidents: list[dict[str, Any]]) -> dict[str, Any]:
    """A lunr index over the catalog, serialised for ``lunr.Index.load`` in the browser.

    It is the index lunr's default builder makes of :func:`index_documents`, built
    faster (a test holds the two equal).
    """
    documents = index_documents(incidents)
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


def build_index_json(incidents: list[dict[str, Any]]) -> str:
    """:func:`build_index` as the JSON file the browser loads (what a worker returns)."""
    return to_json(build_index(incidents))
