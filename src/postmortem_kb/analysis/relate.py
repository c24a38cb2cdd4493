"""Related incidents: the links authors wrote, and the similar incidents we compute.

"Has this happened before?" is a question about the mechanism, so the wording of the
whole report carries most of the score (see :mod:`wording` for what is read):

- **wording**: the cosine of the two reports' term vectors, each term weighted the
  way BM25 weighs it (Robertson and Zaragoza, 2009): saturating in how often the
  report uses it (``K1``), normalised for the report's length (``B``), and scaled by
  its inverse document frequency, so rare, specific words ("wraparound",
  "backtracking") count and words most reports use count little or not at all.
  Enough shared wording qualifies on its own;
- **tags and services** add, per shared value, a weight scaled by the value's rarity
  (its inverse document frequency over that of a value two reports have): a tag on
  two reports adds its full weight, one on half the reports little, and one on more
  than half nothing;
- **the root-cause category** is weak evidence, scaled the same way;
- **latent wording** (:mod:`latent`): how alike the two reports are once words that
  reports use together stand in for one another, so the same mechanism in other words
  ("regex", "regular expression") counts too. It weighs as much as the rest together.

The score is at most 1. Candidates come from an inverted index, so a report is only
compared with reports that share a rare term or value with it (and, for common
values, its nearest reports in time), never with all of them.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from postmortem_kb.core.report import Report
from postmortem_kb.core.slugs import normalise
from postmortem_kb.core.wording import Wording, idf
from postmortem_kb.core.workers import Workers

if TYPE_CHECKING:
    from postmortem_kb.analysis.latent import Latent

K1 = 1.2
B = 0.75
"""BM25's usual term-frequency saturation and length normalisation."""

WEIGHTS = {"tags": 0.15, "services": 0.1, "category": 0.05}
"""What one shared tag or service, or the same cause category, adds at most (when only
the two reports have it); the wording's cosine counts in full. One tag that only two
reports share is enough for the default threshold (0.15); a service is not."""

MAX_SHARE = 0.5
"""A term, tag, service or cause on more than this share of the reports tells nothing
about any of them."""

MAX_POSTINGS = 100
"""A term or value held by more reports than this is too common to propose candidates
alone (it still counts in the score of candidates found through rarer ones)."""

WINDOW = 25
"""How many neighbours on each side a too-common tag, service or cause proposes."""

CANDIDATES = 60
"""Candidates scored in full per report: the best by their rare evidence."""

LATENT_CANDIDATES = 10
"""Candidates added per report by latent wording (its nearest reports in the latent
space), which may share no word with it."""

MIN_COSINE = 0.05
"""Wording this similar or less is noise, not a reason."""

LATENT_WEIGHT = 0.5
"""The share of the score that latent wording gives; the words, tags, services and cause
shared give the rest. On the real corpus of the similar-incidents guide, half and half
found a genuine similar incident in the first three for 0.77 of the reports, against
0.66 with none (both halves of the labels gained)."""

LATENT_FROM = 101
"""Reports from which latent wording counts: more than its dimensions
(:data:`~postmortem_kb.analysis.latent.DIMENSIONS`), else it has nothing to reduce. Below,
numpy and SciPy are not even imported (a second of every small build)."""

MIN_LATENT = 0.25
"""Latent wording this similar or more is named as a reason (when no shared words are)."""

SHOWN_TERMS = 4
"""Shared terms or phrases a reason names."""


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
    vector: dict[str, float]
    """BM25 weight of each term, the vector of length 1."""
    values: dict[str, float]
    """Each tag (``t:``), service (``s:``) and the category (``c:``), with what sharing it adds."""
    written: dict[str, str]
    phrases: frozenset[tuple[str, str]]
    row: int
    """The report's row in the :class:`~postmortem_kb.analysis.latent.Latent` space."""


def _values_of(report: Report) -> list[str]:
    meta = report.meta
    values = [f"t:{normalise(t)}" for t in meta.tags]
    values += [f"s:{normalise(s)}" for s in meta.services]
    if meta.root_cause is not None:
        values.append(f"c:{normalise(meta.root_cause.category)}")
    return list(dict.fromkeys(v for v in values if len(v) > 2))


_KIND_WEIGHT = {"t": WEIGHTS["tags"], "s": WEIGHTS["services"], "c": WEIGHTS["category"]}


