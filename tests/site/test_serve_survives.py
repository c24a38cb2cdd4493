"""`mkdocs serve` keeps serving through every kind of hostile save, and recovers.

A real ``mkdocs serve`` on a free loopback port; each hostile input is written while it
runs, the server must go on answering, and the next good save must show on the page.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator

import pytest

from tests.conftest import Site, report_text
from tests.hostile import CORPUS
from tests.serving import fetch, mkdocs_serve, wait_for


@pytest.fixture
def served(site: Site) -> Iterator[tuple[Site, str, subprocess.Popen[str]]]:
    site.add("2024/report.md", report_text("INC-2024-001", title="First words"))
    site.add("2024/other.md", report_text("INC-2024-002", title="Another report"))
    site.configure("build_date: 2024-06-30")
    site.write_config()
    with mkdocs_serve(site.root) as (base, server):
        yield site, base, server


def corpus(name: str) -> str:
    return (CORPUS / name).read_text(encoding="utf-8")


HOSTILE = {
    "a due date in year 9999": ("PM037", lambda: corpus("34-action-due-in-year-9999.md")),
    "billion laughs": ("PM041", lambda: corpus("36-billion-laughs.md")),
    "600 nested list items": ("PM039", lambda: corpus("37-600-nested-list-items.md")),
    "50 KB of '['": ("PM040", lambda: corpus("38-50-kb-of-open-brackets.md")),
    "3,000 nested '>'": ("PM039", lambda: corpus("39-3000-nested-quotes.md")),
    "tags as a !!set": ("PM042", lambda: corpus("43-tags-as-a-set.md")),
}


def test_serve_survives_hostile_saves_and_recovers(
    served: tuple[Site, str, subprocess.Popen[str]],
) -> None:
    site, base, server = served
    page_url = base + "2024/report/"
    wait_for(page_url, lambda page: "First words" in page, server)
    report = site.docs / "2024" / "report.md"
    for number, (code, text) in enumerate(HOSTILE.values()):
        report.write_text(text(), encoding="utf-8")
        # The rebuild shows the problem on the page: serving went on.
        wait_for(page_url, lambda page, code=code: code in page, server)
        good = f"Recovered {number}"
        report.write_text(report_text("INC-2024-001", title=good), encoding="utf-8")
        wait_for(
            page_url, lambda page, good=good, code=code: good in page and code not in page, server
        )
    # Files the gate refuses, added while serving: a FIFO, links leading out and in.
    os.mkfifo(site.docs / "2024" / "pipe.md")
    (site.docs / "env.txt").symlink_to("/proc/self/environ")
    (site.docs / "loop").symlink_to(site.docs, target_is_directory=True)
    report.write_text(report_text("INC-2024-001", title="After the links"), encoding="utf-8")
    wait_for(page_url, lambda page: "After the links" in page, server)
    assert fetch(base + "env.txt") is None  # never published
    assert "Another report" in (fetch(base + "2024/other/") or "")
    log = (site.root / "serve.log").read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in log and "PM030 special-file" in log and "PM031" in log
