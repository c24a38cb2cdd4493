"""The rules of the postmortem format, applied to one report or across reports.

Every function returns findings instead of raising, and keeps going after a
problem, so one run reports everything that is wrong with every file.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from typing import Any, NamedTuple

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from postmortem_kb.core.body import Row, Table, normalise_heading
from postmortem_kb.core.model import (
    DEFAULT_DATES,
    EXTRA_HINTS,
    ActionItem,
    ActionStatus,
    DateOutOfRange,
    DateRange,
    Frontmatter,
    Metadata,
    Priority,
    Status,
    TimelineEntry,
    extra_adapter,
    known_fields,
    parse_calendar_date,
)
from postmortem_kb.core.renamed import current_data
from postmortem_kb.core.report import Report
from postmortem_kb.core.rules import Finding
from postmortem_kb.core.settings import ExtraField, Settings
from postmortem_kb.core.source import Loc, Source, dotted

# --- frontmatter -------------------------------------------------------------


class CheckedFrontmatter(NamedTuple):
    meta: Metadata
    """A :class:`Frontmatter` when every value is valid, else the valid part
    (:func:`valid_part`)."""
    invalid: frozenset[str]
    """Dotted names of the fields whose values are invalid."""
    extra: dict[str, Any]
    """The valid values of the fields the knowledge base declares (``extra_fields``)."""
    findings: list[Finding]


def check_frontmatter(source: Source, settings: Settings) -> CheckedFrontmatter:
    """Validate the frontmatter against the model, then the rules between fields."""
    if source.data is None:
        return CheckedFrontmatter(Metadata(), frozenset(), {}, [])
    declared = settings.extra_fields
    data, findings = current_data(source)
    findings += _unknown_fields(data, Frontmatter, (), source, set(declared))
    context = {"dates": settings.dates()}
    try:
        meta: Metadata = Frontmatter.model_validate(data, context=context)
        invalid: frozenset[str] = frozenset()
    except ValidationError as exc:
        found, locs = _read_errors(exc, source)
        findings.extend(found)
        meta, invalid = valid_part(data, locs, context)
    extra, wrong = _extra_fields(source, declared, context)
    findings.extend(wrong)
    invalid |= {name for name in declared if name in source.data and name not in extra}
    findings.extend(_field_rules(meta, invalid, source, settings))
    return CheckedFrontmatter(meta, invalid, extra, findings)


def _extra_fields(
    source: Source, declared: dict[str, ExtraField], context: dict[str, Any]
) -> tuple[dict[str, Any], list[Finding]]:
    """The declared fields' valid values, in the declared order, and their problems."""
    assert source.data is not None
    values: dict[str, Any] = {}
    findings: list[Finding] = []
    for name, spec in declared.items():
        if name not in source.data:
            if spec.required:
                message = f"required field '{name}' is missing (declared in extra_fields)"
                hint = f"Add '{name}:' to the frontmatter. {EXTRA_HINTS[spec.type]}"
                findings.append(Finding("PM010", 1, message, hint))
            continue
        try:
            adapter = extra_adapter(spec.type)
            values[name] = adapter.validate_python(source.data[name], context=context)
        except ValidationError as exc:
            found, _ = _read_errors(exc, source, (name,), EXTRA_HINTS[spec.type])
            findings.extend(found)
    return values, findings


def _read_errors(
    exc: ValidationError, source: Source, prefix: Loc = (), hint: str | None = None
) -> tuple[list[Finding], set[Loc]]:
    """The findings of a validation error and the values it makes unknown, as plain data.

    ``prefix`` is where the value validated lies in the frontmatter; ``hint`` replaces
    the hint of the field's name.

    Without their context: it holds the validator's exception, whose traceback holds
    the caller's frame, a reference cycle that workers (no cyclic collector) would keep.
    """
    findings: list[Finding] = []
    seen: set[tuple[str, int, str]] = set()
    locs: set[Loc] = set()
    for error in exc.errors(include_context=False, include_url=False):
        error["loc"] = (*prefix, *error["loc"])
        finding = _from_pydantic(error, source, hint)
        key = (finding.code, finding.line, finding.message)
        if key not in seen:
            seen.add(key)
            findings.append(finding)
        if loc := _invalid_loc(error):
            locs.add(loc)
    return findings, locs


_GONE = object()
"""Stands for a value taken out of the frontmatter by :func:`_without`."""
_ROUNDS = 4
"""Rounds of :func:`valid_part`: an invalid value becomes None, a field that cannot be
None loses it, a list that lost items can be too short; one round to spare."""


