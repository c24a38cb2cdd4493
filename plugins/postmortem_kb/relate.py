"""Related incidents: the links authors wrote, and the similar incidents we compute.

Similarity is a weighted sum that a reader can check by eye: Jaccard overlap of
tags and of services, the same root-cause category, and TF-IDF cosine of the
root-cause summaries. Candidates come from an inverted index, so a report is only
compared with reports that share something with it, never with all of them.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, insort
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .report import Report
from .slugs import normalise
from .workers import Workers

WEIGHTS = {"tags": 0.35, "services": 0.25, "category": 0.2, "text": 0.2}
"""How much each kind of evidence counts; a perfect match on all of them scores 1."""

MAX_POSTINGS = 100
"""A feature shared by more reports than this is too common to propose candidates alone
(it still counts in the score of candidates found through rarer features)."""

WINDOW = 25
"""How many neighbours on each side a too-common feature proposes."""

MIN_COSINE = 0.1
"""Root-cause wording this similar or less is noise, not a reason."""

_WORD = re.compile(r"[a-z0-9][a-z0-9_-]{2,}")
_STOPWORD_TEXT = """
the and for was were with that this from into when which while then than have has had not
but are its our their all any can could would should did does after before during over under
out off one two three per via because been being also only more most
"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


@dataclass(frozen=True, slots=True)
class Match:
    """A report similar to another, with the score and the reasons in words."""

    id: str
    score: float
    reasons: tuple[str, ...]


@dataclass(slots=True)
class Links:
    """What one report says about others, and what others say about it."""

    names: list[str] = field(default_factory=list)
    named_by: list[str] = field(default_factory=list)
    similar: list[Match] = field(default_factory=list)


@dataclass(slots=True)
class _Features:
    tags: frozenset[str]
    services: frozenset[str]
    category: str
    vector: dict[str, float]


def _terms(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in _STOPWORDS]


def _features(reports: list[Report]) -> dict[str, _Features]:
    texts: dict[str, list[str]] = {}
    frequency: Counter[str] = Counter()
    for report in reports:
        meta = report.meta
        if meta is None:
            continue
        words = _terms(meta.root_cause.summary) if meta.root_cause else []
        texts[meta.id] = words
        frequency.update(set(words))
    count = len(texts)
    features: dict[str, _Features] = {}
    for report in reports:
        meta = report.meta
        if meta is None or meta.id in features:
            continue
        weights = {
            word: n * (math.log((1 + count) / (1 + frequency[word])) + 1.0)
            for word, n in Counter(texts[meta.id]).items()
        }
        norm = math.sqrt(sum(v * v for v in weights.values())) or 1.0
        features[meta.id] = _Features(
            tags=frozenset(normalise(t) for t in meta.tags),
            services=frozenset(normalise(s) for s in meta.services),
            category=normalise(meta.root_cause.category) if meta.root_cause else "",
            vector={word: v / norm for word, v in weights.items()},
        )
    return features


def _keys(feature: _Features) -> Iterable[str]:
    yield from (f"t:{t}" for t in feature.tags)
    yield from (f"s:{s}" for s in feature.services)
    if feature.category:
        yield f"c:{feature.category}"
    yield from (f"w:{w}" for w in feature.vector)


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(b) < len(a):
        a, b = b, a
    return sum(v * b.get(w, 0.0) for w, v in a.items())


def _shared_score(a: _Features, b: _Features) -> float:
    """The score without the wording: what tags, services and the cause category give."""
    score = WEIGHTS["tags"] * _jaccard(a.tags, b.tags)
    score += WEIGHTS["services"] * _jaccard(a.services, b.services)
    if a.category and a.category == b.category:
        score += WEIGHTS["category"]
    return score


def _wording_score(a: _Features, b: _Features) -> float:
    cosine = _cosine(a.vector, b.vector)
    return WEIGHTS["text"] * cosine if cosine >= MIN_COSINE else 0.0


def _best(
    feature: _Features,
    candidates: Iterable[str],
    features: dict[str, _Features],
    threshold: float,
    limit: int | None,
) -> list[tuple[float, str]]:
    """The ``limit`` best-scoring candidates at or above ``threshold``, best first.

    The wording adds at most ``WEIGHTS["text"]``, and its cosine is most of the cost:
    candidates are taken in order of their other evidence, and once that evidence
    plus a perfect wording cannot beat the worst of the best so far (or reach the
    threshold), the rest are left unscored. The result is the same as scoring all.
    """
    ranked = sorted(
        ((_shared_score(feature, features[other]), other) for other in candidates),
        key=lambda pair: (-pair[0], pair[1]),
    )
    best: list[tuple[float, str]] = []  # (-score, id), kept sorted
    for shared, other in ranked:
        ceiling = shared + WEIGHTS["text"]
        if ceiling < threshold or (
            limit is not None and len(best) >= limit and ceiling < -best[-1][0]
        ):
            break
        score = shared + _wording_score(feature, features[other])
        if score >= threshold:
            insort(best, (-score, other))
            if limit is not None:
                del best[limit:]
    return [(-negative, other) for negative, other in best]


