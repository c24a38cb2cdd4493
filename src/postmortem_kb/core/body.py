"""The body of a postmortem: its level-2 sections and the tables inside them.

A CommonMark parser (markdown-it-py) reads the body, so a ``## heading`` inside a
fenced code block is not a section, an escaped ``\\|`` stays inside its cell, and
every block keeps its line number for messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

MAX_NESTING = 100
"""Levels of blocks the parser follows (its default is 20): deeper than the renderer
survives (rule PM039), so that a section after a deep list is still seen."""

_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")
_COMMENT_ONLY = re.compile(r"\s*(<!--.*?-->\s*)+", re.DOTALL)


@dataclass(slots=True)
class Row:
    line: int
    cells: list[str]
    written_cells: int
    """Cells as written in the source line; the parser pads or cuts to the header."""


@dataclass(slots=True)
class Table:
    line: int
    header: list[str]
    rows: list[Row] = field(default_factory=list)

    def column(self, name: str) -> int | None:
        """Index of the column called ``name`` (case-insensitive), if any."""
        wanted = normalise_heading(name)
        for index, title in enumerate(self.header):
            if normalise_heading(title) == wanted:
                return index
        return None


@dataclass(slots=True)
class Section:
    title: str
    line: int
    has_text: bool = False
    tables: list[Table] = field(default_factory=list)
    text: str = ""
    """The section's Markdown source, without its heading."""
    key: str = field(init=False)
    """The normalised title, by which sections are looked up (many times per report)."""

    def __post_init__(self) -> None:
        self.key = normalise_heading(self.title)


@lru_cache(maxsize=4096)
def normalise_heading(text: str) -> str:
    """Headings match case-insensitively and ignoring surrounding and repeated spaces.

    Cached: the same column titles and statuses are looked up on every table row.
    """
    return " ".join(text.split()).casefold()


@cache
def _parser() -> MarkdownIt:
    # Only the block structure is needed; inline tokens keep their raw text in
    # ``content`` without the inline pass, which is most of the parse time. Line
    # endings are made '\n' before (:func:`parse_tokens`), not by the parser's
    # "normalize" rule, which replaces every line ending, one by one: 10% of the parse.
    return (
        MarkdownIt("commonmark", {"html": True, "maxNesting": MAX_NESTING})
        .enable("table")
        .disable(["normalize", "inline", "text_join"])
    )


def parse_sections(body: str, offset: int) -> list[Section]:
    """Level-2 sections of ``body``; ``offset`` is the file's line count before it."""
    body = normalise_text(body)
    return sections_of(parse_tokens(body), body, offset)


def parse_tokens(body: str) -> list[Token]:
    """The body's block tokens, for callers that need more than the sections."""
    return _parser().parse(normalise_text(body))


def normalise_text(text: str) -> str:
    """What the parser's "normalize" rule makes of ``text`` (CommonMark's line endings
    become '\n', NUL becomes U+FFFD), without rewriting a text that needs none of it."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\0", "\ufffd") if "\0" in text else text


def sections_of(tokens: list[Token], body: str, offset: int) -> list[Section]:
    """Level-2 sections from the block tokens of ``body`` (with '\n' line endings, as
    :func:`~postmortem_kb.core.source.read_source` gives it)."""
    lines = body.split("\n")
    sections: list[Section] = []
    current: Section | None = None
    text_start = 0

    def close(end: int) -> None:
        if current is not None:
            current.text = "\n".join(lines[text_start:end]).strip()

    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "heading_open" and token.tag in ("h1", "h2"):
            close(token.map[0] if token.map else len(lines))
            title = tokens[index + 1].content if index + 1 < len(tokens) else ""
            current = None
            if token.tag == "h2":
                current = Section(title=title.strip(), line=_line(token, offset))
                text_start = token.map[1] if token.map else 0
                sections.append(current)
            index += 3
            continue
        if current is not None and token.level == 0:
            if token.type == "table_open":
                table, index = _read_table(tokens, index, lines, offset)
                current.tables.append(table)
                current.has_text = True
                continue
            if _is_text(token):
                current.has_text = True
        index += 1
    close(len(lines))
    return sections


@dataclass(frozen=True, slots=True)
class Heading:
    """A level-1 or level-2 heading of the body: where its parts begin and end."""

    start: int
    """First line of the heading (0-based, in the body)."""
    end: int
    """First line after the heading."""
    level: int
    key: str
    """The normalised title (:func:`normalise_heading`)."""


def headings_of(tokens: list[Token]) -> list[Heading]:
    """The level-1 and level-2 headings among the block tokens of a body, in order: the
    boundaries at which a body is cut into the sections the checks and the pages see."""
    headings = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag in ("h1", "h2") and token.map:
            title = tokens[index + 1].content if index + 1 < len(tokens) else ""
            level = 1 if token.tag == "h1" else 2
            headings.append(Heading(token.map[0], token.map[1], level, normalise_heading(title)))
    return headings


def _is_text(token: Token) -> bool:
    if token.nesting == -1 or token.type == "heading_open":
        return False
    if token.type == "html_block":
        return not _COMMENT_ONLY.fullmatch(token.content)
    return token.type != "hr"


def _line(token: Token, offset: int) -> int:
    return offset + (token.map[0] if token.map else 0) + 1


def _read_table(
    tokens: list[Token], start: int, lines: list[str], offset: int
) -> tuple[Table, int]:
    table = Table(line=_line(tokens[start], offset), header=[])
    row: list[str] | None = None
    row_token: Token | None = None
    index = start + 1
    while index < len(tokens) and tokens[index].type != "table_close":
        token = tokens[index]
        if token.type == "tr_open":
            row, row_token = [], token
        elif token.type == "inline" and row is not None:
            row.append(token.content.strip())
        elif token.type == "tr_close" and row is not None and row_token is not None:
            if not table.header:
                table.header = row
            else:
                source_line = lines[row_token.map[0]] if row_token.map else ""
                table.rows.append(
                    Row(
                        line=_line(row_token, offset),
                        cells=row,
                        written_cells=_count_cells(source_line),
                    )
                )
            row = None
        index += 1
    return table, index + 1


def _count_cells(source_line: str) -> int:
    text = source_line.strip()
    text = text.removeprefix("|")
    if text.endswith("|") and not text.endswith("\\|"):
        text = text[:-1]
    return len(_UNESCAPED_PIPE.split(text))
