"""The postmortem frontmatter format (version 1) as pydantic models.

The models are the single definition of the format: the validator checks reports
against them and ``pmkb schema`` can derive the editor's JSON Schema from them.
Types are strict where YAML guesses (an unquoted ``10:13`` is the number 613 and
``no`` is false), so a guess never slips through as a valid value.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    TypeAdapter,
    ValidationInfo,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

_DATE_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}.*")


@dataclass(frozen=True, slots=True)
class DateRange:
    """The calendar dates a knowledge base accepts (the ``earliest_date`` and
    ``latest_date`` options). Every date is checked against it, so no page, chart,
    calendar or policy ever computes with year 1 or year 9999 (which overflow, or make
    the metrics span 24,000 months)."""

    earliest: date
    latest: date

    def problem(self, day: date) -> str | None:
        if day < self.earliest:
            return (
                f"{day.isoformat()} is before {self.earliest.isoformat()}, the earliest "
                "date this knowledge base accepts"
            )
        if day > self.latest:
            return (
                f"{day.isoformat()} is after {self.latest.isoformat()}, the latest "
                "date this knowledge base accepts"
            )
        return None


DEFAULT_DATES = DateRange(date(1970, 1, 1), date(2200, 12, 31))
DATE_BOUNDS = DateRange(date(1900, 1, 1), date(2999, 12, 31))
"""What the date options may be set to: a year-9999 due date overflows the calendar."""


def parse_calendar_date(value: object, dates: DateRange | None = None) -> date:
    """Read ``YYYY-MM-DD``, refusing dates that do not exist (``2023-02-30``).

    With ``dates``, a date outside the range raises :class:`DateOutOfRange`.
    """
    if isinstance(value, date) and not isinstance(value, datetime):
        day = value
    elif not isinstance(value, str) or not _DATE_TEXT.fullmatch(value.strip()):
        raise ValueError("expected a date written YYYY-MM-DD")
    else:
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"{value.strip()} is not a real calendar date") from None
    if dates is not None and (problem := dates.problem(day)) is not None:
        raise DateOutOfRange(problem)
    return day


class DateOutOfRange(ValueError):
    """A real date outside the knowledge base's range (rule PM037)."""


def _dates(info: ValidationInfo) -> DateRange:
    context = info.context if isinstance(info.context, dict) else {}
    dates = context.get("dates")
    return dates if isinstance(dates, DateRange) else DEFAULT_DATES


def _in_range(day: date, info: ValidationInfo) -> None:
    problem = _dates(info).problem(day)
    if problem is not None:
        raise PydanticCustomError("date_range", problem)


def _calendar_date(value: object, info: ValidationInfo) -> date:
    day = parse_calendar_date(value)
    _in_range(day, info)
    return day


def _parse_datetime(value: object, info: ValidationInfo) -> datetime:
    if isinstance(value, datetime):
        moment = value
    else:
        text = value.strip() if isinstance(value, str) else ""
        if not _DATETIME_TEXT.fullmatch(text):
            raise ValueError("expected an ISO 8601 date and time, such as 2024-01-15T10:13:00Z")
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{text} is not a real date and time") from None
    _in_range(moment.date(), info)
    return moment


NAME_CHARS = 100
"""Longest id, tag, service, author, category or template name."""
TITLE_CHARS = 200
"""Longest title: it is on every list, feed and search result that names the report."""
SUMMARY_CHARS = 5000
"""Longest root-cause summary, factor description or public summary."""


def _text(limit: int) -> StringConstraints:
    """Text written in frontmatter: stripped, not empty, at most ``limit`` characters."""
    return StringConstraints(strip_whitespace=True, min_length=1, max_length=limit)


Text = Annotated[str, Strict(), _text(SUMMARY_CHARS)]
Name = Annotated[str, Strict(), _text(NAME_CHARS)]
Title = Annotated[str, Strict(), _text(TITLE_CHARS)]
CalendarDate = Annotated[date, BeforeValidator(_calendar_date)]
Timestamp = Annotated[datetime, BeforeValidator(_parse_datetime)]
MAX_COUNT = 10**15
"""Largest count or amount: more than any incident's, and exact in every JSON reader."""
Count = Annotated[int, Strict(), Field(ge=0, le=MAX_COUNT)]


