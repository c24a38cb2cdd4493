"""Review checks on the words of a postmortem: blameless, specific, finished, actionable.

The domain guide asks reviewers to keep postmortems blameless and specific, and
to merge Final reports only when nothing is left to fill in. These checks do the
mechanical part of that review so people can spend theirs on the analysis.

They favour silence over noise: a phrase is reported only where it is prose
(never inside code, a block quote or a quoted string, so a report may quote a log
line or discuss a phrase), and every finding names its line and a suggestion.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

from postmortem_kb.core.body import normalise_heading
from postmortem_kb.core.model import Status
from postmortem_kb.core.report import Report
from postmortem_kb.core.rules import Finding

ROOT_CAUSE_SECTIONS = frozenset({"root cause", "root causes", "root cause analysis"})
"""Sections whose text states the cause (normalised headings)."""

DATA_SECTIONS = frozenset({"impact", *ROOT_CAUSE_SECTIONS})
"""Sections where the guide asks for numbers rather than adjectives."""


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# --- prose extraction ----------------------------------------------------------


@dataclass(slots=True)
class Prose:
    """One run of Markdown text: a paragraph, a list item, a heading, a table cell."""

    section: str
    """Normalised heading of the level-2 section it is in ("" before the first one)."""
    line: int
    """File line of the first line of ``raw``."""
    raw: str
    """The source text as written."""
    _unquoted: str | None = field(default=None, repr=False, compare=False)

    @property
    def unquoted(self) -> str:
        """``raw`` with code, HTML, URLs, markup and double-quoted passages blanked out
        (same length, so offsets hold). Worked out when first asked: most runs never
        are, since blanking only removes words and the checks look for words in
        ``raw`` first."""
        if self._unquoted is None:
            self._unquoted = _unquote(_clean(self.raw))
        return self._unquoted

    def line_at(self, offset: int) -> int:
        return self.line + self.raw.count("\n", 0, offset)


@cache
def _markdown() -> MarkdownIt:
    # Only the block structure: where code, quotes, HTML and headings are. Table rows
    # and link definitions stay paragraph lines (still one run per source line), and
    # runs are read as source text, so the table, reference and inline rules, which
    # take three quarters of the parse time, are left out.
    return MarkdownIt("commonmark", {"html": True}).disable(["inline", "reference"])


def _tokens(report: Report) -> list[Token]:
    return _markdown().parse(report.source.body)


_CODE_SPAN = re.compile(r"(`+)(?:.+?)\1", re.DOTALL)
_HTML = re.compile(r"<!--.*?-->|</?[A-Za-z][^<>]*>", re.DOTALL)
_LINK_TARGET = re.compile(r"\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")
_URL = re.compile(r"\bhttps?://\S+")
_QUOTED = re.compile(r"\"[^\"\n]*\"|\u201c[^\u201d]*\u201d")


def _blank(text: str, pattern: re.Pattern[str]) -> str:
    """Replace every match with spaces, keeping newlines, so offsets stay valid."""
    return pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


_CLEANERS = ((_CODE_SPAN, "`"), (_HTML, "<"), (_LINK_TARGET, "]("), (_URL, "http"))


def _clean(raw: str) -> str:
    text = raw
    for pattern, trigger in _CLEANERS:
        if trigger in text:  # most runs are short table cells: skip what cannot match
            text = _blank(text, pattern)
    return text.replace("*", " ").replace("~", " ")


def _unquote(text: str) -> str:
    return _blank(text, _QUOTED) if '"' in text or "\u201c" in text else text


def prose_of(report: Report, tokens: list[Token] | None = None) -> list[Prose]:
    """Every prose run of the body outside code blocks, HTML blocks and block quotes."""
    offset = report.source.body_offset
    runs: list[Prose] = []
    section = ""
    quote_depth = 0
    tokens = _tokens(report) if tokens is None else tokens
    for index, token in enumerate(tokens):
        if token.type == "blockquote_open":
            quote_depth += 1
        elif token.type == "blockquote_close":
            quote_depth -= 1
        elif token.type == "heading_open" and token.level == 0 and token.tag in ("h1", "h2"):
            title = tokens[index + 1].content if index + 1 < len(tokens) else ""
            section = normalise_heading(title) if token.tag == "h2" else ""
        elif token.type == "inline" and token.map is not None and quote_depth == 0:
            runs.append(Prose(section, offset + token.map[0] + 1, token.content))
    return runs


def _frontmatter_prose(report: Report) -> Iterator[tuple[str, Prose]]:
    """Free-text frontmatter values, each with the section its text belongs to."""
    meta = report.meta
    source = report.source

    def prose(section: str, loc: tuple[str | int, ...], value: str) -> Prose:
        return Prose(section, source.line_of(loc), value)

    if meta.title is not None:
        yield "title", prose("", ("title",), meta.title)
    if meta.root_cause is not None:
        summary = meta.root_cause.summary
        yield "root_cause", prose("root cause", ("root_cause", "summary"), summary)
    for index, factor in enumerate(meta.contributing_factors):
        loc = ("contributing_factors", index, "description")
        yield "factor", prose("", loc, factor.description)


# --- blameful language -----------------------------------------------------------

_APOS = "['\u2019]"
_PRONOUN = r"(?:you|he|she)"
_PERSON_NOUN = (
    r"(?:engineers?|developers?|devs?|operators?|on-?call(?:\s+engineer)?|reviewers?|"
    r"authors?|admins?|administrators?|interns?|contractors?|employees?|"
    r"(?:the\s+)?person|people|individuals?|him|her|them|you)"
)


@dataclass(frozen=True, slots=True)
class Family:
    """Phrases that share one rule and one better wording."""

    name: str
    pattern: re.Pattern[str]
    suggestion: str
    triggers: frozenset[str] = frozenset()
    """Lowercase words every match contains: a text without them is not searched."""
    code: str = "PM201"
    anchor: re.Pattern[str] | None = None
    """What every match contains, in lower case, cheap to find where ``pattern`` is not:
    a pattern that starts with a subject ("the on-call engineer failed to") is tried at
    every position of a text, its anchor ("failed to") only where its first word is."""


def _family(
    name: str,
    pattern: str,
    suggestion: str,
    triggers: str = "",
    code: str = "PM201",
    anchor: str | None = None,
) -> Family:
    return Family(
        name,
        re.compile(pattern, re.IGNORECASE),
        suggestion,
        _words(triggers),
        code,
        None if anchor is None else re.compile(anchor),
    )


BLAMEFUL = (
    _family(
        "who-broke",
        r"\bwho\s+(?:broke|messed\s+up|screwed\s+up|is\s+responsible\s+for|"
        r"was\s+responsible\s+for|did\s+this)\b|"
        # "who caused" also describes customers ("merchants who caused the spike"),
        # so only the question counts.
        r"(?:\A|(?<=[.!?:]\s)|(?<=\n)|(?<=\bknow\s)|(?<=\bout\s)|(?<=\bask\s))"
        r"who\s+caused\b",
        'Ask what, not who: "What system failures led to this?"',
        "who",
    ),
    _family(
        "should-have-known",
        rf"\bshould(?:\s+have|{_APOS}ve)\s+known\b|"
        rf"\b{_PRONOUN}\s+should(?:\s+have|{_APOS}ve)\s+"
        r"(?:checked|tested|noticed|seen|caught|reali[sz]ed|asked|verified|read)\b|"
        rf"\bprevented\s+if\s+{_PRONOUN}\b",
        'Ask "What information was missing?", or name the safeguard that would have caught it.',
        "should prevent",
    ),
    _family(
        "stupid-mistake",
        r"\b(?:stupid|dumb|silly|idiotic|foolish|rookie|sloppy|careless|inexcusable|"
        r"embarrassing|boneheaded)\s+(?:mistake|error|blunder|slip|oversight)s?\b",
        'Write "This revealed a weakness in the system" and describe that weakness.',
        "stupid dumb silly idiotic foolish rookie sloppy careless inexcusable "
        "embarrassing boneheaded",
    ),
    _family(
        "why-didnt-you",
        rf"\bwhy\s+(?:didn{_APOS}?t|did\s+not|don{_APOS}?t|do\s+not|wouldn{_APOS}?t|"
        rf"couldn{_APOS}?t|haven{_APOS}?t|hadn{_APOS}?t|did)\s+{_PRONOUN}\b",
        'Ask about the system: "What testing gaps did we discover?" or "What '
        'safeguards can we add?"',
        "why",
    ),
    _family(
        "careless",
        r"\b(?:careless(?:ly|ness)?|negligen(?:t|tly|ce)|reckless(?:ly|ness)?|"
        r"incompeten(?:t|ce)|irresponsibl[ey])\b",
        "Describe the conditions that made the slip easy (tooling, information, load, "
        "time pressure) instead of judging a person's care.",
        "careless negligen reckless incompeten irresponsib",
    ),
    _family(
        "fault-of",
        rf"\b(?:fault\s+of|blame\s+(?:lies\s+)?(?:with|on))\s+(?:the\s+)?{_PERSON_NOUN}\b|"
        rf"\b(?:his|her|your|their)\s+fault\b|"
        rf"\b(?:{_PRONOUN}|{_PERSON_NOUN})\s+(?:was|were|is|are)\s+(?:at\s+fault|to\s+blame)\b",
        'Say which safeguard was missing: "Let\'s understand the system failure."',
        "fault blame",
    ),
)


# --- people named as the cause ---------------------------------------------------

_TEAM_WORDS = re.compile(
    r"team|on-?call|squad|guild|group|crew|ops|sre|eng|platform|support|admins|"
    r"security|infra|owners",
    re.IGNORECASE,
)
_NOT_NAMES = _words(
    "will may mark bill max page rose june april august march art ray chase grant "
    "lane hope joy faith dawn rich sue don pat jack frank lance gene sky summer "
    "team the and"
)
_CAUSE_AFTER_NAME = (
    r"(?:\s+\w+ly)?\s+(?:forgot|broke|caused|neglected|overlooked|missed|misconfigured|"
    r"messed\s+up|screwed\s+up|failed\s+to|did\s+not|didn['\u2019]t|"
    r"made\s+(?:a|an|the)\s+(?:\w+\s+)?(?:mistake|error)|"
    r"(?:was|is|were)\s+(?:at\s+fault|to\s+blame|responsible|careless))\b"
)
_CAUSE_BEFORE_NAME = (
    r"\b(?:caused|broken|introduced|triggered|(?:an?\s+)?(?:error|mistake|fault|"
    r"oversight)s?(?:\s+made)?)\s+(?:by|of)\s+"
)


def _people(report: Report) -> list[str]:
    """Names of the report's people: authors, and owners that are not teams."""
    names: set[str] = set()
    meta = report.meta
    for author in meta.authors:
        parts = [p for p in re.split(r"\s+", author.strip()) if p]
        if len(parts) > 1:
            names.add(" ".join(parts))
        names.update(p for p in parts if _is_name(p))
    for item in report.action_items:
        handle = item.owner.strip().lstrip("@")
        if not _is_person_handle(handle):
            continue
        names.add(handle)  # as written, e.g. daniel.osei
        names.update(p.capitalize() for p in re.split(r"[._]", handle) if _is_name(p))
    return sorted(names, key=len, reverse=True)


