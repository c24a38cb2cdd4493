"""Reading a postmortem file: text, frontmatter data, and where each key stands.

Validation messages must name the line of the offending key, and explain YAML 1.1
surprises with the text as written, so the frontmatter is composed into YAML nodes
(which keep their positions) before it is turned into Python values.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import frontmatter
import yaml

from postmortem_kb.core.limits import check_size
from postmortem_kb.core.rules import Finding

Loc = tuple[str | int, ...]

_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


class _FrontmatterLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe loader (C-accelerated where available) without implicit timestamps.

    Dates stay strings, so the model checks them itself: ``2023-02-30`` becomes a
    clear "not a real date" message instead of a constructor crash, and a date and a
    datetime are told apart by their text.
    """


_FrontmatterLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True, slots=True)
class Scalar:
    """A scalar as written in the file: its text and whether it was quoted."""

    text: str
    quoted: bool


@dataclass(slots=True)
class Source:
    """One Markdown file split into frontmatter data and body, with line positions."""

    path: Path
    text: str = ""
    data: dict[str, Any] | None = None
    body: str = ""
    body_offset: int = 0
    """Lines of the file before the body's first line."""
    key_lines: dict[Loc, int] = field(default_factory=dict)
    scalars: dict[Loc, Scalar] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    text_dropped: bool = False
    """The text was read, then dropped to travel light: :meth:`full_text` reads it again."""

    def drop_text(self) -> None:
        """Forget the text and body; :meth:`full_text` still gives them."""
        if self.text:
            self.text_dropped = True
        self.text = self.body = ""

    def full_text(self) -> tuple[str, str]:
        """The text and the body, read again from the file when they were dropped.

        They are returned, not kept: thousands of reports' text would stay in memory.
        A file that was never read (PM006) is never read here either.
        """
        if not self.text_dropped:
            return self.text, self.body
        again = read_source(self.path, with_yaml=False)
        return again.text, again.body

    def line_of(self, loc: Loc) -> int:
        """The line of the closest key that is known for ``loc`` (1 when none is)."""
        while loc:
            if loc in self.key_lines:
                return self.key_lines[loc]
            loc = loc[:-1]
        return 1


def read_source(path: Path, *, with_yaml: bool = True) -> Source:
    """Read ``path``; every problem becomes a finding, never an exception.

    Without ``with_yaml`` only the text and the body are read, not the frontmatter's YAML.
    """
    source = Source(path=path)
    raw, finding = read_bytes(path)
    if finding is not None:
        source.findings.append(finding)
        return source
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        source.findings.append(
            Finding(
                "PM001",
                line,
                f"byte 0x{raw[exc.start]:02x} at line {line} is not valid UTF-8",
            )
        )
        text = raw.decode("utf-8", errors="replace")
    source.text = text.replace("\r\n", "\n").replace("\r", "\n")
    _split(source, with_yaml)
    return source


def read_bytes(path: Path) -> tuple[bytes, Finding | None]:
    """The file's bytes, or a finding: a special file (a FIFO named ``x.md``) is never
    read, since reading it would wait forever, nor is a file over the size limit."""
    try:
        # Non-blocking: opening a FIFO for reading would otherwise wait for a writer.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        return b"", Finding("PM001", 1, f"cannot read the file: {exc.strerror}")
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return b"", Finding("PM030", 1, "the file is not a regular file; it is never read")
        too_large = check_size(info.st_size)
        if too_large is not None:
            return b"", too_large
        try:
            return handle.read(), None
        except OSError as exc:
            return b"", Finding("PM001", 1, f"cannot read the file: {exc.strerror}")


def _split(source: Source, with_yaml: bool) -> None:
    handler = frontmatter.YAMLHandler()
    text = source.text
    if not handler.detect(text):
        source.body = text
        source.findings.append(
            Finding(
                "PM002",
                1,
                "the file does not start with a '---' frontmatter block",
            )
        )
        return
    try:
        fm_text, body = handler.split(text)
        opening = handler.FM_BOUNDARY.match(text)
    except ValueError:
        source.body = text
        source.findings.append(
            Finding(
                "PM003",
                1,
                "the frontmatter opened at line 1 has no closing '---' line",
            )
        )
        return
    source.body = body
    source.body_offset = text[: len(text) - len(body)].count("\n")
    if not with_yaml:
        return
    # The opening delimiter's match swallows blank lines after '---'; count them.
    _load_yaml(source, fm_text, text[: opening.end()].count("\n") if opening else 0)


