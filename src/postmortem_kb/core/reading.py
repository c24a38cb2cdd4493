"""Reading one file into a :class:`~postmortem_kb.core.report.Report`: the read pipeline.

The source is read and its frontmatter checked, then its body is parsed into sections,
tables are read and every check of one file runs (:mod:`postmortem_kb.core.checks`).
A report is produced for every file, broken or not: what could not be read becomes a
finding. The checks across reports run later, in :mod:`postmortem_kb.core.kb`.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from time import perf_counter

from postmortem_kb.core.body import headings_of, parse_tokens, sections_of
from postmortem_kb.core.checks.lint import lint_report
from postmortem_kb.core.checks.validate import (
    check_frontmatter,
    check_sections,
    read_action_items,
    read_timeline,
)
from postmortem_kb.core.limits import check_markdown
from postmortem_kb.core.report import Report
from postmortem_kb.core.rules import Finding
from postmortem_kb.core.settings import Settings
from postmortem_kb.core.source import Source, read_source


def _outside_link(path: Path, rel: str) -> Source | None:
    """A source standing for a file whose real location is outside its folder."""
    depth = len(PurePosixPath(rel).parts)
    try:
        # Without a link below the folder the file is inside it: one lstat call per
        # level, where resolving both paths costs one per part from the filesystem root.
        part = os.fspath(path)
        for _ in range(max(depth, 1)):  # the file, then each folder below the reports folder
            if os.path.islink(part):
                break
            part = os.path.dirname(part)
        else:
            return None
        root = path.parents[depth - 1] if depth else path.parent
        inside = path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # a link loop
        inside = False
    if inside:
        return None
    finding = Finding("PM006", 1, "the file leads outside the reports folder and is not read")
    return Source(path=path, findings=[finding])


def read_report(
    path: Path, rel: str, settings: Settings, timings: dict[str, float] | None = None
) -> Report:
    """Read and check one file on its own (links between reports are checked later).

    ``timings``, when given, accumulates seconds spent parsing (the frontmatter's
    checks included) and validating.
    """
    started = perf_counter()
    report = read_metadata(path, rel, settings)
    source = report.source
    tokens = parse_tokens(source.body)
    report.sections = sections_of(tokens, source.body, source.body_offset)
    report.headings = headings_of(tokens)
    parsed = perf_counter()
    report.findings.extend(check_sections(report, settings))
    report.timeline, findings = read_timeline(report, settings.dates())
    report.findings.extend(findings)
    report.action_items, findings = read_action_items(report, settings.dates())
    report.findings.extend(findings)
    report.findings.extend(lint_report(report, tokens))
    report.findings.extend(check_markdown(source.body, tokens, source.body_offset))
    if timings is not None:
        timings["parse"] = timings.get("parse", 0.0) + parsed - started
        timings["validate"] = timings.get("validate", 0.0) + perf_counter() - parsed
    return report


def read_metadata(
    path: Path, rel: str, settings: Settings, timings: dict[str, float] | None = None
) -> Report:
    """Read one file's frontmatter, not its body: enough for the checks across reports
    (ids, ``related`` links, visibility), not for the file's own problems.

    ``pmkb check`` reads the rest of the knowledge base this way when it is asked about
    a few files: their problems are the ones it reports.
    """
    started = perf_counter()
    source = _outside_link(path, rel) or read_source(path)
    report = Report(path=path, rel=rel, source=source, findings=list(source.findings))
    checked = check_frontmatter(source, settings)
    report.meta, report.invalid, report.extra = checked.meta, checked.invalid, checked.extra
    report.findings.extend(checked.findings)
    if timings is not None:
        timings["parse"] = timings.get("parse", 0.0) + perf_counter() - started
    return report