def _is_person_handle(handle: str) -> bool:
    """An owner or @handle that names a person, not a team (``@payments-team``)."""
    return bool(handle) and not (_TEAM_WORDS.search(handle) or "-" in handle or "/" in handle)


def _is_name(part: str) -> bool:
    return len(part) >= 3 and part.isalpha() and part.lower() not in _NOT_NAMES


@lru_cache(maxsize=4096)
def _person_patterns(names: tuple[str, ...]) -> list[re.Pattern[str]]:
    if not names:
        return []
    # A name is matched as written (capitalised), or as a handle with or without '@'.
    name = "(?P<name>@?(?:" + "|".join(re.escape(n) for n in names) + "))"
    not_possessive = r"(?!['\u2019]s\b)"
    return [
        re.compile(rf"(?<![\w@.]){name}\b{not_possessive}{_CAUSE_AFTER_NAME}"),
        re.compile(
            rf"(?<![\w@.]){name}['\u2019]s\s+(?:\w+\s+)?(?:mistake|error|fault|"
            r"oversight|negligence|carelessness)\b"
        ),
        re.compile(_CAUSE_BEFORE_NAME + rf"{name}\b"),
        # "Bob deployed buggy code that caused the outage": the name starts the
        # clause and the clause says it caused or broke something.
        re.compile(
            rf"(?:^|[.;:!?]\s+|\b(?:because|when|after|since|as)\s+){name}\b{not_possessive}"
            r"(?:\s+[\w\-/`'\u2019]+){1,6}?\s+(?:caused|broke)\b",
            re.MULTILINE,
        ),
    ]


