"""core/model.py on its own: what the frontmatter model accepts and refuses."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from postmortem_kb.core.model import Frontmatter, Severity, Status

MINIMAL = {
    "id": "INC-2024-001",
    "title": "  Pool exhausted  ",
    "date": "2024-01-15",
    "severity": "SEV1",
    "status": "Final",
    "authors": ["Alice Smith"],
    "root_cause": {"category": "capacity", "summary": "The pool was too small."},
    "impact": {"started": "2024-01-15T10:00:00Z", "resolved": "2024-01-15T10:30:00Z"},
}


def test_a_minimal_report_is_valid_and_typed() -> None:
    meta = Frontmatter.model_validate(MINIMAL)
    assert meta.title == "Pool exhausted"  # text is stripped
    assert meta.date == date(2024, 1, 15)
    assert meta.severity is Severity.SEV1 and meta.status is Status.FINAL
    assert meta.impact is not None and meta.impact.duration is not None
    assert meta.impact.duration.total_seconds() == 1800
    assert meta.tags == [] and meta.related == []


@pytest.mark.parametrize(
    ("field", "value", "error_type"),
    [
        ("severity", "SEV9", "enum"),
        ("date", "2024-02-30", "value_error"),
        ("title", "x" * 201, "string_too_long"),
        ("title", "   ", "string_too_short"),
        ("title", 42, "string_type"),
    ],
)
def test_invalid_values_are_refused_by_field(field: str, value: object, error_type: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Frontmatter.model_validate({**MINIMAL, field: value})
    (error,) = caught.value.errors()
    assert error["loc"][0] == field and error["type"] == error_type
