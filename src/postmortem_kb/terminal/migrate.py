"""``pmkb migrate``: rewrite reports to the current frontmatter keys, changing nothing else.

A rename is an exact edit of one line: the key's name on its own line, every other byte
as it was (comments, key order, quoting, line endings, a byte-order mark). It is proven
before the file is replaced: the new text is read back and must give the same values
under the new key, in the same order, with the same body; otherwise the file is left
as it was and the rename is left to the author. A file that does not parse is never
touched. Running it twice changes nothing the second time.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from postmortem_kb.core.renamed import RENAMED
from postmortem_kb.core.source import Source, read_source

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
"""One line with its own ending, as the file has it (\\n, \\r\\n or \\r)."""

PLACEHOLDER_LINE = re.compile(r"^template:(?=\s*\{\{template\}\})")
"""A project's template file (``pmkb new`` fills ``{{template}}``): not YAML until filled."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What migrating one file did, or would do."""

    path: Path
    changes: tuple[str, ...] = ()
    """One line per edit, e.g. ``line 8: template: -> report_template:``."""
    error: str = ""
    """Why the file was left as it was; empty when it could be migrated."""


def migrate_file(path: Path, *, write: bool, template_file: bool = False) -> Outcome:
    """Rename the old keys of one report (or, with ``template_file``, of a project's
    template file); with ``write`` false, only say what would change."""
    try:
        raw = path.read_bytes()
        bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
        text = raw[len(bom) :].decode("utf-8")
    except OSError as exc:
        return Outcome(path, error=f"cannot read the file: {exc.strerror}")
    except UnicodeDecodeError:
        return Outcome(path, error="the file is not UTF-8 text; it was not changed")
    lines = _LINE.findall(text)
    if template_file:
        edits = _placeholder_edits(lines)
    else:
        source = read_source(path)
        if source.data is None or source.findings:
            why = source.findings[0].message if source.findings else "no frontmatter"
            line = source.findings[0].line if source.findings else 1
            return Outcome(path, error=f"line {line}: {why}; the file was not changed")
        edits, error = _edits(source, lines)
        if error:
            return Outcome(path, error=error)
    if not edits:
        return Outcome(path)
    changed = list(lines)
    for number, new in edits.items():
        changed[number - 1] = new
    described = tuple(
        f"line {n}: {_shown(lines[n - 1])} -> {_shown(new) or '(line removed)'}"
        for n, new in edits.items()
    )
    new_raw = bom + "".join(changed).encode("utf-8")
    if not write:
        return Outcome(path, described)
    scratch = path.with_name(f".{path.name}.pmkb-migrate")
    try:
        scratch.write_bytes(new_raw)
        os.chmod(scratch, path.stat().st_mode & 0o7777)
        if not template_file:
            error = _prove(read_source(path), read_source(scratch))
            if error:
                return Outcome(path, error=f"{error}; the file was not changed")
        os.replace(scratch, path)
    except OSError as exc:
        return Outcome(path, error=f"cannot write the file: {exc.strerror}")
    finally:
        scratch.unlink(missing_ok=True)
    return Outcome(path, described)


def _edits(source: Source, lines: list[str]) -> tuple[dict[int, str], str]:
    """{line number: new line} for each old key, or why the file must be left alone."""
    assert source.data is not None
    edits: dict[int, str] = {}
    for old, new in RENAMED.items():
        if old not in source.data:
            continue
        number = source.key_lines.get((old,), 0)
        line = lines[number - 1] if 0 < number <= len(lines) else ""
        key = re.match(rf"^(?:{old}|\"{old}\"|'{old}')(?=\s*:)", line)
        if key is None:
            where = f"line {number}: '{old}:'"
            return {}, f"{where} is not written on a line of its own; rename it by hand"
        if new not in source.data:
            edits[number] = new + line[key.end() :]
        elif source.data[new] == source.data[old]:
            edits[number] = ""  # the same value under both keys: the old line goes
        else:
            return {}, (
                f"line {number}: both '{new}:' ({source.data[new]!r}) and '{old}:' "
                f"({source.data[old]!r}) are set; keep the one you mean and remove the other"
            )
    return edits, ""


def _placeholder_edits(lines: list[str]) -> dict[int, str]:
    """The ``template: {{template}}`` line of a template file's frontmatter."""
    if not lines or lines[0].rstrip("\r\n") != "---":
        return {}
    for number, line in enumerate(lines[1:], start=2):
        if line.rstrip("\r\n") == "---":
            break
        if PLACEHOLDER_LINE.match(line):
            return {number: PLACEHOLDER_LINE.sub(RENAMED["template"] + ":", line)}
    return {}


def _prove(before: Source, after: Source) -> str:
    """Why the rewritten file is not the old one with its keys renamed; empty if it is."""
    if after.findings or after.data is None or before.data is None:
        return "the rewritten frontmatter did not read back"
    expected: dict[object, object] = {}
    for key, value in before.data.items():
        new = RENAMED.get(key) if isinstance(key, str) else None
        if new is None:
            expected.setdefault(key, value)
        elif new not in before.data:
            expected[new] = value
    if list(expected.items()) != list(after.data.items()) or before.body != after.body:
        return "the rewritten file would not hold the same values"
    return ""


def _shown(line: str) -> str:
    return line.rstrip("\r\n").strip()