def _people_as_cause(
    runs: list[Prose], stated: list[Prose], people: list[str]
) -> Iterator[tuple[str, Finding]]:
    """Each person named as the cause, with the finding. ``stated``: the root cause as
    the frontmatter states it; ``people``: the report's people (:func:`_people`)."""
    texts = [r for r in runs if r.section in ROOT_CAUSE_SECTIONS] + stated
    # Patterns are compiled only for names the text contains (names match as written),
    # which is rarely any: compiling them for every report was most of the lint's time.
    joined = "\n".join(run.raw for run in texts)
    patterns = _person_patterns(tuple(n for n in people if n in joined))
    if not patterns:
        return
    for run in texts:
        seen: set[tuple[int, str]] = set()
        for pattern in patterns:
            for match in pattern.finditer(run.unquoted):
                name = match.group("name")
                line = run.line_at(match.start("name"))
                if (line, name) in seen:
                    continue
                seen.add((line, name))
                yield (
                    name,
                    Finding(
                        "PM202",
                        line,
                        f"'{name}' is named as the cause in the root-cause text",
                        "Describe what the system allowed, not who: name the step or the role "
                        "('the deploy pipeline accepted...'), and what was missing to stop it.",
                    ),
                )


# --- hindsight, omission and the human-error label ------------------------------------
#
# Learning-from-Incidents practice (Dekker's *Field Guide to Understanding Human
# Error*, Allspaw's writing on counterfactuals, Etsy's debriefing guide) asks a report
# to say what people saw and did, and why it made sense at the time, not what they
# should have done or did not do: a counterfactual describes a world that did not
# happen and judges the people in this one against it.
#
# The families below look for that wording only where a person is its subject, because
# "the health check failed to detect the stuck worker" says what a system did (it ran
# and missed), while "the on-call engineer failed to escalate" measures a person
# against hindsight. A safeguard as the subject ("a canary would have caught it") is
# the blameless form the guide recommends, so it is never reported.

_ADVERBS = r"(?:\s+(?:also|then|just|simply|again|still|\w+ly))*"
_DETERMINER = r"(?:the|an?|our|their|his|her|my|your|one|another|each|every|that|this)"
_ROLE = (
    r"(?:engineers?|developers?|devs|sres?|reviewers?|authors?|admins?|administrators?|"
    r"technicians?|responders?|interns?|contractors?|employees?|staff(?:\s+members?)?|"
    r"team(?:\s+members?)?|on-?call(?:\s+engineers?)?|"
    r"incident\s+commanders?)"
)
# "The operator" is also a Kubernetes controller ("the operator failed to reconcile"),
# so it counts only after a word for a person's job ("the night-shift operator").
_OPERATOR = (
    rf"{_DETERMINER}\s+(?:lead|senior|junior|new|human|night|night-shift|shift|duty|on-?call|"
    r"console|control-room|plant)\s+operators?"
)
_AGENT = (
    r"(?:\b(?:i|we|you|he|she|someone|somebody)"
    rf"|\b(?:{_DETERMINER}\s+(?:(?-i:[a-z][a-z-]*)\s+){{0,2}})?{_ROLE}"
    rf"|\b{_OPERATOR})"
)
"""A person as the subject of a sentence: a pronoun or a role, never a system. Not
"they", which as often means the servers."""

_HAVE = rf"(?:\s+have|{_APOS}ve)\s+(?:\w+ly\s+)?"
# What someone "could have" done in hindsight ("could have rolled back sooner"), as
# against what was possible ("we could have lost data", "someone could have read it").
_COULD_ACT = (
    r"(?:prevented|avoided|averted|caught|noticed|spotted|detected|stopped|checked|tested|"
    r"verified|asked|escalated|rolled\s+back|reverted|acted|reacted|paged|"
    r"done\s+(?:more|better|something|things\s+differently))\b(?!-)"
)
_SHOULD_ACT = (
    rf"(?:{_COULD_ACT}|(?:known|reali[sz]ed|read|called|looked|waited|followed|remembered|"
    r"double-checked|responded)\b(?!-))"
)
# A past participle after "should have": "should have rolled back the deploy", but
# not "should have automated checks" (advice, with an adjective), so a participle
# that is not in the list above must be followed by what follows a verb. What a person
# only receives ("should have received a page", "should have had a runbook") is what the
# system owed them, not a judgement of them.
_PARTICIPLE = (
    r"(?:been\s+(?:more\s+)?(?:careful|attentive|aware|vigilant|diligent|thorough|cautious)\b"
    rf"|{_SHOULD_ACT}"
    r"|(?!(?:need|seed|speed|feed|red|bed|shed|breed|been|received|gotten|had)\b)"
    r"[a-z]+(?:ed|en|wn|ne|ght|lt|pt|ft|un|"
    r"aid|ead|eld|old|ade|ound)\b"
    r"(?=\s+(?:the|an?|this|that|these|those|it|them|him|her|our|their|his|its|every|all|"
    r"any|some|back|up|out|off|on|in|at|to|for|before|after|sooner|earlier|first|again|"
    r"with|from|by|as|instead|immediately|\w+ly)\b|\s*[.,;:!?)]|\s*$))"
)
_SHOULD_HAVE = rf"(?:should|ought\s+to)(?:n{_APOS}t|\s+not)?{_HAVE}{_PARTICIPLE}"
_COULD_HAVE = rf"could{_HAVE}{_COULD_ACT}"
# "Failed to" is an omission ("failed to escalate", "failed to copy the build") unless it
# tells of an attempt that did not succeed ("failed to connect", "failed to reproduce"),
# and only in the past: "if the engineer fails to acknowledge, the page escalates".
_FAILED_TO = (
    r"failed\s+to\b(?!\s+(?:connect|log|login|sign|access|reach|contact|reproduce|find|locate|"
    r"identify|determine|diagnose|understand|explain|restore|recover|resolve|fix|mitigate|"
    r"repair|start|load|open|authenticate|serve|process|deliver|respond|handle|meet|complete|"
    r"provide|keep|get|obtain|stop|finish|make|convince|persuade|wake)\b)"
)
# Software "forgets the session" too, so "forgot the ..." counts only for a person;
# "forgot to" is said of people (or of code, which people wrote).
_FORGOT = r"(?:forgot|forgotten|forgetting|neglected|neglecting|omitted|omitting)\s+to\b"
_FORGOT_THING = (
    r"(?:had\s+)?forgot(?:ten)?\s+(?:about|the|an?|that|our|his|her|their|its|which|how)\b"
)
# Steps only people follow. "Process", "policy" and "instructions" are also what
# software follows or ignores ("ignored the child processes", "the retry policy"), so
# they count only with a person as the subject.
_PROCEDURE = (
    r"(?:runbooks?|run\s+books?|playbooks?|procedures?|checklists?|sops?|documented\s+steps|"
    r"best\s+practices?|(?:change|release|review|deploy(?:ment)?|approval|escalation|incident|"
    r"on-?call|documented|agreed|standard|usual|normal)\s+process(?:es)?)\b"
)
_GUIDANCE = (
    rf"(?:{_PROCEDURE}|(?:instructions|guidelines?|guidance|process|polic(?:y|ies)|"
    r"documentation|advice|alerts?|alarms?|warnings?|pages?|notifications?|signs?)\b)"
)
_ANY_WORDS = r"(?:\w[\w-]*\s+){0,3}?"
_NOT_FOLLOWED = (
    rf"(?:did(?:n{_APOS}?t|\s+not)|never|chose\s+not\s+to|fail(?:ed|ing)\s+to)\s+follow(?:ed)?"
)
_NOT_FOLLOWED_ANCHOR = rf"(?:not|never|n{_APOS}?t|to)\s+follow"
_DIDNT_FOLLOW = rf"{_NOT_FOLLOWED}\s+{_ANY_WORDS}{_PROCEDURE}"
_IGNORED = (
    rf"(?:{_NOT_FOLLOWED}|ignored|disregarded)\s+{_ANY_WORDS}"
    rf"{_GUIDANCE}"
)
_IGNORED_PROCEDURE = rf"(?:ignored|disregarded)\s+{_ANY_WORDS}{_PROCEDURE}"

