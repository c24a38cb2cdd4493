"""Fields a team declares for itself (``extra_fields``): validated by type, shown in the
report's header, exported and in the JSON Schema; undeclared fields stay PM012."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from postmortem_kb import Settings
from tests.conftest import VALID, Site, check_text, codes, pmkb

DECLARED = {
    "incident_commander": "text",
    "responders": "list",
    "slack_channel": "url",
    "review_date": "date",
    "paged_at": "timestamp",
    "cost_eur": "number",
    "pages": "integer",
    "customer_facing": "boolean",
}
GOOD = {
    "incident_commander": "@ana",
    "responders": ["@bo", "@cy"],
    "slack_channel": "https://chat.example/c/inc-2024-001",
    "review_date": "2024-01-20",
    "paged_at": "2024-01-15T10:14:00Z",
    "cost_eur": -12.5,
    "pages": 3,
    "customer_facing": True,
}


def with_fields(values: dict[str, object], text: str = VALID) -> str:
    extra = yaml.safe_dump(values, sort_keys=False, allow_unicode=True)
    return text.replace("related: []\n", f"related: []\n{extra}", 1)


def test_declared_fields_are_valid_and_undeclared_ones_stay_unknown(tmp_path: Path) -> None:
    text = with_fields({**GOOD, "slak_channel": "#inc"})
    problems = check_text(tmp_path, text, extra_fields=DECLARED)
    assert [(p.code, p.message) for p in problems] == [
        ("PM012", "unknown field 'slak_channel'; did you mean 'slack_channel'?")
    ]
    assert sorted(codes(check_text(tmp_path, with_fields(GOOD)))) == ["PM012"] * len(GOOD)


BAD = [
    ("text", "incident_commander", 42, "input should be a valid string"),
    ("list", "responders", "@bo", "input should be a valid list"),
    ("url", "slack_channel", "#inc-2024-001", "expected a web address"),
    ("url", "slack_channel", "javascript:alert(1)", "expected a web address"),
    ("date", "review_date", "2024-02-30", "not a real calendar date"),
    ("timestamp", "paged_at", "10:14", "expected an iso 8601 date and time"),
    ("number", "cost_eur", "12,5", "expected a number"),
    ("integer", "pages", 2.5, "input should be a valid integer"),
    ("boolean", "customer_facing", "yes", "input should be a valid boolean"),
]


@pytest.mark.parametrize(
    ("kind", "name", "value", "says"), BAD, ids=[b[0] + "-" + str(b[2]) for b in BAD]
)
def test_a_declared_field_with_a_wrong_value_is_pm011_at_its_line(
    tmp_path: Path, kind: str, name: str, value: object, says: str
) -> None:
    text = with_fields({**GOOD, name: value})
    (problem,) = check_text(tmp_path, text, extra_fields=DECLARED)
    line = next(n for n, line in enumerate(text.splitlines(), 1) if line.startswith(f"{name}:"))
    assert (problem.code, problem.line) == ("PM011", line)
    assert problem.message.startswith(f"'{name}") and says in problem.message.lower()
    from postmortem_kb.core.model import EXTRA_HINTS

    assert problem.hint == EXTRA_HINTS[kind]


def test_a_required_declared_field_must_be_there(tmp_path: Path) -> None:
    declared = {"incident_commander": {"type": "text", "required": True}}
    (problem,) = check_text(tmp_path, VALID, extra_fields=declared)
    assert (problem.code, problem.line) == ("PM010", 1)
    assert "'incident_commander' is missing (declared in extra_fields)" in problem.message
    assert (
        check_text(
            tmp_path, with_fields({"incident_commander": "@ana"}), **{"extra_fields": declared}
        )
        == []
    )


@pytest.mark.parametrize(
    ("declared", "says"),
    [
        ({"severity": "text"}, "'severity' is a field of the format"),
        ({"summary": "text"}, "'summary' is a field of the format or a column of the export"),
        ({"slack channel": "url"}, "is not a field name"),
        ({"colour": "color"}, "extra_fields.colour.type"),
        ({"pager": {"type": "text", "mandatory": True}}, "mandatory"),
    ],
)
def test_bad_declarations_stop_pmkb_with_a_message(
    tmp_path: Path, declared: dict[str, object], says: str
) -> None:
    config = {"site_name": "t", "plugins": [{"postmortems": {"extra_fields": declared}}]}
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    (tmp_path / "docs").mkdir()
    result = pmkb("check", cwd=tmp_path)
    assert result.returncode == 2 and says in result.stderr, result.stderr


def test_declared_fields_are_shown_exported_and_in_the_schema(site: Site) -> None:
    site.configure(
        "extra_fields:\n"
        + "".join(f"  {name}: {kind}\n" for name, kind in DECLARED.items())
        + "build_date: 2024-03-01\n"
    )
    site.add("2024/a.md", with_fields(GOOD))
    broken = {**GOOD, "slack_channel": "#inc", "responders": ["@bo", 5]}
    site.add("2024/b.md", with_fields(broken, VALID.replace("INC-2024-001", "INC-2024-002")))
    site.build(strict=False)
    page = site.page("2024/a.md")
    header = page[page.index('class="pmkb-header"') : page.index("</dl>")]
    assert "<dt>Incident commander</dt><dd>@ana</dd>" in header
    assert "<dt>Responders</dt><dd>@bo, @cy</dd>" in header
    assert '<a href="https://chat.example/c/inc-2024-001">' in header
    assert "<dt>Customer facing</dt><dd>yes</dd>" in header
    assert "<dt>Paged at</dt><dd>2024-01-15T10:14:00+00:00</dd>" in header
    other = site.page("2024/b.md")
    other_header = other[other.index('class="pmkb-header"') : other.index("</dl>")]
    assert '<dt>Slack channel</dt><dd><span class="pmkb-unknown"' in other_header
    assert "<dt>Incident commander</dt><dd>@ana</dd>" in other_header  # the others stay

    exported = pmkb("export", "--format", "json", cwd=site.root)
    rows = {row["id"]: row for row in json.loads(exported.stdout)}
    assert list(rows["INC-2024-001"])[-len(DECLARED) :] == list(DECLARED)
    assert rows["INC-2024-001"]["paged_at"] == "2024-01-15T10:14:00+00:00"
    assert rows["INC-2024-001"]["responders"] == ["@bo", "@cy"]
    assert rows["INC-2024-002"]["slack_channel"] is None
    table = list(csv.reader(io.StringIO(pmkb("export", "--format", "csv", cwd=site.root).stdout)))
    assert table[0][-len(DECLARED) :] == list(DECLARED)
    first = dict(zip(table[0], next(r for r in table if r[0] == "INC-2024-001"), strict=True))
    # A cell starting with @ could run as a spreadsheet formula: it gets an apostrophe.
    assert (first["responders"], first["customer_facing"]) == ("'@bo; @cy", "true")

    schema = json.loads(pmkb("schema", cwd=site.root).stdout)
    frontmatter = yaml.safe_load(with_fields(GOOD).split("---\n")[1])
    jsonschema.validate(frontmatter, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**frontmatter, "pages": "three"}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**frontmatter, "undeclared": 1}, schema)


def test_the_public_edition_withholds_the_declared_fields_it_is_told_to(site: Site) -> None:
    site.configure(
        "extra_fields: {incident_commander: text, slack_channel: url}\n"
        "public_redact_fields: [incident_commander]\nedition: public\n"
    )
    public = VALID.replace("related: []", "visibility: public\nrelated: []")
    site.add("2024/a.md", with_fields({"incident_commander": "Ana Secret", **GOOD}, public))
    site.build(strict=False)
    page = site.page("2024/a.md")
    assert "Ana Secret" not in page and "@ana" not in page
    assert "https://chat.example/c/inc-2024-001" in page
    exported = pmkb("export", "--format", "json", "--edition", "public", cwd=site.root)
    (row,) = json.loads(exported.stdout)
    assert row["incident_commander"] is None and row["slack_channel"].startswith("https://")


def test_a_redacted_name_must_be_a_field() -> None:
    with pytest.raises(ValueError, match="cannot redact 'incident_commander'"):
        Settings(public_redact_fields=["incident_commander"])
    settings = Settings(
        public_redact_fields=["incident_commander"], extra_fields={"incident_commander": "text"}
    )
    assert settings.public_redact_fields == ["incident_commander"]
