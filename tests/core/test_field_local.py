"""Problems stay local to their field: one invalid value makes that field unknown, keeps
every other value of the report everywhere it is shown, and hides no other problem."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from postmortem_kb import Settings, load
from postmortem_kb.core.model import Frontmatter
from tests.conftest import VALID, Site, check_text, codes, pmkb

BAD_START = VALID.replace('started: "2024-01-15T10:13:00Z"', "started: 10:13")
"""Unquoted, YAML reads the time as the number 613 (PM011)."""

SUMMARY = '  summary: "An error path did not release database connections."\n'
TITLE = 'title: "API outage: connection pool exhausted"'
# (field, text in VALID, its replacement, the field's value once broken)
BREAKS = [
    ("id", "id: INC-2024-001", "id: 2024", None),
    ("title", TITLE, "title: 5", None),
    ("date", 'date: "2024-01-15"', 'date: "2024-02-30"', None),
    ("severity", "severity: SEV1", "severity: SEV9", None),
    ("status", "status: Final", "status: Done", None),
    ("authors", '"Bob Johnson"]', "no]", ["Alice Smith"]),
    ("tags", "tags: [database, connection-pool]", "tags: database", []),
    ("services", "services: [api, postgres]", "services: [api, 7]", ["api"]),
    ("root_cause", SUMMARY, "", None),
    ("contributing_factors", "- category: process", "- category: mood", []),
    ("near_miss", "related: []", 'near_miss: "no"\nrelated: []', None),
    ("visibility", "related: []", "visibility: everyone\nrelated: []", None),
    ("related", "related: []", "related: [5, INC-2024-002]", ["INC-2024-002"]),
]


def meta_of(tmp_path: Path, text: str) -> dict[str, object]:
    path = tmp_path / "report.md"
    path.write_text(text, encoding="utf-8")
    (report,) = load([(path, "report.md")], Settings()).reports
    return report.meta.model_dump()


def test_the_fixture_is_valid_frontmatter(tmp_path: Path) -> None:
    path = tmp_path / "r.md"
    path.write_text(VALID, encoding="utf-8")
    (report,) = load([(path, "r.md")], Settings()).reports
    assert isinstance(report.meta, Frontmatter) and report.valid and not report.invalid


@pytest.mark.parametrize(("field", "old", "new", "left"), BREAKS, ids=[b[0] for b in BREAKS])
def test_an_invalid_value_leaves_every_other_field_as_written(
    tmp_path: Path, field: str, old: str, new: str, left: object
) -> None:
    valid = meta_of(tmp_path, VALID)
    assert old in VALID
    text = VALID.replace(old, new)
    broken = meta_of(tmp_path, text)
    assert broken[field] == left
    others = {k: v for k, v in broken.items() if k != field}
    assert others == {k: v for k, v in valid.items() if k != field}


def test_an_invalid_nested_value_keeps_its_siblings(tmp_path: Path) -> None:
    meta = meta_of(tmp_path, BAD_START)
    assert meta["impact"]["started"] is None
    assert meta["impact"]["users_affected"] == 50000
    assert meta["impact"]["resolved"] is not None
    assert meta["severity"] == "SEV1" and meta["status"] == "Final"
    assert meta["services"] == ["api", "postgres"]


def test_one_invalid_value_hides_no_other_problem(tmp_path: Path) -> None:
    """The checks across reports and between fields run on the valid values, in the same
    run: before, the time's PM011 hid the unknown and the self link until it was fixed."""
    text = BAD_START.replace("related: []", "related: [INC-2099-404, INC-2024-1]").replace(
        "id: INC-2024-001", "id: INC-2024-1"
    )
    found = codes(check_text(tmp_path, text))
    assert sorted(found) == ["PM011", "PM013", "PM021", "PM022"]


def test_an_invalid_value_is_not_reported_twice_as_missing(tmp_path: Path) -> None:
    """An invalid impact time is PM011 only, not also 'required' (PM015); an invalid
    root cause is not also 'missing on a Final report' (PM014)."""
    assert codes(check_text(tmp_path, BAD_START)) == ["PM011"]
    no_summary = VALID.replace(SUMMARY, "")
    assert codes(check_text(tmp_path, no_summary)) == ["PM010"]