def valid_part(
    data: dict[str, Any], locs: set[Loc], context: dict[str, Any] | None = None
) -> tuple[Metadata, frozenset[str]]:
    """The metadata of every valid value of ``data``, and the fields that were invalid.

    ``locs`` are where validation against :class:`Frontmatter` failed. Field by field,
    as pydantic names them: a field written with an invalid value is unknown (None
    where the field can be unknown, else left out: a list keeps its valid items), a
    mapping that lacks a required key (``root_cause`` without its ``summary``) is
    unknown as a whole, and every other value is kept as written. ``context`` is the
    validation's (the knowledge base's date range).
    """
    invalid = frozenset(map(_field_name, locs))
    pruned: object = data
    for _ in range(_ROUNDS):
        pruned = _without(pruned, locs, ())
        try:
            return Metadata.model_validate(pruned, context=context), invalid
        except ValidationError as exc:
            errors = exc.errors(include_context=False, include_url=False)
            locs = {loc for loc in map(_invalid_loc, errors) if loc}
    return Metadata(), invalid | frozenset(k for k in data if isinstance(k, str))


def _invalid_loc(error: ErrorDetails) -> Loc:
    """What an error makes unknown: the value, or for a missing key the mapping holding
    it (a missing top-level field is simply absent)."""
    loc: Loc = tuple(error["loc"])
    return loc[:-1] if error["type"] == "missing" else loc


def _field_name(loc: Loc) -> str:
    return dotted(tuple(part for part in loc if isinstance(part, str)))


def _without(value: object, locs: set[Loc], here: Loc) -> object:
    """``value`` with the values at ``locs`` taken out: a top-level field becomes None
    (unknown), or is removed when it already is; list items and nested keys are removed."""
    if here in locs:
        return None if len(here) == 1 and value is not None else _GONE
    if not any(loc[: len(here)] == here for loc in locs):
        return value
    if isinstance(value, dict):
        kept = {key: _without(item, locs, (*here, key)) for key, item in value.items()}
        return {key: item for key, item in kept.items() if item is not _GONE}
    if isinstance(value, list):
        items = [_without(item, locs, (*here, index)) for index, item in enumerate(value)]
        return [item for item in items if item is not _GONE]
    return value


def _unknown_fields(
    data: dict[str, Any],
    model: type[BaseModel],
    loc: Loc,
    source: Source,
    declared: set[str] | frozenset[str] = frozenset(),
) -> Iterator[Finding]:
    """PM012 for every key the format does not know, and that is not ``declared``."""
    fields = known_fields(model)
    for key, value in data.items():
        if not isinstance(key, str):
            continue  # named as written when the file was read (source._check_key)
        name = key
        if name in declared:
            continue
        if name not in fields:
            close = difflib.get_close_matches(name, [*fields, *declared], n=1)
            guess = f"; did you mean '{dotted((*loc, close[0]))}'?" if close else ""
            yield Finding(
                "PM012",
                source.line_of((*loc, name)),
                f"unknown field '{dotted((*loc, name))}'{guess}",
            )
            continue
        nested = fields[name]
        if nested is None:
            continue
        items = value if isinstance(value, list) else [value]
        for index, item in enumerate(items):
            if isinstance(item, dict):
                item_loc = (*loc, name, index) if isinstance(value, list) else (*loc, name)
                yield from _unknown_fields(item, nested, item_loc, source)


_FIELD_HINTS = {
    "id": "Write the id as text, e.g. id: INC-2024-001.",
    "date": 'Write the incident date as "YYYY-MM-DD", e.g. date: "2024-01-15".',
    "severity": "Use SEV0 (most severe) to SEV4.",
    "status": "Use Draft, Review or Final.",
    "authors": 'List at least one author, e.g. authors: ["Alice Smith"].',
    "started": 'Write "2024-01-15T10:13:00Z" (ISO 8601, quoted, with a timezone).',
    "detected": 'Write "2024-01-15T10:15:00Z" (ISO 8601, quoted, with a timezone).',
    "resolved": 'Write "2024-01-15T11:00:00Z" (ISO 8601, quoted, with a timezone).',
    "category": "For contributing factors: people, process, technology or environment.",
    "visibility": "Use internal or public.",
}