def _load_yaml(source: Source, fm_text: str, offset: int) -> None:
    # ``fm_text`` starts on the line of the opening '---' (plus ``offset`` blank lines),
    # so a node's zero-based line within it is its one-based file line minus one.
    loader = _FrontmatterLoader(fm_text)
    try:
        node = loader.get_single_node()
        unsafe = _unsafe(node, fm_text) if node is not None else None
        if unsafe is not None:
            code, line, message = unsafe
            source.findings.append(Finding(code, line + 1 + offset, message))
            return
        if node is not None:
            _index_nodes(source, node, (), offset)
        data = _construct(loader, node, fm_text) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + offset if mark is not None else 1
        problem = exc.problem or exc.context or "invalid YAML"
        source.findings.append(Finding("PM004", line, f"YAML syntax: {problem}"))
        return
    except yaml.reader.ReaderError as exc:
        line = fm_text[: exc.position].count("\n") + 1 + offset
        character = exc.character if isinstance(exc.character, str) else chr(exc.character)
        source.findings.append(
            Finding(
                "PM004",
                line,
                f"YAML cannot hold the character U+{ord(character):04X} ({exc.reason})",
            )
        )
        return
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
        message = " ".join(str(exc).split())
        source.findings.append(Finding("PM004", 1, f"YAML could not be read: {message}"))
        return
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {type(data).__name__}"
        source.findings.append(
            Finding(
                "PM005",
                2 + offset,
                f"the frontmatter is {kind}, not a mapping of fields",
            )
        )
        return
    source.data = data


MAX_YAML_VALUES = 10_000
"""Most values the frontmatter may hold once its aliases are expanded (PM041)."""
MAX_YAML_CHARS = 1_000_000
"""Most characters of text it may hold once expanded."""

_FORMAT_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "seq", "map", "merge")
)
"""The YAML types a postmortem's frontmatter is made of (PM042 for the others)."""


def _unsafe(root: yaml.Node, fm_text: str) -> tuple[str, int, str] | None:
    """(rule, 0-based line, message) when the document uses a tag outside the format
    (PM042), or when its aliases expand beyond the limits (PM041, "billion laughs").

    Measured on the composed nodes, before any value is built or walked: expansion is
    counted by sharing (each node's size once), so the check itself stays linear.
    Without '!' or '&' in the text there is neither a tag nor an alias to look for.
    """
    if "!" not in fm_text and "&" not in fm_text:
        return None
    sizes: dict[int, tuple[int, int]] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            children = _child_nodes(node)
            values = 1 + sum(sizes[id(child)][0] for child in children)
            chars = sum(sizes[id(child)][1] for child in children)
            sizes[key] = (values, chars)
            if values > MAX_YAML_VALUES or chars > MAX_YAML_CHARS:
                return (
                    "PM041",
                    node.start_mark.line,
                    f"the YAML aliases here expand to {values:,} values and {chars:,} "
                    f"characters (at most {MAX_YAML_VALUES:,} and {MAX_YAML_CHARS:,})",
                )
            continue
        if key in sizes:
            continue
        if key in on_path:
            return "PM041", node.start_mark.line, "a YAML alias here refers to itself"
        if node.tag not in _FORMAT_TAGS:
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            return "PM042", node.start_mark.line, f"the YAML tag '{tag}' is not part of the format"
        if isinstance(node, yaml.ScalarNode):
            sizes[key] = (1, len(node.value))
            continue
        on_path.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _child_nodes(node))
    return None


