"""The frontmatter's JSON Schema: generated from the model, and agreeing with it.

The samples' frontmatter (read exactly as ``pmkb check`` reads it) must validate,
and frontmatter the validator refuses must fail the schema too.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from postmortem_kb import Settings, find_reports
from postmortem_kb.core.model import Frontmatter
from postmortem_kb.core.source import read_source
from postmortem_kb.terminal.schema import SCHEMA_DIALECT, frontmatter_schema, schema_text

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = [path for path, _ in find_reports(ROOT / "postmortems", Settings())]


def validator() -> jsonschema.Draft7Validator:
    schema = frontmatter_schema()
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())


def test_the_schema_is_the_models() -> None:
    """Generated, not copied: removing the documented additions gives pydantic's schema."""
    schema = frontmatter_schema()
    assert schema["$schema"] == SCHEMA_DIALECT
    assert schema["$id"].endswith("frontmatter-v1.json")
    assert schema["title"].startswith("Postmortem frontmatter")
    stripped = copy.deepcopy(schema)
    for key in ("$schema", "$id", "title", "description"):
        stripped.pop(key)
    stripped["properties"]["id"].pop("pattern")
    stripped["properties"]["report_template"].pop("examples")
    # The old key, still read (PM050), is described as deprecated.
    old = stripped["properties"].pop("template")
    assert "deprecationMessage" in old and "report_template" in old["description"]

    def drop_closed(node: object) -> None:
        if isinstance(node, dict):
            node.pop("additionalProperties", None)
            for value in node.values():
                drop_closed(value)
        elif isinstance(node, list):
            for value in node:
                drop_closed(value)

    drop_closed(stripped)
    model = Frontmatter.model_json_schema(mode="validation")
    for key in ("title", "description"):
        model.pop(key)
    revenue = model["$defs"]["Impact"]["properties"]["revenue_usd"]["anyOf"][0]
    revenue["minimum"] = revenue.pop("ge")  # pydantic's names, translated for JSON Schema
    revenue["maximum"] = revenue.pop("le")
    assert stripped == model
    assert set(schema["properties"]) == {*Frontmatter.model_fields, "template"}


def test_the_schema_follows_the_settings() -> None:
    settings = Settings.model_validate(
        {"id_pattern": r"^OPS-\d+$", "templates": {"brief": {"required": ["Summary"]}}}
    )
    schema = frontmatter_schema(settings)
    assert schema["properties"]["id"]["pattern"] == r"^OPS-\d+$"
    assert "brief" in schema["properties"]["report_template"]["examples"]


@pytest.mark.parametrize("path", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_every_sample_frontmatter_is_valid(path: Path) -> None:
    data = read_source(path).data
    assert data is not None
    errors = [e.message for e in validator().iter_errors(data)]
    assert errors == []


def _valid() -> dict[str, object]:
    data = read_source(SAMPLES[0]).data
    assert data is not None
    return copy.deepcopy(data)


BAD = {
    "unknown severity": lambda d: d.update(severity="SEV9"),
    "unknown status": lambda d: d.update(status="Done"),
    "id missing": lambda d: d.pop("id"),
    "id off pattern": lambda d: d.update(id="INC-24-1"),
    "no authors": lambda d: d.update(authors=[]),
    "title is a number": lambda d: d.update(title=613),
    "misspelt field": lambda d: d.update(severty="SEV1"),
    "negative users": lambda d: d["impact"].update(users_affected=-1),
    "negative revenue": lambda d: d["impact"].update(revenue_usd=-5),
    "users as text": lambda d: d["impact"].update(users_affected="27,800"),
    "unknown impact key": lambda d: d["impact"].update(duration="47m"),
    "factor outside the fishbone": lambda d: d.update(
        contributing_factors=[{"category": "luck", "description": "x"}]
    ),
    "root cause without summary": lambda d: d.update(root_cause={"category": "x"}),
    "near_miss as text": lambda d: d.update(near_miss="yes"),
    "date not a date": lambda d: d.update(date="17 March"),
    "visibility unknown": lambda d: d.update(visibility="secret"),
}


@pytest.mark.parametrize("mutate", BAD.values(), ids=list(BAD))
def test_invalid_frontmatter_fails_the_schema(mutate) -> None:
    data = _valid()
    mutate(data)
    assert list(validator().iter_errors(data)), data


def test_pmkb_schema_prints_and_writes(tmp_path: Path) -> None:
    printed = subprocess.run(
        [sys.executable, "-m", "postmortem_kb", "schema"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert printed.returncode == 0
    assert json.loads(printed.stdout) == json.loads(schema_text())
    target = tmp_path / "editor" / "postmortem.schema.json"
    written = subprocess.run(
        [sys.executable, "-m", "postmortem_kb", "schema", "-o", str(target)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert written.returncode == 0 and written.stdout == ""
    assert json.loads(target.read_text(encoding="utf-8")) == json.loads(printed.stdout)
