"""Frontmatter keys renamed since reports were first written: still read, with a note.

``template:`` named the report template until it turned out to be MkDocs' (and
Zensical's) own page-template key: an engine running without this plugin reads it as
the Jinja template of the page and fails. Reports written with the old key keep
working; each one gets a note (PM050) naming the new key and ``pmkb migrate``, which
rewrites the files (:mod:`postmortem_kb.migrate`).
"""

from __future__ import annotations

from typing import Any

from postmortem_kb.core.rules import Finding
from postmortem_kb.core.source import Source

RENAMED = {"template": "report_template"}
"""Old top-level key -> the key that replaced it."""


def current_data(source: Source) -> tuple[dict[str, Any], list[Finding]]:
    """The frontmatter under the current keys, and a finding per old key it used.

    An old key is read as its new one, in its place; where both are written, the new
    one wins (PM051). The lines of an old key answer for the new one, so a problem with
    the value names the line the author wrote.
    """
    data = source.data or {}
    if not any(old in data for old in RENAMED):
        return data, []
    findings: list[Finding] = []
    current: dict[str, Any] = {}
    for key, value in data.items():
        new = RENAMED.get(key) if isinstance(key, str) else None
        if new is None:
            current.setdefault(key, value)
            continue
        line = source.line_of((key,))
        if new in data:
            findings.append(
                Finding(
                    "PM051",
                    line,
                    f"both '{new}:' and the old '{key}:' are set; '{key}:' is ignored",
                )
            )
            continue
        findings.append(
            Finding("PM050", line, f"'{key}:' is read as '{new}:'; rename it (pmkb migrate)")
        )
        current[new] = value
        for loc, at in list(source.key_lines.items()):
            if loc[:1] == (key,):
                source.key_lines.setdefault((new, *loc[1:]), at)
    return current, findings