_HINDSIGHT_HINT = (
    "Hindsight judges a decision by its outcome: describe what the person saw and knew at "
    "the time and why the action made sense then, and name the safeguard that was missing "
    "('no alert covered the pool size')."
)
_OMISSION_HINT = (
    "Say what happened, not what did not: what the person was doing and saw, why the step "
    "was easy to miss (manual, no reminder, a runbook out of date), and which safeguard "
    "would catch it next time."
)

HINDSIGHT = (
    _family(
        "should-have",
        rf"{_AGENT}{_ADVERBS}\s+(?:{_SHOULD_HAVE}|{_COULD_HAVE})",
        _HINDSIGHT_HINT,
        "should could ought",
        "PM209",
        rf"(?:{_SHOULD_HAVE}|{_COULD_HAVE})",
    ),
)
OMISSION = (
    _family(
        "didnt-follow",
        rf"\b{_DIDNT_FOLLOW}",
        "Describe what the person did and why it made sense at the time, then ask why the "
        "documented steps were not the obvious path (out of date, hard to find, wrong for "
        "this case, slower under pressure).",
        "follow",
        "PM210",
        _NOT_FOLLOWED_ANCHOR,
    ),
    _family(
        "failed-to",
        rf"{_AGENT}{_ADVERBS}\s+{_FAILED_TO}",
        _OMISSION_HINT,
        "fail",
        "PM210",
        _FAILED_TO,
    ),
    _family(
        "forgot-to",
        rf"\b{_FORGOT}|{_AGENT}{_ADVERBS}\s+{_FORGOT_THING}",
        _OMISSION_HINT,
        "forg neglect omitt",
        "PM210",
    ),
    _family(
        "ignored",
        rf"{_AGENT}{_ADVERBS}\s+{_IGNORED}",
        "Describe what the person saw and why the signal or the documented step did not "
        "stand out (the alert fired often or named no action, the runbook was out of date "
        "or hard to find); that is what to fix.",
        "ignored disregard follow",
        "PM210",
        rf"{_NOT_FOLLOWED_ANCHOR}|ignored|disregarded",
    ),
)
HUMAN_ERROR = (
    _family(
        "human-error",
        # Not where a report discusses the label ("not human error", "rather than human
        # error") or designs against slips ("to prevent human error").
        r"(?<!\bnot\s)(?<!\bnot\sa\s)(?<!\bnot\san\s)(?<!\bno\s)(?<!\bthan\s)"
        r"(?<!\bprevent\s)(?<!\bprevents\s)(?<!\bagainst\s)(?<!\bcall\s)(?<!\bcalled\s)"
        r"\b(?:human[\s-]+(?:errors?|mistakes?|failures?|slips?)|operator[\s-]+errors?)"
        r"(?![\s-]+(?:rates?|codes?|logs?|messages?|counts?|budgets?|handling|pages?|paths?|"
        r"states?|metrics?)\b)"
        r"|\bfat[\s-]?finger(?:ed|ing|s)?\b",
        "'Human error' is where the analysis starts, not where it ends: describe the action, "
        "what made it reasonable at the time, and what let the slip through (the tool "
        "accepted the input, no confirmation step, no dry run).",
        "human operator finger",
        "PM211",
        r"human[\s-]+(?:error|mistake|failure|slip)|operator[\s-]+error|fat[\s-]?finger",
    ),
)
COUNTERFACTUAL = (
    _family(
        "preventable",
        rf"\b(?:could|would|might)(?:\s+\w+ly)?{_HAVE}been\s+(?:\w+ly\s+)?"
        r"(?:prevented|avoided)\b"
        rf"|\bshould{_HAVE}been\s+(?:caught|noticed|spotted|prevented|avoided)\b"
        rf"|\bwould(?:n{_APOS}t|\s+not){_HAVE}(?:happened|occurred)\b"
        r"|\b(?:was|were|been)\s+(?:\w+ly\s+)?(?:preventable|avoidable)\b"
        r"|\b(?:an?\s+)?(?:\w+ly\s+)?(?:preventable|avoidable)\s+(?:outage|incident|failure|"
        r"error|mistake|event)s?\b",
        "Describe what happened rather than what might have: name the safeguard that was "
        "missing and what it would take to add it ('no canary stage ran before the global "
        "push').",
        "prevent avoid been happen occur",
        "PM214",
        r"been\s+(?:\w+ly\s+)?(?:prevented|avoided|caught|noticed|spotted)|happened|occurred|"
        r"preventable|avoidable",
    ),
    _family(
        "if-only",
        r"\bif\s+only\s+(?:we|i|you|he|she|they|someone|somebody|"
        r"(?:the|our)\s+(?:[\w-]+\s+){0,2}?[\w-]+)"
        rf"(?:\s+had|\s+hadn{_APOS}t|{_APOS}d|\s+knew|\s+did|\s+didn{_APOS}t|\s+would|\s+could)\b",
        "Describe what happened and what the people involved knew then; 'if only' "
        "describes a world that did not happen.",
        "only",
        "PM214",
        r"if\s+only",
    ),
)

