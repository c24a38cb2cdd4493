"""The knowledge base's settings: templates, id pattern, rule levels, file selection.

One pydantic model serves the MkDocs plugin and the ``pmkb`` CLI, so both read the
same options from ``mkdocs.yml`` with the same defaults and the same errors.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from postmortem_kb.core.model import (
    DATE_BOUNDS,
    DEFAULT_DATES,
    DateRange,
    Frontmatter,
    Impact,
    Priority,
    Severity,
)
from postmortem_kb.core.paths import path_parts
from postmortem_kb.core.rules import Level, lookup


def epoch_date(epoch: str) -> date:
    """The UTC day of a SOURCE_DATE_EPOCH value; ValueError when no calendar has it."""
    try:
        return datetime.fromtimestamp(int(epoch), tz=UTC).date()
    except (OverflowError, OSError, ValueError):
        raise ValueError(f"SOURCE_DATE_EPOCH={epoch} is not a time a calendar holds") from None


class TemplateSpec(BaseModel):
    """The sections one postmortem template asks for."""

    model_config = ConfigDict(extra="forbid")

    required: list[str]
    recommended: list[str] = Field(default_factory=list)


DEFAULT_TEMPLATES: dict[str, TemplateSpec] = {
    "standard": TemplateSpec(
        required=["Executive Summary", "Impact", "Timeline", "Root Cause Analysis", "Action Items"],
        recommended=["What Went Well", "What Went Wrong", "Lessons Learned"],
    ),
    "google-sre": TemplateSpec(
        required=["Incident Summary", "Impact", "Timeline", "Root Causes", "Action Items"],
        recommended=["Leadup", "Fault", "Detection", "Response", "Recovery", "Lessons Learned"],
    ),
    "near-miss": TemplateSpec(
        required=[
            "What Almost Happened",
            "How We Caught It",
            "Impact if Not Caught",
            "What We Learned",
            "Action Items",
        ],
    ),
    "public": TemplateSpec(
        required=[
            "Summary",
            "What Happened",
            "Impact",
            "Root Cause",
            "Resolution",
            "Prevention",
            "Timeline",
        ],
    ),
}

DEFAULT_SEARCH_SECTIONS = [
    "Executive Summary",
    "Incident Summary",
    "Summary",
    "What Almost Happened",
    "Root Cause Analysis",
    "Root Causes",
    "Root Cause",
]
"""What readers search for: what happened and why. The rest (impact details, timelines,
action items, lessons, narrative sections) is left out of Material's index: it is most of
the text, makes the index slow to load at thousands of reports (6.4 s with impact and
lessons included, at 5,000), and the incident search and generated pages cover it."""

DEFAULT_EXCLUDE = ["guide/*", "templates/*", "_*"]
"""Paths (relative to the reports folder) that hold pages which are not postmortems."""

DEFAULT_PUBLIC_FILES = ["CNAME", "robots.txt", "favicon.ico"]
"""Files a public site needs that no page links to (GitHub Pages' custom domain...)."""

REDACTABLE_FIELDS = (
    "authors",
    "tags",
    "services",
    "root_cause",
    "contributing_factors",
    "impact",
    "related",
)
"""Frontmatter fields a team may withhold from the public edition; the others (id, title,
date, severity, status) are what lists, feeds and counts are made of."""


ExtraType = Literal["text", "list", "url", "date", "timestamp", "number", "integer", "boolean"]


class ExtraField(BaseModel):
    """A frontmatter field a knowledge base declares for itself (``extra_fields``)."""

    model_config = ConfigDict(extra="forbid")

    type: ExtraType = Field(description="What the value must be (see the format reference).")
    required: bool = Field(default=False, description="Every report must have it (PM010).")


_EXTRA_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


INCIDENT_COLUMNS = (
    "id",
    "title",
    "date",
    "severity",
    "status",
    "template",
    "near_miss",
    "visibility",
    "tags",
    "services",
    "authors",
    "root_cause_category",
    "root_cause_summary",
    "started",
    "detected",
    "resolved",
    "duration_minutes",
    "users_affected",
    "requests_failed",
    "support_tickets",
    "revenue_usd",
    "sla_breached",
    "data_loss",
    "related",
    "similar",
    "summary",
    "action_items",
    "open_action_items",
    "overdue_action_items",
    "path",
)
"""The columns of ``pmkb export`` (incidents): fixed, so no declared extra field may take
one of their names."""


class Policies(BaseModel):
    """Review policies: checked only by ``pmkb check --policies`` and, when
    ``show_on_site`` is set, listed on the action-items page; never in the build log."""

    model_config = ConfigDict(extra="forbid")

    final_within_days: dict[Severity, Annotated[int, Field(ge=0)]] = Field(
        default_factory=lambda: {Severity.SEV0: 14, Severity.SEV1: 14},
        description="Days after the incident by which a report of that severity is Final.",
    )
    due_within_days: dict[Priority, Annotated[int, Field(ge=0)]] = Field(
        default_factory=lambda: {Priority.P0: 30},
        description="Days after the incident by which action items of that priority are due.",
    )
    trigger_criteria: bool = Field(
        default=True,
        description="Flag SEV3/SEV4 reports whose impact meets the SEV2 postmortem trigger.",
    )
    trigger_users_affected: int = Field(default=1000, ge=0)
    trigger_revenue_usd: float = Field(default=10000, ge=0)
    show_on_site: bool = Field(
        default=False, description="List policy violations on the action-items page."
    )


class Settings(BaseModel):
    """Options of the ``postmortems`` plugin, as written under it in ``mkdocs.yml``."""

    model_config = ConfigDict(extra="forbid")

    folder: str = Field(
        default=".",
        description="Folder of the reports, relative to the MkDocs docs_dir.",
    )
    exclude: list[str] = Field(
        default_factory=lambda: list(DEFAULT_EXCLUDE),
        description="Glob patterns (relative to 'folder') of Markdown files that are not "
        "postmortems. index.md and README.md are always excluded.",
    )
    id_pattern: str = Field(
        default=r"^INC-\d{4}-\d{3,}$",
        description="Regular expression every postmortem id must match.",
    )
    default_template: str = Field(
        default="standard", description="Template of reports that name none."
    )
    templates: dict[str, TemplateSpec] = Field(
        default_factory=dict,
        description="Extra or replaced templates; merged over the four built-in ones.",
    )
    rules: dict[str, Level] = Field(
        default_factory=dict,
        description="Rule level overrides by code or name: error, warning, info or off.",
    )
    build_date: date | None = Field(
        default=None,
        description="The date that decides which action items are overdue; "
        "defaults to SOURCE_DATE_EPOCH, then today.",
    )
    earliest_date: date = Field(
        default=DEFAULT_DATES.earliest,
        description="The earliest date a report may hold (incident, impact, timeline, "
        "action items); an earlier one is a problem (PM037).",
    )
    latest_date: date = Field(
        default=DEFAULT_DATES.latest,
        description="The latest date a report may hold; a later one is a problem (PM037).",
    )

    pages_dir: str = Field(
        default="incidents", description="Folder (inside docs_dir) of the generated pages."
    )
    nav_reports: bool = Field(
        default=False,
        description="List every report in the navigation (slow for large knowledge bases).",
    )
    search_sections: list[str] = Field(
        default_factory=lambda: list(DEFAULT_SEARCH_SECTIONS),
        description="Report sections that Material's full-text search indexes "
        "(besides the title and header); '*' indexes them all.",
    )
    related_limit: int = Field(
        default=5, ge=0, description="Most similar incidents shown on a report page."
    )
    related_threshold: float = Field(
        default=0.15, ge=0, le=1, description="Lowest similarity score (0-1) worth showing."
    )
    template_dir: str = Field(
        default="templates",
        description="Folder (relative to 'folder') of the template files 'pmkb new' copies.",
    )
    policies: Policies = Field(
        default_factory=Policies, description="Review policies (see 'pmkb check --policies')."
    )
    edition: Literal["internal", "public"] = Field(
        default="internal",
        description="Which reports the site publishes: internal (all of them) or public (only "
        "'visibility: public' ones). The PMKB_EDITION environment variable overrides it.",
    )
    public_redact_sections: list[str] = Field(
        default_factory=list,
        description="Sections left out of every report in the public edition (matched like "
        "template sections: case and surrounding spaces ignored).",
    )
    public_files: list[str] = Field(
        default_factory=lambda: list(DEFAULT_PUBLIC_FILES),
        description="Glob patterns (relative to docs_dir) of files the public edition "
        "publishes though no published page links to them.",
    )
    public_redact_fields: list[str] = Field(
        default_factory=list,
        description="Frontmatter fields withheld from the public edition: "
        + ", ".join(REDACTABLE_FIELDS)
        + ", impact.<field>, or a field of extra_fields.",
    )
    extra_fields: dict[str, ExtraField] = Field(
        default_factory=dict,
        description="Frontmatter fields of this knowledge base's own, by name, each with its "
        "type (text, list, url, date, timestamp, number, integer, boolean) or "
        "{type: ..., required: true}: validated, shown in the report's header and exported "
        "instead of being unknown (PM012).",
    )

    def today(self) -> date:
        """The build date: the option, else SOURCE_DATE_EPOCH, else today (UTC).

        Overdue action items depend on it, so reproducible builds must pin it.
        """
        if self.build_date is not None:
            return self.build_date
        epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
        if epoch.isdigit():
            return epoch_date(epoch)
        return datetime.now(tz=UTC).date()

    def dates(self) -> DateRange:
        """The dates reports may hold (``earliest_date`` to ``latest_date``)."""
        return DateRange(self.earliest_date, self.latest_date)

    @model_validator(mode="after")
    def _dates_make_sense(self) -> Settings:
        for name in ("earliest_date", "latest_date"):
            problem = DATE_BOUNDS.problem(getattr(self, name))
            if problem is not None:
                raise ValueError(f"{name}: {problem.replace('this knowledge base', 'it')}")
        if self.earliest_date >= self.latest_date:
            raise ValueError("earliest_date must be before latest_date")
        if self.build_date is not None and (problem := self.dates().problem(self.build_date)):
            raise ValueError(f"build_date: {problem}")
        return self

    @model_validator(mode="after")
    def _redactable(self) -> Settings:
        allowed = {*REDACTABLE_FIELDS, *(f"impact.{name}" for name in Impact.model_fields)}
        allowed |= set(self.extra_fields)
        unknown = [name for name in self.public_redact_fields if name not in allowed]
        if unknown:
            raise ValueError(
                f"public_redact_fields: cannot redact {', '.join(map(repr, unknown))} "
                f"(redactable: {', '.join(REDACTABLE_FIELDS)}, impact.<field>, "
                "or a field of extra_fields)"
            )
        return self

    @field_validator("extra_fields", mode="before")
    @classmethod
    def _extra_fields(cls, value: object) -> object:
        if not isinstance(value, dict):
            return value
        taken = set(Frontmatter.model_fields) | set(INCIDENT_COLUMNS)
        declared: dict[str, object] = {}
        for name, spec in value.items():
            if not isinstance(name, str) or not _EXTRA_NAME.fullmatch(name):
                raise ValueError(f"{name!r} is not a field name (letters, digits, _ and -)")
            if name in taken:
                raise ValueError(f"{name!r} is a field of the format or a column of the export")
            # The short form, `incident_commander: text`, names the type only.
            declared[name] = {"type": spec} if isinstance(spec, str) else spec
        return declared

    @field_validator("id_pattern")
    @classmethod
    def _pattern_compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from None
        return value

    @field_validator("rules", mode="before")
    @classmethod
    def _rules_exist(cls, value: object) -> object:
        if not isinstance(value, dict):
            return value
        resolved: dict[str, object] = {}
        for key, level in value.items():
            try:
                code = lookup(str(key)).code
            except KeyError:
                raise ValueError(f"no rule has the code or name {key!r}") from None
            # YAML 1.1 reads an unquoted `off` as false: that is what the user meant.
            resolved[code] = Level.OFF if level is False else level
        return resolved

    @field_validator("default_template")
    @classmethod
    def _lowercase(cls, value: str) -> str:
        return value.strip().lower()

    @model_validator(mode="after")
    def _default_template_exists(self) -> Settings:
        if self.default_template not in self.all_templates():
            names = ", ".join(sorted(self.all_templates()))
            raise ValueError(
                f"default_template '{self.default_template}' is not a template (known: {names})"
            )
        return self

    def all_templates(self) -> dict[str, TemplateSpec]:
        """Built-in templates with the configured ones merged over them."""
        merged = dict(DEFAULT_TEMPLATES)
        merged.update({name.strip().lower(): spec for name, spec in self.templates.items()})
        return merged

    def is_template(self, rel: str) -> bool:
        """Whether ``rel`` (relative to the reports folder) lies in ``template_dir``:
        template files are neither postmortems nor pages of the site."""
        folder = path_parts(self.template_dir.strip().strip("/"))
        return folder != () and path_parts(rel)[: len(folder)] == folder

    def indexes_section(self, title: str) -> bool:
        """Whether Material's search indexes the report section called ``title``."""
        wanted = {" ".join(t.split()).casefold() for t in self.search_sections}
        return "*" in wanted or " ".join(title.split()).casefold() in wanted

    def level_of(self, code: str) -> Level:
        return self.rules.get(code, lookup(code).level)
