"""The incident search index is built in a worker while MkDocs renders the pages, and
written after them: the site must hold the index, and a failed build must not."""

from __future__ import annotations

import json
import os
import threading
from concurrent.futures import Future
from pathlib import Path

import pytest
from mkdocs.config import load_config
from mkdocs.structure.files import File, Files

from postmortem_kb.core import workers as workers_module
from postmortem_kb.site.build import Generated, write_pending
from tests.conftest import Site, report_text

INDEX = "incidents/search/index.json"


def test_an_index_still_being_built_is_written_over_its_placeholder(site: Site) -> None:
    """MkDocs copies files before it renders pages, so an index a worker is still making
    is copied as a placeholder: the finished index must replace it in the site, and in
    what the serve cache adds again on the next rebuild."""
    config = load_config(str(site.write_config()))
    placeholder = File(INDEX, None, config.site_dir, config.use_directory_urls)
    placeholder.content_string = ""  # what the plugin adds while the worker works
    files = Files([placeholder])
    placeholder.copy_file()  # as MkDocs' copy_static_files writes it
    making: Future[str] = Future()
    copied = [(INDEX, b"", None, placeholder.inclusion)]
    generated = Generated(files=copied, pending={INDEX: making})
    finished = '{"version": "2.3.9"}'
    threading.Timer(0.2, making.set_result, [finished]).start()
    write_pending(generated, files)  # waits for the worker
    written = Path(placeholder.abs_dest_path).read_text(encoding="utf-8")
    assert json.loads(written) == {"version": "2.3.9"}
    assert generated.files == [(INDEX, finished.encode(), None, placeholder.inclusion)]
    assert generated.pending == {}


def test_with_workers_the_site_gets_the_index_built_in_one_process(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From :data:`INDEX_WORKER_FROM` reports the index is built in a worker; the site's
    index is the one a single process builds."""
    for number in range(1, 4):
        site.add(f"2024/r{number}.md", report_text(f"INC-2024-00{number}", tags=["dns"]))
    one = site.build()
    alone = json.loads(site.html(INDEX))
    assert one.worker_count == 0
    monkeypatch.setattr(workers_module, "INDEX_WORKER_FROM", 2)
    with_workers = site.build()
    cores = min(os.cpu_count() or 1, workers_module.MAX_WORKERS)
    if cores > 1:
        assert with_workers.worker_count == cores
        # The worker was still starting when the pages were written (it imports the
        # package first): the index was written after them.
        assert "search wait" in with_workers.timings
    assert json.loads(site.html(INDEX)) == alone
    assert with_workers.generated.pending == {}


def test_a_failed_build_keeps_neither_its_files_nor_its_workers(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While serving, a build that fails after the plugin's part (a page that cannot be
    rendered) leaves no index to write, no generated files to reuse and no workers (one
    may have died) for the next rebuild."""
    monkeypatch.setattr(workers_module, "PARALLEL_FROM", 2)
    for number in range(1, 4):
        site.add(f"2024/r{number}.md", report_text(f"INC-2024-00{number}"))
    plugin = site.build(serving=True)
    try:
        assert plugin.workers._workers is not None
        assert plugin.serve_cache.generated is not None
        plugin.on_build_error(error=RuntimeError("a page could not be rendered"))
        assert plugin.workers._workers is None
        assert plugin.serve_cache.generated is None
        assert plugin.generated.pending == {}
    finally:
        plugin.on_shutdown()