# --- anyone named as the one who slipped -----------------------------------------------
#
# PM202 knows the report's own people; a colleague who wrote nothing is named as often.
# A name is a capitalised word (with an optional surname or initial) or an @handle that
# starts a clause and is the subject of a blamed action. Products and companies are
# capitalised too ("Kubernetes failed to", "Alertmanager ignored the alert"), so for a
# name the report does not list as a person, only what people alone do counts: forgetting
# or neglecting to, not following (or ignoring) a runbook, fat-fingering, "should have
# known". The report's authors and owners, and @handles that are not teams, also count
# with "failed to", "ignored the alert", "made a mistake" and hindsight ("should have
# checked").

_UPPER, _LOWER = "A-Z\u00c0-\u00d6\u00d8-\u00de", "a-z\u00df-\u00f6\u00f8-\u00ff"
_NAME_WORD = rf"[{_UPPER}](?:[{_LOWER}]+|['\u2019][{_UPPER}][{_LOWER}]+)(?:-[{_UPPER}][{_LOWER}]+)?"
_SURNAME = rf"[{_UPPER}](?:\.|[{_LOWER}]+(?:[{_UPPER}'\u2019-][{_UPPER}]?[{_LOWER}]+)?)"
_NOT_NAMES_AT_START = (
    # Words that start a clause with a capital and could be the subject of the actions
    # below: pronouns, determiners, roles, groups, sentence adverbs, months and days.
    "i we you he she they it someone somebody everyone everybody anyone anybody nobody "
    "noone none one each every all both either neither some any no this that these those "
    "the a an our their his her its my your who which what engineering engineers engineer "
    "ops devops sre sres operators operator developers developer support staff management "
    "leadership security legal finance sales marketing product team teams users user "
    "customers customer people humans responders reviewers reviewer admins admin on-call "
    "oncall automation monitoring alerting tooling ci then later also however "
    "unfortunately eventually meanwhile initially finally again still instead otherwise "
    "therefore thus hence here there now once yesterday today tonight clearly apparently "
    "probably perhaps maybe somehow nevertheless nonetheless afterwards subsequently "
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday because when after since as "
    "and but so while until before though although if unless where"
)
# Products do much of the rest: "Alertmanager ignored the alert", "Terraform messed up
# the state", "Kubernetes should have noticed the node was gone".
_PERSON_ONLY = (
    rf"{_FORGOT}|{_DIDNT_FOLLOW}|{_IGNORED_PROCEDURE}|fat[\s-]?fingered\b|"
    rf"should{_HAVE}(?:known|remembered|asked|double-checked|been\s+more\s+careful)\b"
)
_ALSO_FOR_PEOPLE = (
    rf"{_FAILED_TO}|{_FORGOT_THING}|{_IGNORED}|(?:messed|screwed)\s+up\b|{_SHOULD_HAVE}|"
    rf"{_COULD_HAVE}|overlooked\b|"
    r"made\s+(?:a|an|the)\s+(?:\w+\s+)?(?:mistake|error|typo|blunder)\b|"
    r"(?:was|is)\s+(?:at\s+fault|to\s+blame|careless|negligent)\b"
)
NAMED_BLAME = re.compile(
    # It starts with the name's first character, so that only the capitals and '@' of a
    # text are tried; where the clause starts is checked on the text before it.
    rf"(?P<name>@[A-Za-z0-9][\w.-]*[A-Za-z0-9]|{_NAME_WORD}(?:\s+{_SURNAME})?)"
    rf"(?i:{_ADVERBS}\s+(?:(?P<person_only>{_PERSON_ONLY})|{_ALSO_FOR_PEOPLE}))"
)
_CLAUSE_END = re.compile(
    # What a clause starts after: a sentence, a cell, a colon, a comma or a conjunction.
    r"(?:[.!?:;,|(\u2014]|(?i:\b(?:because|when|after|since|as|and|but|so|then|while|"
    r"until|before|once|that|where|though|although|if|unless)\s))\s*\Z"
)
_NOT_NAME_WORDS = _words(_NOT_NAMES_AT_START)
PERSON_ONLY_TRIGGERS = _words("forg neglect omitt follow ignored disregard finger should")
PEOPLE_TRIGGERS = _words(
    "fail forg follow ignored disregard messed screwed should could ought overlooked made blame "
    "fault careless negligen"
)
"""Words of the actions that count only for the report's people and @handles."""
NAMED_TRIGGERS = PERSON_ONLY_TRIGGERS | PEOPLE_TRIGGERS
_MODAL_PERFECT = re.compile(rf"(?:should|could|ought\s+to)(?:n{_APOS}t|\s+not)?{_HAVE}")
COMMON_TRIGGERS = {
    # Words of blamed actions that prose holds for other reasons ("failed", "should",
    # "follow-up", "made"): a run holding one is searched for names only if it also
    # holds the action's first words (in lower case). The other words are rare enough.
    "fail": re.compile(_FAILED_TO),
    "should": _MODAL_PERFECT,
    "could": _MODAL_PERFECT,
    "ought": _MODAL_PERFECT,
    "follow": re.compile(_NOT_FOLLOWED_ANCHOR),
    "made": re.compile(r"made\s+(?:an?|the)\s"),
}
_NAMED_HINT = (
    "Name the role, not the person, and say what they saw and why the action made sense "
    "at the time: 'the on-call engineer renewed certificates by hand; nothing reminded "
    "them of this one'."
)


