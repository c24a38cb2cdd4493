"""``pmkb new``: a new postmortem file at the recommended path, from a template file.

Starting from the right file is most of the format: the path, the next free id,
the frontmatter fields and the template's sections with their guidance. Templates
are Markdown files that teams edit (``templates/<name>.md`` under the reports
folder); without one, the package's own file of a built-in template is used
(:data:`BUILT_IN_TEMPLATES`), and a template configured in ``mkdocs.yml`` without a
file still works, with one guidance comment per section.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from postmortem_kb.core.config import Project
from postmortem_kb.core.kb import find_reports
from postmortem_kb.core.model import Severity
from postmortem_kb.core.settings import DEFAULT_TEMPLATES, Settings, TemplateSpec
from postmortem_kb.core.slugs import slugify
from postmortem_kb.core.source import read_source

MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
CONFIG_NAMES = ("mkdocs.yml", "mkdocs.yaml")
BUILT_IN_TEMPLATES = Path(__file__).parent / "report_templates"
"""The files of the four built-in templates, with every field's comment and the tables'
header rows; ``pmkb init --templates`` copies them into a project to edit."""
DEFAULT_PREFIX = "INC-"
NO_AUTHOR = "TODO: add the authors"
"""Stands in for the authors until they are given; a Final report may not keep it (PM204)."""

_ID = re.compile(r"^(?P<prefix>.*?)(?P<year>\d{4})-(?P<number>\d+)$")
_PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")


class ScaffoldError(Exception):
    """The file cannot be created; the message says why and what to do."""


def find_config(start: Path) -> Path | None:
    """The nearest ``mkdocs.yml`` in ``start`` or a folder above it."""
    for folder in (start.resolve(), *start.resolve().parents):
        for name in CONFIG_NAMES:
            if (folder / name).is_file():
                return folder / name
    return None


def existing_ids(reports_dir: Path, settings: Settings) -> list[str]:
    """The ids of every report, read from the frontmatter only (no full check)."""
    ids = []
    for path, _ in find_reports(reports_dir, settings):
        data = read_source(path).data or {}
        value = data.get("id")
        if isinstance(value, str) and value.strip():
            ids.append(value.strip())
    return ids


def next_id(ids: Iterable[str], year: int) -> str:
    """One more than the highest number of ``year``, at least three digits wide.

    The prefix is the one most ids use (``INC-`` when there are none).
    """
    prefixes: Counter[str] = Counter()
    highest = 0
    for value in ids:
        match = _ID.match(value)
        if match is None:
            continue
        prefixes[match["prefix"]] += 1
        if int(match["year"]) == year:
            highest = max(highest, int(match["number"]))
    prefix = prefixes.most_common(1)[0][0] if prefixes else DEFAULT_PREFIX
    return f"{prefix}{year:04d}-{highest + 1:03d}"


def slug_of(title: str, limit: int = 60) -> str:
    """File-name words for ``title``: lower case, hyphens, cut at a word boundary."""
    slug = slugify(title)
    if len(slug) > limit:
        slug = slug[: limit + 1].rsplit("-", 1)[0]
    return slug


def report_path(reports_dir: Path, day: date, title: str) -> Path:
    """``YYYY/MM-month/YYYY-MM-DD-slug.md`` under the reports folder."""
    month = f"{day.month:02d}-{MONTHS[day.month - 1]}"
    return reports_dir / f"{day.year:04d}" / month / f"{day.isoformat()}-{slug_of(title)}.md"


def template_file(reports_dir: Path, settings: Settings, name: str) -> Path:
    """Where the project keeps its own file of template ``name``."""
    return reports_dir / settings.template_dir / f"{name}.md"


def template_source(reports_dir: Path, settings: Settings, name: str) -> Path | None:
    """The file ``pmkb new`` copies for template ``name``: the project's own, else the
    built-in one, unless the project changed that template's sections (the file would
    then ask for the wrong ones); None when there is neither."""
    own = template_file(reports_dir, settings, name)
    if own.is_file():
        return own
    built_in = BUILT_IN_TEMPLATES / f"{name}.md"
    unchanged = settings.all_templates()[name] == DEFAULT_TEMPLATES.get(name)
    return built_in if unchanged and built_in.is_file() else None


def template_text(reports_dir: Path, settings: Settings, name: str) -> str:
    """The template file's text, or a skeleton built from the template's sections."""
    path = template_source(reports_dir, settings, name)
    if path is not None:
        return path.read_text(encoding="utf-8")
    return skeleton(settings.all_templates()[name], near_miss=name == "near-miss")


def skeleton(spec: TemplateSpec, near_miss: bool = False) -> str:
    """A template for a configured template that has no file."""
    impact = "impact:\n  users_affected: 0\n" if near_miss else "impact:\n  started:\n  resolved:\n"
    lines = [
        "---",
        'id: "{{id}}"',
        'title: "{{title}}"',
        'date: "{{date}}"',
        "severity: {{severity}}",
        "status: Draft",
        "authors: [{{authors}}]",
        "report_template: {{template}}",
        "tags: []",
        "services: []",
        impact.rstrip("\n"),
        f"near_miss: {'true' if near_miss else 'false'}",
        "related: []",
        "---",
    ]
    for title in [*spec.required, *spec.recommended]:
        lines += ["", f"## {title}", "", f"<!-- Write the {title} section. -->"]
    return "\n".join(lines) + "\n"


def _yaml_inner(text: str) -> str:
    """``text`` escaped for the inside of a YAML double-quoted string."""
    return json.dumps(text, ensure_ascii=False)[1:-1]


def render(template: str, values: dict[str, str]) -> str:
    """Replace ``{{name}}`` placeholders; unknown ones are left as written."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


