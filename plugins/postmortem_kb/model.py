"""The postmortem frontmatter format (version 1) as pydantic models.

The models are the single definition of the format: the validator checks reports
against them and ``pmkb schema`` can derive the editor's JSON Schema from them.
Types are strict where YAML guesses (an unquoted ``10:13`` is the number 613 and
``no`` is false), so a guess never slips through as a valid value.
"""

from __future__ import annotations

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
)

_DATE_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}.*")


def parse_calendar_date(value: object) -> date:
    """Read ``YYYY-MM-DD``, refusing dates that do not exist (``2023-02-30``)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _DATE_TEXT.fullmatch(value.strip()):
        raise ValueError("expected a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{value.strip()} is not a real calendar date") from None


def _parse_datetime(value: object) -> datetime:
    if isinstance(value, datetime):
        return value
    text = value.strip() if isinstance(value, str) else ""
    if not _DATETIME_TEXT.fullmatch(text):
        raise ValueError("expected an ISO 8601 date and time, such as 2024-01-15T10:13:00Z")
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text} is not a real date and time") from None


Text = Annotated[str, Strict(), StringConstraints(strip_whitespace=True, min_length=1)]
CalendarDate = Annotated[date, BeforeValidator(parse_calendar_date)]
Timestamp = Annotated[datetime, BeforeValidator(_parse_datetime)]
Count = Annotated[int, Strict(), Field(ge=0)]


def _number(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("expected a number, such as 12000 or 12000.50")
    return value


Amount = Annotated[float, BeforeValidator(_number), Field(ge=0)]


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
    category: Text = Field(description="Short slug shared by similar causes, e.g. config-change.")
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


class Frontmatter(_Section):
    """The metadata block at the top of every postmortem."""

    id: Text = Field(description="Unique id, e.g. INC-2024-001.")
    title: Text
    date: CalendarDate = Field(description="The incident's date, YYYY-MM-DD.")
    severity: Severity
    status: Status
    authors: list[Text] = Field(min_length=1, max_length=MAX_LIST)
    template: Text | None = Field(default=None, description="Section set; default standard.")
    tags: list[Text] = Field(default_factory=list, max_length=MAX_LIST)
    services: list[Text] = Field(default_factory=list, max_length=MAX_LIST)
    root_cause: RootCause | None = None
    contributing_factors: list[ContributingFactor] = Field(default_factory=list)
    impact: Impact | None = None
    near_miss: Annotated[bool, Strict()] = False
    visibility: Literal["internal", "public"] = "internal"
    public_summary: Text | None = Field(
        default=None,
        description="Shorter summary for the public edition; replaces the summary section there.",
    )
    related: list[Text] = Field(
        default_factory=list, max_length=MAX_LIST, description="Ids of related postmortems."
    )


FORMAT_VERSION = 1


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
