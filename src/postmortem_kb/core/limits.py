"""Limits that keep every page renderable: file size, line length, nesting, slow paths.

MkDocs renders pages with Python-Markdown, which recurses once per level of nesting
(600 nested list items raise RecursionError and stop the build), rescans a paragraph
from every ``[`` that might open a link (50 KB of ``[`` take minutes) and rewrites a
paragraph's text once per inline match (a 500 KB paragraph of links: 46 s). The
checks here bound each of those costs, conservatively, from the text alone, so that
whatever ``pmkb check`` accepts renders in about a second; a page over a limit is
shown as plain text with its problem instead of being rendered (see the plugin).
The measurements behind the figures are in ``postmortems/guide/format.md#limits``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from markdown_it.token import Token

from postmortem_kb.core.rules import Finding

MAX_FILE_BYTES = 512 * 1024
"""Largest report or page read: ten times the longest real postmortem we measured."""
MAX_LINE_CHARS = 20_000
"""Longest line outside code blocks."""
MAX_DEPTH = 20
"""Deepest nesting of lists, quotes and indented blocks (Python-Markdown recurses per level)."""
MAX_EMPHASIS_DEPTH = 20
"""Deepest nesting of emphasis (``*a *b ... b* a*``: each level is a recursion)."""
LINK_SCAN_BUDGET = 10_000_000
"""Python-Markdown scans from every ``[`` to the end of its paragraph when the bracket
is left open: a paragraph costs its ``[`` count times its length. 10 million such steps
take about two seconds (measured: 20 s for 10,000 open brackets on one line)."""
MARKUP_BUDGET = 2_000_000_000
"""Each inline match copies the rest of its paragraph: a paragraph costs its count of
markup characters times its length. Two billion take about two seconds."""

_BLANK_LINES = re.compile(r"\n[ \t]*\n")
_LONG_LINE = re.compile(rf"^[^\n]{{{MAX_LINE_CHARS + 1},}}", re.MULTILINE)
_DEEP_PREFIX = re.compile(rf"^[ \t>]{{{MAX_DEPTH + 1},}}", re.MULTILINE)
_MARKUP = "*_`<&!"
_EMPHASIS = re.compile(r"[*_]+")


def check_markdown(body: str, tokens: list[Token], offset: int) -> list[Finding]:
    """Findings (PM039, PM040) for Markdown the renderer could not survive.

    ``tokens`` are the body's block tokens (:func:`~postmortem_kb.core.body.parse_tokens`),
    used only to leave code blocks out; ``offset`` is the file's line count before the
    body. Most bodies are cleared by a few whole-text counts.
    """
    findings: list[Finding] = []
    code: set[int] | None = None

    def code_lines() -> set[int]:
        nonlocal code
        if code is None:
            code = _code_lines(tokens)
        return code

    def line_at(index: int) -> int:
        return body.count("\n", 0, index)

    for match in _LONG_LINE.finditer(body):
        line = line_at(match.start())
        if line not in code_lines():
            findings.append(
                Finding(
                    "PM040",
                    offset + line + 1,
                    f"the line is {len(match.group(0)):,} characters long; the longest line "
                    f"outside a code block may be {MAX_LINE_CHARS:,}",
                )
            )
            break
    for match in _DEEP_PREFIX.finditer(body):
        line = line_at(match.start())
        depth = _depth(match.group(0))
        if depth > MAX_DEPTH and line not in code_lines():
            findings.append(
                Finding(
                    "PM039",
                    offset + line + 1,
                    f"lists, quotes or indented blocks nest {depth} levels deep here; "
                    f"the renderer survives {MAX_DEPTH}",
                )
            )
            break
    findings.extend(_inline_costs(body, code_lines, offset))
    return findings


def check_size(size: int) -> Finding | None:
    """PM040 for a file too large to read (it is then not read at all)."""
    if size <= MAX_FILE_BYTES:
        return None
    return Finding(
        "PM040",
        1,
        f"the file is {size / 1024:,.0f} KB; the largest file read is "
        f"{MAX_FILE_BYTES // 1024} KB, so it is not read",
    )


def _depth(prefix: str) -> int:
    """Nesting a line's leading spaces, tabs and '>' can stand for (a tab is 4 columns)."""
    quotes = prefix.count(">")
    columns = prefix.count(" ") + 4 * prefix.count("\t")
    return quotes + columns // 4


def _code_lines(tokens: Iterable[Token]) -> set[int]:
    """Lines (0-based, in the body) of backtick fences and indented code blocks.

    A backtick fence is code whatever the configured extensions (without a fence
    extension, Python-Markdown reads it as one code span); a '~~~' fence is only code
    with one, so its lines still count.
    """
    lines: set[int] = set()
    for token in tokens:
        if token.map is None:
            continue
        if token.type == "code_block" or (token.type == "fence" and token.markup[:1] == "`"):
            lines.update(range(token.map[0], token.map[1]))
    return lines


def _runs(body: str, code: set[int]) -> list[tuple[int, str]]:
    """The text Python-Markdown processes inline in one piece, as (first line, text):
    paragraphs between blank lines (table rows one by one), code left out."""
    runs: list[tuple[int, str]] = []
    line = 0
    for chunk in _BLANK_LINES.split(body):
        rows = chunk.split("\n")
        kept = [r for i, r in enumerate(rows, start=line) if i not in code]
        if kept and all(row.lstrip().startswith("|") for row in kept):
            runs.extend((line, row) for row in kept)  # a table: its cells are separate
        elif kept:
            runs.append((line, "\n".join(kept)))
        line += len(rows) + 1  # the blank line the split removed
    return runs


def _inline_costs(body: str, code_lines: Callable[[], set[int]], offset: int) -> list[Finding]:
    size = len(body)
    brackets = body.count("[")
    markup = sum(body.count(c) for c in _MARKUP)
    emphasis = body.count("*") + body.count("_")
    if (
        brackets * size <= LINK_SCAN_BUDGET
        and markup * size <= MARKUP_BUDGET
        and emphasis <= 2 * MAX_EMPHASIS_DEPTH
    ):
        return []  # even as one paragraph, the body is within every budget
    findings: list[Finding] = []
    scans = steps = 0
    scan_line = step_line = None
    for first, run in _runs(body, code_lines()):
        length = len(run)
        cost = run.count("[") * length
        scans += cost
        if scan_line is None and scans > LINK_SCAN_BUDGET:
            scan_line = first
        steps += sum(run.count(c) for c in _MARKUP) * length
        if step_line is None and steps > MARKUP_BUDGET:
            step_line = first
        depth, where = _emphasis_depth(run)
        if depth > MAX_EMPHASIS_DEPTH and not any(f.code == "PM039" for f in findings):
            findings.append(
                Finding(
                    "PM039",
                    offset + first + run.count("\n", 0, where) + 1,
                    f"emphasis ('*' or '_') nests {depth} levels deep here; the renderer "
                    f"survives {MAX_EMPHASIS_DEPTH}",
                )
            )
    if scan_line is not None:
        findings.append(
            Finding(
                "PM040",
                offset + scan_line + 1,
                f"the text holds {brackets:,} '[' in long paragraphs; the renderer would scan "
                f"{scans:,} characters for their links (at most {LINK_SCAN_BUDGET:,})",
            )
        )
    if step_line is not None:
        findings.append(
            Finding(
                "PM040",
                offset + step_line + 1,
                f"paragraphs this long with this much markup would take the renderer "
                f"{steps:,} steps (at most {MARKUP_BUDGET:,}); split them with blank lines",
            )
        )
    return findings


def _emphasis_depth(run: str) -> tuple[int, int]:
    """How deep emphasis may nest in ``run`` (an upper bound), and where it is deepest.

    A run of '*' or '_' after a space (or at the start) opens, one before a space (or
    at the end) closes, as CommonMark's flanking rules have it; a run that does both
    is taken to close, then open.
    """
    if run.count("*") + run.count("_") <= 2 * MAX_EMPHASIS_DEPTH:
        return 0, 0
    depth = deepest = where = 0
    for match in _EMPHASIS.finditer(run):
        start, end = match.span()
        before = run[start - 1] if start else " "
        after = run[end] if end < len(run) else " "
        width = min(end - start, 3)
        if not before.isspace() and before not in "([{":
            depth = max(0, depth - width)
        if not after.isspace() and after not in ")]}.,;:!?":
            depth += width
            if depth > deepest:
                deepest, where = depth, start
    return deepest, where
