"""Convert icco/postmortems entries into format v1 postmortems, for the real-corpus benchmark.

The corpus (github.com/icco/postmortems, GPL-3.0) is read from a path given on the command
line and written to a temporary folder; nothing of it belongs in this repository.

An entry is YAML frontmatter (uuid, url, title, start_time, end_time, categories, keywords,
company, product, summary) and a description in prose. The mapping is fixed and uses only
the entry itself (never the evaluation labels):

- id: ``INC-<year>-<n>``, numbered per year in order of date, then uuid;
- date: start_time, else source_published_at, else a date in the URL, else 2000-01-01;
- title: the title, else the first sentence of the description (shortened);
- severity SEV2 and status Review for every entry (the corpus states neither);
- authors: the company; services: the company and the product;
- root_cause: the first category (``uncategorised`` without one) and the summary;
- tags: the keywords, then the categories;
- impact: started and resolved from start_time and end_time;
- sections of the standard template: Executive Summary (the summary, else the first
  paragraph), Impact (the first paragraph of the description), Timeline (start and end
  when known), Root Cause Analysis (the rest of the description, or all of it when it is
  one paragraph) and an empty Action Items table (the corpus lists none).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import yaml

from postmortem_kb.core.slugs import slugify
from postmortem_kb.terminal.scaffold import MONTHS

FALLBACK_DATE = date(2000, 1, 1)
TITLE_CHARS = 90
_URL_DATE = re.compile(r"(?<!\d)((?:19|20)\d\d)[/-](\d\d)(?:[/-](\d\d))?(?!\d)")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")


@dataclass(slots=True)
class Entry:
    uuid: str
    data: dict[str, object]
    body: str

    @property
    def day(self) -> date:
        for key in ("start_time", "source_published_at"):
            value = self.data.get(key)
            if isinstance(value, datetime):
                return value.date()
            if isinstance(value, date):
                return value
            if isinstance(value, str) and value[:10]:
                try:
                    return date.fromisoformat(value[:10])
                except ValueError:
                    pass
        found = _URL_DATE.search(str(self.data.get("url") or ""))
        if found:
            year, month, day = found.group(1), found.group(2), found.group(3) or "01"
            try:
                return date(int(year), int(month), int(day))
            except ValueError:
                pass
        return FALLBACK_DATE


def read_entries(folder: Path) -> list[Entry]:
    entries = []
    for path in sorted(folder.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        _, front, body = text.split("---\n", 2)
        data = yaml.safe_load(front) or {}
        entries.append(Entry(str(data.get("uuid") or path.stem), data, body.strip()))
    return entries


def _text(value: object) -> str:
    return " ".join(str(value).split()) if value not in (None, "") else ""


def _paragraphs(body: str) -> list[str]:
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", body) if p.strip()]


def _first_sentence(text: str) -> str:
    sentence = _SENTENCE_END.split(text, 1)[0]
    if len(sentence) <= TITLE_CHARS:
        return sentence.rstrip(".")
    return sentence[:TITLE_CHARS].rsplit(" ", 1)[0].rstrip(" .,;:") + "…"


def _timestamp(value: object) -> str | None:
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, str) and "T" in value:
        return value
    return None


def convert_entry(entry: Entry, report_id: str) -> tuple[str, str]:
    """One entry as (relative path, postmortem text)."""
    data = entry.data
    paragraphs = _paragraphs(entry.body) or [_text(data.get("summary")) or "Not described."]
    summary = _text(data.get("summary")) or paragraphs[0]
    company = _text(data.get("company")) or "Unknown company"
    product = _text(data.get("product"))
    categories = [_text(c) for c in data.get("categories") or [] if _text(c)]
    keywords = [_text(k) for k in data.get("keywords") or [] if _text(k)]
    title = _text(data.get("title")) or _first_sentence(paragraphs[0])
    day = entry.day
    started, resolved = _timestamp(data.get("start_time")), _timestamp(data.get("end_time"))
    meta: dict[str, object] = {
        "id": report_id,
        "title": title,
        "date": day.isoformat(),
        "severity": "SEV2",
        "status": "Review",
        "authors": [company],
        "report_template": "standard",
        "tags": list(dict.fromkeys(keywords + categories)),
        "services": list(dict.fromkeys(s for s in (company, product) if s)),
        "root_cause": {
            "category": categories[0] if categories else "uncategorised",
            "summary": summary,
        },
    }
    impact = {k: v for k, v in (("started", started), ("resolved", resolved)) if v}
    if impact:
        meta["impact"] = impact
    rows = [(t, event) for t, event in ((started, "Impact starts"), (resolved, "Impact ends")) if t]
    timeline = "| Time | Event |\n|------|-------|\n" + "".join(
        f"| {t[:16].replace('T', ' ')} | {event} |\n" for t, event in rows
    )
    cause = paragraphs[1:] or paragraphs
    body = "\n".join(
        [
            "## Executive Summary\n",
            summary + "\n",
            "## Impact\n",
            paragraphs[0] + "\n",
            "## Timeline\n",
            timeline,
            "## Root Cause Analysis\n",
            "\n\n".join(cause) + "\n",
            "## Action Items\n",
            "| ID | Action | Owner | Due Date | Priority | Status |",
            "|----|--------|-------|----------|----------|--------|",
            "",
        ]
    )
    text = f"---\n{yaml.safe_dump(meta, sort_keys=False, allow_unicode=True)}---\n\n{body}"
    slug = slugify(title)[:60].strip("-") or "incident"
    rel = f"{day.year}/{day.month:02d}-{MONTHS[day.month - 1]}/{day.isoformat()}-{slug}.md"
    return rel, text


def convert(folder: Path, docs: Path) -> dict[str, str]:
    """Write every entry of ``folder`` under ``docs``; returns the id given to each uuid."""
    entries = sorted(read_entries(folder), key=lambda e: (e.day, e.uuid))
    ids: dict[str, str] = {}
    per_year: dict[int, int] = {}
    taken: set[str] = set()
    for entry in entries:
        year = entry.day.year
        per_year[year] = per_year.get(year, 0) + 1
        report_id = f"INC-{year}-{per_year[year]:03d}"
        ids[entry.uuid] = report_id
        rel, text = convert_entry(entry, report_id)
        if rel in taken:  # two entries with one date and title
            rel = rel.removesuffix(".md") + f"-{report_id.lower()}.md"
        taken.add(rel)
        path = docs / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return ids