def _from_pydantic(error: ErrorDetails, source: Source, hint: str | None = None) -> Finding:
    loc: Loc = tuple(error["loc"])
    field_name = next((p for p in reversed(loc) if isinstance(p, str)), "")
    hint = hint or _FIELD_HINTS.get(field_name)
    if error["type"] == "missing":
        parent = loc[:-1]
        line = source.line_of(parent) if parent else 1
        where = f" in '{dotted(parent)}'" if parent else ""
        return Finding("PM010", line, f"required field '{loc[-1]}' is missing{where}", hint)
    message = error["msg"].removeprefix("Value error, ")
    message = message[0].lower() + message[1:] if message else message
    if error["type"] in _LIMIT_CODES:
        code = _LIMIT_CODES[error["type"]]
        return Finding(code, source.line_of(loc), f"'{dotted(loc)}': {message}", hint)
    expects_text = error["type"] == "string_type"
    read = _as_read(loc, error["input"], expects_text, source)
    if isinstance(error["input"], str) and error["input"].strip() in message:
        read = ""
    return Finding("PM011", source.line_of(loc), f"'{dotted(loc)}': {message}{read}", hint)


_LIMIT_CODES = {"date_range": "PM037", "string_too_long": "PM038", "too_long": "PM038"}
"""Pydantic's error types for values beyond the format's limits, and their rules."""


def _as_read(loc: Loc, value: object, expects_text: bool, source: Source) -> str:
    """Say what YAML made of the text, which explains most type errors."""
    scalar = source.scalars.get(loc)
    if scalar is None:
        return f" (found {_kind(value)})" if not isinstance(value, dict | list) else ""
    text = _cut(scalar.text)
    if isinstance(value, str):
        return f" (read {text!r})"
    if scalar.quoted:
        return f" (read {text!r} as {_kind(value)})"
    read = f"; YAML read the unquoted {text!r} as {_kind(value)}"
    return f'{read}, write it in quotes: "{text}"' if expects_text else read


def _cut(text: str, limit: int = 60) -> str:
    """A value as a message quotes it: a 4,000-digit number is not worth 4,000 digits."""
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def _kind(value: object) -> str:
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {_cut(str(value))}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"{value!r}"


def _field_rules(
    meta: Metadata, invalid: frozenset[str], source: Source, settings: Settings
) -> Iterator[Finding]:
    """The rules between fields, on the fields that are valid: a field whose value is
    invalid is reported once (PM011), not again as missing."""
    if meta.id is not None and not re.search(settings.id_pattern, meta.id):
        yield Finding(
            "PM013",
            source.line_of(("id",)),
            f"id '{meta.id}' does not match the pattern {settings.id_pattern}",
        )
    template = (meta.report_template or settings.default_template).lower()
    if template not in settings.all_templates():
        names = ", ".join(sorted(settings.all_templates()))
        yield Finding(
            "PM018",
            source.line_of(("report_template",)),
            f"template '{meta.report_template}' is not configured (known: {names})",
        )
    if meta.status is Status.FINAL and meta.root_cause is None and "root_cause" not in invalid:
        yield Finding(
            "PM014", source.line_of(("status",)), "status is Final but 'root_cause' is missing"
        )
    impact = meta.impact
    if meta.near_miss is False and "impact" not in invalid:
        absent = [
            name
            for name in ("started", "resolved")
            if (impact is None or getattr(impact, name) is None) and f"impact.{name}" not in invalid
        ]
        if absent:
            names = " and ".join(f"'impact.{name}'" for name in absent)
            yield Finding(
                "PM015",
                source.line_of(("impact",)),
                f"{names} {'is' if len(absent) == 1 else 'are'} required unless 'near_miss: true'",
            )
    if impact is None:
        return
    times = [(name, getattr(impact, name)) for name in ("started", "detected", "resolved")]
    times = [(name, value) for name, value in times if value is not None]
    naive = [name for name, value in times if value.tzinfo is None]
    for name in naive:
        yield Finding("PM017", source.line_of(("impact", name)), f"'impact.{name}' has no timezone")
    if naive:
        return
    for (first, earlier), (second, later) in itertools.pairwise(times):
        if later < earlier:
            yield Finding(
                "PM016",
                source.line_of(("impact", second)),
                f"'impact.{second}' ({later.isoformat()}) is before "
                f"'impact.{first}' ({earlier.isoformat()})",
            )


# --- sections ----------------------------------------------------------------


def template_of(report: Report, settings: Settings) -> str:
    """The template whose sections apply; the default when the named one is unknown."""
    name = (report.meta.report_template or settings.default_template).strip().lower()
    return name if name in settings.all_templates() else settings.default_template