def _name_key(name: str) -> str:
    return name.lstrip("@").split()[0].casefold()


def _starts_a_clause(text: str, start: int) -> bool:
    before = text[max(0, start - 10) : start]
    if not before.strip():
        return start <= len(before)  # the run's first word, or after blanked-out text
    return _CLAUSE_END.search(before) is not None


def _may_name(run: Prose, words: set[str], lowered: str, people: frozenset[str]) -> bool:
    """Whether a run can hold a name in blame, judged cheaply from its trigger ``words``
    (``lowered``: its blanked text in lower case)."""
    candidates = words & PERSON_ONLY_TRIGGERS
    if not words.isdisjoint(PEOPLE_TRIGGERS) and (
        "@" in run.raw or any(name in run.raw for name in people)
    ):
        candidates |= words & PEOPLE_TRIGGERS
    return any(
        word not in COMMON_TRIGGERS or COMMON_TRIGGERS[word].search(lowered) for word in candidates
    )


def _named(run: Prose, people: frozenset[str]) -> Iterator[tuple[int, int, str, str]]:
    """(start, end, name, phrase) of each name that is the subject of a blamed action."""
    text = run.unquoted
    matches = list(NAMED_BLAME.finditer(text))
    while matches:
        match = matches.pop(0)
        name, start = match.group("name"), match.start("name")
        words = name.split()
        if words[0].lower() in _NOT_NAME_WORDS:
            if len(words) > 1:  # "When Bob forgot": Bob's clause starts after "When"
                again = NAMED_BLAME.match(text, text.index(words[1], start))
                matches[:0] = [again] if again is not None else []
            continue
        if not _starts_a_clause(text, start):
            continue
        if name.startswith("@"):
            if not _is_person_handle(name[1:]):
                continue  # a team: what it did not do is still PM210's
        elif match.group("person_only") is None and not (name in people or words[0] in people):
            continue
        phrase = " ".join(text[start : match.end()].split())  # without its markup
        yield start, match.end(), name, phrase


# --- reporting the phrases -------------------------------------------------------------

LANGUAGE = (*BLAMEFUL, *HUMAN_ERROR, *OMISSION, *HINDSIGHT, *COUNTERFACTUAL)
"""Every phrase family, the most specific first: where two match the same words, the
first is reported (a name as the subject is reported before all of them)."""
_TRIGGERS = tuple(sorted(NAMED_TRIGGERS.union(*(f.triggers for f in LANGUAGE))))
_PHRASING = {
    "PM201": "blameful phrasing",
    "PM209": "hindsight judgement",
    "PM210": "omission framing",
    "PM211": "human-error label",
    "PM214": "counterfactual",
}


def _language(
    runs: list[Prose], people: frozenset[str], skip: frozenset[tuple[int, str]] = frozenset()
) -> Iterator[Finding]:
    """Phrase families (PM201, PM209-PM211, PM214) and names in blame (PM212).

    ``skip``: (line, name) pairs that PM202 reports already.
    """
    # Trigger words are looked for in the whole text first: most reports hold few of
    # them, and a run is searched only for the families whose words it holds. The text
    # as written holds every word its blanked-out version does. A trigger holds no
    # space, so it lies within one word of the text: looking for it among the distinct
    # words, a sixth of the text, finds the same.
    words_written = set("\n".join(run.raw for run in runs).lower().split())
    everything = "\n".join(words_written)
    present = [word for word in _TRIGGERS if word in everything]
    if not present:
        return
    families = [f for f in LANGUAGE if not f.triggers.isdisjoint(present)]
    for run in runs:
        written = run.raw.lower()
        words = {word for word in present if word in written}
        if not words:
            continue
        run_families = [f for f in families if not f.triggers.isdisjoint(words)]
        if not run_families and words.isdisjoint(NAMED_TRIGGERS):
            continue
        lowered = run.unquoted.lower()
        taken: list[tuple[int, int]] = []
        found: list[tuple[int, Finding]] = []
        names = _named(run, people) if _may_name(run, words, lowered, people) else ()
        for start, end, name, phrase in names:
            taken.append((start, end))
            line = run.line_at(start)
            if (line, _name_key(name)) not in skip:
                message = f"'{name}' is named as the subject of a blamed action ('{phrase}')"
                found.append((start, Finding("PM212", line, message, _NAMED_HINT)))
        for family in run_families:
            if not any(word in lowered for word in family.triggers & words):
                continue
            if family.anchor is not None and not family.anchor.search(lowered):
                continue
            for match in family.pattern.finditer(run.unquoted):
                start, end = match.span()
                if any(start < other_end and other_start < end for other_start, other_end in taken):
                    continue
                taken.append((start, end))
                phrase = " ".join(run.unquoted[start:end].split())  # without its markup
                message = f"{_PHRASING[family.code]} '{phrase}' ({family.name})"
                found.append(
                    (start, Finding(family.code, run.line_at(start), message, family.suggestion))
                )
        for _, finding in sorted(found, key=lambda pair: pair[0]):
            yield finding


# --- vague wording -----------------------------------------------------------------

_INTENSIFIER = r"(?:(?:very|really|extremely|quite|super|so|pretty|a\s+(?:bit|little))\s+)?"
VAGUE = (
    _family(
        "slow",
        r"\b(?:the\s+)?(?:database|db|api|site|website|service|services|system|systems|"
        r"server|servers|app|application|page|pages|network|queries|query|requests|"
        r"responses|cluster|backend|frontend|everything|things|it|latency|performance)\s+"
        r"(?:was|were|is|are|got|became|seemed|felt|had\s+been|has\s+been)\s+"
        + _INTENSIFIER
        + r"(?:slow|slower|sluggish|laggy|unresponsive|high|elevated|bad|poor|degraded)\b",
        "Give the numbers: 'query latency rose from 50 ms to 5,000 ms'.",
        "slow sluggish laggy unresponsive high elevated bad poor degraded",
    ),
    _family(
        "many-users",
        r"\b(?:many|lots\s+of|a\s+lot\s+of|numerous|a\s+(?:large\s+|huge\s+|significant\s+|"
        r"high\s+)?number\s+of|a\s+bunch\s+of|tons\s+of|countless|plenty\s+of)\s+"
        r"(?:of\s+(?:our|the)\s+)?(?:\w+\s+)?(?:users|customers|merchants|clients|people|"
        r"accounts|tenants|shoppers|requests|transactions|orders|payments|errors|tickets|"
        r"complaints|calls)\b",
        "Count them: 'about 50,000 users (80% of active users) were affected'.",
        "many lot numerous number bunch tons countless plenty",
    ),
    _family(
        "a-while",
        r"\b(?:quite\s+)?a\s+(?:long\s+|short\s+|little\s+)?while\b|"
        r"\b(?:a\s+long|some)\s+time\b|\bfor\s+ages\b",
        "Give the duration or the times: 'for 47 minutes (10:13 to 11:00 UTC)'.",
        "while long some ages",  # not "time", which most Impact sections hold
    ),
)
_VAGUE_WORDS = tuple(sorted({word for family in VAGUE for word in family.triggers}))
_SENTENCE = re.compile(r"[^.!?\n]*(?:[.!?]+|\n|$)")
_DIGIT = re.compile(r"\d")


