"""Property-based tests: no input crashes the checker, and every problem is well-formed."""

from __future__ import annotations

import re
import string
import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from postmortem_kb import RULES, Settings, load
from postmortem_kb.core.checks.lint import _TODO, BLAMEFUL, VAGUE
from postmortem_kb.core.rules import Problem
from postmortem_kb.core.source import _construct, _FrontmatterLoader
from tests.conftest import VALID

BODY = VALID.split("---\n", 2)[2]
PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def check(content: str | bytes) -> tuple[list[Problem], int]:
    """Problems of one file holding ``content``, and the file's line count."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.md"
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8", newline="")
        else:
            path.write_bytes(content)
        kb = load([(path, "report.md")], Settings(), Path(folder))
        lines = path.read_bytes().replace(b"\r\n", b"\n").replace(b"\r", b"\n").count(b"\n") + 1
        return kb.problems, lines


def assert_well_formed(problems: list[Problem], lines: int) -> None:
    for problem in problems:
        assert problem.path == "report.md"
        assert 1 <= problem.line <= lines, problem
        assert problem.code in RULES and problem.name == RULES[problem.code].name
        assert problem.message and problem.hint


@PROPERTY_SETTINGS
@given(st.text())
def test_arbitrary_text_never_crashes(text: str) -> None:
    assert_well_formed(*check(text))


@PROPERTY_SETTINGS
@given(st.binary())
def test_arbitrary_bytes_never_crash(content: bytes) -> None:
    assert_well_formed(*check(content))


@PROPERTY_SETTINGS
@given(st.text(alphabet=string.printable))
def test_arbitrary_frontmatter_text_never_crashes(frontmatter: str) -> None:
    assert_well_formed(*check(f"---\n{frontmatter}\n---\n{BODY}"))


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = [
    "id",
    "title",
    "date",
    "severity",
    "status",
    "authors",
    "template",
    "tags",
    "services",
    "root_cause",
    "contributing_factors",
    "impact",
    "near_miss",
    "visibility",
    "related",
]


@PROPERTY_SETTINGS
@given(st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=12), yaml_values, max_size=10))
def test_arbitrary_frontmatter_values_never_crash(data: dict[str, object]) -> None:
    frontmatter = yaml.safe_dump(data, allow_unicode=True)
    assert_well_formed(*check(f"---\n{frontmatter}---\n{BODY}"))


def flagged_by_lint(text: str) -> bool:
    """Whether the language checks would flag ``text`` in a Final report's frontmatter:
    a TODO marker (PM204), blameful (PM201) or vague (PM203) wording. Random letters make
    such words often enough ('FIXME' among the authors) to fail a run now and then."""
    return bool(_TODO.search(text)) or any(f.pattern.search(text) for f in (*BLAMEFUL, *VAGUE))


slug = st.from_regex(r"[a-z][a-z0-9-]{0,15}", fullmatch=True)
words = st.text(alphabet=string.ascii_letters + " ,.'", min_size=1, max_size=60).filter(
    lambda s: s.strip() and not flagged_by_lint(s)
)
BODY_OWNERS = ("alice", "bob")
"""The action items' owners in :data:`BODY`: named in a root cause, they are PM202."""


def _names_nobody(authors: list[str]) -> Callable[[str], bool]:
    """A filter for root-cause text that names none of the authors or owners (PM202)."""
    names = {word.lower() for author in authors for word in author.split()} | set(BODY_OWNERS)
    return lambda text: not names & set(re.findall(r"[a-z']+", text.lower()))


