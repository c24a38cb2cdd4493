"""The words of a report as similarity and search weigh them.

One analyser for both, so a word counts the same way everywhere: lunr's pipeline
(trimmer, English stop words, Porter stemmer) per word, as the incident search's
index is built, plus two rules of this project:

- words that say *when* (months, weekdays, time zones, numbers, ordinals) are left
  out of the wording: every postmortem has them, and two incidents on a Tuesday in
  March share nothing that matters;
- a report's own service names are left out of its wording: they are compared as
  services, and would otherwise count twice.

A report's :class:`Wording` is taken while its text is at hand (as it is read, in the
worker that reads it) and kept when the text is dropped: the counts of its terms,
its length, the form each term is written in, and the phrases of its summary and
root cause, all bounded per report.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import cache

from lunr.stemmer import PorterStemmer
from lunr.stop_word_filter import stop_word_filter
from lunr.token import Token
from lunr.trimmer import trimmer

from postmortem_kb.core.report import SUMMARY_KEYS, Report, Wording

__all__ = ["Wording", "idf", "stem", "terms_of", "texts_of", "wording_of", "words"]

_APOSTROPHE = "\u2019"
_WORD = re.compile(r"[a-z0-9]+(?:['\u2019][a-z]+)?")
_MARKUP = re.compile(r"<!--.*?-->|<[^>]+>|\]\([^)]*\)", re.DOTALL)
_CALENDAR_TEXT = """
january february march april may june july august september october november december
jan feb mar apr jun jul aug sep sept oct nov dec
monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thurs fri
sat sun today yesterday tomorrow am pm utc gmt pst pdt est edt cst cdt mst mdt cet cest
eet eest bst ist jst kst aest aedt
"""
_CALENDAR = frozenset(_CALENDAR_TEXT.split())
_NUMERIC = re.compile(r"\d[\d.,:]*(?:st|nd|rd|th|s|ms|m|h|k|x)?")

CAUSE_SECTIONS = ("Root Cause Analysis", "Root Causes", "Root Cause", "Fault", "Leadup")
"""Sections that tell the mechanism, where phrases for reasons are taken from."""
SKIPPED_SECTIONS = frozenset({"timeline"})
"""Sections whose words are times and events, not the mechanism."""
MAX_PHRASES = 64
"""Phrases kept per report (from its title, root cause and summary, in that order)."""


def idf(count: int, df: int) -> float:
    """BM25's inverse document frequency of a term or value that ``df`` of ``count``
    reports have (with Lucene's +1, so never negative): how telling sharing it is."""
    return math.log(1 + (count - df + 0.5) / (df + 0.5))


class BrowserStemmer(PorterStemmer):  # type: ignore[misc]  # lunr ships no types
    """Porter's stemmer as lunr.js 2.3.9 runs it on the search page's queries.

    lunr.py and lunr.js differ in step 1c: lunr.py turns a final *y* into *i* when the
    stem has a vowel (Porter's paper: day -> dai, deploy -> deploi), lunr.js only after
    a consonant that is not the first letter (cry -> cri, day -> day, fly -> fli). An
    index stemmed by lunr.py never matched a query for *day*, *deploy*, *delay* or *key*
    typed in the browser; the index is stemmed as the browser stems.
    """

    b: str
    """The word being stemmed (lunr's PorterStemmer state, untyped there)."""
    k0: int
    k: int

    def step1c(self) -> None:
        word = self.b[self.k0 : self.k + 1]
        if len(word) >= 3 and word[-1] == "y" and word[-2] not in "aeiou":
            self.b = self.b[: self.k] + "i" + self.b[self.k + 1 :]


_BROWSER_STEMMER = BrowserStemmer()


def browser_stemmer(token: Token, i: int | None = None, tokens: object = None) -> Token:
    """A lunr pipeline function: the token stemmed as lunr.js stems it."""
    return token.update(_BROWSER_STEMMER.stem)


@cache
def stem(word: str) -> str | None:
    """One lower-case word through lunr's indexing pipeline (trimmer, stop words, the
    stemmer as the browser runs it), or None for a stop word. Remembered: thousands of
    reports share a few thousand words."""
    token: Token | None = Token(word)
    for step in (trimmer, stop_word_filter, browser_stemmer):
        token = step(token) if token is not None else None
    return None if token is None else str(token)


@cache
def _term(word: str) -> tuple[str, str | None]:
    """A written word without its possessive, and the term it counts as in the wording
    (None when it does not count)."""
    word = word.replace(_APOSTROPHE, "'").removesuffix("'s")
    if len(word) < 2 or word in _CALENDAR or _NUMERIC.fullmatch(word):
        return word, None
    return word, stem(word)


def words(text: str) -> list[tuple[str, str | None]]:
    """Each written word of ``text`` (lower case) with its term, None where it has none."""
    plain = _MARKUP.sub(" ", text.lower())
    return [_term(word) for word in _WORD.findall(plain)]


def terms_of(text: str) -> list[str]:
    """The terms of ``text``, in order, without the words that have none."""
    return [term for _, term in words(text) if term is not None]


def texts_of(report: Report) -> tuple[list[str], list[str]]:
    """The report's texts: first the ones that tell what happened and why (title, root
    cause, summary, the root-cause sections), then the rest (contributing factors,
    other sections, action items), the timeline left out."""
    meta = report.meta
    telling: list[str] = [report.title]
    rest: list[str] = []
    if meta.root_cause is not None:
        telling.append(meta.root_cause.summary)
    rest.extend(factor.description for factor in meta.contributing_factors)
    cause_keys = {name.casefold() for name in CAUSE_SECTIONS}
    for section in report.sections:
        if section.key in SKIPPED_SECTIONS or section.key == "action items":
            continue
        (telling if section.key in SUMMARY_KEYS | cause_keys else rest).append(section.text)
    rest.extend(item.action for item in report.action_items)
    return telling, rest


def wording_of(report: Report) -> Wording:
    """The :class:`Wording` of a report, from its frontmatter, sections and action items."""
    meta = report.meta
    own = {t for s in meta.services for t in terms_of(s)}
    counts: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = {}
    phrases: dict[tuple[str, str], None] = {}
    telling, rest = texts_of(report)
    for position, text in enumerate(telling + rest):
        previous: str | None = None
        for word, term in words(text):
            if term is None or term in own:
                previous = None
                continue
            counts[term] += 1
            forms.setdefault(term, Counter())[word] += 1
            if previous is not None and position < len(telling) and len(phrases) < MAX_PHRASES:
                phrases.setdefault((previous, term))
            previous = term
    written = {term: min(c.items(), key=lambda kv: (-kv[1], kv[0]))[0] for term, c in forms.items()}
    return Wording(
        counts=dict(counts),
        length=sum(counts.values()),
        written=written,
        phrases=frozenset(phrases),
    )