def _vague(runs: list[Prose]) -> Iterator[Finding]:
    for run in runs:
        if run.section not in DATA_SECTIONS:
            continue
        written = run.raw.lower()
        if not any(word in written for word in _VAGUE_WORDS):
            continue
        lowered = run.unquoted.lower()
        # A family that matches nowhere in the run matches in none of its sentences.
        families = [
            f
            for f in VAGUE
            if any(word in lowered for word in f.triggers) and f.pattern.search(run.unquoted)
        ]
        if not families:
            continue
        for sentence in _SENTENCE.finditer(run.unquoted):
            text = sentence.group(0)
            if not text.strip() or text.rstrip().endswith("?"):
                continue  # a question, such as a five-whys step, asks rather than states
            if _DIGIT.search(run.raw, sentence.start(), sentence.end()):
                continue  # the data is in the same sentence
            for family in families:
                match = family.pattern.search(text)
                if match is None:
                    continue
                start = sentence.start() + match.start()
                phrase = " ".join(run.raw[start : sentence.start() + match.end()].split())
                yield Finding(
                    "PM203",
                    run.line_at(start),
                    f"vague wording '{phrase}' in the {run.section.title()} section has no numbers",
                    family.suggestion,
                )


# --- Final reports -------------------------------------------------------------------

_TODO = re.compile(r"\b(?:TODO|FIXME|TBD)\b")
_COMMENT = re.compile(r"<!--(.*?)-->", re.DOTALL)
_DIRECTIVE = re.compile(
    r"\s*(?:markdownlint|prettier|cspell|spell-?checker|vale|textlint|eslint|lint|toc|"
    r"pmkb)\b",
    re.IGNORECASE,
)


def _has_todo(text: str) -> bool:
    """A cheap test before the regular expressions: most runs hold none of the words."""
    return "TODO" in text or "FIXME" in text or "TBD" in text


def _final(report: Report, runs: list[Prose], tokens: list[Token]) -> Iterator[Finding]:
    source = report.source
    head = source.text.split("\n", source.body_offset)[: source.body_offset]
    for number, text in enumerate(head, start=1):
        for match in _TODO.finditer(text):
            yield Finding("PM204", number, f"'{match.group(0)}' left in the frontmatter")
    for run in runs:
        if not _has_todo(run.raw):
            continue
        masked = _blank(_blank(run.raw, _CODE_SPAN), _COMMENT)
        for match in _TODO.finditer(masked):
            line = run.line_at(match.start())
            yield Finding("PM204", line, f"'{match.group(0)}' left in the text")
    yield from _guidance(report, tokens)
    for title in ("Timeline", "Action Items"):
        section = report.section(title)
        if section is not None and section.tables and not section.tables[0].rows:
            yield Finding(
                "PM206", section.tables[0].line, f"the {title} table of a Final report has no rows"
            )


def _guidance(report: Report, tokens: list[Token]) -> Iterator[Finding]:
    """HTML comments in the body: template guidance that should have been replaced."""
    offset = report.source.body_offset
    for token in tokens:
        if token.map is None or token.type not in ("html_block", "inline"):
            continue
        if "<!--" not in token.content:
            continue
        text = token.content if token.type == "html_block" else _blank(token.content, _CODE_SPAN)
        for match in _COMMENT.finditer(text):
            if _DIRECTIVE.match(match.group(1)):
                continue
            line = offset + token.map[0] + 1 + text.count("\n", 0, match.start())
            words = " ".join(match.group(1).split())
            shown = words if len(words) <= 60 else words[:57] + "..."
            yield Finding("PM205", line, f"template guidance left in: <!-- {shown} -->")


# --- action items --------------------------------------------------------------------

PLACEHOLDER_OWNERS = _words(
    "- -- \u2014 \u2013 ? ?? n/a na none nobody noone tbd tba tbc todo unassigned unknown "
    "someone somebody anyone everyone all team owner @"
) | {"no one", "the team", "not assigned"}