def check_sections(report: Report, settings: Settings) -> Iterator[Finding]:
    if report.source.findings and report.source.data is None and not report.source.text:
        return
    name = template_of(report, settings)
    spec = settings.all_templates()[name]
    seen: dict[str, int] = {}
    for section in report.sections:
        if section.key in seen:
            yield Finding(
                "PM104",
                section.line,
                f"section '{section.title}' appears again (first at line {seen[section.key]})",
            )
        else:
            seen[section.key] = section.line
    for title in spec.required:
        found = report.section(title)
        if found is None:
            yield Finding(
                "PM101",
                1,
                f"required section '{title}' is missing (template '{name}')",
                f"Add a '## {title}' section.",
            )
        elif not found.has_text:
            yield Finding("PM102", found.line, f"required section '{title}' is empty")
    for title in spec.recommended:
        if report.section(title) is None:
            yield Finding(
                "PM103",
                1,
                f"recommended section '{title}' is missing (template '{name}')",
                f"Add a '## {title}' section, or turn PM103 off for this knowledge base.",
            )


# --- tables ------------------------------------------------------------------

_TIME = re.compile(r"(?:(\d{4}-\d{2}-\d{2})[ T])?(\d{1,2}):(\d{2})(?:\s*UTC|Z)?")
_FORMATTING = re.compile(r"[*_`]")
_URL = re.compile(r"https?://[^\s<>()\[\]]+")


def _plain(cell: str) -> str:
    return _FORMATTING.sub("", cell).strip()


def _shape(table: Table, row: Row) -> Finding | None:
    if row.written_cells == len(table.header):
        return None
    return Finding(
        "PM110",
        row.line,
        f"row has {row.written_cells} cells but the header has {len(table.header)}",
    )


def read_timeline(
    report: Report, dates: DateRange = DEFAULT_DATES
) -> tuple[list[TimelineEntry], list[Finding]]:
    section = report.section("Timeline")
    if section is None:
        return [], []
    table = next(
        (
            t
            for t in section.tables
            if t.column("Time") is not None and t.column("Event") is not None
        ),
        None,
    )
    if table is None:
        return [], [
            Finding(
                "PM111",
                section.line,
                "the Timeline section has no table with 'Time' and 'Event' columns",
            )
        ]
    time_col, event_col = table.column("Time"), table.column("Event")
    assert time_col is not None and event_col is not None
    day = report.incident_date
    entries: list[TimelineEntry] = []
    findings: list[Finding] = []
    previous: datetime | None = None
    for row in table.rows:
        if (shape := _shape(table, row)) is not None:
            findings.append(shape)
        text = _plain(row.cells[time_col])
        at = _parse_time(text, day)
        dated = at is not None and text[:4].isdigit() and "-" in text  # names its own day
        if dated and at is not None and (problem := dates.problem(at.date())) is not None:
            findings.append(Finding("PM037", row.line, f"'{text}': {problem}"))
            continue
        if at is None:
            findings.append(
                Finding("PM112", row.line, f"'{text}' is not a time (HH:MM or YYYY-MM-DD HH:MM)")
            )
            continue
        if previous is not None and at < previous:
            findings.append(Finding("PM113", row.line, f"'{text}' comes before the row above it"))
        previous = at
        entries.append(TimelineEntry(at=at, event=row.cells[event_col], line=row.line))
    return entries, findings


def _parse_time(text: str, day: date | None) -> datetime | None:
    match = _TIME.fullmatch(text)
    if match is None:
        return None
    day_text, hour, minute = match.groups()
    try:
        on = date.fromisoformat(day_text) if day_text else (day or date(1970, 1, 1))
        return datetime.combine(on, time(int(hour), int(minute)), tzinfo=UTC)
    except ValueError:
        return None


_ACTION_COLUMNS = ("ID", "Action", "Owner", "Due Date", "Priority", "Status")
_STATUSES = {normalise_heading(s.value): s for s in ActionStatus}
_TYPOGRAPHIC_APOSTROPHE = "\u2019"


def _row_date(
    text: str, line: int, label: str, code: str, dates: DateRange, findings: list[Finding]
) -> date | None:
    """The calendar date of an Action Items cell, or None: empty, wrong (``code``) or out
    of the accepted range (PM037), each wrong one added to ``findings``."""
    if not text:
        return None
    try:
        return parse_calendar_date(text, dates)
    except DateOutOfRange as exc:
        findings.append(Finding("PM037", line, f"{label} '{text}': {exc}"))
    except ValueError as exc:
        findings.append(Finding(code, line, f"{label} '{text}': {exc}"))
    return None