def _child_nodes(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


_STR_TAG = "tag:yaml.org,2002:str"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"


class _Unusual(Exception):
    """The document uses what only PyYAML's own constructor handles."""


def _construct(loader: _FrontmatterLoader, node: yaml.Node, fm_text: str) -> Any:
    """The Python value of the composed document, as PyYAML's constructor makes it.

    Frontmatter is mappings, lists and text: those are built here directly, and other
    scalars by PyYAML, which is four times faster than its general constructor for
    every node. Anything else (an alias, a merge key, a tag, a key that is not text)
    and every error go to PyYAML, on a fresh parse, so values and errors are its own.
    """
    try:
        return _plain_value(loader, node, set())
    except (_Unusual, yaml.YAMLError, ValueError, TypeError, RecursionError):
        pass
    again = _FrontmatterLoader(fm_text)
    try:
        return again.construct_document(again.get_single_node())
    finally:
        again.dispose()


def _plain_value(loader: _FrontmatterLoader, node: yaml.Node, seen: set[int]) -> Any:
    if id(node) in seen:  # an alias: PyYAML gives the same object, even a recursive one
        raise _Unusual
    seen.add(id(node))
    kind = type(node)
    if kind is yaml.ScalarNode:
        return node.value if node.tag == _STR_TAG else loader.construct_object(node, deep=True)
    if kind is yaml.SequenceNode and node.tag == _SEQ_TAG:
        return [_plain_value(loader, item, seen) for item in node.value]
    if kind is yaml.MappingNode and node.tag == _MAP_TAG:
        mapping = {}
        for key, value in node.value:
            if type(key) is not yaml.ScalarNode or key.tag != _STR_TAG:
                raise _Unusual  # a merge key, or a key YAML reads as a number or boolean
            mapping[key.value] = _plain_value(loader, value, seen)  # the last one wins
        return mapping
    raise _Unusual


def dotted(loc: Iterable[str | int]) -> str:
    """A field's path as authors write it: ``impact.started``, ``related[2]``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _index_nodes(source: Source, node: yaml.Node, loc: Loc, offset: int, depth: int = 0) -> None:
    """Record the line of every key and item, and the written text of every scalar.

    A key written twice in one mapping is a finding (PM007): YAML keeps only the
    last value, so the first would vanish without a word. Lines then point at the
    value that is kept.
    """
    if depth > 4:
        return
    if isinstance(node, yaml.ScalarNode):
        source.scalars[loc] = Scalar(node.value, node.style not in (None, ""))
        return
    if isinstance(node, yaml.MappingNode):
        for key, _ in node.value:
            _check_key(source, key, loc, offset)
    duplicates: list[int] = []
    for child_loc, key_line, child in _children(node, loc):
        line = key_line + offset
        if isinstance(node, yaml.MappingNode) and child_loc in source.key_lines:
            duplicates.append(line)
            if len(duplicates) <= DUPLICATES_NAMED:
                first = source.key_lines[child_loc]
                source.findings.append(
                    Finding(
                        "PM007",
                        line,
                        f"'{dotted(child_loc)}' is set twice, at lines {first} and {line}; "
                        "YAML keeps only the last value",
                    )
                )
                _forget(source, child_loc)
        source.key_lines.setdefault(child_loc, line)
        _index_nodes(source, child, child_loc, offset, depth + 1)
    if len(duplicates) > DUPLICATES_NAMED:
        more = len(duplicates) - DUPLICATES_NAMED
        source.findings.append(
            Finding(
                "PM007",
                duplicates[DUPLICATES_NAMED],
                f"{more} more key{'s' if more > 1 else ''} set twice in "
                f"'{dotted(loc) or 'the frontmatter'}' from this line on",
            )
        )


DUPLICATES_NAMED = 10
"""Duplicate keys named one by one per mapping; a file repeating thousands gets one
more message counting the rest (and stays linear to check)."""


_KEY_KINDS = {
    "tag:yaml.org,2002:bool": "a boolean",
    "tag:yaml.org,2002:int": "a number",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:null": "null",
}


def _check_key(source: Source, key: yaml.Node, loc: Loc, offset: int) -> None:
    """A key YAML 1.1 reads as something other than text (``on:``, ``yes:``, ``1:``)
    is named as written, at its line, rather than as the value YAML made of it."""
    kind = _KEY_KINDS.get(key.tag)
    if isinstance(key, yaml.ScalarNode) and kind is not None and key.style in (None, ""):
        source.findings.append(
            Finding(
                "PM012",
                key.start_mark.line + 1 + offset,
                f"unknown field '{dotted((*loc, key.value))}' "
                f"(YAML 1.1 reads the key as {kind}, not a name)",
            )
        )


def _forget(source: Source, loc: Loc) -> None:
    """Drop what was recorded at and below ``loc``: a later duplicate key replaces it."""
    if loc in source.scalars:  # a scalar has nothing below it
        del source.scalars[loc]
        del source.key_lines[loc]
        return
    for table in (source.key_lines, source.scalars):
        for known in [k for k in table if k[: len(loc)] == loc]:
            del table[known]


def _children(node: yaml.Node, loc: Loc) -> Iterator[tuple[Loc, int, yaml.Node]]:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                yield (*loc, key_node.value), key_node.start_mark.line + 1, value_node
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield (*loc, index), item.start_mark.line + 1, item