@st.composite
def valid_reports(draw: st.DrawFn) -> str:
    day = draw(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
    near_miss = draw(st.booleans())
    started = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(
        minutes=draw(st.integers(0, 600))
    )
    detected = started + timedelta(minutes=draw(st.integers(0, 600)))
    resolved = detected + timedelta(minutes=draw(st.integers(0, 6000)))
    authors = draw(st.lists(words, min_size=1, max_size=3))
    prose = words.filter(_names_nobody(authors))
    meta: dict[str, object] = {
        "id": f"INC-{day.year}-{draw(st.integers(1, 99999)):03d}",
        "title": draw(words),
        "date": day.isoformat(),
        "severity": draw(st.sampled_from(["SEV0", "SEV1", "SEV2", "SEV3", "SEV4"])),
        "status": draw(st.sampled_from(["Draft", "Review", "Final"])),
        "authors": authors,
        "tags": draw(st.lists(slug, max_size=5)),
        "services": draw(st.lists(slug, max_size=3)),
        "root_cause": {"category": draw(slug), "summary": draw(prose)},
        "contributing_factors": [
            {"category": c, "description": draw(prose)}
            for c in draw(
                st.lists(
                    st.sampled_from(["people", "process", "technology", "environment"]), max_size=4
                )
            )
        ],
        "near_miss": near_miss,
        "visibility": draw(st.sampled_from(["internal", "public"])),
    }
    impact: dict[str, object] = {"detected": detected.isoformat()}
    if not near_miss or draw(st.booleans()):
        impact.update(started=started.isoformat(), resolved=resolved.isoformat())
    impact["users_affected"] = draw(st.integers(0, 10**9))
    meta["impact"] = impact
    return f"---\n{yaml.safe_dump(meta, allow_unicode=True)}---\n{BODY}"


@PROPERTY_SETTINGS
@given(valid_reports())
def test_valid_reports_always_pass(text: str) -> None:
    problems, _ = check(text)
    assert problems == []


# --- frontmatter values are PyYAML's own ------------------------------------------------

WORDS_YAML_READS = [
    "yes", "No", "on", "OFF", "~", "null", "0x1A", "0o17", "1_000", "1:30", ".inf", "-.Inf",
    ".nan", "2024-01-01", "2024-01-01 10:00", "1e3", "+1", "", "text", "a: b", "- x", "#",
]  # fmt: skip
"""Scalars YAML 1.1 reads as booleans, numbers, null or text, quoted or not."""

RAW_VALUES = [
    *WORDS_YAML_READS,
    "&a 1", "*a", "&b [1, 2]", "*b", "!!binary aGk=", "!!str 12", "!!int 12", "!!int x",
    "!custom x", "[1, {a: b}]", "{a: 1, a: 2}", "!!set {a, b}", "!!omap [a: 1]", "'yes'",
    '"1:30"', "|\n  block", ">\n  folded",
]  # fmt: skip
RAW_KEYS = ["id", "on", "yes", "1", "null", "<<", "? [a]", "&k key", "*k", "a b", "'on'"]


def _outcome(text: str, construct: object) -> tuple[str, ...]:
    """What a frontmatter text becomes with ``construct``: its value, or its error."""
    loader = _FrontmatterLoader(text)
    try:
        node = loader.get_single_node()
        return ("value", repr(construct(loader, node)))  # type: ignore[operator]
    except Exception as exc:  # the error itself is what is compared
        return ("error", type(exc).__name__, str(exc))
    finally:
        loader.dispose()


def _pyyaml(loader: _FrontmatterLoader, node: yaml.Node) -> object:
    return loader.construct_document(node)


def _ours(text: str) -> object:
    return lambda loader, node: _construct(loader, node, text)


data = st.recursive(
    st.one_of(st.text(max_size=12), st.integers(), st.floats(), st.booleans(), st.none())
    | st.sampled_from(WORDS_YAML_READS),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.text(max_size=6) | st.sampled_from(WORDS_YAML_READS), inner, max_size=4
        )
    ),
    max_leaves=16,
)


@PROPERTY_SETTINGS
@given(data, st.booleans())
def test_frontmatter_values_are_pyyaml_values(value: object, flow: bool) -> None:
    """Plain frontmatter is built without PyYAML's general constructor: it must come out
    as PyYAML makes it, for any data PyYAML writes."""
    text = yaml.safe_dump(value, default_flow_style=flow)
    assert _outcome(text, _ours(text)) == _outcome(text, _pyyaml)


@PROPERTY_SETTINGS
@given(
    st.lists(
        st.tuples(st.sampled_from(RAW_KEYS), st.sampled_from(RAW_VALUES), st.booleans()),
        min_size=1,
        max_size=6,
    )
)
def test_unusual_frontmatter_is_pyyaml_s_too(entries: list[tuple[str, str, bool]]) -> None:
    """Aliases, merge keys, tags, keys YAML reads as booleans, duplicates and errors:
    the values, or the errors, are PyYAML's own."""
    lines = []
    for key, value, nested in entries:
        lines.append(f"{key}:\n  inner: {value}" if nested else f"{key}: {value}")
    text = "\n".join(lines) + "\n"
    assert _outcome(text, _ours(text)) == _outcome(text, _pyyaml)
