"""Problem listings for people (text), programs (JSON) and GitHub Actions annotations."""

from __future__ import annotations

import json
from collections.abc import Sequence

from postmortem_kb.core.rules import Level, Problem
from postmortem_kb.core.units import plural


def counts(problems: Sequence[Problem]) -> dict[str, int]:
    """Problems by level: errors, warnings and notes (the info level)."""
    return {
        "errors": sum(p.level is Level.ERROR for p in problems),
        "warnings": sum(p.level is Level.WARNING for p in problems),
        "notes": sum(p.level is Level.INFO for p in problems),
    }


def summary(problems: Sequence[Problem], files: int) -> str:
    found = counts(problems)
    return (
        f"{plural(found['errors'], 'error')}, {plural(found['warnings'], 'warning')}, "
        f"{plural(found['notes'], 'note')} in {plural(files, 'postmortem')}"
    )


def line_of(problem: Problem) -> str:
    """One problem as ``file:line: level CODE name: message``, the form editors link."""
    return (
        f"{problem.path}:{problem.line}: {problem.level} {problem.code} {problem.name}: "
        f"{problem.message}"
    )


def as_text(problems: Sequence[Problem], files: int) -> str:
    lines: list[str] = []
    for problem in problems:
        lines.append(line_of(problem))
        lines.append(f"    hint: {problem.hint}")
    lines.append(summary(problems, files))
    return "\n".join(lines)


def as_json(problems: Sequence[Problem], files: int) -> str:
    document = {"files": files, **counts(problems), "problems": [p.to_dict() for p in problems]}
    return json.dumps(document, indent=2, ensure_ascii=False)


_GITHUB_COMMANDS = {Level.ERROR: "error", Level.WARNING: "warning", Level.INFO: "notice"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def as_github(problems: Sequence[Problem], files: int) -> str:
    """Workflow commands that GitHub shows as annotations on the pull request's lines."""
    lines = [
        f"::{_GITHUB_COMMANDS[p.level]} file={_escape_property(p.path)},line={p.line},"
        f"title={_escape_property(f'{p.code} {p.name}')}::"
        f"{_escape_data(f'{p.message}. Hint: {p.hint}')}"
        for p in problems
    ]
    lines.append(summary(problems, files))
    return "\n".join(lines)


FORMATTERS = {"text": as_text, "json": as_json, "github": as_github}