def read_action_items(
    report: Report, dates: DateRange = DEFAULT_DATES
) -> tuple[list[ActionItem], list[Finding]]:
    section = report.section("Action Items")
    if section is None:
        return [], []
    if not section.tables:
        if report.status is Status.DRAFT:
            return [], []
        return [], [Finding("PM120", section.line, "the Action Items section has no table")]
    table = section.tables[0]
    missing = [name for name in _ACTION_COLUMNS if table.column(name) is None]
    if missing:
        return [], [
            Finding(
                "PM121",
                table.line,
                f"the action-item table lacks the column(s): {', '.join(missing)}",
            )
        ]
    cols = {name: table.column(name) for name in (*_ACTION_COLUMNS, "Issue", "Notes", "Completed")}
    items: list[ActionItem] = []
    findings: list[Finding] = []
    ids: dict[str, int] = {}

    def cell(row: Row, name: str) -> str:
        index = cols[name]
        return row.cells[index].strip() if index is not None else ""

    for row in table.rows:
        if (shape := _shape(table, row)) is not None:
            findings.append(shape)
        required = ("ID", "Action", "Owner", "Due Date")
        empty = [name for name in required if not _plain(cell(row, name))]
        if empty:
            findings.append(Finding("PM127", row.line, f"empty cell(s): {', '.join(empty)}"))
        item_id = _plain(cell(row, "ID"))
        if item_id and item_id in ids:
            findings.append(
                Finding(
                    "PM125",
                    row.line,
                    f"action item id '{item_id}' is used again (first at line {ids[item_id]})",
                )
            )
        ids.setdefault(item_id, row.line)
        priority_text = _plain(cell(row, "Priority")).upper()
        priority = Priority(priority_text) if priority_text in Priority.__members__ else None
        if priority is None:
            findings.append(
                Finding(
                    "PM122", row.line, f"priority '{_plain(cell(row, 'Priority'))}' is not P0-P3"
                )
            )
        status_text = _plain(cell(row, "Status"))
        status = _STATUSES.get(normalise_heading(status_text.replace(_TYPOGRAPHIC_APOSTROPHE, "'")))
        if status is None:
            findings.append(Finding("PM123", row.line, f"status '{status_text}' is not known"))
        due = _row_date(
            _plain(cell(row, "Due Date")), row.line, "due date", "PM124", dates, findings
        )
        completed = _row_date(
            _plain(cell(row, "Completed")), row.line, "completed date", "PM128", dates, findings
        )
        issue_text = cell(row, "Issue")
        url_match = _URL.search(issue_text)
        if issue_text and url_match is None:
            findings.append(Finding("PM126", row.line, f"issue '{issue_text}' has no http(s) URL"))
        items.append(
            ActionItem(
                id=item_id,
                action=cell(row, "Action"),
                owner=_plain(cell(row, "Owner")),
                due=due,
                priority=priority,
                status=status,
                line=row.line,
                issue=url_match.group(0) if url_match else "",
                notes=cell(row, "Notes"),
                completed=completed,
            )
        )
    return items, findings


# --- across reports ----------------------------------------------------------


def check_links(reports: list[Report]) -> dict[int, list[Finding]]:
    """Duplicate ids, ``related`` links and ``not_related`` ids, keyed by the report's
    index in ``reports``."""
    by_id: dict[str, list[int]] = defaultdict(list)
    for index, report in enumerate(reports):
        if report.id is not None:
            by_id[report.id].append(index)
    findings: dict[int, list[Finding]] = defaultdict(list)
    for report_id, indexes in by_id.items():
        if len(indexes) < 2:
            continue
        for index in indexes:
            others = ", ".join(reports[i].rel for i in indexes if i != index)
            findings[index].append(
                Finding(
                    "PM020",
                    reports[index].source.line_of(("id",)),
                    f"id '{report_id}' is also used by {others}",
                )
            )
    for index, report in enumerate(reports):
        for position, related in enumerate(report.meta.related):
            line = report.source.line_of(("related", position))
            if related == report.meta.id:
                message = f"'{related}' is this report's own id"
                findings[index].append(Finding("PM022", line, message))
            elif related not in by_id:
                message = f"no postmortem has the id '{related}'"
                findings[index].append(Finding("PM021", line, message))
        for position, hidden in enumerate(report.meta.not_related):
            line = report.source.line_of(("not_related", position))
            if hidden == report.meta.id:
                message = f"'{hidden}' is this report's own id"
                findings[index].append(Finding("PM025", line, message))
            elif hidden not in by_id:
                message = f"no postmortem has the id '{hidden}'"
                findings[index].append(Finding("PM024", line, message))
            elif hidden in report.meta.related:
                message = f"'{hidden}' is also in 'related', which always shows"
                findings[index].append(Finding("PM026", line, message))
    return findings