@dataclass(frozen=True, slots=True)
class NewReport:
    path: Path
    id: str
    template: str
    source: Path | None
    """The template file copied (the project's or the built-in one); None for a skeleton."""


def create(
    project: Project,
    title: str,
    *,
    severity: Severity = Severity.SEV2,
    template: str | None = None,
    day: date,
    authors: list[str] | None = None,
    report_id: str | None = None,
) -> NewReport:
    """Write a new report; never overwrites a file."""
    settings = project.settings
    reports_dir = project.reports_dir
    title = " ".join(title.split())
    if not title:
        raise ScaffoldError("the title is empty")
    name = (template or settings.default_template).strip().lower()
    known = settings.all_templates()
    if name not in known:
        names = ", ".join(sorted(known))
        raise ScaffoldError(
            f"no template '{name}' is configured (known: {names}); add it under the "
            "plugin's 'templates' option in mkdocs.yml"
        )
    if slugify(title) == "item" and "item" not in title.lower():
        raise ScaffoldError("the title needs at least one letter or digit for the file name")
    ids = existing_ids(reports_dir, settings)
    new_id = report_id or next_id(ids, day.year)
    if new_id in ids:
        raise ScaffoldError(f"the id {new_id} is already used by another postmortem")
    if not re.search(settings.id_pattern, new_id):
        raise ScaffoldError(
            f"the id {new_id} does not match the id pattern {settings.id_pattern}; "
            "give one with --id"
        )
    path = report_path(reports_dir, day, title)
    values = {
        "id": _yaml_inner(new_id),
        "title": _yaml_inner(title),
        "date": day.isoformat(),
        "severity": severity.value,
        "template": name,
        "authors": ", ".join(json.dumps(a, ensure_ascii=False) for a in authors or [NO_AUTHOR]),
    }
    source = template_source(reports_dir, settings, name)
    text = render(template_text(reports_dir, settings, name), values)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except FileExistsError:
        raise ScaffoldError(
            f"{path} already exists; pmkb new never overwrites a file (choose another title)"
        ) from None
    return NewReport(path=path, id=new_id, template=name, source=source)