def _reasons(a: _Features, b: _Features) -> tuple[str, ...]:
    """The score (:func:`_shared_score` plus :func:`_wording_score`) in words, for the
    few matches that are shown."""
    reasons: list[str] = []
    if shared := sorted(a.tags & b.tags):
        reasons.append("shares tags: " + ", ".join(shared))
    if shared := sorted(a.services & b.services):
        reasons.append("shares services: " + ", ".join(shared))
    if a.category and a.category == b.category:
        reasons.append(f"same root-cause category ({a.category})")
    cosine = _cosine(a.vector, b.vector)
    if cosine >= MIN_COSINE:
        reasons.append(f"similar root-cause wording ({cosine:.0%})")
    return tuple(reasons)


def similar_later(
    reports: list[Report],
    threshold: float,
    limit: int | None = None,
    workers: Workers | None = None,
) -> Callable[[], dict[str, list[Match]]]:
    """Start finding, for each report id, the others scoring at least ``threshold``,
    best first; the function returned waits for the result.

    Candidates are the reports sharing a feature (tag, service, cause, root-cause word)
    held by at most :data:`MAX_POSTINGS` reports, and the nearest :data:`WINDOW` on
    each side for commoner features; every candidate is then scored on all its
    features. Each report is compared with a bounded number of others, not all. The
    reports are shared among ``workers``, each with every report's features.
    """
    features = _features(reports)
    pool = workers or Workers(1)
    pending = [
        pool.submit(_similar_for, chunk, features, threshold, limit)
        for chunk in pool.chunks(sorted(features))
    ]

    def result() -> dict[str, list[Match]]:
        found: dict[str, list[Match]] = {}
        for part in pending:
            found.update(part.result())
        return found

    return result


def _similar_for(
    report_ids: list[str], features: dict[str, _Features], threshold: float, limit: int | None
) -> dict[str, list[Match]]:
    postings: dict[str, list[str]] = defaultdict(list)
    for report_id in sorted(features):
        for key in _keys(features[report_id]):
            postings[key].append(report_id)
    result: dict[str, list[Match]] = {}
    for report_id in report_ids:
        feature = features[report_id]
        candidates: set[str] = set()
        # Rarest first; ties by name, not by set order (which follows the hash seed).
        for key in sorted(_keys(feature), key=lambda k: (len(postings[k]), k)):
            ids = postings[key]
            if len(ids) <= MAX_POSTINGS:
                candidates.update(ids)
            elif len(candidates) < MAX_POSTINGS:
                # A common feature still proposes its nearest reports in id order
                # (ids follow dates), so a report with only common features is
                # compared with the incidents closest to it in time.
                here = bisect_left(ids, report_id)
                candidates.update(ids[max(0, here - WINDOW) : here + WINDOW + 1])
        candidates.discard(report_id)
        scored = _best(feature, candidates, features, threshold, limit)
        result[report_id] = [
            Match(other, round(score, 4), _reasons(feature, features[other]))
            for score, other in scored
        ]
    return result


def link(reports: list[Report], limit: int = 5, threshold: float = 0.25) -> dict[str, Links]:
    """Explicit links both ways, and the ``limit`` most similar reports with reasons."""
    return link_later(reports, limit, threshold)()


def link_later(
    reports: list[Report], limit: int, threshold: float, workers: Workers | None = None
) -> Callable[[], dict[str, Links]]:
    """:func:`link`, started on ``workers``; the function returned waits for the links,
    so the caller can do other work meanwhile."""
    similar_of = similar_later(reports, threshold, limit, workers)
    known = {r.meta.id for r in reports if r.meta is not None}
    links: dict[str, Links] = {report_id: Links() for report_id in sorted(known)}
    for report in sorted((r for r in reports if r.meta is not None), key=lambda r: r.meta.id):
        for target in report.meta.related:
            if target in known and target != report.meta.id:
                if target not in links[report.meta.id].names:
                    links[report.meta.id].names.append(target)
                if report.meta.id not in links[target].named_by:
                    links[target].named_by.append(report.meta.id)

    def result() -> dict[str, Links]:
        for report_id, matches in similar_of().items():
            links[report_id].similar = matches
        return links

    return result
