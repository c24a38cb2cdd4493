"""`mkdocs serve` rebuilds: one edit re-reads one report and reuses what it can."""

from __future__ import annotations

import gc
import os
from pathlib import Path
from typing import Any

import pytest
from mkdocs.exceptions import Abort

from postmortem_kb.core import workers as workers_module
from tests.conftest import Site, report_text


def test_an_edit_that_changes_no_generated_file_reuses_everything_else(site: Site) -> None:
    for number in range(1, 6):
        site.add(f"2024/r{number}.md", report_text(f"INC-2024-00{number}", tags=["dns"]))
    first = site.build(serving=True)
    assert {"relate", "generate", "search"} <= set(first.timings)
    hits = first.report_cache.hits

    path = site.docs / "2024" / "r3.md"
    path.write_text(path.read_text().replace("| Resolved |", "| Resolved after a restart |"))
    second = site.build(serving=True)
    assert second is first  # MkDocs keeps plugins that define on_startup
    assert second.report_cache.hits == hits + 4  # only the edited report was read again
    assert not {"relate", "generate", "search"} & set(second.timings)
    assert "Resolved after a restart" in site.page("2024/r3.md")
    assert "INC-2024-003" in site.page("incidents/years/2024.md")

    # Similar incidents read the whole report: new wording relates it again.
    path.write_text(path.read_text() + "\nA new lesson, written during review.\n")
    third = site.build(serving=True)
    assert "relate" in third.timings
    assert "A new lesson, written during review." in site.page("2024/r3.md")

    path.write_text(path.read_text().replace("Incident INC-2024-003", "Renamed incident"))
    fourth = site.build(serving=True)
    assert "generate" in fourth.timings  # a title change regenerates the listings
    assert "Renamed incident" in site.page("incidents/years/2024.md")


def test_plain_builds_never_reuse(site: Site) -> None:
    site.add("2024/r1.md", report_text("INC-2024-001"))
    site.build()
    plugin = site.build()
    assert {"relate", "generate", "search"} <= set(plugin.timings)


def test_serve_rebuilds_share_worker_processes(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rebuilds while serving reuse the first one's worker processes (starting them
    again cost 1.5 s of a 5,000-report rebuild); shutting the server down ends them."""
    monkeypatch.setattr(workers_module, "PARALLEL_FROM", 2)
    for number in range(1, 4):
        site.add(f"2024/r{number}.md", report_text(f"INC-2024-00{number}"))
    plugin = site.build(serving=True)
    assert plugin.worker_count == 2
    pool = plugin.workers._workers._pool
    assert pool is not None
    started = {process.pid for process in pool._processes.values()}
    try:
        path = site.docs / "2024" / "r2.md"
        path.write_text(path.read_text().replace("Incident INC-2024-002", "Renamed incident"))
        assert site.build(serving=True) is plugin
        assert "Renamed incident" in site.page("incidents/years/2024.md")
        assert plugin.workers._workers._pool is pool
        assert {process.pid for process in pool._processes.values()} == started
    finally:
        plugin.on_shutdown()
    assert plugin.workers._workers is None
    for pid in started:  # ended and reaped
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_no_full_collection_runs_during_the_plugins_part_of_a_build(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While serving, each full collection of the cyclic garbage collector walks the whole
    serving process: at 5,000 reports they cost a second and more of every rebuild, most
    of it while the plugin made its pages. The collector is paused for the plugin's part
    (on_files), and runs again afterwards, also when that part fails."""
    from postmortem_kb.plugin import PostmortemsPlugin

    for number in range(1, 4):
        site.add(f"2024/r{number}.md", report_text(f"INC-2024-00{number}"))
    inside: list[bool] = []
    original = PostmortemsPlugin._on_files

    def observed(self: PostmortemsPlugin, files: Any, config: Any) -> Any:
        inside.append(gc.isenabled())
        return original(self, files, config)

    monkeypatch.setattr(PostmortemsPlugin, "_on_files", observed)
    assert gc.isenabled()
    site.build(serving=True)
    assert inside == [False]
    assert gc.isenabled()

    # A strict build that stops in on_files (an error in a report) restores it too.
    site.add("2024/broken.md", report_text("INC-2024-009", severity="SEV9"))
    with pytest.raises(Abort):
        site.build(strict=True)
    assert inside == [False, False]
    assert gc.isenabled()


def test_the_metrics_pages_are_counted_again_only_when_a_figure_may_change(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A title edit regenerates the listings but gives the same Metrics pages (they name
    no report), so serving reuses them; a severity edit counts them again. Either way
    the served page is the one a fresh build makes."""
    from postmortem_kb.site import metrics

    counted: list[int] = []
    original = metrics.metrics_pages

    def counting(reports: Any, today: Any) -> Any:
        counted.append(len(reports))
        return original(reports, today)

    monkeypatch.setattr(metrics, "metrics_pages", counting)
    for number in range(1, 4):
        site.add(f"2024/r{number}.md", report_text(f"INC-2024-00{number}", severity="SEV2"))
    site.build(serving=True)
    assert counted == [3]
    page = "incidents/metrics/index.md"

    def fresh() -> str:
        site.build(site_dir=tmp_path / "fresh")
        return (tmp_path / "fresh" / "incidents" / "metrics" / "index.html").read_text()

    path = site.docs / "2024" / "r2.md"
    path.write_text(path.read_text().replace("Incident INC-2024-002", "Renamed incident"))
    plugin = site.build(serving=True)
    assert "generate" in plugin.timings  # the listings were made again...
    assert counted == [3]  # ...the Metrics pages were not
    served = site.page(page)
    assert served == fresh()
    counted.clear()

    path.write_text(path.read_text().replace("severity: SEV2", "severity: SEV0"))
    site.build(serving=True)
    assert counted == [3]  # counted again
    assert site.page(page) != served
    assert site.page(page) == fresh()