VERBS = _words(
    """
    accept add adjust adopt agree alert align allocate allow alter analyse analyze announce
    apply archive ask assess assign audit augment automate avoid back backfill backport ban
    benchmark block bound break budget buffer build bump cache calculate cap capture
    centralise centralize change check clarify classify clean clear close codify collect
    combine communicate compare complete configure confirm connect consolidate constrain
    contact continue convert copy correct create cut debug decide decommission decouple
    deduplicate default define delete delegate deliver deploy deprecate describe design
    detect determine develop diagnose disable discuss dispatch document double downgrade
    drain draft drill drop dry eliminate email embed emit enable encrypt enforce ensure
    escalate establish estimate evaluate evict exclude execute expand expire explore export
    expose extend extract fail fence file filter finish fix flag follow forbid fork gate
    generate give grant group guard halt handle harden hedge hire host identify implement
    import improve include increase index inform inject inspect install instrument
    integrate introduce inventory investigate isolate issue keep label launch lead limit
    link lint list load localise localize lock log lower maintain make manage map mark
    measure merge migrate mirror mitigate model monitor move mute name notify obtain offload
    onboard open optimise optimize order organise organize own package page parallelise
    parallelize parameterise parameterize partition patch pause perform persist pilot pin
    plan poll populate port post practise practice prefer prepare present preserve prevent
    prioritise prioritize probe produce profile prohibit promote propagate propose protect
    prototype provide provision publish pull purge push put quarantine query queue raise
    rate re-enable read rebalance rebuild recalculate reconcile record recover redesign
    redirect reduce refactor refresh register rehearse reindex reject release relocate
    remind remove rename render reorder repair replace replicate report reproduce request
    require rerun research reserve reset reshard resize resolve restart restore restrict
    restructure retire retry return reuse review revise revisit revoke rewrite roll rotate
    route run sandbox scale schedule scope scrub secure segment send separate sequence
    serve set shard share shift ship shorten show shrink shut sign simplify simulate size
    skip slow snapshot sort specify speed split stage standardise standardize start stop
    store streamline strengthen stress submit subscribe summarise summarize supply support
    surface suspend switch sync synchronise synchronize tag teach test throttle tidy tie
    time track train transfer translate trigger trim trip tune turn unblock unify uninstall
    unpin update upgrade upload use validate verify version wait warm warn watch widen wire
    write
    cancel catch choose dedupe deny detach disallow divide educate explain fetch freeze
    harmonise harmonize hold hook invalidate learn loosen mandate match maximise maximize
    minimise minimize negotiate nominate note observe outline overhaul pair phase prewarm
    precompute preload prune quantify rank reach reassess reassign recheck recompute
    reconfigure recreate refine regenerate relabel relax reload remap repartition
    reprioritise reprioritize reroute rescale resume retest retrain revert rework rewire
    sanitise sanitize sample scan screen search seed select sharpen slim stabilise
    stabilize stream structure swap tighten timebox toggle transition vet walk wipe wrap
    """
)


def _is_verb(word: str, first: bool) -> bool:
    if word in VERBS:
        return True
    stems = [word[:-1], word[:-2]] if word.endswith("s") else []
    if word.endswith("ed"):
        stems += [word[:-1], word[:-2], word[:-3]]
    if first and word.endswith("ing"):  # "Adding alerts", not "better monitoring"
        stems += [word[:-3], word[:-3] + "e", word[:-4]]
    return any(stem in VERBS for stem in stems)


_WORD = re.compile(r"[a-z]+(?:-[a-z]+)*")


def has_verb(action: str) -> bool:
    """Whether an action item's text contains a verb from the action vocabulary."""
    text = _blank(action, _CODE_SPAN).lower()
    words = _WORD.findall(text)
    parts = [(part, index == 0) for index, w in enumerate(words) for part in (w, *w.split("-"))]
    return any(_is_verb(word, first) for word, first in parts)


def _owner_key(owner: str) -> str:
    return " ".join(re.sub(r"[*_`]", "", owner).strip().lower().split())


# "Be more careful" is not an action: it asks people to be better instead of making the
# slip hard to make. Such an item has no verb from the vocabulary ("be", "remember"),
# or one that hides it ("double-check"), so it gets this hint instead of PM208's.
VIGILANCE = re.compile(
    r"\b(?:be|being|stay|staying|remain|are|is)\s+(?:more\s+|extra\s+|very\s+|especially\s+|"
    r"particularly\s+)?(?:careful|vigilant|attentive|diligent|cautious|mindful)\b"
    r"|\bmore\s+(?:careful|vigilant|attentive|diligent|cautious|mindful|attention)\b"
    r"|\btake\s+(?:more|extra|greater|special)\s+care\b"
    r"|\bpay\s+(?:more\s+|closer\s+|extra\s+|special\s+|greater\s+)?attention\b"
    rf"|\b(?:remember|don{_APOS}?t\s+forget|do\s+not\s+forget|never\s+forget)\s+to\b"
    r"|\b(?:double|triple)[\s-]?check(?:s|ed|ing)?\b"
    r"|\btry\s+harder\b",
    re.IGNORECASE,
)
VIGILANCE_WORDS = (
    "vigilan",
    "attenti",
    "diligen",
    "cautio",
    "mindful",
    "care",
    "remember",
    "forget",
    "check",
    "harder",
)


def is_vigilance(action: str) -> bool:
    """Whether an action item asks people to take more care rather than add a safeguard."""
    text = action.lower()
    if not any(word in text for word in VIGILANCE_WORDS):
        return False
    return VIGILANCE.search(_blank(action, _CODE_SPAN)) is not None


def _actions(report: Report) -> Iterator[Finding]:
    for item in report.action_items:
        owner = _owner_key(item.owner)
        if owner and (owner in PLACEHOLDER_OWNERS or owner.lstrip("@") in PLACEHOLDER_OWNERS):
            yield Finding(
                "PM207",
                item.line,
                f"action item {item.id or '?'} has the placeholder owner '{item.owner}'",
            )
        if is_vigilance(item.action):
            yield Finding(
                "PM213",
                item.line,
                f"action item {item.id or '?'} ('{item.action.strip()}') asks people to take "
                "more care instead of naming a safeguard",
            )
        elif item.action.strip() and not has_verb(item.action):
            yield Finding(
                "PM208",
                item.line,
                f"action item {item.id or '?'} ('{item.action.strip()}') has no verb",
            )


# --- entry point ---------------------------------------------------------------------


def lint_report(report: Report, tokens: list[Token] | None = None) -> list[Finding]:
    """All language, Final-readiness and actionability findings of one report.

    ``tokens`` are the body's block tokens when the caller has parsed it already.
    """
    if not report.source.body and report.source.data is None:
        return []
    tokens = _tokens(report) if tokens is None else tokens
    runs = prose_of(report, tokens)
    fields = list(_frontmatter_prose(report))
    stated = [p for kind, p in fields if kind == "root_cause"]
    people = _people(report)
    causes = list(_people_as_cause(runs, stated, people))
    named = frozenset((finding.line, _name_key(name)) for name, finding in causes)
    findings = list(_language(runs, frozenset(people), named))
    findings += _language([p for _, p in fields], frozenset(people), named)
    findings += [finding for _, finding in causes]
    findings += _vague(runs)
    findings += _vague(stated)
    actions = list(_actions(report))
    findings += actions
    if report.meta.status is Status.FINAL:
        owner_lines = {f.line for f in actions if f.code == "PM207"}
        findings += [
            f
            for f in _final(report, runs, tokens)
            if not (f.code == "PM204" and f.line in owner_lines)
        ]
    return findings