def test_duplicate_ids_and_public_mentions_are_found_with_an_invalid_value(
    tmp_path: Path,
) -> None:
    (tmp_path / "mkdocs.yml").write_text("site_name: t\ndocs_dir: kb\n", encoding="utf-8")
    kb = tmp_path / "kb"
    kb.mkdir()
    public = BAD_START.replace("related: []", "visibility: public\nrelated: []").replace(
        "## Impact", "Like INC-2024-002 before it.\n\n## Impact"
    )
    (kb / "a.md").write_text(public, encoding="utf-8")
    (kb / "b.md").write_text(VALID.replace("INC-2024-001", "INC-2024-002"), encoding="utf-8")
    (kb / "c.md").write_text(VALID.replace("severity: SEV1", "severity: 1"), encoding="utf-8")
    result = pmkb("check", "--format", "json", cwd=tmp_path)
    found = {(p["path"], p["code"]) for p in json.loads(result.stdout)["problems"]}
    assert found == {
        ("kb/a.md", "PM011"),
        ("kb/a.md", "PM020"),
        ("kb/a.md", "PM023"),
        ("kb/c.md", "PM011"),
        ("kb/c.md", "PM020"),
    }


@pytest.fixture
def built(site: Site) -> Site:
    """A SEV0 report whose start time is invalid, beside a valid SEV2 one."""
    sev0 = BAD_START.replace("severity: SEV1", "severity: SEV0")
    site.add("2024/a.md", sev0)
    site.add(
        "2024/b.md",
        VALID.replace("INC-2024-001", "INC-2024-002").replace("severity: SEV1", "severity: SEV2"),
    )
    site.add(
        "2024/c.md",
        VALID.replace("INC-2024-001", "INC-2024-003").replace("severity: SEV1", "severity: 0"),
    )
    site.configure("build_date: 2024-03-01\n")
    site.build(strict=False)
    return site


def test_the_report_page_shows_every_valid_fact_and_the_invalid_one_as_unknown(
    built: Site,
) -> None:
    page = built.page("2024/a.md")
    header = page[page.index('class="pmkb-header"') : page.index("</dl>")]
    for fact in ("SEV0", "Final", "2024-01-15", "Alice Smith", "postgres", "connection-pool"):
        assert fact in header
    assert re.search(r"<dt>Duration</dt><dd><span class=\"pmkb-unknown\"[^>]*>unknown<", header)
    other = built.page("2024/c.md")
    assert "severity unknown" in other[other.index('class="pmkb-header"') :]


def test_indexes_count_and_list_the_report_with_its_valid_values(built: Site) -> None:
    overview = built.page("incidents/index.md")
    assert re.search(r"SEV0</a></td>\s*<td>1</td>", overview), "SEV0 counts it"
    assert re.search(r"<td>Final</td>\s*<td>3</td>", overview), "every status is known"
    row = next(r for r in overview.split("<tr>") if "INC-2024-001" in r)
    assert "<td>SEV0</td>" in row and "<td>Final</td>" in row and "api, postgres" in row
    assert "INC-2024-001" in built.page("incidents/severity/sev0.md")
    assert "INC-2024-001" in built.page("incidents/services/postgres.md")
    unrated = built.page("incidents/severity/index.md")
    section = unrated[unrated.index('id="without-a-valid-severity"') :]
    assert "INC-2024-003" in section and "INC-2024-001" not in section
    row3 = next(r for r in overview.split("<tr>") if "INC-2024-003" in r)
    assert "<em>unknown</em>" in row3  # the severity cell: unknown, never another value


def test_catalog_metrics_and_exports_keep_the_valid_values(built: Site, tmp_path: Path) -> None:
    site_dir = built.root / "site"
    catalog = json.loads((site_dir / "incidents" / "search" / "catalog.json").read_text())
    entry = next(e for e in catalog["incidents"] if e["id"] == "INC-2024-001")
    assert (entry["severity"], entry["status"]) == ("SEV0", "Final")
    assert entry["services"] == ["api", "postgres"]
    assert entry["minutes"] is None
    metrics = built.page("incidents/metrics/index.md")
    assert "could not be counted" in metrics  # INC-2024-003: its severity is unknown
    assert "1 postmortem without a valid date, severity or near_miss" in metrics
    result = pmkb("export", "--format", "json", cwd=built.root)
    rows = {row["id"]: row for row in json.loads(result.stdout)}
    assert rows["INC-2024-001"]["severity"] == "SEV0"
    assert rows["INC-2024-001"]["services"] == ["api", "postgres"]
    assert rows["INC-2024-001"]["started"] is None
    assert rows["INC-2024-001"]["duration_minutes"] is None
    assert rows["INC-2024-003"]["severity"] is None and rows["INC-2024-003"]["status"] == "Final"
    stats = json.loads(pmkb("stats", "--format", "json", cwd=built.root).stdout)
    assert stats["incidents"] == 2 and stats["uncounted"] == 1