def _number(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("expected a number, such as 12000 or 12000.50")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("expected a finite number, not .inf or .nan")
    if isinstance(value, int) and abs(value) > MAX_COUNT:
        raise ValueError(f"expected a number of at most {MAX_COUNT:.0e}")
    return value


Amount = Annotated[float, BeforeValidator(_number), Field(ge=0, le=MAX_COUNT)]


MAX_LIST = 50
"""Most authors, tags, services or related ids one report may list: each tag becomes a page
and a facet value, so a pasted list of thousands would flood the site."""


class Severity(StrEnum):
    SEV0 = "SEV0"
    SEV1 = "SEV1"
    SEV2 = "SEV2"
    SEV3 = "SEV3"
    SEV4 = "SEV4"


class Status(StrEnum):
    DRAFT = "Draft"
    REVIEW = "Review"
    FINAL = "Final"


class Priority(StrEnum):
    P0 = "P0"
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"


class ActionStatus(StrEnum):
    NOT_STARTED = "Not Started"
    IN_PROGRESS = "In Progress"
    DONE = "Done"
    BLOCKED = "Blocked"
    WONT_DO = "Won't Do"

    @property
    def is_open(self) -> bool:
        return self not in (ActionStatus.DONE, ActionStatus.WONT_DO)


FactorCategory = Literal["people", "process", "technology", "environment"]


class _Section(BaseModel):
    # Unknown keys are reported as warnings by the validator, not rejected here.
    model_config = ConfigDict(extra="ignore", frozen=True)


class RootCause(_Section):
    category: Name = Field(description="Short slug shared by similar causes, e.g. config-change.")
    summary: Text = Field(description="One or two sentences naming the systemic cause.")


class ContributingFactor(_Section):
    category: FactorCategory = Field(description="The fishbone category.")
    description: Text


class Impact(_Section):
    started: Timestamp | None = Field(default=None, description="When impact began.")
    detected: Timestamp | None = Field(default=None, description="When it was noticed.")
    resolved: Timestamp | None = Field(default=None, description="When impact ended.")
    users_affected: Count | None = None
    requests_failed: Count | None = None
    support_tickets: Count | None = None
    revenue_usd: Amount | None = None
    sla_breached: Annotated[bool, Strict()] | None = None
    data_loss: Annotated[bool, Strict()] | None = None

    @property
    def duration(self) -> timedelta | None:
        if self.started is None or self.resolved is None:
            return None
        try:
            return self.resolved - self.started
        except TypeError:  # one time has a timezone and the other has none
            return None


Visibility = Literal["internal", "public"]


class Metadata(_Section):
    """What a report's frontmatter says, field by field, as far as it is valid.

    A report whose frontmatter is valid holds a :class:`Frontmatter`. Otherwise it holds
    this: each invalid value is left out (a scalar is None, unknown, never another
    value; a list keeps its valid items), and every other field keeps its value, so one
    bad value does not blank the report's facts everywhere.
    """

    id: Name | None = None
    title: Title | None = None
    date: CalendarDate | None = None
    severity: Severity | None = None
    status: Status | None = None
    authors: list[Name] = Field(default_factory=list, max_length=MAX_LIST)
    report_template: Name | None = Field(
        default=None,
        description="Section set; default standard. (The old key 'template:' is read too.)",
    )
    tags: list[Name] = Field(default_factory=list, max_length=MAX_LIST)
    services: list[Name] = Field(default_factory=list, max_length=MAX_LIST)
    root_cause: RootCause | None = None
    contributing_factors: list[ContributingFactor] = Field(
        default_factory=list, max_length=MAX_LIST
    )
    impact: Impact | None = None
    near_miss: Annotated[bool, Strict()] | None = False
    visibility: Visibility | None = "internal"
    public_summary: Text | None = Field(
        default=None,
        description="Shorter summary for the public edition; replaces the summary section there.",
    )
    related: list[Name] = Field(
        default_factory=list, max_length=MAX_LIST, description="Ids of related postmortems."
    )
    not_related: list[Text] = Field(
        default_factory=list,
        max_length=MAX_LIST,
        description="Ids of postmortems never to suggest as similar to this one.",
    )


class Frontmatter(Metadata):
    """The metadata block at the top of every postmortem, as the format requires it."""

    id: Name = Field(description="Unique id, e.g. INC-2024-001.")
    title: Title
    date: CalendarDate = Field(description="The incident's date, YYYY-MM-DD.")
    severity: Severity
    status: Status
    authors: list[Name] = Field(min_length=1, max_length=MAX_LIST)
    near_miss: Annotated[bool, Strict()] = False
    visibility: Visibility = "internal"


FORMAT_VERSION = 1


# --- fields a knowledge base declares (the ``extra_fields`` option) ---------------------

_URL_TEXT = r"^https?://[^\s<>\"]+$"


def _url(value: object) -> str:
    if not isinstance(value, str) or not re.fullmatch(_URL_TEXT, value.strip()):
        raise ValueError("expected a web address starting with https:// or http://, no spaces")
    return value.strip()


Url = Annotated[
    str, BeforeValidator(_url), WithJsonSchema({"type": "string", "pattern": _URL_TEXT})
]


def _any_number(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("expected a number, such as 12 or -3.5")
    return value


EXTRA_TYPES: dict[str, Any] = {
    "text": Text,
    "list": Annotated[list[Text], Field(max_length=MAX_LIST)],
    "url": Url,
    "date": CalendarDate,
    "timestamp": Timestamp,
    "number": Annotated[
        int | float, BeforeValidator(_any_number), WithJsonSchema({"type": "number"})
    ],
    "integer": Annotated[int, Strict()],
    "boolean": Annotated[bool, Strict()],
}
"""The types a declared field may have, by the name ``extra_fields`` gives them."""

EXTRA_HINTS = {
    "text": 'Write the value as text, in quotes when YAML could read it otherwise: "on".',
    "list": 'Write a list of text, e.g. ["@alice", "@bob"].',
    "url": "Write the full address, starting with https:// or http://.",
    "date": 'Write the date as "YYYY-MM-DD", e.g. "2024-01-15".',
    "timestamp": 'Write "2024-01-15T10:13:00Z" (ISO 8601, quoted, with a timezone).',
    "number": "Write a number, such as 12 or -3.5, without quotes or thousands separators.",
    "integer": "Write a whole number, such as 12, without quotes or thousands separators.",
    "boolean": "Write true or false.",
}


@cache
def extra_adapter(kind: str) -> TypeAdapter[Any]:
    """The validator of one declared type (remembered: every report asks)."""
    return TypeAdapter(EXTRA_TYPES[kind])


@dataclass(slots=True)
class TimelineEntry:
    at: datetime
    event: str
    line: int


@dataclass(slots=True)
class ActionItem:
    id: str
    action: str
    owner: str
    due: date | None
    priority: Priority | None
    status: ActionStatus | None
    line: int
    issue: str = ""
    notes: str = ""
    completed: date | None = None
    """When the item was closed (optional Completed column); metrics date closures by it."""

    @property
    def is_open(self) -> bool:
        return self.status is None or self.status.is_open

    def is_overdue(self, today: date) -> bool:
        return self.is_open and self.due is not None and self.due < today


@cache
def known_fields(model: type[BaseModel]) -> dict[str, type[BaseModel] | None]:
    """Field names of ``model``, each with its nested model where it has one
    (remembered: every report asks, and the models do not change)."""
    nested: dict[str, type[BaseModel] | None] = {}
    for name, info in model.model_fields.items():
        nested[name] = _nested_model(info.annotation)
    return nested


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _nested_model(arg)
        if found is not None:
            return found
    return None