def _features(reports: list[Report]) -> dict[str, _Features]:
    wordings: dict[str, Wording] = {}
    values: dict[str, list[str]] = {}
    for report in reports:
        meta = report.meta
        if meta.id is None or meta.id in wordings:
            continue
        wordings[meta.id] = report.wording or Wording()
        values[meta.id] = _values_of(report)
    count = len(wordings)
    df: dict[str, int] = defaultdict(int)
    for report_id, wording in wordings.items():
        for term in wording.counts:
            df[term] += 1
        for value in values[report_id]:
            df[value] += 1
    average = sum(w.length for w in wordings.values()) / count if count else 0.0
    most = MAX_SHARE * count
    rarest = idf(count, 2)  # the rarest a shared value can be
    features: dict[str, _Features] = {}
    for report_id, wording in wordings.items():
        scale = K1 * (1 - B + B * wording.length / average) if average else K1
        weights = {
            term: n * (K1 + 1) / (n + scale) * idf(count, df[term])
            for term, n in wording.counts.items()
            if df[term] <= most
        }
        # Terms no other report has count in the length of the vector (a report is more
        # than the words it shares), but need not be kept.
        norm = math.sqrt(sum(v * v for v in weights.values())) or 1.0
        features[report_id] = _Features(
            vector={term: v / norm for term, v in weights.items() if df[term] >= 2},
            values={
                v: _KIND_WEIGHT[v[0]] * idf(count, df[v]) / rarest
                for v in values[report_id]
                if 2 <= df[v] <= most
            },
            written={term: wording.written.get(term, term) for term in weights if df[term] >= 2},
            phrases=wording.phrases,
            row=len(features),
        )
    return features


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(b) < len(a):
        a, b = b, a
    return sum(v * b[w] for w, v in a.items() if w in b)


def _score(a: _Features, b: _Features, cosine: float, latent_cosine: float | None) -> float:
    """``cosine``: of the two term vectors (:func:`_cosine`, or the latent space's
    product of them all at once)."""
    score = cosine if cosine > MIN_COSINE else 0.0
    score = min(score + sum(weight for value, weight in a.values.items() if value in b.values), 1.0)
    if latent_cosine is None:  # no latent space (a small knowledge base)
        return score
    return (1 - LATENT_WEIGHT) * score + LATENT_WEIGHT * min(latent_cosine, 1.0)


def _shared_wording(a: _Features, b: _Features) -> list[str]:
    """The terms both reports use that add most to their cosine, as written, with
    adjacent ones joined into the phrase both use ("regex backtracking")."""
    shared = sorted(
        (w for w in a.vector if w in b.vector), key=lambda w: (-a.vector[w] * b.vector[w], w)
    )[: SHOWN_TERMS * 2]
    chosen = set(shared)
    shown: list[str] = []
    used: set[str] = set()
    for term in shared:
        if term in used:
            continue
        words = [term]
        for first, second in sorted(a.phrases & b.phrases):
            if first == term and second in chosen and second not in used:
                words.append(second)
                break
            if second == term and first in chosen and first not in used:
                words.insert(0, first)
                break
        used.update(words)
        shown.append(" ".join(a.written.get(w, w) for w in words))
        if len(shown) == SHOWN_TERMS:
            break
    return shown


def _reasons(
    a: _Features, b: _Features, space: Latent | None, latent_cosine: float | None
) -> tuple[str, ...]:
    """The score in words, strongest evidence first, for the few matches shown."""
    reasons: list[str] = []
    if _cosine(a.vector, b.vector) > MIN_COSINE and (words := _shared_wording(a, b)):
        reasons.append("both: " + ", ".join(words))
    # Only where they share too few words to name: the words that bridge two reports
    # are the latent space's guess, which shared words, when there are any, say better.
    if (
        space is not None
        and latent_cosine is not None
        and latent_cosine >= MIN_LATENT
        and not reasons
    ):
        common = a.vector.keys() & b.vector.keys()
        here = space.bridging(a.vector, b.row, common)
        there = space.bridging(b.vector, a.row, common)
        if here and there:
            words_here = ", ".join(a.written.get(t, t) for t in here)
            words_there = ", ".join(b.written.get(t, t) for t in there)
            reasons.append(f"alike in other words: {words_here} ~ {words_there}")
    for prefix, label in (("t:", "shares tags"), ("s:", "shares services")):
        shared = [v for v in a.values if v.startswith(prefix) and v in b.values]
        if shared:
            # Rarest (most telling) first.
            shared.sort(key=lambda v: (-a.values[v], v))
            reasons.append(f"{label}: " + ", ".join(v[2:] for v in shared))
    category = next((v for v in a.values if v.startswith("c:") and v in b.values), None)
    if category is not None:
        reasons.append(f"same root-cause category ({category[2:]})")
    return tuple(reasons)


def similar_later(
    reports: list[Report],
    threshold: float,
    limit: int | None = None,
    workers: Workers | None = None,
) -> Callable[[], dict[str, list[Match]]]:
    """Start finding, for each report id, the others scoring at least ``threshold``,
    best first; the function returned waits for the result.

    Candidates are the reports sharing a term or value held by at most
    :data:`MAX_POSTINGS` reports (the :data:`CANDIDATES` best by that evidence), and
    the nearest :data:`WINDOW` on each side for commoner tags, services and causes;
    every candidate is then scored on all its evidence. The reports are shared among
    ``workers`` when there are enough to pay for sending them, each worker with every
    report's features.
    """
    features = _features(reports)
    space = _latent_space(features)
    pool = workers if workers is not None and workers.pay_for(len(features)) else Workers(1)
    pending = [
        pool.submit(_similar_for, chunk, features, space, threshold, limit)
        for chunk in pool.chunks(sorted(features))
    ]

    def result() -> dict[str, list[Match]]:
        found: dict[str, list[Match]] = {}
        for part in pending:
            found.update(part.result())
        return found

    return result


