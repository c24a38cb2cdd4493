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
from typing import TYPE_CHECKING

from markdown_it import MarkdownIt
from markdown_it.token import Token

from .body import normalise_heading
from .model import Status
from .rules import Finding

if TYPE_CHECKING:
    from .report import Report

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
    if meta is None:
        return
    source = report.source

    def prose(section: str, loc: tuple[str | int, ...], value: str) -> Prose:
        return Prose(section, source.line_of(loc), value)

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
    """Blameful phrases that share one blameless rewording."""

    name: str
    pattern: re.Pattern[str]
    suggestion: str
    triggers: tuple[str, ...] = ()
    """Lowercase words every match contains: a text without them is not searched."""


def _family(name: str, pattern: str, suggestion: str, triggers: str = "") -> Family:
    return Family(name, re.compile(pattern, re.IGNORECASE), suggestion, tuple(triggers.split()))


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
        "should prevented",
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


def _blameful(runs: list[Prose]) -> Iterator[Finding]:
    # Trigger words are looked for in the whole text first: most reports hold the
    # words of no family or one, and only runs holding them are searched. The text
    # as written holds every word its blanked-out version does.
    everything = "\n".join(run.raw for run in runs).lower()
    families = [f for f in BLAMEFUL if any(word in everything for word in f.triggers)]
    if not families:
        return
    for run in runs:
        written = run.raw.lower()
        if not any(word in written for family in families for word in family.triggers):
            continue
        lowered = run.unquoted.lower()
        matches = [
            (match.start(), match.end(), family)
            for family in families
            if any(word in lowered for word in family.triggers)
            for match in family.pattern.finditer(run.unquoted)
        ]
        for start, end, family in sorted(matches, key=lambda m: m[0]):
            phrase = " ".join(run.raw[start:end].split())
            yield Finding(
                "PM201",
                run.line_at(start),
                f"blameful phrasing '{phrase}' ({family.name})",
                family.suggestion,
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
    for author in meta.authors if meta else []:
        parts = [p for p in re.split(r"\s+", author.strip()) if p]
        if len(parts) > 1:
            names.add(" ".join(parts))
        names.update(p for p in parts if _is_name(p))
    for item in report.action_items:
        handle = item.owner.strip().lstrip("@")
        if not handle or _TEAM_WORDS.search(handle) or "-" in handle or "/" in handle:
            continue
        names.add(handle)  # as written, e.g. daniel.osei
        names.update(p.capitalize() for p in re.split(r"[._]", handle) if _is_name(p))
    return sorted(names, key=len, reverse=True)


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


def _people_as_cause(report: Report, runs: list[Prose], stated: list[Prose]) -> Iterator[Finding]:
    """``stated``: the root cause as the frontmatter states it."""
    texts = [r for r in runs if r.section in ROOT_CAUSE_SECTIONS] + stated
    # Patterns are compiled only for names the text contains (names match as written),
    # which is rarely any: compiling them for every report was most of the lint's time.
    joined = "\n".join(run.raw for run in texts)
    patterns = _person_patterns(tuple(n for n in _people(report) if n in joined))
    if not patterns:
        return
    for run in texts:
        seen: set[tuple[int, str]] = set()
        for pattern in patterns:
            for match in pattern.finditer(run.unquoted):
                line = run.line_at(match.start("name"))
                if (line, match.group("name")) in seen:
                    continue
                seen.add((line, match.group("name")))
                yield Finding(
                    "PM202",
                    line,
                    f"'{match.group('name')}' is named as the cause in the root-cause text",
                    "Describe what the system allowed, not who: name the step or the role "
                    "('the deploy pipeline accepted...'), and what was missing to stop it.",
                )


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


def _actions(report: Report) -> Iterator[Finding]:
    for item in report.action_items:
        owner = _owner_key(item.owner)
        if owner and (owner in PLACEHOLDER_OWNERS or owner.lstrip("@") in PLACEHOLDER_OWNERS):
            yield Finding(
                "PM207",
                item.line,
                f"action item {item.id or '?'} has the placeholder owner '{item.owner}'",
            )
        if item.action.strip() and not has_verb(item.action):
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
    if not report.source.body and report.meta is None:
        return []
    tokens = _tokens(report) if tokens is None else tokens
    runs = prose_of(report, tokens)
    fields = list(_frontmatter_prose(report))
    stated = [p for kind, p in fields if kind == "root_cause"]
    findings = list(_blameful(runs))
    findings += _blameful([p for _, p in fields])
    findings += _people_as_cause(report, runs, stated)
    findings += _vague(runs)
    findings += _vague(stated)
    actions = list(_actions(report))
    findings += actions
    if report.meta is not None and report.meta.status is Status.FINAL:
        owner_lines = {f.line for f in actions if f.code == "PM207"}
        findings += [
            f
            for f in _final(report, runs, tokens)
            if not (f.code == "PM204" and f.line in owner_lines)
        ]
    return findings
