"""`mkdocs serve --dirty`: after each kind of edit, the site a full build would make.

A dirty rebuild renders only the pages whose source is newer than their output; the
plugin makes it render also those whose plugin-made parts changed (other reports'
related incidents, the index pages, the dashboard) and repairs the search index. Each
edit below is made while a real ``mkdocs serve --dirty`` runs; once it has rebuilt,
every page it serves must equal that page of a full ``mkdocs build`` of the same files.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tests.conftest import Site, report_text
from tests.serving import WAIT, fetch, free_port, mkdocs_serve

_LIVERELOAD = re.compile(r"<script>\s*var livereload = function.*?</script>", re.DOTALL)


def _shows(base: str, full: Path, server: subprocess.Popen[str]) -> None:
    """Wait until the server serves the full build's site (it is rebuilding meanwhile;
    MkDocs' log drops a line repeated word for word, so it cannot say when it is done)."""
    deadline = time.monotonic() + WAIT
    while True:
        assert server.poll() is None, "mkdocs serve stopped"
        try:
            _same_site(base, full)
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _full_build(site: Site, out: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(out)],
        cwd=site.root,
        check=True,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"},
    )
    return out


def _search_entries(text: str) -> list[str]:
    return sorted(json.dumps(entry, sort_keys=True) for entry in json.loads(text)["docs"])


def _same_site(base: str, full: Path) -> None:
    """Every page and data file of the full build, as the server serves it."""
    pages = sorted(full.rglob("*.html"))
    assert len(pages) > 20
    for path in pages:
        rel = path.relative_to(full).as_posix()
        served = fetch(base + rel)
        assert served is not None, f"{rel} is not served"
        assert _LIVERELOAD.sub("", served) == path.read_text(encoding="utf-8"), rel
    for data in ("incidents/search/catalog.json", "incidents/search/index.json"):
        assert fetch(base + data) == (full / data).read_text(encoding="utf-8"), data
    index = fetch(base + "search/search_index.json") or "{}"
    full_index = (full / "search" / "search_index.json").read_text(encoding="utf-8")
    assert _search_entries(index) == _search_entries(full_index)


def test_every_kind_of_edit_shows_on_every_page_that_shows_it(site: Site, tmp_path: Path) -> None:
    reports = site.docs / "postmortems"
    common = {"services": ["api"], "tags": ["config-push"], "category": "config-change"}
    for number in range(1, 7):
        site.add(
            f"postmortems/2024/0{number}.md",
            report_text(
                f"INC-2024-00{number}",
                date=f"2024-0{number}-10",
                related=["INC-2024-001"] if number == 2 else None,
                sections={"Lessons Learned": "As in INC-2024-003, test the rollback."}
                if number == 4
                else None,
                **common,  # type: ignore[arg-type]
            ),
        )
    site.add("index.md", "# Home\n\n<!-- postmortems:dashboard -->\n")
    site.configure("folder: postmortems\nbuild_date: 2024-12-01\n")
    port = free_port()
    site.extra = f"site_url: http://127.0.0.1:{port}/\n"
    site.write_config()

    def rewrite(number: int, **changes: object) -> Callable[[], None]:
        def edit() -> None:
            fields: dict[str, object] = {"date": f"2024-0{number}-10", **common, **changes}
            report_id = str(fields.pop("id", f"INC-2024-00{number}"))
            text = report_text(report_id, **fields)  # type: ignore[arg-type]
            (reports / "2024" / f"0{number}.md").write_text(text, encoding="utf-8")

        return edit

    edits: dict[str, Callable[[], None]] = {
        # INC-2024-002 lists it as related: its related block shows the new title.
        "a title": rewrite(1, title="Config push broke routing everywhere"),
        # INC-2024-004 names it in its text: that link goes, the index pages change.
        "an id": rewrite(3, id="INC-2024-033"),
        "a severity": rewrite(5, severity="SEV0"),
        # Used once: listed on the patterns page, linked to its incident.
        "a tag": rewrite(6, tags=["config-push", "rollback"]),
        # Used twice then: the tag gets a page, which the other report's header links.
        "related": rewrite(5, severity="SEV0", related=["INC-2024-006"], tags=["rollback"]),
        "a deleted report": lambda: (reports / "2024" / "02.md").unlink(),
        "a new report": lambda: (reports / "2024" / "07.md").write_text(
            report_text("INC-2024-007", date="2024-07-10", **common),  # type: ignore[arg-type]
            encoding="utf-8",
        ),
    }
    with mkdocs_serve(site.root, "--dirty", port=port) as (base, server):
        _shows(base, _full_build(site, tmp_path / "full-0"), server)
        for step, (what, edit) in enumerate(edits.items(), start=1):
            edit()
            try:
                _shows(base, _full_build(site, tmp_path / f"full-{step}"), server)
            except AssertionError as failure:
                raise AssertionError(f"after editing {what}: {failure}") from None
        assert fetch(base + "postmortems/2024/02/") is None  # the deleted report is gone
    log = (site.root / "serve.log").read_text(encoding="utf-8")
    assert "Traceback" not in log
