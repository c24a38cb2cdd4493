"""The repository's own knowledge base: valid, varied, and building strictly."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from postmortem_kb import KnowledgeBase, Settings, find_reports, load
from postmortem_kb.core.model import ActionStatus, Severity
from postmortem_kb.core.settings import DEFAULT_TEMPLATES

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load(find_reports(ROOT / "postmortems", Settings()), Settings(), ROOT)


def test_samples_have_no_problems(kb: KnowledgeBase) -> None:
    assert len(kb.reports) >= 8
    assert kb.problems == []


def test_samples_cover_the_format(kb: KnowledgeBase) -> None:
    metas = [r.meta for r in kb.reports if r.valid]
    assert {m.severity for m in metas} == set(Severity)
    assert {m.report_template or "standard" for m in metas} == set(DEFAULT_TEMPLATES)
    assert any(m.near_miss for m in metas)
    assert any(m.related for m in metas)
    items = [item for r in kb.reports for item in r.action_items]
    assert {
        ActionStatus.DONE,
        ActionStatus.IN_PROGRESS,
        ActionStatus.NOT_STARTED,
        ActionStatus.BLOCKED,
        ActionStatus.WONT_DO,
    } <= {i.status for i in items}
    assert any(i.is_overdue(date(2026, 11, 26)) for i in items)
    assert any(i.due and i.due > date(2026, 11, 26) and i.is_open for i in items)


def test_samples_share_causes_tags_and_services(kb: KnowledgeBase) -> None:
    categories = [r.meta.root_cause.category for r in kb.reports if r.meta and r.meta.root_cause]
    assert any(categories.count(c) >= 2 for c in set(categories))
    tags = [t for r in kb.reports if r.meta for t in set(r.meta.tags)]
    assert any(tags.count(t) >= 2 for t in set(tags))


def test_repository_site_builds_strictly(tmp_path: Path) -> None:
    config = load_config(str(ROOT / "mkdocs.yml"), strict=True, site_dir=str(tmp_path / "site"))
    build(config)
    page = (
        tmp_path
        / "site"
        / "2026"
        / "03-march"
        / "2026-03-17-global-config-push-gateway-outage"
        / "index.html"
    ).read_text(encoding="utf-8")
    assert "INC-2026-002" in page and 'class="pmkb-header"' in page
    edit = "https://github.com/postmortem-kb/postmortem-kb/edit/main/postmortems/2026/03-march/"
    assert (
        f'<a href="{edit}2026-03-17-global-config-push-gateway-outage.md" title="Edit this page"'
        in page
    )
    home = (tmp_path / "site" / "index.html").read_text("utf-8")
    assert 'id="overdue-action-items"' in home and 'class="pmkb-home-search"' in home
    index = json.loads((tmp_path / "site" / "search" / "search_index.json").read_text("utf-8"))
    locations = {doc["location"] for doc in index["docs"]}
    report = "2026/03-march/2026-03-17-global-config-push-gateway-outage/"
    assert {f"{report}#executive-summary", f"{report}#root-cause-analysis"} <= locations
    assert f"{report}#timeline" not in locations  # left out of Material's index by default
    years = sorted((tmp_path / "site" / "incidents" / "years").glob("*/index.html"))
    links = sum(page.read_text("utf-8").count('<a href="../../../20') for page in years)
    assert len(years) == 2 and links == 10  # each report once, on its year's page