def _latent_space(features: dict[str, _Features]) -> Latent | None:
    if len(features) < LATENT_FROM:
        return None
    from postmortem_kb.analysis.latent import latent

    return latent([feature.vector for feature in features.values()])


def _similar_for(
    report_ids: list[str],
    features: dict[str, _Features],
    space: Latent | None,
    threshold: float,
    limit: int | None,
) -> dict[str, list[Match]]:
    terms: dict[str, list[str]] = defaultdict(list)
    values: dict[str, list[str]] = defaultdict(list)
    for report_id in sorted(features):
        for term in features[report_id].vector:
            terms[term].append(report_id)
        for value in features[report_id].values:
            values[value].append(report_id)
    by_row = list(features)
    result: dict[str, list[Match]] = {}
    for report_id in report_ids:
        feature = features[report_id]
        evidence: dict[str, float] = defaultdict(float)
        for term, weight in feature.vector.items():
            ids = terms[term]
            if len(ids) <= MAX_POSTINGS:
                for other in ids:
                    evidence[other] += weight * features[other].vector[term]
        nearby: set[str] = set()
        # Rarest first; ties by name, not by set order (which follows the hash seed).
        for value in sorted(feature.values, key=lambda v: (len(values[v]), v)):
            ids = values[value]
            if len(ids) <= MAX_POSTINGS:
                for other in ids:
                    evidence[other] += feature.values[value]
            elif len(nearby) + len(evidence) < MAX_POSTINGS:
                # A common value proposes its nearest reports in id order (ids follow
                # dates), so a report with only common values is compared with the
                # incidents closest to it in time.
                here = bisect_left(ids, report_id)
                nearby.update(ids[max(0, here - WINDOW) : here + WINDOW + 1])
        evidence.pop(report_id, None)
        best = sorted(evidence, key=lambda other: (-evidence[other], other))[:CANDIDATES]
        near = space.neighbours(feature.row, LATENT_CANDIDATES) if space is not None else []
        candidates = sorted((set(best) | nearby | {by_row[r] for r in near}) - {report_id})
        latent_of: dict[str, float | None] = dict.fromkeys(candidates)
        if space is not None:
            rows = [features[other].row for other in candidates]
            alike = space.cosines(feature.row, rows)
            latent_of.update(zip(candidates, map(float, alike), strict=True))
            cosines = list(map(float, space.word_cosines(feature.row, rows)))
        else:
            cosines = [_cosine(feature.vector, features[other].vector) for other in candidates]
        scored = sorted(
            (
                (_score(feature, features[other], cosine, latent_of[other]), other)
                for other, cosine in zip(candidates, cosines, strict=True)
            ),
            key=lambda pair: (-pair[0], pair[1]),
        )
        kept = [(score, other) for score, other in scored if score >= threshold][:limit]
        result[report_id] = [
            Match(
                other,
                round(score, 4),
                _reasons(feature, features[other], space, latent_of[other]),
            )
            for score, other in kept
        ]
    return result


def link(reports: list[Report], limit: int = 5, threshold: float = 0.15) -> dict[str, Links]:
    """Explicit links both ways, and the ``limit`` most similar reports with reasons."""
    return link_later(reports, limit, threshold)()


def link_later(
    reports: list[Report], limit: int, threshold: float, workers: Workers | None = None
) -> Callable[[], dict[str, Links]]:
    """:func:`link`, started on ``workers``; the function returned waits for the links,
    so the caller can do other work meanwhile.

    A report's ``not_related`` ids are left out of its similar incidents, and it is
    left out of theirs (similarity goes both ways); ``related`` links always show.
    Asking for ``limit`` more candidates than shown keeps the list full after that.
    """
    published = [r for r in reports if r.id is not None]
    hidden: dict[str, set[str]] = defaultdict(set)
    for report_id, report in ((r.id, r) for r in published):
        assert report_id is not None  # published reports have ids
        for other in report.meta.not_related:
            hidden[report_id].add(other)
            hidden[other].add(report_id)
    most = max((len(ids) for ids in hidden.values()), default=0)
    similar_of = similar_later(reports, threshold, limit + most, workers)
    known = {r.id for r in published if r.id is not None}
    links: dict[str, Links] = {report_id: Links() for report_id in sorted(known)}
    for report_id, report in sorted(((r.id, r) for r in published if r.id), key=lambda p: p[0]):
        for target in report.meta.related:
            if target in known and target != report_id:
                if target not in links[report_id].names:
                    links[report_id].names.append(target)
                if report_id not in links[target].named_by:
                    links[target].named_by.append(report_id)

    def result() -> dict[str, Links]:
        for report_id, matches in similar_of().items():
            shown = [m for m in matches if m.id not in hidden.get(report_id, ())]
            links[report_id].similar = shown[:limit]
        return links

    return result
